// Counter names of an edition's aggregates, and how clicks, opens and sends turn into increments. Every name is one
// attribute of a counter shard; each family is bounded (items of the edition, four countries, the topics, the hours of
// the counting window), so a shard stays small and fixed in size.
import type { Segment } from './click-token.js';
import type { Increments } from './ports.js';

/** Clicks and opens count for this long after the send; the unique hashes and their salt expire with it. */
export const countingWindowMs = 30 * 24 * 3600_000;

/** "All" bucket: a preference left empty (every country, every topic). */
export const allBucket = 'all';

export const counter = {
  clicks: 'clicks',
  unique: 'unique',
  filtered: 'filtered',
  opens: 'opens',
  uniqueOpens: 'uopens',
  delivered: 'delivered',
  unsubscribed: 'unsub',
  item: (ref: string) => `i:${ref}`,
  itemUnique: (ref: string) => `iu:${ref}`,
  language: (language: string) => `l:${language}`,
  country: (code: string) => `c:${code}`,
  topic: (slug: string) => `t:${slug}`,
  /** Unique clickers of a country × topic cell (the heat map's numerator). */
  cell: (code: string, slug: string) => `ct:${code}:${slug}`,
  /** Recipients sent to, per segment (the denominators). */
  sentLanguage: (language: string) => `sl:${language}`,
  sentCountry: (code: string) => `sc:${code}`,
  sentTopic: (slug: string) => `st:${slug}`,
  sentCell: (code: string, slug: string) => `sct:${code}:${slug}`,
  /** Clicks in the n-th hour after the send. */
  hour: (n: number) => `h:${n}`,
} as const;

const orAll = (values: readonly string[]) => (values.length ? values : [allBucket]);

export function add(into: Increments, name: string, by = 1): Increments {
  into[name] = (into[name] ?? 0) + by;
  return into;
}

/** A reader's click: total counters, and the unique ones when it is this message's first (for the edition or item). */
export function clickIncrements(into: Increments, click: { itemRef: string; segment: Segment; hour: number; firstForEdition: boolean; firstForItem: boolean }): Increments {
  const { segment } = click;
  add(into, counter.clicks);
  add(into, counter.item(click.itemRef));
  add(into, counter.language(segment.language));
  for (const c of orAll(segment.countries)) add(into, counter.country(c));
  for (const t of orAll(segment.topics)) add(into, counter.topic(t));
  add(into, counter.hour(click.hour));
  if (click.firstForItem) add(into, counter.itemUnique(click.itemRef));
  if (click.firstForEdition) {
    add(into, counter.unique);
    for (const c of orAll(segment.countries)) for (const t of orAll(segment.topics)) add(into, counter.cell(c, t));
  }
  return into;
}

export function sentIncrements(into: Increments, segment: Segment): Increments {
  add(into, counter.sentLanguage(segment.language));
  for (const c of orAll(segment.countries)) add(into, counter.sentCountry(c));
  for (const t of orAll(segment.topics)) add(into, counter.sentTopic(t));
  for (const c of orAll(segment.countries)) for (const t of orAll(segment.topics)) add(into, counter.sentCell(c, t));
  return into;
}

/** Counters under a prefix, e.g. every `c:<code>`, as [suffix, amount] pairs. */
export const family = (counters: Increments, prefix: string): Array<[string, number]> =>
  Object.entries(counters)
    .filter(([name]) => name.startsWith(prefix))
    .map(([name, n]) => [name.slice(prefix.length), n]);
