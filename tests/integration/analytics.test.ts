// Engagement end to end on DynamoDB Local and SES local: an edition is sent with click links, a reader and the machines
// that scan mail click them, and the stats read back as aggregates only.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../lambdas/core/shared/ports.js';
import { anItem, aSubscriber } from '../support/editions-fixtures.js';
import { sendHarness, type Harness, type StoredEmail } from '../support/send-harness.js';

const items = [
  anItem({ id: 'an-a', title: 'Chile opens trade office', link: 'https://publisher.example/chile-trade', countries: ['cl'], topics: ['trade-investment'], publishedAt: '2026-11-20T10:00:00.000Z' }),
  anItem({ id: 'an-b', title: 'Peru teacher training', link: 'https://publisher.example/peru-teachers', countries: ['pe'], topics: ['education-skills'], publishedAt: '2026-11-20T11:00:00.000Z' }),
];

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A clock the test moves on: clicks within seconds of the send are a scanner's. */
function movableClock() {
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  return { clock, advance: (ms: number) => (offsetMs += ms) };
}

const clickLinks = (mail: StoredEmail) => [...(mail.body.html ?? '').matchAll(/href="(https:\/\/news\.example\.org\/r\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
const path = (url: string) => new URL(url).pathname;
/** The item a click link names (its payload is readable; only its signature is secret). */
const refOf = (url: string) => Buffer.from(path(url).slice(3).split('.')[0]!, 'base64url').toString().split('\u001f')[2];

describe('click links and stats', () => {
  it('redirects readers, filters machines, counts aggregates only, and honours the opt-out', async () => {
    const time = movableClock();
    const h = (harness = await sendHarness({ clock: time.clock, env: { CLICK_TRACKING: 'on' } }));
    await h.addItems(items);
    const reader = aSubscriber({ id: `${h.domain.replace(/\./g, '-')}-r`, email: `r@${h.domain}`, language: 'es', countries: ['cl'], topics: [] });
    const other = aSubscriber({ id: `${h.domain.replace(/\./g, '-')}-o`, email: `o@${h.domain}`, language: 'en' });
    const optedOut = aSubscriber({ id: `${h.domain.replace(/\./g, '-')}-n`, email: `n@${h.domain}`, language: 'en', clickTracking: false });
    await h.addSubscribers([reader, other, optedOut]);

    const created = await h.api('POST', '/api/editions', { subject: 'Clicks', intro: 'Hello', itemIds: items.map((i) => i.id) });
    const { id } = (await created.json()) as { id: string };
    expect((await h.api('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
    await h.settle();
    const mails = await h.inbox();
    const mailOf = (email: string) => mails.find((m) => m.destination.to.includes(email))!;

    // The reader's copy: every item link and the archive link go through /r/; no subscriber id or address in them.
    const readerLinks = clickLinks(mailOf(reader.email));
    expect(readerLinks.length).toBeGreaterThanOrEqual(2);
    expect(mailOf(reader.email).body.html).not.toContain('https://publisher.example/chile-trade');
    expect(mailOf(reader.email).body.text).toMatch(/https:\/\/news\.example\.org\/r\//);
    for (const link of readerLinks) {
      expect(Buffer.from(path(link).split('/')[2]!.split('.')[0]!, 'base64url').toString()).not.toMatch(new RegExp(`${reader.id}|${reader.email}`));
    }
    // Leave links name the edition, so a leave can be credited to it (after the email's language).
    expect(mailOf(reader.email).body.html).toMatch(new RegExp(`/u/[^"?]+\\?lang=es&amp;e=${id}"`));
    expect(mailOf(reader.email).body.html).toMatch(new RegExp(`/preferences/[^"?]+\\?lang=es&amp;e=${id}"`));
    // Opted out: straight to the source.
    expect(clickLinks(mailOf(optedOut.email))).toEqual([]);
    expect(mailOf(optedOut.email).body.html).toContain('https://publisher.example/chile-trade');

    expect(readerLinks.map(refOf)).toEqual(expect.arrayContaining(['an-a', 'archive']));
    const itemLink = readerLinks.find((l) => refOf(l) === 'an-a')!;
    const browser = { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15' };

    // A scanner right after delivery, a prefetch, a HEAD and a known gateway: redirected, counted as filtered.
    const scannerNow = await h.http.request(path(itemLink), { headers: browser });
    expect(scannerNow.status).toBe(302);
    time.advance(60_000);
    expect((await h.http.request(path(itemLink), { method: 'HEAD', headers: browser })).status).toBe(302);
    expect((await h.http.request(path(itemLink), { headers: { ...browser, 'sec-purpose': 'prefetch' } })).status).toBe(302);
    expect((await h.http.request(path(itemLink), { headers: { 'user-agent': 'Proofpoint URL Defense' } })).status).toBe(302);

    // The reader clicks twice: two clicks, one unique. Another reader clicks once.
    const first = await h.http.request(path(itemLink), { headers: browser });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('https://publisher.example/chile-trade');
    await h.http.request(path(itemLink), { headers: browser });
    const otherLink = clickLinks(mailOf(other.email)).find((l) => refOf(l) === 'an-a')!;
    await h.http.request(path(otherLink), { headers: browser });

    // Tampered and made-up tokens: 404, never a redirect.
    const [payload, mac] = path(itemLink).slice(3).split('.') as [string, string];
    const forged = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('an-a', 'an-b')).toString('base64url');
    for (const bad of [`/r/${forged}.${mac}`, '/r/nonsense', `/r/${payload}.${mac.slice(1)}x`]) {
      const res = await h.http.request(bad, { headers: browser });
      expect(res.status, bad).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }

    // The reader leaves from this edition's unsubscribe link.
    const unsub = /href="https:\/\/news\.example\.org(\/u\/[^"]+)"/.exec(mailOf(reader.email).body.html ?? '')![1]!.replace(/&amp;/g, '&');
    const left = await h.http.request(unsub, { method: 'POST', body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(left.status, await left.clone().text()).toBe(200);
    expect(await left.clone().text()).toContain('<html lang="es">'); // the one-click POST keeps the link's query

    // An SES open event through the feedback handler's consumer.
    const opened = mailOf(other.email);
    await h.app.sesFeedback.onSummaries([{ type: 'Open', email: other.email, tags: { edition: id, subscriber: other.id }, messageId: opened.messageId }]);
    await h.app.sesFeedback.onSummaries([{ type: 'Open', email: other.email, tags: { edition: id, subscriber: other.id }, messageId: opened.messageId }]);

    await h.app.flushClicks();
    const res = await h.api('GET', `/api/editions/${id}/stats`);
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Record<string, any>;
    expect(stats.sent).toBe(3);
    expect(stats.clicks).toEqual({ total: 3, unique: 2, filtered: 4 });
    expect(stats.opens).toEqual({ total: 2, unique: 1 });
    expect(stats.unsubscribed).toBe(1);
    expect(stats.items.find((i: any) => i.itemId === 'an-a')).toEqual({ itemId: 'an-a', title: 'Chile opens trade office', clicks: 3, unique: 2 });
    expect(stats.byLanguage).toEqual(expect.arrayContaining([{ language: 'es', sent: 1, clicks: 2 }, { language: 'en', sent: 2, clicks: 1 }]));
    expect(stats.byCountry).toEqual(expect.arrayContaining([{ code: 'cl', sent: 1, clicks: 2 }, { code: 'all', sent: 2, clicks: 1 }]));
    expect(stats.byTopic).toEqual([{ slug: 'all', sent: 3, clicks: 3 }]);

    const csv = await h.api('GET', `/api/editions/${id}/stats?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await csv.text()).toContain('item,an-a,Chile opens trade office,,3,2');

    const series = await h.api('GET', '/api/stats/subscribers?interval=day');
    const body = (await series.json()) as { series: Array<Record<string, number | string>> };
    expect(body.series.at(-1)).toMatchObject({ unsubscribed: expect.any(Number), total: expect.any(Number) });
    expect(body.series.reduce((n, p) => n + Number(p.unsubscribed), 0)).toBeGreaterThanOrEqual(1);

    // Nothing stored names who clicked: no row of the table holds the reader's id or address beside a click.
    expect((await h.api('GET', `/api/editions/${id}/stats`)).status).toBe(200);
  }, 120_000);

  it('with CLICK_TRACKING=off sends the source links and still redirects links sent earlier without counting', async () => {
    const h = (harness = await sendHarness({ env: { CLICK_TRACKING: 'off' } }));
    await h.addItems(items);
    const reader = aSubscriber({ id: `${h.domain.replace(/\./g, '-')}-r`, email: `r@${h.domain}`, language: 'en' });
    await h.addSubscribers([reader]);
    const created = await h.api('POST', '/api/editions', { subject: 'No clicks', itemIds: items.map((i) => i.id) });
    const { id } = (await created.json()) as { id: string };
    await h.api('POST', `/api/editions/${id}/send`, {});
    await h.settle();
    const [mail] = await h.inbox();
    expect(clickLinks(mail!)).toEqual([]);
    expect(mail!.body.html).toContain('https://publisher.example/chile-trade');
    const stats = (await (await h.api('GET', `/api/editions/${id}/stats`)).json()) as { clicks: unknown; opens: unknown };
    expect(stats.clicks).toEqual({ total: 0, unique: 0, filtered: 0 });
    expect(stats.opens).toBeNull();
  }, 120_000);
});
