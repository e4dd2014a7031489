import { describe, expect, inject, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { makeHandler } from '../../lambdas/handlers/ses-feedback.js';
import { snsEnvelope, sesEvent } from '../../scripts/ses-event.js';
import { confirmTokenOf, inbox, subscriptionApp, uniqueAddress } from './subscriptions-support.js';

async function confirmedSubscriber(t: Awaited<ReturnType<typeof subscriptionApp>>, name: string, extra: Record<string, unknown> = {}) {
  const email = uniqueAddress(name);
  await t.subscribe(email, extra);
  await t.json('POST', '/api/subscriptions/confirm', { token: confirmTokenOf((await inbox(email))[0]!) });
  return email;
}

describe('subscriptions: editor API', () => {
  it('GET /api/subscribers needs the editor token (401), answers 404 for an unknown address', async () => {
    const t = await subscriptionApp();
    const none = await t.json('GET', '/api/subscribers?email=a@example.org');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('auth.required');
    expect((await t.json('GET', '/api/subscribers?email=a@example.org', undefined, { authorization: 'Bearer wrong-token-value' })).status).toBe(401);
    const unknown = await t.editor('GET', `/api/subscribers?email=${uniqueAddress()}`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('subscriber.notFound');
    for (const path of ['/api/subscribers/list', '/api/subscribers/counts', '/api/subscribers/export']) {
      expect((await t.json('GET', path)).status).toBe(401);
    }
  });

  it('lists a segment and counts subscribers per country × topic (empty preferences count everywhere)', async () => {
    const t = await subscriptionApp();
    await confirmedSubscriber(t, 'seg1', { countries: ['cl'], topics: ['trade-investment'] });
    await confirmedSubscriber(t, 'seg2', { countries: [], topics: ['trade-investment', 'gender-inclusion'] });
    await t.subscribe(uniqueAddress('seg3'), { countries: ['cl'], topics: [] }); // pending

    const counts = (await (await t.editor('GET', '/api/subscribers/counts')).json()) as { total: number; cells: Array<{ country: string; topic: string; count: number }> };
    const cell = (country: string, topic: string) => counts.cells.find((c) => c.country === country && c.topic === topic)!.count;
    expect(counts.total).toBe(2);
    expect(cell('cl', 'trade-investment')).toBe(2);
    expect(cell('pe', 'trade-investment')).toBe(1);
    expect(cell('pe', 'gender-inclusion')).toBe(1);
    expect(cell('cl', 'education-skills')).toBe(0);

    const clPending = (await (await t.editor('GET', '/api/subscribers/list?status=pending&country=cl')).json()) as { subscribers: Array<{ status: string }> };
    expect(clPending.subscribers).toHaveLength(1);
    const mx = (await (await t.editor('GET', '/api/subscribers/list?country=mx&status=confirmed')).json()) as { subscribers: Array<{ email: string }> };
    expect(mx.subscribers).toHaveLength(1); // the all-countries subscriber
    expect((await t.editor('GET', '/api/subscribers/list?country=xx')).status).toBe(400);
  });

  it('imports JSON and CSV: consent proof → confirmed, none → pending with a confirmation email; known addresses untouched', async () => {
    const t = await subscriptionApp();
    const known = await confirmedSubscriber(t, 'known', { countries: ['pe'] });
    const withProof = uniqueAddress('proof');
    const without = uniqueAddress('noproof');
    const res = await t.editor('POST', '/api/subscribers/import', {
      subscribers: [
        { email: withProof, countries: ['co'], consent: { at: '2025-10-01T12:00:00Z', wordingVersion: '2025-09', source: 'event sign-up sheet', ip: '198.51.100.9' } },
        { email: without, topics: ['education-skills'], language: 'en' },
        { email: known, countries: ['mx'], consent: { at: '2025-10-01T12:00:00Z', wordingVersion: '2025-09' } },
        { email: uniqueAddress('bad'), countries: ['zz'] },
        { email: 'broken' },
      ],
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { confirmed: number; pending: number; skippedExisting: number; errors: Array<{ row: number; code: string }> };
    expect(report).toMatchObject({ confirmed: 1, pending: 1, skippedExisting: 1 });
    expect(report.errors.map((e) => [e.row, e.code])).toEqual([
      [4, 'subscription.unknownCountry'],
      [5, 'subscription.invalidEmail'],
    ]);
    expect((await (await t.editor('GET', `/api/subscribers?email=${withProof}`)).json()).status).toBe('confirmed');
    expect((await (await t.editor('GET', `/api/subscribers?email=${without}`)).json()).status).toBe('pending');
    expect((await (await t.editor('GET', `/api/subscribers?email=${known}`)).json()).countries).toEqual(['pe']);
    expect(await inbox(withProof)).toHaveLength(0);
    expect(await inbox(without)).toHaveLength(1);

    const csvProof = uniqueAddress('csv1');
    const csvNone = uniqueAddress('csv2');
    const csv = [
      'email,countries,topics,language,frequency,consent_at,consent_wording_version,consent_source',
      `${csvProof},cl;pe,trade-investment,en,weekly,2025-11-02T09:00:00Z,2025-09,newsletter form on old site`,
      `${csvNone},,,es,daily,,,`,
    ].join('\n');
    const csvRes = await t.http.request('/api/subscribers/import?sendConfirmations=false', {
      method: 'POST',
      headers: { authorization: `Bearer ${(await import('./subscriptions-support.js')).editorToken}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(csvRes.status).toBe(200);
    expect(await csvRes.json()).toMatchObject({ confirmed: 1, pending: 1, errors: [] });
    expect(await (await t.editor('GET', `/api/subscribers?email=${csvProof}`)).json()).toEqual({
      status: 'confirmed', countries: ['cl', 'pe'], topics: ['trade-investment'], language: 'en', frequency: 'weekly',
    });
    expect(await inbox(csvNone)).toHaveLength(0);

    const exported = (await (await t.editor('GET', '/api/subscribers/export')).json()) as { subscribers: Array<{ email: string; consent: { imported?: { source?: string } } }> };
    expect(exported.subscribers.find((s) => s.email === csvProof)!.consent.imported!.source).toBe('newsletter form on old site');
    expect(exported.subscribers).toHaveLength(5);
  });

  it('editor delete erases the record and suppresses the address', async () => {
    const t = await subscriptionApp();
    const email = await confirmedSubscriber(t, 'gone');
    expect((await t.editor('DELETE', `/api/subscribers?email=${email}`)).status).toBe(200);
    expect((await t.editor('GET', `/api/subscribers?email=${email}`)).status).toBe(404);
    expect(await t.repo.isSuppressed(email)).toBe(true);
    expect((await t.editor('DELETE', `/api/subscribers?email=${email}`)).status).toBe(404);
  });

  it('publishes the subscription routes in /api/openapi.json', async () => {
    const t = await subscriptionApp();
    const doc = (await (await t.http.request('/api/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/subscriptions', '/api/subscriptions/confirm', '/api/preferences/{token}', '/api/subscribers', '/api/subscribers/import']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
  });
});

describe('subscriptions: SES feedback through SNS', () => {
  it('hard bounce and complaint suppress at once; the address is never mailed again', async () => {
    const t = await subscriptionApp();
    const bounced = await confirmedSubscriber(t, 'hard');
    const complained = await confirmedSubscriber(t, 'complain');
    const handler = makeHandler(t.app.sesFeedback);
    const result = await handler(snsEnvelope([sesEvent('bounce', bounced, { edition: 'ed-1' }), sesEvent('complaint', complained.toUpperCase())]));
    expect(result.outcomes.map((o) => o.action)).toEqual(['suppressed', 'suppressed']);
    expect(result.outcomes[0]!.tags).toEqual({ edition: 'ed-1' });
    for (const email of [bounced, complained]) {
      expect((await (await t.editor('GET', `/api/subscribers?email=${email}`)).json()).status).toBe('suppressed');
      const before = (await inbox(email)).length;
      expect((await t.subscribe(email)).status).toBe(202);
      expect(await inbox(email)).toHaveLength(before);
    }
    const id = (await t.repo.findByEmail(bounced))!.id;
    const { confirmedShardOf } = await import('../../lambdas/adapters/dynamo/subscribers.js');
    expect((await t.repo.listConfirmedShard(confirmedShardOf(id))).subscribers.map((s) => s.id)).not.toContain(id);
  });

  it('soft bounces are counted and suppress at the limit', async () => {
    const t = await subscriptionApp();
    const email = await confirmedSubscriber(t, 'soft');
    const handler = makeHandler(t.app.sesFeedback);
    const actions: string[] = [];
    for (let i = 0; i < 3; i++) actions.push(...(await handler(snsEnvelope([sesEvent('softBounce', email)]))).outcomes.map((o) => o.action));
    expect(actions).toEqual(['softBounceCounted', 'softBounceCounted', 'suppressed']);
    expect((await (await t.editor('GET', `/api/subscribers?email=${email}`)).json()).status).toBe('suppressed');
  });

  it('a delivery in between resets the soft-bounce count (only consecutive soft bounces suppress)', async () => {
    const t = await subscriptionApp();
    const email = await confirmedSubscriber(t, 'softreset');
    const handler = makeHandler(t.app.sesFeedback);
    const actions: string[] = [];
    for (const kind of ['softBounce', 'softBounce', 'delivery', 'softBounce', 'softBounce'] as const) {
      actions.push(...(await handler(snsEnvelope([sesEvent(kind, email)]))).outcomes.map((o) => o.action));
    }
    expect(actions).toEqual(['softBounceCounted', 'softBounceCounted', 'ignored', 'softBounceCounted', 'softBounceCounted']);
    expect((await t.repo.findByEmail(email))!).toMatchObject({ status: 'confirmed', softBounces: 2 });
  });

  it('a bounce for an unknown address is handled gracefully: no subscriber is created, the address is suppressed', async () => {
    const t = await subscriptionApp();
    const stranger = uniqueAddress('stranger');
    const handler = makeHandler(t.app.sesFeedback);
    const hard = await handler(snsEnvelope([sesEvent('bounce', stranger)]));
    expect(hard.outcomes).toEqual([{ type: 'Bounce', action: 'suppressed', tags: {} }]);
    const soft = await handler(snsEnvelope([sesEvent('softBounce', uniqueAddress('stranger2'))]));
    expect(soft.outcomes.map((o) => o.action)).toEqual(['ignored']);
    expect((await t.editor('GET', `/api/subscribers?email=${stranger}`)).status).toBe(404);
    expect(await t.repo.isSuppressed(stranger)).toBe(true);
    // A later import cannot bring it back.
    const report = await t.editor('POST', '/api/subscribers/import', { subscribers: [{ email: stranger, consent: { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' } }] });
    expect(await report.json()).toMatchObject({ skippedSuppressed: 1 });
  });

  it('scripts/ses-event.ts feeds an SNS-shaped complaint to the same handler (as a person would run it locally)', async () => {
    const t = await subscriptionApp();
    const email = await confirmedSubscriber(t, 'script');
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/ses-event.ts', '--complaint', email], {
      env: { ...process.env, TABLE_NAME: t.tableName, DYNAMO_ENDPOINT: inject('dynamoEndpoint'), LOG_LEVEL: 'ERROR' },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ records: 1, skipped: 0, outcomes: [{ type: 'Complaint', action: 'suppressed' }] });
    expect((await (await t.editor('GET', `/api/subscribers?email=${email}`)).json()).status).toBe('suppressed');
  });

  it('skips SNS records that are not SES events and delivery events change nothing', async () => {
    const t = await subscriptionApp();
    const email = await confirmedSubscriber(t, 'deliv');
    const handler = makeHandler(t.app.sesFeedback);
    const event = snsEnvelope([sesEvent('delivery', email)]);
    event.Records.push({ ...event.Records[0]!, Sns: { ...event.Records[0]!.Sns, Message: 'not json' } });
    const result = await handler(event);
    expect(result).toMatchObject({ records: 2, skipped: 1 });
    expect(result.outcomes.map((o) => o.action)).toEqual(['ignored']);
    expect((await (await t.editor('GET', `/api/subscribers?email=${email}`)).json()).status).toBe('confirmed');
  });
});
