// Feeds end to end on DynamoDB Local: the seed digest and further entries go in through the real ingest (the lead's
// ingestEntries / importDigest and DynamoDB item store), and every route is read back through the real app and
// checked with independent parsers.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { testRuntime } from '../support/runtime.js';
import { anEntry } from '../support/entries.js';
import { seedDigestPath, seedSourceUrl } from '../../lambdas/local/seed.js';
import { ingestEntries } from '../../lambdas/core/ingest/ingest.js';
import { feedRoutes } from '../../lambdas/adapters/http/routes/feeds.js';
import { createFeedService } from '../../lambdas/composition-root.js';
import { newRouter } from '../../lambdas/adapters/http/router.js';
import { handleError } from '../../lambdas/adapters/http/errors.js';
import { allScopes, feedFormats, itemTagUri } from '../../lambdas/core/feeds/index.js';
import { scopeId } from '../../lambdas/core/items/model.js';
import type { IncomingEntry } from '../../lambdas/core/items/model.js';
import type { ItemReader } from '../../lambdas/core/items/ports.js';
import { createWebSubNotifier } from '../../lambdas/adapters/websub.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAtom, checkJsonFeed, checkRss, parseXml } from '../unit/feeds-support.js';

const base = 'https://news.example.org';
type ApiItem = { id: string; title: string; countries: string[]; topics: string[]; publishedAt: string };
const clock = (iso: string) => ({ now: () => new Date(iso) });
const check = (format: string, body: string) => (format === 'rss' ? checkRss(body) : format === 'atom' ? checkAtom(body) : checkJsonFeed(body));

/** An entry whose link and title name its guid, so that each is told apart in the feeds. */
const entry = (over: Partial<IncomingEntry> & { guid: string }): IncomingEntry =>
  anEntry({ link: `https://publisher.example/news/${over.guid}`, title: `Chile and Peru sign a trade agreement (${over.guid})`, ...over });

describe('feeds of the seed digest', () => {
  let rt: Awaited<ReturnType<typeof testRuntime>>;
  let items: ApiItem[];

  beforeAll(async () => {
    rt = await testRuntime({ FEED_PAGE_SIZE: '50', FEED_HEAD_CACHE_MS: '0' });
    const report = await rt.importDigest(await readFile(seedDigestPath, 'utf8'), seedSourceUrl);
    expect(report.counts.new).toBe(10);
    items = ((await (await rt.http.request('/api/items?limit=100')).json()) as { items: ApiItem[] }).items;
    expect(items).toHaveLength(10);
  });

  it('serves every scope in every format, valid, with the seed items exactly where their tags put them', async () => {
    let nonEmpty = 0;
    for (const scope of allScopes()) {
      const expected = items
        .filter(
          (i) =>
            scope.kind === 'all' ||
            (scope.kind === 'country' && i.countries.includes(scope.country)) ||
            (scope.kind === 'topic' && i.topics.includes(scope.topic)) ||
            (scope.kind === 'countryTopic' && i.countries.includes(scope.country) && i.topics.includes(scope.topic)),
        )
        .map((i) => itemTagUri(base, i.id));
      if (expected.length) nonEmpty++;
      for (const format of feedFormats) {
        const res = await rt.http.request(`/feeds/${scopeId(scope)}.${format}`);
        expect(res.status, `${scopeId(scope)}.${format}`).toBe(200);
        const { ids, links } = check(format, await res.text());
        expect(ids, `${scopeId(scope)}.${format}`).toEqual(expected);
        for (const link of links) expect(link.startsWith('https://')).toBe(true);
      }
    }
    expect(nonEmpty).toBeGreaterThan(10);
  });

  it('shows the seed titles, newest first, with their content and no script', async () => {
    const { titles, doc } = checkAtom(await (await rt.http.request('/feeds/all.atom')).text());
    expect(titles).toEqual(items.map((i) => i.title.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')));
    const contents = Array.from(doc.getElementsByTagName('content') as unknown as ArrayLike<Element>).map((c) => c.textContent ?? '');
    expect(contents.every((c) => c.includes('<p>'))).toBe(true);
  });

  it('answers 404 through the full app for unknown values, and serves OPML and the /feeds page', async () => {
    const res = await rt.http.request('/feeds/countries/ar/topics/trade-investment.atom');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('cl, co, mx, pe');
    expect((await rt.http.request('/feeds/all.rdf')).status).toBe(404);
    const opml = await rt.http.request('/feeds/index.opml');
    expect(opml.status).toBe(200);
    parseXml(await opml.text());
    const page = await rt.http.request('/feeds');
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain(`href="${base}/feeds/all.atom"`);
  });

  it('answers conditional requests with 304 from the head record only, and HEAD and gzip work', async () => {
    const store = rt.app.repos.items;
    const calls: string[] = [];
    const counting: ItemReader = {
      get: (id) => (calls.push('get'), store.get(id)),
      getMany: (ids) => (calls.push('getMany'), store.getMany(ids)),
      listScope: (scope, o) => (calls.push('listScope'), store.listScope(scope, o)),
      getScopeHead: (scope) => (calls.push('getScopeHead'), store.getScopeHead(scope)),
    };
    const app = newRouter();
    app.onError(handleError);
    app.route('/', feedRoutes({ feeds: createFeedService(rt.app.config, counting) }));
    const full = await app.request('/feeds/countries/cl.rss', { headers: { 'accept-encoding': 'gzip' } });
    expect(full.headers.get('content-encoding')).toBe('gzip');
    checkRss(gunzipSync(Buffer.from(await full.arrayBuffer())).toString('utf8'));
    calls.length = 0;
    const notModified = await app.request('/feeds/countries/cl.rss', {
      headers: { 'accept-encoding': 'gzip', 'if-none-match': full.headers.get('etag')! },
    });
    expect(notModified.status).toBe(304);
    const since = await app.request('/feeds/countries/cl.rss', { headers: { 'if-modified-since': full.headers.get('last-modified')! } });
    expect(since.status).toBe(304);
    expect(calls).toEqual(['getScopeHead', 'getScopeHead']);
    const head = await rt.http.request('/feeds/countries/cl.rss', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
  });
});

describe('feeds after further ingests', () => {
  it('moves the ETag and puts a new item on top once ingest writes it; keeps the id when it is edited', async () => {
    const rt = await testRuntime({ FEED_HEAD_CACHE_MS: '0' });
    const store = rt.app.repos.items;
    const source = { id: 'src-feeds', url: 'https://publisher.example/feed.xml' };
    await ingestEntries([entry({ guid: 'a', publishedAt: '2024-05-01T10:00:00Z' })], source, { store, clock: clock('2024-05-01T10:05:00Z') });
    const first = await rt.http.request('/feeds/countries/pe.json');
    const firstDoc = checkJsonFeed(await first.text());
    expect(firstDoc.ids).toHaveLength(1);
    expect(first.headers.get('last-modified')).toBe('Wed, 01 May 2024 10:05:00 GMT');

    await ingestEntries([entry({ guid: 'b', title: 'Peru hosts a trade fair', publishedAt: '2024-05-02T10:00:00Z' })], source, {
      store,
      clock: clock('2024-05-02T10:05:00Z'),
    });
    const second = await rt.http.request('/feeds/countries/pe.json', { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(second.status).toBe(200);
    const secondDoc = checkJsonFeed(await second.text());
    expect(secondDoc.titles[0]).toBe('Peru hosts a trade fair');
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));

    await ingestEntries([entry({ guid: 'a', title: 'Chile and Peru sign a trade agreement (corrected)', publishedAt: '2024-05-01T10:00:00Z' })], source, {
      store,
      clock: clock('2024-05-03T09:00:00Z'),
    });
    const third = checkAtom(await (await rt.http.request('/feeds/countries/pe.atom')).text());
    expect(third.titles).toContain('Chile and Peru sign a trade agreement (corrected)');
    expect(third.ids.sort()).toEqual([...secondDoc.ids].sort());
    // A scope the items are not in did not change.
    const mx = await rt.http.request('/feeds/countries/mx.rss');
    expect(checkRss(await mx.text()).ids).toEqual([]);
  });

  it('keeps every feed valid with hostile entries, and none of their script reaches a reader', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    const source = { id: 'src-hostile', url: 'https://publisher.example/hostile.xml' };
    const report = await ingestEntries(
      [
        entry({
          guid: 'h1',
          title: 'Chile <script>alert(1)</script> trade ]]> news \u0007',
          contentHtml:
            '<p onmouseover="x()">Trade with Chile ]]> grows</p><script>alert("x")</script><a href="javascript:alert(1)">x</a>' +
            '<p>bell\u0007 and ]]&gt; and <![CDATA[ cdata ]]></p><img src="x" onerror="steal()"><iframe src="https://evil.example/"></iframe>',
        }),
        entry({ guid: 'h2', link: 'https://publisher.example/news/h2?a=1&b=<2>', title: 'Chile: exports & "quotes" \u0001' }),
      ],
      source,
      { store, clock: clock('2024-05-01T11:00:00Z') },
    );
    expect(report.counts.new).toBe(2);
    for (const format of feedFormats) {
      for (const path of ['all', 'countries/cl', 'topics/trade-investment']) {
        const body = await (await rt.http.request(`/feeds/${path}.${format}`)).text();
        expect(body).not.toMatch(/<script/i);
        expect(body).not.toMatch(/javascript:/i);
        expect(body).not.toMatch(/onerror|onmouseover/i);
        expect(body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        expect(check(format, body).ids).toHaveLength(2);
      }
    }
  });

  it('pages through the whole history on DynamoDB with RFC 5005 next links', async () => {
    const rt = await testRuntime({ FEED_PAGE_SIZE: '4' });
    const store = rt.app.repos.items;
    const entries = Array.from({ length: 11 }, (_, i) =>
      entry({ guid: `p${i}`, title: `Chile trade update ${i}`, publishedAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString() }),
    );
    await ingestEntries(entries, { id: 'src-pages', url: 'https://publisher.example/p.xml' }, { store, clock: clock('2024-02-01T00:00:00Z') });
    const titles: string[] = [];
    let path: string | undefined = '/feeds/countries/cl.rss';
    let pages = 0;
    while (path) {
      const res = await rt.http.request(path);
      expect(res.status).toBe(200);
      const { titles: t, doc } = checkRss(await res.text());
      titles.push(...t);
      const next = Array.from(doc.getElementsByTagNameNS('http://www.w3.org/2005/Atom', 'link') as unknown as ArrayLike<Element>).find(
        (l) => l.getAttribute('rel') === 'next',
      );
      path = next ? new URL(next.getAttribute('href')!).pathname + new URL(next.getAttribute('href')!).search : undefined;
      pages++;
    }
    expect(pages).toBe(3);
    expect(titles).toEqual(Array.from({ length: 11 }, (_, i) => `Chile trade update ${10 - i}`));
  });

  it('pings a WebSub hub for every feed of the scopes an ingest run changed', async () => {
    const pinged: string[] = [];
    const hub = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const body = new URLSearchParams(raw);
        if (body.get('hub.mode') === 'publish') pinged.push(body.get('hub.url')!);
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    try {
      const hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
      const rt = await testRuntime({ WEBSUB_HUB_URL: hubUrl });
      const store = rt.app.repos.items;
      const report = await ingestEntries(
        [entry({ guid: 'w1', title: 'Mexico opens a new scholarship call', contentHtml: '<p>Scholarships for students from Mexico.</p>' })],
        { id: 'src-websub', url: 'https://publisher.example/w.xml' },
        { store, clock: clock('2024-06-01T00:00:00Z') },
      );
      const notify = createWebSubNotifier({ hubUrl: rt.app.config.WEBSUB_HUB_URL, baseUrl: rt.app.config.PUBLIC_BASE_URL })!;
      const results = await notify(report.changedScopes);
      expect(results.every((r) => r.ok)).toBe(true);
      expect(report.changedScopes).toContain('all');
      expect(report.changedScopes).toContain('countries/mx');
      expect(pinged.sort()).toEqual(report.changedScopes.flatMap((s) => feedFormats.map((f) => `${base}/feeds/${s}.${f}`)).sort());
      // The feeds it pinged advertise the same hub.
      expect(await (await rt.http.request('/feeds/countries/mx.atom')).text()).toContain(`<link rel="hub" href="${hubUrl}"/>`);
    } finally {
      await new Promise((resolve) => hub.close(resolve));
    }
  });
});
