// The local runtime: the same app, handlers and adapters as in AWS, wired to DynamoDB Local, SES local and
// in-process stand-ins for the schedules and the queue. Used by `npm start`, the tests and the benchmarks.
import type { Config } from '../config.js';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { createSesClient } from '../adapters/ses/mailer.js';
import { createDynamoItemStore } from '../adapters/dynamo/items.js';
import { createDynamoSourceStore } from '../adapters/dynamo/sources.js';
import { createSourcePoller } from '../adapters/feed/poller.js';
import { createApp } from '../adapters/http/app.js';
import { systemClock, type AppContext, type BackgroundPorts, type Clock } from '../adapters/http/context.js';
import { importDigest, registerSources, type PollResult } from '../core/ingest/sources.js';
import { digestFrequencies } from '../core/subscriptions/model.js';
import { makeHandler as makeIngestHandler } from '../handlers/ingest-schedule.js';
import { createLocalSendPipeline, type LocalSendPipeline } from './send-pipeline.js';
import { createWebSubNotifier } from '../adapters/websub.js';
import { logger } from '../adapters/observability.js';

export interface LocalRuntime {
  ctx: AppContext;
  sending: LocalSendPipeline;
  app: ReturnType<typeof createApp>;
  importDigest(text: string, sourceUrl: string): ReturnType<typeof importDigest>;
  /** One run of the scheduled ingest: every source, each isolated from the others' failures. */
  pollSources(): Promise<PollResult[]>;
  startSchedules(): void;
  stop(): Promise<void>;
}

export interface LocalRuntimeOptions {
  clock?: Clock;
  /** Minutes between scheduled ingests (EventBridge Scheduler's rate in AWS). */
  ingestEveryMinutes?: number;
}

export async function createLocalRuntime(config: Config, options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const clock = options.clock ?? systemClock;
  const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT });
  await ensureTable(doc, config.TABLE_NAME);
  const ses = createSesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT });
  const items = createDynamoItemStore(doc, config.TABLE_NAME);
  const sources = createDynamoSourceStore(doc, config.TABLE_NAME);
  const timers: NodeJS.Timeout[] = [];

  // The send pipeline (planner behind the scheduler stand-in, sender behind the SQS stand-in) and WebSub pings.
  const sending = createLocalSendPipeline({ config, doc, ses, clock });
  const notifyHub = createWebSubNotifier({ hubUrl: config.WEBSUB_HUB_URL, baseUrl: config.PUBLIC_BASE_URL });
  const background: BackgroundPorts = {
    ...sending.background,
    async itemsChanged(scopes) {
      if (!notifyHub) return;
      for (const ping of await notifyHub(scopes)) if (!ping.ok) logger.warn('WebSub ping failed', { ...ping });
    },
  };
  const ctx: AppContext = { config, doc, tableName: config.TABLE_NAME, ses, clock, background };
  const app = createApp(ctx);

  // Sources named in config are listed from the start (the Lambda registers them on its first run).
  await registerSources(config.SOURCES, sources, clock.now());

  // The scheduled ingest runs the same handler the Lambda exports.
  const ingest = makeIngestHandler({
    poller: createSourcePoller(config),
    items,
    sources,
    clock,
    itemsChanged: (scopes) => background.itemsChanged?.(scopes) ?? Promise.resolve(),
  });
  const pollSources = async () => (await ingest({ source: 'local.scheduler' })).results;

  return {
    ctx,
    sending,
    app,
    importDigest: async (text, sourceUrl) => {
      const report = await importDigest(text, sourceUrl, { items, clock });
      if (report.changedScopes.length) await background.itemsChanged?.(report.changedScopes);
      return report;
    },
    pollSources,
    startSchedules() {
      const every = (options.ingestEveryMinutes ?? 15) * 60_000;
      const run = () => pollSources().catch((error) => logger.error('scheduled ingest failed', { error: (error as Error).message }));
      timers.push(setInterval(run, every));
      void run();
      // Digests: EventBridge Scheduler crons in AWS; here a timer that asks hourly. The handler is idempotent per
      // period, so asking often sends each period's digest once.
      const digests = () =>
        Promise.all(digestFrequencies.map((frequency) => sending.runDigest({ frequency }))).catch((error) =>
          logger.error('scheduled digest failed', { error: (error as Error).message }),
        );
      timers.push(setInterval(digests, 60 * 60_000));
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await sending.stop();
    },
  };
}
