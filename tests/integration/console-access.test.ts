// Access to the editor console and the editor API: guessing the token meets a limit shared by every instance (per
// client and overall, each failure slower, then 429), sign-in and sign-out are logged, and sign-out ends the session
// on the server so the old cookie stops working.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { createHttpApp, type HttpApp } from '../../lambdas/adapters/http/app.js';
import { composeApp } from '../../lambdas/composition-root.js';
import { loadConfig } from '../../lambdas/config.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';
import { logger } from '../../lambdas/adapters/observability.js';

const editorToken = 'console-access-token-0123456789-abcdefghij';
let http: HttpApp;
const delays: number[] = [];

beforeAll(async () => {
  const { doc, tableName } = await freshTable('console');
  const app = composeApp({
    config: loadConfig({
      STAGE: 'test',
      TABLE_NAME: tableName,
      EDITOR_TOKEN: editorToken,
      SIGNING_SECRET: 'console-access-signing-secret-0123456789',
      TRUST_FORWARDED_FOR: '1',
      LOG_LEVEL: 'ERROR',
    }),
    doc,
    ses: createSesClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    background: { enqueue: async () => undefined, schedule: async () => undefined },
    signInLimits: { perClient: 3, overall: 6, sleep: async (ms) => void delays.push(ms) },
  });
  http = createHttpApp(app);
});

afterEach(() => vi.restoreAllMocks());

const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, 'sec-fetch-site': 'same-origin', ...extra });
const signIn = (ip: string, token: string) =>
  http.request('/es/editor/sign-in', { method: 'POST', headers: from(ip, { 'content-type': 'application/x-www-form-urlencoded' }), body: new URLSearchParams({ token }).toString() });
const api = (ip: string, token: string) => http.request('/api/editions', { headers: from(ip, { authorization: `Bearer ${token}` }) });

describe('guessing the editor token', () => {
  it('slows each failure of a client more, then answers 429 with Retry-After even to the right token', async () => {
    delays.length = 0;
    for (let i = 0; i < 3; i++) expect((await signIn('198.51.100.1', `guess-${i}`)).status).toBe(401);
    expect(delays).toEqual([125, 250, 500]);
    const blocked = await signIn('198.51.100.1', editorToken);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toMatch(/Demasiados intentos/);
    // The API bearer shares the count.
    expect((await api('198.51.100.1', editorToken)).status).toBe(429);
    // Another client is not blocked by this one.
    expect((await signIn('198.51.100.2', editorToken)).status).toBe(303);
  });

  it('counts wrong API bearer tokens too, and limits everyone once the overall count is reached', async () => {
    expect((await api('198.51.100.3', 'wrong-0')).status).toBe(401);
    expect((await api('198.51.100.4', 'wrong-1')).status).toBe(401);
    expect((await api('198.51.100.5', 'wrong-2')).status).toBe(401);
    // 3 failures above + 3 here = the overall limit of 6: a fresh client is refused too.
    const res = await api('198.51.100.6', editorToken);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.tooManyAttempts');
    expect((await signIn('198.51.100.7', editorToken)).status).toBe(429);
  });

  it('does not count a request without a token', async () => {
    const { http: fresh } = await separateApp();
    for (let i = 0; i < 5; i++) expect((await fresh.request('/api/editions')).status).toBe(401);
  });
});

describe('sessions', () => {
  it('logs sign-in and sign-out (never the token), and sign-out ends the session on the server', async () => {
    const { http: app } = await separateApp();
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn');
    const post = (path: string, body: Record<string, string>, cookie?: string) =>
      app.request(path, { method: 'POST', headers: from('203.0.113.8', { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) }), body: new URLSearchParams(body).toString() });
    expect((await post('/es/editor/sign-in', { token: 'wrong-token' })).status).toBe(401);
    const signedIn = await post('/es/editor/sign-in', { token: editorToken });
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const page = await app.request('/es/editor/items', { headers: { cookie } });
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    expect((await post('/es/editor/sign-out', { csrf }, cookie)).status).toBe(303);
    // The old cookie, replayed after sign-out, no longer opens anything.
    const replay = await app.request('/es/editor/items', { headers: { cookie } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toMatch(/\/es\/editor\/sign-in/);
    expect((await post('/es/editor/items', { csrf, url: 'https://example.org/x', title: 'x' }, cookie)).status).toBe(401);

    const events = [...info.mock.calls, ...warn.mock.calls].map(([message, extra]) => ({ message, extra }));
    expect(events.map((e) => e.message)).toEqual(expect.arrayContaining(['editor.signIn.failed', 'editor.signIn.ok', 'editor.signOut']));
    expect(events.find((e) => e.message === 'editor.signIn.ok')?.extra).toMatchObject({ ip: '203.0.113.8', via: 'console' });
    expect(JSON.stringify(events)).not.toContain(editorToken);
    expect(JSON.stringify(events)).not.toContain('wrong-token');
  });
});

async function separateApp() {
  const { doc, tableName } = await freshTable('console');
  const app = composeApp({
    config: loadConfig({ STAGE: 'test', TABLE_NAME: tableName, EDITOR_TOKEN: editorToken, SIGNING_SECRET: 'console-access-signing-secret-0123456789', TRUST_FORWARDED_FOR: '1', LOG_LEVEL: 'ERROR' }),
    doc,
    ses: createSesClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    background: { enqueue: async () => undefined, schedule: async () => undefined },
    signInLimits: { sleep: async () => undefined },
  });
  return { http: createHttpApp(app) };
}

describe('routes match whole path segments', () => {
  // Hono's trie router reads `{es|en}` as /^es|en$/; every alternative is grouped so /espanol/ is not Spanish.
  it.each(['/espanol/archive', '/ben/feeds', '/esx/', '/xen/editor/sign-in'])('%s is not found', async (path) => {
    const res = await http.request(path, { headers: from('203.0.113.9') });
    expect(res.status).toBe(404);
  });
  it('/es/ and /en/feeds still are', async () => {
    expect((await http.request('/es/', { headers: from('203.0.113.9') })).status).toBe(200);
    expect((await http.request('/en/feeds', { headers: from('203.0.113.9') })).status).toBe(200);
  });
});
