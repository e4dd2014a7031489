// Ingestion end to end on DynamoDB Local: the seed digest, idempotency, updates, concurrency, the editor API and
// sources polled over HTTP from a feed served on this machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testRuntime, editorHeaders } from '../support/runtime.js';
import { anEntry } from '../support/entries.js';
import { seedDigestPath, seedSourceUrl } from '../../lambdas/local/seed.js';
import { ingestEntries, itemIdFor, type IngestStore } from '../../lambdas/core/ingest/ingest.js';
import { composeApp } from '../../lambdas/composition-root.js';
import { makeHandler as makeIngestHandler } from '../../lambdas/handlers/ingest-schedule.js';

type ItemsPage = { items: Array<{ id: string; title: string; link: string; publishedAt: string; updatedAt: string; summary: string; countries: string[]; topics: string[] }>; cursor: string | null };

const clock = (iso: string) => ({ now: () => new Date(iso) });

/** Counts writes through the real store: proves an unchanged re-poll writes nothing. */
function countingStore(store: IngestStore) {
  const counts = { saves: 0, touches: 0 };
  const wrapped: IngestStore = {
    getMany: (ids) => store.getMany(ids),
    findGuidOwners: (source, guids) => store.findGuidOwners(source, guids),
    save: (next, prev) => (counts.saves++, store.save(next, prev)),
    saveNew: (items) => ((counts.saves += items.length), store.saveNew(items)),
    touchScopes: (scopes, at) => (counts.touches++, store.touchScopes(scopes, at)),
  };
  return { wrapped, counts };
}

describe('seed digest through the API', () => {
  let rt: Awaited<ReturnType<typeof testRuntime>>;
  beforeAll(async () => {
    rt = await testRuntime();
    const report = await rt.importDigest(await readFile(seedDigestPath, 'utf8'), seedSourceUrl);
    expect(report.counts.new).toBe(10);
  });

  it('lists the 10 seed items newest first with the contract shape, countries and topics', async () => {
    const res = await rt.http.request('/api/items?limit=50');
    expect(res.status).toBe(200);
    const body = (await res.json()) as ItemsPage;
    expect(body.items).toHaveLength(10);
    expect(body.cursor).toBeNull();
    const times = body.items.map((i) => i.publishedAt);
    expect([...times].sort().reverse()).toEqual(times);
    for (const item of body.items) {
      expect(Object.keys(item).sort()).toEqual(['countries', 'id', 'link', 'publishedAt', 'summary', 'title', 'topics', 'updatedAt']);
      expect(item.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(item.countries.length).toBeGreaterThan(0);
      for (const c of item.countries) expect(['cl', 'co', 'mx', 'pe']).toContain(c);
      expect(item.summary.length).toBeGreaterThan(0);
    }
    expect(body.items.some((i) => i.topics.length > 0)).toBe(true);
  });

  it('re-importing the same digest creates nothing and changes nothing', async () => {
    const report = await rt.importDigest(await readFile(seedDigestPath, 'utf8'), seedSourceUrl);
    expect(report.counts).toEqual({ new: 0, updated: 0, unchanged: 10, rejected: 0 });
  });

  it('pages with a cursor and filters by country and topic', async () => {
    const first = (await (await rt.http.request('/api/items?limit=4')).json()) as ItemsPage;
    expect(first.items).toHaveLength(4);
    const second = (await (await rt.http.request(`/api/items?limit=4&cursor=${first.cursor}`)).json()) as ItemsPage;
    expect(second.items).toHaveLength(4);
    expect(second.items.map((i) => i.id)).not.toContain(first.items[0]!.id);
    const all = (await (await rt.http.request('/api/items?limit=50')).json()) as ItemsPage;
    const someTopic = all.items.find((i) => i.topics.length)!.topics[0]!;
    const filtered = (await (await rt.http.request(`/api/items?country=pe&topic=${someTopic}&limit=50`)).json()) as ItemsPage;
    const expected = all.items.filter((i) => i.countries.includes('pe') && i.topics.includes(someTopic)).map((i) => i.id);
    expect(filtered.items.map((i) => i.id)).toEqual(expected);
  });

  it('refuses an unknown country or topic with a message naming the valid ones', async () => {
    const res = await rt.http.request('/api/items?country=zz');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('items.unknownCountry');
    expect(body.error.message).toContain('cl, co, mx, pe');
  });

  it('GET /api/taxonomy answers the contract shape in English and Spanish', async () => {
    const en = (await (await rt.http.request('/api/taxonomy')).json()) as { countries: Array<{ code: string; name: string }>; topics: Array<{ slug: string; name: string }> };
    expect(en.countries.map((c) => c.code)).toEqual(['cl', 'co', 'mx', 'pe']);
    expect(en.topics.length).toBeGreaterThanOrEqual(8);
    const es = (await (await rt.http.request('/api/taxonomy?language=es')).json()) as typeof en;
    expect(es.countries.find((c) => c.code === 'mx')!.name).toBe('México');
    expect(es.countries.find((c) => c.code === 'pe')!.name).toBe('Perú');
  });
});

describe('idempotent ingestion', () => {
  it('an unchanged re-poll writes nothing; a changed entry is updated in place with its version bumped', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    const source = { id: 'src-a', url: 'https://publisher.example/feed' };
    const first = await ingestEntries([anEntry(), anEntry({ guid: 'guid-2', link: 'https://publisher.example/news/2', title: 'Second' })], source, { store, clock: clock('2024-05-02T00:00:00Z') });
    expect(first.counts).toEqual({ new: 2, updated: 0, unchanged: 0, rejected: 0 });

    const { wrapped, counts } = countingStore(store);
    const again = await ingestEntries([anEntry(), anEntry({ guid: 'guid-2', link: 'https://publisher.example/news/2', title: 'Second' })], source, { store: wrapped, clock: clock('2024-05-03T00:00:00Z') });
    expect(again.counts).toEqual({ new: 0, updated: 0, unchanged: 2, rejected: 0 });
    expect(counts).toEqual({ saves: 0, touches: 0 });

    const changed = await ingestEntries([anEntry({ title: 'Chile and Peru sign a new trade agreement' })], source, { store, clock: clock('2024-05-04T00:00:00Z') });
    expect(changed.counts.updated).toBe(1);
    const list = (await (await rt.http.request('/api/items')).json()) as ItemsPage;
    expect(list.items).toHaveLength(2);
    const updated = list.items.find((i) => i.link === 'https://publisher.example/news/1')!;
    expect(updated.title).toBe('Chile and Peru sign a new trade agreement');
    expect(updated.updatedAt).toBe('2024-05-04T00:00:00.000Z');
    const full = (await (await rt.http.request(`/api/items/${updated.id}`)).json()) as { version: number };
    expect(full.version).toBe(2);
  });

  it('an entry whose link changed is found again by its GUID and updated, not duplicated', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    const source = { id: 'src-a', url: 'https://publisher.example/feed' };
    await ingestEntries([anEntry()], source, { store, clock: clock('2024-05-02T00:00:00Z') });
    const moved = await ingestEntries([anEntry({ link: 'https://publisher.example/news/1-renamed' })], source, { store, clock: clock('2024-05-03T00:00:00Z') });
    expect(moved.counts).toEqual({ new: 0, updated: 1, unchanged: 0, rejected: 0 });
    const list = (await (await rt.http.request('/api/items')).json()) as ItemsPage;
    expect(list.items.map((i) => i.link)).toEqual(['https://publisher.example/news/1-renamed']);
  });

  it('the same canonical link from another source is the same item, not a second one', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    await ingestEntries([anEntry()], { id: 'src-a', url: 'https://a.example/feed' }, { store, clock: clock('2024-05-02T00:00:00Z') });
    const other = await ingestEntries([anEntry({ guid: 'another-guid' })], { id: 'src-b', url: 'https://b.example/feed' }, { store, clock: clock('2024-05-02T00:00:00Z') });
    expect(other.counts.new).toBe(0);
    const list = (await (await rt.http.request('/api/items')).json()) as ItemsPage;
    expect(list.items).toHaveLength(1);
  });

  it('two runs at once and a retried run leave one copy of each item', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    const entries = Array.from({ length: 30 }, (_, i) => anEntry({ guid: `g${i}`, link: `https://publisher.example/n/${i}`, title: `Item ${i} about Mexico` }));
    const source = { id: 'src-a', url: 'https://publisher.example/feed' };
    const runs = await Promise.all([1, 2, 3].map(() => ingestEntries(entries, source, { store, clock: clock('2024-05-02T00:00:00Z') })));
    // Counts are each run's own view (runs at once may each see an entry as new); what is stored is one copy.
    for (const run of runs) expect(run.counts.new + run.counts.unchanged).toBe(30);
    const retried = await ingestEntries(entries, source, { store, clock: clock('2024-05-02T00:00:00Z') });
    expect(retried.counts).toEqual({ new: 0, updated: 0, unchanged: 30, rejected: 0 });
    const list = (await (await rt.http.request('/api/items?limit=100')).json()) as ItemsPage;
    expect(list.items).toHaveLength(30);
    expect(new Set(list.items.map((i) => i.id)).size).toBe(30);
    const mx = (await (await rt.http.request('/api/items?country=mx&limit=100')).json()) as ItemsPage;
    expect(mx.items).toHaveLength(30);
  });

  it('rejects entries with no id, or no title and no text, and says why; titles the rest from their text', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    const entries = [
      anEntry(),
      anEntry({ guid: '', title: 'x' }),
      anEntry({ guid: 'g3', title: '  ', link: 'https://publisher.example/news/3' }),
      anEntry({ guid: 'g4', title: '', contentHtml: '', link: 'https://publisher.example/news/4' }),
    ];
    const report = await ingestEntries(entries, { id: 's', url: 'https://p.example/' }, { store, clock: clock('2024-05-02T00:00:00Z') });
    expect(report.counts).toEqual({ new: 2, updated: 0, unchanged: 0, rejected: 2 });
    expect(report.rejected).toEqual([
      { entry: 'x', code: 'entry.noId', reason: 'entry has no id, guid or link to recognise it by', title: 'x' },
      { entry: 'g4', code: 'entry.untitled', reason: 'entry has no title, and no text or image description to derive one from', guid: 'g4' },
    ]);
    const titled = await store.getMany([itemIdFor('https://publisher.example/news/3')]);
    expect(titled[0]?.title).toBe('Exporters from Chile and Peru will benefit from the new trade agreement.');
  });

  it('sanitises hostile HTML before it is stored', async () => {
    const rt = await testRuntime();
    const store = rt.app.repos.items;
    await ingestEntries(
      [anEntry({ contentHtml: '<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a><a href="/rel">rel</a><iframe src="https://evil.example"></iframe></p>' })],
      { id: 's', url: 'https://p.example/' },
      { store, clock: clock('2024-05-02T00:00:00Z') },
    );
    const [item] = (await store.listScope('all', { limit: 5 })).items;
    expect(item!.contentHtml).not.toMatch(/script|onclick|javascript:|iframe/i);
    expect(item!.contentHtml).toContain('https://publisher.example/rel');
  });
});

describe('editor item API', () => {
  it('needs the editor token, validates, adds, corrects and overrides tags that survive re-ingestion', async () => {
    const rt = await testRuntime();
    expect((await rt.http.request('/api/items', { method: 'POST', body: '{}' })).status).toBe(401);
    const bad = await rt.http.request('/api/items', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ title: 'x', link: 'javascript:alert(1)' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('request.invalid');
    const notJson = await rt.http.request('/api/items', { method: 'POST', headers: editorHeaders, body: '{"title":' });
    expect(notJson.status).toBe(400);
    const unknownTag = await rt.http.request('/api/items', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ title: 'x', link: 'https://e.example/1', countries: ['ar'] }) });
    expect(unknownTag.status).toBe(400);

    const added = await rt.http.request('/api/items', {
      method: 'POST',
      headers: editorHeaders,
      body: JSON.stringify({ title: 'Editor note on fisheries', link: 'https://e.example/1', publishedAt: '2024-06-01T12:00:00Z', contentHtml: '<p>About fisheries in Peru</p>' }),
    });
    expect(added.status).toBe(201);
    const { id } = (await added.json()) as { id: string };

    const corrected = await rt.http.request('/api/items', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ id, title: 'Corrected title', countries: ['co'], topics: ['education-skills'] }) });
    expect(corrected.status).toBe(200);
    const item = (await (await rt.http.request(`/api/items/${id}`)).json()) as { title: string; countries: string[]; topics: string[]; tagProvenance: unknown; version: number };
    expect(item).toMatchObject({ title: 'Corrected title', countries: ['co'], topics: ['education-skills'], tagProvenance: { countries: 'editor', topics: 'editor' }, version: 2 });

    const inCo = (await (await rt.http.request('/api/items?country=co')).json()) as ItemsPage;
    expect(inCo.items.map((i) => i.id)).toEqual([id]);
    const inPe = (await (await rt.http.request('/api/items?country=pe')).json()) as ItemsPage;
    expect(inPe.items).toHaveLength(0);

    // The source publishes a change: content follows the source, the editor's tags stay.
    const store = rt.app.repos.items;
    await ingestEntries([{ guid: 'https://e.example/1', link: 'https://e.example/1', title: 'Editor note on fisheries (updated)', contentHtml: '<p>About fisheries in Peru and Chile</p>', publishedAt: '2024-06-01T12:00:00Z', categories: [], enclosures: [] }], { id: 'editor', url: 'https://news.example.org' }, { store, clock: clock('2024-06-02T00:00:00Z') });
    const after = (await (await rt.http.request(`/api/items/${id}`)).json()) as typeof item;
    expect(after.countries).toEqual(['co']);
    expect(after.topics).toEqual(['education-skills']);

    const missing = await rt.http.request('/api/items', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ id: 'nope', title: 'x' }) });
    expect(missing.status).toBe(404);
  });

  it('refuses an oversize body with 413', async () => {
    const rt = await testRuntime();
    const res = await rt.http.request('/api/items', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ title: 'x', link: 'https://e.example/1', contentHtml: 'a'.repeat(400_000) }) });
    expect(res.status).toBe(413);
  });
});

describe('sources polled over HTTP', () => {
  let server: Server;
  let base: string;
  let etagHits = 0;
  const rss = (title: string) => `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Local</title><link>http://x/</link>
    <item><title>${title}</title><link>http://127.0.0.1/news/a</link><guid>a</guid><pubDate>Wed, 01 May 2024 10:00:00 GMT</pubDate><description>&lt;p&gt;Colombia hosts SMEs&lt;/p&gt;</description></item>
    <item><title>Second item about Mexico</title><link>http://127.0.0.1/news/b</link><guid>b</guid><pubDate>Thu, 02 May 2024 10:00:00 GMT</pubDate></item>
    </channel></rss>`;
  const mastodonFeed = readFileSync(new URL('../fixtures/corpus/feeds/mastodon-rss.xml', import.meta.url));
  // Four entries: one that nothing identifies, the same guid twice, and one that is fine.
  const messyFeed = `<rss version="2.0"><channel><title>Messy</title>
    <item><description></description></item>
    <item><title>Draft</title><link>http://127.0.0.1/messy/1</link><guid>m1</guid></item>
    <item><title>Final</title><link>http://127.0.0.1/messy/1</link><guid>m1</guid></item>
    <item><title>Other</title><link>http://127.0.0.1/messy/2</link><guid>m2</guid></item>
    </channel></rss>`;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/feed.xml') {
        if (req.headers['if-none-match'] === '"v1"') {
          etagHits++;
          res.writeHead(304).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' }).end(rss('Entrepreneurs in Colombia'));
      } else if (req.url === '/broken.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss><channel><item><title>cut');
      } else if (req.url === '/mastodon.rss') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(mastodonFeed);
      } else if (req.url === '/messy.xml') {
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(messyFeed);
      } else if (req.url === '/garbage') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.from([0, 1, 2, 255, 254, 0, 7]));
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('adds sources, polls them (conditional GET on the second poll) and records errors per source', async () => {
    const rt = await testRuntime();
    expect((await rt.http.request('/api/sources', { method: 'POST', body: '{}' })).status).toBe(401);
    const add = async (url: string) => {
      const res = await rt.http.request('/api/sources', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ url, name: url.split('/').pop(), defaultCountries: ['co'] }) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    const good = await add(`${base}/feed.xml`);
    const broken = await add(`${base}/broken.xml`);
    await add(`${base}/garbage`);
    const again = await rt.http.request('/api/sources', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ url: `${base}/feed.xml` }) });
    expect(again.status).toBe(200);

    const poll = async (id: string) => (await (await rt.http.request(`/api/sources/${id}/poll`, { method: 'POST', headers: editorHeaders })).json()) as { status: string; counts: Record<string, number>; error: { code: string; message: string } | null };
    expect(await poll(good)).toEqual({ status: 'ok', counts: { new: 2, updated: 0, unchanged: 0, rejected: 0 }, error: null });
    expect(await poll(good)).toMatchObject({ status: 'not-modified', counts: { new: 0 } });
    expect(etagHits).toBe(1);
    const failed = await poll(broken);
    expect(failed.status).toBe('error');
    expect(failed.error?.message.length).toBeGreaterThan(5);

    // The scheduled run polls all three; the two bad ones fail alone.
    const results = await rt.pollSources();
    expect(results.map((r) => r.status).sort()).toEqual(['error', 'error', 'not-modified']);
    const sources = (await (await rt.http.request('/api/sources', { headers: editorHeaders })).json()) as { sources: Array<{ id: string; lastPoll?: { status: string }; lastError?: { code: string } }> };
    expect(sources.sources).toHaveLength(3);
    expect(sources.sources.find((s) => s.id === broken)!.lastError?.code).toMatch(/^feed\./);
    const items = (await (await rt.http.request('/api/items')).json()) as ItemsPage;
    expect(items.items.map((i) => i.title).sort()).toEqual(['Entrepreneurs in Colombia', 'Second item about Mexico']);
    expect(items.items.find((i) => i.title === 'Entrepreneurs in Colombia')!.countries).toEqual(['co']);
    expect((await rt.http.request('/api/sources/nope/poll', { method: 'POST', headers: editorHeaders })).status).toBe(404);
  });

  it('ingests a microblog feed without titles whole, titled from the text, with its images', async () => {
    const rt = await testRuntime();
    const added = await rt.http.request('/api/sources', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ url: `${base}/mastodon.rss` }) });
    const { id } = (await added.json()) as { id: string };
    const poll = await rt.http.request(`/api/sources/${id}/poll`, { method: 'POST', headers: editorHeaders });
    expect(await poll.json()).toEqual({ status: 'ok', counts: { new: 3, updated: 0, unchanged: 0, rejected: 0 }, error: null });
    const items = ((await (await rt.http.request('/api/items?limit=10')).json()) as ItemsPage).items;
    expect(items.map((i) => i.title)).toEqual([
      'Chile and Peru sign a new customs agreement at the border crossing of Chacalluta.',
      'Container ships at the port of Callao at dawn',
      '@ana Yes! The summit in Lima starts tomorrow, with delegations from Mexico…',
    ]);
    const photo = (await (await rt.http.request(`/api/items/${items[1]!.id}`)).json()) as { image?: unknown };
    expect(photo.image).toEqual({ url: 'https://files.social.example/media_attachments/files/112/435/000/original/harbour.jpg', alt: 'Container ships at the port of Callao at dawn' });
  });

  it('accounts for every entry of a poll, saying why each rejected one was (poll answer and source status)', async () => {
    const rt = await testRuntime();
    const added = await rt.http.request('/api/sources', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ url: `${base}/messy.xml` }) });
    const { id } = (await added.json()) as { id: string };
    const answer = (await (await rt.http.request(`/api/sources/${id}/poll`, { method: 'POST', headers: editorHeaders })).json()) as {
      counts: Record<string, number>;
      rejections: Array<{ entry: string; code: string; reason: string }>;
    };
    expect(answer.counts).toEqual({ new: 2, updated: 0, unchanged: 0, rejected: 2 });
    expect(answer.rejections).toEqual([
      { entry: '#1', code: 'entry.unidentifiable', reason: expect.stringContaining('no guid, link, title or content') },
      { entry: 'm1', code: 'entry.duplicate', reason: expect.stringContaining('the later one was kept') },
    ]);
    const sources = (await (await rt.http.request('/api/sources', { headers: editorHeaders })).json()) as { sources: Array<{ id: string; lastPoll?: { rejections?: unknown } }> };
    expect(sources.sources.find((s) => s.id === id)!.lastPoll?.rejections).toEqual(answer.rejections);
    const titles = ((await (await rt.http.request('/api/items?limit=10')).json()) as ItemsPage).items.map((i) => i.title).sort();
    expect(titles).toEqual(['Final', 'Other']);
  });

  it('sources named in the SOURCES setting are registered and polled by the scheduled ingest', async () => {
    const rt = await testRuntime({ SOURCES: JSON.stringify([{ url: `${base}/feed.xml`, name: 'Configured', defaultCountries: ['co'] }]) });
    const [result] = await rt.pollSources();
    expect(result).toMatchObject({ status: 'ok', counts: { new: 2 } });
    const sources = (await (await rt.http.request('/api/sources', { headers: editorHeaders })).json()) as { sources: Array<{ name: string }> };
    expect(sources.sources.map((s) => s.name)).toEqual(['Configured']);
    expect((await rt.pollSources()).map((r) => r.status)).toEqual(['not-modified']);
  });

  it('the ingest Lambda registers the SOURCES setting on its first run (nothing else puts them in the table in AWS)', async () => {
    const rt = await testRuntime();
    // The Lambda's App: the same table, with the SOURCES setting (the runtime itself had none to register).
    const lambdaApp = composeApp({ ...rt.app, config: { ...rt.app.config, SOURCES: [{ url: `${base}/feed.xml`, name: 'From SOURCES' }] } });
    const sources = rt.app.repos.sources;
    const handler = makeIngestHandler(lambdaApp);
    const { results } = await handler({});
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'ok', counts: { new: 2 } });
    expect((await sources.list()).map((s) => s.name)).toEqual(['From SOURCES']);
  });
});
