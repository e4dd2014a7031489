// Ports of the send pipeline. The DynamoDB adapter (adapters/dynamo/editions.ts) implements the edition stores; the
// subscriptions repository (or a thin reader) implements SubscriberSource; SendEvidence is SES's own record of what
// it accepted (SES send events in AWS; the aws-ses-v2-local store locally).
import type { Edition, EditionState, RecordedCounts } from './model.js';
import type { ContentGroup } from './newsletter.js';
import type { Subscriber, SubscriberPage } from '../subscriptions/model.js';

export interface SubscriberSource {
  /** Confirmed subscribers of one shard (0..confirmedShardCount-1), a page at a time. */
  listConfirmedShard(shard: number, cursor?: string): Promise<SubscriberPage>;
  /** Current records, read again at send time (someone may have left since planning). */
  getMany(ids: readonly string[]): Promise<Map<string, Subscriber>>;
  /** True when the address is on the suppression list (bounced, complained, erased). */
  isSuppressed(email: string): Promise<boolean>;
}

export type DeliveryStatus = 'claimed' | 'sent' | 'released' | 'suppressed' | 'failed';

export interface Delivery {
  editionId: string;
  subscriberId: string;
  status: DeliveryStatus;
  /** Random per attempt: only the holder of the claim may settle it. */
  claimToken?: string;
  claimedAt?: string;
  attempts: number;
  messageId?: string;
  settledAt?: string;
  reason?: string;
}

/** One queued unit of work: up to `chunkSize` recipients of one edition, each with its content group. */
export interface ChunkMessage {
  editionId: string;
  chunkId: string;
  recipients: Array<{ s: string; g: string }>;
}

export interface ChunkTally {
  sent: number;
  suppressed: number;
  failed: number;
}

export interface PlanProgress {
  /** Per shard: the cursor to resume from, pages done, chunks enqueued, done. */
  shards: Record<string, { cursor?: string; pages: number; chunks: number; done: boolean }>;
  complete: boolean;
  totalChunks?: number;
}

/** Editions themselves: their rows, state machine, counters and feedback counts. */
export interface EditionRepository {
  /** Conditional put: `exists` when an edition with that id is already stored. */
  create(edition: Edition): Promise<'created' | 'exists'>;
  get(id: string): Promise<Edition | undefined>;
  /** Conditional on `expected.version`; bumps the version. */
  save(next: Edition, expectedVersion: number): Promise<Edition>;
  /** Moves the state if it is one of `from` (conditional write); returns the new edition, or undefined if not. */
  transition(id: string, from: EditionState[], to: EditionState, patch?: Partial<Edition>): Promise<Edition | undefined>;
  /** The most recent edition of this kind and frequency that started sending and reached somebody, excluding
   *  `exceptId` ("new since the last edition" counts from it). */
  lastStarted(kind: Edition['kind'], frequency: Edition['frequency'], exceptId?: string): Promise<Edition | undefined>;
  list(limit: number): Promise<Edition[]>;
  /** Every edition in one of these states (few at a time: the recovery sweep's look for unfinished work). */
  listInStates(states: EditionState[]): Promise<Edition[]>;
  /** Recipients by delivery status, moved one recipient at a time as the ledger settles each; `lastActivityAt` is
   *  when a delivery of the edition last changed status (claimed or settled), if ever. */
  counts(id: string): Promise<RecordedCounts & { lastActivityAt?: string }>;
  /** Bounce and complaint counts of an edition (fed by the SES feedback handler). */
  feedback(editionId: string): Promise<{ bounces: number; complaints: number }>;
}

/** A send under way: its plan, its compiled content groups and its chunks (finished, in doubt, parked). */
export interface SendProgress {
  putGroup(editionId: string, group: ContentGroup): Promise<void>;
  getGroup(editionId: string, key: string): Promise<ContentGroup | undefined>;

  planProgress(editionId: string): Promise<PlanProgress>;
  /** Records one planned page of one shard: idempotent by (shard, page) so a re-run never double counts. */
  recordPlannedPage(editionId: string, page: { shard: number; page: number; planned: number; skipped: number; chunks: number; cursor?: string; done: boolean }): Promise<void>;
  completePlan(editionId: string, totalChunks: number): Promise<void>;

  /** Keeps chunks about to be enqueued until they finish (so a lost one can be enqueued again). */
  openChunks(messages: ChunkMessage[]): Promise<void>;
  /** Chunks enqueued and not finished. */
  listOpenChunks(editionId: string): Promise<ChunkMessage[]>;
  /** Records that a chunk has settled every recipient (idempotent by chunk id; the counts moved per recipient). */
  finishChunk(editionId: string, chunkId: string): Promise<void>;
  /** A chunk the queue gave up on (its last receive ended unfinished): kept, with its recipients, until the sweep or
   *  a redrive enqueues it again (clearDeadLetter) or it finishes. */
  recordDeadLetter(message: ChunkMessage, at: Date): Promise<void>;
  listDeadLetters(editionId: string): Promise<ChunkMessage[]>;
  clearDeadLetter(editionId: string, chunkId: string): Promise<void>;
  /** sending → sent once the plan is complete and every planned chunk has finished. */
  tryComplete(editionId: string, now: Date): Promise<boolean>;

  /** A paused edition's chunk, kept until resume. */
  park(message: ChunkMessage): Promise<void>;
  /** Removes a parked chunk; true if this caller removed it. */
  unpark(editionId: string, chunkId: string): Promise<boolean>;
  listParked(editionId: string): Promise<ChunkMessage[]>;
}

/** One row per edition × subscriber: the claim written before SES is called, and how it settled. Every change of
 *  status moves the edition's counts with it (claimed = in doubt; sent, failed, suppressed), exactly once. */
export interface DeliveryLedger {
  /** Conditional put: succeeds when no row exists or the row was released. Otherwise returns the row. */
  claim(editionId: string, subscriberId: string, token: string, now: Date): Promise<{ claimed: true } | { claimed: false; existing: Delivery }>;
  /** Takes over a claim in doubt (conditional on its token). */
  reclaim(editionId: string, subscriberId: string, oldToken: string, newToken: string, now: Date): Promise<boolean>;
  /** claimed → sent, conditional on the token. */
  markSent(editionId: string, subscriberId: string, token: string, messageId: string, now: Date): Promise<boolean>;
  /** claimed → released (SES did not accept; a later attempt may claim again). */
  release(editionId: string, subscriberId: string, token: string): Promise<void>;
  /** claimed → failed (SES refused for good), conditional on the token. */
  markFailed(editionId: string, subscriberId: string, token: string, reason: string, now: Date): Promise<void>;
  /** No row (or released, or claimed with `claimToken`) → suppressed. Returns the row that stands afterwards. */
  markSuppressed(editionId: string, subscriberId: string, reason: string, now: Date, claimToken?: string): Promise<Delivery>;
  listDeliveries(editionId: string): Promise<Delivery[]>;
}

/** The three together, as the adapter builds them once. */
export interface EditionStores {
  editions: EditionRepository;
  progress: SendProgress;
  deliveries: DeliveryLedger;
}

export interface SendEvidence {
  /** Which of these subscribers SES accepted a message for in this edition, with its message id. */
  accepted(editionId: string, subscriberIds: readonly string[], since: Date): Promise<Map<string, string>>;
}

export interface ChunkQueue {
  enqueue(messages: ChunkMessage[]): Promise<void>;
}
