import { describe, expect, it } from 'vitest';
import { subscriberLinks } from '../../lambdas/core/subscriptions/links.js';
import { confirmedShardOf } from '../../lambdas/adapters/dynamo/subscribers.js';
import { confirmedShardCount } from '../../lambdas/core/subscriptions/model.js';
import { baseUrl, confirmTokenOf, form, inbox, secret, subscriptionApp, uniqueAddress } from './subscriptions-support.js';

describe('subscription flow on DynamoDB Local and SES local', () => {
  it('subscribe → email → confirm page → confirm → preferences → one-click unsubscribe, and later sends skip the address', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('flow');

    const res = await t.subscribe(email.toUpperCase(), { countries: ['cl', 'pe'], topics: ['trade-investment'] });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ status: 'accepted' });

    const mails = await inbox(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/Confirm your subscription/);
    expect(mails[0]!.body.html).toContain('/confirm/');
    const token = confirmTokenOf(mails[0]!);

    // A link scanner's GET shows a page with a button and confirms nobody.
    const page = await t.http.request(`/confirm/${token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post"');
    expect(html).toContain('type="hidden"');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('pending');

    const confirmed = await t.http.request(`/confirm/${token}`, { ...form({ confirm: 'yes' }), headers: { ...form({}).headers, 'x-forwarded-for': '203.0.113.7', 'user-agent': 'Browser/1.0' } });
    expect(confirmed.status).toBe(200);
    const confirmedHtml = await confirmed.text();
    const prefsToken = /\/preferences\/([^"]+)"/.exec(confirmedHtml)?.[1];
    expect(prefsToken).toBeDefined();

    const status = await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`);
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ status: 'confirmed', countries: ['cl', 'pe'], topics: ['trade-investment'], language: 'en', frequency: 'instant' });

    // Consent proof stored: time, IP, user agent, wording version.
    const exported = (await (await t.json('GET', `/api/preferences/${prefsToken}/export`)).json()) as { consent: { confirmed: Record<string, string>; requested: Record<string, string> } };
    expect(exported.consent.confirmed).toMatchObject({ ip: '203.0.113.7', userAgent: 'Browser/1.0', wordingVersion: '2026-01', method: 'confirm-link' });
    expect(exported.consent.requested).toMatchObject({ userAgent: 'vitest', method: 'form' });

    // Preferences
    const prefs = await t.json('GET', `/api/preferences/${prefsToken}`);
    expect(await prefs.json()).toMatchObject({ email, status: 'confirmed', countries: ['cl', 'pe'], paused: false });
    const changed = await t.json('PUT', `/api/preferences/${prefsToken}`, { countries: ['mx'], topics: [], language: 'es', frequency: 'weekly' });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ countries: ['mx'], topics: [], language: 'es', frequency: 'weekly' });

    // The newsletters planner sees the subscriber in its shard.
    const id = token.split('.')[0]!;
    const shard = confirmedShardOf(id);
    expect(shard).toBeLessThan(confirmedShardCount);
    const listed = await t.repo.listConfirmedShard(shard);
    expect(listed.subscribers.map((s) => s.id)).toContain(id);

    // One-click unsubscribe (RFC 8058): GET changes nothing; POST with the body unsubscribes at once.
    const links = subscriberLinks(id, { baseUrl, secret, now: t.clock.now() });
    const unsubPath = new URL(links.unsubscribeUrl).pathname;
    const unsubPage = await t.http.request(unsubPath);
    expect(unsubPage.status).toBe(200);
    expect(await unsubPage.text()).toContain('name="List-Unsubscribe" value="One-Click"');
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('confirmed');

    const oneClick = await t.http.request(unsubPath, form({ 'List-Unsubscribe': 'One-Click' }));
    expect(oneClick.status).toBe(200);
    // The answer offers an undo that can only subscribe again: the unsubscribe link may have been forwarded, so it
    // leads to no preference centre (which could export or erase).
    const oneClickHtml = await oneClick.text();
    expect(oneClickHtml).not.toContain('/preferences/');
    const undoPath = /action="(\/u\/[^"?]+\/undo)[^"]*"/.exec(oneClickHtml)?.[1];
    expect(undoPath).toBeDefined();
    const undoToken = decodeURIComponent(undoPath!.split('/')[2]!);
    const asPrefs = await t.http.request(`/api/preferences/${undoToken}`);
    expect(asPrefs.status).toBe(403);
    expect(((await asPrefs.json()) as { error: { code: string } }).error.code).toBe('token.wrongPurpose');
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('unsubscribed');
    expect((await t.http.request(undoPath!, form({}))).status).toBe(200);
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('confirmed');
    expect((await t.http.request(unsubPath, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('unsubscribed');
    // Idempotent: a second one-click is still 200.
    expect((await t.http.request(unsubPath, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);

    // A later send skips the address: it is no longer in any confirmed shard. Signing up again is a new double
    // opt-in: a fresh confirmation email, and the address stays out of the shards until its link is followed.
    const after = await t.repo.listConfirmedShard(shard);
    expect(after.subscribers.map((s) => s.id)).not.toContain(id);
    expect((await t.subscribe(email)).status).toBe(202);
    const again = await inbox(email);
    expect(again).toHaveLength(2);
    expect(again[1]!.subject).toMatch(/Confirm your subscription/);
    expect((await t.repo.listConfirmedShard(shard)).subscribers.map((s) => s.id)).not.toContain(id);
  });

  it("the links in its emails carry the subscriber's language, and the pages they open speak it whatever the browser prefers", async () => {
    const t = await subscriptionApp();
    for (const [language, browser] of [['es', 'en'], ['en', 'es']] as const) {
      const email = uniqueAddress(`lang-${language}`);
      expect((await t.subscribe(email, { language })).status).toBe(202);
      const [mail] = await inbox(email);
      const link = /https?:\/\/\S+\/confirm\/\S+/.exec(mail!.body.text ?? '')![0];
      expect(new URL(link).search).toBe(`?lang=${language}`);
      expect(mail!.body.html).toContain(`/confirm/${encodeURIComponent(confirmTokenOf(mail!))}?lang=${language}"`);

      const url = new URL(link);
      const page = await t.http.request(`${url.pathname}${url.search}`, { headers: { 'accept-language': browser } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(`<html lang="${language}">`);
      const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
      expect(action).toContain(`lang=${language}`);
      const confirmed = await t.http.request(action, { ...form({ confirm: 'yes' }), headers: { ...form({}).headers, 'accept-language': browser } });
      expect(confirmed.status).toBe(200);
      expect(await confirmed.text()).toContain(`<html lang="${language}">`);

      // Asked again, the "already subscribed" email's preference link carries the language too.
      expect((await t.subscribe(email, { language })).status).toBe(202);
      const already = (await inbox(email)).at(-1)!;
      expect(already.body.text).toMatch(new RegExp(`/preferences/\\S+\\?lang=${language}\\n`));

      // The one-click POST (RFC 8058) to the link as the email gives it, query and all, unsubscribes and answers in
      // the email's language.
      const id = confirmTokenOf(mail!).split('.')[0]!;
      const unsub = new URL(subscriberLinks(id, { baseUrl, secret, now: t.clock.now(), language }).unsubscribeUrl);
      expect(unsub.search).toBe(`?lang=${language}`);
      const left = await t.http.request(`${unsub.pathname}${unsub.search}`, { ...form({ 'List-Unsubscribe': 'One-Click' }), headers: { ...form({}).headers, 'accept-language': browser } });
      expect(left.status).toBe(200);
      expect(await left.text()).toContain(`<html lang="${language}">`);
      expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('unsubscribed');
    }
  });

  it('pause removes the subscriber from the send shards and resume puts it back', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('pause');
    await t.subscribe(email);
    const token = confirmTokenOf((await inbox(email))[0]!);
    expect((await t.json('POST', '/api/subscriptions/confirm', { token })).status).toBe(200);
    const id = token.split('.')[0]!;
    const { prefsToken } = subscriberLinks(id, { baseUrl, secret, now: t.clock.now() });
    const shardIds = async () => (await t.repo.listConfirmedShard(confirmedShardOf(id))).subscribers.map((s) => s.id);

    expect(await (await t.json('POST', `/api/preferences/${prefsToken}/pause`)).json()).toMatchObject({ paused: true, status: 'confirmed' });
    expect(await shardIds()).not.toContain(id);
    expect(await (await t.json('POST', `/api/preferences/${prefsToken}/resume`)).json()).toMatchObject({ paused: false });
    expect(await shardIds()).toContain(id);
  });

  it('unsubscribe from the preference centre and come back with a new consent proof', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('back');
    await t.subscribe(email);
    const token = confirmTokenOf((await inbox(email))[0]!);
    const { preferencesToken } = (await (await t.json('POST', '/api/subscriptions/confirm', { token })).json()) as { preferencesToken: string };
    expect(await (await t.json('POST', `/api/preferences/${preferencesToken}/unsubscribe`)).json()).toEqual({ status: 'unsubscribed' });
    const back = await t.json('POST', `/api/preferences/${preferencesToken}/resubscribe`);
    expect(back.status).toBe(200);
    expect(await back.json()).toMatchObject({ status: 'confirmed' });
    const exported = (await (await t.json('GET', `/api/preferences/${preferencesToken}/export`)).json()) as { consent: Record<string, unknown> };
    expect(exported.consent.resubscribed).toMatchObject({ method: 'preference-centre' });
  });

  it('delete me erases the record and keeps only a salted hash; an import cannot bring it back, the person can (double opt-in)', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('erase');
    await t.subscribe(email);
    const token = confirmTokenOf((await inbox(email))[0]!);
    const { preferencesToken } = (await (await t.json('POST', '/api/subscriptions/confirm', { token })).json()) as { preferencesToken: string };

    const erased = await t.json('DELETE', `/api/preferences/${preferencesToken}`);
    expect(erased.status).toBe(200);
    expect((await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).status).toBe(404);
    expect((await t.json('GET', `/api/preferences/${preferencesToken}`)).status).toBe(404);
    expect(await t.repo.isSuppressed(email)).toBe(true);

    // Nothing in the table holds the address any more.
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const rows = await t.doc.send(new ScanCommand({ TableName: t.tableName }));
    expect(JSON.stringify(rows.Items)).not.toContain(email);

    // Coming back: the same answer as anyone, and a fresh confirmation email; until it is followed the address stays
    // suppressed, so an editor's import still cannot bring it back.
    expect((await t.subscribe(email)).status).toBe(202);
    const mails = await inbox(email);
    expect(mails).toHaveLength(2);
    const report = await t.editor('POST', '/api/subscribers/import', { subscribers: [{ email, consent: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } }] });
    expect(await report.json()).toMatchObject({ skippedSuppressed: 1, confirmed: 0 });
    expect((await t.json('POST', '/api/subscriptions/confirm', { token: confirmTokenOf(mails[1]!) })).status).toBe(200);
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('confirmed');
    expect(await t.repo.isSuppressed(email)).toBe(false);
  });
});
