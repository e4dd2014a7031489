// Lambda: the send planner, invoked when an editor sends now (async invoke) or when a one-off schedule fires
// (EventBridge Scheduler), with `{job: 'plan-edition', payload: {editionId, scheduledAt?}}`. Pages confirmed subscribers
// in parallel shards, compiles each content group once (MJML) and enqueues chunks on the send queue. Safe to re-run.
import { planEdition, type PlanResult, type PlannerDeps } from '../core/editions/planner.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { createMjmlRenderer } from '../adapters/mjml/renderer.js';
import { logger } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';

export type PlannerEvent = { job?: string; payload?: { editionId: string; scheduledAt?: string } } | { editionId: string; scheduledAt?: string };

export function makeHandler(deps: PlannerDeps) {
  return async (event: PlannerEvent): Promise<PlanResult> => {
    logger.setCorrelationId(randomUUID()); // one id per planning run
    const input = 'editionId' in event ? event : event.payload;
    if (!input?.editionId) throw new Error('The planner needs {"editionId"} (or {"job","payload":{"editionId"}}).');
    const result = await planEdition(deps, input.editionId, { scheduledAt: input.scheduledAt });
    logger.info('edition planned', { ...result });
    return result;
  };
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: PlannerEvent): Promise<PlanResult> => (cold ??= makeHandler((await composeAwsApp({ renderer: createMjmlRenderer() })).planner))(event);
