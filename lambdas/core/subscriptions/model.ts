// The subscriber, and what the subscriptions concern stores with the store port it needs. `Subscriber` is the shape
// the rest of the domain sees (newsletters read confirmed subscribers to plan a send): extend it with optional fields,
// do not rename. `SubscriberRecord` adds the fields only this concern reads (consent, link nonces, bounce counts).
import type { Language } from '../shared/language.js';
import type { CountryCode, TopicSlug } from '../taxonomy/taxonomy.js';

export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed' | 'suppressed';
/** How often a subscriber hears from us: each edition as it is sent, or a daily or weekly digest. */
export const frequencies = ['instant', 'daily', 'weekly'] as const;
export type Frequency = (typeof frequencies)[number];
export const digestFrequencies = ['daily', 'weekly'] as const satisfies readonly Frequency[];
export type DigestFrequency = (typeof digestFrequencies)[number];

export interface Subscriber {
  id: string;
  /** Case-folded address. Never logged in full. */
  email: string;
  status: SubscriberStatus;
  /** Empty = all countries. */
  countries: CountryCode[];
  /** Empty = all topics. */
  topics: TopicSlug[];
  language: Language;
  frequency: Frequency;
  paused: boolean;
  createdAt: string;
  updatedAt: string;
  confirmedAt?: string;
  version: number;
  /** Signed into every preference, confirm and undo link; bumping it withdraws all of them. Absent = 0. */
  linkVersion?: number;
  /** false: the subscriber turned click counting off; their links go straight to the source. Absent = on. */
  clickTracking?: boolean;
}

/** An item matches a subscriber when it shares a country with them (bloc-wide items carry every country) and shares
 *  a topic with them; empty preferences match everything. */
export function itemMatches(
  item: { countries: readonly string[]; topics: readonly string[] },
  prefs: { countries: readonly string[]; topics: readonly string[] },
): boolean {
  const countryOk = prefs.countries.length === 0 || item.countries.some((c) => prefs.countries.includes(c));
  const topicOk = prefs.topics.length === 0 || item.topics.some((t) => prefs.topics.includes(t));
  return countryOk && topicOk;
}

/** Proof of consent: when, from where, with which browser, and which wording the person agreed to. */
export interface ConsentProof {
  at: string;
  ip: string;
  userAgent: string;
  wordingVersion: string;
  /** form: the subscribe form/API; confirm-link: the button on the confirmation page; import: proof supplied by an
   *  editor's import; preference-centre: re-subscribed from their own preference link; unsubscribe-undo: the undo
   *  button shown right after a one-click unsubscribe. */
  method: 'form' | 'confirm-link' | 'import' | 'preference-centre' | 'unsubscribe-undo';
  /** For imports: where the consent was collected (e.g. "event sign-up sheet 2025-10"). */
  source?: string;
}

export interface SubscriberRecord extends Subscriber {
  consent: { requested?: ConsentProof; confirmed?: ConsentProof; imported?: ConsentProof; resubscribed?: ConsentProof };
  /** Expiry (epoch seconds) of each confirmation link still outstanding; a confirm consumes all of them. */
  confirmNonces?: number[];
  softBounces?: number;
  unsubscribedAt?: string;
  suppressedAt?: string;
  suppressedReason?: string;
  /** The last time an editor lifted this address's suppression: who, when, why, and what it had been. */
  suppressionLifted?: SuppressionLift & { previousReason: SuppressionReason };
  origin: 'api' | 'import';
}

/** An editor's decision to mail a suppressed address again (kept on the suppression row and the subscriber). */
export interface SuppressionLift {
  at: string;
  by: string;
  reason: string;
}

export interface Preferences {
  countries: CountryCode[];
  topics: TopicSlug[];
  language: Language;
  frequency: Frequency;
}

export type SuppressionReason = 'bounce' | 'complaint' | 'soft-bounces' | 'erased' | 'editor';

/** Suppressions the person themselves may end with a new double opt-in: they asked to be forgotten, not to be
 *  unreachable. Bounces and complaints stay until an editor lifts them. */
export const selfLiftable: readonly SuppressionReason[] = ['erased', 'editor'];

/** One page of subscribers and the cursor of the next (none on the last page). */
export interface SubscriberPage<S extends Subscriber = Subscriber> {
  subscribers: S[];
  cursor?: string;
}

/** Confirmed subscribers are spread over this many shards, so a send pages them in parallel segments. */
export const confirmedShardCount = 16;

/** The store the subscription service needs. The DynamoDB adapter implements it with conditional writes and
 *  transactions for every "exactly one" rule. */
export interface SubscriberStore {
  get(id: string): Promise<SubscriberRecord | undefined>;
  findByEmail(email: string): Promise<SubscriberRecord | undefined>;
  /** Writes the subscriber and its unique email claim in one transaction; 'exists' when the address is claimed. */
  create(record: SubscriberRecord): Promise<'created' | 'exists'>;
  /** Replaces the record if the stored version is `record.version - 1` (optimistic lock); false when it lost a race. */
  save(record: SubscriberRecord): Promise<boolean>;
  /** A repeated subscribe of a pending address: new preferences and request proof, only while still pending. */
  updatePending(id: string, prefs: Preferences, requested: ConsentProof, now: Date): Promise<boolean>;
  /** Registers an outstanding confirmation link (its expiry), only while pending. */
  addConfirmNonce(id: string, nonce: number): Promise<boolean>;
  /** Pending → confirmed, only if `nonce` is outstanding; consumes every outstanding nonce. */
  confirm(id: string, nonce: number, proof: ConsentProof, now: Date): Promise<boolean>;
  /** Deletes the record and its email claim and keeps only a salted hash in the suppression list. */
  erase(record: SubscriberRecord, reason: SuppressionReason, now: Date): Promise<void>;
  /** Adds the address to the suppression list and marks its subscriber (if any) suppressed. */
  suppress(email: string, reason: SuppressionReason, now: Date): Promise<{ subscriberId?: string }>;
  /** Counts a soft bounce against the address's subscriber; undefined when no subscriber has that address. */
  countSoftBounce(email: string, now: Date): Promise<{ subscriberId: string; count: number } | undefined>;
  /** A delivery succeeded: soft bounces count only while consecutive. */
  resetSoftBounces(email: string): Promise<void>;
  isSuppressed(email: string): Promise<boolean>;
  /** The address's active suppression, if any. */
  suppressionOf(email: string): Promise<{ reason: SuppressionReason; at: string } | undefined>;
  /** Ends the address's active suppression, recording the lift on its row; the reason it had, or undefined when
   *  there was none. A later suppression starts afresh. */
  liftSuppression(email: string, lift: SuppressionLift): Promise<SuppressionReason | undefined>;
  /** Sliding window: at most `max` confirmation emails per address per `windowMs`. True when a slot was taken. */
  takeConfirmationSlot(email: string, now: Date, max: number, windowMs: number): Promise<boolean>;
  /** Fixed-window counter; true when this hit is within `limit`. */
  hitRateLimit(bucket: string, now: Date, windowMs: number, limit: number): Promise<boolean>;
  /** Every subscriber, oldest first, a page at a time. */
  listPage(options: { limit: number; cursor?: string }): Promise<SubscriberPage<SubscriberRecord>>;
}

/** SES feedback (bounce, complaint, delivery, ...) for one recipient, as the core acts on it. The SES adapter
 *  (adapters/ses/events.ts) parses the wire formats into it; tags carry `edition` and `subscriber` when the sender set them. */
export type SesEventType = 'Bounce' | 'Complaint' | 'Delivery' | 'Reject' | 'Send' | 'DeliveryDelay' | 'Open' | 'Click' | 'RenderingFailure' | 'Subscription';

export interface SesEventSummary {
  type: SesEventType;
  /** Case-folded recipient address. */
  email: string;
  /** Message tags, one value each (SES sends lists). */
  tags: Record<string, string>;
  messageId?: string;
  /** ISO time of the event (or of the send when the event has none). */
  at?: string;
  /** For bounces: true for a hard (Permanent) bounce. */
  permanent?: boolean;
  bounceType?: string;
  bounceSubType?: string;
}
