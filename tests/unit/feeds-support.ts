// Test support for the feed tests: an in-memory ItemReader (a fake of the core port, not of any AWS client), an item
// builder with fixed dates (the shared one, with the feed tests' values), and checks shared by unit and integration
// tests (independent parsers, not `feed`).
import { DOMParser } from '@xmldom/xmldom';
import { expect } from 'vitest';
import type { Item } from '../../lambdas/core/items/model.js';
import { scopesOf } from '../../lambdas/core/items/model.js';
import type { ItemPage, ItemReader, ScopeHead } from '../../lambdas/core/items/ports.js';
import { anItem } from '../support/editions-fixtures.js';

/** An item as the feed tests expect it: the newsletter builder's item, with the feed tests' source, links and dates. */
export function buildItem(overrides: Partial<Item> & { id: string }): Item {
  const { id } = overrides;
  const at = '2024-03-01T12:00:00.000Z';
  return anItem({
    sourceId: 'src-1',
    sourceGuid: `guid-${id}`,
    link: `https://news.example.org/items/${id}`,
    title: `Item ${id}`,
    publishedAt: at,
    updatedAt: at,
    ingestedAt: at,
    contentHtml: `<p>Body of <strong>${id}</strong>.</p>`,
    sourceHash: 'h',
    ...overrides,
  });
}

/** `count` items, one a day backwards from 2024-03-31, alternating countries and topics. */
export function manyItems(count: number): Item[] {
  const cs = ['cl', 'co', 'mx', 'pe'] as const;
  const ts = ['trade-investment', 'education-skills', 'climate-environment'] as const;
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.UTC(2024, 2, 31, 12, 0, 0) - i * 86_400_000).toISOString();
    return buildItem({
      id: `item-${String(i).padStart(4, '0')}`,
      title: `News number ${i} about ${cs[i % 4]}`,
      publishedAt: at,
      updatedAt: at,
      countries: [cs[i % 4]!],
      topics: [ts[i % 3]!],
      contentHtml: `<p>Paragraph one of item ${i}, with <a href="https://news.example.org/a?x=1&amp;y=2">a link</a>.</p><p>Paragraph two: ${'lorem ipsum '.repeat(40)}</p>`,
    });
  });
}

export class MemoryItemReader implements ItemReader {
  readonly items = new Map<string, Item>();
  readonly heads = new Map<string, ScopeHead>();
  calls = { get: 0, getMany: 0, listScope: 0, getScopeHead: 0 };

  constructor(items: Item[] = [], at = '2024-04-01T00:00:00.000Z') {
    this.put(items, at);
  }

  /** Stores items and touches the head of every scope they are in, as ingest does. */
  put(items: Item[], at: string): void {
    const scopes = new Set<string>();
    for (const item of items) {
      const previous = this.items.get(item.id);
      if (previous) for (const s of scopesOf(previous)) scopes.add(s);
      this.items.set(item.id, item);
      for (const s of scopesOf(item)) scopes.add(s);
    }
    for (const scope of scopes) {
      const head = this.heads.get(scope);
      this.heads.set(scope, { scope, changedAt: at, seq: (head?.seq ?? 0) + 1 });
    }
  }

  async get(id: string) {
    this.calls.get++;
    return this.items.get(id);
  }
  async getMany(ids: readonly string[]) {
    this.calls.getMany++;
    return ids.flatMap((id) => (this.items.has(id) ? [this.items.get(id)!] : []));
  }
  async listScope(scope: string, { limit, cursor }: { limit: number; cursor?: string }): Promise<ItemPage> {
    this.calls.listScope++;
    const key = (i: Item) => `${i.publishedAt}#${i.id}`;
    const all = [...this.items.values()].filter((i) => scopesOf(i).includes(scope)).sort((a, b) => (key(a) < key(b) ? 1 : -1));
    const start = cursor ? all.findIndex((i) => key(i) < Buffer.from(cursor, 'base64url').toString()) : 0;
    const items = start < 0 ? [] : all.slice(start, start + limit);
    const more = start >= 0 && start + limit < all.length;
    return { items, ...(more ? { cursor: Buffer.from(key(items.at(-1)!)).toString('base64url') } : {}) };
  }
  async getScopeHead(scope: string) {
    this.calls.getScopeHead++;
    return this.heads.get(scope);
  }
}

/** Parses XML with @xmldom/xmldom, failing the test on any well-formedness error or warning. */
export function parseXml(xml: string): Document {
  const problems: string[] = [];
  const doc = new DOMParser({
    onError: (level: string, message: string) => {
      problems.push(`${level}: ${message}`);
    },
  }).parseFromString(xml, 'application/xml');
  expect(problems, `XML problems in:\n${xml.slice(0, 400)}`).toEqual([]);
  return doc as unknown as Document;
}

const ATOM = 'http://www.w3.org/2005/Atom';

/** Descendants by namespace (null: no namespace) and local name. */
export const childrenNamed = (el: Element | Document, ns: string | null, local: string): Element[] =>
  Array.from((el as Element).getElementsByTagName('*') as unknown as ArrayLike<Element>).filter(
    (e) => e.localName === local && (e.namespaceURI ?? null) === (ns === null ? null : ns),
  );

export const text = (el: Element | undefined) => (el?.textContent ?? '').trim();

export const rfc822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|[+-]\d{4})$/;
export const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export const isAbsoluteHttp = (value: string) => {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
};

export interface FeedSummary {
  ids: string[];
  links: string[];
  titles: string[];
}

/** Checks an RSS 2.0 document (W3C validator rules that can be checked offline) and returns its items. */
export function checkRss(xml: string): FeedSummary & { doc: Document } {
  const doc = parseXml(xml);
  const rss = doc.documentElement!;
  expect(rss.nodeName).toBe('rss');
  expect(rss.getAttribute('version')).toBe('2.0');
  const channels = childrenNamed(rss, null, 'channel');
  expect(channels).toHaveLength(1);
  const channel = channels[0]!;
  for (const required of ['title', 'link', 'description']) expect(text(childrenNamed(channel, null, required)[0]), required).not.toBe('');
  expect(isAbsoluteHttp(text(childrenNamed(channel, null, 'link')[0]))).toBe(true);
  expect(text(childrenNamed(channel, null, 'lastBuildDate')[0])).toMatch(rfc822);
  const atomLinks = childrenNamed(channel, ATOM, 'link');
  const self = atomLinks.filter((l) => l.getAttribute('rel') === 'self');
  expect(self).toHaveLength(1);
  for (const l of atomLinks) expect(isAbsoluteHttp(l.getAttribute('href') ?? ''), l.getAttribute('href') ?? '').toBe(true);
  const items = childrenNamed(channel, null, 'item');
  const summary: FeedSummary = { ids: [], links: [], titles: [] };
  for (const item of items) {
    const guid = childrenNamed(item, null, 'guid')[0];
    expect(guid, 'every item has a guid').toBeDefined();
    const isPermaLink = guid!.getAttribute('isPermaLink');
    if (isPermaLink !== 'false') expect(isAbsoluteHttp(text(guid))).toBe(true);
    summary.ids.push(text(guid));
    const link = text(childrenNamed(item, null, 'link')[0]);
    expect(isAbsoluteHttp(link), link).toBe(true);
    summary.links.push(link);
    summary.titles.push(text(childrenNamed(item, null, 'title')[0]));
    expect(text(childrenNamed(item, null, 'pubDate')[0])).toMatch(rfc822);
    // RSS <author> must be an email address; names go in dc:creator.
    expect(childrenNamed(item, null, 'author')).toHaveLength(0);
    for (const cat of childrenNamed(item, null, 'category')) expect(isAbsoluteHttp(cat.getAttribute('domain') ?? '')).toBe(true);
    for (const enc of childrenNamed(item, null, 'enclosure')) {
      expect(isAbsoluteHttp(enc.getAttribute('url') ?? '')).toBe(true);
      expect(enc.getAttribute('length')).toMatch(/^\d+$/);
      expect(enc.getAttribute('type')).toMatch(/^[\w.+-]+\/[\w.+-]+/);
    }
    const content = text(childrenNamed(item, 'http://purl.org/rss/1.0/modules/content/', 'encoded')[0]);
    expect(content).not.toMatch(/<\s*script/i);
    expect(content).not.toMatch(/javascript:/i);
  }
  expect(new Set(summary.ids).size, 'guids are unique').toBe(summary.ids.length);
  return { ...summary, doc };
}

/** Checks an Atom 1.0 document (RFC 4287 rules the W3C validator applies) and returns its entries. */
export function checkAtom(xml: string): FeedSummary & { doc: Document } {
  const doc = parseXml(xml);
  const feed = doc.documentElement!;
  expect(feed.localName).toBe('feed');
  expect(feed.namespaceURI).toBe(ATOM);
  expect(feed.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang')).toBe('en');
  const direct = (parent: Element, local: string) =>
    Array.from(parent.childNodes as unknown as ArrayLike<Node>).filter(
      (n): n is Element => n.nodeType === 1 && (n as Element).localName === local && (n as Element).namespaceURI === ATOM,
    );
  for (const required of ['id', 'title', 'updated']) expect(direct(feed, required), required).toHaveLength(1);
  expect(text(direct(feed, 'updated')[0])).toMatch(rfc3339);
  const hasFeedAuthor = direct(feed, 'author').length > 0;
  const feedLinks = direct(feed, 'link');
  expect(feedLinks.filter((l) => l.getAttribute('rel') === 'self')).toHaveLength(1);
  for (const l of feedLinks) expect(isAbsoluteHttp(l.getAttribute('href') ?? '')).toBe(true);
  // Metadata precedes entries (RFC 4287 §4.1.1 order rule checked by the validator).
  const kids = Array.from(feed.childNodes as unknown as ArrayLike<Node>).filter((n): n is Element => n.nodeType === 1);
  const firstEntry = kids.findIndex((k) => k.localName === 'entry');
  if (firstEntry >= 0) expect(kids.slice(firstEntry).every((k) => k.localName === 'entry')).toBe(true);
  const summary: FeedSummary = { ids: [], links: [], titles: [] };
  for (const entry of direct(feed, 'entry')) {
    for (const required of ['id', 'title', 'updated']) expect(direct(entry, required), `entry ${required}`).toHaveLength(1);
    const id = text(direct(entry, 'id')[0]);
    expect(() => new URL(id), `entry id is an IRI: ${id}`).not.toThrow();
    // RFC 4151 tag URI syntax (the validator checks it): tag:DNSname,YYYY[-MM[-DD]]:specific
    if (id.startsWith('tag:')) expect(id).toMatch(/^tag:[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]+$/i);
    summary.ids.push(id);
    expect(text(direct(entry, 'updated')[0])).toMatch(rfc3339);
    for (const p of direct(entry, 'published')) expect(text(p)).toMatch(rfc3339);
    if (!hasFeedAuthor) expect(direct(entry, 'author').length).toBeGreaterThan(0);
    const alternates = direct(entry, 'link').filter((l) => (l.getAttribute('rel') ?? 'alternate') === 'alternate');
    expect(alternates).toHaveLength(1);
    for (const l of direct(entry, 'link')) expect(isAbsoluteHttp(l.getAttribute('href') ?? '')).toBe(true);
    summary.links.push(alternates[0]!.getAttribute('href')!);
    summary.titles.push(text(direct(entry, 'title')[0]));
    for (const cat of direct(entry, 'category')) {
      expect(cat.getAttribute('term')).toBeTruthy();
      expect(isAbsoluteHttp(cat.getAttribute('scheme') ?? '')).toBe(true);
    }
    const content = direct(entry, 'content')[0];
    if (content) {
      expect(content.getAttribute('type')).toBe('html');
      expect(text(content)).not.toMatch(/<\s*script/i);
      expect(text(content)).not.toMatch(/javascript:/i);
    }
  }
  expect(new Set(summary.ids).size, 'entry ids are unique').toBe(summary.ids.length);
  return { ...summary, doc };
}

/** Checks a JSON Feed 1.1 document against the spec's required fields and types. */
export function checkJsonFeed(body: string): FeedSummary & { doc: Record<string, any> } {
  const doc = JSON.parse(body) as Record<string, any>;
  expect(doc.version).toBe('https://jsonfeed.org/version/1.1');
  expect(typeof doc.title).toBe('string');
  expect(isAbsoluteHttp(doc.home_page_url)).toBe(true);
  expect(isAbsoluteHttp(doc.feed_url)).toBe(true);
  expect(doc.language).toBe('en');
  expect(Array.isArray(doc.authors) && doc.authors.length > 0).toBe(true);
  expect(doc.author, 'the 1.0 author field is gone').toBeUndefined();
  if (doc.next_url !== undefined) expect(isAbsoluteHttp(doc.next_url)).toBe(true);
  expect(Array.isArray(doc.items)).toBe(true);
  const summary: FeedSummary = { ids: [], links: [], titles: [] };
  for (const item of doc.items) {
    expect(typeof item.id).toBe('string');
    expect(typeof item.content_html === 'string' || typeof item.content_text === 'string').toBe(true);
    expect(item.date_published).toMatch(rfc3339);
    expect(item.date_modified).toMatch(rfc3339);
    expect(isAbsoluteHttp(item.url)).toBe(true);
    expect(item.content_html).not.toMatch(/<\s*script/i);
    expect(item.content_html).not.toMatch(/javascript:/i);
    if (item.authors) for (const a of item.authors) expect(typeof a.name).toBe('string');
    summary.ids.push(item.id);
    summary.links.push(item.url);
    summary.titles.push(item.title);
  }
  expect(new Set(summary.ids).size).toBe(summary.ids.length);
  return { ...summary, doc };
}
