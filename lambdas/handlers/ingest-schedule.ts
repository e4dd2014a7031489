// Lambda: the scheduled ingest (EventBridge Scheduler, every 15 minutes). Polls every source; a failing source is
// recorded against itself and never stops the others.
import type { Clock } from '../core/shared/ports.js';
import { pollAll, registerSources, type PollDeps, type PollResult, type SourceInput, type SourceStore } from '../core/ingest/sources.js';
import type { IngestStore } from '../core/ingest/ingest.js';
import { loadConfig } from '../config.js';
import { createDocumentClient } from '../adapters/dynamo/client.js';
import { createDynamoItemStore } from '../adapters/dynamo/items.js';
import { createDynamoSourceStore } from '../adapters/dynamo/sources.js';
import { createSourcePoller } from '../adapters/feed/poller.js';
import { logger, publishCounts } from '../adapters/observability.js';
import { createWebSubNotifier } from '../adapters/websub.js';
import { randomUUID } from 'node:crypto';

export interface IngestHandlerDeps {
  poller: Pick<PollDeps, 'fetch' | 'parse'>;
  items: IngestStore;
  sources: SourceStore;
  clock: Clock;
  /** Sources named in configuration (SOURCES): registered on the first run, so they are polled like the others. */
  configuredSources?: readonly SourceInput[];
  /** Told which feed scopes changed (WebSub pings, cache invalidation). */
  itemsChanged?(scopes: string[]): Promise<void>;
}

export function makeHandler(deps: IngestHandlerDeps) {
  let registered: Promise<void> | undefined;
  return async (_event?: unknown): Promise<{ results: PollResult[] }> => {
    logger.setCorrelationId(randomUUID()); // one id per ingest run
    registered ??= registerSources(deps.configuredSources ?? [], deps.sources, deps.clock.now()).catch((error) => {
      registered = undefined; // try again next run
      throw error;
    });
    await registered;
    const results = await pollAll(await deps.sources.list(), { ...deps.poller, items: deps.items, sources: deps.sources, clock: deps.clock });
    const changed = [...new Set(results.flatMap((r) => r.changedScopes))];
    if (changed.length) await deps.itemsChanged?.(changed);
    for (const r of results) {
      logger.info('source polled', { sourceId: r.sourceId, status: r.status, counts: r.counts, error: r.error?.code });
    }
    const total = (key: keyof PollResult['counts']) => results.reduce((n, r) => n + r.counts[key], 0);
    publishCounts({
      ItemsNew: total('new'),
      ItemsUpdated: total('updated'),
      ItemsUnchanged: total('unchanged'),
      ItemsRejected: total('rejected'),
      SourceErrors: results.filter((r) => r.status === 'error').length,
    });
    return { results };
  };
}

const defaults = (): IngestHandlerDeps => {
  const config = loadConfig();
  const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT });
  const notifyHub = createWebSubNotifier({ hubUrl: config.WEBSUB_HUB_URL, baseUrl: config.PUBLIC_BASE_URL });
  return {
    poller: createSourcePoller(config),
    items: createDynamoItemStore(doc, config.TABLE_NAME),
    sources: createDynamoSourceStore(doc, config.TABLE_NAME),
    clock: { now: () => new Date() },
    configuredSources: config.SOURCES,
    itemsChanged: async (scopes) => {
      for (const ping of (await notifyHub?.(scopes)) ?? []) if (!ping.ok) logger.warn('WebSub ping failed', { ...ping });
    },
  };
};

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = (event: unknown) => (cold ??= makeHandler(defaults()))(event);
