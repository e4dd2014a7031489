// Reclassification of stored items after the taxonomy changed: every item is classified again from what its source
// gave (title, content, categories, the source's defaults) under the taxonomy in force. An editor's override of a
// dimension (countries or topics) is kept as it is. Safe to run again: an item already right is not written.
import type { Clock } from '../shared/ports.js';
import { scopesOf, type Item } from '../items/model.js';
import type { ItemReader } from '../items/ports.js';
import type { Taxonomy } from '../taxonomy/taxonomy.js';
import { classify } from './classify.js';
import type { IngestStore } from './ingest.js';
import { sanitizedHtmlToText } from './sanitize.js';
import type { SourceStore } from './sources.js';

export interface ReclassifyDeps {
  items: Pick<ItemReader, 'listScope'> & Pick<IngestStore, 'getMany' | 'save' | 'touchScopes'>;
  sources: Pick<SourceStore, 'get'>;
  clock: Clock;
}

export interface ReclassifyReport {
  scanned: number;
  changed: number;
  changedScopes: string[];
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The item's tags under `taxonomy`, or undefined when they would not change. */
export function reclassified(item: Item, taxonomy: Taxonomy, defaults: { countries?: string[]; topics?: string[] }, now: string): Item | undefined {
  const c = classify(
    { title: item.title, text: sanitizedHtmlToText(item.contentHtml) || item.summary, categories: item.sourceCategories ?? [], defaultCountries: defaults.countries, defaultTopics: defaults.topics },
    taxonomy,
  );
  const keepCountries = item.tagProvenance.countries === 'editor';
  const keepTopics = item.tagProvenance.topics === 'editor';
  // An override keeps its codes, but "bloc-wide" always means every member of the taxonomy in force.
  const countries = keepCountries ? (item.blocWide ? [...taxonomy.countryCodes] : item.countries) : c.countries;
  const topics = keepTopics ? item.topics : c.topics;
  const blocWide = keepCountries ? item.blocWide : c.blocWide;
  if (same(countries, item.countries) && same(topics, item.topics) && blocWide === item.blocWide) return undefined;
  return {
    ...item,
    countries,
    topics,
    blocWide,
    tagProvenance: { countries: keepCountries ? 'editor' : c.provenance.countries, topics: keepTopics ? 'editor' : c.provenance.topics },
    updatedAt: now,
    version: item.version + 1,
  };
}

/** Pages through every item (newest first) and writes those whose tags change. A concurrent write wins: that writer
 *  classified the item under the same taxonomy. */
export async function reclassifyItems(deps: ReclassifyDeps, taxonomy: Taxonomy): Promise<ReclassifyReport> {
  const now = deps.clock.now().toISOString();
  const defaults = new Map<string, { countries?: string[]; topics?: string[] }>();
  const defaultsOf = async (sourceId: string) => {
    if (!defaults.has(sourceId)) {
      const source = await deps.sources.get(sourceId);
      defaults.set(sourceId, { countries: source?.defaultCountries, topics: source?.defaultTopics });
    }
    return defaults.get(sourceId)!;
  };
  const changed = new Set<string>();
  const report: ReclassifyReport = { scanned: 0, changed: 0, changedScopes: [] };
  let cursor: string | undefined;
  do {
    const page = await deps.items.listScope('all', { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const item of page.items) {
      report.scanned++;
      const next = reclassified(item, taxonomy, await defaultsOf(item.sourceId), now);
      if (!next || !(await deps.items.save(next, item))) continue;
      report.changed++;
      for (const scope of [...scopesOf(item), ...scopesOf(next)]) changed.add(scope);
    }
    cursor = page.cursor;
  } while (cursor);
  report.changedScopes = [...changed].sort();
  if (report.changedScopes.length) await deps.items.touchScopes(report.changedScopes, now);
  return report;
}
