// The local queue and scheduler on DynamoDB Local keep SQS's and EventBridge Scheduler's contracts across a crash:
// a new process (here: a new instance on the same table, the old one abandoned mid-batch) takes up the work.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { createDocumentClient } from '../../lambdas/adapters/dynamo/client.js';
import { createDurableQueue } from '../../lambdas/local/durable-queue.js';
import { createDurableScheduler } from '../../lambdas/local/durable-scheduler.js';
import { readPartition } from '../../lambdas/local/work-table.js';
import { inject } from 'vitest';

const doc = () => createDocumentClient({ region: 'us-east-1', endpoint: inject('dynamoEndpoint') });
const freshWorkTable = () => `work-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('durable local queue', () => {
  it('keeps the SQS contract: batches of at most 10, partial batch failures, receive count, dead letters kept', async () => {
    const workTable = freshWorkTable();
    const receives = new Map<string, number[]>();
    const sizes: number[] = [];
    const handler = async (event: SQSEvent) => {
      sizes.push(event.Records.length);
      const failures = [];
      for (const r of event.Records) {
        receives.set(r.body, [...(receives.get(r.body) ?? []), Number(r.attributes.ApproximateReceiveCount)]);
        if (r.body === 'poison') failures.push({ itemIdentifier: r.messageId });
        if (r.body === 'flaky' && receives.get('flaky')!.length === 1) failures.push({ itemIdentifier: r.messageId });
      }
      return { batchItemFailures: failures };
    };
    const queue = await createDurableQueue({ doc: doc(), workTable, name: 'q', handler, visibilityTimeoutMs: 50, maxReceiveCount: 3, concurrency: 1 });
    await queue.send([...Array.from({ length: 13 }, (_, i) => `m${i}`), 'poison', 'flaky']);
    queue.start();
    await queue.drained(10_000);
    await queue.stop();

    expect(Math.max(...sizes)).toBe(10);
    expect(receives.get('m0')).toEqual([1]);
    expect(receives.get('flaky')).toEqual([1, 2]);
    expect(receives.get('poison')).toEqual([1, 2, 3]);
    expect(queue.deadLetters()).toEqual([expect.objectContaining({ body: 'poison', receiveCount: 3 })]);
    // Handled messages are gone from the table; the dead letter is kept there, and a later process still has it.
    const rows = await readPartition(doc(), workTable, 'queue#q');
    expect(rows.map((r) => [r.body, r.state])).toEqual([['poison', 'dead']]);
    const later = await createDurableQueue({ doc: doc(), workTable, name: 'q', handler, visibilityTimeoutMs: 50 });
    expect(later.deadLetters().map((d) => d.body)).toEqual(['poison']);
    expect(later.stats()).toMatchObject({ waiting: 0, dlq: 1 });
  });

  it('after a crash, a new process gets waiting messages at once and a received, undeleted one after its visibility timeout', async () => {
    const workTable = freshWorkTable();
    // The first process receives one message and dies inside the handler (its batch never settles).
    let crashedWith: string[] = [];
    const first = await createDurableQueue({
      doc: doc(),
      workTable,
      name: 'q',
      batchSize: 1,
      concurrency: 1,
      visibilityTimeoutMs: 1500,
      handler: (event) => {
        crashedWith = event.Records.map((r) => r.body);
        return new Promise(() => undefined);
      },
    });
    await first.send(['a', 'b', 'c']);
    first.start();
    while (crashedWith.length === 0) await sleep(5);
    await first.stop(0);
    const crashedAt = Date.now();

    const seen: Array<{ body: string; receiveCount: number; at: number }> = [];
    const second = await createDurableQueue({
      doc: doc(),
      workTable,
      name: 'q',
      visibilityTimeoutMs: 1500,
      handler: async (event) => {
        for (const r of event.Records) seen.push({ body: r.body, receiveCount: Number(r.attributes.ApproximateReceiveCount), at: Date.now() });
      },
    });
    second.start();
    await second.drained(10_000);
    await second.stop();

    expect(crashedWith).toEqual(['a']);
    expect(seen.map((s) => s.body).sort()).toEqual(['a', 'b', 'c']);
    const redelivered = seen.find((s) => s.body === 'a')!;
    expect(redelivered.receiveCount).toBe(2);
    expect(redelivered.at - crashedAt).toBeGreaterThan(1000); // not before the visibility timeout
    expect(seen.find((s) => s.body === 'b')!.at - crashedAt).toBeLessThan(1000); // waiting ones: at once
    expect(await readPartition(doc(), workTable, 'queue#q')).toEqual([]);
  });
});

describe('durable local scheduler', () => {
  it('fires at start a schedule whose time passed while no process ran, once, and keeps one that failed for good', async () => {
    const workTable = freshWorkTable();
    const runs: unknown[] = [];
    const jobs = {
      'plan-edition': async (input: { job: string; payload: unknown }) => {
        runs.push(input);
      },
      broken: async () => {
        throw new Error('planner exploded');
      },
    };
    const first = await createDurableScheduler({ doc: doc(), workTable, jobs });
    await first.schedule('plan-edition', new Date(Date.now() + 200), { editionId: 'e1' });
    first.stop(); // the service stops before the schedule's time
    await sleep(300);
    expect(runs).toEqual([]);

    const second = await createDurableScheduler({ doc: doc(), workTable, jobs, retries: 1, retryBaseMs: 5 });
    await second.schedule('broken', new Date(), {});
    await second.idle(5000);
    expect(runs).toEqual([{ job: 'plan-edition', payload: { editionId: 'e1' } }]);
    expect(second.failures()).toEqual([{ job: 'broken', payload: {}, error: 'planner exploded' }]);

    const third = await createDurableScheduler({ doc: doc(), workTable, jobs });
    await third.idle(5000);
    expect(runs).toHaveLength(1); // ran once: nothing pending is left
    expect(third.failures()).toEqual([{ job: 'broken', payload: {}, error: 'planner exploded' }]);
  });
});
