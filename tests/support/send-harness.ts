// The send pipeline wired as the local runtime wires it, on the test run's DynamoDB Local and SES local: the HTTP app,
// the planner behind the local scheduler, the sender behind the local queue. Faults are injected by wrapping the
// mailer or the edition store (the only fakes: everything else is the real engine).
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../lambdas/config.js';
import { composeApp, planJob, type App } from '../../lambdas/composition-root.js';
import { createHttpApp, type HttpApp } from '../../lambdas/adapters/http/app.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';
import { createMjmlRenderer } from '../../lambdas/adapters/mjml/renderer.js';
import { makeHandler as makeSendHandler } from '../../lambdas/handlers/send-batch.js';
import { makeHandler as makePlanHandler, type PlannerEvent } from '../../lambdas/handlers/send-planner.js';
import { createLocalQueue, type LocalQueue } from '../../lambdas/local/queue.js';
import { createLocalScheduler, type LocalScheduler } from '../../lambdas/local/scheduler.js';
import type { SenderDeps } from '../../lambdas/core/editions/sender.js';
import type { Clock } from '../../lambdas/core/shared/ports.js';
import type { Item } from '../../lambdas/core/items/model.js';
import type { Subscriber } from '../../lambdas/core/subscriptions/model.js';
import type { SubscriberRecord } from '../../lambdas/core/subscriptions/model.js';
import { freshTable } from './dynamo.js';

export const editorToken = 'editor-token-for-tests-0123456789';

export interface HarnessOptions {
  clock?: Clock;
  /** Wraps the sender's dependencies (fault injection). */
  wrapSender?: (deps: SenderDeps) => SenderDeps;
  env?: Record<string, string>;
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  /** Leave the sender stopped until `queue.start()` (to change things between planning and sending). */
  holdQueue?: boolean;
}

export interface Harness {
  config: Config;
  app: App;
  http: HttpApp;
  queue: LocalQueue;
  /** Every chunk body the planner enqueued. */
  enqueued: string[];
  scheduler: LocalScheduler;
  sesEndpoint: string;
  domain: string;
  api(method: string, path: string, body?: unknown): Promise<Response>;
  addItems(items: Item[]): Promise<void>;
  addSubscribers(subscribers: Subscriber[]): Promise<void>;
  /** Emails SES local holds for this harness's recipients (its unique domain). */
  inbox(): Promise<StoredEmail[]>;
  /** Waits until the planner ran and the queue is empty. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

export async function sendHarness(options: HarnessOptions = {}): Promise<Harness> {
  const { doc, tableName, endpoint } = await freshTable('send');
  const sesEndpoint = inject('sesEndpoint');
  const domain = `run-${randomUUID().slice(0, 8)}.example.org`;
  const config = loadConfig({
    TABLE_NAME: tableName,
    DYNAMO_ENDPOINT: endpoint,
    SES_ENDPOINT: sesEndpoint,
    EDITOR_TOKEN: editorToken,
    SIGNING_SECRET: 'signing-secret-for-tests-0123456789abcdef',
    PUBLIC_BASE_URL: 'https://news.example.org',
    SES_MAX_SEND_RATE: '500',
    SEND_CHUNK_SIZE: '4',
    SEND_IN_DOUBT_AFTER_SECONDS: '900',
    LOG_LEVEL: 'WARN',
    // The send tests read links as the sources wrote them; the analytics tests turn click links on.
    CLICK_TRACKING: 'off',
    ...options.env,
  });
  const ses = createSesClient({ region: config.AWS_REGION, endpoint: sesEndpoint });
  const enqueued: string[] = [];
  // The queue and the scheduler are built before the App (they are its background); their handlers after it.
  let sendHandler: ReturnType<typeof makeSendHandler> | undefined;
  let planHandler: ReturnType<typeof makePlanHandler> | undefined;
  const queue = createLocalQueue({
    name: 'send',
    handler: (event) => sendHandler!(event),
    visibilityTimeoutMs: options.visibilityTimeoutMs ?? 1000,
    maxReceiveCount: options.maxReceiveCount ?? 20,
    concurrency: 2,
  });
  const scheduler = createLocalScheduler({ jobs: { [planJob]: (input) => planHandler!(input as PlannerEvent) }, retries: 0 });
  const app = composeApp({
    config,
    doc,
    ses,
    clock: options.clock,
    renderer: createMjmlRenderer(),
    // The limit on guessing the editor token has its own tests (tests/integration/console-access.test.ts); here a
    // test's deliberate wrong tokens must not slow or lock out the ones that follow.
    signInLimits: { sleep: async () => undefined, perClient: 10_000, overall: 10_000 },
    background: {
      enqueue: async (_q, bodies) => {
        enqueued.push(...bodies);
        await queue.send(bodies);
      },
      schedule: (job, at, payload) => scheduler.schedule(job, at, payload),
    },
  });
  let deps = { ...app.sender, throttleBaseMs: 5, stateCheckMs: 100 };
  if (options.wrapSender) deps = { ...deps, ...options.wrapSender(deps) };
  sendHandler = makeSendHandler(deps);
  planHandler = makePlanHandler(app.planner);
  const http = createHttpApp(app);
  if (!options.holdQueue) queue.start();
  const { items, subscribers: repo } = app.repos;
  return {
    config,
    app,
    http,
    queue,
    enqueued,
    scheduler,
    sesEndpoint,
    domain,
    api: async (method, path, body) =>
      http.request(path, {
        method,
        headers: { authorization: `Bearer ${editorToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async addItems(list) {
      for (const item of list) await items.put(item, undefined);
    },
    async addSubscribers(list) {
      for (const s of list) {
        const record: SubscriberRecord = { ...s, consent: {}, origin: 'api' };
        expectCreated(await repo.create(record));
      }
    },
    async inbox() {
      const store = (await (await fetch(`${sesEndpoint}/store`)).json()) as { emails: StoredEmail[] };
      return store.emails.filter((e) => e.destination.to.some((to) => to.endsWith(`@${domain}`)));
    },
    async settle(timeoutMs = 20_000) {
      await scheduler.idle(timeoutMs);
      await queue.drained(timeoutMs);
    },
    async stop() {
      scheduler.stop();
      await queue.stop();
    },
  };
}

function expectCreated(result: string) {
  if (result !== 'created') throw new Error(`subscriber not created: ${result}`);
}

