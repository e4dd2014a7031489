// Errors of reading a feed body (FeedParseError): a literal `code` that callers match by prefix (`feed.`), and a
// message a person can act on (it names the part of the document that is wrong). Sets `name`, passes `cause`.

export type FeedParseCode =
  | 'feed.empty'
  | 'feed.malformed'
  | 'feed.unsupported'
  | 'feed.encoding'
  | 'feed.entityDeclaration';

export class FeedParseError extends Error {
  override name = 'FeedParseError';
  constructor(
    readonly code: FeedParseCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
