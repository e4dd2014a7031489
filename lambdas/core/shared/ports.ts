// Ports every concern of the core may depend on: the clock and the mailer. Adapters implement them; core never
// imports an adapter.

export interface Clock {
  now(): Date;
}

export interface OutgoingEmail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers?: Array<{ name: string; value: string }>;
  /** SES message tags (e.g. edition, subscriber) that come back in SES events. */
  tags?: Record<string, string>;
  configurationSet?: string;
}

/** Why a send failed, as the core acts on it:
 *  - `throttled`: not accepted because of the sending rate; retry with backoff;
 *  - `notAccepted`: not accepted for a reason that may pass (sending paused, quota); retry later;
 *  - `notSent`: the provider was never reached (connection refused, DNS, TLS, connect timeout); retry with backoff;
 *  - `rejectedForGood`: refused for this message or address; retrying will not help;
 *  - `inDoubt`: the provider may have accepted it (timeout, lost answer); only its own records can tell. */
export type MailerFailure = 'throttled' | 'notAccepted' | 'notSent' | 'rejectedForGood' | 'inDoubt';

export class MailerError extends Error {
  override name = 'MailerError';
  constructor(
    readonly kind: MailerFailure,
    message: string,
    /** The provider's short name for the failure (kept as a failed delivery's reason). */
    readonly reason: string = kind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface Mailer {
  /** Sends one email; returns the provider's message id. Throws MailerError saying whether the provider accepted it;
   *  any other error is taken as `inDoubt`. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
