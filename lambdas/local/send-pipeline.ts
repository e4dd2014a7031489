// The local send pipeline behind `npm start`: the planner Lambda's handler behind the one-off scheduler stand-in
// (job 'plan-edition'), the sender Lambda's handler behind the SQS stand-in (queue 'send'). Its `background` goes into
// the composed App, so the editor API's send, schedule and resume reach them as in AWS; `start(app)` then hands the
// handlers their dependencies from that same App. Both keep their work in DynamoDB Local (durable-queue.ts,
// durable-scheduler.ts): the factory reads back what an earlier run left, and `start(app)` takes it up.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import { planJob, reclassifyJob, sendQueue, type App, type BackgroundPorts } from '../composition-root.js';
import { makeHandler as makeSendHandler } from '../handlers/send-batch.js';
import { makeHandler as makePlanHandler, sweepJob, type PlannerEvent } from '../handlers/send-planner.js';
import { makeHandler as makeDigestHandler, type DigestEvent } from '../handlers/digest-schedule.js';
import type { LocalQueue } from './queue.js';
import type { LocalScheduler } from './scheduler.js';
import { createDurableQueue } from './durable-queue.js';
import { createDurableScheduler } from './durable-scheduler.js';
import { localWorkTableName } from './work-table.js';
import { logger } from '../adapters/observability.js';

export interface LocalSendPipeline {
  /** enqueue('send', …) and schedule('plan-edition', …) as the editor API calls them. */
  background: BackgroundPorts;
  queue: LocalQueue;
  scheduler: LocalScheduler;
  /** Builds the handlers from the App and starts the queue's consumers. */
  start(app: Pick<App, 'sender' | 'planner' | 'taxonomy' | 'analytics'>): void;
  /** One run of the recovery sweep (an EventBridge schedule every 5 minutes in AWS). */
  sweep(): Promise<unknown>;
  /** One run of the scheduled digest (EventBridge Scheduler cron in AWS). */
  runDigest(event: DigestEvent): Promise<unknown>;
  /** Stops taking chunks; batches in flight get `graceMs` to finish, or come back after their visibility timeout. */
  stop(graceMs?: number): Promise<void>;
}

export async function createLocalSendPipeline(w: {
  config: Pick<Config, 'TABLE_NAME' | 'LOCAL_QUEUE_VISIBILITY_SECONDS' | 'LOCAL_QUEUE_MAX_RECEIVE_COUNT'>;
  doc: DynamoDBDocumentClient;
}): Promise<LocalSendPipeline> {
  let handlers: { send: ReturnType<typeof makeSendHandler>; plan: ReturnType<typeof makePlanHandler>; digest: ReturnType<typeof makeDigestHandler> } | undefined;
  const started = () => {
    if (!handlers) throw new Error('The local send pipeline is not started: call start(app) first.');
    return handlers;
  };
  const workTable = localWorkTableName(w.config.TABLE_NAME);
  // One sweep at a time; a dead letter that arrives during one runs another after it (that one may have listed the
  // edition's dead-letter records before this chunk's was written).
  let sweeping: Promise<unknown> | undefined;
  let again = false;
  const sweep = async (): Promise<unknown> => {
    if (sweeping) {
      again = true;
      return sweeping;
    }
    sweeping = (async () => {
      let result: unknown;
      do {
        again = false;
        result = await started().plan({ job: sweepJob });
      } while (again);
      return result;
    })().finally(() => (sweeping = undefined));
    return sweeping;
  };
  const queue = await createDurableQueue({
    doc: w.doc,
    workTable,
    name: sendQueue,
    handler: (event) => started().send(event),
    // Config checks that visibility × receives outlasts the sender's in-doubt bound.
    visibilityTimeoutMs: w.config.LOCAL_QUEUE_VISIBILITY_SECONDS * 1000,
    maxReceiveCount: w.config.LOCAL_QUEUE_MAX_RECEIVE_COUNT,
    concurrency: 2,
    // The sender recorded the chunk as dead-lettered on its edition; the sweep enqueues it again now rather than at its
    // next run (every 5 minutes, as in AWS), so a local send finishes soon after a fault outlasting the queue's retries.
    onDeadLetter: () => void sweep().catch((error) => logger.error('recovery sweep after a dead letter failed', { error: (error as Error).message })),
  });
  // Schedules restored with their time passed fire on a zero timer, after the caller's start(app) in the same turn
  // (and a job that found no handler yet would be retried).
  const scheduler = await createDurableScheduler({ doc: w.doc, workTable, jobs: { [planJob]: (input) => started().plan(input as PlannerEvent), [reclassifyJob]: (input) => started().plan(input as PlannerEvent) } });
  return {
    background: {
      async enqueue(name, bodies) {
        if (name !== sendQueue) throw new Error(`No local queue named "${name}".`);
        await queue.send(bodies);
      },
      schedule: (job, at, payload) => scheduler.schedule(job, at, payload),
    },
    queue,
    scheduler,
    start(app) {
      handlers = { send: makeSendHandler(app.sender), plan: makePlanHandler(app.planner, { taxonomy: app.taxonomy, analytics: app.analytics }), digest: makeDigestHandler(app.planner) };
      queue.start();
    },
    sweep,
    runDigest: (event) => started().digest(event),
    async stop(graceMs) {
      scheduler.stop();
      await queue.stop(graceMs);
    },
  };
}
