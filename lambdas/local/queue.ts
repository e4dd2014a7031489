// An in-process stand-in for an SQS queue feeding a Lambda, keeping SQS's contract where it matters to handlers:
// batches of up to 10 messages; a received message is invisible for the visibility timeout and comes back unless the
// handler succeeded for it; a handler that throws fails the whole batch; `batchItemFailures` (ReportBatchItemFailures)
// fails only the messages it names; a message received `maxReceiveCount` times and failed again goes to the DLQ.
// Delivery is at least once, as with SQS: handlers must be idempotent (the sender is).
// Given a journal (durable-queue.ts), every change of a message's state is written there before it takes effect, so a
// new process can take the queue over where the last one stopped; without one the queue lives in memory (tests, bench).
import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from '../adapters/observability.js';

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
  /** Called once messages have moved to the dead-letter queue (an alarm on the DLQ's depth, in AWS). */
  onDeadLetter?: (messages: StoredMessage[]) => void;
  /** Where messages are kept durably; `restored` is what it held when this process started. */
  journal?: QueueJournal;
  restored?: { live: StoredMessage[]; dead: StoredMessage[] };
}

/** A message as the queue keeps it (and as a journal stores it). */
export interface StoredMessage {
  messageId: string;
  body: string;
  receiveCount: number;
  visibleAt: number;
  sentAt: number;
}

/** One message as Lambda's SQS event source mapping hands it to a function (the attributes it passes). */
export function sqsRecord(
  m: Pick<StoredMessage, 'messageId' | 'body' | 'receiveCount' | 'sentAt'>,
  at: { queueArn: string; region: string; senderId: string },
): SQSRecord {
  return {
    messageId: m.messageId,
    receiptHandle: `${m.messageId}#${m.receiveCount}`,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      SenderId: at.senderId,
      ApproximateFirstReceiveTimestamp: String(m.sentAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: at.queueArn,
    awsRegion: at.region,
  };
}

/** Durable record of a queue: each call resolves once the change is stored. */
export interface QueueJournal {
  /** Sent, or received (receive count and visibility changed). */
  save(messages: StoredMessage[]): Promise<void>;
  /** Handled: deleted for good. */
  remove(messageIds: string[]): Promise<void>;
  /** Moved to the dead-letter queue, kept. */
  deadLetter(messages: StoredMessage[]): Promise<void>;
}

export interface LocalQueue {
  readonly name: string;
  send(bodies: string[]): Promise<void>;
  start(): void;
  /** Stops polling; in-flight batches finish, or after `graceMs` are left to come back after their visibility timeout. */
  stop(graceMs?: number): Promise<void>;
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
  const journal = options.journal;
  const messages = new Map<string, StoredMessage>((options.restored?.live ?? []).map((m) => [m.messageId, m]));
  const dlq: StoredMessage[] = [...(options.restored?.dead ?? [])];
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

  /** `receivedAs`: each message's receive count when this batch took it. A handler slower than the visibility timeout
   *  overlaps the message's next receive; only the failure of its last receive dead-letters it (the one the sender
   *  records as dead-lettered), not an earlier receive that happens to fail after it. */
  const fail = async (failed: StoredMessage[], receivedAs: Map<string, number>) => {
    const dead = failed.filter((m) => messages.has(m.messageId) && (receivedAs.get(m.messageId) ?? m.receiveCount) >= maxReceives);
    // the others stay invisible until their visibility timeout ends, then are received again
    if (dead.length === 0) return;
    await journal?.deadLetter(dead);
    for (const m of dead) {
      messages.delete(m.messageId);
      dlq.push(m);
    }
    options.onDeadLetter?.(dead);
  };

  const settle = async (batch: StoredMessage[], failedIds: Set<string>, receivedAs: Map<string, number>) => {
    const done = batch.filter((m) => !failedIds.has(m.messageId) && messages.has(m.messageId));
    if (done.length) await journal?.remove(done.map((m) => m.messageId));
    for (const m of done) if (messages.delete(m.messageId)) deleted++;
    await fail(batch.filter((m) => failedIds.has(m.messageId)), receivedAs);
  };

  const toRecord = (m: StoredMessage): SQSRecord =>
    sqsRecord(m, { queueArn: `arn:aws:sqs:local:000000000000:${options.name}`, region: 'local', senderId: 'local' });

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
      const receivedAs = new Map(batch.map((m) => [m.messageId, m.receiveCount]));
      inFlight += batch.length;
      received += batch.length;
      try {
        // The receipt is stored before the handler runs: a crash from here on brings the batch back after its
        // visibility timeout, with its receive count.
        await journal?.save(batch);
        let failedIds: Set<string>;
        try {
          const result = await options.handler({ Records: batch.map(toRecord) });
          failedIds = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch {
          failedIds = new Set(batch.map((m) => m.messageId)); // the whole batch comes back
        }
        await settle(batch, failedIds, receivedAs);
      } catch (error) {
        // The journal could not be written: the messages come back after their visibility timeout (at least once).
        logger.error('local queue could not record a batch', { queue: options.name, error: (error as Error).message });
      } finally {
        inFlight -= batch.length;
      }
    }
  };

  return {
    name: options.name,
    async send(bodies) {
      const at = now();
      const sent: StoredMessage[] = [];
      for (const body of bodies) {
        if (Buffer.byteLength(body) > 256 * 1024) throw new Error(`Message over SQS's 256 KB limit on queue ${options.name}.`);
        sent.push({ messageId: randomUUID(), body, receiveCount: 0, visibleAt: at, sentAt: at });
      }
      await journal?.save(sent); // stored before the sender is told it was sent
      for (const m of sent) messages.set(m.messageId, m);
      wake();
    },
    start() {
      if (running) return;
      running = true;
      for (let i = 0; i < (options.concurrency ?? 2); i++) workers.push(worker());
    },
    async stop(graceMs = Infinity) {
      running = false;
      wake();
      const finished = Promise.all(workers.splice(0));
      if (graceMs === Infinity) return void (await finished);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([finished, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
      clearTimeout(timer);
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
