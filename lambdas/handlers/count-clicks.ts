// Lambda: the click counter, an SQS consumer. The redirect hands each click to the queue before it answers (a Lambda is
// frozen once it has answered); this counts a batch at a time into the edition's aggregates. A batch that fails is
// retried whole: a retried batch may count its clicks twice, which the docs accept (totals, not a ledger).
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { App } from '../composition-root.js';
import type { ClickEvent } from '../core/analytics/ports.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { logger, publishCounts } from '../adapters/observability.js';

export function makeHandler(deps: Pick<App['analytics'], 'countClicks'>) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    logger.setCorrelationId(event.Records[0]?.messageId ?? randomUUID());
    const clicks: ClickEvent[] = [];
    for (const record of event.Records) {
      try {
        clicks.push(JSON.parse(record.body) as ClickEvent);
      } catch {
        logger.warn('click message is not JSON; dropped', { messageId: record.messageId });
      }
    }
    try {
      await deps.countClicks(clicks);
    } catch (error) {
      logger.error('counting clicks failed; the batch comes back', { errorName: (error as Error).name, error: (error as Error).message });
      return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) };
    }
    publishCounts({ ClicksCounted: clicks.filter((c) => !c.machine).length, ClicksFiltered: clicks.filter((c) => c.machine).length });
    return { batchItemFailures: [] };
  };
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => (cold ??= makeHandler((await composeAwsApp()).analytics))(event);
