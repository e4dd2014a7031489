// Signed links that fail closed and carry a revocable link version; one canonical form per address.
import { describe, expect, it } from 'vitest';
import { MissingSigningSecretError, signToken, verifyToken } from '../../lambdas/core/shared/signing.js';
import { foldEmail, normaliseEmail, signLink, subscriberLinks } from '../../lambdas/core/subscriptions/links.js';
import { DomainError } from '../../lambdas/core/shared/errors.js';
import { ConfigError, loadConfig, requireSigningSecret } from '../../lambdas/config.js';
import { composeApp } from '../../lambdas/composition-root.js';
import { createHttpApp } from '../../lambdas/adapters/http/app.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';

const secret = 's'.repeat(40);
const now = new Date('2026-03-01T10:00:00Z');
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof DomainError ? error.code : (error as Error).name;
  }
  return 'no error';
};

describe('signed links fail closed', () => {
  it('refuses to sign or verify with an empty key', () => {
    const claims = { subscriberId: 'sub-1', purpose: 'prefs' as const, expiresAt: new Date(now.getTime() + 60_000) };
    expect(() => signToken(claims, '')).toThrow(MissingSigningSecretError);
    const forged = signToken(claims, secret);
    expect(() => verifyToken(forged, 'prefs', '', now)).toThrow(MissingSigningSecretError);
  });

  it('builds nothing that signs without SIGNING_SECRET: ConfigError at start, no fallback key', () => {
    const config = loadConfig({ EDITOR_TOKEN: 'editor-token-0123456789', LOG_LEVEL: 'WARN' });
    expect(() => requireSigningSecret(config)).toThrow(ConfigError);
    const app = composeApp({
      config,
      doc: createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
      ses: createSesClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
      background: { enqueue: async () => undefined, schedule: async () => undefined },
    });
    expect(() => app.subscriptions).toThrow(/SIGNING_SECRET is not set/);
    expect(() => app.sender).toThrow(ConfigError);
    expect(() => createHttpApp(app)).toThrow(ConfigError);
    // The feedback Lambda has no secret and needs none.
    expect(typeof app.sesFeedback.applyFeedback).toBe('function');
  });
});

describe('each link does one thing, and a link version withdraws old ones', () => {
  it('answers a genuine link of another kind with token.wrongPurpose, a tampered one with token.invalid', () => {
    const { unsubToken, prefsToken } = subscriberLinks('sub-1', { baseUrl: 'https://news.example', secret, now });
    expect(codeOf(() => verifyToken(unsubToken, 'prefs', secret, now))).toBe('token.wrongPurpose');
    expect(codeOf(() => verifyToken(prefsToken, 'undo', secret, now))).toBe('token.wrongPurpose');
    expect(codeOf(() => verifyToken(unsubToken.replace('.unsub.', '.prefs.'), 'prefs', secret, now))).toBe('token.invalid');
  });

  it('signs the link version into preference, confirm and undo links, not into unsubscribe links', () => {
    const owner = { id: 'sub-1', linkVersion: 3 };
    expect(verifyToken(signLink(owner, 'prefs', { secret, now }), 'prefs', secret, now).linkVersion).toBe(3);
    expect(verifyToken(signLink(owner, 'undo', { secret, now }), 'undo', secret, now).linkVersion).toBe(3);
    expect(verifyToken(signLink(owner, 'unsub', { secret, now }), 'unsub', secret, now).linkVersion).toBe(0);
    // A version cannot be edited: it is under the MAC.
    const token = signLink(owner, 'prefs', { secret, now });
    expect(codeOf(() => verifyToken(token.replace('.3.', '.4.'), 'prefs', secret, now))).toBe('token.invalid');
  });

  it('reads links sent before versions existed (four fields) as version 0', () => {
    const legacy = signToken({ subscriberId: 'sub-1', purpose: 'prefs', expiresAt: new Date(now.getTime() + 60_000) }, secret);
    expect(legacy.split('.')).toHaveLength(4);
    expect(verifyToken(legacy, 'prefs', secret, now).linkVersion).toBe(0);
  });
});

describe('one canonical form per address', () => {
  it('folds case, a trailing dot of the domain, Unicode and punycode domains, and NFC into one address', () => {
    const canonical = 'ana@xn--bcher-kva.example';
    for (const variant of ['Ana@Bücher.Example', 'ana@bücher.example.', 'ANA@XN--BCHER-KVA.EXAMPLE', ' ana@bu\u0308cher.example ']) {
      expect(normaliseEmail(variant)).toBe(canonical);
      expect(foldEmail(variant)).toBe(canonical);
    }
    expect(normaliseEmail('Ana@Example.ORG.')).toBe('ana@example.org');
  });

  it('refuses IP literals, invalid UTF-8, control and invisible characters, and addresses that cannot be mailed', () => {
    for (const bad of [
      'ana@[192.0.2.1]',
      'ana@[IPv6:2001:db8::1]',
      'ana@192.0.2.1',
      'ana@example',
      'ana@localhost.',
      'ana@-example.org',
      'ana@example..org',
      'ana@exa_mple.org',
      'a..b@example.org',
      '.ana@example.org',
      'ana\u0000@example.org',
      'ana\u200b@example.org',
      'an\u202ea@example.org',
      'ana\ud800@example.org',
      'ana\ufffd@example.org',
      'ana@exam\ufffdple.org',
      '"ana"@example.org',
      'ana@example.org\r\nBcc: x@y.org',
      `ana@${'a'.repeat(64)}.org`,
      `${'a'.repeat(250)}@example.org`,
    ]) {
      expect(codeOf(() => normaliseEmail(bad)), bad).toBe('subscription.invalidEmail');
    }
  });
});
