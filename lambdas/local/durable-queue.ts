// The local SQS stand-in (queue.ts) with its messages kept in DynamoDB Local: sent, received (receive count and
// visibility), deleted and dead-lettered messages are written before they take effect, and a new process takes the
// queue over where the last one stopped. A message received but not deleted before a crash is received again once its
// visibility timeout has passed, with its receive count, exactly as SQS would do after a Lambda died mid-batch.
// One process owns a queue at a time (the engine lock in DATA_DIR sees to it), so the process keeps its working copy
// in memory and the table is the record it is rebuilt from.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../adapters/dynamo/batch.js';
import { createLocalQueue, type LocalQueue, type LocalQueueOptions, type QueueJournal, type StoredMessage } from './queue.js';
import { ensureLocalWorkTable, readPartition } from './work-table.js';

type MessageState = 'live' | 'dead';

export async function createDurableQueue(
  options: Omit<LocalQueueOptions, 'journal' | 'restored'> & { doc: DynamoDBDocumentClient; workTable: string },
): Promise<LocalQueue> {
  const { doc, workTable } = options;
  await ensureLocalWorkTable(doc, workTable);
  const pk = `queue#${options.name}`;
  const row = (m: StoredMessage, state: MessageState) => ({ PutRequest: { Item: { pk, sk: m.messageId, state, ...m } } });
  const journal: QueueJournal = {
    save: (messages) => batchWriteAll(doc, workTable, messages.map((m) => row(m, 'live'))),
    remove: (ids) => batchWriteAll(doc, workTable, ids.map((sk) => ({ DeleteRequest: { Key: { pk, sk } } }))),
    deadLetter: (messages) => batchWriteAll(doc, workTable, messages.map((m) => row(m, 'dead'))),
  };
  const restored: { live: StoredMessage[]; dead: StoredMessage[] } = { live: [], dead: [] };
  const rows = await readPartition(doc, workTable, pk);
  for (const r of rows.sort((a, b) => Number(a.sentAt) - Number(b.sentAt))) {
    const m: StoredMessage = {
      messageId: String(r.messageId),
      body: String(r.body),
      receiveCount: Number(r.receiveCount),
      visibleAt: Number(r.visibleAt),
      sentAt: Number(r.sentAt),
    };
    restored[r.state === 'dead' ? 'dead' : 'live'].push(m);
  }
  return createLocalQueue({ ...options, journal, restored });
}
