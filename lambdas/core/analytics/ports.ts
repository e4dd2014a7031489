// What the analytics concern stores, and how. Aggregates only: counters summed over shards, and short-lived hashes
// that decide "unique" within an edition's counting window. Nothing here names a subscriber.

/** Counter names → amounts to add. */
export type Increments = Record<string, number>;

export interface AnalyticsStore {
  /** Adds to one of the edition's counter shards (chosen by the store), so no row is hot. */
  add(editionId: string, increments: Increments): Promise<void>;
  /** Every counter of the edition, summed over its shards. */
  counters(editionId: string): Promise<Increments>;
  /** The edition's random salt, created on first use, expiring with its counting window. */
  salt(editionId: string, expiresAt: Date): Promise<string>;
  /** Records each hash once (a conditional put expiring at `expiresAt`); true where this call recorded it first. */
  firstSeen(editionId: string, hashes: readonly string[], expiresAt: Date): Promise<boolean[]>;
  /** Adds to the subscriber counters of one UTC day (yyyy-mm-dd). */
  addDay(day: string, increments: Increments): Promise<void>;
  /** Every day with counters from `from` to `to` (inclusive, yyyy-mm-dd), in order, each summed over its shards. */
  days(from: string, to: string): Promise<Array<{ day: string; counters: Increments }>>;
}

/** One request to a click link, as the redirect hands it over to be counted after it answered. */
export interface ClickEvent {
  editionId: string;
  itemRef: string;
  language: string;
  countries: string[];
  topics: string[];
  /** ISO times: the message's build and the click. */
  sentAt: string;
  at: string;
  readerNonce: string;
  /** Set when the request was a machine's (HEAD, prefetch, scanner agent, too soon after delivery). */
  machine?: string;
}

export interface ClickSink {
  /** Hands a click over to be counted. Resolves once it is safely handed over (queued), not counted. */
  submit(event: ClickEvent): Promise<void>;
}
