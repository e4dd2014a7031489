// Feed scopes as URLs: the public route contract (/feeds/all.rss, /feeds/countries/cl.atom,
// /feeds/topics/trade-investment.json, /feeds/countries/cl/topics/trade-investment.rss), their titles, and the list
// of every feed the service offers. Pure: no I/O, no clock.
import { DomainError, notFound } from '../shared/errors.js';
import { scopeId, type FeedScope } from '../items/model.js';
import { currentTaxonomy, type TaxonomyKind } from '../taxonomy/taxonomy.js';

export const feedFormats = ['rss', 'atom', 'json'] as const;
export type FeedFormat = (typeof feedFormats)[number];
export const isFeedFormat = (value: string): value is FeedFormat => (feedFormats as readonly string[]).includes(value);

export const feedContentTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};
/** Media types without parameters, as `<link rel="alternate" type>` wants them. */
export const feedMediaTypes: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};
export const feedFormatNames: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

/** The name the feeds carry as their title prefix and author. */
export const siteName = 'Pacific Alliance News';

/** Every feed scope the service serves, in a stable order: all, countries, topics, country×topic pairs. */
export function allScopes(): FeedScope[] {
  const { countryCodes, topicSlugs } = currentTaxonomy();
  const scopes: FeedScope[] = [{ kind: 'all' }];
  for (const country of countryCodes) scopes.push({ kind: 'country', country });
  for (const topic of topicSlugs) scopes.push({ kind: 'topic', topic });
  for (const country of countryCodes) for (const topic of topicSlugs) scopes.push({ kind: 'countryTopic', country, topic });
  return scopes;
}

/** Parses a scope id ('all', 'countries/cl', 'topics/x', 'countries/cl/topics/x') back to a scope; undefined when
 *  it names no feed. */
export function parseScopeId(id: string): FeedScope | undefined {
  const { isCountryCode, isTopicSlug } = currentTaxonomy();
  if (id === 'all') return { kind: 'all' };
  const parts = id.split('/');
  if (parts.length === 2 && parts[0] === 'countries' && isCountryCode(parts[1]!)) return { kind: 'country', country: parts[1] };
  if (parts.length === 2 && parts[0] === 'topics' && isTopicSlug(parts[1]!)) return { kind: 'topic', topic: parts[1] };
  if (parts.length === 4 && parts[0] === 'countries' && parts[2] === 'topics' && isCountryCode(parts[1]!) && isTopicSlug(parts[3]!)) {
    return { kind: 'countryTopic', country: parts[1], topic: parts[3] };
  }
  return undefined;
}

const validCountries = () => currentTaxonomy().countryCodes.join(', ');
const validTopics = () => currentTaxonomy().topicSlugs.join(', ');

/** A feed of a removed country or topic: 410 Gone, or 301 to the feed of the entry it was merged into. */
function removedScope(kind: TaxonomyKind, key: string, movedPath: (mergedInto: string) => string): DomainError | undefined {
  const removed = currentTaxonomy().removedEntry(kind, key);
  if (!removed) return undefined;
  const name = kind === 'country' ? 'country' : 'topic';
  if (removed.mergedInto) {
    return new DomainError('moved', `feeds.${name}Merged`, `The ${name} "${key}" was merged into "${removed.mergedInto}".`, {
      details: { location: `/feeds/${movedPath(removed.mergedInto)}` },
    });
  }
  return new DomainError('gone', `feeds.${name}Removed`, `The ${name} "${key}" was removed from the taxonomy; its feeds are gone for good.`);
}
const validFormats = () => feedFormats.map((f) => `.${f}`).join(', ');

/**
 * Parses the part of a feed URL after `/feeds/` (e.g. `countries/cl/topics/trade-investment.rss`). Throws a
 * `notFound` DomainError whose message names the valid values when the country, topic, extension or shape is wrong.
 */
export function parseFeedPath(path: string): { scope: FeedScope; format: FeedFormat } {
  const dot = path.lastIndexOf('.');
  const slash = path.lastIndexOf('/');
  if (dot <= slash) {
    throw notFound('feeds.unknownFormat', `No feed at /feeds/${path}: a feed URL ends in ${validFormats()}.`);
  }
  const ext = path.slice(dot + 1);
  const stem = path.slice(0, dot);
  if (!isFeedFormat(ext)) {
    throw notFound('feeds.unknownFormat', `Unknown feed format ".${ext}"; use one of ${validFormats()}.`);
  }
  const parts = stem.split('/');
  if (parts.length === 1 && parts[0] === 'all') return { scope: { kind: 'all' }, format: ext };
  const { isCountryCode, isTopicSlug } = currentTaxonomy();
  // A removed entry in any position moves or ends the whole feed (its pair feeds follow the merge too).
  const moved = (index: number) => (into: string) => [...parts.slice(0, index), into, ...parts.slice(index + 1)].join('/') + `.${ext}`;
  const country = (code: string) => {
    const removed = isCountryCode(code) ? undefined : removedScope('country', code, moved(1));
    if (removed) throw removed;
    if (!isCountryCode(code)) throw notFound('feeds.unknownCountry', `Unknown country "${code}"; valid countries: ${validCountries()}.`);
    return code;
  };
  const topic = (slug: string) => {
    const removed = isTopicSlug(slug) ? undefined : removedScope('topic', slug, moved(parts.length - 1));
    if (removed) throw removed;
    if (!isTopicSlug(slug)) throw notFound('feeds.unknownTopic', `Unknown topic "${slug}"; valid topics: ${validTopics()}.`);
    return slug;
  };
  if (parts.length === 2 && parts[0] === 'countries') return { scope: { kind: 'country', country: country(parts[1]!) }, format: ext };
  if (parts.length === 2 && parts[0] === 'topics') return { scope: { kind: 'topic', topic: topic(parts[1]!) }, format: ext };
  if (parts.length === 4 && parts[0] === 'countries' && parts[2] === 'topics') {
    return { scope: { kind: 'countryTopic', country: country(parts[1]!), topic: topic(parts[3]!) }, format: ext };
  }
  throw notFound(
    'feeds.unknownFeed',
    `No feed at /feeds/${path}. Feeds are /feeds/all.{ext}, /feeds/countries/{country}.{ext}, /feeds/topics/{topic}.{ext} ` +
      `and /feeds/countries/{country}/topics/{topic}.{ext}; ext: rss, atom, json; countries: ${validCountries()}.`,
  );
}

/** Trims a trailing slash so `${base}/feeds` never doubles it. */
export const normaliseBase = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

/** Path of a feed (`/feeds/countries/cl.rss`), optionally of an older page (`?page=<cursor>`). */
export function feedPath(scope: FeedScope, format: FeedFormat, page?: string): string {
  return `/feeds/${scopeId(scope)}.${format}${page === undefined ? '' : `?page=${encodeURIComponent(page)}`}`;
}

/** Absolute URL of a feed on the public base URL. */
export function feedUrl(baseUrl: string, scope: FeedScope, format: FeedFormat, page?: string): string {
  return `${normaliseBase(baseUrl)}${feedPath(scope, format, page)}`;
}

/** Human title of a scope, e.g. "Chile", "Trade and investment promotion", "Chile: Trade and investment promotion". */
export function scopeLabel(scope: FeedScope): string {
  const { countryName, topicName } = currentTaxonomy();
  switch (scope.kind) {
    case 'all':
      return 'All news';
    case 'country':
      return countryName(scope.country);
    case 'topic':
      return topicName(scope.topic);
    case 'countryTopic':
      return `${countryName(scope.country)}: ${topicName(scope.topic)}`;
  }
}

export function scopeTitle(scope: FeedScope): string {
  return scope.kind === 'all' ? siteName : `${siteName}: ${scopeLabel(scope)}`;
}

export function scopeDescription(scope: FeedScope): string {
  const { countries, countryName, topicName } = currentTaxonomy();
  switch (scope.kind) {
    case 'all':
      return `News of the Pacific Alliance (${countries.map((c) => c.names.en).join(', ')}): every item, newest first.`;
    case 'country':
      return `News of the Pacific Alliance concerning ${countryName(scope.country)}, including bloc-wide news, newest first.`;
    case 'topic':
      return `News of the Pacific Alliance on ${topicName(scope.topic).toLowerCase()}, newest first.`;
    case 'countryTopic':
      return `News of the Pacific Alliance concerning ${countryName(scope.country)} on ${topicName(scope.topic).toLowerCase()}, newest first.`;
  }
}

/** Taxonomy scheme URIs used as RSS category `domain`, Atom category `scheme`. */
export function taxonomySchemes(baseUrl: string) {
  const base = normaliseBase(baseUrl);
  return { countries: `${base}/api/taxonomy#countries`, topics: `${base}/api/taxonomy#topics` };
}

