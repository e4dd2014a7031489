// Batched reads and writes that finish the job: DynamoDB may leave keys or items unprocessed under load, and a
// caller that ignores them silently loses reads or writes. Every repository batches through these.
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { chunk, mapLimited } from '../../core/shared/concurrency.js';

export type Key = Record<string, unknown>;
export type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Key } };

const backoff = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));

/** BatchGetItem in hundreds, retrying unprocessed keys with backoff. Rows come back in no particular order. */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  keyList: readonly Key[],
  options: { consistent?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const part of chunk(keyList, 100)) {
    let pending: Key[] = part;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt) await backoff(attempt);
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent } } }));
      rows.push(...((out.Responses?.[tableName] as Record<string, unknown>[] | undefined) ?? []));
      pending = (out.UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
    }
  }
  return rows;
}

/** BatchWriteItem in 25s with a bounded number in flight (more only queue inside the store), retrying what it
 *  leaves unprocessed. */
export async function batchWriteAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: { inFlight?: number } = {},
): Promise<void> {
  await mapLimited(chunk(requests, 25), options.inFlight ?? 16, async (part) => {
    let pending: WriteRequest[] = part;
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt) await backoff(attempt);
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (out.UnprocessedItems?.[tableName] as WriteRequest[] | undefined) ?? [];
    }
  });
}
