// Faults of the send pipeline on DynamoDB Local and aws-ses-v2-local, each judged the same way: every recipient mailed
// exactly once (read back from SES local's store) and the counts adding up. The table in docs/newsletters.md is
// from these runs.
import { afterEach, describe, expect, it } from 'vitest';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesSendFailure } from '../../lambdas/adapters/ses/mailer.js';
import { sweepEditions } from '../../lambdas/core/editions/sweep.js';
import { MailerError } from '../../lambdas/core/shared/ports.js';
import { anItem, aSubscriber } from '../support/editions-fixtures.js';
import { sendHarness, type Harness, type StoredEmail } from '../support/send-harness.js';

const items = [anItem({ id: 'it-a', title: 'Bloc climate pledge', countries: ['cl', 'co', 'mx', 'pe'], blocWide: true, topics: ['climate-environment'], publishedAt: '2026-11-20T12:00:00.000Z' })];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function start(h: Harness, people: number) {
  await h.addItems(items);
  const subscribers = Array.from({ length: people }, (_, n) => aSubscriber({ id: `${h.domain}-p${n}`, email: `p${n}@${h.domain}`, language: 'en' }));
  await h.addSubscribers(subscribers);
  const created = await h.api('POST', '/api/editions', { subject: 'Faults', itemIds: items.map((i) => i.id) });
  const { id } = (await created.json()) as { id: string };
  expect((await h.api('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
  return { id, emails: subscribers.map((s) => s.email) };
}

type Counts = Record<'planned' | 'sent' | 'skipped' | 'suppressed' | 'failed' | 'cancelled' | 'inDoubt' | 'queued', number>;
const status = async (h: Harness, id: string) => (await (await h.api('GET', `/api/editions/${id}`)).json()) as { state: string; counts: Counts; deadLettered: { chunks: number; recipients: number } };
const addsUp = (c: Counts) => c.sent + c.skipped + c.suppressed + c.failed + c.cancelled + c.inDoubt + c.queued === c.planned;

function tally(mails: StoredEmail[], emails: string[]) {
  const per = new Map<string, number>();
  for (const m of mails) for (const to of m.destination.to) per.set(to, (per.get(to) ?? 0) + 1);
  return { duplicates: [...per.values()].filter((n) => n > 1).length, losses: emails.filter((e) => !per.has(e)).length };
}

/** A real SES v2 client aimed at a port nobody listens on: the SDK's own ECONNREFUSED shape. */
const unreachable = new SESv2Client({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
async function refusedBySdk(): Promise<never> {
  try {
    await unreachable.send(new SendEmailCommand({ FromEmailAddress: 'a@b.c', Destination: { ToAddresses: ['d@e.f'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } }));
  } catch (error) {
    throw sesSendFailure(error);
  }
  throw new Error('port 9 answered');
}

describe('send faults', () => {
  it('SES unreachable for the first 30 calls (connection refused): nothing lost, nothing twice, counts add up', async () => {
    let refusals = 30;
    const h = (harness = await sendHarness({
      wrapSender: (deps) => ({ ...deps, mailer: { send: (email) => (refusals-- > 0 ? refusedBySdk() : deps.mailer.send(email)) } }),
    }));
    const { id, emails } = await start(h, 12);
    const began = Date.now();
    await h.settle();
    expect(tally(await h.inbox(), emails)).toEqual({ duplicates: 0, losses: 0 });
    const view = await status(h, id);
    expect(view.state).toBe('sent');
    expect(view.counts).toMatchObject({ planned: 12, sent: 12, inDoubt: 0, queued: 0 });
    expect(addsUp(view.counts)).toBe(true);
    expect(Date.now() - began).toBeLessThan(15_000);
  });

  it('the store failing right after a claim landed (SES never called): the claim is released and sent later, once', async () => {
    let failures = 5;
    const h = (harness = await sendHarness({
      wrapSender: (deps) => ({
        ...deps,
        deliveries: {
          ...deps.deliveries,
          async claim(...args) {
            const out = await deps.deliveries.claim(...args);
            if (out.claimed && failures-- > 0) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }); // the answer lost
            return out;
          },
        },
      }),
    }));
    const { id, emails } = await start(h, 12);
    await h.settle();
    expect(tally(await h.inbox(), emails)).toEqual({ duplicates: 0, losses: 0 });
    const view = await status(h, id);
    expect(view).toMatchObject({ state: 'sent', counts: { sent: 12, inDoubt: 0, queued: 0 } });
    expect(addsUp(view.counts)).toBe(true);
  });

  it('cancel at about half: the counts add up, with the unsent counted cancelled, and sent equals what SES holds', async () => {
    const h = (harness = await sendHarness({ env: { SES_MAX_SEND_RATE: '3', SEND_CHUNK_SIZE: '4' } }));
    const { id, emails } = await start(h, 16);
    while ((await h.inbox()).length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await h.api('POST', `/api/editions/${id}/cancel`)).status).toBe(200);
    // Live, right after the cancel, the counts add up too.
    expect(addsUp((await status(h, id)).counts)).toBe(true);
    await h.settle();
    const mails = await h.inbox();
    const view = await status(h, id);
    expect(tally(mails, emails).duplicates).toBe(0);
    expect(view.state).toBe('cancelled');
    expect(view.counts).toMatchObject({ planned: 16, sent: mails.length, inDoubt: 0, queued: 0, cancelled: 16 - mails.length });
    expect(view.counts.cancelled).toBeGreaterThan(0);
    expect(addsUp(view.counts)).toBe(true);
  });

  it('chunks the queue lost leave the send stopped; the recovery sweep enqueues them again and everyone gets one email', async () => {
    let lost = 2;
    const h = (harness = await sendHarness({
      // The sender sees no edition for two chunks and drops them: as if the queue had lost them.
      wrapSender: (deps) => ({ ...deps, editions: { ...deps.editions, get: async (id) => (lost-- > 0 ? undefined : deps.editions.get(id)) } }),
    }));
    const { id, emails } = await start(h, 12);
    await h.settle();
    expect((await status(h, id)).state).toBe('sending');
    expect((await h.inbox()).length).toBeLessThan(12); // 12 people in chunks of 4: a chunk or two lost
    const began = Date.now();
    const swept = await sweepEditions({ ...h.app.planner, staleAfterMs: 0 }, new Date());
    expect(swept).toEqual([{ editionId: id, action: 'requeued', chunks: expect.any(Number) }]);
    await h.settle();
    expect(tally(await h.inbox(), emails)).toEqual({ duplicates: 0, losses: 0 });
    const view = await status(h, id);
    expect(view).toMatchObject({ state: 'sent', counts: { sent: 12, queued: 0, inDoubt: 0 } });
    expect(addsUp(view.counts)).toBe(true);
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  it('an editor redrives a stopped send (POST /api/editions/{id}/redrive) at once; a redrive of a finished send is refused', async () => {
    let lost = 1;
    const h = (harness = await sendHarness({
      wrapSender: (deps) => ({ ...deps, editions: { ...deps.editions, get: async (id) => (lost-- > 0 ? undefined : deps.editions.get(id)) } }),
    }));
    const { id, emails } = await start(h, 12);
    await h.settle();
    expect((await status(h, id)).state).toBe('sending');
    const redriven = await h.api('POST', `/api/editions/${id}/redrive`);
    expect(redriven.status).toBe(202);
    expect(await redriven.json()).toMatchObject({ replanned: false, requeued: expect.any(Number) });
    await h.settle();
    expect(tally(await h.inbox(), emails)).toEqual({ duplicates: 0, losses: 0 });
    const view = await status(h, id);
    expect(view).toMatchObject({ state: 'sent', counts: { sent: 12, queued: 0, inDoubt: 0 } });
    expect(addsUp(view.counts)).toBe(true);
    const again = await h.api('POST', `/api/editions/${id}/redrive`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('edition.notSending');
  });

  it('a sweep racing a live sender (every chunk enqueued twice) sends nobody twice', async () => {
    const h = (harness = await sendHarness({ env: { SES_MAX_SEND_RATE: '20' } }));
    const { id, emails } = await start(h, 12);
    await h.scheduler.idle();
    const swept = await sweepEditions({ ...h.app.planner, staleAfterMs: 0 }, new Date(Date.now() + 60_000));
    expect(swept[0]).toMatchObject({ editionId: id, action: 'requeued' });
    await h.settle();
    expect(tally(await h.inbox(), emails)).toEqual({ duplicates: 0, losses: 0 });
    const view = await status(h, id);
    expect(view).toMatchObject({ state: 'sent', counts: { sent: 12, queued: 0 } });
    expect(addsUp(view.counts)).toBe(true);
  });

  it('chunks still failing on their last receive are dead-lettered: the edition says so, and the sweep enqueues them again at once', async () => {
    let throttling = true;
    const h = (harness = await sendHarness({
      env: { LOCAL_QUEUE_MAX_RECEIVE_COUNT: '3', LOCAL_QUEUE_VISIBILITY_SECONDS: '1', SEND_IN_DOUBT_AFTER_SECONDS: '2' },
      maxReceiveCount: 3,
      visibilityTimeoutMs: 100,
      wrapSender: (deps) => ({
        ...deps,
        throttleRetries: 0,
        mailer: { send: (email) => (throttling ? Promise.reject(new MailerError('throttled', 'Maximum sending rate exceeded.')) : deps.mailer.send(email)) },
      }),
    }));
    const { id, emails } = await start(h, 8);
    await h.settle();
    const dead = h.queue.stats().dlq; // every chunk, each received 3 times (chunks are per shard page: one or more)
    expect(dead).toBeGreaterThan(0);
    expect(dead).toBe(h.enqueued.length);
    const stopped = await status(h, id);
    expect(stopped).toMatchObject({ state: 'sending', deadLettered: { chunks: dead, recipients: 8 }, counts: { planned: 8, queued: 8 } });
    expect(addsUp(stopped.counts)).toBe(true);

    throttling = false;
    // The send moved a moment ago, so it does not look stopped; its dead-lettered chunks are enqueued again all the same.
    const swept = await sweepEditions({ ...h.app.planner, staleAfterMs: 10 * 60_000 }, new Date());
    expect(swept).toEqual([{ editionId: id, action: 'requeued', chunks: dead }]);
    expect((await status(h, id)).deadLettered).toEqual({ chunks: 0, recipients: 0 });
    await h.settle();
    expect(tally(await h.inbox(), emails)).toEqual({ duplicates: 0, losses: 0 });
    const view = await status(h, id);
    expect(view).toMatchObject({ state: 'sent', counts: { sent: 8, queued: 0, inDoubt: 0 }, deadLettered: { chunks: 0, recipients: 0 } });
  });
});
