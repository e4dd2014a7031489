// Lambda: the sender, an SQS consumer with ReportBatchItemFailures. Each message is one chunk of recipients; a chunk
// that must be retried (throttled past its retries, or claims still in doubt) is reported as a failure so SQS brings
// it back after the visibility timeout, while the batch's other messages are deleted; one that fails on its last
// receive is recorded as dead-lettered on its edition (the queue moves it to its DLQ). This file and what it imports
// never load MJML: the planner compiled every content group, the sender only merges.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processChunk, type SenderDeps } from '../core/editions/sender.js';
import type { ChunkMessage } from '../core/editions/ports.js';
import { composeAwsApp } from '../adapters/aws-runtime.js';
import { logger, publishCounts } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';

export function makeHandler(deps: SenderDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    logger.setCorrelationId(event.Records[0]?.messageId ?? randomUUID()); // one id per batch
    const failures: string[] = [];
    const sent = { EmailsSent: 0, EmailsSuppressed: 0, EmailsFailed: 0, EmailsInDoubt: 0 };
    await Promise.all(
      event.Records.map(async (record) => {
        const lastReceive = deps.maxReceiveCount !== undefined && Number(record.attributes.ApproximateReceiveCount) >= deps.maxReceiveCount;
        let message: ChunkMessage | undefined;
        const failed = async () => {
          failures.push(record.messageId);
          if (lastReceive && message) await deps.progress.recordDeadLetter(message, deps.clock.now());
        };
        try {
          message = JSON.parse(record.body) as ChunkMessage;
          const report = await processChunk(deps, message);
          if (report.outcome === 'retry') await failed();
          sent.EmailsSent += report.tally.sent;
          sent.EmailsSuppressed += report.tally.suppressed;
          sent.EmailsFailed += report.tally.failed;
          sent.EmailsInDoubt += report.tally.inDoubt;
          logger[report.outcome === 'done' ? 'debug' : 'info']('chunk handled', { editionId: message.editionId, chunkId: message.chunkId, outcome: report.outcome, ...report.tally, receiveCount: record.attributes.ApproximateReceiveCount });
        } catch (error) {
          await failed().catch(() => undefined); // the store is down: the sweep finds the chunk unfinished later
          logger.error('chunk failed', { messageId: record.messageId, errorName: (error as Error).name, error: (error as Error).message });
        }
      }),
    );
    publishCounts({ ...sent, ChunksRetried: failures.length });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  // Cold start: the App without a renderer (the sender never compiles).
  cold ??= makeHandler((await composeAwsApp()).sender);
  return cold(event);
};
