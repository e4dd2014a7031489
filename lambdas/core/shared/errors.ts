// Typed domain errors. Each carries a literal `code` (`item.notFound`, `subscription.tokenExpired`) that callers
// match by prefix, and a message a person can act on. Adapters map the kind to a transport status; core never
// speaks HTTP.
// `moved` carries its new address in `details.location`; `gone` is a `notFound` that is final (a removed feed).
export type ErrorKind = 'invalid' | 'notFound' | 'conflict' | 'unauthorized' | 'forbidden' | 'rateLimited' | 'tooLarge' | 'unavailable' | 'moved' | 'gone';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown; details?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details;
  }
  readonly details: unknown;
}

export const invalid = (code: string, message: string, details?: unknown) => new DomainError('invalid', code, message, { details });
export const notFound = (code: string, message: string) => new DomainError('notFound', code, message);
export const conflict = (code: string, message: string) => new DomainError('conflict', code, message);
