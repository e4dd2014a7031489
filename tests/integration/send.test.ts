// The send pipeline end to end on DynamoDB Local and aws-ses-v2-local: planner → local queue → sender → SES local,
// read back from SES local's store. Faults (a crash after SES accepted, throttling) are injected by wrapping the
// sender's store or mailer; everything else is the real engine.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sesSendFailure } from '../../lambdas/adapters/ses/mailer.js';
import { createDynamoSendEvidence, editionFeedbackConsumer } from '../../lambdas/adapters/dynamo/editions.js';
import { newEdition } from '../../lambdas/core/editions/model.js';
import type { Subscriber } from '../../lambdas/core/subscriptions/model.js';
import { anItem, aSubscriber } from '../support/editions-fixtures.js';
import { sendHarness, type Harness, type StoredEmail } from '../support/send-harness.js';

const items = [
  anItem({ id: 'it-a', title: 'Chile opens trade office', countries: ['cl'], topics: ['trade-investment'], publishedAt: '2026-11-20T10:00:00.000Z' }),
  anItem({ id: 'it-b', title: 'Peru teacher training', countries: ['pe'], topics: ['education-skills'], publishedAt: '2026-11-20T11:00:00.000Z' }),
  anItem({ id: 'it-c', title: 'Bloc climate pledge', countries: ['cl', 'co', 'mx', 'pe'], blocWide: true, topics: ['climate-environment'], publishedAt: '2026-11-20T12:00:00.000Z' }),
  anItem({ id: 'it-d', title: 'Mexico fisheries plan', countries: ['mx'], topics: ['fisheries-oceans'], publishedAt: '2026-11-20T13:00:00.000Z' }),
];
const titleOf = Object.fromEntries(items.map((i) => [i.id, i.title]));

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

function people(h: Harness) {
  const at = (id: string) => `${id}@${h.domain}`;
  const eligible: Array<{ sub: Subscriber; expect: string[] }> = [
    { sub: aSubscriber({ id: `${h.domain}-s1`, email: at('s1'), language: 'en', countries: ['cl'] }), expect: ['it-a', 'it-c'] },
    { sub: aSubscriber({ id: `${h.domain}-s2`, email: at('s2'), language: 'es', countries: ['pe'], topics: ['education-skills'] }), expect: ['it-b'] },
    { sub: aSubscriber({ id: `${h.domain}-s3`, email: at('s3'), language: 'es' }), expect: ['it-a', 'it-b', 'it-c', 'it-d'] },
    { sub: aSubscriber({ id: `${h.domain}-s5`, email: at('s5'), language: 'en', topics: ['fisheries-oceans'] }), expect: ['it-d'] },
    ...Array.from({ length: 8 }, (_, n) => ({
      sub: aSubscriber({ id: `${h.domain}-x${n}`, email: at(`x${n}`), language: n % 2 ? ('es' as const) : ('en' as const), countries: n % 3 === 0 ? ['mx' as const] : [] }),
      expect: n % 3 === 0 ? ['it-c', 'it-d'] : ['it-a', 'it-b', 'it-c', 'it-d'],
    })),
  ];
  const skipped = [aSubscriber({ id: `${h.domain}-s4`, email: at('s4'), countries: ['mx'], topics: ['trade-investment'] })];
  const notInEdition = [
    aSubscriber({ id: `${h.domain}-daily`, email: at('daily'), frequency: 'daily' }),
    aSubscriber({ id: `${h.domain}-pending`, email: at('pending'), status: 'pending' }),
    aSubscriber({ id: `${h.domain}-paused`, email: at('paused'), paused: true }),
  ];
  return { eligible, skipped, notInEdition };
}

const header = (mail: StoredEmail, name: string) => mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

async function createAndSend(h: Harness, body: Record<string, unknown> = { subject: 'Weekly news', intro: 'Hello', itemIds: items.map((i) => i.id) }) {
  const created = await h.api('POST', '/api/editions', body);
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const sent = await h.api('POST', `/api/editions/${id}/send`, {});
  expect(sent.status, await sent.clone().text()).toBe(202);
  return id;
}

async function status(h: Harness, id: string) {
  return (await (await h.api('GET', `/api/editions/${id}`)).json()) as { state: string; counts: Record<string, number>; rate: number; pausedReason: string | null };
}

function perRecipient(mails: StoredEmail[]) {
  const counts = new Map<string, number>();
  for (const m of mails) for (const to of m.destination.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/** Zero duplicates and zero losses: every eligible address exactly once, nobody else. */
function expectExactlyOnce(mails: StoredEmail[], eligible: Array<{ sub: Subscriber }>) {
  const counts = perRecipient(mails);
  const duplicates = [...counts.values()].filter((n) => n > 1).length;
  const losses = eligible.filter((e) => !counts.has(e.sub.email)).length;
  expect({ duplicates, losses, total: mails.length }).toEqual({ duplicates: 0, losses: 0, total: eligible.length });
}

describe('sending an edition', () => {
  it('"view in your browser" opens the subscriber\'s own version (their items, their language); the link names one edition and does nothing else', async () => {
    const h = (harness = await sendHarness());
    await h.addItems(items);
    const { eligible } = people(h);
    // (Signed links carry the subscriber id between dots: real ids have none.)
    const undotted = (e: (typeof eligible)[number]) => ({ ...e, sub: { ...e.sub, id: e.sub.id.replace(/\./g, '-') } });
    const spanish = undotted(eligible[1]!); // es, Peru × education: it-b only
    const english = undotted(eligible[0]!); // en, Chile: it-a and it-c
    await h.addSubscribers([spanish.sub, english.sub]);
    const id = await createAndSend(h);
    await h.settle();
    const other = await createAndSend(h, { subject: 'Another week', itemIds: items.map((i) => i.id) });
    await h.settle();

    const mails = (await h.inbox()).filter((m) => m.headers?.some((x) => x.name === 'X-Edition-Id' && x.value === id));
    for (const person of [spanish, english]) {
      const mail = mails.find((m) => m.destination.to.includes(person.sub.email))!;
      const link = mail.body.html!.match(/href="(https:\/\/news\.example\.org\/view\/[^"]+)"/)![1]!.replace(/&amp;/g, '&');
      expect(mail.body.text).toContain(link);
      expect(new URL(link).search).toBe(`?lang=${person.sub.language}`);
      const path = new URL(link).pathname;
      // Opened in a browser that prefers the other language: the page is the email's.
      const page = await h.http.request(`${path}${new URL(link).search}`, { headers: { 'accept-language': person.sub.language === 'es' ? 'en' : 'es' } });
      expect(page.status, await page.clone().text()).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.text();
      expect(html).toContain(`<html lang="${person.sub.language}">`);
      expect(html).toContain('<meta name="robots" content="noindex"');
      for (const item of items) expect(html.includes(item.title), `${person.sub.email} / ${item.id}`).toBe(person.expect.includes(item.id));

      // The same token for another edition, or as a preference link, is refused.
      const token = path.split('/').at(-1)!;
      expect((await h.http.request(`/view/${encodeURIComponent(other)}/${token}`)).status).toBe(403);
      expect((await h.http.request(`/preferences/${token}`)).status).toBe(403);
    }
  });

  it('delivers exactly one email per eligible subscriber, with exactly their items, in their language, with unsubscribe headers and links', async () => {
    const h = (harness = await sendHarness());
    await h.addItems(items);
    const { eligible, skipped, notInEdition } = people(h);
    await h.addSubscribers([...eligible.map((e) => e.sub), ...skipped, ...notInEdition]);

    const id = await createAndSend(h);
    await h.settle();

    const mails = await h.inbox();
    expectExactlyOnce(mails, eligible);
    for (const { sub, expect: expected } of eligible) {
      const mail = mails.find((m) => m.destination.to.includes(sub.email))!;
      for (const item of items) {
        expect(mail.body.text!.includes(item.title), `${sub.email} / ${item.id}`).toBe(expected.includes(item.id));
        expect(mail.body.html!.includes(item.title), `${sub.email} / ${item.id} (html)`).toBe(expected.includes(item.id));
      }
      expect(mail.body.text).toContain(sub.language === 'es' ? 'Darme de baja: https://news.example.org/u/' : 'Unsubscribe: https://news.example.org/u/');
      // Every link of the email carries its language, so the page it opens speaks it whatever the browser prefers.
      expect(mail.body.text).toMatch(new RegExp(`https://news\\.example\\.org/u/[^\\s?]+\\?lang=${sub.language}(&|\\s)`));
      expect(mail.body.html).toMatch(new RegExp(`href="https://news\\.example\\.org/preferences/[^"?]+\\?lang=${sub.language}(&amp;|")`));
      expect(header(mail, 'List-Unsubscribe')).toMatch(new RegExp(`^<https://news\\.example\\.org/u/[^>?]+\\?lang=${sub.language}[&>]`));
      expect(mail.body.html).toContain(sub.language === 'es' ? 'Cambiar mis preferencias' : 'Change my preferences');
      expect(mail.body.html).toContain(`https://news.example.org/archive/${id}`);
      expect(mail.body.html).toMatch(/href="https:\/\/news\.example\.org\/preferences\/[^"]+"/);
      expect(mail.body.html).not.toMatch(/\{\{|\{%/);
      expect(header(mail, 'List-Unsubscribe')).toMatch(/^<https:\/\/news\.example\.org\/u\/[^>]+>/);
      expect(header(mail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(header(mail, 'X-Edition-Id')).toBe(id);
      expect(header(mail, 'X-Subscriber-Id')).toBe(sub.id);
      expect(Buffer.byteLength(mail.body.html!)).toBeLessThan(102 * 1024);
    }
    for (const s of [...skipped, ...notInEdition]) expect(mails.some((m) => m.destination.to.includes(s.email))).toBe(false);

    const view = await status(h, id);
    expect(view.state).toBe('sent');
    expect(view.counts).toEqual({ planned: eligible.length, sent: eligible.length, skipped: 1, suppressed: 0, failed: 0, inDoubt: 0, cancelled: 0, queued: 0 });
    expect(view.rate).toBeGreaterThan(0);
  });

  it('re-checks at send time: a subscriber suppressed or unsubscribed after planning is skipped and counted', async () => {
    const h = (harness = await sendHarness({ holdQueue: true }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.scheduler.idle();
    const [gone, left, ...rest] = eligible;
    const repo = h.app.repos.subscribers;
    await repo.suppress(gone!.sub.email, 'complaint', new Date());
    const record = (await repo.get(left!.sub.id))!;
    expect(await repo.save({ ...record, status: 'unsubscribed', version: record.version + 1 })).toBe(true);
    h.queue.start();
    await h.settle();

    const mails = await h.inbox();
    expectExactlyOnce(mails, rest);
    const view = await status(h, id);
    expect(view.counts).toMatchObject({ planned: eligible.length, sent: rest.length, suppressed: 2, inDoubt: 0 });
    expect(view.state).toBe('sent');
  });

  it('a sender that crashes after SES accepted and before it recorded "sent" never mails twice: the claim is settled from the SES store', async () => {
    let crashes = 3;
    const h = (harness = await sendHarness({
      wrapSender: (deps) => ({
        ...deps,
        deliveries: {
          ...deps.deliveries,
          async markSent(...args) {
            if (crashes > 0) {
              crashes--; // the first three fresh sends: SES accepted, then the process died before recording it
              throw new Error('simulated crash: process died after SES accepted the message');
            }
            return deps.deliveries.markSent(...args);
          },
        },
      }),
    }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.settle();

    const mails = await h.inbox();
    expectExactlyOnce(mails, eligible);
    const view = await status(h, id);
    expect(crashes).toBe(0);
    expect(view.counts).toMatchObject({ planned: eligible.length, sent: eligible.length, inDoubt: 0 });
    expect(view.state).toBe('sent');
    const deliveries = await h.app.repos.deliveries.listDeliveries(id);
    expect(deliveries.filter((d) => d.status === 'sent')).toHaveLength(eligible.length);
    expect(deliveries.every((d) => d.attempts === 1)).toBe(true); // settled from SES's record, not sent again
  });

  it('a claim no SES record confirms (crash before SES accepted) is retried once after the in-doubt bound, never earlier', async () => {
    let failures = 2;
    const h = (harness = await sendHarness({
      // A bound long enough that a loaded machine observes both claims in doubt before it passes.
      env: { SEND_IN_DOUBT_AFTER_SECONDS: '5' },
      wrapSender: (deps) => ({
        ...deps,
        mailer: {
          async send(email) {
            if (failures > 0) {
              failures--;
              throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }); // outcome unknown
            }
            return deps.mailer.send(email);
          },
        },
      }),
    }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.scheduler.idle();
    // Before the bound the two claims stay in doubt and their chunks keep coming back.
    await vi.waitFor(async () => expect((await status(h, id)).counts.inDoubt).toBe(2), { timeout: 4000, interval: 50 });
    const during = await status(h, id);
    expect(during.state).toBe('sending');
    const early = await h.app.repos.deliveries.listDeliveries(id);
    expect(early.every((d) => d.attempts === 1)).toBe(true); // nothing retried before the bound
    await h.settle();

    const mails = await h.inbox();
    expectExactlyOnce(mails, eligible);
    const after = await status(h, id);
    expect(after.counts).toMatchObject({ sent: eligible.length, inDoubt: 0 });
    expect(after.state).toBe('sent');
    const deliveries = await h.app.repos.deliveries.listDeliveries(id);
    expect(deliveries.filter((d) => d.attempts === 2)).toHaveLength(2);
  });

  it('a redelivered batch (SQS at least once) sends nothing again and counts nothing twice', async () => {
    const h = (harness = await sendHarness());
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.settle();
    const before = await status(h, id);

    await h.queue.send([...h.enqueued, ...h.enqueued]); // every chunk twice more
    await h.settle();

    expectExactlyOnce(await h.inbox(), eligible);
    expect(await status(h, id)).toMatchObject({ state: 'sent', counts: before.counts });
  });

  it('SES throttling is retried with backoff; a chunk throttled past its retries comes back without losing the batch’s other messages', async () => {
    let calls = 0;
    let stubborn = 0;
    const h = (harness = await sendHarness({
      wrapSender: (deps) => ({
        ...deps,
        mailer: {
          async send(email) {
            calls++;
            if (email.to.startsWith('x1@') && stubborn < 7) {
              stubborn++; // more than the sender's retries: its claim is released and its chunk retried later
              throw sesSendFailure(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));
            }
            if (calls % 3 === 0) throw sesSendFailure(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));
            return deps.mailer.send(email);
          },
        },
      }),
    }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.settle();

    expectExactlyOnce(await h.inbox(), eligible);
    expect(stubborn).toBe(7);
    expect(await status(h, id)).toMatchObject({ state: 'sent', counts: { sent: eligible.length, failed: 0, inDoubt: 0 } });
  });

  it('pause and resume mid-send: nothing goes out while paused, and afterwards everyone has exactly one email', async () => {
    const h = (harness = await sendHarness({ env: { SES_MAX_SEND_RATE: '4', SEND_CHUNK_SIZE: '2' } }));
    await h.addItems(items);
    const { eligible } = people(h);
    const more = Array.from({ length: 4 }, (_, n) => ({ sub: aSubscriber({ id: `${h.domain}-m${n}`, email: `m${n}@${h.domain}` }) }));
    const everyone = [...eligible, ...more];
    await h.addSubscribers(everyone.map((e) => e.sub));
    const id = await createAndSend(h);
    while ((await h.inbox()).length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await h.api('POST', `/api/editions/${id}/pause`)).status).toBe(200);
    await h.settle(); // in-flight chunks finish, the rest are parked
    const paused = await status(h, id);
    expect(paused.state).toBe('paused');
    const sentWhilePausing = (await h.inbox()).length;
    expect(sentWhilePausing).toBeGreaterThan(0);
    expect(sentWhilePausing).toBeLessThan(everyone.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await h.inbox()).length).toBe(sentWhilePausing);

    expect((await h.api('POST', `/api/editions/${id}/resume`)).status).toBe(200);
    await h.settle();
    expectExactlyOnce(await h.inbox(), everyone);
    expect(await status(h, id)).toMatchObject({ state: 'sent', counts: { planned: everyone.length, sent: everyone.length, inDoubt: 0 } });
  });

  it('a bounce rate over the threshold pauses the edition by itself', async () => {
    const h = (harness = await sendHarness({ env: { SES_MAX_SEND_RATE: '3', SEND_CHUNK_SIZE: '2' }, wrapSender: (deps) => ({ ...deps, feedbackMinSample: 2 }) }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    const { editions } = h.app.repos;
    while ((await h.inbox()).length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    for (let i = 0; i < 3; i++) await editions.recordFeedback(id, 'bounce');
    await h.settle();
    const view = await status(h, id);
    expect(view.state).toBe('paused');
    expect(view.pausedReason).toMatch(/bounce/i);
    expect(view.counts.sent).toBeLessThan(eligible.length);
    const perAddress = perRecipient(await h.inbox());
    expect([...perAddress.values()].every((n) => n === 1)).toBe(true);
  });

  it('an address SES refuses for good (4xx, not throttling) is counted failed and not retried; the edition still finishes', async () => {
    let refusals = 0;
    const h = (harness = await sendHarness({
      wrapSender: (deps) => ({
        ...deps,
        mailer: {
          async send(email) {
            if (email.to.startsWith('s2@')) {
              refusals++;
              throw sesSendFailure(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected', $metadata: { httpStatusCode: 400 } }));
            }
            return deps.mailer.send(email);
          },
        },
      }),
    }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.settle();
    const rest = eligible.filter((e) => !e.sub.email.startsWith('s2@'));
    expectExactlyOnce(await h.inbox(), rest);
    expect(refusals).toBe(1);
    expect(await status(h, id)).toMatchObject({ state: 'sent', counts: { planned: eligible.length, sent: rest.length, failed: 1, inDoubt: 0 } });
  });

  it('cancel mid-send stops sending: no email after the cancel, none twice', async () => {
    const h = (harness = await sendHarness({ env: { SES_MAX_SEND_RATE: '4', SEND_CHUNK_SIZE: '2' } }));
    await h.addItems(items);
    const { eligible } = people(h);
    await h.addSubscribers(eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    while ((await h.inbox()).length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await h.api('POST', `/api/editions/${id}/cancel`)).status).toBe(200);
    await h.settle();
    const atCancel = (await h.inbox()).length;
    expect(atCancel).toBeLessThan(eligible.length);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const mails = await h.inbox();
    expect(mails.length).toBe(atCancel);
    expect([...perRecipient(mails).values()].every((n) => n === 1)).toBe(true);
    expect((await status(h, id)).state).toBe('cancelled');
  });

  it('in AWS, SES Send events recorded on the delivery row are the evidence; bounces and complaints are counted per edition', async () => {
    const h = (harness = await sendHarness());
    const stores = h.app.repos;
    const edition = { ...newEdition({ subject: 's', itemIds: ['x'] }, { id: `${h.domain}-ed`, now: new Date() }), state: 'sending' as const };
    await stores.editions.create(edition);
    expect((await stores.deliveries.claim(edition.id, 'sub-1', 'tok', new Date())).claimed).toBe(true);
    const consume = editionFeedbackConsumer(stores);
    await consume([
      { type: 'Send', tags: { edition: edition.id, subscriber: 'sub-1' }, messageId: 'ses-message-1' },
      { type: 'Bounce', tags: { edition: edition.id, subscriber: 'sub-2' }, permanent: true },
      { type: 'Bounce', tags: { edition: edition.id, subscriber: 'sub-3' }, permanent: false },
      { type: 'Complaint', tags: { edition: edition.id, subscriber: 'sub-4' } },
      { type: 'Delivery', tags: {} },
    ]);
    const evidence = createDynamoSendEvidence(h.app.doc, h.app.config.TABLE_NAME);
    expect([...(await evidence.accepted(edition.id, ['sub-1', 'sub-9'], new Date(0)))]).toEqual([['sub-1', 'ses-message-1']]);
    expect(await stores.editions.feedback(edition.id)).toEqual({ bounces: 1, complaints: 1 });

    // SNS delivers at least once: the same bounce and complaint again count nothing more.
    await consume([
      { type: 'Bounce', tags: { edition: edition.id, subscriber: 'sub-2' }, permanent: true },
      { type: 'Complaint', tags: { edition: edition.id, subscriber: 'sub-4' } },
    ]);
    expect(await stores.editions.feedback(edition.id)).toEqual({ bounces: 1, complaints: 1 });
  });
});

describe('no growing row', () => {
  it('the edition row is the same size whatever the number of pages and chunks it was sent in', async () => {
    const rowSize = async (h: Harness, id: string) => {
      const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
      const out = await h.app.doc.send(new GetCommand({ TableName: h.config.TABLE_NAME, Key: { pk: `EDITION#${id}`, sk: 'EDITION' }, ConsistentRead: true }));
      expect(out.Item, 'edition row').toBeDefined();
      // Sets (string sets on the row) count with their members.
      return JSON.stringify(out.Item, (_k, v: unknown) => (v instanceof Set ? [...v] : v)).length;
    };
    const sizes: number[] = [];
    for (const chunkSize of ['8', '1']) {
      const h = (harness = await sendHarness({ env: { SEND_CHUNK_SIZE: chunkSize } }));
      await h.addItems(items);
      const { eligible } = people(h);
      await h.addSubscribers(eligible.map((e) => e.sub));
      const id = await createAndSend(h);
      await h.settle();
      expect((await status(h, id)).state).toBe('sent');
      sizes.push(await rowSize(h, id));
      await h.stop();
      harness = undefined;
    }
    // 12 recipients in 2 chunks, then in 12: the row differs by a few digits at most, not by a list of chunk ids.
    expect(Math.abs(sizes[0]! - sizes[1]!)).toBeLessThan(24);
  });

  it('a content group of any size is stored in rows under 10 KB and read back whole; stored again, the new version is read, never a mix', async () => {
    const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
    const { itemBytes } = await import('../support/item-bytes.js');
    const h = (harness = await sendHarness());
    const progress = h.app.repos.progress;
    // Text that compresses badly (random words), as large as an email may get before Gmail clips it.
    const words = Array.from({ length: 30_000 }, (_, i) => `w${(i * 2654435761) % 1_000_003}`).join(' ');
    const group = { key: 'es-big', language: 'es' as const, itemIds: ['a', 'b'], subject: 'Grande', html: `<p>${words}</p>`, text: words, mergeNonce: 'n1', links: { 'https://x.example/a': 'a' } };
    await progress.putGroup('ed-big', group);
    expect(await progress.getGroup('ed-big', 'es-big')).toEqual(group);
    const again = { ...group, mergeNonce: 'n2', html: `<div>${words}</div>` };
    await progress.putGroup('ed-big', again);
    expect(await progress.getGroup('ed-big', 'es-big')).toEqual(again);
    expect(await progress.getGroup('ed-big', 'es-none')).toBeUndefined();
    const rows = (await h.app.doc.send(new QueryCommand({ TableName: h.config.TABLE_NAME, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'EDITION#ed-big' } }))).Items ?? [];
    expect(rows.length).toBeGreaterThan(4);
    for (const row of rows) expect(itemBytes(row), String(row.sk)).toBeLessThan(10_240);
    await h.stop();
    harness = undefined;
  });

  it('a chunk finished again (its page planned again after a crash, then redelivered) counts once and leaves no open row', async () => {
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const h = (harness = await sendHarness());
    await h.addItems(items);
    await h.addSubscribers(people(h).eligible.map((e) => e.sub));
    const id = await createAndSend(h);
    await h.settle();
    const doneCount = async () =>
      (await h.app.doc.send(new GetCommand({ TableName: h.config.TABLE_NAME, Key: { pk: `EDITION#${id}`, sk: 'EDITION' }, ConsistentRead: true }))).Item?.doneChunkCount;
    const before = await doneCount();
    const chunk = JSON.parse(h.enqueued[0]!) as { editionId: string; chunkId: string; recipients: string[] };
    const { progress } = h.app.repos;
    await progress.openChunks([chunk as never]);
    await progress.finishChunk(id, chunk.chunkId);
    await progress.finishChunk(id, chunk.chunkId);
    expect(await doneCount()).toBe(before);
    expect(await progress.listOpenChunks(id)).toEqual([]);
  });
});
