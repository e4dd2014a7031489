// The local runtime: the same App, handlers and adapters as in AWS, wired to DynamoDB Local, SES local and
// in-process stand-ins for the schedules and the queue. Used by `npm start`, the tests and the benchmarks.
import type { Config } from '../config.js';
import { composeApp, type App, type IngestService } from '../composition-root.js';
import type { Clock } from '../core/shared/ports.js';
import type { PollResult } from '../core/ingest/sources.js';
import { createDocumentClient, ensureTable } from '../adapters/dynamo/client.js';
import { createSesClient, createSesMailer } from '../adapters/ses/mailer.js';
import { createMjmlRenderer } from '../adapters/mjml/renderer.js';
import { createHttpApp, type HttpApp } from '../adapters/http/app.js';
import { digestFrequencies } from '../core/subscriptions/model.js';
import { makeHandler as makeIngestHandler } from '../handlers/ingest-schedule.js';
import { createLocalSendPipeline, type LocalSendPipeline } from './send-pipeline.js';
import { faultInjection, type FaultKill } from './fault-injection.js';

export interface LocalRuntime {
  /** Every repository and service, composed once. */
  app: App;
  /** The HTTP app on top of it. */
  http: HttpApp;
  sending: LocalSendPipeline;
  importDigest: IngestService['importDigest'];
  /** One run of the scheduled ingest: every source, each isolated from the others' failures. */
  pollSources(): Promise<PollResult[]>;
  startSchedules(): void;
  /** Stops the schedules and the queue; chunks in flight get `graceMs` to finish (see LocalSendPipeline.stop). */
  stop(graceMs?: number): Promise<void>;
}

export interface LocalRuntimeOptions {
  clock?: Clock;
  /** Minutes between scheduled ingests (EventBridge Scheduler's rate in AWS). */
  ingestEveryMinutes?: number;
  /** Test only (FAULT_KILL_AT): the process signals itself at a chosen point of a send. */
  faultKill?: FaultKill;
}

export async function createLocalRuntime(config: Config, options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT });
  await ensureTable(doc, config.TABLE_NAME);
  const ses = createSesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT });
  const timers: NodeJS.Timeout[] = [];

  // The send pipeline (planner behind the scheduler stand-in, sender behind the SQS stand-in) is the App's background;
  // it reads back the work an earlier run left before the App is composed, and takes it up at start(app).
  const sending = await createLocalSendPipeline({ config, doc });
  // The one place a test's fault is wired: around the mailer and the queue the App is given.
  const fault = options.faultKill && faultInjection(options.faultKill);
  const app = composeApp({
    config,
    doc,
    ses,
    clock: options.clock,
    background: fault ? fault.background(sending.background) : sending.background,
    ...(fault ? { mailer: fault.mailer(createSesMailer(ses)) } : {}),
    renderer: createMjmlRenderer(),
  });
  sending.start(app);
  const { logger } = app;

  // The taxonomy is seeded from its default file on first start (never over an editor's change).
  await app.taxonomy.reader.reload();
  // Sources named in config are listed from the start (the Lambda registers them on its first run).
  await app.ingest.registerConfiguredSources();

  // The scheduled ingest runs the same handler the Lambda exports.
  const ingest = makeIngestHandler(app);
  const pollSources = async () => (await ingest({ source: 'local.scheduler' })).results;

  return {
    app,
    http: createHttpApp(app),
    sending,
    importDigest: (text, sourceUrl) => app.ingest.importDigest(text, sourceUrl),
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
      // The recovery sweep: at start (a send an earlier run left stopped) and every 5 minutes, as in AWS.
      const sweep = () => sending.sweep().catch((error) => logger.error('recovery sweep failed', { error: (error as Error).message }));
      timers.push(setInterval(sweep, 5 * 60_000));
      void sweep();
    },
    async stop(graceMs) {
      for (const timer of timers) clearInterval(timer);
      await sending.stop(graceMs);
    },
  };
}
