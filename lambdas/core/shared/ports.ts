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

export interface Mailer {
  /** Sends one email; returns the provider's message id. Throws MailerThrottledError when the provider throttles. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}
