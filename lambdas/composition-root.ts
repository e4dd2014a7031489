// The composition root: every repository and service built once, from the validated configuration and the process's
// clients, and handed out as one App (listmonk's cmd/init.go builds each part once the same way). The HTTP app, every
// Lambda handler, the local runtime, the tests, the bench and the scripts take what they need from it; none of them
// builds a repository or a service of its own.
//
// Dependencies point inwards: callers → composition root → adapters → core. Nothing here reads the environment
// (config.ts does) or knows its transport (the handlers and the local runtime do).
import { randomBytes, randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { ConfigError, requireSigningSecret, type Config } from './config.js';
import type { Clock, Mailer } from './core/shared/ports.js';
import { notFound } from './core/shared/errors.js';
import type { Brand, EmailRenderer } from './core/editions/newsletter.js';
import type { ChunkMessage, SendEvidence, SendProgress } from './core/editions/ports.js';
import type { PlannerDeps } from './core/editions/planner.js';
import type { SenderDeps } from './core/editions/sender.js';
import { createSenderBucket } from './core/editions/token-bucket.js';
import { createEditionService, type EditionService } from './core/editions/service.js';
import type { FeedSettings } from './core/feeds/service.js';
import type { ItemReader } from './core/items/ports.js';
import { editItem, type EditorItemInput } from './core/ingest/ingest.js';
import { editSource, importDigest, newSource, pollAll, pollSource, registerSources, trySource, type PollDeps, type SourcePatch, type PollResult, type Source, type SourceInput, type SourceStore } from './core/ingest/sources.js';
import { createFeedbackRules, createSubscriptionService, type FeedbackOutcome, type SubscriptionService } from './core/subscriptions/service.js';
import type { SesEventSummary } from './core/subscriptions/model.js';
import type { SubscriberChange } from './core/subscriptions/service.js';
import { editionLinks, subscriberLinks } from './core/subscriptions/links.js';
import { createDynamoItemStore, type DynamoItemStore } from './adapters/dynamo/items.js';
import { createDynamoSourceStore } from './adapters/dynamo/sources.js';
import { createDynamoTaxonomyStore } from './adapters/dynamo/taxonomy.js';
import { createTaxonomyReader, createTaxonomyService, type TaxonomyReader, type TaxonomyService, type TaxonomyStore } from './core/taxonomy/service.js';
import { defaultTaxonomy } from './core/taxonomy/taxonomy.js';
import { reclassifyItems, type ReclassifyReport } from './core/ingest/reclassify.js';
import { createSubscriberRepo, type SubscriberRepo } from './adapters/dynamo/subscribers.js';
import {
  createDynamoSendEvidence,
  createEditionStores,
  createSubscriberSource,
  editionFeedbackConsumer,
  type DynamoDeliveryLedger,
  type DynamoEditionRepository,
} from './adapters/dynamo/editions.js';
import { createSesMailer } from './adapters/ses/mailer.js';
import { createCursorCodec } from './adapters/dynamo/repository.js';
import { createEditorAccessStore, type EditorAccessStore } from './adapters/dynamo/editor-access.js';
import { createSignInLimit, defaultSignInLimits, type SignInLimit, type SignInLimitSettings } from './adapters/http/auth/sign-in-limit.js';
import { createSesLocalEvidence } from './adapters/ses/send-evidence.js';
import { createSourcePoller } from './adapters/feed/poller.js';
import { createFeedBodyCache, withHeadCache, type FeedBodyCache } from './adapters/feed-render/cache.js';
import { createWebSubNotifier } from './adapters/websub.js';
import { createAnalytics, type Analytics } from './core/analytics/service.js';
import { createAnalyticsStore } from './adapters/dynamo/analytics.js';
import { createClickTracking } from './core/analytics/tracked-links.js';
import { createClickRedirect } from './core/analytics/redirect.js';
import { bufferedSink, scheduledSink } from './core/analytics/sinks.js';
import { configureObservability, logger } from './adapters/observability.js';

export type Logger = typeof logger;

/** Ports to the asynchronous parts of the system. In AWS they enqueue to SQS or call the scheduler; locally the
 *  in-process stand-ins keep the same contract (batches, redelivery, partial batch failure). */
export interface BackgroundPorts {
  /** Enqueue message bodies on a named queue (e.g. 'send'). */
  enqueue(queue: string, bodies: string[]): Promise<void>;
  /** Schedule a named job with a JSON payload at a time. */
  schedule(job: string, at: Date, payload: unknown): Promise<void>;
}

/** The planner's job name (one-off schedules and async invokes) and the sender's queue. */
export const planJob = 'plan-edition';
export const sendQueue = 'send';
/** Reclassifying every item after a taxonomy change: a background job of the planner Lambda (async invoke in AWS). */
export const reclassifyJob = 'reclassify-items';
/** How long a process keeps the taxonomy it read before reading it again: another Lambda sees an editor's change
 *  within this bound (the process that made it sees it at once). */
export const taxonomyCacheMs = 5_000;
/** Clicks handed over by the redirect: an async invoke of the planner Lambda in AWS, whose own queue holds them. */
export const countClicksJob = 'count-clicks';

/** For processes that hand nothing to the background (the local scripts): asking it for work is a mistake. */
export const noBackground: BackgroundPorts = {
  enqueue: (queue) => Promise.reject(new Error(`This process has no queue "${queue}"; run it inside npm start or in AWS.`)),
  schedule: (job) => Promise.reject(new Error(`This process has no scheduler for "${job}"; run it inside npm start or in AWS.`)),
};

export const systemClock: Clock = { now: () => new Date() };

/** What a process brings: configuration, its clients and its background ports. */
export interface AppParts {
  config: Config;
  doc: DynamoDBDocumentClient;
  ses: SESv2Client;
  background: BackgroundPorts;
  clock?: Clock;
  /** Compiles newsletters (MJML). Only processes that compile pass it: the sender's bundle must never load MJML. */
  renderer?: EmailRenderer;
  /** Default: SES through `ses`. */
  mailer?: Mailer;
  /** Default: SES local's store when SES_ENDPOINT is set, else the DynamoDB records fed by SES events. */
  evidence?: SendEvidence;
  /** Feed bodies by ETag; `false` turns caching off. Default: an in-memory cache. */
  feedCache?: FeedBodyCache | false;
  /** Limits on guessing the editor token (tests shorten the delay). */
  signInLimits?: Partial<SignInLimitSettings>;
  /** The longest a redirect waits to hand its click over (default 50 ms). */
  clickHandOverBudgetMs?: number;
}

/** Feeds as the HTTP adapter serves them: a reader (scope heads cached for FEED_HEAD_CACHE_MS), rendered bodies
 *  cached by ETag, and the settings every feed is rendered with. */
export interface FeedService {
  reader: ItemReader;
  cache?: FeedBodyCache;
  settings: FeedSettings;
}

export function createFeedService(config: Config, reader: ItemReader, cache: FeedBodyCache | false = createFeedBodyCache()): FeedService {
  return {
    reader: withHeadCache(reader, config.FEED_HEAD_CACHE_MS),
    ...(cache ? { cache } : {}),
    settings: { baseUrl: config.PUBLIC_BASE_URL, pageSize: config.FEED_PAGE_SIZE, ...(config.WEBSUB_HUB_URL ? { hubUrl: config.WEBSUB_HUB_URL } : {}) },
  };
}

/** Ingest as the editor and the schedules use it; every change is announced through `itemsChanged`. */
export interface IngestService {
  poller: Pick<PollDeps, 'fetch' | 'parse'>;
  /** Sources by name. */
  listSources(): Promise<Source[]>;
  addSource(input: SourceInput): Promise<{ id: string; created: boolean }>;
  /** Sources named in configuration (SOURCES), registered once (idempotent). */
  registerConfiguredSources(): Promise<void>;
  pollSource(id: string): Promise<PollResult>;
  editSource(id: string, patch: SourcePatch): Promise<Source>;
  /** Removes a source; its items stay. */
  removeSource(id: string): Promise<void>;
  /** What a poll would ingest from the source (or a URL not yet added), storing nothing. */
  trySource(idOrUrl: { id: string } | { url: string }): ReturnType<typeof trySource>;
  /** Every active source, each isolated from the others' failures. */
  pollAll(): Promise<PollResult[]>;
  importDigest(text: string, sourceUrl: string): ReturnType<typeof importDigest>;
  editItem(input: EditorItemInput): ReturnType<typeof editItem>;
}

export interface App {
  config: Config;
  clock: Clock;
  logger: Logger;
  background: BackgroundPorts;
  doc: DynamoDBDocumentClient;
  ses: SESv2Client;
  repos: {
    items: DynamoItemStore;
    sources: SourceStore;
    subscribers: SubscriberRepo;
    /** Editions, their state and counts. */
    editions: DynamoEditionRepository;
    /** A send's plan, content groups and chunks. */
    progress: SendProgress;
    /** Per-recipient claims and deliveries. */
    deliveries: DynamoDeliveryLedger;
    editorAccess: EditorAccessStore;
    taxonomy: TaxonomyStore;
  };
  /** Failed editor-token attempts, counted and slowed across every instance. */
  signInLimit: SignInLimit;
  mailer: Mailer;
  ingest: IngestService;
  feeds: FeedService;
  /** Needs SIGNING_SECRET (ConfigError on first use without it). */
  readonly subscriptions: SubscriptionService;
  /** Needs the renderer and SIGNING_SECRET. */
  readonly editions: EditionService;
  /** The planner Lambda's dependencies (also the digest's). Needs the renderer. */
  readonly planner: PlannerDeps;
  /** The sender Lambda's dependencies. Needs SIGNING_SECRET. */
  readonly sender: SenderDeps;
  /** SES events (bounces, complaints, deliveries): the subscription service's rules, then the editions' stats. */
  sesFeedback: {
    applyFeedback(summaries: SesEventSummary[]): Promise<FeedbackOutcome[]>;
    onSummaries(summaries: SesEventSummary[]): Promise<void>;
  };
  /** Countries and topics: `reader` is the one port every reader goes through; `editor` is the editor API's service;
   *  `reclassify` is the background job that retags every item after a change. */
  taxonomy: {
    reader: TaxonomyReader;
    editor: TaxonomyService;
    reclassify(): Promise<ReclassifyReport>;
  };
  /** Called after items changed in these feed scopes: pings the WebSub hub (when one is configured). */
  itemsChanged(scopes: readonly string[]): Promise<void>;
  /** Engagement aggregates: counting and reading them. */
  analytics: Analytics;
  /** Follows a click link (needs SIGNING_SECRET). */
  readonly followClick: ReturnType<typeof createClickRedirect>;
  /** Counts clicks handed over in-process now (tests; npm start counts them a moment after answering). */
  flushClicks(): Promise<void>;
}

/** Runs the state-dependent part of a public request and answers no sooner than `floorMs` after it began, so every
 *  state takes the floor (set above the slowest path: see SUBSCRIBE_ANSWER_FLOOR_MS). The work is done before the
 *  answer, not after it: a Lambda is frozen once it has answered. */
function padToFloor(floorMs: number) {
  return async (work: () => Promise<void>) => {
    const started = performance.now();
    await work();
    const left = floorMs - (performance.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  };
}

/** Built on first use, then kept: a process builds only what it uses (the feedback Lambda never compiles MJML). */
function once<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export function composeApp(parts: AppParts): App {
  const { config, doc, ses, background } = parts;
  configureObservability(config);
  const clock = parts.clock ?? systemClock;
  const table = config.TABLE_NAME;

  // Page cursors handed to clients are sealed with a key derived from the signing secret (one key for every instance).
  const cursors = createCursorCodec(config.SIGNING_SECRET);
  const items = createDynamoItemStore(doc, table, cursors);
  const sources = createDynamoSourceStore(doc, table);
  const subscribers = createSubscriberRepo(doc, table, cursors);
  const editorAccess = createEditorAccessStore(doc, table);
  const editionStores = createEditionStores(doc, table);
  const taxonomyStore = createDynamoTaxonomyStore(doc, table);
  const taxonomyReader = createTaxonomyReader({
    store: taxonomyStore,
    clock,
    ttlMs: taxonomyCacheMs,
    defaults: defaultTaxonomy,
    onStale: (error) => logger.warn('taxonomy not read; keeping the one in force', { error: (error as Error).message }),
  });
  // Every entry point reads the taxonomy through the port first, so what classification and rendering read is fresh.
  const withTaxonomy = async <T>(work: () => Promise<T>): Promise<T> => {
    await taxonomyReader.current();
    return work();
  };
  const analytics = createAnalytics({ store: createAnalyticsStore(doc, table), editions: editionStores.editions, items, clock });
  const localClicks = bufferedSink(analytics.countClicks, (error) => logger.error('counting clicks failed', { errorName: error.name, error: error.message }));
  // A Lambda is frozen once it answers: there the click is handed to an async invoke (Lambda's own queue) before the
  // answer; in a long-lived process (npm start) it is counted a moment after it.
  const clickSink = config.SEND_PLANNER_FUNCTION ? scheduledSink((clicks) => background.schedule(countClicksJob, clock.now(), { clicks })) : localClicks;
  const mailer = parts.mailer ?? createSesMailer(ses);
  const oneOffMailer = parts.mailer ?? createSesMailer(ses, { safeRetries: 2 }); // confirmations: nobody else retries them
  const renderer = () => {
    if (!parts.renderer) throw new ConfigError('This process was composed without an email renderer; pass createMjmlRenderer() to composeApp.');
    return parts.renderer;
  };
  const sendEvidence = once(() => parts.evidence ?? (config.SES_ENDPOINT ? createSesLocalEvidence(config.SES_ENDPOINT) : createDynamoSendEvidence(doc, table)));
  const enqueueChunks = (messages: ChunkMessage[]) => background.enqueue(sendQueue, messages.map((m) => JSON.stringify(m)));

  const notifyHub = createWebSubNotifier({ hubUrl: config.WEBSUB_HUB_URL, baseUrl: config.PUBLIC_BASE_URL });
  const itemsChanged = async (scopes: readonly string[]) => {
    if (!notifyHub || scopes.length === 0) return;
    for (const ping of await notifyHub(scopes)) if (!ping.ok) logger.warn('WebSub ping failed', { ...ping });
  };
  const announcing = async <T extends { changedScopes: string[] }>(work: Promise<T>): Promise<T> => {
    const result = await work;
    await itemsChanged(result.changedScopes);
    return result;
  };

  const sourceNotFound = () => notFound('source.notFound', 'No source has this id; list them with GET /api/sources.');
  const mustGetSource = async (id: string) => {
    const source = await sources.get(id);
    if (!source) throw sourceNotFound();
    return source;
  };
  const poller = createSourcePoller(config);
  const pollDeps: PollDeps = { ...poller, items, sources, clock };
  const ingest: IngestService = {
    poller,
    listSources: async () => (await sources.list()).sort((a, b) => a.name.localeCompare(b.name)),
    async addSource(input) {
      const source = newSource(input, clock.now());
      return { id: source.id, created: await sources.create(source) };
    },
    registerConfiguredSources: () => registerSources(config.SOURCES, sources, clock.now()),
    pollSource: (id) => withTaxonomy(async () => announcing(pollSource(await mustGetSource(id), pollDeps))),
    async editSource(id, patch) {
      const source = editSource(await mustGetSource(id), patch);
      if (!(await sources.update(source))) throw sourceNotFound();
      return source;
    },
    async removeSource(id) {
      if (!(await sources.remove(id))) throw sourceNotFound();
    },
    async trySource(which) {
      const url = 'url' in which ? newSource({ url: which.url }, clock.now()).url : (await mustGetSource(which.id)).url;
      return withTaxonomy(() => trySource(url, poller));
    },
    pollAll: () => withTaxonomy(async () => {
      const results = await pollAll(await sources.list(), pollDeps);
      await itemsChanged([...new Set(results.flatMap((r) => r.changedScopes))]);
      return results;
    }),
    importDigest: (text, sourceUrl) => withTaxonomy(() => announcing(importDigest(text, sourceUrl, { items, clock }))),
    editItem: (input) => withTaxonomy(() => announcing(editItem(input, { store: items, clock, editorSourceUrl: config.PUBLIC_BASE_URL }))),
  };

  // Subscriber counters per day: a failure loses a count, never a subscription.
  const subscriberChanged = (change: SubscriberChange) =>
    analytics.subscriberChanged(change, clock.now()).catch((error: Error) => logger.warn('counting a subscriber change failed', { change, errorName: error.name }));

  // Built on first use and only with the signing secret (ConfigError otherwise): the HTTP app and the senders use it;
  // the feedback Lambda, which has no secret, applies SES feedback without it.
  const feedbackRules = createFeedbackRules({ store: subscribers, clock, softBounceLimit: config.SOFT_BOUNCE_LIMIT, log: (event, fields) => logger.info(event, fields), changed: subscriberChanged });
  const subscriptions = once(() => createSubscriptionService({
    store: subscribers,
    mailer: oneOffMailer,
    clock,
    newId: randomUUID,
    evenAnswerTime: padToFloor(config.SUBSCRIBE_ANSWER_FLOOR_MS),
    settings: {
      baseUrl: config.PUBLIC_BASE_URL,
      secret: requireSigningSecret(config),
      sender: config.SENDER_EMAIL,
      wordingVersion: config.CONSENT_WORDING_VERSION,
      ipLimitPerHour: config.SUBSCRIBE_IP_LIMIT_PER_HOUR,
      softBounceLimit: config.SOFT_BOUNCE_LIMIT,
      ...(config.SES_CONFIGURATION_SET ? { configurationSet: config.SES_CONFIGURATION_SET } : {}),
    },
    log: (event, fields) => logger.info(event, fields),
    changed: subscriberChanged,
  }));

  const brand = (): Brand => ({
    name: config.BRAND_NAME,
    color: config.BRAND_COLOR,
    postalAddress: config.POSTAL_ADDRESS,
    ...(config.BRAND_LOGO_URL ? { logoUrl: config.BRAND_LOGO_URL } : {}),
  });

  const editions = once(() => {
    const secret = requireSigningSecret(config);
    return createEditionService({
      editions: editionStores.editions,
      progress: editionStores.progress,
      subscribers: recipients(),
      items,
      renderer: renderer(),
      mailer,
      clock,
      newId: () => randomUUID(),
      publicBaseUrl: config.PUBLIC_BASE_URL,
      brand: brand(),
      from: config.SENDER_EMAIL,
      configurationSet: config.SES_CONFIGURATION_SET,
      schedulePlan: (at, payload) => background.schedule(planJob, at, payload),
      enqueue: enqueueChunks,
      // A test send's links carry a token for no subscriber: following them changes nothing.
      testLinks: (now, language) => subscriberLinks('test-send', { baseUrl: config.PUBLIC_BASE_URL, secret, now, mailto: config.UNSUBSCRIBE_MAILTO, language }),
    });
  });

  const recipients = once(() => createSubscriberSource(doc, table, subscribers));

  const planner = once(
    (): PlannerDeps => ({
      editions: editionStores.editions,
      progress: editionStores.progress,
      subscribers: recipients(),
      items,
      renderer: renderer(),
      queue: { enqueue: enqueueChunks },
      clock,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      brand: brand(),
      chunkSize: config.SEND_CHUNK_SIZE,
    }),
  );

  const sender = once((): SenderDeps => {
    const secret = requireSigningSecret(config);
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    return {
      ...editionStores,
      subscribers: recipients(),
      mailer,
      evidence: sendEvidence(),
      bucket: createSenderBucket({ rate: config.SES_MAX_SEND_RATE, now: () => Date.now(), sleep }),
      clock,
      sleep,
      links: (subscriber, now, editionId, language) => editionLinks(subscriber, editionId, { baseUrl: config.PUBLIC_BASE_URL, secret, now, mailto: config.UNSUBSCRIBE_MAILTO, language }),
      from: config.SENDER_EMAIL,
      configurationSet: config.SES_CONFIGURATION_SET,
      inDoubtAfterMs: config.SEND_IN_DOUBT_AFTER_SECONDS * 1000,
      maxReceiveCount: config.SEND_QUEUE_URL ? config.SEND_QUEUE_MAX_RECEIVE_COUNT : config.LOCAL_QUEUE_MAX_RECEIVE_COUNT,
      maxBounceRate: config.SEND_MAX_BOUNCE_RATE,
      maxComplaintRate: config.SEND_MAX_COMPLAINT_RATE,
      analytics: {
        tracking: createClickTracking({ enabled: config.CLICK_TRACKING === 'on', publicBaseUrl: config.PUBLIC_BASE_URL, secret }),
        recordSent: (editionId, sent) => analytics.recordSent(editionId, sent),
      },
    };
  });

  const followClick = once(() =>
    createClickRedirect({
      secret: requireSigningSecret(config),
      publicBaseUrl: config.PUBLIC_BASE_URL,
      linkOf: itemLinks(items),
      sink: clickSink,
      clock,
      counting: config.CLICK_TRACKING === 'on',
      handOverBudgetMs: parts.clickHandOverBudgetMs ?? 50,
      onHandOverFailed: (reason) => logger.warn('click not handed over; it goes uncounted', { reason }),
    }),
  );

  const feeds = createFeedService(config, items, parts.feedCache);

  const taxonomy: App['taxonomy'] = {
    reader: taxonomyReader,
    editor: createTaxonomyService({
      store: taxonomyStore,
      reader: taxonomyReader,
      items,
      subscribers,
      clock,
      reclassifyLater: () => background.schedule(reclassifyJob, clock.now(), {}),
      scopesChanged: itemsChanged,
    }),
    async reclassify() {
      const report = await reclassifyItems({ items, sources, clock }, await taxonomyReader.reload());
      await itemsChanged(report.changedScopes);
      return report;
    },
  };

  return {
    config,
    clock,
    logger,
    background,
    doc,
    ses,
    repos: { items, sources, subscribers, ...editionStores, editorAccess, taxonomy: taxonomyStore },
    signInLimit: createSignInLimit(editorAccess, clock, { ...defaultSignInLimits, ...parts.signInLimits }),
    mailer,
    ingest,
    feeds,
    get subscriptions() {
      return subscriptions();
    },
    get editions() {
      return editions();
    },
    get planner() {
      return planner();
    },
    get sender() {
      return sender();
    },
    sesFeedback: {
      applyFeedback: (summaries) => feedbackRules.applyFeedback(summaries),
      // The same events settle in-doubt send claims, feed each edition's bounce and complaint rates, and count its
      // deliveries and opens.
      onSummaries: async (summaries) => {
        await editionFeedbackConsumer(editionStores)(summaries);
        await analytics.countMailEvents(summaries);
      },
    },
    itemsChanged,
    taxonomy,
    analytics,
    get followClick() {
      return followClick();
    },
    flushClicks: () => localClicks.flush(),
  };
}

/** Item links by id, kept a few minutes per process: a newsletter's links are followed many times over. */
function itemLinks(items: Pick<ItemReader, 'get'>, ttlMs = 5 * 60_000, max = 2000) {
  const cache = new Map<string, { link: string | undefined; until: number }>();
  return async (itemId: string) => {
    const hit = cache.get(itemId);
    if (hit && hit.until > performance.now()) return hit.link;
    const link = (await items.get(itemId))?.link;
    if (cache.size >= max) cache.clear();
    cache.set(itemId, { link, until: performance.now() + ttlMs });
    return link;
  };
}
