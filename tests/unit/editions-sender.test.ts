// The sender's decisions on in-memory ports with a fake clock: claims, the in-doubt bound, evidence, throttling,
// refusals. Faults are thrown as SES's SDK throws them and classified by the SES mailer's own mapping. (The same paths run on DynamoDB Local and SES local in tests/integration/send.test.ts.)
import { describe, expect, it } from 'vitest';
import { newEdition, type Edition } from '../../lambdas/core/editions/model.js';
import type { ChunkMessage, Delivery, DeliveryLedger, SendEvidence, SubscriberSource } from '../../lambdas/core/editions/ports.js';
import { processChunk, resumeEdition, type SenderDeps } from '../../lambdas/core/editions/sender.js';
import { mergeMarker, type ContentGroup } from '../../lambdas/core/editions/newsletter.js';
import type { OutgoingEmail } from '../../lambdas/core/shared/ports.js';
import { aSubscriber } from '../support/editions-fixtures.js';
import { sesSendFailure } from '../../lambdas/adapters/ses/mailer.js';


function world() {
  let t = Date.parse('2026-11-27T12:00:00.000Z');
  const clock = { now: () => new Date(t), advance: (ms: number) => (t += ms) };
  const edition: Edition = { ...newEdition({ subject: 'S', itemIds: ['i'] }, { id: 'ed', now: clock.now() }), state: 'sending' };
  const [u, p] = [mergeMarker('n0', 'unsubscribe_url'), mergeMarker('n0', 'preferences_url')];
  const group: ContentGroup = { key: 'g', language: 'en', itemIds: ['i'], subject: 'S', html: `<a href="${u}">u</a> <a href="${p}">p</a>`, text: `u ${u} p ${p}`, mergeNonce: 'n0' };
  const deliveries = new Map<string, Delivery>();
  const done = new Set<string>();
  // The ledger is what counts: each recipient's settled status, as the DynamoDB ledger's counter shards record it.
  const counts = {
    get sent() { return [...deliveries.values()].filter((d) => d.status === 'sent').length; },
    get suppressed() { return [...deliveries.values()].filter((d) => d.status === 'suppressed').length; },
    get failed() { return [...deliveries.values()].filter((d) => d.status === 'failed').length; },
    toJSON() { return { sent: this.sent, suppressed: this.suppressed, failed: this.failed }; },
  };
  const editions: SenderDeps['editions'] = {
    get: async () => edition,
    transition: async () => undefined,
    feedback: async () => ({ bounces: 0, complaints: 0 }),
    counts: async () => ({ planned: 0, skipped: 0, inDoubt: 0, ...counts.toJSON() }),
  };
  const ledger: DeliveryLedger = {
    async claim(_e: string, s: string, token: string, now: Date) {
      const row = deliveries.get(s);
      if (row && row.status !== 'released') return { claimed: false as const, existing: { ...row } };
      deliveries.set(s, { editionId: 'ed', subscriberId: s, status: 'claimed', claimToken: token, claimedAt: now.toISOString(), attempts: (row?.attempts ?? 0) + 1 });
      return { claimed: true as const };
    },
    async reclaim(_e: string, s: string, old: string, token: string, now: Date) {
      const row = deliveries.get(s)!;
      if (row.status !== 'claimed' || row.claimToken !== old) return false;
      Object.assign(row, { claimToken: token, claimedAt: now.toISOString(), attempts: row.attempts + 1 });
      return true;
    },
    async markSent(_e: string, s: string, token: string, messageId: string) {
      const row = deliveries.get(s)!;
      if (row.status !== 'claimed' || row.claimToken !== token) return false;
      Object.assign(row, { status: 'sent', messageId });
      return true;
    },
    async release(_e: string, s: string, token: string) {
      const row = deliveries.get(s)!;
      if (row.claimToken === token && row.status === 'claimed') row.status = 'released';
    },
    async markFailed(_e: string, s: string, token: string, reason: string) {
      const row = deliveries.get(s)!;
      if (row.claimToken === token && row.status === 'claimed') Object.assign(row, { status: 'failed', reason });
    },
    async markSuppressed(_e: string, s: string, reason: string) {
      const row = deliveries.get(s);
      if (!row || row.status === 'released') deliveries.set(s, { editionId: 'ed', subscriberId: s, status: 'suppressed', attempts: 0, reason });
      return deliveries.get(s)!;
    },
    listDeliveries: async () => [...deliveries.values()],
  };
  const progress: SenderDeps['progress'] = {
    getGroup: async () => group,
    async finishChunk(_e: string, chunkId: string) {
      done.add(chunkId);
    },
    tryComplete: async () => false,
    park: async () => undefined,
    unpark: async () => false,
    recordDeadLetter: async () => undefined,
  };
  const subscribers = new Map(['a', 'b', 'c'].map((id) => [id, aSubscriber({ id })]));
  const source: SubscriberSource = { listConfirmedShard: async () => ({ subscribers: [] }), getMany: async (ids) => new Map(ids.map((id) => [id, subscribers.get(id)!])), isSuppressed: async () => false };
  const accepted = new Map<string, string>(); // what "SES" accepted: subscriber → message id
  const outbox: OutgoingEmail[] = [];
  const evidence: SendEvidence = { accepted: async (_e, ids) => new Map([...accepted].filter(([s]) => ids.includes(s))) };
  let fault: (email: OutgoingEmail) => void = () => undefined;
  const deps: SenderDeps = {
    editions,
    progress,
    deliveries: ledger,
    subscribers: source,
    evidence,
    mailer: {
      async send(email) {
        try {
          fault(email);
        } catch (error) {
          throw sesSendFailure(error);
        }
        outbox.push(email);
        const id = `m${outbox.length}`;
        accepted.set(email.tags!.subscriber!, id);
        return { messageId: id };
      },
    },
    bucket: { take: async () => undefined },
    clock,
    sleep: async () => undefined,
    links: () => ({ preferencesUrl: 'https://x/p', unsubscribeUrl: 'https://x/u', viewUrl: 'https://x/v', headers: [] }),
    from: 'news@example.org',
    inDoubtAfterMs: 10 * 60_000,
    concurrency: 1,
  };
  const chunk: ChunkMessage = { editionId: 'ed', chunkId: 'c0', recipients: ['a', 'b', 'c'].map((s) => ({ s, g: 'g' })) };
  return { clock, deps, deliveries, outbox, accepted, counts, chunk, subscribers, setFault: (f: typeof fault) => (fault = f) };
}

describe('sender decisions', () => {
  it('sends each recipient once and settles the chunk; a redelivered chunk sends nothing', async () => {
    const w = world();
    expect((await processChunk(w.deps, w.chunk)).outcome).toBe('done');
    expect((await processChunk(w.deps, w.chunk)).sesCalls).toBe(0);
    expect(w.outbox.map((m) => m.to)).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
    expect(w.counts.toJSON()).toEqual({ sent: 3, suppressed: 0, failed: 0 });
  });

  it('a claim in doubt that SES accepted is settled from its record; one it did not is retried only after the bound', async () => {
    const w = world();
    let calls = 0;
    w.setFault((email) => {
      calls++;
      if (email.to.startsWith('b@')) throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }); // unknown outcome, not accepted
    });
    w.deps.mailer = { send: ((send) => async (email: OutgoingEmail) => {
      const out = await send(email);
      if (email.to.startsWith('a@') && calls === 1) throw new Error('timeout after SES accepted'); // accepted, answer lost
      return out;
    })(w.deps.mailer.send) };
    const first = await processChunk(w.deps, w.chunk);
    expect(first.outcome).toBe('retry');
    expect(first.tally).toMatchObject({ sent: 1, inDoubt: 2 });

    w.setFault(() => undefined);
    w.clock.advance(60_000); // inside the bound: a is confirmed by SES's record, b waits
    const second = await processChunk(w.deps, w.chunk);
    expect(second).toMatchObject({ outcome: 'retry', sesCalls: 0, tally: { sent: 2, inDoubt: 1 } });
    expect(w.deliveries.get('a')).toMatchObject({ status: 'sent', attempts: 1 });

    w.clock.advance(10 * 60_000); // past the bound: b is retried once
    const third = await processChunk(w.deps, w.chunk);
    expect(third).toMatchObject({ outcome: 'done', sesCalls: 1, tally: { sent: 3, inDoubt: 0 } });
    expect(w.deliveries.get('b')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(w.outbox.filter((m) => m.to === 'a@example.org')).toHaveLength(1);
    expect(w.counts.sent).toBe(3);
  });

  it('throttling past the retries releases the claim so a later delivery can send; the rest of the chunk is settled', async () => {
    const w = world();
    let throttles = 0;
    w.setFault((email) => {
      if (email.to.startsWith('c@') && throttles < 5) {
        throttles++;
        throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
      }
    });
    const first = await processChunk(w.deps, w.chunk);
    expect(first).toMatchObject({ outcome: 'retry', tally: { sent: 2, pending: 1 } });
    expect(w.deliveries.get('c')?.status).toBe('released');
    const second = await processChunk(w.deps, w.chunk);
    expect(second).toMatchObject({ outcome: 'done', tally: { sent: 3 } });
    expect(w.outbox).toHaveLength(3);
  });

  it('a subscriber who left is suppressed; a permanent refusal fails; another 4xx is retried later', async () => {
    const w = world();
    w.subscribers.set('a', aSubscriber({ id: 'a', status: 'unsubscribed' }));
    let paused = true;
    w.setFault((email) => {
      if (email.to.startsWith('b@')) throw Object.assign(new Error('rejected'), { name: 'MessageRejected', $metadata: { httpStatusCode: 400 } });
      if (email.to.startsWith('c@') && paused) throw Object.assign(new Error('paused'), { name: 'SendingPausedException', $metadata: { httpStatusCode: 400 } });
    });
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'retry', tally: { suppressed: 1, failed: 1, pending: 1 } });
    paused = false;
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'done', tally: { suppressed: 1, failed: 1, sent: 1 } });
    expect(w.counts.toJSON()).toEqual({ sent: 1, suppressed: 1, failed: 1 });
  });

  it('SES unreachable (connection refused) is not "in doubt": backed off, then released and sent on the chunk\'s next delivery, once each', async () => {
    const w = world();
    let refusals = 0;
    w.setFault(() => {
      if (refusals++ < 7) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8005'), { code: 'ECONNREFUSED', syscall: 'connect', $metadata: {} });
    });
    const first = await processChunk(w.deps, w.chunk);
    expect(first).toMatchObject({ outcome: 'retry', tally: { inDoubt: 0, pending: 1, sent: 2 } });
    expect(w.deliveries.get('a')?.status).toBe('released');
    // No waiting for the in-doubt bound: the released claim is taken again at once.
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'done', tally: { sent: 3, inDoubt: 0 } });
    expect(w.outbox.map((m) => m.to).sort()).toEqual(['a@example.org', 'b@example.org', 'c@example.org'].sort());
  });

  it('the store failing between claim and send releases the claim (SES never called); the chunk sends it next time', async () => {
    const w = world();
    const get = w.deps.editions.get;
    let failures = 1;
    // The state check before the SES call reads the edition: make that read fail once, after the claim.
    w.deps.stateCheckMs = 0;
    w.deps.editions = { ...w.deps.editions, get: async (id) => (w.deliveries.size > 0 && failures-- > 0 ? Promise.reject(new Error('connect ECONNREFUSED dynamodb')) : get(id)) };
    const first = await processChunk(w.deps, w.chunk);
    expect(first).toMatchObject({ outcome: 'retry', tally: { pending: 1, inDoubt: 0 }, sesCalls: 2 });
    expect([...w.deliveries.values()].filter((d) => d.status === 'claimed')).toHaveLength(0);
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'done', tally: { sent: 3 } });
    expect(w.outbox).toHaveLength(3);
  });

  it('the store failing to claim leaves the recipient pending (not stuck), and the rest of the chunk is sent', async () => {
    const w = world();
    const claim = w.deps.deliveries.claim;
    let failures = 1;
    w.deps.deliveries = { ...w.deps.deliveries, claim: (...args) => (args[1] === 'b' && failures-- > 0 ? Promise.reject(new Error('ProvisionedThroughputExceeded')) : claim(...args)) };
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'retry', tally: { sent: 2, pending: 1 } });
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'done', tally: { sent: 3 } });
    expect(w.outbox).toHaveLength(3);
  });

  it('recording "sent" failing after SES accepted keeps the claim in doubt; the next delivery settles it from SES\'s records without mailing again', async () => {
    const w = world();
    const markSent = w.deps.deliveries.markSent;
    let failures = 1;
    w.deps.deliveries = { ...w.deps.deliveries, markSent: (...args) => (args[1] === 'c' && failures-- > 0 ? Promise.reject(new Error('connect ECONNREFUSED dynamodb')) : markSent(...args)) };
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'retry', tally: { sent: 2, inDoubt: 1 } });
    expect(w.deliveries.get('c')?.status).toBe('claimed');
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'done', tally: { sent: 3 } });
    expect(w.deliveries.get('c')?.status).toBe('sent');
    expect(w.outbox).toHaveLength(3);
  });

  it('takes its token before the claim, and a fresh one when a slow state check held it up: sends released together by a check do not leave as a wave', async () => {
    const w = world();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const slowEditions = { ...w.deps.editions, get: async (id: string) => (reads++ > 0 ? stalled.then(() => w.deps.editions.get(id)) : w.deps.editions.get(id)) };
    const claim = w.deps.deliveries.claim.bind(w.deps.deliveries);
    const deps: SenderDeps = {
      ...w.deps,
      editions: slowEditions,
      stateCheckEvery: 1,
      bucket: { take: async () => void log.push('token') },
      deliveries: { ...w.deps.deliveries, claim: async (...args: Parameters<DeliveryLedger['claim']>) => (log.push('claim'), claim(...args)) },
      mailer: { send: async (email) => (log.push('ses'), w.deps.mailer.send(email)) },
    };
    const run = processChunk(deps, { ...w.chunk, recipients: [{ s: 'a', g: 'g' }] });
    await new Promise((resolve) => setTimeout(resolve, 10));
    w.clock.advance(300); // the state check took 300 ms
    release();
    expect(await run).toMatchObject({ tally: { sent: 1 } });
    expect(log).toEqual(['token', 'claim', 'token', 'ses']);
  });

  it('a sender stalled past half the bound (before calling SES) gives its claim up, so a second sender taking over after the bound mails nobody twice', async () => {
    const w = world();
    w.deps.inDoubtAfterMs = 2_000;
    // Sender A claims a, then stalls on the edition's state check for longer than the bound (a loaded machine, a long
    // GC, a slow store).
    let release: () => void = () => undefined;
    const stalled = new Promise<void>((resolve) => (release = resolve));
    const chunkA: ChunkMessage = { ...w.chunk, recipients: [{ s: 'a', g: 'g' }] };
    let reads = 0;
    const stallingEditions = { ...w.deps.editions, get: async (id: string) => (reads++ > 0 ? stalled.then(() => w.deps.editions.get(id)) : w.deps.editions.get(id)) };
    const a = processChunk({ ...w.deps, editions: stallingEditions, stateCheckEvery: 1 }, chunkA);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(w.deliveries.get('a')?.status).toBe('claimed');
    // Past the bound, sender B (the same chunk delivered again) finds no SES record of a and takes the claim over.
    w.clock.advance(2_500);
    expect(await processChunk(w.deps, w.chunk)).toMatchObject({ outcome: 'done', tally: { sent: 3 } });
    release();
    expect(await a).toMatchObject({ sesCalls: 0, tally: { pending: 1 } });
    expect(w.outbox.filter((m) => m.to === 'a@example.org')).toHaveLength(1);
    expect(w.deliveries.get('a')).toMatchObject({ status: 'sent' });
  });
});

describe('resume', () => {
  it('enqueues the parked chunks before removing them: an enqueue that fails leaves them parked', async () => {
    const parked = new Map([['c0', { editionId: 'ed', chunkId: 'c0', recipients: [{ s: 'a', g: 'g' }] }]]);
    const progress = { listParked: async () => [...parked.values()], unpark: async (_e: string, id: string) => parked.delete(id) };
    await expect(resumeEdition({ progress, enqueue: async () => Promise.reject(new Error('queue unreachable')) }, 'ed')).rejects.toThrow('queue unreachable');
    expect(parked.size).toBe(1);
    const enqueued: ChunkMessage[] = [];
    expect(await resumeEdition({ progress, enqueue: async (m) => void enqueued.push(...m) }, 'ed')).toBe(1);
    expect({ enqueued: enqueued.map((m) => m.chunkId), parked: parked.size }).toEqual({ enqueued: ['c0'], parked: 0 });
  });
});
