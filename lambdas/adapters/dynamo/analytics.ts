// Analytics aggregates on the single table (keys.ts): counter shards per edition, the edition's salt and the salted
// hashes that decide "unique" (both expiring by TTL with the counting window), and per-day subscriber counters.
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AnalyticsStore, Increments } from '../../core/analytics/ports.js';
import { mapLimited } from '../../core/shared/concurrency.js';
import { batchGetAll } from './batch.js';
import { keys } from './keys.js';
import { applied, isConditionFailure, queryAll } from './repository.js';
import { timeToLiveAttribute } from './table.js';

/** Counter shards per edition: a popular edition's clicks land on 16 partitions, not one. */
export const statsShards = 16;
const dayShards = 4;
const counterFields = new Set(['pk', 'sk']);
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

function addExpression(increments: Increments) {
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const parts = Object.entries(increments).map(([name, by], i) => {
    names[`#c${i}`] = name;
    values[`:c${i}`] = by;
    return `#c${i} :c${i}`;
  });
  return { UpdateExpression: `ADD ${parts.join(', ')}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

const sum = (rows: readonly Record<string, unknown>[]): Increments => {
  const total: Increments = {};
  for (const row of rows) for (const [name, value] of Object.entries(row)) if (!counterFields.has(name) && typeof value === 'number') total[name] = (total[name] ?? 0) + value;
  return total;
};

export function createAnalyticsStore(doc: DynamoDBDocumentClient, TableName: string): AnalyticsStore {
  return {
    async add(editionId, increments) {
      if (Object.keys(increments).length === 0) return;
      const shard = Math.floor(Math.random() * statsShards);
      await doc.send(new UpdateCommand({ TableName, Key: keys.editionStats(editionId, shard), ...addExpression(increments) }));
    },

    async counters(editionId) {
      return sum(await batchGetAll(doc, TableName, Array.from({ length: statsShards }, (_, k) => keys.editionStats(editionId, k))));
    },

    async salt(editionId, expiresAt) {
      const key = keys.editionStatsSalt(editionId);
      const existing = (await doc.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item;
      if (typeof existing?.salt === 'string') return existing.salt;
      const salt = randomBytes(24).toString('base64url');
      try {
        await doc.send(new PutCommand({ TableName, Item: { ...key, salt, [timeToLiveAttribute]: epochSeconds(expiresAt) }, ConditionExpression: 'attribute_not_exists(pk)' }));
        return salt;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Another counter created it first: use theirs.
        const row = (await doc.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item;
        return String(row?.salt);
      }
    },

    firstSeen(editionId, hashes, expiresAt) {
      return mapLimited(hashes, 8, (hash) =>
        applied(doc.send(new PutCommand({ TableName, Item: { ...keys.editionStatsSeen(editionId, hash), [timeToLiveAttribute]: epochSeconds(expiresAt) }, ConditionExpression: 'attribute_not_exists(pk)' }))),
      );
    },

    async addDay(day, increments) {
      const shard = Math.floor(Math.random() * dayShards);
      await doc.send(new UpdateCommand({ TableName, Key: keys.subscriberDay(day, shard), ...addExpression(increments) }));
    },

    async days(from, to) {
      const rows = await queryAll(doc, {
        TableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.subscriberDayPartition, ':from': `${from}#`, ':to': `${to}#~` },
      });
      const byDay = new Map<string, Record<string, unknown>[]>();
      for (const row of rows) {
        const day = String(row.sk).slice(0, 10);
        byDay.set(day, [...(byDay.get(day) ?? []), row]);
      }
      return [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, dayRows]) => ({ day, counters: sum(dayRows) }));
    },
  };
}
