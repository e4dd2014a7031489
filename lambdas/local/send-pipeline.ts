// The local send pipeline behind `npm start`: the planner Lambda's handler behind the one-off scheduler stand-in
// (job 'plan-edition'), the sender Lambda's handler behind the SQS stand-in (queue 'send'). The local runtime plugs
// `background` into its AppContext so the editor API's send, schedule and resume reach them, as in AWS.
// Both keep their work in DynamoDB Local (durable-queue.ts, durable-scheduler.ts) and take it up again at start.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config } from '../config.js';
import type { BackgroundPorts } from '../adapters/http/context.js';
import type { Clock } from '../core/shared/ports.js';
import { makeHandler as makeSendHandler, senderDeps } from '../handlers/send-batch.js';
import { makeHandler as makePlanHandler, plannerDeps, planJob, sendQueue, type PlannerEvent } from '../handlers/send-planner.js';
import { makeHandler as makeDigestHandler, type DigestEvent } from '../handlers/digest-schedule.js';
import type { LocalQueue } from './queue.js';
import type { LocalScheduler } from './scheduler.js';
import { createDurableQueue } from './durable-queue.js';
import { createDurableScheduler } from './durable-scheduler.js';
import { localWorkTableName } from './work-table.js';

export interface LocalSendPipeline {
  /** enqueue('send', …) and schedule('plan-edition', …) as the editor API calls them. */
  background: Pick<BackgroundPorts, 'enqueue' | 'schedule'>;
  queue: LocalQueue;
  scheduler: LocalScheduler;
  /** One run of the scheduled digest (EventBridge Scheduler cron in AWS). */
  runDigest(event: DigestEvent): Promise<unknown>;
  /** Stops taking chunks; batches in flight get `graceMs` to finish, or come back after their visibility timeout. */
  stop(graceMs?: number): Promise<void>;
}

export async function createLocalSendPipeline(w: { config: Config; doc: DynamoDBDocumentClient; ses: SESv2Client; clock?: Clock }): Promise<LocalSendPipeline> {
  const workTable = localWorkTableName(w.config.TABLE_NAME);
  const queue = await createDurableQueue({
    doc: w.doc,
    workTable,
    name: sendQueue,
    handler: makeSendHandler(senderDeps(w)),
    // Config checks that visibility × receives outlasts the sender's in-doubt bound.
    visibilityTimeoutMs: w.config.LOCAL_QUEUE_VISIBILITY_SECONDS * 1000,
    maxReceiveCount: w.config.LOCAL_QUEUE_MAX_RECEIVE_COUNT,
    concurrency: 2,
  });
  const enqueue = async (name: string, bodies: string[]) => {
    if (name !== sendQueue) throw new Error(`No local queue named "${name}".`);
    await queue.send(bodies);
  };
  const planner = plannerDeps({ config: w.config, doc: w.doc, clock: w.clock, enqueue });
  const plan = makePlanHandler(planner);
  const scheduler = await createDurableScheduler({ doc: w.doc, workTable, jobs: { [planJob]: (input) => plan(input as PlannerEvent) } });
  const digest = makeDigestHandler(planner);
  queue.start();
  return {
    background: { enqueue, schedule: (job, at, payload) => scheduler.schedule(job, at, payload) },
    queue,
    scheduler,
    runDigest: (event) => digest(event),
    async stop(graceMs) {
      scheduler.stop();
      await queue.stop(graceMs);
    },
  };
}
