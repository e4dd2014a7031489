import { describe, expect, it } from 'vitest';
import { parseSesEvent, sesEventsFromSns } from '../../lambdas/adapters/ses/events.js';
import { checkPreferences, normaliseEmail } from '../../lambdas/core/subscriptions/service.js';
import { confirmationEmail, alreadySubscribedEmail } from '../../lambdas/core/subscriptions/emails.js';
import { csvRows } from '../../lambdas/adapters/http/routes/subscriptions.js';
import { clientAddress, clientIp, type ClientAddressPolicy } from '../../lambdas/adapters/http/client-ip.js';
import { Hono } from 'hono';
import { DomainError } from '../../lambdas/core/shared/errors.js';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return undefined;
};

describe('SES events (pure)', () => {
  const mail = { messageId: 'm-1', timestamp: '2026-03-01T10:00:00.000Z', destination: ['Ana@Example.org'], tags: { edition: ['ed-7'], subscriber: ['s-1'] } };

  it('turns a hard bounce into one summary per bounced recipient with its tags', () => {
    const out = parseSesEvent({
      eventType: 'Bounce',
      mail,
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: '2026-03-01T10:00:05.000Z', bouncedRecipients: [{ emailAddress: 'Ana@Example.org' }, { emailAddress: '"Bo" <bo@example.org>' }] },
    });
    expect(out).toEqual([
      { type: 'Bounce', email: 'ana@example.org', tags: { edition: 'ed-7', subscriber: 's-1' }, messageId: 'm-1', at: '2026-03-01T10:00:05.000Z', permanent: true, bounceType: 'Permanent', bounceSubType: 'General' },
      expect.objectContaining({ email: 'bo@example.org', permanent: true }),
    ]);
  });

  it('reads transient bounces, complaints, deliveries, rejects and sends, and the older notificationType format', () => {
    expect(parseSesEvent({ eventType: 'Bounce', mail, bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'a@x.org' }] } })[0]).toMatchObject({ permanent: false });
    expect(parseSesEvent({ notificationType: 'Complaint', mail, complaint: { complainedRecipients: [{ emailAddress: 'c@x.org' }] } })[0]).toMatchObject({ type: 'Complaint', email: 'c@x.org' });
    expect(parseSesEvent({ eventType: 'Delivery', mail, delivery: { recipients: ['d@x.org'] } })[0]).toMatchObject({ type: 'Delivery', email: 'd@x.org' });
    expect(parseSesEvent({ eventType: 'Reject', mail, reject: { reason: 'Bad content' } })[0]).toMatchObject({ type: 'Reject', email: 'ana@example.org' });
    expect(parseSesEvent({ eventType: 'Send', mail, send: {} })[0]).toMatchObject({ type: 'Send', tags: { edition: 'ed-7' } });
  });

  it('never throws on junk', () => {
    expect(parseSesEvent(null)).toEqual([]);
    expect(parseSesEvent({ eventType: 'Nope' })).toEqual([]);
    expect(parseSesEvent({ eventType: 'Bounce' })).toEqual([]);
    expect(sesEventsFromSns({ Records: [{ Sns: { Message: '{"eventType":"Send"}' } }, { Sns: { Message: 'not json' } }, {}] })).toEqual([{ eventType: 'Send' }]);
    expect(sesEventsFromSns(undefined)).toEqual([]);
  });
});

describe('subscription input rules', () => {
  it('case-folds valid addresses and refuses malformed ones with subscription.invalidEmail', () => {
    expect(normaliseEmail(' María.Pérez@Example.CL ')).toBe('maría.pérez@example.cl');
    for (const bad of ['plain', 'a@b', '@example.org', 'a b@example.org', 'a@example.org>', `${'x'.repeat(65)}@example.org`]) {
      expect(codeOf(() => normaliseEmail(bad))).toBe('subscription.invalidEmail');
    }
  });

  it('accepts known countries and topics only, deduplicated', () => {
    expect(checkPreferences(['cl', 'cl', 'pe'], ['trade-investment'])).toEqual({ countries: ['cl', 'pe'], topics: ['trade-investment'] });
    expect(codeOf(() => checkPreferences(['ar'], []))).toBe('subscription.unknownCountry');
    expect(codeOf(() => checkPreferences([], ['football']))).toBe('subscription.unknownTopic');
  });

  it('reads import CSV rows with ;-separated lists and optional consent columns', () => {
    const rows = csvRows('\uFEFFEmail,Countries,Topics,Language,Frequency,consent_at,consent_wording_version\r\na@x.org,cl;PE,trade-investment,en,weekly,2025-01-01T00:00:00Z,v3\r\nb@x.org,,,xx,,,\r\n');
    expect(rows).toEqual([
      { email: 'a@x.org', countries: ['cl', 'pe'], topics: ['trade-investment'], language: 'en', frequency: 'weekly', consent: { at: '2025-01-01T00:00:00Z', wordingVersion: 'v3' } },
      { email: 'b@x.org', countries: [], topics: [] },
    ]);
    expect(codeOf(() => csvRows('email\n"unterminated'))).toBe('import.invalidCsv');
  });

  it('writes confirmation emails in both languages with a text part and an escaped link', () => {
    const es = confirmationEmail('es', 'https://news.example/confirm/a.b.c.d?x=<y>');
    expect(es.subject).toMatch(/Confirma/);
    expect(es.text).toContain('https://news.example/confirm/a.b.c.d');
    expect(es.html).toContain('&lt;y&gt;');
    expect(confirmationEmail('en', 'https://x').subject).toMatch(/Confirm your subscription/);
    expect(alreadySubscribedEmail('en', 'https://news.example/preferences/t').text).toContain('/preferences/t');
  });
});

describe('client IP for consent proof and rate limits', () => {
  const app = new Hono().get('/ip', (c) => c.text(clientIp(c)));
  const behind = (policy: ClientAddressPolicy) => new Hono().get('/ip', (c) => c.text(clientAddress(c, policy)));
  it('prefers the Lambda event source IP over any forwarding header', async () => {
    const res = await behind({ viewerHeader: false, trustedHops: 1 }).request('/ip', { headers: { 'x-forwarded-for': '10.0.0.1' } }, { requestContext: { http: { sourceIp: '203.0.113.9' } } });
    expect(await res.text()).toBe('203.0.113.9');
  });
  it('by default trusts no forwarding header: the socket, else unknown', async () => {
    expect(await (await app.request('/ip', { headers: { 'x-forwarded-for': '6.6.6.6', 'x-real-ip': '6.6.6.7', 'x-viewer-address': '6.6.6.8' } })).text()).toBe('unknown');
    expect(await (await app.request('/ip', { headers: { 'x-forwarded-for': '6.6.6.6' } }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })).text()).toBe('127.0.0.1');
    expect(await (await app.request('/ip', {}, { server: { incoming: { socket: { remoteAddress: '::1' } } } })).text()).toBe('::1');
  });
  it('with TRUST_FORWARDED_FOR hops, takes the entry that many from the right (what our own proxies appended)', async () => {
    const one = behind({ viewerHeader: false, trustedHops: 1 });
    const socket = { incoming: { socket: { remoteAddress: '10.0.0.2' } } };
    expect(await (await one.request('/ip', { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.2' } }, socket)).text()).toBe('198.51.100.2');
    expect(await (await one.request('/ip', { headers: { 'x-forwarded-for': '6.6.6.6, not-an-ip' } }, socket)).text()).toBe('10.0.0.2');
    expect(await (await one.request('/ip', {}, socket)).text()).toBe('10.0.0.2');
    const two = behind({ viewerHeader: false, trustedHops: 2 });
    expect(await (await two.request('/ip', { headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.2, 10.0.0.9' } }, socket)).text()).toBe('198.51.100.2');
    expect(await (await two.request('/ip', { headers: { 'x-forwarded-for': '198.51.100.2' } }, socket)).text()).toBe('10.0.0.2');
  });
  it('behind CloudFront, takes X-Viewer-Address (an IP only), else the source IP', async () => {
    const cdn = behind({ viewerHeader: true, trustedHops: 0 });
    const lambda = { requestContext: { http: { sourceIp: '130.176.0.1' } } };
    expect(await (await cdn.request('/ip', { headers: { 'x-viewer-address': '203.0.113.5', 'x-forwarded-for': '6.6.6.6' } }, lambda)).text()).toBe('203.0.113.5');
    expect(await (await cdn.request('/ip', { headers: { 'x-viewer-address': '2001:db8::1' } }, lambda)).text()).toBe('2001:db8::1');
    expect(await (await cdn.request('/ip', { headers: { 'x-viewer-address': '203.0.113.5:443, 6.6.6.6' } }, lambda)).text()).toBe('130.176.0.1');
  });
});
