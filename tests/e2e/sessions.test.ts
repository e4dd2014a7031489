// The editor session cookie and the language choice, without a browser: expiry, tampering, key rotation, and
// Accept-Language parsing.
import { describe, expect, test } from 'vitest';
import { Hono } from 'hono';
import { createLocalEditorSessions, csrfMatches, csrfToken } from '../../lambdas/adapters/http/auth/session.js';
import { langFromAcceptLanguage } from '../../lambdas/adapters/http/views/i18n.js';

function sessionApp(options: { editorToken: string; signingSecret: string; now: () => Date }) {
  const sessions = createLocalEditorSessions({ editorToken: options.editorToken, signingSecret: options.signingSecret, clock: { now: options.now } });
  const app = new Hono();
  app.post('/in', async (c) => c.text(String(await sessions.signIn(c, (await c.req.parseBody()).token as string))));
  app.get('/me', async (c) => {
    const who = await sessions.verify(c);
    return who ? c.json(who) : c.text('nobody', 401);
  });
  return app;
}

const token = 'local-editor-token-0123456789';
const secret = 'a-signing-secret-for-sessions-0123456789';

async function signIn(app: Hono, given = token): Promise<string | undefined> {
  const res = await app.request('/in', { method: 'POST', body: new URLSearchParams({ token: given }) });
  return res.headers.get('set-cookie')?.split(';')[0];
}

describe('editor session cookie', () => {
  test('lasts 8 hours, then is refused', async () => {
    let now = new Date('2026-03-01T08:00:00Z');
    const app = sessionApp({ editorToken: token, signingSecret: secret, now: () => now });
    const cookie = await signIn(app);
    expect(cookie).toMatch(/^editor_session=v1\./);
    expect((await app.request('/me', { headers: { cookie: cookie! } })).status).toBe(200);
    now = new Date('2026-03-01T15:59:00Z');
    expect((await app.request('/me', { headers: { cookie: cookie! } })).status).toBe(200);
    now = new Date('2026-03-01T16:00:01Z');
    expect((await app.request('/me', { headers: { cookie: cookie! } })).status).toBe(401);
  });

  test('a wrong token sets no cookie; a cookie with any part changed, or signed before the token or secret rotated, is refused', async () => {
    const now = () => new Date('2026-03-01T08:00:00Z');
    const app = sessionApp({ editorToken: token, signingSecret: secret, now });
    expect(await signIn(app, 'wrong-token-0123456789')).toBeUndefined();
    const cookie = (await signIn(app))!;
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    const longer = [...parts];
    longer[1] = String(Number(parts[1]) + 3600_000);
    const otherSubject = [...parts];
    otherSubject[3] = Buffer.from('admin').toString('base64url');
    for (const forged of [longer, otherSubject]) {
      expect((await app.request('/me', { headers: { cookie: `${name}=${forged.join('.')}` } })).status).toBe(401);
    }
    const rotatedToken = sessionApp({ editorToken: `${token}-new`, signingSecret: secret, now });
    expect((await rotatedToken.request('/me', { headers: { cookie } })).status).toBe(401);
    const rotatedSecret = sessionApp({ editorToken: token, signingSecret: `${secret}-new`, now });
    expect((await rotatedSecret.request('/me', { headers: { cookie } })).status).toBe(401);
  });

  test('the CSRF token is bound to the session', () => {
    const a = { subject: 'editor', sessionId: 'session-a' };
    const b = { subject: 'editor', sessionId: 'session-b' };
    expect(csrfMatches(csrfToken(a, secret), a, secret)).toBe(true);
    expect(csrfMatches(csrfToken(a, secret), b, secret)).toBe(false);
    expect(csrfMatches(undefined, a, secret)).toBe(false);
  });
});

describe('language from Accept-Language', () => {
  test.each([
    [undefined, 'es'],
    ['', 'es'],
    ['fr-FR, de;q=0.8', 'es'],
    ['en-US,en;q=0.9', 'en'],
    ['es-CL,es;q=0.9,en;q=0.8', 'es'],
    ['fr, en;q=0.5, es;q=0.7', 'es'],
    ['en;q=0.9, es;q=0.2', 'en'],
    ['es;q=0, en;q=0.1', 'en'],
  ])('%s → %s', (header, lang) => {
    expect(langFromAcceptLanguage(header)).toBe(lang);
  });
});
