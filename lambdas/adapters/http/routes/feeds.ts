// Feeds over HTTP: /feeds/{scope}.{rss|atom|json}, /feeds/index.opml and the feeds page (/es/feeds, /en/feeds: one
// JSX view of the site; /feeds sends a browser there and answers readers and scripts itself). The core decides what to
// answer (304 from the scope head alone, or a rendered page); this adapter adds content negotiation for gzip/br,
// Vary, CORS for web readers, and turns the result into a Response. HEAD is served by Hono from the GET route.
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Context } from 'hono';
import { newRouter } from '../router.js';
import type { App } from '../../../composition-root.js';
import type { FeedBodyCache } from '../../feed-render/cache.js';
import { notFound } from '../../../core/shared/errors.js';
import { currentTaxonomy, type Taxonomy } from '../../../core/taxonomy/taxonomy.js';
import {
  bodyValidators,
  etagFor,
  isNotModified,
  renderOpml,
  serveFeed,
  staticCacheControl,
  type ContentCoding,
} from '../../../core/feeds/index.js';
import { htmlDocument, preferredLang } from '../html.js';
import type { Lang } from '../views/i18n.js';
import { FeedsDirectoryPage } from '../views/feeds.js';
import { isCountryCode, isTopicSlug } from '../../../core/taxonomy/taxonomy.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Bodies smaller than this are not worth compressing. */
const minCompressBytes = 1024;
/** Fixed date for the static documents' Last-Modified: they change only with a deploy (their ETag covers that). */
const staticModified = '2023-01-01T00:00:00.000Z';

/** Picks br, then gzip, among the codings the client accepts (RFC 9110 §12.5.3; q=0 refuses). */
export function negotiateCoding(acceptEncoding: string | undefined | null): ContentCoding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name.trim(), Number.isFinite(value) ? value : 0);
  }
  const accepts = (coding: string) => (q.get(coding) ?? q.get('*') ?? 0) > 0;
  if (accepts('br')) return 'br';
  if (accepts('gzip') || (q.get('x-gzip') ?? 0) > 0) return 'gzip';
  return 'identity';
}

async function encode(body: string, coding: ContentCoding): Promise<Uint8Array> {
  const bytes = Buffer.from(body, 'utf8');
  if (coding === 'br') {
    return brotli(bytes, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    });
  }
  if (coding === 'gzip') return gzipAsync(bytes, { level: 6 });
  return bytes;
}

interface Representation {
  status: 200 | 304;
  body?: string;
  etag: string;
  headers: Record<string, string>;
}

/** Sends a representation: picks a coding, tags the ETag with it, compresses, sets Vary and Content-Length. */
async function send(c: Context, rep: Representation, cache?: FeedBodyCache): Promise<Response> {
  const wanted = negotiateCoding(c.req.header('accept-encoding'));
  // Length in UTF-16 units: a lower bound of the UTF-8 size, and free (byteLength would scan the body).
  const coding: ContentCoding = rep.body !== undefined && rep.body.length < minCompressBytes ? 'identity' : wanted;
  const headers = new Headers(rep.headers);
  headers.set('etag', etagFor(rep.etag, coding));
  headers.append('vary', 'Accept-Encoding');
  headers.set('access-control-allow-origin', '*');
  headers.set('x-content-type-options', 'nosniff');
  if (rep.status === 304 || rep.body === undefined) {
    headers.delete('content-type');
    return new Response(null, { status: 304, headers });
  }
  const body = rep.body;
  const payload = cache ? await cache.encoded(rep.etag, coding, () => encode(body, coding)) : await encode(body, coding);
  if (coding !== 'identity') headers.set('content-encoding', coding);
  headers.set('content-length', String(payload.byteLength));
  return new Response(c.req.raw.method === 'HEAD' ? null : (payload as Uint8Array<ArrayBuffer>), { status: 200, headers });
}

/** A static document (OPML, the feeds directory): ETag from its bytes, conditional GET answered without a body. */
function sendStatic(c: Context, body: string, contentType: string, vary?: string): Promise<Response> {
  const v = bodyValidators(body, staticModified);
  const headers = { 'content-type': contentType, 'last-modified': v.lastModified, 'cache-control': staticCacheControl, ...(vary ? { vary } : {}) };
  const conditions = { ifNoneMatch: c.req.header('if-none-match'), ifModifiedSince: c.req.header('if-modified-since') };
  return send(c, isNotModified(conditions, v) ? { status: 304, etag: v.etag, headers } : { status: 200, body, etag: v.etag, headers });
}

/** What `/feeds` is asked for: a browser wants the page in its language (a redirect); a reader or script that names
 *  OPML gets the OPML list; anything else (a feed reader following a link, curl) gets the page itself, whose
 *  autodiscovery links lead to the feeds, as it always has. */
export function feedsRequestKind(accept: string | undefined | null): 'browser' | 'opml' | 'other' {
  const types = (accept ?? '').toLowerCase().split(',').map((part) => part.split(';')[0]!.trim());
  if (types.includes('text/x-opml')) return 'opml';
  const asksForFeed = types.some((type) => type === 'application/rss+xml' || type === 'application/atom+xml' || type === 'application/feed+json');
  return types.includes('text/html') && !asksForFeed ? 'browser' : 'other';
}

export function feedRoutes({ feeds: { reader, cache, settings } }: Pick<App, 'feeds'>) {
  const app = newRouter();
  // Pure functions of the configuration and the taxonomy: rendered once per taxonomy snapshot (the page once per
  // language and variant, when first asked for).
  const rendered = new WeakMap<Taxonomy, { opml: string; directories: Map<string, Promise<string>> }>();
  const forTaxonomy = () => {
    const taxonomy = currentTaxonomy();
    let entry = rendered.get(taxonomy);
    if (!entry) rendered.set(taxonomy, (entry = { opml: renderOpml(settings.baseUrl), directories: new Map() }));
    return entry;
  };
  const directory = (lang: Lang, copyButtons: boolean) => {
    const { directories } = forTaxonomy();
    const key = `${lang}-${copyButtons}`;
    if (!directories.has(key)) directories.set(key, htmlDocument(FeedsDirectoryPage({ lang, baseUrl: settings.baseUrl, copyButtons })));
    return directories.get(key)!;
  };
  const html = 'text/html; charset=utf-8';

  app.get('/feeds', async (c) => {
    const kind = feedsRequestKind(c.req.header('accept'));
    if (kind === 'opml') return sendStatic(c, forTaxonomy().opml, 'text/x-opml; charset=utf-8', 'Accept');
    if (kind === 'browser') {
      c.header('Vary', 'Accept, Accept-Language');
      return c.redirect(`/${preferredLang(c)}/feeds`, 302);
    }
    return sendStatic(c, await directory(preferredLang(c), false), html, 'Accept-Language');
  });
  app.get('/:lang{(?:es|en)}/feeds', async (c) => {
    const lang: Lang = c.req.param('lang') === 'en' ? 'en' : 'es';
    const country = c.req.query('country') ?? '';
    const topic = c.req.query('topic') ?? '';
    // The chooser's answer (unknown values are ignored: the form only offers known ones).
    const choice = { ...(isCountryCode(country) ? { country } : {}), ...(isTopicSlug(topic) ? { topic } : {}) };
    if (!choice.country && !choice.topic) return sendStatic(c, await directory(lang, true), html);
    return sendStatic(c, await htmlDocument(FeedsDirectoryPage({ lang, baseUrl: settings.baseUrl, choice, copyButtons: true })), html);
  });
  app.get('/feeds/', (c) => c.redirect('/feeds', 301));
  app.get('/feeds/index.opml', (c) => sendStatic(c, forTaxonomy().opml, 'text/x-opml; charset=utf-8'));
  app.get('/feeds/*', async (c) => {
    const raw = new URL(c.req.url).pathname.slice('/feeds/'.length);
    let path: string;
    try {
      path = decodeURIComponent(raw);
    } catch {
      throw notFound('feeds.unknownFeed', `No feed at /feeds/${raw}; see /feeds for every feed's address.`);
    }
    const result = await serveFeed(
      reader,
      settings,
      {
        path,
        page: c.req.query('page'),
        ifNoneMatch: c.req.header('if-none-match'),
        ifModifiedSince: c.req.header('if-modified-since'),
      },
      cache,
    );
    return send(c, { status: result.status, body: result.body, etag: result.validators.etag, headers: result.headers }, cache);
  });
  return app;
}
