// Ingestion: turns entries from a source into stored items, idempotently. The same entry (same GUID from the same
// source, or the same canonical link from anywhere) is never a second item; a changed entry updates the item in place
// with its version bumped; an unchanged one costs no write. Two runs at once converge: a new item's key derives from
// its canonical link, so writing it twice writes the same row; a change is conditional on the version it was read at.
import { createHash } from 'node:crypto';
import type { IncomingEntry, Item } from '../items/model.js';
import { scopesOf } from '../items/model.js';
import { currentTaxonomy } from '../taxonomy/taxonomy.js';
import { conflict, invalid, notFound } from '../shared/errors.js';
import { httpUrl } from '../shared/input.js';
import type { Clock } from '../shared/ports.js';
import { classify } from './classify.js';
import { titleFromText } from './entry-title.js';
import { htmlToText, sanitizedHtmlToText, sanitizeHtml, stripInvalidXmlChars, summarize, withoutInvisibleFormatting } from './sanitize.js';
import { mapLimited } from '../shared/concurrency.js';

export interface IngestSource {
  id: string;
  url: string;
  defaultCountries?: string[];
  defaultTopics?: string[];
}

/** What ingestion needs from storage. */
export interface IngestStore {
  getMany(ids: readonly string[]): Promise<Item[]>;
  /** (source, GUID) → id of the item first created from it: finds an item whose link has since changed. */
  findGuidOwners(sourceId: string, guids: readonly string[]): Promise<Map<string, string>>;
  /** Writes items seen for the first time, with their GUID claims and feed index rows, in batches. Safe without
   *  conditions because an item's key derives from its canonical link: a duplicate write is the same row. */
  saveNew(items: readonly Item[]): Promise<void>;
  /** Writes a changed item, conditional on the stored version still being `previous.version`. Returns false when
   *  another writer got there first. */
  save(next: Item, previous: Item): Promise<boolean>;
  /** Marks feed scopes as changed (head records) once per run, not once per item. */
  touchScopes(scopes: readonly string[], at: string): Promise<void>;
}

export interface IngestCounts {
  new: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

/** Why an entry was not stored: `entry.noId` (nothing to recognise it by), `entry.noLink` (no http(s) link, nor has
 *  its source), `entry.untitled` (no title and nothing to derive one from), `entry.duplicate` (the document gives the same entry again; the later one is kept),
 *  `entry.unidentifiable` (the feed parser found no id, link, title or content). */
export type RejectionCode = 'entry.noId' | 'entry.noLink' | 'entry.untitled' | 'entry.duplicate' | 'entry.unidentifiable';

export interface EntryRejection {
  /** Which entry: its GUID, else its title, else its position in the document (#1 is the first). */
  entry: string;
  code: RejectionCode;
  reason: string;
  guid?: string;
  title?: string;
}

export interface IngestReport {
  /** Every entry given is counted once: new + updated + unchanged + rejected = entries. */
  counts: IngestCounts;
  rejected: EntryRejection[];
  /** Feed scopes whose contents changed (for WebSub pings and cache invalidation). */
  changedScopes: string[];
}

const maxTitleChars = 500;
const concurrency = 16;
const chunkSize = 100;
const maxAttempts = 4;

/** An item's id derives from its canonical link, so the same link from any source, in any run, is the same row. */
export const itemIdFor = (canonicalLink: string) => createHash('sha256').update(canonicalLink).digest('base64url').slice(0, 22);

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
  image?: Item['image'];
  sourceCategories: string[];
  classification: ReturnType<typeof classify>;
}

type Prepared = { ok: true; candidate: Candidate } | { ok: false; guid?: string; title?: string; code: RejectionCode; reason: string };

export function prepareEntry(entry: IncomingEntry, source: IngestSource): Prepared {
  const guid = entry.guid?.trim();
  const rawTitle = entry.title ?? '';
  // Most titles are plain text; only markup or entities need the (costly) HTML-to-text pass.
  const givenTitle = withoutInvisibleFormatting(stripInvalidXmlChars(/[<&]/.test(rawTitle) ? htmlToText(rawTitle) : rawTitle)).replace(/\s+/g, ' ').trim();
  if (!guid) return { ok: false, title: givenTitle, code: 'entry.noId', reason: 'entry has no id, guid or link to recognise it by' };
  // Only http(s) links are stored: a javascript:, data: or file: link (in any spelling) falls back to the source's.
  const link = httpUrl(entry.link) ? entry.link! : httpUrl(source.url) ? `${source.url}#${encodeURIComponent(guid)}` : undefined;
  if (!link) return { ok: false, guid, title: givenTitle, code: 'entry.noLink', reason: 'entry has no http(s) link, and neither has its source' };
  const contentHtml = sanitizeHtml(entry.contentHtml ?? entry.summary ?? '', link);
  const text = sanitizedHtmlToText(contentHtml);
  const image = entry.image && httpUrl(entry.image.url) ? entry.image : undefined;
  // As readers do: an untitled entry (a microblog post) is titled from its text, or its image's description; a
  // "title" too long to be one is really text, and is shortened the same way.
  const title = !givenTitle
    ? titleFromText(withoutInvisibleFormatting(stripInvalidXmlChars(text || (entry.summary ? htmlToText(entry.summary) : '') || image?.alt || '')))
    : givenTitle.length > maxTitleChars
      ? titleFromText(givenTitle)
      : givenTitle;
  if (!title) return { ok: false, guid, code: 'entry.untitled', reason: 'entry has no title, and no text or image description to derive one from' };
  // htmlToText sanitises on its own; a summary that is the content itself is not converted twice.
  const summary = summarize(entry.summary && entry.contentHtml ? htmlToText(entry.summary) : text);
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
      enclosures: entry.enclosures.filter((e) => httpUrl(e.url)),
      image,
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
  // The image joins the hash only when there is one, so items stored before images were read keep their hash.
  const sourceHash = hashOf([
    candidate.link, candidate.title, publishedAt, candidate.summary, candidate.contentHtml, candidate.author,
    candidate.enclosures, candidate.sourceCategories, candidate.classification, ...(candidate.image ? [candidate.image] : []),
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
    ...(candidate.image ? { image: candidate.image } : {}),
    ...tags,
    sourceCategories: candidate.sourceCategories,
    version: (previous?.version ?? 0) + 1,
    sourceHash,
    ingestedAt: previous?.ingestedAt ?? now,
  };
}

export async function ingestEntries(
  entries: readonly IncomingEntry[],
  source: IngestSource,
  deps: { store: IngestStore; clock: Clock },
): Promise<IngestReport> {
  const now = deps.clock.now().toISOString();
  const report: IngestReport = { counts: { new: 0, updated: 0, unchanged: 0, rejected: 0 }, rejected: [], changedScopes: [] };
  const changed = new Set<string>();

  const reject = (rejection: Omit<EntryRejection, 'entry'>, position: number) => {
    report.counts.rejected++;
    report.rejected.push({ entry: rejection.guid || rejection.title || `#${position + 1}`, ...rejection });
  };

  // Fold duplicates within the same document (the last one wins, as readers do), counting the ones folded.
  const byGuid = new Map<string, { entry: IncomingEntry; position: number }>();
  entries.forEach((entry, position) => {
    const key = entry.guid?.trim() || `\u0000${position}`;
    const earlier = byGuid.get(key);
    if (earlier) {
      reject({ guid: key, code: 'entry.duplicate', reason: `the feed gives this guid again (entries #${earlier.position + 1} and #${position + 1}); the later one was kept` }, earlier.position);
    }
    byGuid.set(key, { entry, position });
  });

  const record = (next: Item, previous: Item | undefined) => {
    report.counts[previous ? 'updated' : 'new']++;
    for (const scope of scopesOf(next)) changed.add(scope);
    if (previous) for (const scope of scopesOf(previous)) changed.add(scope);
  };

  const processChunk = async (candidates: Candidate[]) => {
    // Batched reads: items by link-derived id; for the rest, whether this source's GUID already made an item (its
    // link changed since), and those items.
    const stored = new Map((await deps.store.getMany(candidates.map((c) => itemIdFor(c.link)))).map((i) => [i.id, i]));
    const unseen = candidates.filter((c) => !stored.has(itemIdFor(c.link)));
    const guidOwners = unseen.length ? await deps.store.findGuidOwners(source.id, unseen.map((c) => c.guid)) : new Map<string, string>();
    for (const item of await deps.store.getMany([...guidOwners.values()].filter((id) => !stored.has(id)))) stored.set(item.id, item);

    const fresh = new Map<string, Item>();
    const changes = new Map<string, { candidate: Candidate; previous: Item }>();
    // One item per link: entries of this document with the same link are one item, the later one kept.
    const byId = new Map<string, Candidate>();
    for (const candidate of candidates) {
      const linkId = itemIdFor(candidate.link);
      const id = stored.has(linkId) ? linkId : (guidOwners.get(candidate.guid) ?? linkId);
      const earlier = byId.get(id);
      if (earlier) {
        reject({ guid: earlier.guid, title: earlier.title, code: 'entry.duplicate', reason: `another entry of the feed (guid ${candidate.guid}) has the same link, ${candidate.link}; the later one was kept` }, -1);
      }
      byId.set(id, candidate);
    }
    for (const [id, candidate] of byId) {
      const previous = stored.get(id);
      if (!previous) {
        fresh.set(id, mergeCandidate(candidate, undefined, source, id, now));
        continue;
      }
      // The same link from another source is the same item; its own source stays the one that may change it, or
      // two sources would overwrite each other on every poll.
      const ownSource = previous.sourceId === source.id;
      if (!ownSource || mergeCandidate(candidate, previous, source, id, now).sourceHash === previous.sourceHash) report.counts.unchanged++;
      else changes.set(id, { candidate, previous });
    }

    if (fresh.size) {
      await deps.store.saveNew([...fresh.values()]);
      for (const item of fresh.values()) record(item, undefined);
    }

    // Changes: conditional on the version read; on a lost race, compare with what is stored now and try again.
    await mapLimited([...changes.values()], concurrency, async ({ candidate, previous: read }) => {
      let previous = read;
      for (let attempt = 1; ; attempt++) {
        const next = mergeCandidate(candidate, previous, source, previous.id, now);
        if (next.sourceHash === previous.sourceHash) {
          report.counts.unchanged++;
          return;
        }
        if (await deps.store.save(next, previous)) {
          record(next, previous);
          return;
        }
        const current = (await deps.store.getMany([previous.id]))[0];
        if (!current || attempt >= maxAttempts) throw new Error(`item ${previous.id} kept changing under us; gave up after ${attempt} attempts`);
        previous = current;
      }
    });
  };

  // Preparing (sanitise, classify) is CPU work and storing is I/O: chunk the document so the next chunk is prepared
  // while the store works on the previous one.
  const inFlight: Promise<void>[] = [];
  const all = [...byGuid.values()];
  for (let start = 0; start < all.length; start += chunkSize) {
    const candidates: Candidate[] = [];
    for (const { entry, position } of all.slice(start, start + chunkSize)) {
      const prepared = prepareEntry(entry, source);
      if (prepared.ok) candidates.push(prepared.candidate);
      else reject({ guid: prepared.guid, title: prepared.title, code: prepared.code, reason: prepared.reason }, position);
    }
    const stored = processChunk(candidates);
    stored.catch(() => undefined); // its failure is raised below, not as an unhandled rejection
    inFlight.push(stored);
    if (inFlight.length >= 2) await inFlight[inFlight.length - 2];
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(inFlight);

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
  if (patch.link !== undefined && !httpUrl(patch.link)) throw invalid('item.badLink', `An item's link must be an http(s) URL, not "${patch.link.slice(0, 80)}".`);
  const link = patch.link ?? item.link;
  const contentHtml = patch.contentHtml === undefined ? item.contentHtml : sanitizeHtml(patch.contentHtml, link);
  const summary =
    patch.summary !== undefined ? summarize(htmlToText(sanitizeHtml(patch.summary, link))) : patch.contentHtml !== undefined ? summarize(htmlToText(contentHtml)) : item.summary;
  const { countryCodes } = currentTaxonomy();
  return {
    ...item,
    title: patch.title !== undefined ? withoutInvisibleFormatting(stripInvalidXmlChars(patch.title)).trim() : item.title,
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

export interface EditorItemInput extends ItemCorrection {
  /** Present: correct that item. Absent: add an item (title and link required), or correct the one with that link. */
  id?: string;
}

/** The editor's "add or correct an item": adds go through ingestion like any entry (source "editor"); corrections
 *  and tag overrides are written conditional on the version read, retried on a concurrent write. */
export async function editItem(
  input: EditorItemInput,
  deps: { store: IngestStore; clock: Clock; editorSourceUrl: string },
): Promise<{ id: string; version: number; created: boolean; changedScopes: string[] }> {
  const now = deps.clock.now().toISOString();
  const changed = new Set<string>();
  let id = input.id;
  let created = false;
  let patch: ItemCorrection = input;
  if (!id) {
    if (!input.title || !input.link) throw invalid('item.incomplete', 'A new item needs at least "title" and "link".');
    if (!httpUrl(input.link)) throw invalid('item.badLink', `An item's link must be an http(s) URL, not "${input.link.slice(0, 80)}".`);
    id = itemIdFor(input.link);
    const entry: IncomingEntry = {
      guid: input.link, link: input.link, title: input.title, publishedAt: input.publishedAt ?? now, summary: input.summary,
      contentHtml: input.contentHtml, author: input.author, categories: [], enclosures: [],
    };
    const report = await ingestEntries([entry], { id: 'editor', url: deps.editorSourceUrl }, deps);
    created = report.counts.new === 1;
    report.changedScopes.forEach((scope) => changed.add(scope));
    // A new item only needs correcting when its tags are overridden; an existing link is corrected as given.
    patch = created ? { countries: input.countries, topics: input.topics } : input;
  }
  for (let attempt = 1; ; attempt++) {
    const current = (await deps.store.getMany([id]))[0];
    if (!current) throw notFound('item.notFound', `No item has id "${id}".`);
    if (created && !patch.countries && !patch.topics) return { id, version: current.version, created, changedScopes: [...changed] };
    const next = correctItem(current, patch, now);
    if (await deps.store.save(next, current)) {
      for (const scope of [...scopesOf(current), ...scopesOf(next)]) changed.add(scope);
      const changedScopes = [...changed].sort();
      await deps.store.touchScopes(changedScopes, now);
      return { id, version: next.version, created, changedScopes };
    }
    if (attempt >= maxAttempts) throw conflict('item.busy', 'The item kept changing while being corrected; try again.');
  }
}
