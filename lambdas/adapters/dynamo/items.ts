// Items in DynamoDB: the item row (keyed by an id derived from the canonical link), a claim row per source GUID, one
// index row per feed scope, and a head record per scope. Write order keeps readers safe: index rows first
// (idempotent puts), then the item row, then stale index rows are deleted. Readers skip index rows that no longer
// agree with their item.
import {
  PutCommand,
  QueryCommand,
  UpdateCommand,
  GetCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Item } from '../../core/items/model.js';
import { scopesOf } from '../../core/items/model.js';
import type { IngestStore } from '../../core/ingest/ingest.js';
import type { ItemPage, ItemReader, ScopeHead } from '../../core/items/ports.js';
import { keys } from './keys.js';
import { batchGetAll, batchWriteAll, type WriteRequest } from './batch.js';
import { applied, createCursorCodec, isConditionFailure, type CursorCodec } from './repository.js';
import { invalid } from '../../core/shared/errors.js';

type Key = { pk: string; sk: string };

export interface DynamoItemStore extends ItemReader, IngestStore {
  /** One item: a new one as saveNew does, a change conditional on `previous.version` as save does. */
  put(next: Item, previous: Item | undefined): Promise<boolean>;
  /** How many items a feed scope lists (its index rows: one left stale by a crash may count until it is cleaned). */
  countScope(scope: string): Promise<number>;
}


/** The sort key a page continues after, from a sealed cursor (a sealed key of another listing is refused). */
function openSortKey(cursors: CursorCodec, cursor: string): string {
  const position = cursors.open(cursor);
  if (typeof position !== 'string') throw invalid('request.badCursor', 'The cursor is not valid; start again without one.');
  return position;
}

const toItem = (row: Record<string, unknown>): Item => {
  const { pk: _pk, sk: _sk, type: _type, ...item } = row;
  return item as unknown as Item;
};

export function createDynamoItemStore(doc: DynamoDBDocumentClient, tableName: string, cursors: CursorCodec = createCursorCodec(undefined)): DynamoItemStore {
  const batchGet = (keyList: Key[]) => batchGetAll(doc, tableName, keyList);
  const batchWrite = (requests: WriteRequest[]) => batchWriteAll(doc, tableName, requests);

  const indexKeys = (item: Item) => scopesOf(item).map((scope) => keys.scopeIndex(scope, item.publishedAt, item.id));

  const itemRow = (item: Item) => ({ ...keys.item(item.id), type: 'item', ...item });

  async function save(next: Item, previous: Item): Promise<boolean> {
    const nextIndex = indexKeys(next);
    const staleIndex = indexKeys(previous).filter((k) => !nextIndex.some((n) => n.pk === k.pk && n.sk === k.sk));
    await batchWrite(nextIndex.map((k) => ({ PutRequest: { Item: { ...k, itemId: next.id } } })));
    const saved = await applied(
      doc.send(
        new PutCommand({
          TableName: tableName,
          Item: itemRow(next),
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'version' },
          ExpressionAttributeValues: { ':v': previous.version },
        }),
      ),
    );
    if (!saved) return false;
    if (staleIndex.length) await batchWrite(staleIndex.map((Key) => ({ DeleteRequest: { Key } })));
    return true;
  }

  async function saveNew(items: readonly Item[]): Promise<void> {
    // Index rows and GUID claims before item rows: a reader never meets an item that its feeds do not list yet.
    await batchWrite(
      items.flatMap((item) => [
        ...indexKeys(item).map((k) => ({ PutRequest: { Item: { ...k, itemId: item.id } } })),
        { PutRequest: { Item: { ...keys.itemGuidClaim(item.sourceId, item.sourceGuid), itemId: item.id } } },
      ]),
    );
    await batchWrite(items.map((item) => ({ PutRequest: { Item: itemRow(item) } })));
  }

  async function getMany(ids: readonly string[]): Promise<Item[]> {
    const unique = [...new Set(ids)];
    if (!unique.length) return [];
    const byId = new Map((await batchGet(unique.map((id) => keys.item(id)))).map((row) => [String(row.id), toItem(row)]));
    return unique.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
  }

  return {
    getMany,

    async get(id) {
      const { Item: row } = await doc.send(new GetCommand({ TableName: tableName, Key: keys.item(id) }));
      return row ? toItem(row) : undefined;
    },

    async listScope(scope, { limit, cursor }): Promise<ItemPage> {
      const items: Item[] = [];
      let startSk = cursor ? openSortKey(cursors, cursor) : undefined;
      let lastSk: string | undefined;
      let more = true;
      // Loop only when stale index rows were skipped; normally one query and one batch read.
      while (items.length < limit && more) {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: startSk ? 'pk = :pk AND sk < :sk' : 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.scopePartition(scope), ...(startSk ? { ':sk': startSk } : {}) },
            ScanIndexForward: false,
            Limit: limit - items.length + 1,
          }),
        );
        const rows = (out.Items ?? []) as Array<{ sk: string; itemId: string }>;
        more = rows.length > limit - items.length;
        const page = rows.slice(0, limit - items.length);
        const found = new Map((await getMany(page.map((r) => r.itemId))).map((i) => [i.id, i]));
        for (const row of page) {
          const item = found.get(row.itemId);
          if (item && row.sk === `${item.publishedAt}#${item.id}` && scopesOf(item).includes(scope)) items.push(item);
        }
        lastSk = page.at(-1)?.sk;
        startSk = lastSk;
        if (!page.length) more = false;
      }
      return { items, ...(more && lastSk ? { cursor: cursors.seal(lastSk) } : {}) };
    },

    async countScope(scope) {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.scopePartition(scope) },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
      return count;
    },

    async getScopeHead(scope): Promise<ScopeHead | undefined> {
      const { Item: row } = await doc.send(new GetCommand({ TableName: tableName, Key: keys.scopeHead(scope) }));
      return row ? { scope, changedAt: row.changedAt as string, seq: row.seq as number } : undefined;
    },

    async findGuidOwners(sourceId, guids) {
      const rows = await batchGet([...new Set(guids)].map((guid) => keys.itemGuidClaim(sourceId, guid)));
      const byKey = new Map(rows.map((r) => [String(r.pk), String(r.itemId)]));
      const owners = new Map<string, string>();
      for (const guid of guids) {
        const owner = byKey.get(keys.itemGuidClaim(sourceId, guid).pk);
        if (owner) owners.set(guid, owner);
      }
      return owners;
    },

    save,
    saveNew,
    put: async (next, previous) => (previous ? save(next, previous) : (await saveNew([next]), true)),

    async touchScopes(scopes, at) {
      const touch = (onlyCount: boolean) => (scope: string) =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.scopeHead(scope),
            UpdateExpression: onlyCount ? 'ADD seq :one' : 'ADD seq :one SET changedAt = :at',
            // changedAt only moves forward, so a late, slow run cannot make a feed look older than it is.
            ...(onlyCount ? {} : { ConditionExpression: 'attribute_not_exists(changedAt) OR changedAt <= :at' }),
            ExpressionAttributeValues: { ':one': 1, ...(onlyCount ? {} : { ':at': at }) },
          }),
        );
      await Promise.all(
        scopes.map((scope) =>
          touch(false)(scope).catch((error) => {
            if (!isConditionFailure(error)) throw error;
            return touch(true)(scope);
          }),
        ),
      );
    },
  };
}
