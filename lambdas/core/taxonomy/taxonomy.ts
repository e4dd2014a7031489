// The taxonomy items are classified by: member countries by lower-case ISO 3166-1 alpha-2 code, topics by slug, each
// with names and keywords in English and Spanish (the bloc's news arrives in both). It is data that editors shape
// (stored, seeded from default-taxonomy.json); a Taxonomy is one immutable snapshot of it.
//
// Every process holds the snapshot in force. Only the taxonomy port (service.ts: createTaxonomyReader) replaces it,
// each time it loads a fresher one; every entry point (an HTTP request, an ingest run, a planner run, a
// reclassification) awaits that port first, so the synchronous readers below (renderers, views, classification) see
// what the port last loaded. The default is in force until then, which is what pure unit tests use.
import type { Language } from '../shared/language.js';
import defaults from './default-taxonomy.json' with { type: 'json' };

export type CountryCode = string;
export type TopicSlug = string;

export interface Localised<T> {
  en: T;
  es: T;
}

interface EntryText {
  names: Localised<string>;
  /** Words that name the entry, matched as whole words, case- and accent-insensitive (names are matched too). */
  keywords: Localised<string[]>;
}

export interface Country extends EntryText {
  code: CountryCode;
}

export interface Topic extends EntryText {
  slug: TopicSlug;
}

export type TaxonomyKind = 'country' | 'topic';

/** A removed entry: its feeds answer 410 Gone, or 301 to the entry it was merged into. */
export interface RemovedEntry {
  kind: TaxonomyKind;
  key: string;
  mergedInto?: string;
}

export interface TaxonomyData {
  countries: readonly Country[];
  topics: readonly Topic[];
  removed?: readonly RemovedEntry[];
}

/** Country codes: ISO 3166-1 alpha-2, lower case. Topic slugs: lower-case letters and digits in words joined by
 *  single hyphens. */
export const countryCodePattern = /^[a-z]{2}$/;
export const topicSlugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const maxTopicSlugLength = 60;

export class Taxonomy {
  readonly countries: readonly Country[];
  readonly topics: readonly Topic[];
  readonly removed: readonly RemovedEntry[];
  readonly countryCodes: readonly CountryCode[];
  readonly topicSlugs: readonly TopicSlug[];
  readonly #countries: Map<string, Country>;
  readonly #topics: Map<string, Topic>;

  constructor(data: TaxonomyData) {
    this.countries = [...data.countries].sort((a, b) => a.code.localeCompare(b.code));
    this.topics = data.topics;
    this.removed = data.removed ?? [];
    this.countryCodes = this.countries.map((c) => c.code);
    this.topicSlugs = this.topics.map((t) => t.slug);
    this.#countries = new Map(this.countries.map((c) => [c.code, c]));
    this.#topics = new Map(this.topics.map((t) => [t.slug, t]));
  }

  isCountryCode = (value: string): value is CountryCode => this.#countries.has(value);
  isTopicSlug = (value: string): value is TopicSlug => this.#topics.has(value);
  country = (code: string): Country | undefined => this.#countries.get(code);
  topic = (slug: string): Topic | undefined => this.#topics.get(slug);
  /** The entry's name in a language; the code or slug itself for one no longer in the taxonomy. */
  countryName = (code: string, language: Language = 'en'): string => this.#countries.get(code)?.names[language] ?? code.toUpperCase();
  topicName = (slug: string, language: Language = 'en'): string => this.#topics.get(slug)?.names[language] ?? slug;
  removedEntry = (kind: TaxonomyKind, key: string): RemovedEntry | undefined => this.removed.find((r) => r.kind === kind && r.key === key);

  /** Public shape of GET /api/taxonomy (a contract). */
  view(language: Language = 'en') {
    return {
      countries: this.countries.map((c) => ({ code: c.code, name: c.names[language] })),
      topics: this.topics.map((t) => ({ slug: t.slug, name: t.names[language] })),
    };
  }
}

/** Today's four member countries and ten topics: what a new table is seeded with. */
export const defaultTaxonomy = new Taxonomy(defaults as TaxonomyData);

let inForce: Taxonomy = defaultTaxonomy;

/** The snapshot in force in this process (see the note at the top). */
export const currentTaxonomy = (): Taxonomy => inForce;

/** Called by the taxonomy port only. */
export function putTaxonomyInForce(taxonomy: Taxonomy): void {
  inForce = taxonomy;
}

export const isCountryCode = (value: string): value is CountryCode => inForce.isCountryCode(value);
export const isTopicSlug = (value: string): value is TopicSlug => inForce.isTopicSlug(value);
export const countryName = (code: CountryCode, language: Language = 'en') => inForce.countryName(code, language);
export const topicName = (slug: TopicSlug, language: Language = 'en') => inForce.topicName(slug, language);
export const taxonomyView = (language: Language = 'en') => inForce.view(language);
