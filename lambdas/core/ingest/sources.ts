// Sources of news and their polling: fetch (conditionally), parse, ingest, and record the outcome against the source,
// so one broken feed never stops the others and an editor can see what went wrong.
import { createHash } from 'node:crypto';
import type { IncomingEntry } from '../items/model.js';
import type { Clock } from '../shared/ports.js';
import { invalid } from '../shared/errors.js';
import { httpUrl } from '../shared/input.js';
import { ingestEntries, type EntryRejection, type IngestCounts, type IngestStore } from './ingest.js';
import { parseDigest } from './news-digest-parser.js';
import { mapLimited } from '../shared/concurrency.js';

export interface PollOutcome {
  at: string;
  status: 'ok' | 'not-modified' | 'error';
  /** Every entry of the document, counted once: new + updated + unchanged + rejected. */
  counts: IngestCounts;
  /** Why entries were rejected (the first few; `counts.rejected` has them all). Absent when none were. */
  rejections?: Array<Pick<EntryRejection, 'entry' | 'code' | 'reason'>>;
  error?: { code: string; message: string };
}

/** Rejections listed on a poll outcome: enough to act on, while the source's row stays small. */
export const maxListedRejections = 20;

export interface Source {
  id: string;
  url: string;
  name: string;
  defaultCountries: string[];
  defaultTopics: string[];
  createdAt: string;
  /** False: paused, not polled until made active again. Absent: active. */
  active?: boolean;
  /** Validators from the last 200 answer, sent back for a conditional GET. */
  etag?: string;
  lastModified?: string;
  lastPoll?: PollOutcome;
  lastError?: { at: string; code: string; message: string };
}

export interface SourceStore {
  list(): Promise<Source[]>;
  get(id: string): Promise<Source | undefined>;
  /** Creates the source unless one with the same id exists; returns whether it was created. */
  create(source: Source): Promise<boolean>;
  /** Replaces an existing source's settings (name, URL, defaults, active, validators); false when it is gone. */
  update(source: Source): Promise<boolean>;
  /** Removes the source (its items stay); false when there was none. */
  remove(id: string): Promise<boolean>;
  recordPoll(id: string, outcome: PollOutcome, validators: { etag?: string; lastModified?: string } | undefined): Promise<void>;
}

export type FetchOutcome =
  | { status: 'not-modified' }
  | { status: 'ok'; body: Buffer; contentType?: string; etag?: string; lastModified?: string; finalUrl: string };

export interface PollDeps {
  fetch(url: string, validators: { etag?: string; lastModified?: string }): Promise<FetchOutcome>;
  /** Entries the parser could not identify at all come back in `rejected` (position in the document, reason). */
  parse(body: Buffer, options: { contentType?: string; baseUrl: string }): { entries: IncomingEntry[]; rejected?: Array<{ index: number; reason: string }> };
  items: IngestStore;
  sources: SourceStore;
  clock: Clock;
}

/** The same URL is the same source, so re-adding a feed is harmless. */
export const sourceIdFor = (url: string) => createHash('sha256').update(new URL(url).href).digest('base64url').slice(0, 16);

export interface SourceInput {
  url: string;
  name?: string;
  defaultCountries?: string[];
  defaultTopics?: string[];
}

/** A source as the editor API or the SOURCES setting names it. */
export function newSource(input: SourceInput, now: Date): Source {
  const url = httpUrl(input.url);
  if (!url) throw invalid('source.badUrl', `A source must be an http(s) URL, not "${input.url.slice(0, 120)}".`);
  return {
    id: sourceIdFor(url.href),
    url: url.href,
    name: input.name ?? url.hostname,
    defaultCountries: input.defaultCountries ?? [],
    defaultTopics: input.defaultTopics ?? [],
    createdAt: now.toISOString(),
  };
}

export interface SourcePatch {
  name?: string;
  url?: string;
  defaultCountries?: string[];
  defaultTopics?: string[];
  active?: boolean;
}

/** A source changed by the editor. The id stays with a new URL (items keep their source); the old URL's validators go. */
export function editSource(source: Source, patch: SourcePatch): Source {
  const next: Source = { ...source };
  if (patch.url !== undefined) {
    const url = httpUrl(patch.url);
    if (!url) throw invalid('source.badUrl', `A source must be an http(s) URL, not "${patch.url.slice(0, 120)}".`);
    if (url.href !== source.url) {
      next.url = url.href;
      delete next.etag;
      delete next.lastModified;
    }
  }
  if (patch.name !== undefined) next.name = patch.name.trim() || source.name;
  if (patch.defaultCountries) next.defaultCountries = patch.defaultCountries;
  if (patch.defaultTopics) next.defaultTopics = patch.defaultTopics;
  if (patch.active !== undefined) next.active = patch.active;
  return next;
}

export const isActive = (source: Pick<Source, 'active'>) => source.active !== false;

/** What a poll of the source would ingest, without storing anything: the parser's entries and what it refused. */
export async function trySource(url: string, deps: Pick<PollDeps, 'fetch' | 'parse'>): Promise<{ entries: IncomingEntry[]; unidentified: number } | { error: { code: string; message: string } }> {
  try {
    const fetched = await deps.fetch(url, {});
    if (fetched.status === 'not-modified') return { entries: [], unidentified: 0 };
    const parsed = deps.parse(fetched.body, { contentType: fetched.contentType, baseUrl: fetched.finalUrl });
    return { entries: parsed.entries, unidentified: parsed.rejected?.length ?? 0 };
  } catch (error) {
    return { error: describe(error) };
  }
}

/** Makes sure the sources named in configuration exist (idempotent: a source's id derives from its URL). */
export async function registerSources(inputs: readonly SourceInput[], store: SourceStore, now: Date): Promise<void> {
  await Promise.all(inputs.map((input) => store.create(newSource(input, now))));
}

const zero = (): IngestCounts => ({ new: 0, updated: 0, unchanged: 0, rejected: 0 });

const describe = (error: unknown) => ({
  code: typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'source.failed',
  message: error instanceof Error ? error.message : String(error),
});

export interface PollResult extends PollOutcome {
  sourceId: string;
  changedScopes: string[];
}

export async function pollSource(source: Source, deps: PollDeps): Promise<PollResult> {
  const at = deps.clock.now().toISOString();
  try {
    const fetched = await deps.fetch(source.url, { etag: source.etag, lastModified: source.lastModified });
    if (fetched.status === 'not-modified') {
      const outcome: PollOutcome = { at, status: 'not-modified', counts: zero() };
      await deps.sources.recordPoll(source.id, outcome, undefined);
      return { ...outcome, sourceId: source.id, changedScopes: [] };
    }
    const parsed = deps.parse(fetched.body, { contentType: fetched.contentType, baseUrl: fetched.finalUrl });
    const report = await ingestEntries(parsed.entries, source, { store: deps.items, clock: deps.clock });
    const unidentified = (parsed.rejected ?? []).map((r) => ({ entry: `#${r.index + 1}`, code: 'entry.unidentifiable' as const, reason: r.reason }));
    const counts = { ...report.counts, rejected: report.counts.rejected + unidentified.length };
    const rejections = [...unidentified, ...report.rejected].slice(0, maxListedRejections).map(({ entry, code, reason }) => ({ entry, code, reason }));
    const outcome: PollOutcome = { at, status: 'ok', counts, ...(rejections.length ? { rejections } : {}) };
    await deps.sources.recordPoll(source.id, outcome, { etag: fetched.etag, lastModified: fetched.lastModified });
    return { ...outcome, sourceId: source.id, changedScopes: report.changedScopes };
  } catch (error) {
    const outcome: PollOutcome = { at, status: 'error', counts: zero(), error: describe(error) };
    await deps.sources.recordPoll(source.id, outcome, undefined);
    return { ...outcome, sourceId: source.id, changedScopes: [] };
  }
}

/** Polls every active source with bounded parallelism; each source's failure is its own. */
export function pollAll(sources: readonly Source[], deps: PollDeps, parallel = 4): Promise<PollResult[]> {
  return mapLimited(sources.filter(isActive), parallel, (source) => pollSource(source, deps));
}

/** A news digest (the plain-text format of samples/) imported as a source of its own. */
export const digestSource = (sourceUrl: string) => ({ id: `digest:${sourceIdFor(sourceUrl)}`, url: sourceUrl });

export async function importDigest(
  text: string,
  sourceUrl: string,
  deps: { items: IngestStore; clock: Clock },
): Promise<{ counts: IngestCounts; problems: Array<{ line: number; message: string }>; rejected: Array<{ guid?: string; title?: string; reason: string }>; changedScopes: string[] }> {
  // Items link to the digest's URL: it is printed in emails and feeds, so it must be http(s).
  if (!httpUrl(sourceUrl)) throw invalid('digest.badSourceUrl', `The digest's sourceUrl must be an http(s) URL, not "${sourceUrl.slice(0, 120)}".`);
  const parsed = parseDigest(text, { sourceUrl });
  const report = await ingestEntries(parsed.entries, digestSource(sourceUrl), { store: deps.items, clock: deps.clock });
  return { counts: report.counts, problems: parsed.problems, rejected: report.rejected, changedScopes: report.changedScopes };
}
