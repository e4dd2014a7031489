// Lambda: SES events (bounce, complaint, delivery, reject, send) delivered through SNS from the configuration set's
// event destination. Hard bounce or complaint → suppressed at once; soft bounces counted and suppressed past
// SOFT_BOUNCE_LIMIT; an address we do not know is handled without error. Locally, `scripts/ses-event.ts` feeds the
// same handler an SNS-shaped JSON file.
import { randomUUID } from 'node:crypto';
import type { Mailer } from '../core/shared/ports.js';
import type { Clock } from '../core/shared/ports.js';
import { loadConfig } from '../config.js';
import { createDocumentClient } from '../adapters/dynamo/client.js';
import { createSubscriberRepo } from '../adapters/dynamo/subscribers.js';
import { logger, publishCounts } from '../adapters/observability.js';
import { sesSummariesFromSns } from '../adapters/ses/events.js';
import { createSubscriptionService, type FeedbackOutcome } from '../core/subscriptions/service.js';
import type { SesEventSummary, SubscriberStore } from '../core/subscriptions/model.js';
import { createEditionStores, editionFeedbackConsumer } from '../adapters/dynamo/editions.js';

export interface SesFeedbackDeps {
  store: SubscriberStore;
  clock: Clock;
  softBounceLimit: number;
  /** Extra consumers of the per-recipient summaries (e.g. newsletters' edition stats, keyed by the `edition` tag). */
  onSummaries?: (summaries: SesEventSummary[]) => Promise<void>;
}

export interface SesFeedbackResult {
  records: number;
  /** Records whose Message was not an SES event. */
  skipped: number;
  outcomes: FeedbackOutcome[];
}

const noMail: Mailer = {
  send: () => Promise.reject(new Error('The SES feedback handler never sends email.')),
};

export function makeHandler(deps: SesFeedbackDeps) {
  const service = createSubscriptionService({
    store: deps.store,
    mailer: noMail,
    clock: deps.clock,
    newId: randomUUID,
    settings: { baseUrl: 'http://unused', secret: '', sender: 'unused@example.org', wordingVersion: '', ipLimitPerHour: 1, softBounceLimit: deps.softBounceLimit },
  });
  return async (event: unknown): Promise<SesFeedbackResult> => {
    logger.setCorrelationId(randomUUID()); // one id per SNS batch
    const { records, skipped, summaries } = sesSummariesFromSns(event);
    const outcomes = await service.applyFeedback(summaries);
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

const defaults = (): SesFeedbackDeps => {
  const config = loadConfig();
  const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT });
  return {
    store: createSubscriberRepo(doc, config.TABLE_NAME),
    clock: { now: () => new Date() },
    softBounceLimit: config.SOFT_BOUNCE_LIMIT,
    // The same events settle in-doubt send claims and feed each edition's bounce and complaint rates.
    onSummaries: editionFeedbackConsumer(createEditionStores(doc, config.TABLE_NAME)),
  };
};

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = (event: unknown) => (cold ??= makeHandler(defaults()))(event);
