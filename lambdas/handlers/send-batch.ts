// Lambda: the sender, an SQS consumer with ReportBatchItemFailures. Each message is one chunk of recipients; a chunk
// that must be retried (throttled past its retries, or claims still in doubt) is reported as a failure so SQS brings
// it back after the visibility timeout, while the batch's other messages are deleted. This file and what it imports
// never load MJML: the planner compiled every content group, the sender only merges.
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config } from '../config.js';
import { processChunk, type SenderDeps } from '../core/editions/sender.js';
import { createTokenBucket } from '../core/editions/token-bucket.js';
import type { ChunkMessage, SendEvidence } from '../core/editions/ports.js';
import type { Clock, Mailer } from '../core/shared/ports.js';
import { subscriberLinks } from '../core/subscriptions/links.js';
import { createEditionStores, createDynamoSendEvidence, createSubscriberSource } from '../adapters/dynamo/editions.js';
import { createSubscriberRepo } from '../adapters/dynamo/subscribers.js';
import { createSesMailer } from '../adapters/ses/mailer.js';
import { createSesLocalEvidence } from '../adapters/ses/send-evidence.js';
import { logger, publishCounts } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';

export function makeHandler(deps: SenderDeps) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    logger.setCorrelationId(event.Records[0]?.messageId ?? randomUUID()); // one id per batch
    const failures: string[] = [];
    const sent = { EmailsSent: 0, EmailsSuppressed: 0, EmailsFailed: 0, EmailsInDoubt: 0 };
    await Promise.all(
      event.Records.map(async (record) => {
        try {
          const message = JSON.parse(record.body) as ChunkMessage;
          const report = await processChunk(deps, message);
          if (report.outcome === 'retry') failures.push(record.messageId);
          sent.EmailsSent += report.tally.sent;
          sent.EmailsSuppressed += report.tally.suppressed;
          sent.EmailsFailed += report.tally.failed;
          sent.EmailsInDoubt += report.tally.inDoubt;
          logger[report.outcome === 'done' ? 'debug' : 'info']('chunk handled', { editionId: message.editionId, chunkId: message.chunkId, outcome: report.outcome, ...report.tally, receiveCount: record.attributes.ApproximateReceiveCount });
        } catch (error) {
          failures.push(record.messageId);
          logger.error('chunk failed', { messageId: record.messageId, errorName: (error as Error).name, error: (error as Error).message });
        }
      }),
    );
    publishCounts({ ...sent, ChunksRetried: failures.length });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

export interface SenderWiring {
  config: Config;
  doc: DynamoDBDocumentClient;
  ses: SESv2Client;
  clock?: Clock;
  mailer?: Mailer;
  evidence?: SendEvidence;
}

/** The sender's dependencies from configuration and clients (Lambda cold start, local runtime, tests, bench). */
export function senderDeps(w: SenderWiring): SenderDeps {
  const { config } = w;
  if (!config.SIGNING_SECRET) throw new Error('SIGNING_SECRET is not set; the sender signs every unsubscribe and preference link with it.');
  const secret = config.SIGNING_SECRET;
  const clock = w.clock ?? { now: () => new Date() };
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  return {
    ...createEditionStores(w.doc, config.TABLE_NAME),
    subscribers: createSubscriberSource(w.doc, config.TABLE_NAME, createSubscriberRepo(w.doc, config.TABLE_NAME)),
    mailer: w.mailer ?? createSesMailer(w.ses),
    evidence: w.evidence ?? (config.SES_ENDPOINT ? createSesLocalEvidence(config.SES_ENDPOINT) : createDynamoSendEvidence(w.doc, config.TABLE_NAME)),
    bucket: createTokenBucket({ rate: config.SES_MAX_SEND_RATE, now: () => Date.now(), sleep }),
    clock,
    sleep,
    links: (subscriberId, now) => subscriberLinks(subscriberId, { baseUrl: config.PUBLIC_BASE_URL, secret, now, mailto: config.UNSUBSCRIBE_MAILTO }),
    from: config.SENDER_EMAIL,
    configurationSet: config.SES_CONFIGURATION_SET,
    inDoubtAfterMs: config.SEND_IN_DOUBT_AFTER_SECONDS * 1000,
    maxBounceRate: config.SEND_MAX_BOUNCE_RATE,
    maxComplaintRate: config.SEND_MAX_COMPLAINT_RATE,
  };
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  if (!cold) {
    const { loadAwsConfig, awsContext } = await import('../adapters/aws-runtime.js');
    const ctx = awsContext(await loadAwsConfig());
    cold = makeHandler(senderDeps({ config: ctx.config, doc: ctx.doc, ses: ctx.ses }));
  }
  return cold(event);
};
