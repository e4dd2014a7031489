// WebSub publishing against a real local HTTP server standing in for the hub.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebSubNotifier, feedUrlsForScopes, pingHub } from '../../lambdas/adapters/websub.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function hub(handler: (body: URLSearchParams, req: IncomingMessage) => number | 'hang') {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const status = handler(new URLSearchParams(raw), req);
      if (status === 'hang') return;
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/hub`;
}

describe('WebSub', () => {
  it('lists every format of the changed scopes, skipping unknown ones', () => {
    expect(feedUrlsForScopes('https://n.example/', ['countries/cl', 'all', 'countries/cl', 'bogus'])).toEqual([
      'https://n.example/feeds/all.rss',
      'https://n.example/feeds/all.atom',
      'https://n.example/feeds/all.json',
      'https://n.example/feeds/countries/cl.rss',
      'https://n.example/feeds/countries/cl.atom',
      'https://n.example/feeds/countries/cl.json',
    ]);
  });

  it('posts hub.mode=publish with hub.url for each feed', async () => {
    const seen: Array<{ mode: string | null; url: string | null; type: string | undefined }> = [];
    const hubUrl = await hub((body, req) => {
      seen.push({ mode: body.get('hub.mode'), url: body.get('hub.url'), type: req.headers['content-type'] });
      return 204;
    });
    const urls = feedUrlsForScopes('https://n.example', ['topics/trade-investment']);
    const results = await pingHub(hubUrl, urls);
    expect(results.every((r) => r.ok && r.status === 204)).toBe(true);
    expect(seen.map((s) => s.url).sort()).toEqual([...urls].sort());
    expect(seen.every((s) => s.mode === 'publish' && s.type === 'application/x-www-form-urlencoded')).toBe(true);
  });

  it('reports hub errors and timeouts without throwing', async () => {
    const hubUrl = await hub((body) => (body.get('hub.url')!.endsWith('.rss') ? 500 : 'hang'));
    const results = await pingHub(hubUrl, ['https://n.example/feeds/all.rss', 'https://n.example/feeds/all.atom'], fetch, { timeoutMs: 200 });
    expect(results[0]).toEqual({ feedUrl: 'https://n.example/feeds/all.rss', ok: false, status: 500, error: 'hub answered 500' });
    expect(results[1]).toMatchObject({ feedUrl: 'https://n.example/feeds/all.atom', ok: false, error: 'no answer within 200 ms' });
    const unreachable = await pingHub('http://127.0.0.1:9/hub', ['https://n.example/feeds/all.rss'], fetch, { timeoutMs: 500 });
    expect(unreachable[0]!.ok).toBe(false);
  });

  it('builds a notifier only when a hub is configured', async () => {
    expect(createWebSubNotifier({ baseUrl: 'https://n.example' })).toBeUndefined();
    let count = 0;
    const hubUrl = await hub(() => (count++, 202));
    const notify = createWebSubNotifier({ baseUrl: 'https://n.example', hubUrl })!;
    const results = await notify(['countries/pe', 'countries/pe/topics/fisheries-oceans']);
    expect(results).toHaveLength(6);
    expect(count).toBe(6);
  });
});
