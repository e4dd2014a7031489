// Lambda: the scheduled ingest (EventBridge Scheduler, every 15 minutes). Polls every source; a failing source is
// recorded against itself and never stops the others.
import type { PollResult } from '../core/ingest/sources.js';
import type { IngestService } from '../composition-root.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { logger, publishCounts } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';

export function makeHandler({ ingest }: { ingest: Pick<IngestService, 'registerConfiguredSources' | 'pollAll'> }) {
  let registered: Promise<void> | undefined;
  return async (_event?: unknown): Promise<{ results: PollResult[] }> => {
    logger.setCorrelationId(randomUUID()); // one id per ingest run
    // Sources named in configuration (SOURCES) are registered on the first run, so they are polled like the others.
    registered ??= ingest.registerConfiguredSources().catch((error) => {
      registered = undefined; // try again next run
      throw error;
    });
    await registered;
    // Changed feed scopes are announced (WebSub) by the ingest service itself.
    const results = await ingest.pollAll();
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

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: unknown) => (cold ??= makeHandler(await composeAwsApp()))(event);
