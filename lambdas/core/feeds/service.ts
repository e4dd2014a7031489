// Serving one feed request: parse the path, read the scope's head, answer 304 from the head alone when the reader's
// copy is current, otherwise read one page of items and render. Transport-free (the HTTP adapter adds compression).
import type { ItemReader } from '../items/ports.js';
import { notFound } from '../shared/errors.js';
import { scopeId } from '../items/model.js';
import { bodyValidators, feedCacheControl, headValidators, isNotModified, type Validators } from './conditional.js';
import { renderFeed } from './render.js';
import { feedContentTypes, parseFeedPath, type FeedFormat } from './scopes.js';

export interface FeedSettings {
  baseUrl: string;
  pageSize: number;
  hubUrl?: string;
  language?: string;
}

/** Rendered bodies by strong ETag (an adapter keeps them in memory). Equal ETags mean byte-identical bodies, so a
 *  cached body is exactly what a fresh render would give. */
export interface RenderCache {
  /** The body for `etag`, produced (once, even for concurrent callers) when absent. */
  getOrRender(etag: string, produce: () => Promise<string>): Promise<string>;
}

export interface FeedRequest {
  /** The path after `/feeds/`, e.g. `countries/cl.rss`. */
  path: string;
  /** `?page=` cursor of an archive page. */
  page?: string;
  ifNoneMatch?: string | null;
  ifModifiedSince?: string | null;
}

export interface FeedResult {
  status: 200 | 304;
  format: FeedFormat;
  /** Absent on 304. */
  body?: string;
  validators: Validators;
  headers: Record<string, string>;
  /** What the request cost: lets tests prove a 304 read no items. */
  itemsRead: boolean;
}

export async function serveFeed(
  reader: ItemReader,
  settings: FeedSettings,
  request: FeedRequest,
  cache?: RenderCache,
): Promise<FeedResult> {
  const { scope, format } = parseFeedPath(request.path);
  const page = request.page ? request.page : undefined;
  if (page !== undefined && !/^[\x21-\x7e]{1,512}$/.test(page)) {
    throw notFound('feeds.unknownPage', 'No such feed page: follow the next/prev-archive links of the feed to reach older pages.');
  }
  const id = scopeId(scope);
  const headers = (v: Validators): Record<string, string> => ({
    'content-type': feedContentTypes[format],
    etag: v.etag,
    'last-modified': v.lastModified,
    'cache-control': feedCacheControl(page !== undefined),
  });

  const head = await reader.getScopeHead(id);
  const fromHead = head
    ? headValidators(head, { scope: id, format, page, pageSize: settings.pageSize, baseUrl: settings.baseUrl, hubUrl: settings.hubUrl })
    : undefined;
  if (fromHead && isNotModified(request, fromHead)) {
    return { status: 304, format, validators: fromHead, headers: headers(fromHead), itemsRead: false };
  }

  let itemsRead = false;
  let updated = head?.changedAt ?? '';
  const produce = async () => {
    itemsRead = true;
    const { items, cursor } = await reader.listScope(id, { limit: settings.pageSize, ...(page !== undefined ? { cursor: page } : {}) });
    updated = head?.changedAt ?? newestUpdate(items);
    return renderFeed(format, {
      scope,
      baseUrl: settings.baseUrl,
      items,
      updated,
      ...(page !== undefined ? { page } : {}),
      ...(cursor !== undefined ? { nextPage: cursor } : {}),
      ...(settings.hubUrl ? { hubUrl: settings.hubUrl } : {}),
      ...(settings.language ? { language: settings.language } : {}),
    });
  };
  const body = fromHead && cache ? await cache.getOrRender(fromHead.etag, produce) : await produce();
  const validators = fromHead ?? bodyValidators(body, updated);
  if (!fromHead && isNotModified(request, validators)) {
    return { status: 304, format, validators, headers: headers(validators), itemsRead };
  }
  return { status: 200, format, body, validators, headers: headers(validators), itemsRead };
}

/** An empty scope with no head: the feed's time is the epoch (a fixed value keeps output reproducible). */
function newestUpdate(items: readonly { updatedAt: string }[]): string {
  let newest = '1970-01-01T00:00:00.000Z';
  for (const item of items) if (item.updatedAt > newest) newest = item.updatedAt;
  return newest;
}
