// The local scheduler stand-in (scheduler.ts) with its one-off schedules kept in DynamoDB Local, beside the queue's
// messages: a schedule is stored when made and deleted once its job has run, so a schedule whose time passed while
// the service was down (or whose job a crash interrupted) fires when the service starts again. Jobs must be safe to
// run twice, as with EventBridge Scheduler's at-least-once delivery (the planner is).
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWriteAll } from '../adapters/dynamo/batch.js';
import { createLocalScheduler, type LocalScheduler, type LocalSchedulerOptions, type ScheduleJournal, type StoredSchedule } from './scheduler.js';
import { ensureLocalWorkTable, readPartition } from './work-table.js';

const pk = 'schedule';

export async function createDurableScheduler(
  options: Omit<LocalSchedulerOptions, 'journal' | 'restored'> & { doc: DynamoDBDocumentClient; workTable: string },
): Promise<LocalScheduler> {
  const { doc, workTable } = options;
  await ensureLocalWorkTable(doc, workTable);
  const put = (item: Record<string, unknown>) => batchWriteAll(doc, workTable, [{ PutRequest: { Item: { pk, sk: item.id, ...item } } }]);
  const journal: ScheduleJournal = {
    save: (entry) => put({ ...entry, state: 'pending' }),
    remove: (id) => batchWriteAll(doc, workTable, [{ DeleteRequest: { Key: { pk, sk: id } } }]),
    deadLetter: (entry, error) => put({ ...entry, state: 'failed', error }),
  };
  const restored: NonNullable<LocalSchedulerOptions['restored']> = { pending: [], failed: [] };
  for (const row of await readPartition(doc, workTable, pk)) {
    const entry: StoredSchedule = { id: String(row.id), job: String(row.job), at: Number(row.at), payload: row.payload };
    if (row.state === 'failed') restored.failed.push({ ...entry, error: String(row.error) });
    else restored.pending.push(entry);
  }
  return createLocalScheduler({ ...options, journal, restored });
}
