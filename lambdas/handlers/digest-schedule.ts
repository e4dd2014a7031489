// Lambda: the automatic digests, on two EventBridge Scheduler crons (daily, and weekly on Mondays) with input
// `{"frequency":"daily"|"weekly"}`. Creates the period's digest edition (idempotent by period) when there is anything
// new, and plans it through the same pipeline as an editor's send.
import { runDigest, type DigestResult } from '../core/editions/scheduled-digests.js';
import { digestFrequencies, type DigestFrequency } from '../core/subscriptions/model.js';
import type { PlannerDeps } from '../core/editions/planner.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { createMjmlRenderer } from '../adapters/mjml/renderer.js';
import { logger } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';

export type DigestEvent = { frequency: DigestFrequency } | { job?: string; payload?: { frequency: DigestFrequency } };

export function makeHandler(deps: PlannerDeps) {
  return async (event: DigestEvent): Promise<DigestResult> => {
    logger.setCorrelationId(randomUUID()); // one id per run, on every log line of it
    const frequency = 'frequency' in event ? event.frequency : event.payload?.frequency;
    if (!frequency || !digestFrequencies.includes(frequency)) throw new Error('The digest needs {"frequency":"daily"|"weekly"}.');
    const result = await runDigest(deps, frequency);
    logger.info('digest run', { frequency, editionId: result.editionId, created: result.created, items: result.items, planned: result.plan?.planned, skipped: result.plan?.skipped });
    return result;
  };
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: DigestEvent): Promise<DigestResult> => (cold ??= makeHandler((await composeAwsApp({ renderer: createMjmlRenderer() })).planner))(event);
