// fetchSource against a real node:http server on 127.0.0.1. No traffic leaves this machine: every fetch goes through
// `onlyLocalFetch`, a transport that throws for any host but 127.0.0.1, so a test for a blocked address proves the
// guard refused before connecting (the spy records no call).
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceFetchError } from '../../lambdas/adapters/feed/errors.js';
import { assertPublicHost, blockedReason, fetchSource, pinnedLookup, pinnedTransport, type FetchIo, type FetchLimits, type Transport } from '../../lambdas/adapters/feed/fetch.js';

const FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title></channel></rss>';
const ETAG = '"v1"';
const LAST_MODIFIED = 'Mon, 13 Mar 2023 10:00:00 GMT';
const FIFTY_MB = 50 * 1024 * 1024;

let server: Server;
let origin: string;
const sockets = new Set<Socket>();
const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
const streamed = { bytes: 0, closed: false };

/** Stream `total` bytes of feed-looking filler in 64 KB writes, honouring backpressure; stops when the client goes. */
function streamFiller(res: ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  streamed.bytes = 0;
  streamed.closed = false;
  res.on('close', () => {
    streamed.closed = true;
  });
  const pump = () => {
    while (!streamed.closed && streamed.bytes < total) {
      streamed.bytes += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!streamed.closed) res.end();
  };
  res.write('<?xml version="1.0"?><rss version="2.0"><channel><title>');
  pump();
}

beforeAll(async () => {
  const gzipBomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, ' '));
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ path: url.pathname, headers: req.headers });
    const redirect = (status: number, location: string) => {
      res.writeHead(status, { location });
      res.end();
    };
    const hop = /^\/r\/(\d+)$/.exec(url.pathname);
    if (hop) {
      const n = Number(hop[1]);
      return redirect(302, n === 0 ? '/feed' : `/r/${n - 1}`);
    }
    switch (url.pathname) {
      case '/feed': {
        if (req.headers['if-none-match'] === ETAG || req.headers['if-modified-since'] === LAST_MODIFIED) {
          res.writeHead(304, { etag: ETAG, 'last-modified': LAST_MODIFIED });
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag: ETAG, 'last-modified': LAST_MODIFIED });
        return res.end(FEED);
      }
      case '/hang':
        return; // never answers
      case '/stall-body':
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        res.write('<rss version="2.0"><channel>');
        return; // headers and a first chunk, then nothing
      case '/huge':
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        return streamFiller(res, FIFTY_MB);
      case '/huge-declared':
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-length': String(FIFTY_MB) });
        return streamFiller(res, FIFTY_MB);
      case '/gzip-bomb':
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip', 'content-length': String(gzipBomb.length) });
        return res.end(gzipBomb);
      case '/gzip-small':
        res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' });
        return res.end(gzipSync(Buffer.from(FEED)));
      case '/relative-redirect':
        return redirect(301, 'feed?from=relative');
      case '/to-metadata':
        return redirect(302, 'http://169.254.169.254/latest/meta-data/iam/security-credentials/');
      case '/to-private':
        return redirect(307, 'http://10.0.0.1/feed');
      case '/to-mapped-metadata':
        return redirect(308, 'http://[::ffff:169.254.169.254]/latest/meta-data/');
      case '/to-file':
        return redirect(302, 'file:///etc/passwd');
      case '/no-location':
        res.writeHead(302);
        return res.end();
      case '/gone':
        res.writeHead(410, { 'content-type': 'text/plain' });
        return res.end('gone');
      default:
        res.writeHead(404);
        return res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Every URL the transport was asked for. */
let fetched: string[] = [];
const onlyLocalFetch: FetchIo = {
  transport: (url, addresses, init) => {
    if (url.hostname !== '127.0.0.1') throw new Error(`test guard: the transport was called for ${url.host}; the SSRF guard should have refused first`);
    fetched.push(url.href);
    return pinnedTransport(url, addresses, init);
  },
};

beforeEach(() => {
  fetched = [];
  seen.length = 0;
});

const limits: FetchLimits = { timeoutMs: 5_000, maxBytes: 1024 * 1024, maxRedirects: 3, allowLoopback: true };

async function fetchError(p: Promise<unknown>): Promise<SourceFetchError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SourceFetchError);
    expect((err as SourceFetchError).name).toBe('SourceFetchError');
    return err as SourceFetchError;
  }
  throw new Error('expected fetchSource to throw');
}

describe('fetchSource against a local server', () => {
  it('200: returns the body, content type, validators and final URL, sending a User-Agent and a feed Accept header', async () => {
    const r = await fetchSource(`${origin}/feed`, {}, limits, onlyLocalFetch);
    expect(r).toEqual({
      status: 'ok',
      body: Buffer.from(FEED),
      contentType: 'application/rss+xml; charset=utf-8',
      etag: ETAG,
      lastModified: LAST_MODIFIED,
      finalUrl: `${origin}/feed`,
    });
    const headers = seen[0]!.headers;
    expect(headers['user-agent']).toMatch(/pacific-news/);
    expect(headers.accept).toContain('application/rss+xml');
    expect(headers.accept).toContain('application/atom+xml');
    expect(headers.accept).toContain('application/feed+json');
    expect(headers['if-none-match']).toBeUndefined();
  });

  it('304: a conditional GET with the stored ETag or Last-Modified answers not-modified', async () => {
    expect(await fetchSource(`${origin}/feed`, { etag: ETAG }, limits, onlyLocalFetch)).toEqual({ status: 'not-modified', finalUrl: `${origin}/feed` });
    expect(seen[0]!.headers['if-none-match']).toBe(ETAG);
    expect(await fetchSource(`${origin}/feed`, { lastModified: LAST_MODIFIED }, limits, onlyLocalFetch)).toEqual({ status: 'not-modified', finalUrl: `${origin}/feed` });
    expect(seen[1]!.headers['if-modified-since']).toBe(LAST_MODIFIED);
    // A stale ETag gets the full body again.
    expect((await fetchSource(`${origin}/feed`, { etag: '"old"' }, limits, onlyLocalFetch)).status).toBe('ok');
  });

  it('decodes a gzip-encoded body', async () => {
    const r = await fetchSource(`${origin}/gzip-small`, {}, limits, onlyLocalFetch);
    expect(r.status === 'ok' && r.body.toString()).toBe(FEED);
  });

  it('timeout: a server that never answers gives source.timeout within the limit', async () => {
    const started = Date.now();
    const err = await fetchError(fetchSource(`${origin}/hang`, {}, { ...limits, timeoutMs: 300 }, onlyLocalFetch));
    expect(err.code).toBe('source.timeout');
    expect(err.message).toContain('300 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('timeout: a body that stalls half-way gives source.timeout too', async () => {
    const err = await fetchError(fetchSource(`${origin}/stall-body`, {}, { ...limits, timeoutMs: 300 }, onlyLocalFetch));
    expect(err.code).toBe('source.timeout');
  });

  it('a streamed 50 MB body is cut at the cap: source.tooLarge, and the server is stopped long before 50 MB', async () => {
    const err = await fetchError(fetchSource(`${origin}/huge`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.tooLarge');
    expect(err.message).toContain(String(limits.maxBytes));
    await expect.poll(() => streamed.closed, { timeout: 5_000 }).toBe(true);
    expect(streamed.bytes).toBeLessThan(FIFTY_MB / 4);
  });

  it('a Content-Length over the cap is refused before reading the body', async () => {
    const err = await fetchError(fetchSource(`${origin}/huge-declared`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.tooLarge');
    expect(err.message).toContain(`declares ${FIFTY_MB} bytes`);
  });

  it('the cap applies after decompression (a gzip bomb is cut too)', async () => {
    const err = await fetchError(fetchSource(`${origin}/gzip-bomb`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.tooLarge');
  });

  it('follows redirects by hand, relative ones included, up to maxRedirects, and reports the final URL', async () => {
    const r = await fetchSource(`${origin}/r/2`, {}, limits, onlyLocalFetch);
    expect(r.status).toBe('ok');
    expect(r.finalUrl).toBe(`${origin}/feed`);
    expect(fetched).toEqual([`${origin}/r/2`, `${origin}/r/1`, `${origin}/r/0`, `${origin}/feed`]);
    const rel = await fetchSource(`${origin}/relative-redirect`, {}, limits, onlyLocalFetch);
    expect(rel.finalUrl).toBe(`${origin}/feed?from=relative`);
  });

  it('a redirect chain over the limit gives source.tooManyRedirects', async () => {
    const err = await fetchError(fetchSource(`${origin}/r/5`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.tooManyRedirects');
    expect(fetched).toHaveLength(limits.maxRedirects + 1);
    const none = await fetchError(fetchSource(`${origin}/r/0`, {}, { ...limits, maxRedirects: 0 }, onlyLocalFetch));
    expect(none.code).toBe('source.tooManyRedirects');
  });

  it.each([
    ['/to-metadata', '169.254.169.254'],
    ['/to-private', '10.0.0.1'],
    ['/to-mapped-metadata', '[::ffff:a9fe:a9fe]'],
  ])('a redirect (%s) to a blocked address (%s) is refused before connecting, even with loopback allowed', async (path, host) => {
    const err = await fetchError(fetchSource(`${origin}${path}`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.blockedAddress');
    expect(err.message).toContain(host);
    expect(fetched).toEqual([`${origin}${path}`]);
  });

  it('a redirect to a non-http scheme gives source.badUrl', async () => {
    const err = await fetchError(fetchSource(`${origin}/to-file`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.badUrl');
    expect(err.message).toContain('file:');
  });

  it('an error status gives source.httpStatus with the status; a redirect without Location too', async () => {
    const gone = await fetchError(fetchSource(`${origin}/gone`, {}, limits, onlyLocalFetch));
    expect(gone.code).toBe('source.httpStatus');
    expect(gone.status).toBe(410);
    expect(gone.message).toContain('410');
    const noLoc = await fetchError(fetchSource(`${origin}/no-location`, {}, limits, onlyLocalFetch));
    expect(noLoc.code).toBe('source.httpStatus');
    expect(noLoc.message).toContain('Location');
  });

  it('a refused connection gives source.network', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await fetchError(fetchSource(`http://127.0.0.1:${port}/feed`, {}, limits, onlyLocalFetch));
    expect(err.code).toBe('source.network');
  });
});

describe('fetchSource SSRF guard with allowLoopback false', () => {
  const strict: FetchLimits = { ...limits, allowLoopback: false };

  it.each([
    'http://127.0.0.1/feed',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/feed',
    'http://[::1]/feed',
    'http://localhost/feed',
    'http://[::ffff:127.0.0.1]/feed',
    'http://[::ffff:169.254.169.254]/',
    'http://2130706433/feed', // 127.0.0.1 as one decimal number
    'http://0x7f.1/feed', // 127.0.0.1 in hex shorthand
    'http://0.0.0.0/feed',
    'http://192.168.1.1/feed',
    'http://172.16.5.4/feed',
    'http://100.64.0.1/feed',
    'http://[fd00::1]/feed',
    'http://[fe80::1]/feed',
    'http://[::]/feed',
  ])('refuses %s before connecting', async (url) => {
    const err = await fetchError(fetchSource(url, {}, strict, onlyLocalFetch));
    expect(err.code).toBe('source.blockedAddress');
    expect(fetched).toEqual([]);
  });

  it('refuses the local server itself when loopback is not allowed', async () => {
    const err = await fetchError(fetchSource(`${origin}/feed`, {}, strict, onlyLocalFetch));
    expect(err.code).toBe('source.blockedAddress');
    expect(seen).toEqual([]);
  });

  it.each(['ftp://example.com/feed', 'file:///etc/passwd', 'gopher://example.com/', 'not a url', 'http://user:pw@example.com/feed'])(
    'refuses %s as source.badUrl',
    async (url) => {
      const err = await fetchError(fetchSource(url, {}, strict, onlyLocalFetch));
      expect(err.code).toBe('source.badUrl');
      expect(fetched).toEqual([]);
    },
  );
});

describe('address rules', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.9.9.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['169.254.169.254', false],
    ['::ffff:169.254.169.254', false],
    ['10.0.0.1', false],
    ['172.16.0.1', false],
    ['192.168.0.1', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::', false],
    ['fc00::1', false],
    ['fd12:3456::1', false],
    ['fe80::1', false],
    ['224.0.0.1', false],
    ['255.255.255.255', false],
    ['::a9fe:a9fe', false], // IPv4-compatible form of 169.254.169.254
    ['64:ff9b::a9fe:a9fe', false], // NAT64
    ['2002:a9fe:a9fe::1', false], // 6to4
    ['198.18.0.1', false],
  ])('%s is blocked; allowed with allowLoopback only when loopback (%s)', (address, loopback) => {
    expect(blockedReason(address, false)).toBeDefined();
    expect(blockedReason(address, true) === undefined).toBe(loopback);
  });

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s (public) is allowed', (address) => {
    expect(blockedReason(address, false)).toBeUndefined();
  });

  it('checks every address a name resolves to (using an injected resolver, no real DNS)', async () => {
    const fake = (map: Record<string, string[]>) => async (host: string) => {
      const addrs = map[host];
      if (!addrs) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };
    const lookup = fake({
      'good.example': ['93.184.216.34', '2606:2800:220:1::1'],
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.216.34', '10.1.2.3'],
      'rebind.example': ['::ffff:7f00:1'],
    });
    await expect(assertPublicHost('good.example', false, lookup)).resolves.toEqual(['93.184.216.34', '2606:2800:220:1::1']);
    await expect(assertPublicHost('metadata.example', true, lookup)).rejects.toMatchObject({ code: 'source.blockedAddress' });
    await expect(assertPublicHost('mixed.example', false, lookup)).rejects.toMatchObject({ code: 'source.blockedAddress', message: expect.stringContaining('10.1.2.3') });
    await expect(assertPublicHost('rebind.example', false, lookup)).rejects.toMatchObject({ code: 'source.blockedAddress' });
    await expect(assertPublicHost('rebind.example', true, lookup)).resolves.toEqual(['::ffff:7f00:1']);
    await expect(assertPublicHost('nowhere.example', false, lookup)).rejects.toMatchObject({ code: 'source.dnsFailed' });
  });
});

describe('DNS rebinding: the socket connects only to the addresses that were checked', () => {
  const strict: FetchLimits = { ...limits, allowLoopback: false };

  /** A resolver that answers a public address the first time and loopback every time after. */
  function rebindingResolver() {
    const calls: string[] = [];
    const lookup = async (host: string) => {
      calls.push(host);
      return [{ address: calls.length === 1 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    };
    return { calls, lookup };
  }

  it('resolves once, and hands the transport only the checked public address (a second answer of 127.0.0.1 is never asked for)', async () => {
    const { calls, lookup } = rebindingResolver();
    const connects: Array<{ url: string; addresses: readonly string[] }> = [];
    const transport: Transport = async (url, addresses) => {
      connects.push({ url: url.href, addresses });
      return new Response(FEED, { status: 200, headers: { 'content-type': 'application/rss+xml' } });
    };
    const r = await fetchSource('http://rebind.example/feed', {}, strict, { lookup, transport });
    expect(r.status).toBe('ok');
    expect(calls).toEqual(['rebind.example']);
    expect(connects).toEqual([{ url: 'http://rebind.example/feed', addresses: ['93.184.216.34'] }]);
    expect(seen).toEqual([]);
  });

  it('a redirect is resolved and checked again: when the name now answers loopback, nothing connects to it', async () => {
    const { calls, lookup } = rebindingResolver();
    const connects: string[] = [];
    const transport: Transport = async (url, addresses) => {
      connects.push(`${url.href} @ ${addresses.join(',')}`);
      return new Response(null, { status: 302, headers: { location: '/next' } });
    };
    const err = await fetchError(fetchSource('http://rebind.example/feed', {}, strict, { lookup, transport }));
    expect(err.code).toBe('source.blockedAddress');
    expect(err.message).toContain('127.0.0.1');
    expect(calls).toEqual(['rebind.example', 'rebind.example']);
    expect(connects).toEqual(['http://rebind.example/feed @ 93.184.216.34']);
    expect(seen).toEqual([]);
  });

  it('the real transport connects to the pinned address, never to what system DNS says, keeping the name as Host', async () => {
    // feed.invalid cannot resolve in DNS (RFC 6761), so reaching the local server proves the pinned address was used.
    const port = new URL(origin).port;
    const lookup = async () => [{ address: '127.0.0.1', family: 4 }];
    const r = await fetchSource(`http://feed.invalid:${port}/feed`, {}, limits, { lookup });
    expect(r.status).toBe('ok');
    expect(seen.map((s) => [s.path, s.headers.host])).toEqual([['/feed', `feed.invalid:${port}`]]);
  });

  it('the pinned lookup answers any name with the checked addresses only', async () => {
    const lookup = pinnedLookup(['93.184.216.34', '2606:2800:220:1::1']);
    const all = await new Promise((resolve) => lookup('evil.example', { all: true }, (_e, addresses) => resolve(addresses)));
    expect(all).toEqual([{ address: '93.184.216.34', family: 4 }, { address: '2606:2800:220:1::1', family: 6 }]);
    const one = await new Promise((resolve) => lookup('localhost', {}, (_e, address, family) => resolve([address, family])));
    expect(one).toEqual(['93.184.216.34', 4]);
  });
});
