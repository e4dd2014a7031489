// Lambda: SES events (bounce, complaint, delivery, reject, send) delivered through SNS from the configuration set's
// event destination. Hard bounce or complaint → suppressed at once; soft bounces counted and suppressed past
// SOFT_BOUNCE_LIMIT; an address we do not know is handled without error. Locally, `scripts/ses-event.ts` feeds the
// same handler an SNS-shaped JSON file.
import { randomUUID } from 'node:crypto';
import type { App } from '../composition-root.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { logger, publishCounts } from '../adapters/observability.js';
import { sesSummariesFromSns } from '../adapters/ses/events.js';
import type { FeedbackOutcome } from '../core/subscriptions/service.js';

/** The subscription service's feedback rules, and further consumers of the per-recipient summaries (newsletters'
 *  edition stats, keyed by the `edition` tag). */
export type SesFeedbackDeps = Pick<App['sesFeedback'], 'applyFeedback'> & Partial<Pick<App['sesFeedback'], 'onSummaries'>>;

export interface SesFeedbackResult {
  records: number;
  /** Records whose Message was not an SES event. */
  skipped: number;
  outcomes: FeedbackOutcome[];
}

export function makeHandler(deps: SesFeedbackDeps) {
  return async (event: unknown): Promise<SesFeedbackResult> => {
    logger.setCorrelationId(randomUUID()); // one id per SNS batch
    const { records, skipped, summaries } = sesSummariesFromSns(event);
    const outcomes = await deps.applyFeedback(summaries);
    if (deps.onSummaries && summaries.length) await deps.onSummaries(summaries);
    logger.info('ses feedback applied', {
      records,
      skipped,
      suppressed: outcomes.filter((o) => o.action === 'suppressed').length,
      softBounces: outcomes.filter((o) => o.action === 'softBounceCounted').length,
      ignored: outcomes.filter((o) => o.action === 'ignored').length,
    });
    publishCounts({
      Bounces: summaries.filter((x) => x.type === 'Bounce').length,
      Complaints: summaries.filter((x) => x.type === 'Complaint').length,
      AddressesSuppressed: outcomes.filter((o) => o.action === 'suppressed').length,
    });
    return { records, skipped, outcomes };
  };
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: unknown) => (cold ??= makeHandler((await composeAwsApp()).sesFeedback))(event);
