import { describe, expect, it } from 'vitest';
import { signToken } from '../../lambdas/core/shared/signing.js';
import { subscriberLinks } from '../../lambdas/core/subscriptions/links.js';
import { baseUrl, confirmTokenOf, form, inbox, secret, subscriptionApp, uniqueAddress } from './subscriptions-support.js';

const day = 24 * 3600 * 1000;

describe('subscriptions: tokens, limits and bad input', () => {
  it('a confirmation link works once; a replay answers 409 and a tampered link 403', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('replay');
    await t.subscribe(email);
    const token = confirmTokenOf((await inbox(email))[0]!);

    expect((await t.json('POST', '/api/subscriptions/confirm', { token })).status).toBe(200);
    const replay = await t.json('POST', '/api/subscriptions/confirm', { token });
    expect(replay.status).toBe(409);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe('subscription.alreadyConfirmed');
    // The page a second click opens is a kind notice, not an error.
    const again = await t.http.request(`/confirm/${token}`, { method: 'POST' });
    expect(again.status).toBe(200);
    expect(await again.text()).not.toContain('role="alert"');

    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    const bad = await t.json('POST', '/api/subscriptions/confirm', { token: tampered });
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('token.invalid');
    expect((await t.http.request(`/confirm/${tampered}`)).status).toBe(403);

    // Another subscriber's id under the same signature is refused too.
    const [, purpose, exp, mac] = token.split('.');
    const swapped = await t.json('POST', '/api/subscriptions/confirm', { token: `someone-else.${purpose}.${exp}.${mac}` });
    expect(swapped.status).toBe(403);

    // A preferences token cannot confirm (wrong purpose).
    const prefs = subscriberLinks(token.split('.')[0]!, { baseUrl, secret, now: t.clock.now() }).prefsToken;
    expect((await t.json('POST', '/api/subscriptions/confirm', { token: prefs })).status).toBe(403);
  });

  it('an expired confirmation link (older than 7 days) is refused with token.expired, on the page too', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('old');
    await t.subscribe(email);
    const token = confirmTokenOf((await inbox(email))[0]!);
    t.advance(7 * day + 60_000);
    const res = await t.json('POST', '/api/subscriptions/confirm', { token });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token.expired');
    const page = await t.http.request(`/confirm/${token}`, form({ confirm: 'yes' }));
    expect(page.status).toBe(403);
    // The page is in Spanish (no Accept-Language), so it says so in Spanish, with the way forward.
    expect(await page.text()).toContain('Este enlace ha caducado.');
    expect(await (await t.http.request(`/confirm/${token}?lang=en`, form({ confirm: 'yes' }))).text()).toContain('expired');
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('pending');
  });

  it('a valid-looking but never-issued confirmation token (forged nonce) does not confirm', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('nonce');
    await t.subscribe(email);
    const id = confirmTokenOf((await inbox(email))[0]!).split('.')[0]!;
    const forged = signToken({ subscriberId: id, purpose: 'confirm', expiresAt: new Date(t.clock.now().getTime() + 3 * day) }, secret);
    const res = await t.json('POST', '/api/subscriptions/confirm', { token: forged });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token.superseded');
  });

  it('a confirm after unsubscribe is refused (409 subscription.notPending)', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('late');
    await t.subscribe(email);
    const token = confirmTokenOf((await inbox(email))[0]!);
    const { unsubscribeUrl } = subscriberLinks(token.split('.')[0]!, { baseUrl, secret, now: t.clock.now() });
    expect((await t.http.request(new URL(unsubscribeUrl).pathname, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
    const res = await t.json('POST', '/api/subscriptions/confirm', { token });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('subscription.notPending');
    expect((await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()).status).toBe('unsubscribed');
  });

  it('50 concurrent subscribes for one address make exactly one subscriber and at most 3 emails', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('race');
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => t.subscribe(i % 2 ? email : email.toUpperCase())));
    expect(answers.map((r) => r.status)).toEqual(Array(50).fill(202));
    const list = (await (await t.editor('GET', '/api/subscribers/list?limit=500')).json()) as { subscribers: Array<{ email: string }> };
    expect(list.subscribers.filter((s) => s.email === email)).toHaveLength(1);
    expect(list.subscribers).toHaveLength(1);
    expect(await inbox(email)).toHaveLength(3);
  });

  it('resend: at most 3 confirmation emails per address per 24 h; the 4th is accepted silently; the window slides', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('resend');
    await t.subscribe(email);
    for (let i = 0; i < 3; i++) {
      const res = await t.json('POST', '/api/subscriptions/resend', { email });
      expect(res.status).toBe(202);
    }
    expect(await inbox(email)).toHaveLength(3);
    t.advance(23 * 3600 * 1000);
    expect((await t.json('POST', '/api/subscriptions/resend', { email })).status).toBe(202);
    expect(await inbox(email)).toHaveLength(3);
    t.advance(2 * 3600 * 1000);
    expect((await t.json('POST', '/api/subscriptions/resend', { email })).status).toBe(202);
    expect(await inbox(email)).toHaveLength(4);
  });

  it('per-IP limit on subscribe answers 429 past the hourly limit', async () => {
    const t = await subscriptionApp({ SUBSCRIBE_IP_LIMIT_PER_HOUR: '2' });
    const from = { 'x-forwarded-for': '192.0.2.44' };
    const body = (e: string) => ({ email: e, countries: [], topics: [], language: 'es', frequency: 'daily' });
    expect((await t.json('POST', '/api/subscriptions', body(uniqueAddress()), from)).status).toBe(202);
    expect((await t.json('POST', '/api/subscriptions', body(uniqueAddress()), from)).status).toBe(202);
    const third = await t.json('POST', '/api/subscriptions', body(uniqueAddress()), from);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { code: string } }).error.code).toBe('subscription.tooManyRequests');
    // A spoofed left-most X-Forwarded-For entry does not escape the limit: the right-most one counts.
    expect((await t.json('POST', '/api/subscriptions', body(uniqueAddress()), { 'x-forwarded-for': '10.9.9.9, 192.0.2.44' })).status).toBe(429);
    expect((await t.json('POST', '/api/subscriptions', body(uniqueAddress()), { 'x-forwarded-for': '192.0.2.45' })).status).toBe(202);
  });

  it('honeypot: a filled hidden field gets the same 202 and nothing happens', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('bot');
    const res = await t.subscribe(email, { website: 'http://spam.example' });
    expect(res.status).toBe(202);
    expect(await inbox(email)).toHaveLength(0);
    expect((await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).status).toBe(404);
  });

  it('no enumeration: a known and an unknown address get the same status and body', async () => {
    const t = await subscriptionApp();
    const known = uniqueAddress('known');
    await t.subscribe(known);
    await t.json('POST', '/api/subscriptions/confirm', { token: confirmTokenOf((await inbox(known))[0]!) });
    const a = await t.subscribe(known);
    const b = await t.subscribe(uniqueAddress('unknown'));
    expect(a.status).toBe(b.status);
    expect(await a.text()).toBe(await b.text());
    const r1 = await t.json('POST', '/api/subscriptions/resend', { email: known });
    const r2 = await t.json('POST', '/api/subscriptions/resend', { email: uniqueAddress('nobody') });
    expect([r1.status, await r1.text()]).toEqual([r2.status, await r2.text()]);
    // The known (confirmed) owner gets an "already subscribed" email with a preferences link, not a new confirmation.
    const mails = await inbox(known);
    expect(mails.at(-1)!.subject).toMatch(/already subscribed/);
    expect(mails.at(-1)!.body.text).toContain(`${baseUrl}/preferences/`);
  });

  it('oversize body → 413, invalid JSON → 400, unknown country → 400, bad email → 400, form body → 415, all with codes', async () => {
    const t = await subscriptionApp();
    const big = await t.json('POST', '/api/subscriptions', JSON.stringify({ email: 'a@example.org', pad: 'x'.repeat(300 * 1024) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('request.tooLarge');

    const broken = await t.json('POST', '/api/subscriptions', '{"email": "a@example.org",');
    expect(broken.status).toBe(400);
    const brokenBody = (await broken.json()) as { error: { code: string; message: string } };
    expect(brokenBody.error.code).toBe('request.invalid');
    expect(JSON.stringify(brokenBody)).not.toMatch(/at .*\.ts:\d+/);

    const country = await t.subscribe(uniqueAddress(), { countries: ['ar'] });
    expect(country.status).toBe(400);
    const countryBody = (await country.json()) as { error: { code: string; message: string } };
    expect(countryBody.error.code).toBe('request.invalid');
    expect(countryBody.error.message).toMatch(/countries/);

    const topic = await t.subscribe(uniqueAddress(), { topics: ['football'] });
    expect(topic.status).toBe(400);

    const mail = await t.subscribe('not-an-address');
    expect(mail.status).toBe(400);
    expect(((await mail.json()) as { error: { code: string } }).error.code).toBe('subscription.invalidEmail');

    const missing = await t.json('POST', '/api/subscriptions', { email: uniqueAddress() });
    expect(missing.status).toBe(400);

    const notJson = await t.json('POST', '/api/subscriptions', 'email=a@example.org', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(notJson.status).toBe(415);
    expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(/Unsupported Media Type/);
  });

  it('one-click POST without the RFC 8058 body changes nothing; a tampered unsubscribe token is refused', async () => {
    const t = await subscriptionApp();
    const email = uniqueAddress('oneclick');
    await t.subscribe(email);
    await t.json('POST', '/api/subscriptions/confirm', { token: confirmTokenOf((await inbox(email))[0]!) });
    const id = (await t.repo.findByEmail(email))!.id;
    const path = new URL(subscriberLinks(id, { baseUrl, secret, now: t.clock.now() }).unsubscribeUrl).pathname;
    expect((await t.http.request(path, form({}))).status).toBe(400);
    expect((await t.http.request(`${path}x`, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(403);
    const tamperedPage = await t.http.request(`${path}x`);
    expect(tamperedPage.status).toBe(403);
    expect(await tamperedPage.text()).not.toContain('<form');
    expect((await t.repo.get(id))!.status).toBe('confirmed');
  });
});
