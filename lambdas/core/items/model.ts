// News items: the shape we store, and the scopes (feeds) an item belongs to.
import type { CountryCode, TopicSlug } from '../taxonomy/taxonomy.js';

/** Where a tag came from: the source's own category, one of our keyword rules, or an editor's override. */
export type TagProvenance = 'source' | 'rule' | 'editor' | 'default';

export interface Enclosure {
  url: string;
  type?: string;
  length?: number;
}

/** The image an item is shown with (pages, emails): an absolute http(s) URL, with its size and text alternative
 *  when the source gives them. */
export interface ItemImage {
  url: string;
  width?: number;
  height?: number;
  alt?: string;
}

export interface Item {
  id: string;
  sourceId: string;
  sourceGuid: string;
  /** Canonical, absolute link to the item on the publisher's site. */
  link: string;
  title: string;
  /** ISO 8601 UTC. */
  publishedAt: string;
  /** ISO 8601 UTC: changes whenever the item's content or tags change. */
  updatedAt: string;
  /** Plain text, derived from the content when the source gives none. */
  summary: string;
  /** Sanitised HTML. */
  contentHtml: string;
  author?: string;
  language?: string;
  enclosures: Enclosure[];
  image?: ItemImage;
  countries: CountryCode[];
  topics: TopicSlug[];
  /** True when the item concerns the bloc as a whole (all four members, or none named). Such an item carries all
   *  four country codes, so it sits in every country's feed and matches every country preference. */
  blocWide: boolean;
  tagProvenance: { countries: TagProvenance; topics: TagProvenance };
  /** Source categories as given, kept for audit and for re-classification. */
  sourceCategories: string[];
  /** Bumped on every change; guards conditional writes. */
  version: number;
  /** Hash of the entry as its source last gave it. An unchanged re-poll compares this and writes nothing; an editor's
   *  correction leaves it as it was, so the correction lasts until the source itself changes the entry. */
  sourceHash: string;
  ingestedAt: string;
}

/** An entry as a source gives it, after parsing and before classification and sanitising. */
export interface IncomingEntry {
  guid: string;
  link?: string;
  title: string;
  publishedAt?: string;
  updatedAt?: string;
  summary?: string;
  /** Raw HTML from the source; sanitised before it is stored. */
  contentHtml?: string;
  author?: string;
  language?: string;
  categories: string[];
  enclosures: Enclosure[];
  image?: ItemImage;
}

/** A feed scope: every item is in `all`; tagged items are also in their countries, topics and country×topic pairs. */
export type FeedScope =
  | { kind: 'all' }
  | { kind: 'country'; country: CountryCode }
  | { kind: 'topic'; topic: TopicSlug }
  | { kind: 'countryTopic'; country: CountryCode; topic: TopicSlug };

export function scopeId(scope: FeedScope): string {
  switch (scope.kind) {
    case 'all':
      return 'all';
    case 'country':
      return `countries/${scope.country}`;
    case 'topic':
      return `topics/${scope.topic}`;
    case 'countryTopic':
      return `countries/${scope.country}/topics/${scope.topic}`;
  }
}

/** The scopes (feeds) an item is listed in. */
export function scopesOf(item: Pick<Item, 'countries' | 'topics'>): string[] {
  const scopes: FeedScope[] = [{ kind: 'all' }];
  for (const country of item.countries) scopes.push({ kind: 'country', country });
  for (const topic of item.topics) scopes.push({ kind: 'topic', topic });
  for (const country of item.countries) for (const topic of item.topics) scopes.push({ kind: 'countryTopic', country, topic });
  return scopes.map(scopeId);
}

/** Public shape of an item in GET /api/items (a contract). */
export function itemSummaryView(item: Item) {
  return {
    id: item.id,
    title: item.title,
    link: item.link,
    publishedAt: item.publishedAt,
    updatedAt: item.updatedAt,
    summary: item.summary,
    countries: item.countries,
    topics: item.topics,
  };
}
