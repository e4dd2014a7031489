// How the core reads stored items (newest first per feed scope) and each scope's head record. The DynamoDB adapter
// (adapters/dynamo/items.ts) implements it.
import type { Item } from './model.js';

export interface ItemPage {
  items: Item[];
  /** Opaque; pass back to get the next (older) page. Absent on the last page. */
  cursor?: string;
}

/** Per-scope head record, updated by ingest whenever an item in the scope changes: lets a feed answer 304 (or build
 *  its ETag) without reading items. */
export interface ScopeHead {
  scope: string;
  /** ISO 8601 UTC of the last change to the scope's contents. */
  changedAt: string;
  /** Increases on every change to the scope. */
  seq: number;
}

export interface ItemReader {
  get(id: string): Promise<Item | undefined>;
  getMany(ids: readonly string[]): Promise<Item[]>;
  /** Newest first (publishedAt, then id). */
  listScope(scope: string, options: { limit: number; cursor?: string }): Promise<ItemPage>;
  getScopeHead(scope: string): Promise<ScopeHead | undefined>;
}
