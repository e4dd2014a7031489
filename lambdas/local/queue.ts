// An in-process stand-in for an SQS queue feeding a Lambda, keeping SQS's contract where it matters to handlers:
// batches of up to 10 messages; a received message is invisible for the visibility timeout and comes back unless the
// handler succeeded for it; a handler that throws fails the whole batch; `batchItemFailures` (ReportBatchItemFailures)
// fails only the messages it names; a message received `maxReceiveCount` times and failed again goes to the DLQ.
// Delivery is at least once, as with SQS: handlers must be idempotent (the sender is).
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type QueueHandler = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface LocalQueueOptions {
  name: string;
  handler: QueueHandler;
  batchSize?: number;
  visibilityTimeoutMs?: number;
  maxReceiveCount?: number;
  /** Concurrent handler invocations (Lambda's maximum concurrency on the event source mapping). */
  concurrency?: number;
  /** How often an idle poller looks again. */
  pollIntervalMs?: number;
  now?: () => number;
}

interface StoredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
  sentAt: number;
}

export interface LocalQueue {
  readonly name: string;
  send(bodies: string[]): Promise<void>;
  start(): void;
  /** Stops polling; in-flight batches finish. */
  stop(): Promise<void>;
  /** Resolves when no message is waiting or in flight (DLQ'd messages do not count). */
  drained(timeoutMs?: number): Promise<void>;
  stats(): { waiting: number; inFlight: number; received: number; deleted: number; dlq: number };
  /** Messages moved to the dead-letter queue, with their receive counts. */
  deadLetters(): Array<{ messageId: string; body: string; receiveCount: number }>;
}

export function createLocalQueue(options: LocalQueueOptions): LocalQueue {
  const batchSize = Math.min(10, Math.max(1, options.batchSize ?? 10));
  const visibilityMs = options.visibilityTimeoutMs ?? 30_000;
  const maxReceives = options.maxReceiveCount ?? 5;
  const pollMs = options.pollIntervalMs ?? 10;
  const now = options.now ?? Date.now;
  const messages = new Map<string, StoredMessage>();
  const dlq: StoredMessage[] = [];
  let running = false;
  let inFlight = 0;
  let received = 0;
  let deleted = 0;
  const workers: Promise<void>[] = [];
  const wakers = new Set<() => void>();
  const wake = () => {
    for (const w of wakers) w();
  };

  const receive = (): StoredMessage[] => {
    const at = now();
    const batch: StoredMessage[] = [];
    for (const m of messages.values()) {
      if (m.visibleAt > at) continue;
      m.receiveCount++;
      m.visibleAt = at + visibilityMs;
      batch.push(m);
      if (batch.length >= batchSize) break;
    }
    return batch;
  };

  const fail = (m: StoredMessage) => {
    if (!messages.has(m.messageId)) return;
    if (m.receiveCount >= maxReceives) {
      messages.delete(m.messageId);
      dlq.push(m);
    }
    // otherwise it stays invisible until its visibility timeout ends, then is received again
  };

  const toRecord = (m: StoredMessage): SQSRecord => ({
    messageId: m.messageId,
    receiptHandle: `${m.messageId}#${m.receiveCount}`,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: String(m.sentAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:local:000000000000:${options.name}`,
    awsRegion: 'local',
  });

  const worker = async () => {
    while (running) {
      const batch = receive();
      if (batch.length === 0) {
        await new Promise<void>((resolve) => {
          const done = () => {
            wakers.delete(done);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(done, pollMs);
          wakers.add(done);
        });
        continue;
      }
      inFlight += batch.length;
      received += batch.length;
      try {
        const result = await options.handler({ Records: batch.map(toRecord) });
        const failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        for (const m of batch) {
          if (failed.has(m.messageId)) fail(m);
          else if (messages.delete(m.messageId)) deleted++;
        }
      } catch {
        for (const m of batch) fail(m); // the whole batch comes back
      } finally {
        inFlight -= batch.length;
      }
    }
  };

  return {
    name: options.name,
    async send(bodies) {
      const at = now();
      for (const body of bodies) {
        if (Buffer.byteLength(body) > 256 * 1024) throw new Error(`Message over SQS's 256 KB limit on queue ${options.name}.`);
        const messageId = randomUUID();
        messages.set(messageId, { messageId, body, receiveCount: 0, visibleAt: at, sentAt: at });
      }
      wake();
    },
    start() {
      if (running) return;
      running = true;
      for (let i = 0; i < (options.concurrency ?? 2); i++) workers.push(worker());
    },
    async stop() {
      running = false;
      wake();
      await Promise.all(workers.splice(0));
    },
    async drained(timeoutMs = 60_000) {
      const deadline = now() + timeoutMs;
      while (messages.size > 0 || inFlight > 0) {
        if (now() > deadline) throw new Error(`Queue ${options.name} did not drain within ${timeoutMs} ms (${messages.size} waiting).`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    stats: () => ({ waiting: messages.size - inFlight, inFlight, received, deleted, dlq: dlq.length }),
    deadLetters: () => dlq.map((m) => ({ messageId: m.messageId, body: m.body, receiveCount: m.receiveCount })),
  };
}
