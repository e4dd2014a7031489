// What every repository on the table needs: reading a conditional write's failure as an outcome (the core sees
// `exists` or `false`, never an SDK error), stripping key attributes from rows, opaque page cursors, and paging a query
// to the end.
import { ConditionalCheckFailedException, TransactionCanceledException, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { invalid } from '../../core/shared/errors.js';
import { batchGetAll } from './batch.js';

export type Row = Record<string, unknown>;

export const isConditionFailure = (error: unknown): error is ConditionalCheckFailedException => error instanceof ConditionalCheckFailedException;

/** Runs a conditional write: true when it was applied, false when its condition did not hold. Other errors throw. */
export async function applied(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Runs a transaction: true when it was applied, false when one of its conditions did not hold. A conflict with a
 *  concurrent transaction is tried again a few times. Other errors throw. */
export async function transactionApplied(send: () => Promise<unknown>): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await send();
      return true;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reasons = error.CancellationReasons ?? [];
      if (reasons.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
      if (!reasons.some((r) => r.Code === 'TransactionConflict') || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 10));
    }
  }
}

/** A conditional put of a new row: `exists` when a row with that key is already there. */
export async function putNew(write: Promise<unknown>): Promise<'created' | 'exists'> {
  return (await applied(write)) ? 'created' : 'exists';
}

/** The row as it stood when a write's condition failed (ReturnValuesOnConditionCheckFailure: 'ALL_OLD'), if sent. */
export function rowBefore(error: ConditionalCheckFailedException): Row | undefined {
  return error.Item ? unmarshall(error.Item as Record<string, AttributeValue>) : undefined;
}

const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk'] as const;

/** The row without the table's key attributes and the repository's row marker (`kind` or `type`, which some records
 *  use as a field of their own): the stored record as the core knows it. */
export function withoutKeys(row: Row, marker?: 'kind' | 'type'): Row {
  const record = { ...row };
  for (const k of keyAttributes) delete record[k];
  if (marker) delete record[marker];
  return record;
}

/** A resume point kept on the server (the planner's saved shard positions), from DynamoDB's LastEvaluatedKey. It never
 *  reaches a client: cursors that do are sealed by a CursorCodec. */
export const encodeStartKey = (key: Row | undefined) => (key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined);

export function decodeStartKey(cursor: string | undefined): Row | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as Row;
  } catch {
    // fall through
  }
  throw new Error('A saved start key is unreadable.');
}

/** Page cursors handed to clients: opaque and authenticated. The position (a sort key, a LastEvaluatedKey) is sealed
 *  with AES-256-GCM under a key derived from SIGNING_SECRET, so a cursor shows no key nor hash and a forged or garbled
 *  one is refused (400 `request.badCursor`) before any query. The nonce is derived from the position (SIV-style): the
 *  same page always has the same cursor, so feed archive URLs stay cacheable; equal nonces only ever seal equal text.
 *  Without a secret (tests, scripts) the key is random per process. */
export interface CursorCodec {
  seal(position: string | Row): string;
  open(cursor: string): string | Row;
}

const maxCursorChars = 2048;

export function createCursorCodec(signingSecret: string | undefined): CursorCodec {
  const secret = signingSecret ? Buffer.from(signingSecret) : randomBytes(32);
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `page-cursor:${purpose}`, 32));
  const encryptionKey = derive('encrypt');
  const nonceKey = derive('nonce');
  const bad = () => invalid('request.badCursor', 'The cursor is not valid; start again without one.');
  return {
    seal(position) {
      const text = Buffer.from(JSON.stringify(position));
      const nonce = createHmac('sha256', nonceKey).update(text).digest().subarray(0, 12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, nonce);
      const sealed = Buffer.concat([cipher.update(text), cipher.final()]);
      return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString('base64url');
    },
    open(cursor) {
      if (cursor.length > maxCursorChars || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
      const raw = Buffer.from(cursor, 'base64url');
      if (raw.length < 12 + 16 + 1) throw bad();
      try {
        const decipher = createDecipheriv('aes-256-gcm', encryptionKey, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(raw.length - 16));
        const text = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
        const position = JSON.parse(text) as unknown;
        if (typeof position === 'string' || (position !== null && typeof position === 'object' && !Array.isArray(position))) return position as string | Row;
      } catch {
        // a forged, truncated or foreign cursor
      }
      throw bad();
    },
  };
}

/** A sealed LastEvaluatedKey, and back. */
export const sealStartKey = (codec: CursorCodec, key: Row | undefined) => (key ? codec.seal(key) : undefined);
export function openStartKey(codec: CursorCodec, cursor: string | undefined): Row | undefined {
  if (!cursor) return undefined;
  const position = codec.open(cursor);
  if (typeof position === 'string') throw invalid('request.badCursor', 'The cursor is not valid; start again without one.');
  return position;
}

/** Every row a query matches, following LastEvaluatedKey to the end. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Row[]> {
  const rows: Row[] = [];
  let start: Row | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    rows.push(...((out.Items as Row[] | undefined) ?? []));
    start = out.LastEvaluatedKey as Row | undefined;
  } while (start);
  return rows;
}

/** The table rows behind index rows, in the index's order (gsi1v2 projects only what listings filter on: a reader
 *  of a whole row reads it from the table). A row deleted in between is left out. */
export async function rowsBehind(doc: DynamoDBDocumentClient, tableName: string, indexRows: readonly Row[]): Promise<Row[]> {
  const id = (row: Row) => `${String(row.pk)}\u0000${String(row.sk)}`;
  const byKey = new Map((await batchGetAll(doc, tableName, indexRows.map((r) => ({ pk: r.pk, sk: r.sk })), { consistent: true })).map((row) => [id(row), row]));
  return indexRows.map((r) => byKey.get(id(r))).filter((row): row is Row => row !== undefined);
}
