// Feed benchmarks: render time of a 50-item feed per format (ours: `feed` extended + JSON Feed 1.1 writer) beside
// feedsmith's generators on the same items; then the local HTTP service (DynamoDB Local, items written by the real
// ingest, the real app on @hono/node-server) under autocannon with 50 connections: a full feed versus a 304.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { createRequire } from 'node:module';
import { generateAtomFeed, generateJsonFeed, generateRssFeed } from 'feedsmith';
import { startEngines, freePort } from '../lambdas/local/engines.js';
import { createDocumentClient, ensureTable } from '../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../lambdas/adapters/ses/mailer.js';
import { createHttpApp } from '../lambdas/adapters/http/app.js';
import { composeApp, createFeedService, noBackground } from '../lambdas/composition-root.js';
import { newRouter } from '../lambdas/adapters/http/router.js';
import { handleError } from '../lambdas/adapters/http/errors.js';
import { feedRoutes } from '../lambdas/adapters/http/routes/feeds.js';
import { loadConfig } from '../lambdas/config.js';
import { ingestEntries } from '../lambdas/core/ingest/ingest.js';
import type { IncomingEntry, Item } from '../lambdas/core/items/model.js';
import {
  feedUrl,
  itemTagUri,
  renderFeed,
  scopeDescription,
  scopeTitle,
  siteName,
  taxonomySchemes,
  type FeedFormat,
  type FeedPage,
} from '../lambdas/core/feeds/index.js';
import { countryName, topicName } from '../lambdas/core/taxonomy/taxonomy.js';
import type { Figures } from './run.js';

// autocannon ships no types: the part of its result we read.
interface LoadResult {
  requests: { average: number; total: number };
  latency: { p99: number; p50: number };
  non2xx: number;
  errors: number;
  '3xx': number;
}
type Autocannon = (
  opts: { url: string; connections: number; duration: number; headers: Record<string, string>; workers?: number },
  done: (error: Error | null, result: LoadResult) => void,
) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const base = 'https://news.example.org';
const countries = ['cl', 'co', 'mx', 'pe'] as const;
const topics = ['trade-investment', 'education-skills', 'climate-environment', 'digital-transformation'] as const;
const paragraph =
  'The Pacific Alliance countries agreed on a joint agenda to strengthen trade, investment promotion and the ' +
  'participation of small and medium-sized enterprises in regional value chains, with support from observer states.';

function benchItems(count: number): Item[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.UTC(2024, 5, 30, 12) - i * 3_600_000 * 7).toISOString();
    return {
      id: `bench-${i}`,
      sourceId: 'bench',
      sourceGuid: `g${i}`,
      link: `https://publisher.example/news/${i}?ref=feed&lang=en`,
      title: `Pacific Alliance news item ${i}: ministers meet in Lima`,
      publishedAt: at,
      updatedAt: at,
      summary: paragraph,
      contentHtml: `<p>${paragraph}</p><p>${paragraph} <a href="https://publisher.example/doc/${i}">Read more</a>.</p><h2>Next steps</h2><p>${paragraph}</p>`,
      author: 'Press office',
      enclosures: [],
      countries: [countries[i % 4]!],
      topics: [topics[i % 4]!],
      blocWide: false,
      tagProvenance: { countries: 'rule', topics: 'rule' },
      sourceCategories: [],
      version: 1,
      sourceHash: 'x',
      ingestedAt: at,
    } as Item;
  });
}

/** The same feed through feedsmith's generators, field for field as close as its model allows. */
function feedsmithRender(format: FeedFormat, p: FeedPage): string {
  const schemes = taxonomySchemes(p.baseUrl);
  const cats = (it: Item) => [
    ...it.countries.map((c) => ({ term: c, label: countryName(c), scheme: schemes.countries })),
    ...it.topics.map((t) => ({ term: t, label: topicName(t), scheme: schemes.topics })),
  ];
  const self = feedUrl(p.baseUrl, p.scope, format);
  if (format === 'rss') {
    return generateRssFeed({
      title: scopeTitle(p.scope),
      link: `${base}/`,
      description: scopeDescription(p.scope),
      language: 'en',
      lastBuildDate: new Date(p.updated),
      atom: { links: [{ href: self, rel: 'self', type: 'application/rss+xml' }] },
      items: p.items.map((it) => ({
        title: it.title,
        link: it.link,
        guid: { value: itemTagUri(base, it.id), isPermaLink: false },
        pubDate: new Date(it.publishedAt),
        description: it.summary,
        content: { encoded: it.contentHtml },
        categories: cats(it).map((c) => ({ name: c.label, domain: c.scheme })),
        dc: { creators: it.author ? [it.author] : [] },
      })),
    } as never);
  }
  if (format === 'atom') {
    return generateAtomFeed({
      id: `tag:news.example.org,2023:feeds/all`,
      title: { value: scopeTitle(p.scope) },
      updated: new Date(p.updated),
      authors: [{ name: siteName }],
      links: [{ href: `${base}/`, rel: 'alternate' }, { href: self, rel: 'self' }],
      entries: p.items.map((it) => ({
        id: itemTagUri(base, it.id),
        title: { value: it.title, type: 'html' },
        updated: new Date(it.updatedAt),
        published: new Date(it.publishedAt),
        links: [{ href: it.link }],
        summary: { value: it.summary, type: 'html' },
        content: { value: it.contentHtml, type: 'html' },
        authors: it.author ? [{ name: it.author }] : [],
        categories: cats(it),
      })),
    } as never);
  }
  return JSON.stringify(
    generateJsonFeed({
      title: scopeTitle(p.scope),
      home_page_url: `${base}/`,
      feed_url: self,
      language: 'en',
      authors: [{ name: siteName }],
      items: p.items.map((it) => ({
        id: itemTagUri(base, it.id),
        url: it.link,
        title: it.title,
        content_html: it.contentHtml,
        summary: it.summary,
        date_published: new Date(it.publishedAt),
        date_modified: new Date(it.updatedAt),
        authors: it.author ? [{ name: it.author }] : [],
        tags: cats(it).map((c) => c.label),
      })),
    } as never),
  );
}

/** Median ms of `fn` over `rounds` after a warm-up. */
function medianMs(fn: () => unknown, rounds = 200): number {
  for (let i = 0; i < 30; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

interface Load {
  rps: number;
  p99: number;
  result: LoadResult;
}

/** 50 connections for `seconds`; the load generator runs in a worker thread, off the server's event loop. */
function load(url: string, headers: Record<string, string>, seconds: number): Promise<Load> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 50, duration: seconds, headers, workers: 1 }, (error, result) =>
      error ? reject(error) : resolve({ rps: result.requests.total / seconds, p99: result.latency.p99, result }),
    );
  });
}

/** Full feed and 304 under load at `url`: [full, notModified]. Checks every answer was what it should be. */
async function fullAnd304(url: string): Promise<[Load, Load]> {
  const headers = { 'accept-encoding': 'gzip' };
  const first = await fetch(url, { headers });
  const body = Buffer.from(await first.arrayBuffer());
  const etag = first.headers.get('etag');
  if (first.status !== 200 || !etag || body.length < 1000) throw new Error(`bench: unexpected first response ${first.status} ${etag}`);
  await load(url, headers, 1); // warm-up
  const full = await load(url, headers, 5);
  const notModified = await load(url, { ...headers, 'if-none-match': etag }, 5);
  if (full.result.non2xx > 0 || full.result.errors > 0) {
    throw new Error(`bench: full path had ${full.result.non2xx} non-2xx answers and ${full.result.errors} errors`);
  }
  if (notModified.result['3xx'] !== notModified.result.requests.total || notModified.result.errors > 0) {
    throw new Error(`bench: the conditional path did not answer 304 throughout (${notModified.result['3xx']} of ${notModified.result.requests.total})`);
  }
  return [full, notModified];
}

export async function run(): Promise<Figures> {
  const figures: Figures = {};

  // 1. Render time, ours and feedsmith's, for 50 items.
  const page: FeedPage = { scope: { kind: 'all' }, baseUrl: base, items: benchItems(50), updated: '2024-07-01T00:00:00.000Z' };
  let ours = 0;
  let alt = 0;
  for (const format of ['rss', 'atom', 'json'] as const) {
    const ms = medianMs(() => renderFeed(format, page));
    const altMs = medianMs(() => feedsmithRender(format, page));
    ours += ms;
    alt += altMs;
    figures[`feeds.render_ms.${format}`] = { value: ms, unit: 'ms', vs: `feedsmith ${altMs.toFixed(3)} ms (median of 200, 50 items)` };
  }
  figures['feeds.alt_render_ratio'] = {
    value: ours / alt,
    unit: 'x',
    vs: 'our render time / feedsmith generators, sum of rss+atom+json (<1: ours faster)',
  };

  // 2. The local HTTP service on DynamoDB Local, seeded through the real ingest.
  const engines = await startEngines();
  const servers: Array<ReturnType<typeof serve>> = [];
  try {
    const config = loadConfig({
      TABLE_NAME: `bench-feeds-${process.pid}`,
      DYNAMO_ENDPOINT: engines.dynamoEndpoint,
      SES_ENDPOINT: engines.sesEndpoint,
      PUBLIC_BASE_URL: base,
      FEED_PAGE_SIZE: '50',
      // The whole HTTP app is served, and nothing that signs links starts without a secret.
      SIGNING_SECRET: randomBytes(32).toString('base64url'),
    });
    const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT });
    await ensureTable(doc, config.TABLE_NAME);
    const services = composeApp({ config, doc, ses: createSesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT }), background: noBackground });
    const store = services.repos.items;
    const entries: IncomingEntry[] = benchItems(60).map((it) => ({
      guid: it.sourceGuid,
      link: it.link,
      title: `${it.title} (${countryName(it.countries[0]!)}, ${topicName(it.topics[0]!)})`,
      publishedAt: it.publishedAt,
      contentHtml: it.contentHtml,
      summary: it.summary,
      author: it.author,
      categories: [],
      enclosures: [],
    }));
    const report = await ingestEntries(entries, { id: 'bench', url: 'https://publisher.example/feed.xml' }, {
      store,
      clock: { now: () => new Date('2024-07-01T00:00:00Z') },
    });
    if (report.counts.new !== 60) throw new Error(`bench seed: expected 60 new items, got ${JSON.stringify(report.counts)}`);
    // The service as it runs (head records cached FEED_HEAD_CACHE_MS, bodies cached by ETag).
    const app = createHttpApp(services);
    const port = await freePort();
    servers.push(serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }));
    const probe = await (await fetch(`http://127.0.0.1:${port}/feeds/all.rss`)).text();
    if ((probe.match(/<item>/g) ?? []).length !== 50) throw new Error('bench: /feeds/all.rss should hold 50 items');
    const [full, notModified] = await fullAnd304(`http://127.0.0.1:${port}/feeds/all.rss`);
    figures['feeds.full_rps'] = { value: full.rps, unit: 'req/s', vs: '50-item /feeds/all.rss, gzip, 50 connections, 5 s; service as configured' };
    figures['feeds.full_p99_ms'] = { value: full.p99, unit: 'ms', vs: 'aim < 50 ms' };
    figures['feeds.not_modified_rps'] = { value: notModified.rps, unit: 'req/s', vs: `304 on If-None-Match, p99 ${notModified.p99} ms` };
    figures['feeds.ratio_304_to_full'] = { value: notModified.rps / full.rps, unit: 'x', vs: 'aim >= 10' };

    // The same routes with no caches: every full request reads the head and 50 items from DynamoDB Local and renders;
    // every 304 reads the head.
    const bare = newRouter();
    bare.onError(handleError);
    bare.route('/', feedRoutes({ feeds: createFeedService({ ...config, FEED_HEAD_CACHE_MS: 0 }, services.repos.items, false) }));
    const barePort = await freePort();
    servers.push(serve({ fetch: bare.fetch, port: barePort, hostname: '127.0.0.1' }));
    const [uFull, u304] = await fullAnd304(`http://127.0.0.1:${barePort}/feeds/all.rss`);
    figures['feeds.uncached_full_rps'] = { value: uFull.rps, unit: 'req/s', vs: `no caches: DynamoDB Local read + render per request, p99 ${uFull.p99} ms` };
    figures['feeds.uncached_full_p99_ms'] = { value: uFull.p99, unit: 'ms', vs: 'no caches' };
    figures['feeds.uncached_not_modified_rps'] = { value: u304.rps, unit: 'req/s', vs: `no caches: one GetItem per 304, p99 ${u304.p99} ms` };
    figures['feeds.uncached_ratio_304_to_full'] = { value: u304.rps / uFull.rps, unit: 'x', vs: 'no caches' };
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await engines.stop();
  }
  return figures;
}
