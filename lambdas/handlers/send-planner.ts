// Lambda: the send planner, invoked when an editor sends now (async invoke) or when a one-off schedule fires
// (EventBridge Scheduler), with `{job: 'plan-edition', payload: {editionId, scheduledAt?}}`. Pages confirmed subscribers
// in parallel shards, compiles each content group once (MJML) and enqueues chunks on the send queue. Safe to re-run.
// With `{job: 'sweep'}` (an EventBridge schedule every 5 minutes) it runs the recovery sweep instead: sends that
// stopped moving are planned on from their cursors, and their unfinished chunks enqueued again.
// With `{job: 'reclassify-items'}` (an async invoke after an editor changed the taxonomy) it retags every item.
// With `{job: 'count-clicks', payload: {clicks}}` (an async invoke from the redirect, so Lambda's own queue holds the
// clicks and the redirect never waits on counting) it counts clicks into the editions' aggregates.
import { planEdition, type PlanResult, type PlannerDeps } from '../core/editions/planner.js';
import { sweepEditions, type SweepResult } from '../core/editions/sweep.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { createMjmlRenderer } from '../adapters/mjml/renderer.js';
import { logger } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';
import { countClicksJob, reclassifyJob, type App } from '../composition-root.js';
import type { ReclassifyReport } from '../core/ingest/reclassify.js';
import type { ClickEvent } from '../core/analytics/ports.js';

export type PlannerEvent = { job?: string; payload?: { editionId: string; scheduledAt?: string } } | { editionId: string; scheduledAt?: string };
export type CountClicksEvent = { job: typeof countClicksJob; payload: { clicks: ClickEvent[] } };

/** The sweep's job name (the EventBridge schedule's input in AWS; a timer locally). */
export const sweepJob = 'sweep';
/** A send with no delivery claimed or settled for this long is taken as stopped (past a chunk's retries). */
export const staleSendMs = 10 * 60_000;

/** The planner's other jobs, each with the part of the App it needs. */
export interface PlannerJobs {
  taxonomy?: Pick<App['taxonomy'], 'reader' | 'reclassify'>;
  analytics?: Pick<App['analytics'], 'countClicks'>;
}

export function makeHandler(deps: PlannerDeps, { taxonomy, analytics }: PlannerJobs = {}) {
  async function handle(event: { job: typeof sweepJob }): Promise<SweepResult[]>;
  async function handle(event: { job: typeof reclassifyJob }): Promise<ReclassifyReport>;
  async function handle(event: CountClicksEvent): Promise<{ counted: number }>;
  async function handle(event: PlannerEvent): Promise<PlanResult>;
  async function handle(event: PlannerEvent | CountClicksEvent): Promise<PlanResult | SweepResult[] | ReclassifyReport | { counted: number }> {
    logger.setCorrelationId(randomUUID()); // one id per planning run
    if ('job' in event && event.job === countClicksJob) {
      if (!analytics) throw new Error('This planner was built without analytics; it cannot count clicks.');
      const clicks = (event as CountClicksEvent).payload?.clicks ?? [];
      await analytics.countClicks(clicks);
      return { counted: clicks.length };
    }
    event = event as PlannerEvent;
    if ('job' in event && event.job === sweepJob) {
      const resumed = await sweepEditions({ ...deps, staleAfterMs: staleSendMs }, deps.clock.now());
      for (const r of resumed) logger.info('stopped send resumed', { ...r });
      return resumed;
    }
    if ('job' in event && event.job === reclassifyJob) {
      if (!taxonomy) throw new Error('This planner was built without the taxonomy; pass app.taxonomy to makeHandler.');
      const report = await taxonomy.reclassify();
      logger.info('items reclassified', { scanned: report.scanned, changed: report.changed });
      return report;
    }
    // Segments and the newsletter's country names follow the taxonomy as it is now.
    await taxonomy?.reader.current();
    const input = 'editionId' in event ? event : event.payload;
    if (!input?.editionId) throw new Error('The planner needs {"editionId"} (or {"job","payload":{"editionId"}}).');
    const result = await planEdition(deps, input.editionId, { scheduledAt: input.scheduledAt });
    logger.info('edition planned', { ...result });
    return result;
  }
  return handle;
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: PlannerEvent | CountClicksEvent): Promise<PlanResult | SweepResult[] | ReclassifyReport | { counted: number }> => {
  if (!cold) {
    const app = await composeAwsApp({ renderer: createMjmlRenderer() });
    cold = makeHandler(app.planner, { taxonomy: app.taxonomy, analytics: app.analytics });
  }
  return cold(event as PlannerEvent);
};
