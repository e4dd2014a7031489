// Fetch a remote feed safely: only http(s), a guard against server-side request forgery (every hop's host is resolved
// once, each address checked, and the socket connects only to the checked addresses), conditional GET, one deadline
// for the whole fetch, a size cap enforced while streaming, and redirects followed by hand up to a bound.
//
// DNS rebinding: fetch() would resolve the name again to connect, and a hostile DNS server could answer differently
// the second time. So we do not use fetch(): the transport is node:http(s) with a `lookup` that answers only the
// addresses we checked. The URL keeps the name, so the Host header and TLS SNI (and certificate check) are the name's.
// Note that in Lambda the Runtime API listens on loopback (AWS_LAMBDA_RUNTIME_API, 127.0.0.1:9001): `allowLoopback`
// must stay false there; only the local runtime sets it.
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import ipaddr from 'ipaddr.js';
import { SourceFetchError } from './errors.js';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Allow loopback addresses (127.0.0.0/8, ::1, localhost): the local runtime serves feeds on this machine. Every
   *  other private, link-local or reserved range stays refused. */
  allowLoopback: boolean;
}

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type FetchResult =
  | { status: 'not-modified'; finalUrl: string }
  | { status: 'ok'; body: Buffer; contentType?: string; etag?: string; lastModified?: string; finalUrl: string };

export const USER_AGENT = 'pacific-news-ingest/0.1 (news feed fetcher)';
export const FEED_ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, ' +
  'application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

export type LookupFn = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const defaultLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Why an address may not be fetched, or undefined when it may. Only global unicast addresses pass; IPv4-mapped IPv6
 * addresses are judged as the IPv4 address they carry. With `allowLoopback`, loopback passes too.
 */
export function blockedReason(address: string, allowLoopback: boolean): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'is not an IP address';
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  if (range === 'unicast') {
    // ipaddr.js calls any IPv6 address outside its special ranges "unicast", including the deprecated
    // IPv4-compatible ::a.b.c.d form; the internet's global unicast space is 2000::/3.
    if (parsed.kind() === 'ipv6' && !parsed.match(GLOBAL_UNICAST_V6)) return 'is outside the IPv6 global unicast range (2000::/3)';
    return undefined;
  }
  if (range === 'loopback' && allowLoopback) return undefined;
  return `is in a ${range} range`;
}

/** One HTTP GET whose socket may reach only `addresses` (already checked). Resolves with the answer's head; the body
 *  streams (decoded from gzip, deflate or br). */
export type Transport = (url: URL, addresses: readonly string[], init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;

/** What fetchSource reaches the network with; tests inject both. */
export interface FetchIo {
  lookup?: LookupFn;
  transport?: Transport;
}

/** A `lookup` for net/tls.connect that answers any name with the checked addresses and nothing else. */
export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const answers = addresses.map((address) => ({ address, family: isIP(address) }));
  return (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (err: null, all: typeof answers) => void)(null, answers);
    else callback(null, answers[0]!.address, answers[0]!.family);
  };
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function decodedBody(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  return decoder ? pipeline(res, decoder, () => undefined) : res;
}

function toResponse(res: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  const status = res.statusCode ?? 0;
  if (NULL_BODY_STATUSES.has(status)) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  return new Response(Readable.toWeb(decodedBody(res)) as unknown as ReadableStream<Uint8Array>, { status, statusText: res.statusMessage, headers });
}

/** The real transport: node:http(s), a fresh connection per request (no pooled socket from another lookup). */
export const pinnedTransport: Transport = (url, addresses, init) =>
  new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', headers: init.headers, signal: init.signal, agent: false, lookup: pinnedLookup(addresses) },
      (res) => {
        try {
          resolve(toResponse(res));
        } catch (error) {
          res.destroy();
          reject(error); // e.g. a status outside 200–599
        }
      },
    );
    request.on('error', reject);
    request.end();
  });

/** Resolve a hostname (or take an IP literal) and refuse it unless every address is allowed. */
export async function assertPublicHost(
  hostname: string,
  allowLoopback: boolean,
  lookup: LookupFn = defaultLookup,
): Promise<string[]> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (ipaddr.isValid(host)) {
    const reason = blockedReason(host, allowLoopback);
    if (reason) throw new SourceFetchError('source.blockedAddress', `Refused to fetch ${hostname}: the address ${reason}. Feed sources must be public internet hosts.`);
    return [host];
  }
  const lower = host.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) {
    if (!allowLoopback) throw new SourceFetchError('source.blockedAddress', `Refused to fetch ${hostname}: it names this machine (loopback). Feed sources must be public internet hosts.`);
  }
  let addresses: Array<{ address: string }>;
  try {
    addresses = await lookup(host);
  } catch (cause) {
    throw new SourceFetchError('source.dnsFailed', `Could not resolve the host ${hostname}: check the source URL.`, { cause });
  }
  if (addresses.length === 0) throw new SourceFetchError('source.dnsFailed', `The host ${hostname} has no addresses: check the source URL.`);
  for (const { address } of addresses) {
    const reason = blockedReason(address, allowLoopback);
    if (reason) {
      throw new SourceFetchError('source.blockedAddress', `Refused to fetch ${hostname}: it resolves to ${address}, which ${reason}. Feed sources must be public internet hosts.`);
    }
  }
  return addresses.map((a) => a.address);
}

function parseSourceUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch (cause) {
    throw new SourceFetchError('source.badUrl', `"${raw}" is not a valid URL.`, { cause, url: raw });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SourceFetchError('source.badUrl', `Only http and https feed URLs are fetched, not ${url.protocol} (${url.href}).`, { url: url.href });
  }
  if (url.username || url.password) {
    throw new SourceFetchError('source.badUrl', `Feed URLs with credentials in them are not accepted (${url.host}).`, { url: url.origin });
  }
  url.hash = '';
  return url;
}

/** Race a promise against the fetch's abort signal (dns lookups do not take a signal). */
function withSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

class TimeoutMarker extends Error {}

/**
 * Fetch `url` for feed ingestion. Returns `not-modified` on a 304, else the body (at most `limits.maxBytes` bytes,
 * after content decoding). Throws SourceFetchError with codes `source.badUrl`, `source.blockedAddress`,
 * `source.dnsFailed`, `source.network`, `source.timeout`, `source.tooLarge`, `source.tooManyRedirects`,
 * `source.httpStatus`.
 */
export async function fetchSource(url: string, validators: Validators, limits: FetchLimits, io: FetchIo = {}): Promise<FetchResult> {
  const transport = io.transport ?? pinnedTransport;
  let current = parseSourceUrl(url);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutMarker('timeout')), limits.timeoutMs);
  const { signal } = controller;

  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: FEED_ACCEPT };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;

  try {
    for (let hop = 0; ; hop++) {
      // Resolved once per hop (redirects included), and the connection goes only to what was checked here.
      const addresses = await withSignal(assertPublicHost(current.hostname, limits.allowLoopback, io.lookup), signal);
      let res: Response;
      try {
        res = await transport(current, addresses, { headers, signal });
      } catch (cause) {
        if (signal.aborted) throw signal.reason;
        throw new SourceFetchError('source.network', `Could not connect to ${current.host}: ${describeCause(cause)}.`, { cause, url: current.href });
      }

      if (REDIRECT_STATUSES.has(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        if (!location) {
          throw new SourceFetchError('source.httpStatus', `${current.href} answered ${res.status} (a redirect) without a Location header.`, { url: current.href, status: res.status });
        }
        if (hop >= limits.maxRedirects) {
          throw new SourceFetchError('source.tooManyRedirects', `Gave up after ${limits.maxRedirects} redirects (last at ${current.href}); point the source at the final feed URL.`, { url: current.href });
        }
        current = parseSourceUrl(location, current.href);
        continue;
      }

      if (res.status === 304) {
        await res.body?.cancel().catch(() => undefined);
        return { status: 'not-modified', finalUrl: current.href };
      }
      if (res.status < 200 || res.status > 299) {
        await res.body?.cancel().catch(() => undefined);
        throw new SourceFetchError('source.httpStatus', `${current.href} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`, { url: current.href, status: res.status });
      }

      const declared = Number(res.headers.get('content-length'));
      // With a content-encoding the declared length is the compressed size; the streaming cap still applies after.
      if (Number.isFinite(declared) && declared > limits.maxBytes && !res.headers.get('content-encoding')) {
        await res.body?.cancel().catch(() => undefined);
        throw tooLarge(current.href, limits.maxBytes, `it declares ${declared} bytes`);
      }
      const body = await readCapped(res, limits.maxBytes, current.href, controller);
      return {
        status: 'ok',
        body,
        contentType: res.headers.get('content-type') ?? undefined,
        etag: res.headers.get('etag') ?? undefined,
        lastModified: res.headers.get('last-modified') ?? undefined,
        finalUrl: current.href,
      };
    }
  } catch (err) {
    if (err instanceof TimeoutMarker || (signal.aborted && signal.reason instanceof TimeoutMarker && !(err instanceof SourceFetchError))) {
      throw new SourceFetchError('source.timeout', `${current.href} did not answer in full within ${limits.timeoutMs} ms.`, { url: current.href });
    }
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(url: string, maxBytes: number, detail: string): SourceFetchError {
  return new SourceFetchError('source.tooLarge', `The feed at ${url} is larger than the ${maxBytes}-byte limit (${detail}).`, { url });
}

async function readCapped(res: Response, maxBytes: number, url: string, controller: AbortController): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        controller.abort();
        throw tooLarge(url, maxBytes, `stopped reading after ${total} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof SourceFetchError) throw err;
    if (controller.signal.aborted) throw controller.signal.reason;
    throw new SourceFetchError('source.network', `The connection to ${url} broke while reading the feed: ${describeCause(err)}.`, { cause: err, url });
  }
  return Buffer.concat(chunks, total);
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error && 'code' in cause && !(cause.cause instanceof Error)) return `${String(cause.code)} (${cause.message})`;
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? cause.cause : undefined;
    const code = inner && 'code' in inner ? String((inner as { code: unknown }).code) : undefined;
    return code ? `${code}${inner?.message ? ` (${inner.message})` : ''}` : cause.message;
  }
  return String(cause);
}
