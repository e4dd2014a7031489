// Ports the core depends on; adapters implement them (DynamoDB, SES, clocks). Core never imports an adapter.
import type { Item } from './items.js';

export interface Clock {
  now(): Date;
}

export interface ItemPage {
  items: Item[];
  /** Opaque; pass back to get the next (older) page. Absent on the last page. */
  cursor?: string;
}

/** Per-scope head record, updated by ingest whenever an item in the scope changes: lets a feed answer 304 (or build
 *  its ETag) without reading items. */
export interface ScopeHead {
  scope: string;
  /** ISO 8601 UTC of the last change to the scope's contents. */
  changedAt: string;
  /** Increases on every change to the scope. */
  seq: number;
}

export interface ItemReader {
  get(id: string): Promise<Item | undefined>;
  getMany(ids: readonly string[]): Promise<Item[]>;
  /** Newest first (publishedAt, then id). */
  listScope(scope: string, options: { limit: number; cursor?: string }): Promise<ItemPage>;
  getScopeHead(scope: string): Promise<ScopeHead | undefined>;
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
