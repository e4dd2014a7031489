// Per-process caches for the feed routes (a warm Lambda container, or the local server):
// - rendered bodies and their compressed forms, keyed by the strong ETag (a hash of everything the body depends on),
//   so a cached body is always exactly what a fresh render would give; concurrent requests share one render;
// - scope head records for a short TTL, so a burst of polls costs one GetItem per scope per TTL. A new item then
//   reaches readers at most TTL later (on top of Cache-Control's max-age).
import { performance } from 'node:perf_hooks';
import type { RenderCache } from '../../core/feeds/service.js';
import type { ItemReader, ScopeHead } from '../../core/items/ports.js';

class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;
  constructor(private readonly maxBytes: number) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: V, bytes: number): void {
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.total -= old.bytes;
      this.entries.delete(key);
    }
    this.entries.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, v] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(k);
      this.total -= v.bytes;
    }
  }

  get size() {
    return this.entries.size;
  }
}

export interface FeedBodyCache extends RenderCache {
  /** Encoded (compressed) bytes of a body, by ETag and coding, encoding once. */
  encoded(etag: string, coding: string, encode: () => Promise<Uint8Array>): Promise<Uint8Array>;
}

/** Body and encoded-body cache with a byte budget (default 32 MB) and in-flight coalescing. */
export function createFeedBodyCache(options: { maxBytes?: number } = {}): FeedBodyCache {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  const bodies = new ByteLru<string>(maxBytes / 2);
  const encodings = new ByteLru<Uint8Array>(maxBytes / 2);
  const rendering = new Map<string, Promise<string>>();
  const encoding = new Map<string, Promise<Uint8Array>>();
  return {
    async getOrRender(etag, produce) {
      const hit = bodies.get(etag);
      if (hit !== undefined) return hit;
      let pending = rendering.get(etag);
      if (!pending) {
        pending = produce()
          .then((body) => {
            bodies.set(etag, body, body.length * 2);
            return body;
          })
          .finally(() => rendering.delete(etag));
        rendering.set(etag, pending);
      }
      return pending;
    },
    async encoded(etag, coding, encode) {
      const key = `${etag} ${coding}`;
      const hit = encodings.get(key);
      if (hit) return hit;
      let pending = encoding.get(key);
      if (!pending) {
        pending = encode()
          .then((bytes) => {
            encodings.set(key, bytes, bytes.byteLength);
            return bytes;
          })
          .finally(() => encoding.delete(key));
        encoding.set(key, pending);
      }
      return pending;
    },
  };
}

/**
 * An ItemReader whose getScopeHead answers from memory for `ttlMs` (0: no caching); other reads pass through.
 * After `ttlMs` the next call starts one refresh and, until it lands, callers keep the previous head (stale while
 * revalidate), so a slow read never stalls a burst of polls. A failed refresh is not cached.
 */
export function withHeadCache(reader: ItemReader, ttlMs: number, now: () => number = () => performance.now()): ItemReader {
  if (ttlMs <= 0) return reader;
  interface Entry {
    at: number;
    value?: { head: ScopeHead | undefined };
    pending?: Promise<ScopeHead | undefined>;
  }
  const heads = new Map<string, Entry>();
  const refresh = (scope: string, entry: Entry) => {
    const pending = reader.getScopeHead(scope).then(
      (head) => {
        entry.value = { head };
        entry.at = now();
        entry.pending = undefined;
        return head;
      },
      (error: unknown) => {
        entry.pending = undefined;
        if (!entry.value) heads.delete(scope);
        throw error;
      },
    );
    entry.pending = pending;
    return pending;
  };
  return {
    get: (id) => reader.get(id),
    getMany: (ids) => reader.getMany(ids),
    listScope: (scope, options) => reader.listScope(scope, options),
    getScopeHead(scope) {
      let entry = heads.get(scope);
      if (!entry) {
        entry = { at: now() };
        heads.set(scope, entry);
        return refresh(scope, entry);
      }
      if (!entry.value) return entry.pending ?? refresh(scope, entry);
      if (now() - entry.at >= ttlMs && !entry.pending) refresh(scope, entry).catch(() => undefined);
      return Promise.resolve(entry.value.head);
    },
  };
}
