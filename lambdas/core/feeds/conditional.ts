// Validators and caching rules for feeds: a strong ETag and Last-Modified derived from the scope's head record (so a
// conditional request is answered from the head alone, without reading items or rendering), RFC 9110 evaluation of
// If-None-Match / If-Modified-Since, and Cache-Control for readers and the CDN.
import { createHash } from 'node:crypto';
import type { ScopeHead } from '../items/ports.js';
import type { FeedFormat } from './scopes.js';

/** Bump when the rendered bytes change for the same items (renderer change), so caches see new ETags. */
export const RENDER_VERSION = 'r1';

export interface Validators {
  /** Strong entity tag, quoted, for the identity (uncompressed) representation. */
  etag: string;
  /** HTTP-date (IMF-fixdate). */
  lastModified: string;
}

export interface FeedIdentity {
  scope: string;
  format: FeedFormat;
  /** Cursor of an archive page; undefined for the subscription document. */
  page?: string;
  pageSize: number;
  baseUrl: string;
  hubUrl?: string;
}

const digest = (parts: unknown) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);

/**
 * Validators from the head record. Strong: the renderer is deterministic and the scope's items only change when
 * ingest bumps the head's seq, so equal tags mean byte-identical bodies.
 */
export function headValidators(head: ScopeHead, id: FeedIdentity): Validators {
  const tag = digest([RENDER_VERSION, id.scope, id.format, id.page ?? '', id.pageSize, id.baseUrl, id.hubUrl ?? '', head.seq, head.changedAt]);
  return { etag: `"f-${tag}"`, lastModified: httpDate(head.changedAt) };
}

/** Validators of a body with no head record to go by (an empty scope, or a static document): hash of the bytes. */
export function bodyValidators(body: string, lastModifiedIso: string): Validators {
  return { etag: `"b-${digest([RENDER_VERSION, body])}"`, lastModified: httpDate(lastModifiedIso) };
}

export function httpDate(iso: string): string {
  const date = new Date(iso);
  return (Number.isNaN(date.getTime()) ? new Date(0) : date).toUTCString();
}

export type ContentCoding = 'br' | 'gzip' | 'identity';

/** The ETag of a compressed representation (a strong validator must differ per content coding). */
export function etagFor(etag: string, coding: ContentCoding): string {
  return coding === 'identity' ? etag : `${etag.slice(0, -1)}-${coding}"`;
}

const stripCoding = (tag: string) => tag.replace(/-(?:br|gzip)"$/, '"');

/**
 * RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; If-None-Match uses weak comparison; `*` matches any
 * current representation. A tag for another content coding of the same body matches too.
 */
export function isNotModified(conditions: { ifNoneMatch?: string | null; ifModifiedSince?: string | null }, v: Validators): boolean {
  const inm = conditions.ifNoneMatch?.trim();
  if (inm) {
    if (inm === '*') return true;
    const mine = stripCoding(v.etag);
    return (inm.match(/(?:W\/)?"[^"]*"/g) ?? []).some((t) => stripCoding(t.replace(/^W\//, '')) === mine);
  }
  const ims = conditions.ifModifiedSince?.trim();
  if (ims) {
    const since = Date.parse(ims);
    const modified = Date.parse(v.lastModified);
    return !Number.isNaN(since) && !Number.isNaN(modified) && Math.floor(modified / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

/**
 * The subscription document is cached briefly (a new item must reach readers within one ingest cycle); archive
 * pages change only when an old item is edited, so they are cached longer. stale-* lets the CDN keep serving while it
 * revalidates or when the origin fails.
 */
export function feedCacheControl(isArchive: boolean): string {
  return isArchive
    ? 'public, max-age=3600, s-maxage=3600, stale-while-revalidate=600, stale-if-error=86400'
    : 'public, max-age=300, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400';
}

export const staticCacheControl = 'public, max-age=3600, stale-while-revalidate=600';
