// Click tokens (signed, carrying no person), the machine filter, and the counters a click and a send add.
import { describe, expect, it } from 'vitest';
import { signClickToken, verifyClickToken } from '../../lambdas/core/analytics/click-token.js';
import { machineReason } from '../../lambdas/core/analytics/readers.js';
import { clickIncrements, sentIncrements } from '../../lambdas/core/analytics/counters.js';
import { statsCsv } from '../../lambdas/core/analytics/service.js';

const secret = 'a-signing-secret-of-at-least-32-characters';
const claims = { editionId: 'ed-1', itemRef: 'item-9', segment: { language: 'es' as const, countries: ['cl' as const, 'pe' as const], topics: ['trade-investment' as const] }, sentAt: new Date('2026-11-20T10:00:00Z'), readerNonce: 'n0nce' };

describe('click tokens', () => {
  it('round-trip their claims and refuse any change, another key, or junk', () => {
    const token = signClickToken(claims, secret);
    expect(verifyClickToken(token, secret)).toEqual(claims);
    const [payload, mac] = token.split('.') as [string, string];
    const changed = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('item-9', 'item-8')).toString('base64url');
    for (const bad of [`${changed}.${mac}`, `${payload}.${mac.slice(0, -1)}A`, signClickToken(claims, `${secret}-other`), 'x', '', `${payload}..${mac}`]) {
      expect(verifyClickToken(bad, secret), bad).toBeUndefined();
    }
  });

  it('hold no subscriber id or address (the segment as the codes themselves, which an editor may change), and stay short', () => {
    const token = signClickToken(claims, secret);
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString().split('\u001f')).toEqual(['c2', 'ed-1', 'item-9', 'es', claims.segment.countries.join(','), claims.segment.topics.join(','), expect.any(String), 'n0nce']);
    expect(token.length).toBeLessThan(160);
  });
});

describe('machine filter', () => {
  const at = new Date('2026-11-20T10:05:00Z');
  const req = (method: string, headers: Record<string, string>, when = at) => machineReason({ method, header: (n) => headers[n], sentAt: claims.sentAt, at: when });
  const browser = { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Mobile/15E148' };
  it('lets a person through and names why a machine is not one', () => {
    expect(req('GET', browser)).toBeUndefined();
    expect(req('HEAD', browser)).toBe('head');
    expect(req('GET', { ...browser, 'sec-purpose': 'prefetch;prerender' })).toBe('prefetch');
    expect(req('GET', { ...browser, purpose: 'prefetch' })).toBe('prefetch');
    expect(req('GET', { 'user-agent': 'Mozilla/5.0 (compatible; Proofpoint URL Defense)' })).toBe('agent');
    expect(req('GET', {})).toBe('agent');
    expect(req('GET', browser, new Date(claims.sentAt.getTime() + 3000))).toBe('tooSoon');
  });
});

describe('counters', () => {
  it('count empty preferences in the "all" bucket and unique cells only on the first click', () => {
    const segment = { language: 'en' as const, countries: [], topics: ['fisheries-oceans' as const] };
    expect(clickIncrements({}, { itemRef: 'i', segment, hour: 2, firstForEdition: true, firstForItem: true })).toEqual({
      clicks: 1, 'i:i': 1, 'l:en': 1, 'c:all': 1, 't:fisheries-oceans': 1, 'h:2': 1, 'iu:i': 1, unique: 1, 'ct:all:fisheries-oceans': 1,
    });
    expect(clickIncrements({}, { itemRef: 'i', segment, hour: 0, firstForEdition: false, firstForItem: false })).not.toHaveProperty('unique');
    expect(sentIncrements({}, segment)).toEqual({ 'sl:en': 1, 'sc:all': 1, 'st:fisheries-oceans': 1, 'sct:all:fisheries-oceans': 1 });
  });

  it('write CSV a spreadsheet will not run as formulas', () => {
    const csv = statsCsv({ sent: 1, delivered: 1, bounced: 0, complained: 0, unsubscribed: 0, clicks: { total: 1, unique: 1, filtered: 0 }, opens: null, items: [{ itemId: 'i', title: '=HYPERLINK("x")', clicks: 1, unique: 1 }], byLanguage: [], byCountry: [], byTopic: [] });
    expect(csv).toContain(`item,i,"'=HYPERLINK(""x"")",,1,1`);
  });
});
