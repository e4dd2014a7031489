// The feed routes over HTTP, on an in-memory ItemReader (a fake of the core port): content types, 404s, validators,
// 304 without reading items, gzip/br, HEAD, OPML and the /feeds page.
import { describe, expect, it } from 'vitest';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { loadConfig } from '../../lambdas/config.js';
import { handleError } from '../../lambdas/adapters/http/errors.js';
import { newRouter } from '../../lambdas/adapters/http/router.js';
import { feedRoutes, negotiateCoding } from '../../lambdas/adapters/http/routes/feeds.js';
import { withHeadCache, type FeedBodyCache } from '../../lambdas/adapters/feed-render/cache.js';
import { createFeedService } from '../../lambdas/composition-root.js';
import { buildItem, checkAtom, checkJsonFeed, checkRss, manyItems, MemoryItemReader, parseXml } from './feeds-support.js';

const base = 'https://news.example.org';

/** By default no head caching, so each request shows what it read; caching has its own tests below. */
function appWith(reader: MemoryItemReader, env: Record<string, string> = {}, deps: { cache?: FeedBodyCache | false } = {}) {
  const config = loadConfig({ PUBLIC_BASE_URL: base, FEED_PAGE_SIZE: '20', FEED_HEAD_CACHE_MS: '0', ...env });
  const app = newRouter();
  app.onError(handleError);
  app.route('/', feedRoutes({ feeds: createFeedService(config, reader, deps.cache) }));
  return app;
}

describe('feed routes', () => {
  it('serves every format with its exact content type and valid content', async () => {
    const app = appWith(new MemoryItemReader(manyItems(30)));
    const rss = await app.request('/feeds/all.rss');
    expect(rss.status).toBe(200);
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(checkRss(await rss.text()).ids).toHaveLength(20);
    const atom = await app.request('/feeds/countries/cl.atom');
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(checkAtom(await atom.text()).ids.length).toBeGreaterThan(0);
    const json = await app.request('/feeds/countries/cl/topics/trade-investment.json');
    expect(json.headers.get('content-type')).toBe('application/feed+json; charset=utf-8');
    checkJsonFeed(await json.text());
  });

  it('answers 404 naming the valid values for an unknown country, topic or extension', async () => {
    const app = appWith(new MemoryItemReader([]));
    const country = await app.request('/feeds/countries/ar.rss');
    expect(country.status).toBe(404);
    expect(await country.json()).toEqual({
      error: { code: 'feeds.unknownCountry', message: 'Unknown country "ar"; valid countries: cl, co, mx, pe.' },
    });
    const topic = await app.request('/feeds/topics/sports.atom');
    expect(topic.status).toBe(404);
    expect(((await topic.json()) as { error: { message: string } }).error.message).toContain('climate-environment');
    const ext = await app.request('/feeds/all.xml');
    expect(ext.status).toBe(404);
    expect(((await ext.json()) as { error: { code: string } }).error.code).toBe('feeds.unknownFormat');
    expect((await app.request('/feeds/countries/cl/topics.rss')).status).toBe(404);
    expect((await app.request('/feeds/%E0%A4%A.rss')).status).toBe(404);
    const page = await app.request(`/feeds/all.rss?page=${'A'.repeat(600)}`);
    expect(page.status).toBe(404);
    expect(((await page.json()) as { error: { code: string } }).error.code).toBe('feeds.unknownPage');
  });

  it('sets a strong ETag, Last-Modified, CDN-fit Cache-Control and Vary', async () => {
    const app = appWith(new MemoryItemReader(manyItems(3), '2024-04-01T08:30:00.000Z'));
    const res = await app.request('/feeds/all.atom');
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers.get('last-modified')).toBe('Mon, 01 Apr 2024 08:30:00 GMT');
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=300, s-maxage=300/);
    expect(res.headers.get('vary')).toBe('Accept-Encoding');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers If-None-Match and If-Modified-Since with 304 from the head alone', async () => {
    const reader = new MemoryItemReader(manyItems(30));
    const app = appWith(reader);
    const full = await app.request('/feeds/topics/education-skills.rss');
    const etag = full.headers.get('etag')!;
    reader.calls = { get: 0, getMany: 0, listScope: 0, getScopeHead: 0 };
    const byTag = await app.request('/feeds/topics/education-skills.rss', { headers: { 'if-none-match': etag } });
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    expect(byTag.headers.get('etag')).toBe(etag);
    expect(byTag.headers.get('cache-control')).toContain('max-age=300');
    const byDate = await app.request('/feeds/topics/education-skills.rss', { headers: { 'if-modified-since': full.headers.get('last-modified')! } });
    expect(byDate.status).toBe(304);
    expect(reader.calls).toEqual({ get: 0, getMany: 0, listScope: 0, getScopeHead: 2 });
    const stale = await app.request('/feeds/topics/education-skills.rss', { headers: { 'if-none-match': '"old"' } });
    expect(stale.status).toBe(200);
  });

  it('compresses with br or gzip when accepted, with a per-coding ETag that still validates', async () => {
    const app = appWith(new MemoryItemReader(manyItems(20)));
    const plain = await app.request('/feeds/all.json');
    const identity = await plain.text();
    const br = await app.request('/feeds/all.json', { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brotliDecompressSync(brBytes).toString('utf8')).toBe(identity);
    expect(Number(br.headers.get('content-length'))).toBe(brBytes.length);
    expect(brBytes.length).toBeLessThan(identity.length / 3);
    expect(br.headers.get('etag')).toBe(plain.headers.get('etag')!.replace(/"$/, '-br"'));
    const gz = await app.request('/feeds/all.json', { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString('utf8')).toBe(identity);
    const revalidate = await app.request('/feeds/all.json', { headers: { 'accept-encoding': 'br', 'if-none-match': br.headers.get('etag')! } });
    expect(revalidate.status).toBe(304);
    expect(revalidate.headers.get('etag')).toBe(br.headers.get('etag'));
  });

  it('negotiates codings by q-value', () => {
    expect(negotiateCoding('br;q=0, gzip')).toBe('gzip');
    expect(negotiateCoding('identity')).toBe('identity');
    expect(negotiateCoding('*')).toBe('br');
    expect(negotiateCoding('gzip;q=0, br;q=0')).toBe('identity');
    expect(negotiateCoding(undefined)).toBe('identity');
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const app = appWith(new MemoryItemReader(manyItems(5)));
    const get = await app.request('/feeds/all.rss');
    const head = await app.request('/feeds/all.rss', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const h of ['content-type', 'etag', 'last-modified', 'cache-control', 'content-length']) expect(head.headers.get(h), h).toBe(get.headers.get(h));
  });

  it('links older pages (RFC 5005) that are served as archives', async () => {
    const app = appWith(new MemoryItemReader(manyItems(45)));
    const first = checkAtom(await (await app.request('/feeds/all.atom')).text());
    const next = Array.from(first.doc.getElementsByTagName('link') as unknown as ArrayLike<Element>).find((l) => l.getAttribute('rel') === 'next')!;
    const url = new URL(next.getAttribute('href')!);
    expect(url.origin).toBe(base);
    const older = await app.request(`${url.pathname}${url.search}`);
    expect(older.status).toBe(200);
    expect(older.headers.get('cache-control')).toContain('max-age=3600');
    const second = checkAtom(await older.text());
    expect(second.ids).toHaveLength(20);
    expect(second.ids.some((id) => first.ids.includes(id))).toBe(false);
    expect(second.doc.getElementsByTagNameNS('http://purl.org/syndication/history/1.0', 'archive').length).toBe(1);
  });

  it('advertises the WebSub hub when one is configured', async () => {
    const app = appWith(new MemoryItemReader(manyItems(2)), { WEBSUB_HUB_URL: 'https://hub.example.net/' });
    const atom = await (await app.request('/feeds/all.atom')).text();
    expect(atom).toContain('<link rel="hub" href="https://hub.example.net/"/>');
    const rss = await (await app.request('/feeds/all.rss')).text();
    expect(rss).toContain('<atom:link href="https://hub.example.net/" rel="hub"/>');
    const json = JSON.parse(await (await app.request('/feeds/all.json')).text());
    expect(json.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example.net/' }]);
    const without = await (await appWith(new MemoryItemReader(manyItems(2))).request('/feeds/all.atom')).text();
    expect(without).not.toContain('rel="hub"');
  });

  it('serves the OPML list and the /feeds page, both revalidatable', async () => {
    const app = appWith(new MemoryItemReader([]));
    const opml = await app.request('/feeds/index.opml');
    expect(opml.status).toBe(200);
    expect(opml.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    parseXml(await opml.text());
    const again = await app.request('/feeds/index.opml', { headers: { 'if-none-match': opml.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const page = await app.request('/feeds');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"');
    expect(html).toContain(`value="${base}/feeds/countries/mx/topics/gender-inclusion.rss"`);
    expect((await app.request('/feeds/', { redirect: 'manual' })).status).toBe(301);
  });

  it('puts a changed item at the top after the head moves', async () => {
    const reader = new MemoryItemReader(manyItems(5));
    const app = appWith(reader);
    const before = await app.request('/feeds/countries/cl.json');
    reader.put([buildItem({ id: 'breaking', publishedAt: '2024-04-05T00:00:00.000Z', updatedAt: '2024-04-05T00:00:00.000Z' })], '2024-04-05T00:00:01.000Z');
    const after = await app.request('/feeds/countries/cl.json', { headers: { 'if-none-match': before.headers.get('etag')! } });
    expect(after.status).toBe(200);
    expect(checkJsonFeed(await after.text()).ids[0]).toBe('tag:news.example.org,2023:items/breaking');
  });

  it('renders a feed once for a burst of concurrent requests and serves later ones from the body cache', async () => {
    const reader = new MemoryItemReader(manyItems(30));
    const app = appWith(reader);
    const bodies = await Promise.all(Array.from({ length: 10 }, () => app.request('/feeds/all.atom', { headers: { 'accept-encoding': 'gzip' } })));
    const texts = await Promise.all(bodies.map(async (r) => gunzipSync(Buffer.from(await r.arrayBuffer())).toString('utf8')));
    expect(new Set(texts).size).toBe(1);
    checkAtom(texts[0]!);
    expect(reader.calls.listScope).toBe(1);
    expect(reader.calls.getScopeHead).toBe(10);
    reader.put([buildItem({ id: 'later', publishedAt: '2024-04-09T00:00:00.000Z', updatedAt: '2024-04-09T00:00:00.000Z' })], '2024-04-09T00:00:00.000Z');
    const fresh = await app.request('/feeds/all.atom');
    expect(checkAtom(await fresh.text()).ids[0]).toBe('tag:news.example.org,2023:items/later');
    expect(reader.calls.listScope).toBe(2);
  });

  it('renders every request when the cache is off', async () => {
    const reader = new MemoryItemReader(manyItems(5));
    const app = appWith(reader, {}, { cache: false });
    await app.request('/feeds/all.rss');
    await app.request('/feeds/all.rss');
    expect(reader.calls.listScope).toBe(2);
  });

  it('keeps head records for FEED_HEAD_CACHE_MS, then refreshes them without stalling callers', async () => {
    const reader = new MemoryItemReader(manyItems(3));
    let now = 0;
    const cached = withHeadCache(reader, 1000, () => now);
    await Promise.all([cached.getScopeHead('all'), cached.getScopeHead('all'), cached.getScopeHead('countries/cl')]);
    now = 999;
    expect(await cached.getScopeHead('all')).toEqual(reader.heads.get('all'));
    expect(reader.calls.getScopeHead).toBe(2);
    // After the TTL: the previous head answers at once while one refresh runs, then the refreshed one.
    reader.put([buildItem({ id: 'n1', publishedAt: '2024-04-10T00:00:00.000Z' })], '2024-04-10T00:00:00.000Z');
    now = 1000;
    const [stale, alsoStale] = await Promise.all([cached.getScopeHead('all'), cached.getScopeHead('all')]);
    expect(stale!.changedAt).toBe('2024-04-01T00:00:00.000Z');
    expect(alsoStale).toEqual(stale);
    expect(reader.calls.getScopeHead).toBe(3);
    await new Promise((r) => setTimeout(r, 0));
    expect((await cached.getScopeHead('all'))!.changedAt).toBe('2024-04-10T00:00:00.000Z');
    expect(reader.calls.getScopeHead).toBe(3);
    expect(withHeadCache(reader, 0)).toBe(reader);
    // A failed first read is not cached.
    let fail = true;
    const flaky = withHeadCache({ ...reader, getScopeHead: async () => { if (fail) throw new Error('down'); return undefined; } } as never, 1000, () => now);
    await expect(flaky.getScopeHead('x')).rejects.toThrow('down');
    fail = false;
    await expect(flaky.getScopeHead('x')).resolves.toBeUndefined();
    const app = appWith(reader, { FEED_HEAD_CACHE_MS: '60000' });
    reader.calls.getScopeHead = 0;
    for (let i = 0; i < 5; i++) await app.request('/feeds/all.rss');
    expect(reader.calls.getScopeHead).toBe(1);
  });
});
