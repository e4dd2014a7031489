// Click redirect cost, in one run: the full HTTP app's /r/<token> (verify the signature, look up the item's link,
// filter machines, hand the click over) under load, next to a bare Hono app answering the same 302 with nothing to
// do. As in AWS, each click is handed over (there an async invoke; here a counter of hand-overs) and counted
// elsewhere, so counting is not in the figure; the counting itself is measured by the integration tests, not here.
import { randomBytes } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createRequire } from 'node:module';
import { startEngines, freePort } from '../lambdas/local/engines.js';
import { createDocumentClient, ensureTable } from '../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../lambdas/adapters/ses/mailer.js';
import { createHttpApp } from '../lambdas/adapters/http/app.js';
import { analyticsRoutes } from '../lambdas/adapters/http/routes/analytics.js';
import { composeApp, noBackground } from '../lambdas/composition-root.js';
import { loadConfig } from '../lambdas/config.js';
import { signClickToken } from '../lambdas/core/analytics/click-token.js';
import type { Figures } from './run.js';

type LoadResult = { requests: { total: number }; latency: { p99: number }; errors: number; '3xx'?: number; non2xx: number };
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: Record<string, unknown>,
  done: (error: Error | null, result: LoadResult) => void,
) => void;

function load(url: string, seconds: number): Promise<{ rps: number; p99: number; result: LoadResult }> {
  const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0' };
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: 50, duration: seconds, headers, workers: 1 }, (error, result) =>
      error ? reject(error) : resolve({ rps: result.requests.total / seconds, p99: result.latency.p99, result }),
    );
  });
}

export async function run(): Promise<Figures> {
  const engines = await startEngines();
  const servers: Array<ReturnType<typeof serve>> = [];
  try {
    const secret = randomBytes(32).toString('base64url');
    // SEND_PLANNER_FUNCTION set: clicks go to background.schedule, as the HTTP Lambda hands them to an async invoke.
    const config = loadConfig({ TABLE_NAME: `bench-analytics-${process.pid}`, DYNAMO_ENDPOINT: engines.dynamoEndpoint, SES_ENDPOINT: engines.sesEndpoint, PUBLIC_BASE_URL: 'https://news.example.org', SIGNING_SECRET: secret, LOG_LEVEL: 'ERROR', SEND_PLANNER_FUNCTION: 'bench-counter' });
    const doc = createDocumentClient({ region: config.AWS_REGION, endpoint: config.DYNAMO_ENDPOINT });
    await ensureTable(doc, config.TABLE_NAME);
    let handedOver = 0;
    const background = { ...noBackground, schedule: async () => void handedOver++ };
    const app = composeApp({ config, doc, ses: createSesClient({ region: config.AWS_REGION, endpoint: config.SES_ENDPOINT }), background });
    const { id: itemId } = await app.ingest.editItem({ title: 'Bench item', link: 'https://publisher.example/bench-item', publishedAt: '2026-11-01T00:00:00.000Z', countries: ['cl'], topics: ['trade-investment'], contentHtml: '<p>Bench</p>' });
    const token = signClickToken({ editionId: 'bench-edition', itemRef: itemId, segment: { language: 'es', countries: ['cl'], topics: [] }, sentAt: new Date(Date.now() - 3600_000), readerNonce: 'benchreader' }, secret);

    const port = await freePort();
    servers.push(serve({ fetch: createHttpApp(app).fetch, port, hostname: '127.0.0.1' }));
    // The click route alone, without the app-wide middleware every route pays (secure headers, origin guard, request id).
    const routePort = await freePort();
    servers.push(serve({ fetch: analyticsRoutes(app).fetch, port: routePort, hostname: '127.0.0.1' }));
    const bare = new Hono().get('/r/:token', (c) => c.redirect('https://publisher.example/bench-item', 302));
    const barePort = await freePort();
    servers.push(serve({ fetch: bare.fetch, port: barePort, hostname: '127.0.0.1' }));

    const url = `http://127.0.0.1:${port}/r/${token}`;
    const first = await fetch(url, { redirect: 'manual', headers: { 'user-agent': 'Mozilla/5.0 Firefox/128.0' } });
    if (first.status !== 302 || first.headers.get('location') !== 'https://publisher.example/bench-item') throw new Error(`bench: the redirect answered ${first.status} ${first.headers.get('location')}`);
    await load(url, 1); // warm-up
    const tracked = await load(url, 5);
    const plain = await load(`http://127.0.0.1:${barePort}/r/${token}`, 5);
    const routeOnly = await load(`http://127.0.0.1:${routePort}/r/${token}`, 5);
    if (tracked.result.errors > 0 || tracked.result.non2xx !== tracked.result.requests.total) throw new Error(`bench: ${tracked.result.errors} errors under load`);
    return {
      'analytics.redirect_p99_ms': { value: tracked.p99, unit: 'ms', vs: `bare Hono 302 p99 ${plain.p99} ms (50 connections, 5 s)` },
      'analytics.redirect_route_p99_ms': { value: routeOnly.p99, unit: 'ms', vs: `the /r/ route alone, without the app-wide middleware: ${Math.round(routeOnly.rps)} req/s` },
      'analytics.bare_redirect_p99_ms': { value: plain.p99, unit: 'ms', vs: 'a Hono app answering the same 302 with nothing to do' },
      'analytics.redirects_per_s': { value: tracked.rps, unit: 'req/s', vs: `bare 302 ${Math.round(plain.rps)} req/s; ${handedOver} clicks handed over to be counted` },
    };
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await engines.stop();
  }
}
