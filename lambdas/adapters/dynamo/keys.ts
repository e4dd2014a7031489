// Every access pattern of the single table, named in one place (as listmonk keeps its queries in one folder).
// A repository builds keys only through these functions; nothing else spells `pk`/`sk` strings.
//
// Feed scopes use one index row per scope an item belongs to (all, each country, each topic, each country×topic)
// rather than a GSI, because a GSI gives an item one partition key while an item sits in up to ~20 scopes. Index rows
// hold only the item id and its publish time; readers BatchGet the items they page to.
import { createHash } from 'node:crypto';

const sha = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 40);

export const keys = {
  // Items
  item: (itemId: string) => ({ pk: `ITEM#${itemId}`, sk: 'ITEM' }),
  /** Item by source GUID: names the item first made from (source, GUID), so a later change of its link still finds
   *  it. (Dedupe by canonical link needs no row: an item's id derives from its link.) */
  itemGuidClaim: (sourceId: string, guid: string) => ({ pk: `GUID#${sha(`${sourceId}\u0000${guid}`)}`, sk: 'GUID' }),
  /** Latest N items per feed scope: pk per scope, sk orders by publish time then id. */
  scopeIndex: (scope: string, publishedAt: string, itemId: string) => ({ pk: `SCOPE#${scope}`, sk: `${publishedAt}#${itemId}` }),
  scopePartition: (scope: string) => `SCOPE#${scope}`,
  /** A small head record per scope (ETag, last change) that lets a 304 be answered without reading items. */
  scopeHead: (scope: string) => ({ pk: `HEAD#${scope}`, sk: 'HEAD' }),

  // Sources
  source: (sourceId: string) => ({ pk: 'SOURCE', sk: sourceId }),
  sourcePartition: 'SOURCE',

  // Taxonomy: a few dozen rows (countries, topics, and removed ones kept for their feeds' 410 or 301) in one small
  // partition, read whole by each process at most every TAXONOMY_CACHE_MS.
  taxonomyEntry: (kind: string, key: string) => ({ pk: 'TAXONOMY', sk: `${kind}#${key}` }),
  taxonomyPartition: 'TAXONOMY',

  // Subscribers
  subscriber: (subscriberId: string) => ({ pk: `SUB#${subscriberId}`, sk: 'SUB' }),
  /** Unique, case-folded email: the claim row is written in the same transaction as the subscriber. */
  subscriberEmail: (foldedEmail: string) => ({ pk: `EMAIL#${sha(foldedEmail)}`, sk: 'EMAIL' }),
  /** Confirmed subscribers, spread over shards so a send can page them in parallel segments (gsi1v2, sparse). */
  confirmedShard: (shard: number, subscriberId: string) => ({ gsi1pk: `CONFIRMED#${shard}`, gsi1sk: subscriberId }),
  confirmedShardPartition: (shard: number) => `CONFIRMED#${shard}`,
  /** All subscribers (any status) for the editor's list and export (gsi1v2). */
  subscriberListing: (createdAt: string, subscriberId: string) => ({ gsi1pk: 'SUBSCRIBERS', gsi1sk: `${createdAt}#${subscriberId}` }),
  subscriberListingPartition: 'SUBSCRIBERS',
  /** Fixed-window counters for rate limits (confirmation emails per address, subscribes per IP), expiring by TTL. */
  rateCounter: (bucket: string, window: string) => ({ pk: `RATE#${sha(bucket)}`, sk: window }),
  /** An editor's console session, until it ends (sign-out) or expires (TTL): a cookie whose row is gone is refused. */
  editorSession: (sessionId: string) => ({ pk: `EDSESSION#${sha(sessionId)}`, sk: 'EDSESSION' }),
  /** Suppression by email: keyed by a salted hash so an erased address can be recognised but not read back. */
  suppression: (emailHash: string) => ({ pk: `SUPPRESS#${emailHash}`, sk: 'SUPPRESS' }),
  suppressionListing: (at: string, emailHash: string) => ({ gsi1pk: 'SUPPRESSIONS', gsi1sk: `${at}#${emailHash}` }),
  suppressionListingPartition: 'SUPPRESSIONS',
  /** The random per-table salt of suppression hashes (created once, with a conditional put). */
  suppressionSalt: { pk: 'META#SUPPRESSION_SALT', sk: 'META' },

  // Editions (campaigns)
  edition: (editionId: string) => ({ pk: `EDITION#${editionId}`, sk: 'EDITION' }),
  /** One of an edition's counter shards (recipients by delivery status), each its own partition so no row is hot. */
  editionCounts: (editionId: string, shard: number) => ({ pk: `EDITION#${editionId}#COUNTS#${shard}`, sk: 'COUNTS' }),
  editionListing: (createdAt: string, editionId: string) => ({ gsi1pk: 'EDITIONS', gsi1sk: `${createdAt}#${editionId}` }),
  editionListingPartition: 'EDITIONS',
  /** Compiled content group of an edition (HTML/text with merge fields), written once by the planner: this head row
   *  names the stored version and its part count; the parts hold the compressed group (editions.ts). */
  editionContent: (editionId: string, groupKey: string) => ({ pk: `EDITION#${editionId}`, sk: `CONTENT#${groupKey}` }),
  editionContentPart: (editionId: string, groupKey: string, version: string, part: number) => ({
    pk: `EDITION#${editionId}`,
    sk: `CONTENT#${groupKey}#${version}#${String(part).padStart(4, '0')}`,
  }),
  /** A chunk of recipients held while its edition is paused; re-enqueued on resume. */
  editionParked: (editionId: string, chunkId: string) => ({ pk: `EDITION#${editionId}`, sk: `PARKED#${chunkId}` }),
  editionParkedPrefix: 'PARKED#',
  /** A chunk enqueued and not yet finished (deleted when it finishes): what the recovery sweep enqueues again. Spread
   *  over `openChunkShards` partitions: the planner writes ten per page of each of its 16 parallel shards, a burst one
   *  partition could not take. */
  editionOpenChunk: (editionId: string, chunkId: string) => ({ pk: `EDITION#${editionId}#CHUNKS#${shardOf(chunkId, openChunkShards)}`, sk: `CHUNK#${chunkId}` }),
  editionOpenChunkPartition: (editionId: string, shard: number) => `EDITION#${editionId}#CHUNKS#${shard}`,
  /** A chunk the send queue dead-lettered, until it is enqueued again or finishes (few: read by GET /api/editions/{id}). */
  editionDeadChunk: (editionId: string, chunkId: string) => ({ pk: `EDITION#${editionId}`, sk: `DEAD#${chunkId}` }),
  editionDeadChunkPrefix: 'DEAD#',
  /** A finished chunk: counted once however often it finishes (a redelivery, a page planned again after a crash). */
  editionDoneChunk: (editionId: string, chunkId: string) => ({ pk: `EDITION#${editionId}`, sk: `DONE#${chunkId}` }),
  /** A planned page of a shard (`<shard>:<page>`): its counts are added once, in the transaction that writes it. */
  editionPlannedPage: (editionId: string, pageId: string) => ({ pk: `EDITION#${editionId}`, sk: `PAGE#${pageId}` }),
  /** One bounce or complaint of one subscriber for one edition, counted once however often SNS delivers it. */
  editionFeedback: (editionId: string, kind: string, subscriberId: string) => ({ pk: `EDITION#${editionId}`, sk: `FEEDBACK#${kind}#${subscriberId}` }),
  /** Delivery by edition × subscriber: the conditional claim written before SES is called (never twice). */
  delivery: (editionId: string, subscriberId: string) => ({ pk: `DELIVERY#${editionId}#${subscriberId}`, sk: 'DELIVERY' }),
  /** Deliveries of one edition, for reconciliation and stats (gsi1v2), spread over `deliveryListingShards` keys by a
   *  hash of the subscriber: one key would take every delivery's index write (1,000/s at 1,000 msg/s). */
  deliveryListing: (editionId: string, subscriberId: string) => ({ gsi1pk: `DELIVERIES#${editionId}#${shardOf(subscriberId, deliveryListingShards)}`, gsi1sk: subscriberId }),
  deliveryListingPartition: (editionId: string, shard: number) => `DELIVERIES#${editionId}#${shard}`,

  // Analytics (aggregates only: nothing here names a subscriber)
  /** One of an edition's engagement counter shards (clicks, opens, sends per segment): its own partition, never hot. */
  editionStats: (editionId: string, shard: number) => ({ pk: `STATS#${editionId}#${shard}`, sk: 'STATS' }),
  /** The edition's random salt for "unique" hashes, expiring (TTL) with its counting window. */
  editionStatsSalt: (editionId: string) => ({ pk: `STATSSALT#${editionId}`, sk: 'SALT' }),
  /** A salted hash seen once in an edition's counting window (TTL); the hash's first characters spread the rows. */
  editionStatsSeen: (editionId: string, hash: string) => ({ pk: `SEEN#${editionId}#${hash.slice(0, 2)}`, sk: hash }),
  /** Subscriber changes of one UTC day, on one of a few shards (sk `<yyyy-mm-dd>#<shard>`, so a range query reads days). */
  subscriberDay: (day: string, shard: number) => ({ pk: 'SUBSTATS', sk: `${day}#${shard}` }),
  subscriberDayPartition: 'SUBSTATS',
} as const;

/** Partitions of an edition's open chunks. */
export const openChunkShards = 16;

/** Shards of an edition's delivery listing: ~60 index writes/s each at 1,000 msg/s. */
export const deliveryListingShards = 16;

/** A stable shard of an id (FNV-1a): the same id always lands on the same shard. */
export function shardOf(id: string, shards: number): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
}

/** The partition keys of each concern's rows, as patterns (`*` any text): what an IAM `dynamodb:LeadingKeys` condition
 *  names, so each function's role may touch only the rows of the concerns it serves. */
export const partitionPatterns = {
  /** Items and their feed-scope index rows. */
  items: ['ITEM#*', 'SCOPE#*'],
  /** What ingest and the editor write beside an item: its source-GUID claim, the scopes' head records. */
  itemGuids: ['GUID#*'],
  scopeHeads: ['HEAD#*'],
  sources: [keys.sourcePartition],
  subscribers: ['SUB#*'],
  /** The unique address claims (and the editor's subscriber listing on them). */
  addresses: ['EMAIL#*'],
  suppression: ['SUPPRESS#*', keys.suppressionSalt.pk],
  rateCounters: ['RATE#*'],
  editorSessions: ['EDSESSION#*'],
  /** The edition, its progress rows and its counter shards (`EDITION#<id>#COUNTS#<k>`). */
  editions: ['EDITION#*'],
  deliveries: ['DELIVERY#*'],
  /** Countries and topics (one small partition). */
  taxonomy: [keys.taxonomyPartition],
  /** Engagement aggregates (counter shards), and what decides "unique" (the edition's salt, the seen hashes), and the
   *  subscriber day counters: nothing here names a person. */
  engagementCounts: ['STATS#*'],
  engagementUnique: ['STATSSALT#*', 'SEEN#*'],
  subscriberStats: [keys.subscriberDayPartition],
} as const satisfies Record<string, readonly string[]>;

export { sha as keyHash };
