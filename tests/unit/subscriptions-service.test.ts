// The subscription service's rules against an in-memory store and a recording mailer (the DynamoDB adapter is
// covered by tests/integration/subscriptions-*.test.ts).
import { describe, expect, it } from 'vitest';
import { createSubscriptionService } from '../../lambdas/core/subscriptions/service.js';
import { suppressionHash } from '../../lambdas/core/subscriptions/links.js';
import type { SubscriberRecord, SubscriberStore, SuppressionReason } from '../../lambdas/core/subscriptions/model.js';
import type { OutgoingEmail } from '../../lambdas/core/shared/ports.js';
import { DomainError } from '../../lambdas/core/shared/errors.js';

function memoryStore(): SubscriberStore & { records: Map<string, SubscriberRecord>; suppressed: Set<string> } {
  const records = new Map<string, SubscriberRecord>();
  const byEmail = new Map<string, string>();
  const suppressed = new Set<string>();
  const reasons = new Map<string, SuppressionReason>();
  const addSuppression = (email: string, reason: SuppressionReason) => {
    if (reasons.has(hash(email))) return;
    suppressed.add(hash(email));
    reasons.set(hash(email), reason);
  };
  const slots = new Map<string, number[]>();
  const counters = new Map<string, number>();
  const hash = (e: string) => suppressionHash(e, 'salt');
  const clone = (r: SubscriberRecord | undefined) => (r ? structuredClone(r) : undefined);
  return {
    records,
    suppressed,
    async get(id) {
      return clone(records.get(id));
    },
    async findByEmail(email) {
      const id = byEmail.get(email);
      return id ? clone(records.get(id)) : undefined;
    },
    async create(record) {
      if (byEmail.has(record.email)) return 'exists';
      byEmail.set(record.email, record.id);
      records.set(record.id, structuredClone(record));
      return 'created';
    },
    async save(record) {
      const current = records.get(record.id);
      if (!current || current.version !== record.version - 1) return false;
      records.set(record.id, structuredClone(record));
      return true;
    },
    async updatePending(id, prefs, requested) {
      const r = records.get(id);
      if (r?.status !== 'pending') return false;
      Object.assign(r, prefs, { consent: { ...r.consent, requested }, version: r.version + 1 });
      return true;
    },
    async addConfirmNonce(id, nonce) {
      const r = records.get(id);
      if (r?.status !== 'pending') return false;
      r.confirmNonces = [...(r.confirmNonces ?? []), nonce];
      return true;
    },
    async confirm(id, nonce, proof, now) {
      const r = records.get(id);
      if (r?.status !== 'pending' || !r.confirmNonces?.includes(nonce)) return false;
      Object.assign(r, { status: 'confirmed', confirmedAt: now.toISOString(), consent: { ...r.consent, confirmed: proof }, confirmNonces: undefined });
      return true;
    },
    async erase(record, reason) {
      records.delete(record.id);
      byEmail.delete(record.email);
      if (reasons.get(hash(record.email)) === 'erased') reasons.delete(hash(record.email));
      addSuppression(record.email, reason);
    },
    async suppress(email, reason) {
      addSuppression(email, reason);
      const id = byEmail.get(email);
      if (id) records.get(id)!.status = 'suppressed';
      return id ? { subscriberId: id } : {};
    },
    async countSoftBounce(email) {
      const id = byEmail.get(email);
      if (!id) return undefined;
      const r = records.get(id)!;
      r.softBounces = (r.softBounces ?? 0) + 1;
      return { subscriberId: id, count: r.softBounces };
    },
    async resetSoftBounces(email) {
      const id = byEmail.get(email);
      if (id) records.get(id)!.softBounces = 0;
    },
    async isSuppressed(email) {
      return suppressed.has(hash(email));
    },
    async suppressionOf(email) {
      const reason = reasons.get(hash(email));
      return reason ? { reason, at: '2026-01-01T00:00:00.000Z' } : undefined;
    },
    async liftSuppression(email) {
      const reason = reasons.get(hash(email));
      reasons.delete(hash(email));
      suppressed.delete(hash(email));
      return reason;
    },
    async takeConfirmationSlot(email, now, max, windowMs) {
      const recent = (slots.get(email) ?? []).filter((t) => t > now.getTime() - windowMs);
      if (recent.length >= max) return false;
      slots.set(email, [...recent, now.getTime()]);
      return true;
    },
    async hitRateLimit(bucket, now, windowMs, limit) {
      const key = `${bucket}|${Math.floor(now.getTime() / windowMs)}`;
      const hits = (counters.get(key) ?? 0) + 1;
      if (hits > limit) return false;
      counters.set(key, hits);
      return true;
    },
    async listPage() {
      return { subscribers: [...records.values()].map((r) => structuredClone(r)) };
    },
  };
}

function setup(ipLimitPerHour = 100) {
  const store = memoryStore();
  const sent: OutgoingEmail[] = [];
  let now = new Date('2026-03-01T10:00:00Z');
  let n = 0;
  const service = createSubscriptionService({
    store,
    mailer: { send: async (m) => (sent.push(m), { messageId: `m${sent.length}` }) },
    clock: { now: () => now },
    newId: () => `sub${++n}`,
    settings: { baseUrl: 'https://news.example', secret: 'k'.repeat(40), sender: 'news@news.example', wordingVersion: 'w1', ipLimitPerHour, softBounceLimit: 2 },
  });
  const origin = { ip: '198.51.100.1', userAgent: 'test' };
  const prefs = { countries: [], topics: [], language: 'es' as const, frequency: 'instant' as const };
  const tokenOf = (m: OutgoingEmail) => /\/confirm\/([^\s?]+)/.exec(m.text)![1]!; // the token, without the link's ?lang=
  return { store, sent, service, origin, prefs, tokenOf, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('subscription service rules', () => {
  it('mails a new address a Spanish confirmation tagged for SES events, storing the request proof', async () => {
    const t = setup();
    await t.service.subscribe({ email: 'Ana@Example.org', ...t.prefs }, t.origin);
    expect(t.sent).toHaveLength(1);
    expect(t.sent[0]).toMatchObject({ to: 'ana@example.org', from: 'news@news.example', tags: { type: 'confirmation', subscriber: 'sub1' } });
    expect(t.sent[0]!.subject).toMatch(/Confirma/);
    expect(t.sent[0]!.text).toMatch(/https:\/\/news\.example\/confirm\/[^\s?]+\?lang=es\n/); // its page opens in Spanish
    expect(t.store.records.get('sub1')!.consent.requested).toEqual({ at: '2026-03-01T10:00:00.000Z', ip: '198.51.100.1', userAgent: 'test', wordingVersion: 'w1', method: 'form' });
  });

  it('sends a fresh confirmation to unsubscribed addresses, nothing to bounced ones, and an "already subscribed" note to confirmed ones', async () => {
    const t = setup();
    await t.service.subscribe({ email: 'a@example.org', ...t.prefs }, t.origin);
    await t.service.confirm(t.tokenOf(t.sent[0]!), t.origin);
    await t.service.subscribe({ email: 'a@example.org', ...t.prefs, countries: ['mx'] }, t.origin);
    expect(t.sent[1]!.subject).toMatch(/Ya estás suscrito/);
    expect(t.sent[1]!.text).toMatch(/https:\/\/news\.example\/preferences\/[^\s?]+\?lang=es\n/);
    expect(t.store.records.get('sub1')!.countries).toEqual([]); // a stranger cannot change a confirmed subscription

    t.store.records.get('sub1')!.status = 'unsubscribed';
    await t.service.subscribe({ email: 'a@example.org', ...t.prefs }, t.origin);
    expect(t.sent[2]!.subject).toMatch(/Confirma/);
    expect(t.store.records.get('sub1')!.status).toBe('pending');
    await t.store.suppress('b@example.org', 'bounce', new Date());
    await t.service.subscribe({ email: 'b@example.org', ...t.prefs }, t.origin);
    await t.service.resend('b@example.org', t.origin);
    expect(t.sent).toHaveLength(3);
  });

  it('every outstanding confirmation link works until one is used; then none does', async () => {
    const t = setup();
    await t.service.subscribe({ email: 'c@example.org', ...t.prefs }, t.origin);
    t.advance(60_000);
    await t.service.resend('c@example.org', t.origin);
    const [first, second] = t.sent.map(t.tokenOf);
    expect(first).not.toBe(second);
    await expect(t.service.confirm(second!, t.origin)).resolves.toMatchObject({ status: 'confirmed' });
    await expect(t.service.confirm(first!, t.origin)).rejects.toMatchObject({ code: 'subscription.alreadyConfirmed' });
    expect(t.store.records.get('sub1')!.consent.confirmed).toMatchObject({ method: 'confirm-link', wordingVersion: 'w1' });
  });

  it('refuses the per-IP excess with a rateLimited error a person can act on', async () => {
    const t = setup(1);
    await t.service.subscribe({ email: 'd@example.org', ...t.prefs }, t.origin);
    const error = await t.service.subscribe({ email: 'e@example.org', ...t.prefs }, t.origin).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'rateLimited', code: 'subscription.tooManyRequests', message: expect.stringMatching(/try again in an hour/) });
    t.advance(3600_000);
    await expect(t.service.subscribe({ email: 'e@example.org', ...t.prefs }, t.origin)).resolves.toBeUndefined();
  });

  it('applies SES feedback: complaint suppresses, soft bounces at the limit, unknown soft bounce ignored', async () => {
    const t = setup();
    await t.service.subscribe({ email: 'f@example.org', ...t.prefs }, t.origin);
    const out = await t.service.applyFeedback([
      { type: 'Bounce', email: 'f@example.org', tags: {}, permanent: false },
      { type: 'Bounce', email: 'f@example.org', tags: {}, permanent: false },
      { type: 'Bounce', email: 'nobody@example.org', tags: {}, permanent: false },
      { type: 'Complaint', email: 'g@example.org', tags: { edition: 'e1' } },
    ]);
    expect(out.map((o) => o.action)).toEqual(['softBounceCounted', 'suppressed', 'ignored', 'suppressed']);
    expect(out[3]).toMatchObject({ tags: { edition: 'e1' } });
    expect(await t.store.isSuppressed('g@example.org')).toBe(true);
    expect(t.store.records.get('sub1')!.status).toBe('suppressed');
  });
});
