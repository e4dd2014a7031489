// The one place feeds are written. RSS 2.0 and Atom 1.0 go through the npm `feed` package, extended here with what
// it lacks (Atom xml:lang, RFC 5005 paging and archive links, fh:archive, enclosure types in Atom, dc:creator in
// RSS); JSON Feed 1.1 is written here directly because `feed` only speaks JSON Feed 1.0.
//
// Reproducible: every date comes from the input (the scope head's changedAt and the items' own times), never from a
// clock, so the same input gives byte-identical output.
import { Feed, type Item as LibItem } from 'feed';
import type { Item } from '../items/model.js';
import { scopeId, type FeedScope } from '../items/model.js';
import { countryName, topicName } from '../taxonomy/taxonomy.js';
import {
  feedMediaTypes,
  feedUrl,
  normaliseBase,
  scopeDescription,
  scopeTitle,
  siteName,
  taxonomySchemes,
  type FeedFormat,
} from './scopes.js';
import { escapeHtml } from '../shared/text.js';
import { cdataSafe, escapeXmlAttribute, feedSafeHtml, plainText, safeHttpUrl, xmlSafe } from './text.js';

export interface FeedPage {
  scope: FeedScope;
  /** Public base URL (PUBLIC_BASE_URL): every link in the feed is absolute on it. */
  baseUrl: string;
  /** Items of this page, newest first. */
  items: readonly Item[];
  /** ISO 8601: when the scope last changed (its head record). The feed's updated/lastBuildDate. */
  updated: string;
  /** The cursor this page was read from: set for archive (older) pages, undefined for the subscription document. */
  page?: string;
  /** Cursor of the next older page, when there is one. */
  nextPage?: string;
  /** WebSub hub, when configured. */
  hubUrl?: string;
  /** Feed language (BCP 47). Default "en". */
  language?: string;
}

const FH_NS = 'http://purl.org/syndication/history/1.0';
/** Year used in tag: URIs; fixed forever so ids never change. */
const TAG_YEAR = '2023';

function tagAuthority(baseUrl: string): string {
  return new URL(normaliseBase(baseUrl)).hostname;
}

/** Stable id of an item in every format: a tag URI built from the item id, never from its (editable) link. */
export function itemTagUri(baseUrl: string, itemId: string): string {
  return `tag:${tagAuthority(baseUrl)},${TAG_YEAR}:items/${encodeURIComponent(itemId)}`;
}

/** Stable id of a feed (shared by all its pages and formats). */
export function feedTagUri(baseUrl: string, scope: FeedScope): string {
  return `tag:${tagAuthority(baseUrl)},${TAG_YEAR}:feeds/${scopeId(scope)}`;
}

function toDate(iso: string | undefined, fallback: Date): Date {
  if (!iso) return fallback;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? fallback : date;
}

interface PagingLink {
  rel: string;
  href: string;
}

/** RFC 5005 links: paged feed (first/next) and archived feed (current/prev-archive). `self` and `hub` excluded. */
function pagingLinks(p: FeedPage, format: FeedFormat): PagingLink[] {
  const subscription = feedUrl(p.baseUrl, p.scope, format);
  const links: PagingLink[] = [{ rel: 'first', href: subscription }];
  if (p.page !== undefined) links.push({ rel: 'current', href: subscription });
  if (p.nextPage !== undefined) {
    const older = feedUrl(p.baseUrl, p.scope, format, p.nextPage);
    links.push({ rel: 'next', href: older }, { rel: 'prev-archive', href: older });
  }
  return links;
}

function homeUrl(baseUrl: string): string {
  return `${normaliseBase(baseUrl)}/`;
}

function categoriesOf(item: Item, baseUrl: string) {
  const schemes = taxonomySchemes(baseUrl);
  return [
    ...item.countries.map((code) => ({ term: code, label: countryName(code), scheme: schemes.countries })),
    ...item.topics.map((slug) => ({ term: slug, label: topicName(slug), scheme: schemes.topics })),
  ];
}

interface Prepared {
  item: Item;
  id: string;
  link: string;
  title: string;
  summary: string;
  contentHtml: string;
  author?: string;
  published: Date;
  updated: Date;
  enclosures: Array<{ url: string; type?: string; length?: number }>;
}

function prepare(p: FeedPage): Prepared[] {
  const feedUpdated = toDate(p.updated, new Date(0));
  const fallbackLink = homeUrl(p.baseUrl);
  return p.items.map((item) => {
    const published = toDate(item.publishedAt, feedUpdated);
    return {
      item,
      id: itemTagUri(p.baseUrl, item.id),
      link: safeHttpUrl(item.link) ?? fallbackLink,
      title: plainText(item.title ?? '') || '(untitled)',
      summary: plainText(item.summary ?? ''),
      contentHtml: feedSafeHtml(item.contentHtml ?? ''),
      author: item.author ? plainText(item.author) || undefined : undefined,
      published,
      updated: toDate(item.updatedAt, published),
      enclosures: (item.enclosures ?? []).flatMap((e) => {
        const url = safeHttpUrl(e.url);
        return url ? [{ url, type: e.type ? xmlSafe(e.type) : undefined, length: e.length }] : [];
      }),
    };
  });
}

function libFeed(p: FeedPage, format: 'rss' | 'atom', extensions: Array<{ name: string; objects: Record<string, unknown> }>) {
  const feed = new Feed({
    id: feedTagUri(p.baseUrl, p.scope),
    title: scopeTitle(p.scope),
    description: scopeDescription(p.scope),
    link: homeUrl(p.baseUrl),
    updated: toDate(p.updated, new Date(0)),
    generator: false,
    language: p.language ?? 'en',
    feedLinks: { [format]: feedUrl(p.baseUrl, p.scope, format, p.page) },
    ...(p.hubUrl ? { hub: p.hubUrl } : {}),
    author: { name: siteName },
  });
  for (const e of extensions) feed.addExtension(e);
  return feed;
}

export function renderRss(p: FeedPage): string {
  const self = feedUrl(p.baseUrl, p.scope, 'rss', p.page);
  const channelLinks = [
    { rel: 'self', href: self, type: feedMediaTypes.rss },
    ...(p.hubUrl ? [{ rel: 'hub', href: p.hubUrl }] : []),
    ...pagingLinks(p, 'rss').map((l) => ({ ...l, type: feedMediaTypes.rss })),
  ];
  const extensions: Array<{ name: string; objects: Record<string, unknown> }> = [
    // Replaces the package's own atom:link list (self, hub) with the complete one; the package escapes only quotes
    // in attributes, so hrefs are escaped here.
    {
      name: 'atom:link',
      objects: channelLinks.map((l) => ({
        _attributes: { href: escapeXmlAttribute(l.href), rel: l.rel, ...('type' in l && l.type ? { type: l.type } : {}) },
      })) as unknown as Record<string, unknown>,
    },
  ];
  if (p.page !== undefined) extensions.push({ name: 'fh:archive', objects: {} });
  const feed = libFeed(p, 'rss', extensions);
  for (const it of prepare(p)) {
    const enclosure = it.enclosures[0];
    const entry: LibItem = {
      title: cdataSafe(it.title),
      link: it.link,
      guid: it.id,
      date: it.updated,
      published: it.published,
      description: cdataSafe(escapeHtml(it.summary)),
      content: cdataSafe(it.contentHtml),
      category: categoriesOf(it.item, p.baseUrl).map((c) => ({ name: c.label, domain: escapeXmlAttribute(c.scheme) })),
      ...(enclosure
        ? {
            enclosure: {
              url: enclosure.url,
              type: escapeXmlAttribute(enclosure.type ?? 'application/octet-stream'),
              length: enclosure.length ?? 0,
            },
          }
        : {}),
      ...(it.author ? { extensions: [{ name: 'dc:creator', objects: { _text: it.author } }] } : {}),
    };
    feed.addItem(entry);
  }
  let xml = feed.rss2();
  if (p.page !== undefined) xml = insertOnce(xml, '<rss version="2.0"', `<rss version="2.0" xmlns:fh="${FH_NS}"`);
  return xml;
}

export function renderAtom(p: FeedPage): string {
  const prepared = prepare(p);
  const feed = libFeed(p, 'atom', []);
  for (const it of prepared) {
    feed.addItem({
      title: cdataSafe(escapeHtml(it.title)),
      id: it.id,
      link: it.link,
      date: it.updated,
      published: it.published,
      description: cdataSafe(escapeHtml(it.summary)),
      content: cdataSafe(it.contentHtml),
      ...(it.author ? { author: [{ name: it.author }] } : {}),
      category: categoriesOf(it.item, p.baseUrl).map((c) => ({ term: c.term, name: c.label, scheme: c.scheme })),
    });
  }
  let xml = feed.atom1();
  const language = escapeXmlAttribute(p.language ?? 'en');
  const ns = p.page !== undefined ? ` xmlns:fh="${FH_NS}"` : '';
  xml = insertOnce(xml, '<feed xmlns="http://www.w3.org/2005/Atom">', `<feed xmlns="http://www.w3.org/2005/Atom"${ns} xml:lang="${language}">`);
  // RFC 5005 links go right after the package's last feed-level link (self, or hub when present).
  const lastLink = p.hubUrl
    ? `<link rel="hub" href="${asPackageWritesUrl(p.hubUrl)}"/>`
    : `<link rel="self" href="${asPackageWritesUrl(feedUrl(p.baseUrl, p.scope, 'atom', p.page))}"/>`;
  const extra = pagingLinks(p, 'atom').map((l) => `\n    <link rel="${l.rel}" type="${feedMediaTypes.atom}" href="${escapeXmlAttribute(l.href)}"/>`);
  if (p.page !== undefined) extra.push('\n    <fh:archive/>');
  xml = insertOnce(xml, lastLink, lastLink + extra.join(''));
  // Enclosures with their real media type (the package would label every enclosure image/<extension>).
  for (const it of prepared) {
    if (it.enclosures.length === 0) continue;
    const idLine = `<id>${asPackageWritesUrl(it.id)}</id>`;
    const links = it.enclosures.map(
      (e) =>
        `\n        <link rel="enclosure" href="${escapeXmlAttribute(e.url)}"` +
        `${e.type ? ` type="${escapeXmlAttribute(e.type)}"` : ''}${e.length ? ` length="${e.length}"` : ''}/>`,
    );
    xml = insertOnce(xml, idLine, idLine + links.join(''));
  }
  return xml;
}

/** JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/), written directly. */
export function renderJsonFeed(p: FeedPage): string {
  const schemes = taxonomySchemes(p.baseUrl);
  const language = p.language ?? 'en';
  const doc: Record<string, unknown> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: scopeTitle(p.scope),
    home_page_url: homeUrl(p.baseUrl),
    feed_url: feedUrl(p.baseUrl, p.scope, 'json', p.page),
    description: scopeDescription(p.scope),
    ...(p.nextPage !== undefined ? { next_url: feedUrl(p.baseUrl, p.scope, 'json', p.nextPage) } : {}),
    authors: [{ name: siteName, url: homeUrl(p.baseUrl) }],
    language,
    ...(p.hubUrl ? { hubs: [{ type: 'WebSub', url: p.hubUrl }] } : {}),
    _pacific_alliance: { scope: scopeId(p.scope), updated: toDate(p.updated, new Date(0)).toISOString(), taxonomy: schemes },
    items: prepare(p).map((it) => ({
      id: it.id,
      url: it.link,
      title: it.title,
      content_html: it.contentHtml,
      summary: it.summary,
      date_published: it.published.toISOString(),
      date_modified: it.updated.toISOString(),
      ...(it.author ? { authors: [{ name: it.author }] } : {}),
      tags: categoriesOf(it.item, p.baseUrl).map((c) => c.label),
      ...(it.item.language ? { language: xmlSafe(it.item.language) } : {}),
      ...(it.enclosures.length
        ? {
            attachments: it.enclosures.map((e) => ({
              url: e.url,
              mime_type: e.type ?? 'application/octet-stream',
              ...(e.length ? { size_in_bytes: e.length } : {}),
            })),
          }
        : {}),
      _pacific_alliance: { countries: it.item.countries, topics: it.item.topics },
    })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

export function renderFeed(format: FeedFormat, page: FeedPage): string {
  switch (format) {
    case 'rss':
      return renderRss(page);
    case 'atom':
      return renderAtom(page);
    case 'json':
      return renderJsonFeed(page);
  }
}

/** A URL as the `feed` package writes it (parsed, then `&` escaped), to find its output. */
function asPackageWritesUrl(url: string): string {
  return new URL(url).toString().replace(/&/g, '&amp;');
}

function insertOnce(xml: string, marker: string, replacement: string): string {
  const at = xml.indexOf(marker);
  if (at < 0) throw new Error(`feed renderer: expected "${marker}" in the output of the feed package`);
  return xml.slice(0, at) + replacement + xml.slice(at + marker.length);
}
