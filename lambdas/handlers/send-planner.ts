// Lambda: the send planner, invoked when an editor sends now (async invoke) or when a one-off schedule fires
// (EventBridge Scheduler), with `{job: 'plan-edition', payload: {editionId, scheduledAt?}}`. Pages confirmed subscribers
// in parallel shards, compiles each content group once (MJML) and enqueues chunks on the send queue. Safe to re-run.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import { planEdition, type PlanResult, type PlannerDeps } from '../core/editions/planner.js';
import type { ChunkMessage } from '../core/editions/ports.js';
import type { Clock } from '../core/shared/ports.js';
import type { ItemReader } from '../core/items/ports.js';
import type { EmailRenderer } from '../core/editions/newsletter.js';
import { createEditionStores, createSubscriberSource } from '../adapters/dynamo/editions.js';
import { createSubscriberRepo } from '../adapters/dynamo/subscribers.js';
import { createDynamoItemStore } from '../adapters/dynamo/items.js';
import { createMjmlRenderer } from '../adapters/mjml/renderer.js';
import { logger } from '../adapters/observability.js';
import { randomUUID } from 'node:crypto';

export const planJob = 'plan-edition';
export const sendQueue = 'send';

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

export interface PlannerWiring {
  config: Config;
  doc: DynamoDBDocumentClient;
  enqueue: (queue: string, bodies: string[]) => Promise<void>;
  clock?: Clock;
  renderer?: EmailRenderer;
  items?: ItemReader;
}

export function plannerDeps(w: PlannerWiring): PlannerDeps {
  return {
    ...createEditionStores(w.doc, w.config.TABLE_NAME),
    subscribers: createSubscriberSource(w.doc, w.config.TABLE_NAME, createSubscriberRepo(w.doc, w.config.TABLE_NAME)),
    items: w.items ?? createDynamoItemStore(w.doc, w.config.TABLE_NAME),
    renderer: w.renderer ?? createMjmlRenderer(),
    queue: { enqueue: (messages: ChunkMessage[]) => w.enqueue(sendQueue, messages.map((m) => JSON.stringify(m))) },
    clock: w.clock ?? { now: () => new Date() },
    publicBaseUrl: w.config.PUBLIC_BASE_URL,
    chunkSize: w.config.SEND_CHUNK_SIZE,
  };
}

/** The planner's dependencies in AWS (config and secrets from SSM, the SQS queue); shared with the digest Lambda. */
export async function awsPlannerDeps(): Promise<PlannerDeps> {
  const { loadAwsConfig, awsContext } = await import('../adapters/aws-runtime.js');
  const ctx = awsContext(await loadAwsConfig());
  return plannerDeps({ config: ctx.config, doc: ctx.doc, enqueue: ctx.background.enqueue });
}

let cold: ReturnType<typeof makeHandler> | undefined;
export const handler = async (event: PlannerEvent): Promise<PlanResult> => (cold ??= makeHandler(await awsPlannerDeps()))(event);
