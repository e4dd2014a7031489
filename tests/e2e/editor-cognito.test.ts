// Editor sign-in through a Cognito-shaped hosted sign-in (AWS), in a real browser. Cognito itself cannot run here, so
// a small local identity provider plays its part with the same endpoints and rules: /oauth2/authorize (code + PKCE
// S256), /oauth2/token (checks the verifier) and the pool's /.well-known/jwks.json, signing RS256 ID tokens with a
// key made for the test. The app under test is the real page routes with the Cognito session implementation.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { newRouter } from '../../lambdas/adapters/http/router.js';
import { pageRoutes } from '../../lambdas/adapters/http/routes/pages.js';
import { createCognitoEditorSessions, createIdTokenVerifier, TokenRejected } from '../../lambdas/adapters/http/auth/cognito.js';
import type { LocalRuntime } from '../../lambdas/local/runtime.js';
import { testRuntime } from '../support/runtime.js';
import { chromiumArgs, expectAccessible, screenshots } from './browser.js';

const clientId = 'console-client-id';
const poolPath = '/us-east-1_TestPool';

interface Idp {
  url: string;
  issuer: string;
  /** Who the hosted sign-in says is signing in next; `cancels`: the person cancels instead (Cognito then answers the
   *  callback with error=access_denied). */
  user: { sub: string; groups: string[] };
  cancels?: boolean;
  signToken(claims: Record<string, unknown>, key?: KeyObject): string;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  return new Promise((ready) => server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port)));
}

async function startIdp(): Promise<Idp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { challenge: string; redirectUri: string; sub: string; groups: string[] }>();
  let counter = 0;
  const idp: Partial<Idp> = { user: { sub: 'editor-sub-1', groups: ['editors'] } };
  const signToken = (claims: Record<string, unknown>, key: KeyObject = privateKey) => {
    const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const head = `${enc({ alg: 'RS256', kid: 'test-key-1', typ: 'JWT' })}.${enc(claims)}`;
    return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
  };
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp');
    if (req.method === 'GET' && url.pathname === `${poolPath}/.well-known/jwks.json`) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
        res.writeHead(400).end('bad authorize request');
        return;
      }
      if (idp.cancels) {
        res.writeHead(302, { location: `${q.get('redirect_uri')}?error=access_denied&error_description=${encodeURIComponent('User cancelled login')}&state=${encodeURIComponent(q.get('state') ?? '')}` }).end();
        return;
      }
      const code = `code-${++counter}`;
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')!, ...idp.user! });
      res.writeHead(302, { location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}` }).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      let body = '';
      for await (const chunk of req) body += chunk;
      const f = new URLSearchParams(body);
      const grant = codes.get(f.get('code') ?? '');
      codes.delete(f.get('code') ?? '');
      const verifierOk = grant && createHash('sha256').update(f.get('code_verifier') ?? '').digest('base64url') === grant.challenge;
      if (!grant || !verifierOk || f.get('client_id') !== clientId || f.get('redirect_uri') !== grant.redirectUri) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
        return;
      }
      const now = Math.floor(Date.now() / 1000);
      const idToken = signToken({ iss: idp.issuer, aud: clientId, token_use: 'id', sub: grant.sub, 'cognito:groups': grant.groups, iat: now, exp: now + 3600 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id_token: idToken, access_token: 'unused', token_type: 'Bearer', expires_in: 3600 }));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/logout') {
      loggedOut.push(url.searchParams.get('client_id') ?? '');
      res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' }).end();
      return;
    }
    res.writeHead(404).end();
  });
  const port = await listen(server);
  idp.url = `http://127.0.0.1:${port}`;
  idp.issuer = `${idp.url}${poolPath}`;
  idp.signToken = signToken;
  idp.close = () => new Promise((done) => server.close(() => done()));
  return idp as Idp;
}

let idp: Idp;
/** Client ids the stand-in's /logout was called with. */
const loggedOut: string[] = [];
let runtime: LocalRuntime;
let server: ServerType;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  idp = await startIdp();
  const probe = createServer();
  const port = await listen(probe);
  await new Promise<void>((done) => probe.close(() => done()));
  baseUrl = `http://127.0.0.1:${port}`;
  runtime = await testRuntime({ STAGE: 'test', LOG_LEVEL: 'ERROR', PUBLIC_BASE_URL: baseUrl });
  const sessions = createCognitoEditorSessions({
    userPoolId: 'us-east-1_TestPool',
    clientId,
    signInUrl: idp.url,
    issuer: idp.issuer,
    baseUrl,
    signingSecret: runtime.app.config.SIGNING_SECRET!,
    editorToken: runtime.app.config.EDITOR_TOKEN,
    clock: runtime.app.clock,
  });
  const app = newRouter();
  app.route('/', pageRoutes(runtime.app, { sessions }));
  server = await new Promise<ServerType>((ready) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => ready(s));
  });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  runtime?.stop();
  await idp?.close();
});

describe('editor sign-in with Cognito (hosted sign-in, PKCE, ID token checked against the JWKS)', () => {
  test('an editor in the "editors" group signs in and lands where they were going; someone outside the group is refused', async () => {
    const context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true, locale: 'en-GB' });
    context.setDefaultTimeout(8_000);
    const page = await context.newPage();
    await page.goto('/en/editor/sources');
    await page.waitForURL('**/en/editor/sign-in?next=**');
    expect(await page.locator('input[name="token"]').count()).toBe(0);
    await expectAccessible(page, 'cognito sign-in');
    await screenshots(page, 'editor-sign-in-cognito-en');

    idp.user = { sub: 'editor-sub-1', groups: ['editors'] };
    await page.getByRole('link', { name: 'Sign in with your editor account' }).click();
    await page.waitForURL('**/en/editor/sources');
    const session = (await context.cookies()).find((c) => c.name === 'editor_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect((await context.cookies()).find((c) => c.name === 'editor_oauth')).toBeUndefined();
    // Sign-out ends the hosted UI's session too, then comes back to the console's sign-in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/en/editor/sign-in**');
    expect(loggedOut).toEqual([clientId]);
    expect((await context.cookies()).find((c) => c.name === 'editor_session')).toBeUndefined();

    idp.user = { sub: 'someone-else', groups: ['readers'] };
    await page.getByRole('link', { name: 'Sign in with your editor account' }).click();
    await page.waitForURL('**/editor/callback**');
    expect(await page.locator('[role="alert"]').innerText()).toBe(
      'This account has no access to the console. Ask the person who runs the service to give it editor access.',
    );
    expect((await context.cookies()).find((c) => c.name === 'editor_session')).toBeUndefined();
    await context.close();
  });

  test.each([
    ['es', 'es-ES'],
    ['en', 'en-GB'],
  ] as const)('the sign-in page and its refusals speak the editor\'s language (%s), with no developer words and a way on', async (lang, locale) => {
    const w = {
      es: {
        title: 'Entrar a la consola',
        button: 'Entrar con tu cuenta de edición',
        notAllowed: 'Esta cuenta no tiene acceso a la consola. Pide a quien administra el servicio que le dé acceso de edición.',
        cancelled: 'Cancelaste la entrada. Cuando quieras, vuelve a entrar desde aquí.',
        expired: 'La entrada caducó antes de terminar (o empezó en otro navegador). Vuelve a entrar desde aquí.',
      },
      en: {
        title: 'Sign in to the console',
        button: 'Sign in with your editor account',
        notAllowed: 'This account has no access to the console. Ask the person who runs the service to give it editor access.',
        cancelled: 'You cancelled the sign-in. Sign in again from here whenever you like.',
        expired: 'The sign-in expired before it finished (or began in another browser). Sign in again from here.',
      },
    }[lang];
    const context = await browser.newContext({ baseURL: baseUrl, bypassCSP: true, locale });
    context.setDefaultTimeout(8_000);
    const page = await context.newPage();
    /** The page is in the editor's language, names no machinery, and offers the sign-in button again. */
    const expectPage = async (alert: string | undefined, shot: string) => {
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      expect(await page.locator('h1').innerText()).toBe(w.title);
      if (alert) expect(await page.locator('[role="alert"]').innerText()).toBe(alert);
      expect(await page.locator('main').innerText()).not.toMatch(/token|cognito|oauth|jwt|pkce|\bgroup|grupo|callback|state/i);
      expect(await page.getByRole('link', { name: w.button }).isVisible()).toBe(true);
      await expectAccessible(page, shot);
      await screenshots(page, shot);
    };

    await page.goto(`/${lang}/editor/sign-in`);
    await expectPage(undefined, `editor-sign-in-cognito-${lang}`);

    // An account outside the editors' group.
    idp.user = { sub: 'a-reader', groups: ['readers'] };
    await page.getByRole('link', { name: w.button }).click();
    await page.waitForURL('**/editor/callback**');
    await expectPage(w.notAllowed, `editor-sign-in-not-allowed-${lang}`);

    // The person cancels at the hosted sign-in.
    idp.cancels = true;
    await page.getByRole('link', { name: w.button }).click();
    await page.waitForURL('**/editor/callback?error=**');
    idp.cancels = false;
    await expectPage(w.cancelled, `editor-sign-in-cancelled-${lang}`);

    // A callback this browser did not begin (no flow cookie): the browser's language, since the flow's is unknown.
    await page.goto('/editor/callback?code=stale&state=stale');
    await expectPage(w.expired, `editor-sign-in-expired-${lang}`);
    expect((await context.cookies()).find((c) => c.name === 'editor_session')).toBeUndefined();
    idp.user = { sub: 'editor-sub-1', groups: ['editors'] };
    await context.close();
  });

  test('a callback without the browser\'s own flow cookie, or with another state, signs nobody in; the token form is refused', async () => {
    const forged = await fetch(`${baseUrl}/editor/callback?code=code-1&state=abc`, { redirect: 'manual' });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('set-cookie') ?? '').not.toContain('editor_session=v1');

    const start = await fetch(`${baseUrl}/es/editor/sign-in/start`, { redirect: 'manual' });
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location')!);
    expect(authorize.origin + authorize.pathname).toBe(`${idp.url}/oauth2/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${baseUrl}/editor/callback`);
    const flow = start.headers.get('set-cookie')!.split(';')[0]!;
    const wrongState = await fetch(`${baseUrl}/editor/callback?code=whatever&state=not-the-state`, { redirect: 'manual', headers: { cookie: flow } });
    expect(wrongState.status).toBe(401);

    const token = await fetch(`${baseUrl}/en/editor/sign-in`, { method: 'POST', body: new URLSearchParams({ token: runtime.app.config.EDITOR_TOKEN! }), redirect: 'manual' });
    expect(token.status).toBe(400);
    expect(token.headers.get('set-cookie')).toBeNull();
  });

  test('the ID token check refuses a wrong audience, issuer, token use, expiry or signature', async () => {
    const verify = createIdTokenVerifier({ issuer: idp.issuer, clientId, group: 'editors', clock: { now: () => new Date() }, fetch });
    const now = Math.floor(Date.now() / 1000);
    const good = { iss: idp.issuer, aud: clientId, token_use: 'id', sub: 's', 'cognito:groups': ['editors'], iat: now, exp: now + 600 };
    await expect(verify(idp.signToken(good))).resolves.toMatchObject({ sub: 's' });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['wrong audience', { ...good, aud: 'another-client' }],
      ['wrong issuer', { ...good, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' }],
      ['not an ID token', { ...good, token_use: 'access' }],
      ['expired', { ...good, exp: now - 10 }],
    ];
    for (const [reason, claims] of cases) await expect(verify(idp.signToken(claims)), reason).rejects.toThrow(reason);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await expect(verify(idp.signToken(good, stranger))).rejects.toBeInstanceOf(TokenRejected);
    await expect(verify('not.a.jwt')).rejects.toBeInstanceOf(TokenRejected);
  });
});
