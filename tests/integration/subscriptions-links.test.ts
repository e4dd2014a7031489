// Each signed link does one thing; a subscriber's links can be withdrawn; sign-ups fold an address to one form; people
// who left can come back, bounced addresses only when an editor says so. On DynamoDB Local and SES local.
import { describe, expect, it } from 'vitest';
import { subscriberLinks } from '../../lambdas/core/subscriptions/links.js';
import { baseUrl, confirmTokenOf, form, inbox, secret, subscriptionApp, uniqueAddress } from './subscriptions-support.js';

type T = Awaited<ReturnType<typeof subscriptionApp>>;
const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

async function confirmed(t: T, name: string) {
  const email = uniqueAddress(name);
  await t.subscribe(email);
  const token = confirmTokenOf((await inbox(email))[0]!);
  const { preferencesToken } = (await (await t.json('POST', '/api/subscriptions/confirm', { token })).json()) as { preferencesToken: string };
  const id = token.split('.')[0]!;
  return { email, id, preferencesToken, unsubToken: subscriberLinks(id, { baseUrl, secret, now: t.clock.now() }).unsubToken };
}

const statusOf = async (t: T, email: string) => (await (await t.editor('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()) as { status: string };

describe('an unsubscribe link only unsubscribes', () => {
  it('cannot read, change, export, erase or revoke: 403 token.wrongPurpose, and the record stays', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'scope');
    for (const [method, path, body] of [
      ['GET', `/api/preferences/${s.unsubToken}`],
      ['PUT', `/api/preferences/${s.unsubToken}`, { frequency: 'weekly' }],
      ['GET', `/api/preferences/${s.unsubToken}/export`],
      ['DELETE', `/api/preferences/${s.unsubToken}`],
      ['POST', `/api/preferences/${s.unsubToken}/pause`],
      ['POST', `/api/preferences/${s.unsubToken}/resubscribe`],
      ['POST', `/api/preferences/${s.unsubToken}/revoke`],
    ] as const) {
      const res = await t.json(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await codeOf(res)).toBe('token.wrongPurpose');
    }
    const erasePage = await t.http.request(`/preferences/${s.unsubToken}/erase`, form({ confirm: 'yes' }));
    expect(erasePage.status).toBe(403);
    expect(await statusOf(t, s.email)).toMatchObject({ status: 'confirmed' });
    // What it may do: unsubscribe.
    expect((await t.http.request(`/u/${s.unsubToken}`, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
    expect(await statusOf(t, s.email)).toMatchObject({ status: 'unsubscribed' });
  });

  it('a preference link opened at /u/ unsubscribes and ends on a working preference link, not "link not valid"', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'prefs-at-u');
    expect((await t.http.request(`/u/${s.preferencesToken}`)).status).toBe(200);
    const done = await t.http.request(`/u/${s.preferencesToken}`, form({ 'List-Unsubscribe': 'One-Click' }));
    expect(done.status).toBe(200);
    const html = await done.text();
    expect(html).not.toMatch(/not valid/);
    const link = /href="[^"]*\/preferences\/([^"?]+)"/.exec(html)?.[1];
    expect(link).toBeDefined();
    expect(await (await t.json('GET', `/api/preferences/${link}`)).json()).toMatchObject({ status: 'unsubscribed' });
  });
});

describe('revoking a subscriber\'s links', () => {
  it('"revoke my links" withdraws every earlier preference link, answers with a new one; unsubscribe links keep working', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'revoke');
    const older = subscriberLinks(s.id, { baseUrl, secret, now: t.clock.now() }).prefsToken;
    const res = await t.json('POST', `/api/preferences/${s.preferencesToken}/revoke`);
    expect(res.status).toBe(200);
    const fresh = (await res.json()) as { status: string; preferencesUrl: string; preferencesToken: string };
    expect(fresh).toMatchObject({ status: 'revoked', preferencesUrl: `${baseUrl}/preferences/${fresh.preferencesToken}` });
    for (const old of [s.preferencesToken, older]) {
      const refused = await t.json('GET', `/api/preferences/${old}`);
      expect(refused.status).toBe(403);
      expect(await codeOf(refused)).toBe('token.revoked');
      expect((await t.json('DELETE', `/api/preferences/${old}`)).status).toBe(403);
      expect((await t.http.request(`/preferences/${old}`)).status).toBe(403);
    }
    expect(await (await t.json('GET', `/api/preferences/${fresh.preferencesToken}`)).json()).toMatchObject({ status: 'confirmed' });
    // The unsubscribe link of an email delivered before the revoke still unsubscribes.
    expect((await t.http.request(`/u/${s.unsubToken}`, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
    expect(await statusOf(t, s.email)).toMatchObject({ status: 'unsubscribed' });
  });

  it('the preference centre\'s button revokes and moves the browser to the new link', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'revoke-page');
    expect(await (await t.http.request(`/preferences/${s.preferencesToken}`)).text()).toContain(`/preferences/${encodeURIComponent(s.preferencesToken)}/revoke`);
    const res = await t.http.request(`/preferences/${s.preferencesToken}/revoke?lang=en`, form({}));
    expect(res.status).toBe(303);
    const next = res.headers.get('location')!;
    expect(next).toMatch(/^\/preferences\/[^/?]+\?lang=en&revoked=1$/);
    const page = await t.http.request(next);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('earlier links no longer work');
    expect((await t.http.request(`/preferences/${s.preferencesToken}`)).status).toBe(403);
  });

  it('an editor revokes by address; the new link goes to the subscriber by email, not to the editor', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'revoke-editor');
    expect((await t.json('POST', '/api/subscribers/revoke-links', { email: s.email })).status).toBe(401);
    const res = await t.editor('POST', '/api/subscribers/revoke-links', { email: s.email.toUpperCase() });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ status: 'revoked' });
    expect(await codeOf(await t.json('GET', `/api/preferences/${s.preferencesToken}`))).toBe('token.revoked');
    const mails = await inbox(s.email);
    expect(mails.at(-1)!.subject).toMatch(/links have changed/);
    const link = /\/preferences\/([A-Za-z0-9._~%-]+)/.exec(mails.at(-1)!.body.text ?? '')![1]!;
    expect(body).not.toContain(link);
    expect((await t.json('GET', `/api/preferences/${decodeURIComponent(link)}`)).status).toBe(200);
    expect((await t.editor('POST', '/api/subscribers/revoke-links', { email: uniqueAddress('nobody') })).status).toBe(404);
  });

  it('erasure ends every link: preference links find nothing, the unsubscribe link changes nothing and errs not', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'erase-links');
    expect((await t.json('DELETE', `/api/preferences/${s.preferencesToken}`)).status).toBe(200);
    expect((await t.json('GET', `/api/preferences/${s.preferencesToken}`)).status).toBe(404);
    expect((await t.http.request(`/u/${s.unsubToken}`, form({ 'List-Unsubscribe': 'One-Click' }))).status).toBe(200);
  });
});

describe('sign-up: one address, one subscriber, one quota', () => {
  it('case, a trailing dot and a Unicode or punycode domain are one address', async () => {
    const t = await subscriptionApp();
    const local = uniqueAddress('idn').split('@')[0]!;
    const variants = [`${local}@bücher.example`, `${local.toUpperCase()}@BÜCHER.EXAMPLE.`, `${local}@xn--bcher-kva.example`, `${local}@Xn--Bcher-Kva.Example.`];
    for (const email of variants) expect((await t.subscribe(email)).status).toBe(202);
    const canonical = `${local}@xn--bcher-kva.example`;
    expect(await inbox(canonical)).toHaveLength(3); // one quota: 3 confirmation emails per address per 24 h
    expect(await statusOf(t, variants[1]!)).toMatchObject({ status: 'pending' });
    const listed = (await (await t.editor('GET', '/api/subscribers/list?status=pending&limit=500')).json()) as { subscribers: Array<{ email: string }> };
    expect(listed.subscribers.filter((s) => s.email.startsWith(`${local}@`))).toEqual([expect.objectContaining({ email: canonical })]);
  });

  it('refuses IP-literal domains, invalid UTF-8 and unmailable addresses with 400 subscription.invalidEmail', async () => {
    const t = await subscriptionApp();
    for (const email of ['ana@[192.0.2.1]', 'ana@192.0.2.1', 'ana@example', 'ana\u200b@example.org']) {
      const res = await t.subscribe(email);
      expect(res.status, email).toBe(400);
      expect(await codeOf(res)).toBe('subscription.invalidEmail');
    }
    const loneSurrogate = await t.json('POST', '/api/subscriptions', '{"email":"ana\\ud800@example.org","countries":[],"topics":[],"language":"en","frequency":"instant"}');
    expect(loneSurrogate.status).toBe(400);
    const brokenUtf8 = await t.http.request('/api/subscriptions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from('{"email":"ana'), Buffer.from([0xc3, 0x28]), Buffer.from('@example.org","language":"en","frequency":"instant"}')]),
    });
    expect(brokenUtf8.status).toBe(400);
  });
});

describe('coming back, and suppressions an editor lifts', () => {
  it('a bounced address gets the same answer and no email; an editor lifts it with a reason (recorded); then it can sign up', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'lift');
    await t.repo.suppress(s.email, 'bounce', t.clock.now());
    const before = (await inbox(s.email)).length;
    const answer = await t.subscribe(s.email);
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual(await (await t.subscribe(uniqueAddress('someone'))).json());
    expect(await inbox(s.email)).toHaveLength(before);

    const noReason = await t.editor('POST', '/api/subscribers/lift-suppression', { email: s.email, reason: '' });
    expect(noReason.status).toBe(400);
    expect(await codeOf(noReason)).toBe('suppression.reasonRequired');
    expect((await t.json('POST', '/api/subscribers/lift-suppression', { email: s.email, reason: 'mailbox fixed' })).status).toBe(401);
    const lifted = await t.editor('POST', '/api/subscribers/lift-suppression', { email: s.email, reason: 'Mailbox fixed, confirmed by phone' });
    expect(await lifted.json()).toEqual({ status: 'lifted', previousReason: 'bounce' });
    expect(await t.repo.isSuppressed(s.email)).toBe(false);
    const record = (await t.repo.findByEmail(s.email))!;
    expect(record.status).toBe('unsubscribed');
    expect(record.suppressionLifted).toMatchObject({ by: 'editor API token', reason: 'Mailbox fixed, confirmed by phone', previousReason: 'bounce', at: expect.any(String) });
    expect((await t.editor('POST', '/api/subscribers/lift-suppression', { email: s.email, reason: 'again' })).status).toBe(404);

    expect((await t.subscribe(s.email)).status).toBe(202);
    expect((await inbox(s.email)).at(-1)!.subject).toMatch(/Confirm your subscription/);
  });

  it('a complaint outlives an erasure: signing up after it sends nothing', async () => {
    const t = await subscriptionApp();
    const s = await confirmed(t, 'complained');
    await t.repo.suppress(s.email, 'complaint', t.clock.now());
    expect((await t.json('DELETE', `/api/preferences/${s.preferencesToken}`)).status).toBe(200);
    const before = (await inbox(s.email)).length;
    expect((await t.subscribe(s.email)).status).toBe(202);
    expect(await inbox(s.email)).toHaveLength(before);
  });
});
