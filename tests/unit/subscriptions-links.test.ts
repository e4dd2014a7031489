import { describe, expect, it } from 'vitest';
import { verifyToken } from '../../lambdas/core/shared/signing.js';
import {
  confirmUrl,
  editionLinks,
  foldEmail,
  listUnsubscribeHeaders,
  preferencesUrl,
  subscriberLinks,
  suppressionHash,
  unsubscribeUrl,
  viewUrl,
} from '../../lambdas/core/subscriptions/links.js';
import { maskEmail } from '../../lambdas/core/shared/text.js';

const secret = 'x'.repeat(40);
const now = new Date('2026-03-01T10:00:00Z');

describe('subscription links', () => {
  it('builds preference and one-click unsubscribe URLs on the base URL without doubling slashes', () => {
    expect(preferencesUrl('https://news.example/', 'abc.prefs.1.mac')).toBe('https://news.example/preferences/abc.prefs.1.mac');
    expect(unsubscribeUrl('https://news.example', 'abc.unsub.1.mac')).toBe('https://news.example/u/abc.unsub.1.mac');
  });

  it('returns the RFC 8058 header pair with an https and a mailto target', () => {
    const headers = listUnsubscribeHeaders('https://news.example', 'tok', 'unsubscribe@news.example');
    expect(headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://news.example/u/tok>, <mailto:unsubscribe@news.example?subject=unsubscribe%20tok>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('signs long-lived prefs and unsub tokens for a subscriber that verify for their own purpose only', () => {
    const links = subscriberLinks('sub-1', { baseUrl: 'https://news.example', secret, now });
    expect(verifyToken(links.prefsToken, 'prefs', secret, now).subscriberId).toBe('sub-1');
    expect(verifyToken(links.unsubToken, 'unsub', secret, new Date('2027-01-01T00:00:00Z')).subscriberId).toBe('sub-1');
    expect(() => verifyToken(links.prefsToken, 'unsub', secret, now)).toThrow(/not valid/);
    expect(links.unsubscribeUrl).toBe(`https://news.example/u/${links.unsubToken}`);
    expect(links.headers[0]?.value).toBe(`<${links.unsubscribeUrl}>`);
  });

  it("carries the email's language as ?lang= on every link, outside the signed token", () => {
    expect(confirmUrl('https://news.example/', 'a.confirm.1.mac', 'es')).toBe('https://news.example/confirm/a.confirm.1.mac?lang=es');
    expect(preferencesUrl('https://news.example', 'a.prefs.1.mac', 'en')).toBe('https://news.example/preferences/a.prefs.1.mac?lang=en');
    expect(unsubscribeUrl('https://news.example', 'a.unsub.1.mac', 'es')).toBe('https://news.example/u/a.unsub.1.mac?lang=es');
    expect(viewUrl('https://news.example', 'ed-1', 'a.view.1.mac', 'en')).toBe('https://news.example/view/ed-1/a.view.1.mac?lang=en');
    expect(listUnsubscribeHeaders('https://news.example', 'tok', 'unsubscribe@news.example', 'es')[0]).toEqual({
      name: 'List-Unsubscribe',
      value: '<https://news.example/u/tok?lang=es>, <mailto:unsubscribe@news.example?subject=unsubscribe%20tok>',
    });

    const owner = { id: 'sub-1', linkVersion: 2 };
    const options = { baseUrl: 'https://news.example', secret, now };
    for (const language of ['es', 'en'] as const) {
      const links = editionLinks(owner, 'ed-1', { ...options, language });
      expect(links.preferencesUrl).toBe(`https://news.example/preferences/${links.prefsToken}?lang=${language}`);
      expect(links.unsubscribeUrl).toBe(`https://news.example/u/${links.unsubToken}?lang=${language}`);
      expect(links.viewUrl).toMatch(new RegExp(`^https://news\\.example/view/ed-1/[^?/]+\\?lang=${language}$`));
      expect(links.headers[0]?.value).toBe(`<${links.unsubscribeUrl}>`);
      // The same tokens as without a language: the query is no part of what is signed.
      const bare = editionLinks(owner, 'ed-1', options);
      expect([links.prefsToken, links.unsubToken]).toEqual([bare.prefsToken, bare.unsubToken]);
      expect(links.viewUrl).toBe(`${bare.viewUrl}?lang=${language}`);
      expect(verifyToken(links.unsubToken, 'unsub', secret, now).subscriberId).toBe('sub-1');
    }
  });

  it('folds addresses, hashes them with a salt and masks them for logs', () => {
    expect(foldEmail('  Ana.Perez@Example.ORG ')).toBe('ana.perez@example.org');
    expect(suppressionHash('Ana@Example.org', 'salt-1')).toBe(suppressionHash('ana@example.org', 'salt-1'));
    expect(suppressionHash('ana@example.org', 'salt-1')).not.toBe(suppressionHash('ana@example.org', 'salt-2'));
    expect(maskEmail('ana@example.org')).toBe('a***@example.org');
  });
});
