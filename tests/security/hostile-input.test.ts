// Hostile input over every public route, page and token, table-driven: each case must answer 4xx (never 5xx, never a
// success) and, where it could change something, leave every subscriber exactly as it was. Runs the app in process
// on DynamoDB Local and SES local, as the other integration tests do.
import { beforeAll, describe, expect, it } from 'vitest';
import { createMjmlRenderer } from '../../lambdas/adapters/mjml/renderer.js';
import { confirmTokenOf, editorToken, inbox, subscriptionApp, uniqueAddress } from '../integration/subscriptions-support.js';

type App = Awaited<ReturnType<typeof subscriptionApp>>;
type Lazy<T> = T | (() => T);
interface Case {
  name: string;
  method: string;
  /** Functions are read when the case runs (tokens and sessions exist only after beforeAll). */
  path: Lazy<string>;
  headers?: Lazy<Record<string, string>>;
  body?: Lazy<BodyInit>;
  /** Statuses the case may answer; default: any 4xx. */
  expect?: number[];
}

let t: App;
let prefsToken: string;
let usedConfirmToken: string;
let pendingConfirmToken: string;
let expiredConfirmToken: string;
let sessionCookie: string;
let csrf: string;

const ip = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
const json = (value: unknown) => JSON.stringify(value);
const urlencoded = { 'content-type': 'application/x-www-form-urlencoded' };
const appJson = { 'content-type': 'application/json' };
const multipart = (boundary = 'XyZ') => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });
const brokenMultipart = `--XyZ\r\nContent-Disposition: form-data; name="email"\r\n\r\nreader@example.org\r\n--XyZ\r\nContent-Disposition: form-data; name="countries"\r\n`;
const big = (bytes: number) => 'x'.repeat(bytes);

async function subscribeAndConfirmToken(address: string): Promise<string> {
  expect((await t.subscribe(address)).status).toBe(202);
  for (let i = 0; i < 50; i++) {
    const mail = (await inbox(address))[0];
    if (mail) return confirmTokenOf(mail);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no confirmation email for ${address}`);
}

/** Every subscriber, as stored: a hostile case must leave this exactly as it found it. */
async function everything(): Promise<string> {
  const rows = [];
  let cursor: string | undefined;
  do {
    const page = await t.repo.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
    rows.push(...page.subscribers);
    cursor = page.cursor;
  } while (cursor);
  return JSON.stringify(rows);
}

const now = <T,>(value: Lazy<T>): T => (typeof value === 'function' ? (value as () => T)() : value);

async function run(c: Case): Promise<Response> {
  return t.http.request(now(c.path), {
    method: c.method,
    headers: { 'x-forwarded-for': ip(), 'user-agent': 'hostile', 'sec-fetch-site': 'same-origin', ...now(c.headers ?? {}) },
    ...(c.body !== undefined ? { body: now(c.body) } : {}),
  });
}
const label = (c: Case) => (typeof c.path === 'string' ? c.path.slice(0, 90) : '<token route>');

function table(cases: Case[]) {
  it.each(cases.map((c) => [`${c.method} ${label(c)} — ${c.name}`, c] as const))('%s', async (_, c) => {
    const before = await everything();
    const res = await run(c);
    if (c.expect) expect(c.expect).toContain(res.status);
    else {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    await res.arrayBuffer();
    expect(await everything()).toBe(before);
  });
}

beforeAll(async () => {
  t = await subscriptionApp({}, { signInLimits: { sleep: async () => undefined, perClient: 1000, overall: 100_000 }, renderer: createMjmlRenderer() });
  // A confirm link that will have expired, then a confirmed reader (with a preferences token) and a pending one.
  expiredConfirmToken = await subscribeAndConfirmToken(uniqueAddress('expired'));
  t.advance(8 * 24 * 3600 * 1000);
  usedConfirmToken = await subscribeAndConfirmToken(uniqueAddress('victim'));
  const confirmed = await t.json('POST', '/api/subscriptions/confirm', { token: usedConfirmToken });
  expect(confirmed.status).toBe(200);
  prefsToken = ((await confirmed.json()) as { preferencesToken: string }).preferencesToken;
  pendingConfirmToken = await subscribeAndConfirmToken(uniqueAddress('pending'));
  // An editor session for the console cases.
  const signedIn = await t.http.request('/es/editor/sign-in', { method: 'POST', headers: { ...urlencoded, 'sec-fetch-site': 'same-origin' }, body: new URLSearchParams({ token: editorToken }).toString() });
  expect(signedIn.status).toBe(303);
  sessionCookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
  csrf = /name="csrf" value="([^"]+)"/.exec(await (await t.http.request('/es/editor/items', { headers: { cookie: sessionCookie } })).text())![1]!;
});

// ---- Tokens: forged, garbage, expired, used, wrong purpose, on every token route ----------------------------------

const forge = (token: string, part: number, value: string) => token.split('.').map((p, i) => (i === part ? value : p)).join('.');
const badTokens: Array<[string, () => string]> = [
  ['garbage', () => 'garbage'],
  ['four dots of nothing', () => 'a.b.c.d'],
  ['path traversal', () => '..%2F..%2Fetc%2Fpasswd'],
  ['NUL byte', () => `${prefsToken}%00`],
  ['CR/LF', () => `${prefsToken}%0D%0ASet-Cookie:%20x=1`],
  ['overlong', () => 'A'.repeat(6000)],
  ['unicode look-alike', () => encodeURIComponent(prefsToken.replace(/[a-z]/, 'а'))],
  ['forged mac', () => forge(prefsToken, 3, 'A'.repeat(43))],
  ['other subscriber', () => forge(prefsToken, 0, '00000000-0000-4000-8000-000000000000')],
  ['later expiry', () => forge(prefsToken, 2, '9999999999')],
  ['wrong purpose (confirm token)', () => pendingConfirmToken],
  ['expired confirm token', () => expiredConfirmToken],
];
const prefsRoutes: Array<[string, (token: string) => string, Partial<Case>?]> = [
  ['GET', (x) => `/preferences/${x}`],
  ['POST', (x) => `/preferences/${x}`, { headers: urlencoded, body: 'countries=cl&topics=trade-investment' }],
  ['POST', (x) => `/preferences/${x}/pause`],
  ['POST', (x) => `/preferences/${x}/unsubscribe`],
  ['POST', (x) => `/preferences/${x}/erase`, { headers: urlencoded, body: 'confirm=yes' }],
  ['GET', (x) => `/api/preferences/${x}`],
  ['PUT', (x) => `/api/preferences/${x}`, { headers: appJson, body: json({ countries: ['cl'] }) }],
  ['POST', (x) => `/api/preferences/${x}/pause`],
  ['POST', (x) => `/api/preferences/${x}/unsubscribe`],
  ['GET', (x) => `/api/preferences/${x}/export`],
  ['DELETE', (x) => `/api/preferences/${x}`],
];
const unsubRoutes: Array<[string, (token: string) => string, Partial<Case>?]> = [
  ['GET', (x) => `/u/${x}`],
  ['POST', (x) => `/u/${x}`, { headers: urlencoded, body: 'List-Unsubscribe=One-Click' }],
];
const confirmRoutes: Array<[string, (token: string) => string, Partial<Case>?]> = [
  ['GET', (x) => `/confirm/${x}`],
  ['POST', (x) => `/confirm/${x}`, { headers: urlencoded, body: 'confirm=yes' }],
];

describe('token routes refuse every token that is not the right one', () => {
  // Built lazily: the tokens exist only after beforeAll.
  const cases: Case[] = [];
  for (const [name, token] of badTokens) {
    for (const [method, path, extra] of [...prefsRoutes, ...unsubRoutes]) {
      cases.push({ name, method, path: () => path(token()), ...extra });
    }
  }
  for (const [name, token] of badTokens.filter(([n]) => !n.startsWith('wrong purpose') && !n.startsWith('expired'))) {
    for (const [method, path, extra] of confirmRoutes) {
      cases.push({ name, method, path: () => path(token().replace(prefsToken, pendingConfirmToken)), ...extra });
    }
  }
  for (const [method, path, extra] of confirmRoutes) {
    cases.push({ name: 'expired', method, path: () => path(expiredConfirmToken), ...extra });
    cases.push({ name: 'wrong purpose (preferences token)', method, path: () => path(prefsToken), ...extra });
  }
  for (const [name, body] of [
    ['expired', () => json({ token: expiredConfirmToken })],
    ['used', () => json({ token: usedConfirmToken })],
    ['wrong purpose', () => json({ token: prefsToken })],
    ['garbage', () => json({ token: 'garbage-garbage' })],
    ['too long', () => json({ token: 'A'.repeat(600) })],
    ['not a string', () => json({ token: { $ne: null } })],
  ] as const) {
    cases.push({ name, method: 'POST', path: '/api/subscriptions/confirm', headers: appJson, body: () => body() });
  }
  table(cases);
});

// ---- Bodies: JSON API -------------------------------------------------------------------------------------------

const subscribeBody = (over: Record<string, unknown>) => json({ email: uniqueAddress('h'), countries: ['cl'], topics: ['trade-investment'], language: 'en', frequency: 'instant', ...over });
const badAddresses: Array<[string, unknown]> = [
  ['CR/LF header injection', 'reader@example.org\r\nBcc: victim@example.org'],
  ['overlong', `${'a'.repeat(330)}@example.org`],
  ['overlong domain', `reader@${'a'.repeat(300)}.org`],
  ['full-width at sign', 'reader＠example.org'],
  ['two addresses', 'a@example.org,b@example.org'],
  ['no domain', 'reader@'],
  ['empty', ''],
  ['an array', ['reader@example.org']],
  ['an object', { $gt: '' }],
  ['a number', 42],
];

// Control and invisible characters in an address are refused by the core's address rules (normaliseEmail).
const invisibleInAddress: Array<[string, string]> = [
  ['NUL', 'reader\u0000@example.org'],
  ['right-to-left override', 'reader\u202e@example.org'],
];
describe('addresses with control or invisible characters', () => {
  const cases: Case[] = [];
  for (const [name, email] of invisibleInAddress) {
    for (const path of ['/api/subscriptions', '/api/subscriptions/resend']) cases.push({ name: `email: ${name}`, method: 'POST', path, headers: appJson, body: subscribeBody({ email }) });
    cases.push({ name: `email: ${name}`, method: 'POST', path: '/es/subscribe', headers: urlencoded, body: new URLSearchParams({ email }).toString() });
  }
  table(cases);
});

describe('JSON API refuses hostile bodies', () => {
  const cases: Case[] = [];
  for (const path of ['/api/subscriptions', '/api/subscriptions/resend']) {
    cases.push(
      { name: 'malformed JSON', method: 'POST', path, headers: appJson, body: '{"email": "a@example.org",' },
      { name: 'JSON null', method: 'POST', path, headers: appJson, body: 'null' },
      { name: 'JSON array', method: 'POST', path, headers: appJson, body: '[]' },
      { name: 'text/plain', method: 'POST', path, headers: { 'content-type': 'text/plain' }, body: subscribeBody({}) },
      { name: 'form instead of JSON', method: 'POST', path, headers: urlencoded, body: 'email=a%40example.org' },
      { name: 'no body', method: 'POST', path, headers: appJson },
      { name: 'over 256 KB', method: 'POST', path, headers: appJson, body: json({ email: 'a@example.org', pad: big(300 * 1024) }), expect: [413] },
      { name: 'prototype pollution', method: 'POST', path, headers: appJson, body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}' },
    );
    for (const [name, email] of badAddresses) cases.push({ name: `email: ${name}`, method: 'POST', path, headers: appJson, body: subscribeBody({ email }) });
  }
  for (const [name, over] of [
    ['country traversal', { countries: ['../../etc'] }],
    ['topic markup', { topics: ['<script>alert(1)</script>'] }],
    ['unknown language', { language: 'xx' }],
    ['unknown frequency', { frequency: 'hourly' }],
    ['ten thousand countries', { countries: Array.from({ length: 10_000 }, () => 'cl') }],
    ['countries not a list', { countries: 'cl' }],
  ] as const) {
    cases.push({ name, method: 'POST', path: '/api/subscriptions', headers: appJson, body: subscribeBody(over) });
  }
  cases.push(
    { name: 'preferences: unknown country', method: 'PUT', path: '/api/preferences/x', headers: appJson, body: json({ countries: ['zz'] }) },
    { name: 'items: limit out of range', method: 'GET', path: '/api/items?limit=100000' },
    { name: 'items: unknown country', method: 'GET', path: '/api/items?country=..%2F..' },
  );
  table(cases);
});

// ---- Bodies: pages and their forms ------------------------------------------------------------------------------

describe('pages refuse hostile forms with a 4xx page', () => {
  const pagePosts = ['/es/subscribe', '/en/resend'];
  const cases: Case[] = [];
  for (const path of pagePosts) {
    cases.push(
      { name: 'multipart cut short', method: 'POST', path, headers: multipart(), body: brokenMultipart, expect: [400] },
      { name: 'multipart without a boundary', method: 'POST', path, headers: { 'content-type': 'multipart/form-data' }, body: 'email=a', expect: [400] },
      { name: 'multipart with the wrong boundary', method: 'POST', path, headers: multipart('other'), body: brokenMultipart, expect: [400] },
      { name: 'over 64 KB', method: 'POST', path, headers: urlencoded, body: `email=${big(70 * 1024)}`, expect: [413] },
      { name: 'email with CR/LF', method: 'POST', path, headers: urlencoded, body: new URLSearchParams({ email: 'a@example.org\r\nBcc: b@example.org', countries: 'cl' }).toString() },
      { name: 'overlong email', method: 'POST', path, headers: urlencoded, body: new URLSearchParams({ email: `${'a'.repeat(400)}@example.org` }).toString() },
      { name: 'no email at all', method: 'POST', path, headers: urlencoded, body: 'countries=cl' },
    );
  }
  cases.push(
    { name: 'subscribe: unknown country', method: 'POST', path: '/es/subscribe', headers: urlencoded, body: new URLSearchParams({ email: uniqueAddress('p'), countries: '../../etc' }).toString() },
    { name: 'subscribe: markup as topic', method: 'POST', path: '/es/subscribe', headers: urlencoded, body: new URLSearchParams({ email: uniqueAddress('p'), topics: '<img src=x onerror=alert(1)>' }).toString() },
  );
  table(cases);

  const tokenForms: Case[] = [];
  for (const action of ['', '/erase']) {
    tokenForms.push(
      { name: 'multipart cut short (valid token)', method: 'POST', path: () => `/preferences/${prefsToken}${action}`, headers: multipart(), body: brokenMultipart, expect: [400] },
      { name: 'over 64 KB (valid token)', method: 'POST', path: () => `/preferences/${prefsToken}${action}`, headers: urlencoded, body: `countries=${big(70 * 1024)}`, expect: [413] },
    );
  }
  tokenForms.push({ name: 'preferences: unknown country (valid token)', method: 'POST', path: () => `/preferences/${prefsToken}`, headers: urlencoded, body: 'countries=zz&topics=..%2F..' });
  tokenForms.push({ name: 'one-click with a broken multipart', method: 'POST', path: () => `/u/${prefsToken}`, headers: multipart(), body: brokenMultipart });
  table(tokenForms);
});

// ---- Paths, methods -----------------------------------------------------------------------------------------------

describe('paths and methods that lead nowhere', () => {
  const cases: Case[] = [
    { name: 'path', method: 'GET', path: '/es/editor/..%2F..%2Fadmin', expect: [303, 404] },
    ...['/assets/..%2F..%2Fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/es/items/..%2F..%2Fetc%2Fpasswd', '/es/archive/%00', '/es/archive/..%2F..', '/feeds/..%2F..%2Fpackage.json.rss', '/feeds/countries/zz.rss', '/feeds/topics/%3Cscript%3E.json', '/feeds/all.exe', '/api/items/..%2F..%2Fsecret', '/fr/', '/api/editions/..%2F..'].map((path) => ({ name: 'path', method: 'GET', path })),
    ...[
      ['PROPFIND', '/api/subscriptions'],
      ['PATCH', '/api/subscriptions'],
      ['GET', '/api/subscriptions'],
      ['DELETE', '/api/subscriptions'],
      ['PUT', '/es/subscribe'],
      ['DELETE', '/es/'],
      ['FOO', '/es/'],
      ['HEAD', '/api/subscriptions/confirm'],
      ['OPTIONS', '/api/subscriptions'],
      ['OPTIONS', '/api/subscribers'],
      ['PATCH', '/api/items'],
      ['PUT', '/feeds/all.rss'],
      ['POST', '/feeds/all.rss'],
      ['DELETE', '/api/editions'],
    ].map(([method, path]) => ({ name: 'method', method: method!, path: path! })),
  ];
  table(cases);
});

// ---- Editor routes without, or with a wrong, token ---------------------------------------------------------------

describe('editor API without the editor token', () => {
  const routes: Array<[string, string, BodyInit?]> = [
    ['GET', '/api/subscribers?email=a%40example.org'],
    ['GET', '/api/subscribers/list'],
    ['GET', '/api/subscribers/counts'],
    ['GET', '/api/subscribers/export'],
    ['POST', '/api/subscribers/import', json({ rows: [{ email: 'x@example.org' }] })],
    ['DELETE', '/api/subscribers?email=a%40example.org'],
    ['POST', '/api/items', json({ url: 'https://example.org/x', title: 'x' })],
    ['POST', '/api/sources', json({ url: 'https://example.org/feed' })],
    ['POST', '/api/editions', json({ subject: 'x' })],
    ['GET', '/api/editions'],
    ['POST', '/api/editions/some-id/redrive'],
    ['POST', '/api/imports/digest?sourceUrl=https%3A%2F%2Fexample.org', 'text'],
  ];
  const credentials: Array<[string, Record<string, string>]> = [
    ['none', {}],
    ['wrong bearer', { authorization: 'Bearer wrong-token' }],
    ['token one character short', { authorization: `Bearer ${editorToken.slice(0, -1)}` }],
    ['token without Bearer', { authorization: editorToken }],
    ['basic auth', { authorization: `Basic ${Buffer.from(`editor:${editorToken}`).toString('base64')}` }],
  ];
  const cases: Case[] = [];
  for (const [method, path, body] of routes) {
    for (const [name, headers] of credentials) {
      cases.push({ name, method, path, headers: { ...appJson, ...headers }, ...(body !== undefined ? { body } : {}), expect: [401, 429] });
    }
  }
  table(cases);
});

describe('editor console without a session', () => {
  const forged = () => `editor_session=${sessionCookie.split('=')[1]!.replace(/\.[^.]+$/, '.AAAA')}`;
  const cases: Case[] = [];
  for (const path of ['/es/editor/items', '/es/editor/sources', '/es/editor/editions', '/es/editor/subscribers', '/en/editor/subscribers/export']) {
    cases.push({ name: 'no cookie', method: 'GET', path, expect: [303] });
    cases.push({ name: 'forged cookie', method: 'GET', path, headers: () => ({ cookie: forged() }), expect: [303] });
  }
  for (const path of ['/es/editor/items', '/es/editor/subscribers/delete', '/es/editor/subscribers/import', '/es/editor/editions', '/es/editor/sources/poll-all']) {
    cases.push({ name: 'POST without a session', method: 'POST', path, headers: urlencoded, body: 'csrf=x', expect: [401] });
    cases.push({ name: 'POST with a session but no CSRF token', method: 'POST', path, headers: () => ({ ...urlencoded, cookie: sessionCookie }), body: 'email=a%40example.org', expect: [403] });
    cases.push({ name: 'POST from another site', method: 'POST', path, headers: () => ({ ...urlencoded, cookie: sessionCookie, 'sec-fetch-site': 'cross-site' }), body: () => `csrf=${csrf}`, expect: [403] });
    cases.push({ name: 'POST with a broken multipart', method: 'POST', path, headers: () => ({ ...multipart(), cookie: sessionCookie }), body: brokenMultipart, expect: [400] });
  }
  cases.push(
    { name: 'sign-in: broken multipart', method: 'POST', path: '/es/editor/sign-in', headers: multipart(), body: brokenMultipart, expect: [400] },
    { name: 'sign-in: over 64 KB', method: 'POST', path: '/es/editor/sign-in', headers: urlencoded, body: `token=${big(70 * 1024)}`, expect: [413] },
    { name: 'sign-in: wrong token', method: 'POST', path: '/es/editor/sign-in', headers: urlencoded, body: 'token=wrong', expect: [401] },
    { name: 'sign-in: from another site', method: 'POST', path: '/es/editor/sign-in', headers: { ...urlencoded, 'sec-fetch-site': 'cross-site' }, body: `token=${editorToken}`, expect: [403] },
  );
  table(cases);
});

// ---- Cursors ------------------------------------------------------------------------------------------------------

describe('cursors are opaque and authenticated', () => {
  const editorAuth = { authorization: `Bearer ${editorToken}` };
  const garbage = [
    'garbage',
    Buffer.from('2026-01-01T00:00:00.000Z#item').toString('base64url'),
    Buffer.from(JSON.stringify({ pk: 'SUB#x', sk: 'SUB', gsi1pk: 'SUBSCRIBERS', gsi1sk: 'z' })).toString('base64url'),
    'A'.repeat(200),
    '..%2F..%2F',
    '%00',
  ];
  const cases: Case[] = [];
  for (const cursor of garbage) {
    cases.push({ name: 'items', method: 'GET', path: `/api/items?cursor=${cursor}`, expect: [400] });
    cases.push({ name: 'subscribers', method: 'GET', path: `/api/subscribers/list?cursor=${cursor}`, headers: editorAuth, expect: [400] });
    cases.push({ name: 'feed archive page', method: 'GET', path: `/feeds/all.rss?page=${cursor}`, expect: [400, 404] });
  }
  table(cases);

  it('a real cursor reads as nothing, a changed one is refused, and one listing’s cursor is refused by another', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await t.editor('POST', '/api/items', { link: `https://example.org/hostile-${i}`, title: `Hostile ${i}`, countries: ['cl'], topics: ['trade-investment'] });
      expect(res.status).toBeLessThan(300);
    }
    const items = (await (await t.http.request('/api/items?limit=1')).json()) as { cursor: string };
    // The editor's list pages by at least 25: take the repository's own page of one (the cursor the route hands out).
    const subscribers = (await t.repo.listPage({ limit: 1 })) as { cursor: string };
    for (const cursor of [items.cursor, subscribers.cursor]) {
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const seen = Buffer.from(cursor, 'base64url').toString('latin1');
      expect(seen).not.toMatch(/SCOPE|SUB|EMAIL|SUPPRESS|20\d\d-|example/);
      const flipped = cursor.slice(0, 20) + (cursor[20] === 'A' ? 'B' : 'A') + cursor.slice(21);
      expect((await t.http.request(`/api/items?limit=1&cursor=${flipped}`)).status).toBe(400);
    }
    expect((await t.http.request(`/api/items?limit=1&cursor=${items.cursor}`)).status).toBe(200);
    expect((await t.http.request(`/api/items?limit=1&cursor=${subscribers.cursor}`)).status).toBe(400);
    expect((await t.editor('GET', `/api/subscribers/list?limit=1&cursor=${items.cursor}`)).status).toBe(400);
    const console = await t.http.request(`/es/editor/items?cursor=${'A'.repeat(100)}`, { headers: { cookie: sessionCookie } });
    expect(console.status).toBe(400);
  });
});

// ---- Forwarded headers and the origin secret --------------------------------------------------------------------

describe('the client address cannot be forged', () => {
  it('a spoofed X-Forwarded-For, X-Real-IP or X-Viewer-Address does not escape the per-IP limit (no proxy configured)', async () => {
    const app = await subscriptionApp({ SUBSCRIBE_IP_LIMIT_PER_HOUR: '2', TRUST_FORWARDED_FOR: '0' });
    const spoofs: Array<Record<string, string>> = [{ 'x-forwarded-for': '10.0.0.1' }, { 'x-real-ip': '10.0.0.2' }, { 'x-viewer-address': '10.0.0.3' }, { 'x-forwarded-for': '10.0.0.4, 10.0.0.5' }, { forwarded: 'for=10.0.0.6' }];
    const statuses = [];
    for (const headers of spoofs) statuses.push((await app.json('POST', '/api/subscriptions', JSON.parse(subscribeBody({})), { 'x-forwarded-for': '', ...headers })).status);
    expect(statuses).toEqual([202, 202, 429, 429, 429]);
  });

  it('behind CloudFront, requests without the origin secret are refused and X-Viewer-Address is the client', async () => {
    const secret = 'hostile-origin-secret-0123456789abcdef';
    const app = await subscriptionApp({ ORIGIN_VERIFY_SECRET: secret, SUBSCRIBE_IP_LIMIT_PER_HOUR: '1' });
    const wrong: Array<Record<string, string>> = [{}, { 'x-origin-verify': '' }, { 'x-origin-verify': 'wrong' }, { 'x-origin-verify': secret.toUpperCase() }, { 'x-origin-verify': secret.slice(0, -1) }, { 'x-origin-verify': `${secret}x` }];
    for (const headers of wrong) {
      for (const [method, path] of [['GET', '/api/taxonomy'], ['GET', '/es/'], ['GET', '/feeds/all.rss'], ['POST', '/api/subscriptions']] as const) {
        const res = await app.http.request(path, { method, headers: { ...appJson, 'x-viewer-address': '203.0.113.1', ...headers }, ...(method === 'POST' ? { body: subscribeBody({}) } : {}) });
        expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    const through = (viewer: string) => app.json('POST', '/api/subscriptions', JSON.parse(subscribeBody({})), { 'x-origin-verify': secret, 'x-viewer-address': viewer, 'x-forwarded-for': '10.9.9.9' });
    expect((await through('203.0.113.1')).status).toBe(202);
    expect((await through('203.0.113.1')).status).toBe(429);
    expect((await through('203.0.113.2')).status).toBe(202);
  });
});
