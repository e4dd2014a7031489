import { describe, expect, it } from 'vitest';
import { editEdition, editionView, newEdition, nextState, resolveItems, selectionOf, zeroCounts, type EditionState } from '../../lambdas/core/editions/model.js';
import { createTokenBucket } from '../../lambdas/core/editions/token-bucket.js';
import { isRecipient } from '../../lambdas/core/editions/planner.js';
import { createLocalQueue } from '../../lambdas/local/queue.js';
import { createLocalScheduler } from '../../lambdas/local/scheduler.js';
import { DomainError } from '../../lambdas/core/shared/errors.js';
import type { ItemReader } from '../../lambdas/core/items/ports.js';
import { aSubscriber, anItem } from '../support/editions-fixtures.js';

const now = new Date('2026-11-27T12:00:00.000Z');

describe('edition state machine', () => {
  const cases: Array<[EditionState, Parameters<typeof nextState>[1], EditionState | 'conflict']> = [
    ['draft', 'start', 'sending'],
    ['draft', 'schedule', 'scheduled'],
    ['scheduled', 'start', 'sending'],
    ['scheduled', 'schedule', 'scheduled'],
    ['sending', 'pause', 'paused'],
    ['paused', 'resume', 'sending'],
    ['sending', 'complete', 'sent'],
    ['paused', 'cancel', 'cancelled'],
    ['draft', 'pause', 'conflict'],
    ['sent', 'start', 'conflict'],
    ['sent', 'cancel', 'conflict'],
    ['cancelled', 'resume', 'conflict'],
    ['sending', 'start', 'conflict'],
    ['paused', 'complete', 'conflict'],
  ];
  for (const [from, action, to] of cases) {
    it(`${from} --${action}--> ${to}`, () => {
      if (to === 'conflict') {
        expect(() => nextState(from, action)).toThrow(DomainError);
        try {
          nextState(from, action);
        } catch (error) {
          expect((error as DomainError).code).toBe('edition.invalidTransition');
          expect((error as DomainError).kind).toBe('conflict');
        }
      } else expect(nextState(from, action)).toBe(to);
    });
  }

  it('only drafts and scheduled editions can be edited', () => {
    const draft = newEdition({ subject: ' Hello ' }, { id: 'e1', now });
    expect(draft.subject).toBe('Hello');
    expect(editEdition(draft, { subject: 'New' }, now).subject).toBe('New');
    expect(() => editEdition({ ...draft, state: 'sending' }, { subject: 'x' }, now)).toThrow(/only a draft/);
  });

  it('chooses items by ids, by a time, or since the last edition', () => {
    expect(selectionOf({ itemIds: ['a', 'b', 'a'] })).toEqual({ kind: 'items', itemIds: ['a', 'b'] });
    expect(selectionOf({ since: '2026-11-01T00:00:00Z' })).toEqual({ kind: 'since', since: '2026-11-01T00:00:00.000Z' });
    expect(selectionOf({})).toEqual({ kind: 'sinceLastEdition' });
  });

  it('resolves "since" by paging newest first and stopping at the bound', async () => {
    const all = [3, 2, 1].map((d) => anItem({ id: `i${d}`, publishedAt: `2026-11-0${d}T00:00:00.000Z` }));
    const reader: ItemReader = {
      get: async (id) => all.find((i) => i.id === id),
      getMany: async (ids) => all.filter((i) => ids.includes(i.id)),
      listScope: async (_s, { cursor }) => (cursor ? { items: all.slice(2) } : { items: all.slice(0, 2), cursor: 'next' }),
      getScopeHead: async () => undefined,
    };
    expect((await resolveItems({ kind: 'since', since: '2026-11-01T12:00:00.000Z' }, reader, undefined)).map((i) => i.id)).toEqual(['i3', 'i2']);
    expect((await resolveItems({ kind: 'sinceLastEdition' }, reader, undefined)).map((i) => i.id)).toEqual(['i3', 'i2', 'i1']);
    await expect(resolveItems({ kind: 'items', itemIds: ['i1', 'zz'] }, reader, undefined)).rejects.toThrow(/zz/);
  });

  it('the view reports the rate over the sending time and the progress', () => {
    const edition = { ...newEdition({ subject: 's' }, { id: 'e', now }), state: 'sending' as const, sendStartedAt: '2026-11-27T12:00:00.000Z' };
    const view = editionView({ edition, counts: { ...zeroCounts(), planned: 100, sent: 50 } }, new Date('2026-11-27T12:00:10.000Z'));
    expect(view.rate).toBe(5);
    expect(view.progress).toBe(0.5);
  });

  it('an edition goes to confirmed, unpaused subscribers of its frequency in its audience', () => {
    const edition = { ...newEdition({ subject: 's', audience: { languages: ['es'] } }, { id: 'e', now }) };
    expect(isRecipient(edition, aSubscriber({ id: 'a', language: 'es' }))).toBe(true);
    expect(isRecipient(edition, aSubscriber({ id: 'b', language: 'en' }))).toBe(false);
    expect(isRecipient(edition, aSubscriber({ id: 'c', language: 'es', frequency: 'weekly' }))).toBe(false);
    expect(isRecipient(edition, aSubscriber({ id: 'd', language: 'es', paused: true }))).toBe(false);
    expect(isRecipient(edition, aSubscriber({ id: 'e', language: 'es', status: 'unsubscribed' }))).toBe(false);
  });
});

describe('token bucket', () => {
  it('lets a burst through, then holds to the rate', async () => {
    let t = 0;
    const slept: number[] = [];
    const bucket = createTokenBucket({ rate: 10, now: () => t, sleep: async (ms) => { slept.push(ms); t += ms; } });
    for (let i = 0; i < 10; i++) await bucket.take();
    expect(slept).toEqual([]);
    for (let i = 0; i < 20; i++) await bucket.take();
    expect(t).toBeGreaterThanOrEqual(2000);
    expect(t).toBeLessThan(2200);
  });
});

describe('local SQS stand-in', () => {
  it('batches up to 10, redelivers failed messages after the visibility timeout, and dead-letters after maxReceiveCount', async () => {
    const seen: number[] = [];
    const receives = new Map<string, number>();
    const queue = createLocalQueue({
      name: 't',
      visibilityTimeoutMs: 20,
      maxReceiveCount: 3,
      concurrency: 1,
      handler: async (event) => {
        seen.push(event.Records.length);
        const failures = [];
        for (const r of event.Records) {
          receives.set(r.body, (receives.get(r.body) ?? 0) + 1);
          if (r.body === 'poison') failures.push({ itemIdentifier: r.messageId });
          if (r.body === 'flaky' && receives.get('flaky') === 1) failures.push({ itemIdentifier: r.messageId });
        }
        return { batchItemFailures: failures };
      },
    });
    await queue.send([...Array.from({ length: 13 }, (_, i) => `m${i}`), 'poison', 'flaky']);
    queue.start();
    await queue.drained(5000);
    await queue.stop();
    expect(Math.max(...seen)).toBe(10);
    expect(receives.get('m0')).toBe(1);
    expect(receives.get('flaky')).toBe(2);
    expect(receives.get('poison')).toBe(3);
    expect(queue.deadLetters().map((d) => d.body)).toEqual(['poison']);
  });

  it('a handler that throws fails the whole batch, which comes back', async () => {
    let calls = 0;
    const queue = createLocalQueue({
      name: 't2',
      visibilityTimeoutMs: 10,
      concurrency: 1,
      handler: async () => {
        calls++;
        if (calls === 1) throw new Error('crash');
      },
    });
    await queue.send(['a', 'b']);
    queue.start();
    await queue.drained(5000);
    await queue.stop();
    expect(calls).toBe(2);
    expect(queue.stats()).toMatchObject({ received: 4, deleted: 2, dlq: 0 });
  });
});

describe('local scheduler stand-in', () => {
  it('runs a job at its time with {job, payload}, retrying a failure', async () => {
    const runs: unknown[] = [];
    let fail = 1;
    const scheduler = createLocalScheduler({
      retryBaseMs: 5,
      jobs: {
        'plan-edition': async (input) => {
          if (fail-- > 0) throw new Error('flaky');
          runs.push(input);
        },
      },
    });
    await scheduler.schedule('plan-edition', new Date(Date.now() + 30), { editionId: 'e1' });
    expect(runs).toEqual([]);
    await scheduler.idle(2000);
    expect(runs).toEqual([{ job: 'plan-edition', payload: { editionId: 'e1' } }]);
    expect(scheduler.failures()).toEqual([]);
  });
});
