// Subscribers, their unique email claims, the suppression list, rate counters and consent, on the single table.
//
// Rows:  SUB#<id>/SUB             the subscriber (gsi1v2 CONFIRMED#<shard> only while confirmed and not paused)
//        EMAIL#<sha>/EMAIL        the unique, case-folded address claim (gsi1v2 SUBSCRIBERS: the editor's listing)
//        SUPPRESS#<salted hash>   the suppression list (gsi1v2 SUPPRESSIONS)
//        RATE#<sha>/<window|slot> rate counters, expiring by TTL
// Every "exactly one" rule is a conditional write or a transaction.
import { createHash, randomBytes } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { keys } from './keys.js';
import { listingIndex } from './table.js';
import { foldEmail, suppressionHash } from '../../core/subscriptions/links.js';
import { confirmedShardCount, selfLiftable, type ConsentProof, type Preferences, type Subscriber, type SubscriberPage, type SubscriberRecord, type SubscriberStore, type SuppressionLift, type SuppressionReason } from '../../core/subscriptions/model.js';
import { batchGetAll } from './batch.js';
import { applied, createCursorCodec, decodeStartKey, encodeStartKey, isConditionFailure, openStartKey, rowsBehind, sealStartKey, withoutKeys, type CursorCodec, type Row } from './repository.js';


export function confirmedShardOf(subscriberId: string): number {
  return Number.parseInt(createHash('sha256').update(subscriberId).digest('hex').slice(0, 8), 16) % confirmedShardCount;
}

function fromRow(row: Row | undefined): SubscriberRecord | undefined {
  if (!row) return undefined;
  const record = withoutKeys(row, 'kind');
  if (record.confirmNonces instanceof Set) record.confirmNonces = [...record.confirmNonces];
  return record as unknown as SubscriberRecord;
}

function toRow(record: SubscriberRecord) {
  const listed = record.status === 'confirmed' && !record.paused;
  return {
    ...record,
    ...keys.subscriber(record.id),
    kind: 'subscriber',
    ...(listed ? keys.confirmedShard(confirmedShardOf(record.id), record.id) : {}),
  };
}

export function createSubscriberRepo(doc: DynamoDBDocumentClient, tableName: string, cursors: CursorCodec = createCursorCodec(undefined)) {
  const TableName = tableName;
  let saltPromise: Promise<string> | undefined;

  async function loadSalt(): Promise<string> {
    const key = keys.suppressionSalt;
    const found = await doc.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }));
    if (typeof found.Item?.salt === 'string') return found.Item.salt;
    const salt = randomBytes(32).toString('hex');
    try {
      await doc.send(new PutCommand({ TableName, Item: { ...key, salt }, ConditionExpression: 'attribute_not_exists(pk)' }));
      return salt;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const again = await doc.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }));
      return String(again.Item?.salt);
    }
  }
  const salt = () => {
    saltPromise ??= loadSalt().catch((error: unknown) => {
      saltPromise = undefined;
      throw error;
    });
    return saltPromise;
  };
  const suppressionKeyOf = async (email: string) => keys.suppression(suppressionHash(email, await salt()));

  async function get(id: string, consistent = true): Promise<SubscriberRecord | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.subscriber(id), ConsistentRead: consistent }));
    return fromRow(out.Item);
  }

  async function claimOf(email: string, consistent = true): Promise<string | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.subscriberEmail(foldEmail(email)), ConsistentRead: consistent }));
    return typeof out.Item?.subscriberId === 'string' ? out.Item.subscriberId : undefined;
  }

  async function findByEmail(email: string, consistent = true): Promise<SubscriberRecord | undefined> {
    const id = await claimOf(email, consistent);
    return id ? get(id, consistent) : undefined;
  }

  /** A suppression row stays after an editor lifts it (with who, when, why); only one without `lifted` counts. */
  async function suppressionOf(email: string): Promise<{ reason: SuppressionReason; at: string } | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: await suppressionKeyOf(email), ConsistentRead: true }));
    if (!out.Item || out.Item.lifted) return undefined;
    return { reason: out.Item.reason as SuppressionReason, at: String(out.Item.at) };
  }

  const isSuppressed = async (email: string) => (await suppressionOf(email)) !== undefined;

  const slotKey = (email: string, slot: number) => keys.rateCounter(`confirm:${foldEmail(email)}`, `slot#${slot}`);

  const repo = {
    get,
    findByEmail,
    isSuppressed,
    suppressionOf,

    async liftSuppression(email: string, lift: SuppressionLift): Promise<SuppressionReason | undefined> {
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: await suppressionKeyOf(email),
            // Out of the editor's suppression listing; the row keeps the lift as its record.
            UpdateExpression: 'SET lifted = :lift REMOVE gsi1pk, gsi1sk',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(lifted)',
            ExpressionAttributeValues: { ':lift': lift },
            ReturnValues: 'ALL_OLD',
          }),
        );
        return out.Attributes?.reason as SuppressionReason | undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async create(record: SubscriberRecord): Promise<'created' | 'exists'> {
      for (let attempt = 0; ; attempt++) {
        try {
          await doc.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName, Item: toRow(record), ConditionExpression: 'attribute_not_exists(pk)' } },
                {
                  Put: {
                    TableName,
                    Item: {
                      ...keys.subscriberEmail(record.email),
                      kind: 'emailClaim',
                      subscriberId: record.id,
                      ...keys.subscriberListing(record.createdAt, record.id),
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          );
          return 'created';
        } catch (error) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          if (await claimOf(record.email)) return 'exists';
          // A conflicting transaction in flight (TransactionConflict): try again shortly.
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40));
        }
      }
    },

    async save(record: SubscriberRecord): Promise<boolean> {
      return applied(doc.send(
        new PutCommand({
          TableName,
          Item: toRow(record),
          ConditionExpression: 'attribute_exists(pk) AND #version = :previous',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':previous': record.version - 1 },
        }),
      ));
    },

    async updatePending(id: string, prefs: Preferences, requested: ConsentProof, now: Date): Promise<boolean> {
      return applied(doc.send(
        new UpdateCommand({
          TableName,
          Key: keys.subscriber(id),
          UpdateExpression:
            'SET countries = :countries, topics = :topics, #language = :language, frequency = :frequency, #consent.requested = :requested, updatedAt = :now ADD #version :one',
          ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
          ExpressionAttributeNames: { '#language': 'language', '#consent': 'consent', '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: {
            ':countries': prefs.countries,
            ':topics': prefs.topics,
            ':language': prefs.language,
            ':frequency': prefs.frequency,
            ':requested': requested,
            ':now': now.toISOString(),
            ':pending': 'pending',
            ':one': 1,
          },
        }),
      ));
    },

    async addConfirmNonce(id: string, nonce: number): Promise<boolean> {
      return applied(doc.send(
        new UpdateCommand({
          TableName,
          Key: keys.subscriber(id),
          UpdateExpression: 'SET confirmNonces = list_append(if_not_exists(confirmNonces, :empty), :nonce) ADD #version :one',
          ConditionExpression: 'attribute_exists(pk) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
          ExpressionAttributeValues: { ':empty': [], ':nonce': [nonce], ':pending': 'pending', ':one': 1 },
        }),
      ));
    },

    async confirm(id: string, nonce: number, proof: ConsentProof, now: Date): Promise<boolean> {
      const shard = keys.confirmedShard(confirmedShardOf(id), id);
      return applied(doc.send(
        new UpdateCommand({
          TableName,
          Key: keys.subscriber(id),
          UpdateExpression:
            'SET #status = :confirmed, confirmedAt = :now, updatedAt = :now, #consent.confirmed = :proof, gsi1pk = :gpk, gsi1sk = :gsk ADD #version :one REMOVE confirmNonces',
          ConditionExpression: 'attribute_exists(pk) AND #status = :pending AND contains(confirmNonces, :nonce) AND paused = :false',
          ExpressionAttributeNames: { '#status': 'status', '#consent': 'consent', '#version': 'version' },
          ExpressionAttributeValues: {
            ':confirmed': 'confirmed',
            ':pending': 'pending',
            ':now': now.toISOString(),
            ':proof': proof,
            ':gpk': shard.gsi1pk,
            ':gsk': shard.gsi1sk,
            ':one': 1,
            ':nonce': nonce,
            ':false': false,
          },
        }),
      ));
    },

    async erase(record: SubscriberRecord, reason: SuppressionReason, now: Date): Promise<void> {
      const hash = suppressionHash(record.email, await salt());
      const at = now.toISOString();
      // A bounce or complaint outlives the erasure: only those stay suppressed against a new sign-up.
      const kept = await suppressionOf(record.email);
      const keepKept = kept !== undefined && !selfLiftable.includes(kept.reason);
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName, Key: keys.subscriber(record.id) } },
            { Delete: { TableName, Key: keys.subscriberEmail(record.email), ConditionExpression: 'attribute_not_exists(pk) OR subscriberId = :id', ExpressionAttributeValues: { ':id': record.id } } },
            ...(keepKept ? [] : [{ Put: { TableName, Item: { ...keys.suppression(hash), ...keys.suppressionListing(at, hash), kind: 'suppression', reason, at } } }]),
            ...[0, 1, 2].map((slot) => ({ Delete: { TableName, Key: slotKey(record.email, slot) } })),
          ],
        }),
      );
    },

    async suppress(email: string, reason: SuppressionReason, now: Date): Promise<{ subscriberId?: string }> {
      const hash = suppressionHash(email, await salt());
      const at = now.toISOString();
      try {
        await doc.send(
          new PutCommand({
            TableName,
            Item: { ...keys.suppression(hash), ...keys.suppressionListing(at, hash), kind: 'suppression', reason, at },
            ConditionExpression: 'attribute_not_exists(pk) OR attribute_exists(lifted)', // keep the first active reason
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const id = await claimOf(email);
      if (!id) return {};
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.subscriber(id),
            UpdateExpression: 'SET #status = :suppressed, suppressedAt = :now, suppressedReason = :reason, updatedAt = :now ADD #version :one REMOVE gsi1pk, gsi1sk, confirmNonces',
            ConditionExpression: 'attribute_exists(pk) AND #status <> :suppressed',
            ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
            ExpressionAttributeValues: { ':suppressed': 'suppressed', ':now': at, ':reason': reason, ':one': 1 },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      return { subscriberId: id };
    },

    async countSoftBounce(email: string, now: Date): Promise<{ subscriberId: string; count: number } | undefined> {
      const id = await claimOf(email);
      if (!id) return undefined;
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.subscriber(id),
            // Bumps the version too, so a concurrent read-modify-write (preferences) retries instead of losing it.
            UpdateExpression: 'SET lastSoftBounceAt = :now ADD softBounces :one, #version :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':now': now.toISOString(), ':one': 1 },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return { subscriberId: id, count: Number(out.Attributes?.softBounces ?? 1) };
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async resetSoftBounces(email: string): Promise<void> {
      // Every delivered message asks: eventually consistent reads cost half (a stale one only waits for the next).
      const record = await findByEmail(email, false);
      if (!record?.softBounces) return;
      try {
        await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.subscriber(record.id),
            UpdateExpression: 'SET softBounces = :zero ADD #version :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },

    async takeConfirmationSlot(email: string, now: Date, max: number, windowMs: number): Promise<boolean> {
      const at = now.getTime();
      for (let slot = 0; slot < max; slot++) {
        try {
          await doc.send(
            new PutCommand({
              TableName,
              Item: { ...slotKey(email, slot), sentAt: at, expiresAt: Math.ceil((at + windowMs) / 1000) },
              ConditionExpression: 'attribute_not_exists(pk) OR sentAt <= :cutoff',
              ExpressionAttributeValues: { ':cutoff': at - windowMs },
            }),
          );
          return true;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      return false;
    },

    async hitRateLimit(bucket: string, now: Date, windowMs: number, limit: number): Promise<boolean> {
      const window = Math.floor(now.getTime() / windowMs);
      return applied(doc.send(
        new UpdateCommand({
          TableName,
          Key: keys.rateCounter(bucket, `w#${window}`),
          UpdateExpression: 'SET expiresAt = :expires ADD hits :one',
          ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
          ExpressionAttributeValues: { ':expires': Math.ceil(((window + 2) * windowMs) / 1000), ':one': 1, ':limit': limit },
        }),
      ));
    },

    /** Every subscriber (any status), oldest first. */
    async listPage(options: { limit: number; cursor?: string }): Promise<SubscriberPage<SubscriberRecord>> {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: listingIndex,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.subscriberListingPartition },
          Limit: Math.min(Math.max(options.limit, 1), 100),
          ExclusiveStartKey: openStartKey(cursors, options.cursor),
        }),
      );
      const ids = (out.Items ?? []).map((row) => String(row.subscriberId));
      const byId = new Map<string, SubscriberRecord>();
      for (const row of await batchGetAll(doc, TableName, ids.map((id) => keys.subscriber(id)), { consistent: true })) {
        const record = fromRow(row);
        if (record) byId.set(record.id, record);
      }
      const subscribers = ids.map((id) => byId.get(id)).filter((r): r is SubscriberRecord => r !== undefined);
      const cursor = sealStartKey(cursors, out.LastEvaluatedKey);
      return { subscribers, ...(cursor ? { cursor } : {}) };
    },

    /** Confirmed, unpaused subscribers of one shard (0..confirmedShardCount-1), a page at a time. For the send
     *  planner: page every shard in parallel. Re-check status and suppression at send time (people leave). */
    async listConfirmedShard(shard: number, cursor?: string, limit = 500): Promise<SubscriberPage> {
      const out = await doc.send(
        new QueryCommand({
          TableName,
          IndexName: listingIndex,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.confirmedShardPartition(shard) },
          Limit: limit,
          ExclusiveStartKey: decodeStartKey(cursor),
        }),
      );
      const subscribers = (await rowsBehind(doc, TableName, out.Items ?? []))
        .map((row) => fromRow(row))
        .filter((r): r is SubscriberRecord => r !== undefined && r.status === 'confirmed' && !r.paused);
      const next = encodeStartKey(out.LastEvaluatedKey);
      return { subscribers, ...(next ? { cursor: next } : {}) };
    },

    /** Removes rate counters for an address (tests and the editor's "reset" use it). */
    async clearConfirmationSlots(email: string): Promise<void> {
      await Promise.all([0, 1, 2].map((slot) => doc.send(new DeleteCommand({ TableName, Key: slotKey(email, slot) }))));
    },
  } satisfies SubscriberStore & Record<string, unknown>;
  return repo;
}

export type SubscriberRepo = ReturnType<typeof createSubscriberRepo>;
