// What every route module is built from: configuration and the process-wide infrastructure clients. Route modules
// build their own repositories and services from this, so adding a concern never edits another's wiring.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { Config } from '../../config.js';

import type { Clock } from '../../core/shared/ports.js';
export type { Clock };

export interface AppContext {
  config: Config;
  doc: DynamoDBDocumentClient;
  tableName: string;
  ses: SESv2Client;
  clock: Clock;
  /** Runs work that AWS would run asynchronously (queue, scheduler); locally an in-process stand-in. */
  background: BackgroundPorts;
}

/** Ports to the asynchronous parts of the system. In AWS they enqueue to SQS or call the scheduler; locally the
 *  in-process stand-ins keep the same contract (batches, redelivery, partial batch failure). */
export interface BackgroundPorts {
  /** Enqueue message bodies on a named queue (e.g. 'send'). */
  enqueue(queue: string, bodies: string[]): Promise<void>;
  /** Schedule a named job with a JSON payload at a time. */
  schedule(job: string, at: Date, payload: unknown): Promise<void>;
  /** Called after items changed in these feed scopes (e.g. to ping a WebSub hub). */
  itemsChanged?(scopes: string[]): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };
