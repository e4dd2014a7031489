// Errors of fetching a source (SourceFetchError). Parsing errors are the core's (core/ingest/errors.ts).
// Each carries a literal `code` that callers match by prefix (`source.`, `feed.`), and a message a person can act on
// (it names the URL or the part of the document that is wrong). Both set `name` and pass `cause` through.

export type SourceFetchCode =
  | 'source.badUrl'
  | 'source.blockedAddress'
  | 'source.dnsFailed'
  | 'source.network'
  | 'source.timeout'
  | 'source.tooLarge'
  | 'source.tooManyRedirects'
  | 'source.httpStatus';

export class SourceFetchError extends Error {
  override name = 'SourceFetchError';
  constructor(
    readonly code: SourceFetchCode,
    message: string,
    options?: { cause?: unknown; url?: string; status?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.url = options?.url;
    this.status = options?.status;
  }
  /** The URL being fetched when it failed (after redirects, if any). */
  readonly url: string | undefined;
  /** The HTTP status, for `source.httpStatus`. */
  readonly status: number | undefined;
}
