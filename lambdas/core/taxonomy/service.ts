// The taxonomy as editors shape it: the port every reader goes through (a short in-process cache over the store, which
// puts each fresh snapshot in force), and the editor's operations: the full view with counts, add, change, remove or
// merge an entry, and a preview of what a keyword change would do to recent items.
import { conflict, DomainError, invalid, notFound } from '../shared/errors.js';
import type { Clock } from '../shared/ports.js';
import { scopeId, scopesOf, type Item } from '../items/model.js';
import type { ItemReader } from '../items/ports.js';
import type { IngestStore } from '../ingest/ingest.js';
import { classify } from '../ingest/classify.js';
import { sanitizedHtmlToText } from '../ingest/sanitize.js';
import type { SubscriberStore } from '../subscriptions/model.js';
import {
  countryCodePattern,
  currentTaxonomy,
  maxTopicSlugLength,
  putTaxonomyInForce,
  Taxonomy,
  topicSlugPattern,
  type Country,
  type Localised,
  type TaxonomyData,
  type TaxonomyKind,
  type Topic,
} from './taxonomy.js';

/** An entry as the store and the editor API carry it: its key is `code` (countries) or `slug` (topics). */
export type TaxonomyEntry = Country | Topic;
export const keyOf = (entry: TaxonomyEntry): string => ('code' in entry ? entry.code : entry.slug);

export interface TaxonomyStore {
  /** Present entries in their order, and removed ones. */
  load(): Promise<TaxonomyData>;
  /** Writes `entry` unless its key is present; a removed key may be used again. Returns whether it was written. */
  create(kind: TaxonomyKind, entry: TaxonomyEntry, position: number): Promise<boolean>;
  /** Writes `entry` only when its key is present. Returns whether it was written. */
  update(kind: TaxonomyKind, entry: TaxonomyEntry): Promise<boolean>;
  /** Marks the entry removed; its feeds then answer 410, or 301 to `mergedInto`. */
  remove(kind: TaxonomyKind, key: string, mergedInto?: string): Promise<void>;
  /** Writes each default entry whose key was never stored (present or removed): never an editor's change. */
  seed(defaults: TaxonomyData): Promise<number>;
}

/** The one port through which the taxonomy is read. */
export interface TaxonomyReader {
  /** The taxonomy, re-read when the copy held is older than the cache's time to live; each fresh one is put in force.
   *  When the store cannot be read, the snapshot in force is kept (the default before a first read) until the next
   *  try, a time to live later: a store outage does not take every page and feed down with it. */
  current(): Promise<Taxonomy>;
  /** Re-reads now: a process sees its own change at once. */
  reload(): Promise<Taxonomy>;
}

export function createTaxonomyReader(deps: {
  store: TaxonomyStore;
  clock: Clock;
  ttlMs: number;
  defaults: Taxonomy;
  /** Told when a read failed and the snapshot in force was kept. */
  onStale?: (error: unknown) => void;
}): TaxonomyReader {
  let held: { taxonomy: Taxonomy; at: number } | undefined;
  let loading: Promise<Taxonomy> | undefined;
  let seeded = false;
  const load = async () => {
    // Seeded on this process's first read: a table that lacks a default entry (a new one) gets it, once.
    if (!seeded) {
      await deps.store.seed(deps.defaults);
      seeded = true;
    }
    const taxonomy = new Taxonomy(await deps.store.load());
    held = { taxonomy, at: deps.clock.now().getTime() };
    putTaxonomyInForce(taxonomy);
    return taxonomy;
  };
  const reload = () => (loading ??= load().finally(() => (loading = undefined)));
  return {
    async current() {
      if (held && deps.clock.now().getTime() - held.at < deps.ttlMs) return held.taxonomy;
      try {
        return await reload();
      } catch (error) {
        deps.onStale?.(error);
        held = { taxonomy: currentTaxonomy(), at: deps.clock.now().getTime() };
        return held.taxonomy;
      }
    },
    reload,
  };
}

export interface EntryInput {
  names: Localised<string>;
  keywords: Localised<string[]>;
}

export interface EntryCounts {
  items: number;
  subscribers: number;
}

export interface TaxonomyServiceDeps {
  store: TaxonomyStore;
  reader: TaxonomyReader;
  items: Pick<ItemReader, 'listScope'> & Pick<IngestStore, 'save' | 'touchScopes'> & { countScope(scope: string): Promise<number> };
  subscribers: Pick<SubscriberStore, 'listPage' | 'save'>;
  clock: Clock;
  /** Hands the reclassification of every item to the background (a queue or an async invoke in AWS). */
  reclassifyLater(): Promise<void>;
  /** Called with the feed scopes whose contents a merge changed. */
  scopesChanged(scopes: string[]): Promise<void>;
}

const scopeOf = (kind: TaxonomyKind, key: string) => scopeId(kind === 'country' ? { kind: 'country', country: key } : { kind: 'topic', topic: key });
const label = (kind: TaxonomyKind) => (kind === 'country' ? 'country' : 'topic');

/** Trimmed names and keywords; keywords lower-cased and without duplicates. */
function cleanInput(input: EntryInput): EntryInput {
  const names = { en: input.names.en.trim(), es: input.names.es.trim() };
  if (!names.en || !names.es) throw invalid('taxonomy.nameRequired', 'An entry needs a name in English and in Spanish.');
  const words = (list: string[]) => [...new Set(list.map((k) => k.trim().toLowerCase()).filter(Boolean))];
  return { names, keywords: { en: words(input.keywords.en), es: words(input.keywords.es) } };
}

export function checkKey(kind: TaxonomyKind, key: string): void {
  if (kind === 'country' && !countryCodePattern.test(key)) {
    throw invalid('taxonomy.badCode', `"${key}" is not a country code: use the ISO 3166-1 alpha-2 code in lower case, e.g. "ec".`);
  }
  if (kind === 'topic' && (!topicSlugPattern.test(key) || key.length > maxTopicSlugLength)) {
    throw invalid('taxonomy.badSlug', `"${key}" is not a slug: use lower-case letters and digits joined by single hyphens, e.g. "public-health".`);
  }
}

const entryOf = (kind: TaxonomyKind, key: string, input: EntryInput): TaxonomyEntry =>
  kind === 'country' ? { code: key, ...input } : { slug: key, ...input };

const replaceTag = (tags: readonly string[], from: string, to: string) => [...new Set(tags.map((t) => (t === from ? to : t)))].sort();

export function createTaxonomyService(deps: TaxonomyServiceDeps) {
  const entries = (taxonomy: Taxonomy, kind: TaxonomyKind): readonly TaxonomyEntry[] => (kind === 'country' ? taxonomy.countries : taxonomy.topics);
  const find = (taxonomy: Taxonomy, kind: TaxonomyKind, key: string) => entries(taxonomy, kind).find((e) => keyOf(e) === key);

  /** Subscribers (any status) who chose each country and topic. */
  async function subscriberCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    let cursor: string | undefined;
    do {
      const page = await deps.subscribers.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
      for (const s of page.subscribers) {
        for (const c of s.countries) counts.set(`country:${c}`, (counts.get(`country:${c}`) ?? 0) + 1);
        for (const t of s.topics) counts.set(`topic:${t}`, (counts.get(`topic:${t}`) ?? 0) + 1);
      }
      cursor = page.cursor;
    } while (cursor);
    return counts;
  }

  async function usage(kind: TaxonomyKind, key: string): Promise<EntryCounts> {
    const [items, subscribers] = await Promise.all([deps.items.countScope(scopeOf(kind, key)), subscriberCounts()]);
    return { items, subscribers: subscribers.get(`${kind}:${key}`) ?? 0 };
  }

  /** Moves every item tagged `from` to `to`, an editor's override staying an override. */
  async function moveItems(kind: TaxonomyKind, from: string, to: string): Promise<void> {
    const now = deps.clock.now().toISOString();
    const changed = new Set<string>();
    for (;;) {
      // Always the first page: moved items leave the scope, so what is left is what remains to move.
      const page = await deps.items.listScope(scopeOf(kind, from), { limit: 100 });
      if (page.items.length === 0) break;
      let moved = 0;
      for (const item of page.items) {
        const next: Item =
          kind === 'country'
            ? { ...item, countries: replaceTag(item.countries, from, to), updatedAt: now, version: item.version + 1 }
            : { ...item, topics: replaceTag(item.topics, from, to), updatedAt: now, version: item.version + 1 };
        if (!(await deps.items.save(next, item))) continue; // written meanwhile: the next page reads it again
        moved++;
        for (const scope of [...scopesOf(item), ...scopesOf(next)]) changed.add(scope);
      }
      if (moved === 0) break; // every one written meanwhile: reclassification settles them
    }
    const scopes = [...changed].sort();
    if (scopes.length) {
      await deps.items.touchScopes(scopes, now);
      await deps.scopesChanged(scopes);
    }
  }

  async function moveSubscribers(kind: TaxonomyKind, from: string, to: string): Promise<void> {
    const now = deps.clock.now().toISOString();
    let cursor: string | undefined;
    do {
      const page = await deps.subscribers.listPage({ limit: 100, ...(cursor ? { cursor } : {}) });
      for (const s of page.subscribers) {
        const list = kind === 'country' ? s.countries : s.topics;
        if (!list.includes(from)) continue;
        const moved = replaceTag(list, from, to);
        const next = { ...s, ...(kind === 'country' ? { countries: moved } : { topics: moved }), updatedAt: now, version: s.version + 1 };
        if (!(await deps.subscribers.save(next))) throw conflict('taxonomy.busy', 'A subscriber changed during the merge; run the merge again to finish it.');
      }
      cursor = page.cursor;
    } while (cursor);
  }

  return {
    /** Every entry with its names, keywords and how many items and subscribers use it (GET /api/taxonomy/full). */
    async full() {
      const taxonomy = await deps.reader.current();
      const subscribers = await subscriberCounts();
      const withCounts = async <E extends TaxonomyEntry>(kind: TaxonomyKind, entry: E) => ({
        ...entry,
        items: await deps.items.countScope(scopeOf(kind, keyOf(entry))),
        subscribers: subscribers.get(`${kind}:${keyOf(entry)}`) ?? 0,
      });
      return {
        countries: await Promise.all(taxonomy.countries.map((c) => withCounts('country', c))),
        topics: await Promise.all(taxonomy.topics.map((t) => withCounts('topic', t))),
      };
    },

    async create(kind: TaxonomyKind, key: string, input: EntryInput): Promise<TaxonomyEntry> {
      checkKey(kind, key);
      const entry = entryOf(kind, key, cleanInput(input));
      const taxonomy = await deps.reader.reload();
      if (!(await deps.store.create(kind, entry, entries(taxonomy, kind).length))) {
        throw conflict('taxonomy.exists', `The ${label(kind)} "${key}" already exists; change it with PUT instead.`);
      }
      await deps.reader.reload();
      await deps.reclassifyLater();
      return entry;
    },

    /** Names and keywords; the key (and so every feed address) stays. */
    async update(kind: TaxonomyKind, key: string, input: EntryInput): Promise<TaxonomyEntry> {
      const entry = entryOf(kind, key, cleanInput(input));
      if (!(await deps.store.update(kind, entry))) throw notFound('taxonomy.notFound', `No ${label(kind)} "${key}"; list them with GET /api/taxonomy/full.`);
      await deps.reader.reload();
      await deps.reclassifyLater();
      return entry;
    },

    /** Removes an entry. One in use needs `mergeInto`: its subscribers' choices and its items' tags move there (and its
     *  names and keywords join that entry's, so reclassification keeps them there). */
    async remove(kind: TaxonomyKind, key: string, mergeInto?: string): Promise<{ removed: string; mergedInto?: string }> {
      const taxonomy = await deps.reader.reload();
      const entry = find(taxonomy, kind, key);
      if (!entry) throw notFound('taxonomy.notFound', `No ${label(kind)} "${key}"; list them with GET /api/taxonomy/full.`);
      if (mergeInto === undefined) {
        const counts = await usage(kind, key);
        if (counts.items > 0 || counts.subscribers > 0) {
          throw new DomainError(
            'conflict',
            'taxonomy.inUse',
            `The ${label(kind)} "${key}" is used by ${counts.items} items and ${counts.subscribers} subscribers; pass ?mergeInto=<another> to move them there.`,
            { details: counts },
          );
        }
        await deps.store.remove(kind, key);
        await deps.reader.reload();
        return { removed: key };
      }
      const target = find(taxonomy, kind, mergeInto);
      if (!target || mergeInto === key) {
        throw invalid('taxonomy.badMerge', `Merge into another existing ${label(kind)}; "${mergeInto}" is not one.`);
      }
      const words = (lang: 'en' | 'es') => [...new Set([...target.keywords[lang], entry.names[lang].toLowerCase(), ...entry.keywords[lang]])];
      await deps.store.update(kind, { ...target, keywords: { en: words('en'), es: words('es') } });
      await moveSubscribers(kind, key, mergeInto);
      await moveItems(kind, key, mergeInto);
      await deps.store.remove(kind, key, mergeInto);
      await deps.reader.reload();
      await deps.reclassifyLater();
      return { removed: key, mergedInto: mergeInto };
    },

    /** Which of the `recent` newest items would gain or lose the entry if its keywords were `keywords` (nothing is
     *  saved). Items whose tags an editor set are left out: reclassification keeps them. */
    async preview(kind: TaxonomyKind, key: string, input: EntryInput, recent = 200) {
      const current = await deps.reader.current();
      const proposed = entryOf(kind, key, cleanInput(input));
      const data: TaxonomyData = {
        countries: kind === 'country' ? [...current.countries.filter((c) => c.code !== key), proposed as Country] : current.countries,
        topics: kind === 'topic' ? (find(current, kind, key) ? current.topics.map((t) => (t.slug === key ? (proposed as Topic) : t)) : [...current.topics, proposed as Topic]) : current.topics,
      };
      const next = new Taxonomy(data);
      const page = await deps.items.listScope('all', { limit: recent });
      const added: Array<{ id: string; title: string }> = [];
      const dropped: Array<{ id: string; title: string }> = [];
      for (const item of page.items) {
        if ((kind === 'country' ? item.tagProvenance.countries : item.tagProvenance.topics) === 'editor') continue;
        const input = { title: item.title, text: sanitizedHtmlToText(item.contentHtml) || item.summary, categories: item.sourceCategories ?? [] };
        const tagged = (t: Taxonomy) => {
          const c = classify(input, t);
          return kind === 'country' ? c.countries.includes(key) && !c.blocWide : c.topics.includes(key);
        };
        const before = tagged(current);
        const after = tagged(next);
        if (after && !before) added.push({ id: item.id, title: item.title });
        if (before && !after) dropped.push({ id: item.id, title: item.title });
      }
      return { scanned: page.items.length, added, dropped };
    },
  };
}

export type TaxonomyService = ReturnType<typeof createTaxonomyService>;
