// Ingestion: turns entries from a source into stored items, idempotently. The same entry (same GUID from the same
// source, or the same canonical link from anywhere) is never a second item; a changed entry updates the item in place
// with its version bumped; an unchanged one costs no write. Two runs at once converge through conditional writes.
import { createHash } from 'node:crypto';
import type { IncomingEntry, Item } from './items.js';
import { scopesOf } from './items.js';
import { countryCodes } from './taxonomy.js';
import type { Clock } from './ports.js';
import { classify } from './classify.js';
import { htmlToText, sanitizeHtml, stripInvalidXmlChars, summarize } from './sanitize.js';

export interface IngestSource {
  id: string;
  url: string;
  defaultCountries?: string[];
  defaultTopics?: string[];
}

/** What ingestion needs from storage. */
export interface IngestStore {
  getMany(ids: readonly string[]): Promise<Item[]>;
  /** Canonical link → id of the item that owns it. */
  findLinkOwners(links: readonly string[]): Promise<Map<string, string>>;
  /** Claims a canonical link for an item; returns the owner after the attempt (another item's id if it lost). */
  claimLink(link: string, itemId: string): Promise<string>;
  /** Writes `next`, conditional on the stored version still being `previous?.version` (absent when new). Returns
   *  false when another writer got there first. */
  save(next: Item, previous: Item | undefined): Promise<boolean>;
  /** Marks feed scopes as changed (head records) once per run, not once per item. */
  touchScopes(scopes: readonly string[], at: string): Promise<void>;
}

export interface IngestCounts {
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface IngestReport {
  counts: IngestCounts;
  rejected: Array<{ guid?: string; title?: string; reason: string }>;
  /** Feed scopes whose contents changed (for WebSub pings and cache invalidation). */
  changedScopes: string[];
}

const maxTitleChars = 500;
const concurrency = 16;
const maxAttempts = 4;

export const itemIdFor = (sourceId: string, guid: string) =>
  createHash('sha256').update(`${sourceId}\u0000${guid}`).digest('base64url').slice(0, 22);

const isHttpUrl = (value: string) => {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

const toIso = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
};

/** The source's view of an item, before it meets what we stored. */
interface Candidate {
  guid: string;
  link: string;
  title: string;
  publishedAt?: string;
  updatedAt?: string;
  summary: string;
  contentHtml: string;
  author?: string;
  language?: string;
  enclosures: Item['enclosures'];
  sourceCategories: string[];
  classification: ReturnType<typeof classify>;
}

type Prepared = { ok: true; candidate: Candidate } | { ok: false; guid?: string; title?: string; reason: string };

export function prepareEntry(entry: IncomingEntry, source: IngestSource): Prepared {
  const guid = entry.guid?.trim();
  const title = stripInvalidXmlChars(htmlToText(entry.title ?? '')).replace(/\s+/g, ' ').trim();
  if (!guid) return { ok: false, title, reason: 'entry has no id, guid or link to recognise it by' };
  if (!title) return { ok: false, guid, reason: 'entry has no title' };
  if (title.length > maxTitleChars) return { ok: false, guid, reason: `title is over ${maxTitleChars} characters` };
  const link = entry.link && isHttpUrl(entry.link) ? entry.link : `${source.url}#${encodeURIComponent(guid)}`;
  const contentHtml = sanitizeHtml(entry.contentHtml ?? entry.summary ?? '', link);
  const text = htmlToText(contentHtml);
  const summary = summarize(entry.summary ? htmlToText(sanitizeHtml(entry.summary, link)) : text);
  const classification = classify({
    title,
    text,
    categories: entry.categories,
    defaultCountries: source.defaultCountries,
    defaultTopics: source.defaultTopics,
  });
  return {
    ok: true,
    candidate: {
      guid,
      link,
      title,
      publishedAt: toIso(entry.publishedAt) ?? toIso(entry.updatedAt),
      updatedAt: toIso(entry.updatedAt),
      summary,
      contentHtml,
      author: entry.author?.trim() || undefined,
      language: entry.language,
      enclosures: entry.enclosures.filter((e) => isHttpUrl(e.url)),
      sourceCategories: entry.categories,
      classification,
    },
  };
}

function hashOf(fields: unknown): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('base64url').slice(0, 22);
}

/** The item `candidate` makes of `previous` (or a new one). Editor tag overrides survive re-ingestion. */
export function mergeCandidate(candidate: Candidate, previous: Item | undefined, source: IngestSource, id: string, now: string): Item {
  const keepEditorTags = previous?.tagProvenance.countries === 'editor' || previous?.tagProvenance.topics === 'editor';
  const tags = keepEditorTags
    ? { countries: previous!.countries, topics: previous!.topics, blocWide: previous!.blocWide, tagProvenance: previous!.tagProvenance }
    : {
        countries: candidate.classification.countries,
        topics: candidate.classification.topics,
        blocWide: candidate.classification.blocWide,
        tagProvenance: candidate.classification.provenance,
      };
  const publishedAt = candidate.publishedAt ?? previous?.publishedAt ?? now;
  const sourceHash = hashOf([
    candidate.link, candidate.title, publishedAt, candidate.summary, candidate.contentHtml, candidate.author,
    candidate.enclosures, candidate.sourceCategories, candidate.classification,
  ]);
  return {
    id,
    sourceId: previous?.sourceId ?? source.id,
    sourceGuid: previous?.sourceGuid ?? candidate.guid,
    link: candidate.link,
    title: candidate.title,
    publishedAt,
    updatedAt: candidate.updatedAt ?? (previous ? now : publishedAt),
    summary: candidate.summary,
    contentHtml: candidate.contentHtml,
    author: candidate.author,
    language: candidate.language,
    enclosures: candidate.enclosures,
    ...tags,
    sourceCategories: candidate.sourceCategories,
    version: (previous?.version ?? 0) + 1,
    sourceHash,
    ingestedAt: previous?.ingestedAt ?? now,
  };
}

async function forEachLimited<T>(values: readonly T[], limit: number, work: (value: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, values.length) }, async () => {
    while (next < values.length) await work(values[next++]!);
  });
  await Promise.all(workers);
}

export async function ingestEntries(
  entries: readonly IncomingEntry[],
  source: IngestSource,
  deps: { store: IngestStore; clock: Clock },
): Promise<IngestReport> {
  const now = deps.clock.now().toISOString();
  const report: IngestReport = { counts: { new: 0, updated: 0, unchanged: 0, rejected: 0 }, rejected: [], changedScopes: [] };
  const changed = new Set<string>();

  // Prepare, and fold duplicates within the same document (same guid twice: the last one wins, as readers do).
  const byId = new Map<string, Candidate>();
  for (const entry of entries) {
    const prepared = prepareEntry(entry, source);
    if (!prepared.ok) {
      report.counts.rejected++;
      report.rejected.push({ guid: prepared.guid, title: prepared.title, reason: prepared.reason });
      continue;
    }
    byId.set(itemIdFor(source.id, prepared.candidate.guid), prepared.candidate);
  }

  // One batched read for what we already hold, by id and by canonical link.
  const ids = [...byId.keys()];
  const stored = new Map((await deps.store.getMany(ids)).map((item) => [item.id, item]));
  const unknownLinks = [...byId].filter(([id]) => !stored.has(id)).map(([, c]) => c.link);
  const linkOwners = unknownLinks.length ? await deps.store.findLinkOwners(unknownLinks) : new Map<string, string>();

  await forEachLimited([...byId], concurrency, async ([ownId, candidate]) => {
    let id = stored.has(ownId) ? ownId : (linkOwners.get(candidate.link) ?? ownId);
    let previous = stored.get(id) ?? (id !== ownId ? (await deps.store.getMany([id]))[0] : undefined);
    for (let attempt = 1; ; attempt++) {
      if (!previous) {
        const owner = await deps.store.claimLink(candidate.link, id);
        if (owner !== id) {
          // Another item already owns this canonical link: this entry is that item.
          id = owner;
          previous = (await deps.store.getMany([id]))[0];
        }
      }
      const next = mergeCandidate(candidate, previous, source, id, now);
      if (previous && previous.sourceHash === next.sourceHash) {
        report.counts.unchanged++;
        return;
      }
      if (await deps.store.save(next, previous)) {
        report.counts[previous ? 'updated' : 'new']++;
        for (const scope of scopesOf(next)) changed.add(scope);
        if (previous) for (const scope of scopesOf(previous)) changed.add(scope);
        return;
      }
      if (attempt >= maxAttempts) throw new Error(`item ${id} kept changing under us; giving up after ${maxAttempts} attempts`);
      previous = (await deps.store.getMany([id]))[0]; // someone else wrote it: compare with theirs and retry
    }
  });

  report.changedScopes = [...changed].sort();
  if (report.changedScopes.length) await deps.store.touchScopes(report.changedScopes, now);
  return report;
}

/** An editor's correction of a stored item: fields replaced as given, tags overridden (and then kept across
 *  re-ingestion), content sanitised like any other. */
export interface ItemCorrection {
  title?: string;
  link?: string;
  publishedAt?: string;
  summary?: string;
  contentHtml?: string;
  author?: string;
  countries?: Item['countries'];
  topics?: Item['topics'];
}

export function correctItem(item: Item, patch: ItemCorrection, now: string): Item {
  const link = patch.link ?? item.link;
  const contentHtml = patch.contentHtml === undefined ? item.contentHtml : sanitizeHtml(patch.contentHtml, link);
  const summary =
    patch.summary !== undefined ? summarize(htmlToText(sanitizeHtml(patch.summary, link))) : patch.contentHtml !== undefined ? summarize(htmlToText(contentHtml)) : item.summary;
  return {
    ...item,
    title: patch.title !== undefined ? stripInvalidXmlChars(patch.title).trim() : item.title,
    link,
    publishedAt: patch.publishedAt ? new Date(patch.publishedAt).toISOString() : item.publishedAt,
    author: patch.author ?? item.author,
    contentHtml,
    summary,
    // No country named means the bloc as a whole, which carries every member's code.
    countries: patch.countries ? (patch.countries.length ? [...new Set(patch.countries)].sort() : [...countryCodes]) : item.countries,
    topics: patch.topics ? [...new Set(patch.topics)].sort() : item.topics,
    blocWide: patch.countries ? patch.countries.length === 0 || new Set(patch.countries).size === countryCodes.length : item.blocWide,
    tagProvenance: {
      countries: patch.countries ? 'editor' : item.tagProvenance.countries,
      topics: patch.topics ? 'editor' : item.tagProvenance.topics,
    },
    updatedAt: now,
    version: item.version + 1,
  };
}
