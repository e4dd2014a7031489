// The local send pipeline behind `npm start`: the planner Lambda's handler behind the one-off scheduler stand-in
// (job 'plan-edition'), the sender Lambda's handler behind the SQS stand-in (queue 'send'). Its `background` goes into
// the composed App, so the editor API's send, schedule and resume reach them as in AWS; `start(app)` then hands the
// handlers their dependencies from that same App.
import { planJob, sendQueue, type App, type BackgroundPorts } from '../composition-root.js';
import { makeHandler as makeSendHandler } from '../handlers/send-batch.js';
import { makeHandler as makePlanHandler, type PlannerEvent } from '../handlers/send-planner.js';
import { makeHandler as makeDigestHandler, type DigestEvent } from '../handlers/digest-schedule.js';
import { createLocalQueue, type LocalQueue } from './queue.js';
import { createLocalScheduler, type LocalScheduler } from './scheduler.js';

export interface LocalSendPipeline {
  /** enqueue('send', …) and schedule('plan-edition', …) as the editor API calls them. */
  background: BackgroundPorts;
  queue: LocalQueue;
  scheduler: LocalScheduler;
  /** Builds the handlers from the App and starts the queue's consumers. */
  start(app: Pick<App, 'sender' | 'planner'>): void;
  /** One run of the scheduled digest (EventBridge Scheduler cron in AWS). */
  runDigest(event: DigestEvent): Promise<unknown>;
  stop(): Promise<void>;
}

export function createLocalSendPipeline(): LocalSendPipeline {
  let handlers: { send: ReturnType<typeof makeSendHandler>; plan: ReturnType<typeof makePlanHandler>; digest: ReturnType<typeof makeDigestHandler> } | undefined;
  const started = () => {
    if (!handlers) throw new Error('The local send pipeline is not started: call start(app) first.');
    return handlers;
  };
  const queue = createLocalQueue({
    name: sendQueue,
    handler: (event) => started().send(event),
    // SQS guidance: visibility timeout ≥ 6 × the sender's timeout; locally a chunk takes seconds at most.
    visibilityTimeoutMs: 60_000,
    maxReceiveCount: 10,
    concurrency: 2,
  });
  const scheduler = createLocalScheduler({ jobs: { [planJob]: (input) => started().plan(input as PlannerEvent) } });
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
      handlers = { send: makeSendHandler(app.sender), plan: makePlanHandler(app.planner), digest: makeDigestHandler(app.planner) };
      queue.start();
    },
    runDigest: (event) => started().digest(event),
    async stop() {
      scheduler.stop();
      await queue.stop();
    },
  };
}
