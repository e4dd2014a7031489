// Editions, their send progress (plan, content groups, chunks, parked chunks) and deliveries on the single table.
//
// Rows:  EDITION#<id>/EDITION          the edition, its counters and plan progress (gsi1v2 EDITIONS by creation time)
//        EDITION#<id>/CONTENT#<group>  a compiled content group (HTML and text with merge markers): its version and
//                                      part count; the parts CONTENT#<group>#<version>#<n> hold it brotli-compressed
//        EDITION#<id>/PARKED#<chunk>   a chunk held while the edition is paused
//        EDITION#<id>#CHUNKS#<n>/CHUNK#<chunk> a chunk enqueued and not finished (the recovery sweep enqueues these
//                                      again), n = hash(chunk) mod 16: the planner's burst of them spread out
//        EDITION#<id>/PAGE#<shard:page> a planned page (its counts were added)
//        EDITION#<id>/DONE#<chunk>     a finished chunk (counted in doneChunkCount)
//        EDITION#<id>/DEAD#<chunk>     a chunk the send queue dead-lettered, until enqueued again or finished
//        DELIVERY#<ed>#<sub>/DELIVERY  the delivery claim (gsi1v2 DELIVERIES#<ed>#<n>), written before SES is called
//
//        EDITION#<id>#COUNTS#<k>/COUNTS recipients by delivery status, k = hash(subscriber) mod 16, summed when read
//
// Counters are exact under retries, and the edition row stays the same size whatever the number of pages or chunks:
// a planned page adds its counts in the transaction that writes its PAGE row (only if absent), and a finished chunk
// adds one to `doneChunkCount` in the transaction that writes its DONE row (only if absent), so a replay adds nothing
// twice. Recipients are counted one by one: every change of a delivery row's status moves its
// counter shard in the same transaction, conditional on the row's state, so a replayed change counts nothing.
import { createHash } from 'node:crypto';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Edition, RecordedCounts } from '../../core/editions/model.js';
import { conflict } from '../../core/shared/errors.js';
import type { ChunkMessage, Delivery, DeliveryLedger, EditionRepository, EditionStores, PlanProgress, SendEvidence, SendProgress, SubscriberSource } from '../../core/editions/ports.js';
import type { ContentGroup } from '../../core/editions/newsletter.js';
import type { Subscriber, SubscriberPage } from '../../core/subscriptions/model.js';
import { deliveryListingShards, keys, openChunkShards, shardOf } from './keys.js';
import { listingIndex } from './table.js';
import { batchGetAll, batchWriteAll } from './batch.js';
import { applied, isConditionFailure, putNew, queryAll as queryAllRows, rowBefore, rowsBehind, transactionApplied, withoutKeys } from './repository.js';

/** Delivery rows are kept for this long (then expire by TTL). */
const deliveryRetentionSeconds = 180 * 24 * 3600;
/** The bytes of one stored part of a compressed content group: with its keys, a row under 10 KB. */
const contentPartBytes = 9 * 1024;

/** What every write that creates a delivery row sets besides its status: who it is for, its listing, its expiry. */
function deliveryRowFields(editionId: string, subscriberId: string, now: Date) {
  const listing = keys.deliveryListing(editionId, subscriberId);
  return {
    set: 'editionId = :e, subscriberId = :s, gsi1pk = :gpk, gsi1sk = :gsk, expiresAt = :exp',
    values: { ':e': editionId, ':s': subscriberId, ':gpk': listing.gsi1pk, ':gsk': listing.gsi1sk, ':exp': Math.floor(now.getTime() / 1000) + deliveryRetentionSeconds },
  };
}

const editionFields = [
  'kind',
  'frequency',
  'subject',
  'intro',
  'translations',
  'selection',
  'audience',
  'state',
  'createdAt',
  'updatedAt',
  'scheduledAt',
  'sendStartedAt',
  'completedAt',
  'pausedReason',
  'reachedNobody',
  'resolvedItemIds',
] as const satisfies ReadonlyArray<keyof Edition>;

function toEdition(row: Record<string, unknown>): Edition {
  const edition: Record<string, unknown> = { id: row.id, version: row.version };
  for (const f of editionFields) if (row[f] !== undefined) edition[f] = row[f];
  return edition as unknown as Edition;
}

function toDelivery(row: Record<string, unknown>): Delivery {
  return {
    editionId: String(row.editionId),
    subscriberId: String(row.subscriberId),
    status: row.status as Delivery['status'],
    claimToken: row.claimToken as string | undefined,
    claimedAt: row.claimedAt as string | undefined,
    attempts: Number(row.attempts ?? 0),
    messageId: row.messageId as string | undefined,
    settledAt: row.settledAt as string | undefined,
    reason: row.reason as string | undefined,
  };
}

/** Counter shards per edition: enough that concurrent senders rarely meet on one row. */
export const countShards = 16;
const countShardOf = (subscriberId: string) => shardOf(subscriberId, countShards);
type CountDelta = Partial<Record<'sent' | 'suppressed' | 'failed' | 'inDoubt', number>>;

/** Builds `SET a = :a, ... REMOVE b` for the edition fields of `patch`. */
function fieldUpdates(patch: Partial<Edition>, names: Record<string, string>, values: Record<string, unknown>) {
  const sets: string[] = [];
  const removes: string[] = [];
  for (const f of editionFields) {
    if (!(f in patch)) continue;
    names[`#${f}`] = f;
    const value = patch[f];
    if (value === undefined) removes.push(`#${f}`);
    else {
      values[`:${f}`] = value;
      sets.push(`#${f} = :${f}`);
    }
  }
  return { sets, removes };
}

export type DynamoEditionRepository = EditionRepository & {
  /** Counts a bounce or complaint, for the SES feedback handler. With the subscriber (from the message's tags) it
   *  counts once per subscriber, however often SNS delivers the same event. */
  recordFeedback(editionId: string, kind: 'bounce' | 'complaint', subscriberId?: string): Promise<void>;
};

export type DynamoDeliveryLedger = DeliveryLedger & {
  /** The SES event handler calls this for a Send event tagged with edition and subscriber (reconciliation evidence). */
  recordAccepted(editionId: string, subscriberId: string, messageId: string): Promise<void>;
};

export interface DynamoEditionStores extends EditionStores {
  editions: DynamoEditionRepository;
  deliveries: DynamoDeliveryLedger;
}

/** The editions' stores on the table: editions, their send progress (plan, content groups, chunks), deliveries. */
export function createEditionStores(doc: DynamoDBDocumentClient, tableName: string): DynamoEditionStores {
  const TableName = tableName;
  const editionKey = (id: string) => keys.edition(id);

  async function update(input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName'>): Promise<Record<string, unknown> | undefined> {
    try {
      const out = await doc.send(new UpdateCommand({ TableName, ...input }));
      return (out.Attributes as Record<string, unknown> | undefined) ?? {};
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  const queryAll = (input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) => queryAllRows(doc, { TableName, ...input });

  /** One page of the edition listing's index rows (only the attributes the index projects), newest first. */
  async function listing(page: { Limit?: number; ExclusiveStartKey?: Record<string, unknown> }) {
    const out = await doc.send(
      new QueryCommand({
        TableName,
        IndexName: listingIndex,
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': keys.editionListingPartition },
        ScanIndexForward: false,
        ...page,
      }),
    );
    return { rows: (out.Items as Record<string, unknown>[] | undefined) ?? [], next: out.LastEvaluatedKey as Record<string, unknown> | undefined };
  }

  const wholeEditions = async (indexRows: Record<string, unknown>[]) => (await rowsBehind(doc, TableName, indexRows)).map(toEdition);

  /** The chunk messages kept in one partition under one prefix (open chunks, parked chunks). */
  async function chunkMessages(partition: string, prefix: string): Promise<ChunkMessage[]> {
    const rows = await queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': partition, ':prefix': prefix },
      ConsistentRead: true,
    });
    return rows.map((r) => JSON.parse(String(r.message)) as ChunkMessage);
  }

  const editions: DynamoEditionRepository = {
    async create(edition) {
      return putNew(doc.send(
        new PutCommand({
          TableName,
          Item: {
            ...editionKey(edition.id),
            ...keys.editionListing(edition.createdAt, edition.id),
            type: 'edition',
            ...edition,
            plannedCount: 0,
            skippedCount: 0,
            bounces: 0,
            complaints: 0,
            planShards: {},
            planComplete: false,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ));
    },

    async get(id) {
      const out = await doc.send(new GetCommand({ TableName, Key: editionKey(id), ConsistentRead: true }));
      return out.Item ? toEdition(out.Item) : undefined;
    },

    async save(next, expectedVersion) {
      const names: Record<string, string> = { '#version': 'version' };
      const values: Record<string, unknown> = { ':expected': expectedVersion, ':one': 1 };
      const { sets, removes } = fieldUpdates(next, names, values);
      const out = await update({
        Key: editionKey(next.id),
        UpdateExpression: `SET ${[...sets, '#version = #version + :one'].join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: '#version = :expected',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      if (!out) throw conflict('edition.changed', 'The edition changed meanwhile; reload it and try again.');
      return toEdition(out);
    },

    async transition(id, from, to, patch = {}) {
      const names: Record<string, string> = { '#state': 'state', '#version': 'version' };
      const values: Record<string, unknown> = { ':one': 1 };
      const { sets, removes } = fieldUpdates({ ...patch, state: to }, names, values);
      from.forEach((s, i) => (values[`:from${i}`] = s));
      const out = await update({
        Key: editionKey(id),
        UpdateExpression: `SET ${[...sets, '#version = #version + :one'].join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `#state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      return out ? toEdition(out) : undefined;
    },

    async lastStarted(kind, frequency, exceptId) {
      // Every page: the listing is ordered by creation, and an edition created earlier may have started later.
      const started: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await listing({ ExclusiveStartKey: start });
        started.push(...out.rows.filter((e) => (!exceptId || e.pk !== editionKey(exceptId).pk) && e.kind === kind && e.frequency === frequency && e.sendStartedAt));
        start = out.next;
      } while (start);
      started.sort((a, b) => (String(b.sendStartedAt) < String(a.sendStartedAt) ? -1 : 1));
      // One that reached nobody does not count: nobody received its items, so the next edition still carries them.
      for (const row of started) {
        const [edition] = await wholeEditions([row]);
        if (edition && !edition.reachedNobody) return edition;
      }
      return undefined;
    },

    async list(limit) {
      return wholeEditions((await listing({ Limit: limit })).rows);
    },

    async counts(id): Promise<RecordedCounts> {
      const [edition, ...shards] = await Promise.all([
        doc.send(new GetCommand({ TableName, Key: editionKey(id), ConsistentRead: true, ProjectionExpression: 'plannedCount, skippedCount' })),
        batchGetAll(doc, TableName, Array.from({ length: countShards }, (_, k) => keys.editionCounts(id, k)), { consistent: true }),
      ]);
      const sum = (field: string) => shards.flat().reduce((n, row) => n + Number(row[field] ?? 0), 0);
      const touched = shards.flat().map((row) => String(row.touchedAt ?? '')).filter(Boolean).sort().at(-1);
      return {
        ...(touched ? { lastActivityAt: touched } : {}),
        planned: Number(edition.Item?.plannedCount ?? 0),
        sent: sum('sent'),
        skipped: Number(edition.Item?.skippedCount ?? 0),
        suppressed: sum('suppressed'),
        failed: sum('failed'),
        inDoubt: sum('inDoubt'),
      };
    },

    async listInStates(states) {
      const rows = await queryAll({
        IndexName: listingIndex,
        KeyConditionExpression: 'gsi1pk = :p',
        FilterExpression: `#state IN (${states.map((_, i) => `:s${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':p': keys.editionListingPartition, ...Object.fromEntries(states.map((s, i) => [`:s${i}`, s])) },
      });
      return wholeEditions(rows);
    },

    async feedback(editionId) {
      const out = await doc.send(new GetCommand({ TableName, Key: editionKey(editionId), ProjectionExpression: 'bounces, complaints' }));
      return { bounces: Number(out.Item?.bounces ?? 0), complaints: Number(out.Item?.complaints ?? 0) };
    },

    async recordFeedback(editionId, kind, subscriberId) {
      const count = {
        TableName,
        Key: editionKey(editionId),
        UpdateExpression: `ADD ${kind === 'bounce' ? 'bounces' : 'complaints'} :one`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      };
      if (!subscriberId) {
        await update(count);
        return;
      }
      try {
        // The marker and the count in one transaction: a replayed event fails the marker's condition, counts nothing.
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName, Item: { ...keys.editionFeedback(editionId, kind, subscriberId), expiresAt: Math.floor(Date.now() / 1000) + deliveryRetentionSeconds }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Update: count },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error; // replayed, or an unknown edition
      }
    },
  };

  const progress: SendProgress = {
    // A group's HTML and text is as large as the newsletter (25 KB and more; up to Gmail's 102 KB clip): stored as one
    // row it would be the table's largest item, past the 10 KB every row is kept under. It is stored compressed (about
    // a tenth), in parts, each under a version drawn from its bytes; the head row naming the version goes last, so a
    // reader sees a whole group or none, and a planner run again (a new merge nonce, so other bytes) never mixes
    // its parts with an earlier run's.
    async putGroup(editionId, group) {
      const body = brotliCompressSync(JSON.stringify(group), { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 9 } });
      const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
      const parts = Math.max(1, Math.ceil(body.length / contentPartBytes));
      await batchWriteAll(
        doc,
        TableName,
        Array.from({ length: parts }, (_, n) => ({
          PutRequest: { Item: { ...keys.editionContentPart(editionId, group.key, version, n), type: 'contentPart', body: body.subarray(n * contentPartBytes, (n + 1) * contentPartBytes) } },
        })),
      );
      await doc.send(new PutCommand({ TableName, Item: { ...keys.editionContent(editionId, group.key), type: 'contentGroup', version, parts, bytes: body.length } }));
    },

    async getGroup(editionId, key) {
      const head = (await doc.send(new GetCommand({ TableName, Key: keys.editionContent(editionId, key), ConsistentRead: true }))).Item;
      if (!head) return undefined;
      const version = String(head.version);
      const count = Number(head.parts);
      const rows = await batchGetAll(doc, TableName, Array.from({ length: count }, (_, n) => keys.editionContentPart(editionId, key, version, n)), { consistent: true });
      if (rows.length !== count) throw new Error(`Content group ${key} of edition ${editionId}: ${rows.length} of its ${count} parts are stored.`);
      const body = Buffer.concat(rows.sort((a, b) => String(a.sk).localeCompare(String(b.sk))).map((row) => row.body as Uint8Array));
      const { key: k, language, itemIds, subject, html, text, mergeNonce, links } = JSON.parse(brotliDecompressSync(body).toString('utf8')) as ContentGroup;
      return { key: k, language, itemIds, subject, html, text, mergeNonce, ...(links ? { links } : {}) };
    },

    async planProgress(editionId): Promise<PlanProgress> {
      const out = await doc.send(new GetCommand({ TableName, Key: editionKey(editionId), ConsistentRead: true, ProjectionExpression: 'planShards, planComplete, totalChunks' }));
      return {
        shards: (out.Item?.planShards as PlanProgress['shards'] | undefined) ?? {},
        complete: out.Item?.planComplete === true,
        totalChunks: out.Item?.totalChunks as number | undefined,
      };
    },

    async recordPlannedPage(editionId, page) {
      const pageId = `${page.shard}:${page.page}`;
      const shard = { pages: page.page + 1, chunks: page.chunks, done: page.done, ...(page.cursor ? { cursor: page.cursor } : {}) };
      const shardName = { '#shard': String(page.shard) };
      const counted = await transactionApplied(() =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName, Item: { ...keys.editionPlannedPage(editionId, pageId), type: 'plannedPage' }, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName,
                  Key: editionKey(editionId),
                  UpdateExpression: 'ADD plannedCount :planned, skippedCount :skipped SET planShards.#shard = :progress',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeNames: shardName,
                  ExpressionAttributeValues: { ':planned': page.planned, ':skipped': page.skipped, ':progress': shard },
                },
              },
            ],
          }),
        ),
      );
      if (!counted) {
        // A replayed page: its counts are in; its shard's progress may still move on.
        await update({
          Key: editionKey(editionId),
          UpdateExpression: 'SET planShards.#shard = :progress',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: shardName,
          ExpressionAttributeValues: { ':progress': shard },
        });
      }
    },

    async completePlan(editionId, totalChunks) {
      await update({
        Key: editionKey(editionId),
        UpdateExpression: 'SET planComplete = :t, totalChunks = :n',
        ExpressionAttributeValues: { ':t': true, ':n': totalChunks },
      });
    },

    async openChunks(messages) {
      await batchWriteAll(doc, TableName, messages.map((m) => ({ PutRequest: { Item: { ...keys.editionOpenChunk(m.editionId, m.chunkId), type: 'openChunk', message: JSON.stringify(m) } } })));
    },

    async listOpenChunks(editionId) {
      const shards = Array.from({ length: openChunkShards }, (_, shard) => chunkMessages(keys.editionOpenChunkPartition(editionId, shard), 'CHUNK#'));
      return (await Promise.all(shards)).flat().sort((a, b) => (a.chunkId < b.chunkId ? -1 : 1)); // in chunk order, as one partition held them
    },

    async finishChunk(editionId, chunkId) {
      // Counted once per chunk id, by the call that writes its DONE row: a redelivered chunk, or one whose page was
      // planned again after a crash (its CHUNK row written anew), counts nothing more.
      await transactionApplied(() =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName, Item: { ...keys.editionDoneChunk(editionId, chunkId), type: 'doneChunk' }, ConditionExpression: 'attribute_not_exists(pk)' } },
              { Update: { TableName, Key: editionKey(editionId), UpdateExpression: 'ADD doneChunkCount :one', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':one': 1 } } },
            ],
          }),
        ),
      );
      // After the count: a crash in between leaves the CHUNK row, so the sweep enqueues it again and it finishes here.
      await doc.send(new DeleteCommand({ TableName, Key: keys.editionOpenChunk(editionId, chunkId) }));
      await doc.send(new DeleteCommand({ TableName, Key: keys.editionDeadChunk(editionId, chunkId) })); // finished after all
    },

    async recordDeadLetter(message, at) {
      await doc.send(new PutCommand({ TableName, Item: { ...keys.editionDeadChunk(message.editionId, message.chunkId), type: 'deadChunk', at: at.toISOString(), message: JSON.stringify(message) } }));
    },

    listDeadLetters: (editionId) => chunkMessages(editionKey(editionId).pk, keys.editionDeadChunkPrefix),

    async clearDeadLetter(editionId, chunkId) {
      await doc.send(new DeleteCommand({ TableName, Key: keys.editionDeadChunk(editionId, chunkId) }));
    },

    async tryComplete(editionId, now) {
      const out = await update({
        Key: editionKey(editionId),
        UpdateExpression: 'SET #state = :sent, completedAt = :now, updatedAt = :now, #version = #version + :one',
        ConditionExpression: '#state = :sending AND planComplete = :t AND (totalChunks = :zero OR doneChunkCount >= totalChunks)',
        ExpressionAttributeNames: { '#state': 'state', '#version': 'version' },
        ExpressionAttributeValues: { ':sent': 'sent', ':sending': 'sending', ':t': true, ':zero': 0, ':now': now.toISOString(), ':one': 1 },
      });
      return out !== undefined;
    },

    async park(message: ChunkMessage) {
      await doc.send(new PutCommand({ TableName, Item: { ...keys.editionParked(message.editionId, message.chunkId), type: 'parkedChunk', message: JSON.stringify(message) } }));
    },

    async unpark(editionId, chunkId) {
      return applied(doc.send(new DeleteCommand({ TableName, Key: keys.editionParked(editionId, chunkId), ConditionExpression: 'attribute_exists(pk)' })));
    },

    listParked: (editionId) => chunkMessages(editionKey(editionId).pk, keys.editionParkedPrefix),
  };

  type DeliveryUpdate = {
    Key: Record<string, unknown>;
    UpdateExpression: string;
    ConditionExpression: string;
    ExpressionAttributeNames: Record<string, string>;
    ExpressionAttributeValues: Record<string, unknown>;
  };

  /** A delivery row's status change and its counter shard's move in one transaction. Returns the row as it stood when
   *  the change's condition failed (`applied: false`). A conflict with a concurrent transaction is tried again. */
  async function changeStatus(editionId: string, subscriberId: string, change: DeliveryUpdate, delta: CountDelta): Promise<{ applied: true } | { applied: false; before?: Record<string, unknown> }> {
    const fields = Object.entries(delta).filter(([, n]) => n !== 0);
    const counter = {
      TableName,
      Key: keys.editionCounts(editionId, countShardOf(subscriberId)),
      UpdateExpression: `SET touchedAt = :touchedAt ADD ${fields.map(([f]) => `#${f} :${f}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(fields.map(([f]) => [`#${f}`, f])),
      ExpressionAttributeValues: { ...Object.fromEntries(fields.map(([f, n]) => [`:${f}`, n])), ':touchedAt': new Date().toISOString() },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await doc.send(new TransactWriteCommand({ TransactItems: [{ Update: { TableName, ...change, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } }, { Update: counter }] }));
        return { applied: true };
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [row] = error.CancellationReasons ?? [];
        if (row?.Code === 'ConditionalCheckFailed') return { applied: false, before: row.Item ? unmarshall(row.Item as Record<string, AttributeValue>) : undefined };
        const conflict = error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict');
        if (!conflict || attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 10));
      }
    }
  }

  /** Settles one of our claims (its token must still hold it): the new status, the fields it sets, the counts it moves. */
  function settleClaim(editionId: string, subscriberId: string, token: string, status: 'sent' | 'released' | 'failed', set: Record<string, string>, delta: CountDelta) {
    const fields = Object.keys(set);
    return changeStatus(
      editionId,
      subscriberId,
      {
        Key: keys.delivery(editionId, subscriberId),
        UpdateExpression: ['SET #status = :status', ...fields.map((f) => `#${f} = :${f}`)].join(', '),
        ConditionExpression: '#status = :claimed AND claimToken = :t',
        ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(fields.map((f) => [`#${f}`, f])) },
        ExpressionAttributeValues: { ':status': status, ':claimed': 'claimed', ':t': token, ...Object.fromEntries(fields.map((f) => [`:${f}`, set[f]])) },
      },
      delta,
    );
  }

  const deliveries: DynamoDeliveryLedger = {
    async claim(editionId, subscriberId, token, now) {
      const row = deliveryRowFields(editionId, subscriberId, now);
      const out = await changeStatus(
        editionId,
        subscriberId,
        {
          Key: keys.delivery(editionId, subscriberId),
          UpdateExpression: `SET #status = :claimed, claimToken = :token, claimedAt = :now, ${row.set} ADD attempts :one`,
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :released',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':released': 'released',
            ':token': token,
            ':now': now.toISOString(),
            ...row.values,
            ':one': 1,
          },
        },
        { inDoubt: 1 },
      );
      if (out.applied) return { claimed: true };
      if (out.before) return { claimed: false, existing: toDelivery(out.before) };
      const again = await doc.send(new GetCommand({ TableName, Key: keys.delivery(editionId, subscriberId), ConsistentRead: true }));
      return { claimed: false, existing: toDelivery(again.Item ?? { editionId, subscriberId, status: 'claimed' }) };
    },

    async reclaim(editionId, subscriberId, oldToken, newToken, now) {
      const out = await update({
        Key: keys.delivery(editionId, subscriberId),
        UpdateExpression: 'SET claimToken = :new, claimedAt = :now ADD attempts :one',
        ConditionExpression: '#status = :claimed AND claimToken = :old',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':new': newToken, ':old': oldToken, ':claimed': 'claimed', ':now': now.toISOString(), ':one': 1 },
      });
      return out !== undefined;
    },

    async markSent(editionId, subscriberId, token, messageId, now) {
      return (await settleClaim(editionId, subscriberId, token, 'sent', { messageId, settledAt: now.toISOString() }, { inDoubt: -1, sent: 1 })).applied;
    },

    async release(editionId, subscriberId, token) {
      await settleClaim(editionId, subscriberId, token, 'released', {}, { inDoubt: -1 });
    },

    async markFailed(editionId, subscriberId, token, reason, now) {
      await settleClaim(editionId, subscriberId, token, 'failed', { reason, settledAt: now.toISOString() }, { inDoubt: -1, failed: 1 });
    },

    async markSuppressed(editionId, subscriberId, reason, now, claimToken) {
      const row = deliveryRowFields(editionId, subscriberId, now);
      const suppress = (condition: string, extra: Record<string, unknown>): DeliveryUpdate => ({
        Key: keys.delivery(editionId, subscriberId),
        UpdateExpression: `SET #status = :suppressed, reason = :r, settledAt = :now, ${row.set}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':suppressed': 'suppressed',
          ':r': reason,
          ':now': now.toISOString(),
          ...row.values,
          ...extra,
        },
      });
      const settled = { editionId, subscriberId, status: 'suppressed', reason, settledAt: now.toISOString(), attempts: 0 };
      // Two changes, two counts: a claim of ours (was in doubt) or no row / a released one (was queued).
      if (claimToken) {
        const out = await changeStatus(editionId, subscriberId, suppress('#status = :claimed AND claimToken = :t', { ':claimed': 'claimed', ':t': claimToken }), { inDoubt: -1, suppressed: 1 });
        if (out.applied) return toDelivery(settled);
      }
      const out = await changeStatus(editionId, subscriberId, suppress('attribute_not_exists(pk) OR #status = :released', { ':released': 'released' }), { suppressed: 1 });
      if (out.applied) return toDelivery(settled);
      if (out.before) return toDelivery(out.before);
      const again = await doc.send(new GetCommand({ TableName, Key: keys.delivery(editionId, subscriberId), ConsistentRead: true }));
      return toDelivery(again.Item ?? { editionId, subscriberId, status: 'claimed' });
    },

    async listDeliveries(editionId) {
      const shards = await Promise.all(
        Array.from({ length: deliveryListingShards }, (_, shard) =>
          queryAll({ IndexName: listingIndex, KeyConditionExpression: 'gsi1pk = :p', ExpressionAttributeValues: { ':p': keys.deliveryListingPartition(editionId, shard) } }),
        ),
      );
      // By subscriber, as one partition listed them.
      const indexRows = shards.flat().sort((a, b) => (String(a.gsi1sk) < String(b.gsi1sk) ? -1 : 1));
      return (await rowsBehind(doc, TableName, indexRows)).map(toDelivery);
    },

    async recordAccepted(editionId, subscriberId, messageId) {
      await update({
        Key: keys.delivery(editionId, subscriberId),
        UpdateExpression: 'SET acceptedMessageId = :m',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':m': messageId },
      });
    },
  };

  return { editions, progress, deliveries };
}

/** Evidence of acceptance in AWS: SES Send events (tagged with edition and subscriber) recorded on the delivery row
 *  by the SES event handler through `recordAccepted`. */
export function createDynamoSendEvidence(doc: DynamoDBDocumentClient, tableName: string): SendEvidence {
  return {
    async accepted(editionId, subscriberIds) {
      const found = new Map<string, string>();
      // Every key is read (unprocessed ones retried): a key dropped here would look "not accepted" and be resent.
      for (const row of await batchGetAll(doc, tableName, subscriberIds.map((s) => keys.delivery(editionId, s)), { consistent: true })) {
        if (typeof row.acceptedMessageId === 'string') found.set(String(row.subscriberId), row.acceptedMessageId);
      }
      return found;
    },
  };
}

/** The send pipeline's view of subscribers: the subscriptions repository for shards and suppression, plus a BatchGet
 *  of current records (read again at send time). */
export function createSubscriberSource(
  doc: DynamoDBDocumentClient,
  tableName: string,
  repo: {
    listConfirmedShard(shard: number, cursor?: string, limit?: number): Promise<SubscriberPage>;
    isSuppressed(email: string): Promise<boolean>;
  },
  options: { pageSize?: number } = {},
): SubscriberSource {
  return {
    listConfirmedShard: (shard, cursor) => repo.listConfirmedShard(shard, cursor, options.pageSize ?? 500),
    isSuppressed: (email) => repo.isSuppressed(email),
    async getMany(ids) {
      const out = new Map<string, Subscriber>();
      for (const row of await batchGetAll(doc, tableName, [...new Set(ids)].map((id) => keys.subscriber(id)), { consistent: true })) {
        const record = withoutKeys(row, 'kind');
        out.set(String(record.id), record as unknown as Subscriber);
      }
      return out;
    },
  };
}

/** The newsletters' consumer of SES event summaries (`onSummaries` of the SES feedback handler): a Send event tagged
 *  with edition and subscriber becomes reconciliation evidence on the delivery row; hard bounces and complaints count
 *  toward the edition's pause thresholds. SNS may deliver an event twice: the counts are for a rate threshold, and a
 *  duplicate only makes the pause a little earlier. */
export function editionFeedbackConsumer(stores: { editions: Pick<DynamoEditionRepository, 'recordFeedback'>; deliveries: Pick<DynamoDeliveryLedger, 'recordAccepted'> }) {
  return async (summaries: ReadonlyArray<{ type: string; tags: Record<string, string>; messageId?: string; permanent?: boolean }>): Promise<void> => {
    for (const s of summaries) {
      const editionId = s.tags.edition;
      if (!editionId) continue;
      if (s.type === 'Send' && s.tags.subscriber && s.messageId) await stores.deliveries.recordAccepted(editionId, s.tags.subscriber, s.messageId);
      else if (s.type === 'Bounce' && s.permanent) await stores.editions.recordFeedback(editionId, 'bounce', s.tags.subscriber);
      else if (s.type === 'Complaint') await stores.editions.recordFeedback(editionId, 'complaint', s.tags.subscriber);
    }
  };
}
