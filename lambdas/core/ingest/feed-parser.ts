// Parse a fetched feed body (RSS 2.0/0.9x, RSS 1.0 RDF, Atom 1.0, JSON Feed 1.0/1.1) into IncomingEntry[].
//
// Steps: decode bytes to text (BOM > XML declaration > Content-Type charset > UTF-8, falling back to windows-1252
// when "UTF-8" bytes are not valid UTF-8) → sniff the kind (JSON, XML, an HTML page, binary) → for XML, expand the
// internal entities the DOCTYPE declares, within limits (refusing external entities and expansion bombs), and check
// well-formedness (a truncated or broken document is an error, not a half-read feed) → let feedsmith map the document
// (an RSS document without the channel it expects is read as Python feedparser reads it) → normalise: absolute links
// (entry xml:base > feed xml:base > feed URL, also inside the content HTML), ISO 8601 UTC dates (undefined when a date
// cannot be read, never Invalid Date), GUIDs, categories, enclosures, the entry's image.
//
// An entry without a title keeps an empty title here (as feedparser reads it); ingestion derives one from the text.
//
// No HTML sanitising here: `contentHtml` and `summary` are the source's raw HTML (plain-text fields are escaped into
// HTML), and the ingestion service sanitises them.
import { createHash } from 'node:crypto';
import { XMLValidator } from 'fast-xml-parser';
import { parseAtomFeed, parseJsonFeed, parseRdfFeed, parseRssFeed, type AtomFeed, type JsonFeed, type RdfFeed, type RssFeed } from 'feedsmith';
import iconv from 'iconv-lite';
import { decodeHTML } from 'entities';
import type { Enclosure, IncomingEntry } from '../items/model.js';
import { contentImage, mediaCandidates, pickImage, type ImageCandidate } from './entry-image.js';
import { FeedParseError } from './errors.js';
import { escapeHtml } from '../shared/text.js';
import { htmlToText } from './sanitize.js';
import { expandInternalEntities } from './xml-entities.js';

export interface ParsedFeed {
  format: 'rss2' | 'rss1' | 'atom' | 'json';
  title?: string;
  link?: string;
  language?: string;
  entries: IncomingEntry[];
  /** Entries left out because nothing identifies them (no id, link or title), with the reason. */
  rejected?: Array<{ index: number; reason: string }>;
}

export interface ParseOptions {
  contentType?: string;
  /** The URL the feed was fetched from (after redirects): the base of relative links. */
  baseUrl: string;
}

/** Parse a feed body. Throws FeedParseError (`feed.empty`, `feed.malformed`, `feed.unsupported`, `feed.encoding`,
 *  `feed.entityDeclaration`). */
export function parseFeed(body: Buffer | string, options: ParseOptions): ParsedFeed {
  const text = decodeBody(body, options.contentType);
  if (text.trim() === '') throw new FeedParseError('feed.empty', 'The feed is empty: the server answered with no content.');
  assertNotBinary(text);

  const start = text.trimStart();
  const first = start[0];
  if (first === '{' || first === '[') return parseJson(start, options.baseUrl);
  if (first !== '<') {
    if (isJsonContentType(options.contentType)) return parseJson(start, options.baseUrl);
    throw new FeedParseError('feed.unsupported', `This is not a feed: the content is neither XML nor JSON (it begins "${preview(start)}").`);
  }
  return parseXml(start, options.baseUrl);
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export function decodeBody(body: Buffer | string, contentType?: string): string {
  if (typeof body === 'string') return body.replace(/^\uFEFF/, '');
  if (body.length === 0) return '';
  if (body[0] === UTF8_BOM[0] && body[1] === UTF8_BOM[1] && body[2] === UTF8_BOM[2]) return decodeAs(body.subarray(3), 'utf-8');
  if (body[0] === 0xff && body[1] === 0xfe) return decodeAs(body.subarray(2), 'utf-16le');
  if (body[0] === 0xfe && body[1] === 0xff) return decodeAs(body.subarray(2), 'utf-16be');
  // UTF-16 without a BOM: "<?" encoded on two bytes each.
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return decodeAs(body, 'utf-16le');
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) return decodeAs(body, 'utf-16be');

  const head = body.subarray(0, 1024).toString('latin1');
  const declared = /^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  const fromHeader = contentType ? /charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1] : undefined;
  // The document's own declaration is written by the same program that encoded its bytes; an HTTP charset is often a
  // server-wide default. So the declaration wins, then the header, then UTF-8.
  // Here the bytes are not UTF-16 (no BOM, no NUL pattern above), so a UTF-16/32 label is a mislabel: ignore it.
  const usable = (l: string | undefined) => (l && !/^(?:utf|ucs)-?(?:16|32|2|4)/i.test(l) ? l : undefined);
  const label = usable(declared) ?? usable(fromHeader) ?? 'utf-8';
  return decodeAs(body, label);
}

function decodeAs(bytes: Buffer, label: string): string {
  const enc = normaliseEncoding(label);
  if (enc === 'utf-8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      // Bytes that are not UTF-8 in a feed that says (or defaults to) UTF-8 are almost always windows-1252.
      return iconv.decode(bytes, 'windows-1252');
    }
  }
  if (!iconv.encodingExists(enc)) {
    throw new FeedParseError('feed.encoding', `The feed declares the character encoding "${label}", which we cannot decode; ask the publisher to serve UTF-8.`);
  }
  return iconv.decode(bytes, enc, { stripBOM: true });
}

function normaliseEncoding(label: string): string {
  const l = label.trim().toLowerCase();
  if (l === 'utf8' || l === 'utf-8' || l === 'unicode-1-1-utf-8') return 'utf-8';
  // As browsers do (WHATWG Encoding): Latin-1 and ASCII labels mean windows-1252, a superset seen in the wild.
  if (['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'us-ascii', 'ascii', 'iso_8859-1', 'cp819', 'ibm819'].includes(l)) return 'windows-1252';
  return l;
}

function assertNotBinary(text: string): void {
  const sample = text.slice(0, 4096);
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c === 0) throw new FeedParseError('feed.malformed', 'This is not a feed: the content is binary data (it contains NUL bytes).');
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffd) control++;
  }
  if (control > 8 && control / sample.length > 0.02) {
    throw new FeedParseError('feed.malformed', 'This is not a feed: the content looks like binary data (control characters), not XML or JSON.');
  }
}

function preview(text: string): string {
  const p = text.slice(0, 40).replace(/\s+/g, ' ');
  return p.replace(/[^\x20-\x7e\u00a0-\uffff]/g, '?') + (text.length > 40 ? '…' : '');
}

function isJsonContentType(contentType?: string): boolean {
  return !!contentType && /\bjson\b/i.test(contentType);
}

// ---------------------------------------------------------------------------------------------------------------
// XML

/**
 * Skip the prolog (XML declaration, processing instructions, comments, DOCTYPE) with a plain scan (a regex here can
 * backtrack catastrophically on hostile input) and return it with the root element's name; undefined when the
 * document has no root element.
 */
function findRoot(text: string): { prolog: string; name: string } | undefined {
  const n = text.length;
  let i = 0;
  for (;;) {
    while (i < n && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09 || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d)) i++;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) return undefined;
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) return undefined;
      i = end + 3;
    } else if (text.slice(i, i + 9).toUpperCase() === '<!DOCTYPE') {
      const gt = text.indexOf('>', i + 9);
      const bracket = text.indexOf('[', i + 9);
      if (gt < 0) return undefined;
      if (bracket < 0 || gt < bracket) {
        i = gt + 1;
      } else {
        const close = /\]\s*>/g;
        close.lastIndex = bracket;
        const m = close.exec(text);
        if (!m) return undefined;
        i = m.index + m[0].length;
      }
    } else {
      const m = /^<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)/.exec(text.slice(i, i + 256));
      return m?.[1] ? { prolog: text.slice(0, i), name: m[1] } : undefined;
    }
  }
}

function parseXml(text: string, baseUrl: string): ParsedFeed {
  if (/<!DOCTYPE\s+html\b/i.test(text.slice(0, 512))) throw htmlPage(text);
  let root = findRoot(text);
  // Entity declarations live in the DOCTYPE's internal subset, before the root element: internal ones are expanded
  // here (the mapper does not expand them), and the subset removed.
  if (root) {
    text = expandInternalEntities(text, root.prolog.length);
    root = findRoot(text);
  }
  // What is left is a declaration outside any internal subset we could read (no root element after it, say).
  if (/<!ENTITY/i.test(root ? root.prolog : text.slice(0, 65_536))) {
    throw new FeedParseError(
      'feed.entityDeclaration',
      'The feed declares XML entities (<!ENTITY …>) outside a DOCTYPE internal subset we can read; we do not expand ' +
        'them, to guard against entity-expansion ("billion laughs") and external-entity attacks.',
    );
  }
  if (!root) throw new FeedParseError('feed.malformed', `The feed is not well-formed XML: no root element found (it begins "${preview(text)}").`);
  const rootName = root.name;
  const lower = rootName.toLowerCase();
  const local = lower.includes(':') ? lower.slice(lower.indexOf(':') + 1) : lower;
  if (local === 'html') throw htmlPage(text);
  if (local !== 'rss' && local !== 'rdf' && local !== 'feed' && local !== 'channel') {
    throw new FeedParseError('feed.unsupported', `This XML document is not a feed: its root element is <${rootName}>, not <rss>, <rdf:RDF> or <feed>.`);
  }

  assertWellFormed(text);

  try {
    if (local === 'rss' || local === 'channel') return withEmptyEntries(fromRss(readRss(text), baseUrl), text, 'item');
    if (local === 'rdf') return withEmptyEntries(fromRdf(parseRdfFeed(text), baseUrl), text, 'item');
    return withEmptyEntries(fromAtom(parseAtomFeed(text), baseUrl), text, 'entry');
  } catch (cause) {
    if (cause instanceof FeedParseError) throw cause;
    const name = cause instanceof Error ? cause.name : '';
    if (name === 'DetectError') {
      throw new FeedParseError('feed.unsupported', `This XML document has a <${rootName}> root but is not a feed we recognise (RSS 2.0, RSS 1.0, Atom 1.0).`, { cause });
    }
    throw new FeedParseError('feed.malformed', `The feed could not be read as ${local === 'feed' ? 'Atom' : local === 'rdf' ? 'RSS 1.0' : 'RSS'}: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
}

/**
 * feedsmith wants an RSS document's items inside a <channel> with something in it; Python feedparser (and readers)
 * read items wherever they are. So an <rss> without a channel is read with its content wrapped in one, and one with
 * an empty channel is an empty feed rather than an invalid one.
 */
function readRss(text: string): RssFeed.Feed<string> {
  try {
    return parseRssFeed(text);
  } catch (cause) {
    if ((cause as Error)?.name !== 'ParseError') throw cause;
    if (/<(?:[\w-]+:)?item[\s>/]/i.test(text) && !/<(?:[\w-]+:)?channel[\s>/]/i.test(text)) {
      const wrapped = text.replace(/(<(?:[\w-]+:)?rss\b(?:"[^"]*"|'[^']*'|[^>"'])*>)([\s\S]*)(<\/(?:[\w-]+:)?rss\s*>)/i, '$1<channel>$2</channel>$3');
      if (wrapped !== text) return readRss(wrapped);
    }
    return {} as RssFeed.Feed<string>;
  }
}

/**
 * feedsmith leaves out an <item> or <entry> with nothing in it; a reader still shows one. So that every entry of the
 * document is accounted for, such entries are reported as rejected, at their position in the document.
 */
function withEmptyEntries(feed: ParsedFeed, text: string, tag: 'item' | 'entry'): ParsedFeed {
  // CDATA sections are text (so not empty), comments are nothing, and neither may hide a tag.
  const plain = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g, (m) => (m.startsWith('<!--') ? '' : 'x'));
  const elements = [...plain.matchAll(new RegExp(`<${tag}\\b((?:"[^"]*"|'[^']*'|[^>"'])*?)(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'g'))];
  const read = feed.entries.length + (feed.rejected?.length ?? 0);
  if (elements.length <= read) return feed;
  // Empty: no text and no attribute values anywhere inside.
  const empty = elements.flatMap((m, index) => (/\S/.test((m[2] ?? '').replace(/<(?:[^>"']|"[^"]*"|'[^']*')*>/g, (tagText) => (/=\s*["'][^"']/.test(tagText) ? 'x' : ''))) ? [] : [index]));
  const missing = elements.length - read;
  const rejected = [
    ...(feed.rejected ?? []),
    ...empty.slice(0, missing).map((index) => ({ index, reason: `The ${tag} is empty: it has no guid, link, title or content.` })),
  ];
  return { ...feed, rejected };
}

function htmlPage(text: string): FeedParseError {
  // Point at the feed the page advertises, when it does.
  const alt = /<link\b[^>]{0,2000}?\btype\s*=\s*["']application\/(?:rss|atom|feed)\+(?:xml|json)["'][^>]{0,2000}>/i.exec(text.slice(0, 65_536))?.[0];
  const href = alt ? /\bhref\s*=\s*["']([^"']+)["']/i.exec(alt)?.[1] : undefined;
  return new FeedParseError(
    'feed.unsupported',
    `The URL returned an HTML page, not a feed.${href ? ` The page advertises a feed at ${decodeHTML(href)}; use that URL.` : ' Use the URL of the site\'s RSS, Atom or JSON feed.'}`,
  );
}

/** Well-formedness check. Bare `&` (common in real feeds, and tolerated by the mapper) is escaped for the check only. */
function assertWellFormed(text: string): void {
  const forCheck = text.replace(/&(?!(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z][\w.-]*);)/g, '&amp;');
  let result: ReturnType<typeof XMLValidator.validate>;
  try {
    result = XMLValidator.validate(forCheck, { allowBooleanAttributes: true });
  } catch (cause) {
    throw new FeedParseError('feed.malformed', `The feed is not well-formed XML: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
  if (result === true) return;
  const { msg, line, col, code } = result.err;
  const unclosed = /^Invalid '\[(.*)\]' found/s.exec(msg);
  if (code === 'InvalidXml' && unclosed?.[1] !== undefined) {
    const names = unclosed[1].split(',').map((s) => `<${s.trim().replace(/^"|"$/g, '')}>`).filter((s) => s !== '<>');
    const list = names.length > 6 ? `${names.slice(0, 3).join(', ')}, … (${names.length - 5} more), ${names.slice(-2).join(', ')}` : names.join(', ');
    throw new FeedParseError('feed.malformed', `The feed is truncated or not well-formed XML: it ends with ${list} still open.`);
  }
  const detail = msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
  throw new FeedParseError('feed.malformed', `The feed is not well-formed XML (line ${line}, column ${col}): ${detail}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Mapping

type Base = string;

/** Resolve `ref` against `base`; undefined when it cannot be resolved. */
function resolveUrl(ref: string | undefined, base: Base): string | undefined {
  if (!ref) return undefined;
  try {
    return new URL(ref.trim(), base).href;
  } catch {
    return undefined;
  }
}

/** A link we are willing to keep as an item's link or an enclosure: absolute http(s). */
function webUrl(ref: string | undefined, base: Base): string | undefined {
  const url = resolveUrl(ref, base);
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}

function childBase(xmlBase: string | undefined, parent: Base): Base {
  return resolveUrl(xmlBase, parent) ?? parent;
}

const URL_ATTR_RE = /(\s(?:href|src|poster|cite|background|longdesc)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/gi;
const SRCSET_RE = /(\ssrcset\s*=\s*)(?:"([^"]*)"|'([^']*)')/gi;

/** Make relative URLs in an HTML fragment absolute against `base`. Leaves absolute URLs, fragments (#x) and other
 *  schemes untouched (the sanitiser decides about those). */
export function absolutiseHtml(html: string, base: Base): string {
  if (!/\s(?:href|src|poster|cite|background|longdesc|srcset)\s*=/i.test(html)) return html;
  const fix = (value: string): string => {
    const raw = decodeHTML(value).trim();
    if (raw === '' || raw.startsWith('#') || /^[a-z][a-z0-9+.-]*:/i.test(raw)) return value;
    const abs = resolveUrl(raw, base);
    return abs ? abs.replace(/&/g, '&amp;').replace(/"/g, '&quot;') : value;
  };
  return html
    .replace(URL_ATTR_RE, (_m, pre: string, dq?: string, sq?: string, bare?: string) => `${pre}"${fix(dq ?? sq ?? bare ?? '')}"`)
    .replace(SRCSET_RE, (_m, pre: string, dq?: string, sq?: string) => {
      const parts = (dq ?? sq ?? '').split(',').map((candidate) => {
        const [url, ...descriptor] = candidate.trim().split(/\s+/);
        return [fix(url ?? ''), ...descriptor].join(' ');
      });
      return `${pre}"${parts.join(', ')}"`;
    });
}

function cleanText(value: string | undefined): string | undefined {
  const t = value?.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
}

function uniq(values: Array<string | undefined>): string[] {
  const out: string[] = [];
  for (const v of values) {
    const t = cleanText(v);
    if (t && !out.includes(t)) out.push(t);
  }
  return out;
}

function hashGuid(title: string | undefined, date: string | undefined, extra?: string): string {
  return 'sha256:' + createHash('sha256').update(`${title ?? ''}\n${date ?? ''}\n${extra ?? ''}`).digest('hex').slice(0, 40);
}

function lengthOf(n: number | undefined): number | undefined {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

function enclosure(url: string | undefined, type: string | undefined, length: number | undefined, base: Base): Enclosure | undefined {
  const abs = webUrl(url, base);
  if (!abs) return undefined;
  const e: Enclosure = { url: abs };
  const t = cleanText(type);
  if (t) e.type = t;
  const l = lengthOf(length);
  if (l !== undefined) e.length = l;
  return e;
}

function withoutUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

/** The entry's image: Media RSS, then image enclosures, then the first image of its content. */
function entryImage(
  media: Parameters<typeof mediaCandidates>[0],
  enclosures: ReadonlyArray<{ url?: string; type?: string }> | undefined,
  html: string | undefined,
  base: Base,
): IncomingEntry['image'] {
  const fromEnclosures: ImageCandidate[] = (enclosures ?? []).map((e) => ({ url: e.url, type: e.type }));
  return pickImage([...mediaCandidates(media), ...fromEnclosures, contentImage(html)], (url) => webUrl(url, base));
}

interface Collector {
  entries: IncomingEntry[];
  rejected: Array<{ index: number; reason: string }>;
}

function finish(c: Collector, feed: Omit<ParsedFeed, 'entries' | 'rejected'>): ParsedFeed {
  const out: ParsedFeed = withoutUndefined({ ...feed, entries: c.entries });
  if (c.rejected.length > 0) out.rejected = c.rejected;
  return out;
}

// RSS 2.0 (and 0.9x) ---------------------------------------------------------------------------------------------

type XmlNsHolder = { xml?: { base?: string; lang?: string } };

function fromRss(feed: RssFeed.Feed<string>, baseUrl: string): ParsedFeed {
  const feedBase = childBase((feed as XmlNsHolder).xml?.base, baseUrl);
  const feedLang = cleanText(feed.language ?? feed.dc?.languages?.[0] ?? (feed as XmlNsHolder).xml?.lang);
  const c: Collector = { entries: [], rejected: [] };
  (feed.items ?? []).forEach((item, index) => {
    const base = childBase((item as XmlNsHolder).xml?.base, feedBase);
    const title = cleanText(item.title);
    const guidValue = cleanText(item.guid?.value);
    // A permalink guid counts as a link only when it is an absolute http(s) URL: many feeds leave isPermaLink at its
    // default for ids like "12345", which must not be read as relative URLs.
    const permalink = guidValue && item.guid?.isPermaLink !== false && /^https?:\/\//i.test(guidValue) ? webUrl(guidValue, base) : undefined;
    const link = webUrl(cleanText(item.link), base) ?? permalink;
    const rawDate = item.pubDate ?? item.dc?.dates?.[0] ?? item.dcterms?.issued?.[0] ?? item.dcterms?.created?.[0];
    const publishedAt = parseFeedDate(rawDate);
    const updatedAt = parseFeedDate(item.dcterms?.modified?.[0] ?? item.atom?.updated);
    const content = item.content?.encoded;
    const description = item.description;
    if (!guidValue && !link && !title) {
      if (!content && !description) {
        c.rejected.push({ index, reason: 'The item has no guid, link, title or content.' });
        return;
      }
    }
    const guid = guidValue ? (permalink ?? guidValue) : (link ?? hashGuid(title, rawDate, title ? undefined : (content ?? description)));
    const author = cleanText(item.authors?.[0]?.name ?? item.authors?.[0]?.email ?? item.dc?.creators?.[0]);
    const entry: IncomingEntry = {
      guid,
      link,
      title: title ?? '',
      publishedAt,
      updatedAt,
      summary: description ? absolutiseHtml(description, base) : undefined,
      contentHtml: content ? absolutiseHtml(content, base) : description ? absolutiseHtml(description, base) : undefined,
      author,
      language: cleanText(item.dc?.languages?.[0] ?? (item as XmlNsHolder).xml?.lang) ?? feedLang,
      categories: uniq([...(item.categories ?? []).map((cat) => cat.name), ...(item.dc?.subjects ?? [])]),
      enclosures: (item.enclosures ?? [])
        .map((e) => enclosure(e.url, e.type, e.length, base))
        .filter((e): e is Enclosure => e !== undefined),
      image: entryImage(item.media, item.enclosures, content ?? description, base),
    };
    c.entries.push(withoutUndefined(entry));
  });
  return finish(c, { format: 'rss2', title: cleanText(feed.title), link: webUrl(feed.link, feedBase), language: feedLang });
}

// RSS 1.0 (RDF) --------------------------------------------------------------------------------------------------

function fromRdf(feed: RdfFeed.Feed<string>, baseUrl: string): ParsedFeed {
  const feedBase = childBase((feed as XmlNsHolder).xml?.base, baseUrl);
  const feedLang = cleanText(feed.dc?.languages?.[0]);
  const c: Collector = { entries: [], rejected: [] };
  (feed.items ?? []).forEach((item, index) => {
    const base = childBase((item as XmlNsHolder).xml?.base, feedBase);
    const title = cleanText(item.title);
    const link = webUrl(cleanText(item.link), base);
    const about = cleanText(item.rdf?.about);
    const rawDate = item.dc?.dates?.[0] ?? item.dcterms?.issued?.[0] ?? item.dcterms?.created?.[0];
    const content = item.content?.encoded;
    const description = item.description;
    if (!about && !link && !title && !content && !description) {
      c.rejected.push({ index, reason: 'The item has no rdf:about, link, title or content.' });
      return;
    }
    const guid = (about ? (webUrl(about, base) ?? about) : undefined) ?? link ?? hashGuid(title, rawDate, title ? undefined : (content ?? description));
    const entry: IncomingEntry = {
      guid,
      link: link ?? (about ? webUrl(about, base) : undefined),
      title: title ?? '',
      publishedAt: parseFeedDate(rawDate),
      updatedAt: parseFeedDate(item.dcterms?.modified?.[0]),
      summary: description ? absolutiseHtml(description, base) : undefined,
      contentHtml: content ? absolutiseHtml(content, base) : description ? absolutiseHtml(description, base) : undefined,
      author: cleanText(item.dc?.creators?.[0]),
      language: cleanText(item.dc?.languages?.[0]) ?? feedLang,
      categories: uniq(item.dc?.subjects ?? []),
      enclosures: [],
      image: entryImage(item.media, undefined, content ?? description, base),
    };
    c.entries.push(withoutUndefined(entry));
  });
  return finish(c, { format: 'rss1', title: cleanText(feed.title), link: webUrl(feed.link, feedBase), language: feedLang });
}

// Atom 1.0 -------------------------------------------------------------------------------------------------------

type AtomText = { value?: string; type?: string; xml?: { base?: string; lang?: string } };

function atomTextToHtml(text: AtomText | undefined, base: Base): string | undefined {
  if (!text?.value) return undefined;
  const type = (text.type ?? 'text').toLowerCase();
  const b = childBase(text.xml?.base, base);
  if (type === 'html' || type === 'text/html' || type === 'xhtml' || type === 'application/xhtml+xml') return absolutiseHtml(text.value, b);
  return escapeHtml(text.value);
}

function atomTextToPlain(text: AtomText | undefined): string | undefined {
  if (!text?.value) return undefined;
  const type = (text.type ?? 'text').toLowerCase();
  return cleanText(type === 'text' || type === 'text/plain' ? text.value : htmlToText(text.value));
}

function fromAtom(feed: AtomFeed.Feed<string>, baseUrl: string): ParsedFeed {
  const feedBase = childBase(feed.xml?.base, baseUrl);
  const feedLang = cleanText(feed.xml?.lang ?? feed.dc?.languages?.[0]);
  const alternate = (links: AtomFeed.Link<string>[] | undefined) => links?.find((l) => !l.rel || l.rel === 'alternate');
  const c: Collector = { entries: [], rejected: [] };
  (feed.entries ?? []).forEach((item, index) => {
    const base = childBase(item.xml?.base, feedBase);
    const title = atomTextToPlain(item.title as AtomText | undefined);
    const id = cleanText(item.id);
    const content = item.content as (AtomText & { src?: string }) | undefined;
    // Out-of-line content (<content src="…"/>) is where the entry lives when it names no page of its own.
    const link = webUrl(alternate(item.links)?.href, base) ?? webUrl(content?.src, base);
    const rawPublished = item.published ?? item.dc?.dates?.[0];
    const rawUpdated = item.updated;
    if (!id && !link && !title && !content?.value && !item.summary) {
      c.rejected.push({ index, reason: 'The entry has no id, link, title or content.' });
      return;
    }
    const publishedAt = parseFeedDate(rawPublished) ?? parseFeedDate(rawUpdated);
    const contentHtml = atomTextToHtml(content, base);
    const entry: IncomingEntry = {
      guid: id ?? link ?? hashGuid(title, rawPublished ?? rawUpdated, title ? undefined : contentHtml),
      link,
      title: title ?? '',
      publishedAt,
      updatedAt: parseFeedDate(rawUpdated),
      summary: atomTextToHtml(item.summary as AtomText | undefined, base),
      contentHtml: contentHtml ?? atomTextToHtml(item.summary as AtomText | undefined, base),
      author: cleanText(item.authors?.[0]?.name ?? feed.authors?.[0]?.name),
      language: cleanText(content?.xml?.lang ?? item.xml?.lang) ?? feedLang,
      categories: uniq((item.categories ?? []).flatMap((cat) => [cat.term, cat.label])),
      enclosures: (item.links ?? [])
        .filter((l) => l.rel === 'enclosure')
        .map((l) => enclosure(l.href, l.type, l.length, base))
        .filter((e): e is Enclosure => e !== undefined),
      image: entryImage(
        item.media,
        (item.links ?? []).filter((l) => l.rel === 'enclosure').map((l) => ({ url: l.href, type: l.type })),
        contentHtml ?? atomTextToHtml(item.summary as AtomText | undefined, base),
        base,
      ),
    };
    c.entries.push(withoutUndefined(entry));
  });
  return finish(c, {
    format: 'atom',
    title: atomTextToPlain(feed.title as AtomText | undefined),
    link: webUrl(alternate(feed.links)?.href, feedBase),
    language: feedLang,
  });
}

// JSON Feed 1.0 / 1.1 --------------------------------------------------------------------------------------------

function parseJson(text: string, baseUrl: string): ParsedFeed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FeedParseError('feed.malformed', `The feed is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
  const version = json && typeof json === 'object' && !Array.isArray(json) ? (json as { version?: unknown }).version : undefined;
  if (typeof version !== 'string' || !/^https?:\/\/jsonfeed\.org\/version\/1(\.\d+)?\/?$/i.test(version.trim())) {
    throw new FeedParseError('feed.unsupported', 'This JSON document is not a JSON Feed (it lacks "version": "https://jsonfeed.org/version/1.1").');
  }
  let feed: JsonFeed.Feed<string>;
  try {
    feed = parseJsonFeed(json);
  } catch (cause) {
    throw new FeedParseError('feed.malformed', `The JSON Feed could not be read: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
  const feedBase = baseUrl;
  const feedLang = cleanText(feed.language);
  const c: Collector = { entries: [], rejected: [] };
  (feed.items ?? []).forEach((item, index) => {
    const title = cleanText(item.title);
    const id = cleanText(item.id === undefined || item.id === null ? undefined : String(item.id));
    const link = webUrl(item.url, feedBase) ?? webUrl(item.external_url, feedBase);
    const html = item.content_html ?? (item.content_text ? escapeHtml(item.content_text) : undefined);
    if (!id && !link && !title && !html) {
      c.rejected.push({ index, reason: 'The item has no id, url, title or content.' });
      return;
    }
    const base = link ?? feedBase;
    const entry: IncomingEntry = {
      guid: id ?? link ?? hashGuid(title, item.date_published, title ? undefined : html),
      link,
      title: title ?? '',
      publishedAt: parseFeedDate(item.date_published) ?? undefined,
      updatedAt: parseFeedDate(item.date_modified),
      summary: item.summary ? escapeHtml(item.summary) : undefined,
      contentHtml: html ? absolutiseHtml(html, base) : undefined,
      author: cleanText(item.authors?.[0]?.name ?? feed.authors?.[0]?.name),
      language: cleanText(item.language) ?? feedLang,
      categories: uniq(item.tags ?? []),
      enclosures: (item.attachments ?? [])
        .map((a) => enclosure(a.url, a.mime_type, a.size_in_bytes, feedBase))
        .filter((e): e is Enclosure => e !== undefined),
      image: pickImage(
        [
          item.image ? { url: item.image, medium: 'image' } : undefined,
          item.banner_image ? { url: item.banner_image, medium: 'image' } : undefined,
          ...(item.attachments ?? []).map((a) => ({ url: a.url, type: a.mime_type })),
          contentImage(item.content_html),
        ],
        (url) => webUrl(url, base),
      ),
    };
    c.entries.push(withoutUndefined(entry));
  });
  return finish(c, { format: 'json', title: cleanText(feed.title), link: webUrl(feed.home_page_url, feedBase), language: feedLang });
}

// ---------------------------------------------------------------------------------------------------------------
// Dates: RFC 822/2822 (with odd or named zones, English or Spanish month names, two-digit years), RFC 3339 / ISO 8601,
// and "Month day, year" forms. Anything else gives undefined; never throws, never an Invalid Date. A time without a
// zone is read as UTC. Output: ISO 8601 UTC (`2023-03-13T15:00:00.000Z`).

const MONTHS: Record<string, number> = {
  jan: 0, ene: 0, feb: 1, mar: 2, apr: 3, abr: 3, may: 4, jun: 5, jul: 6, aug: 7, ago: 7,
  sep: 8, set: 8, oct: 9, nov: 10, dec: 11, dic: 11,
};

/** Offsets in minutes of the zone names seen in feeds. Unknown names are read as UTC (RFC 2822 §4.3: "-0000"). */
const ZONES: Record<string, number> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180,
  bst: 60, cet: 60, cest: 120, met: 60, mest: 120, eet: 120, eest: 180, msk: 180,
  ist: 330, sgt: 480, hkt: 480, awst: 480, jst: 540, kst: 540, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
  art: -180, brt: -180, clt: -240, clst: -180, cot: -300, pet: -300, bot: -240, vet: -240, uyt: -180,
};

function zoneOffset(zone: string | undefined): number {
  if (!zone) return 0;
  const z = zone.trim();
  const num = /^(?:gmt|utc|ut)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(z);
  if (num) {
    const h = Number(num[2]);
    const m = Number(num[3] ?? 0);
    if (h > 14 || m > 59) return Number.NaN;
    return (num[1] === '-' ? -1 : 1) * (h * 60 + m);
  }
  return ZONES[z.toLowerCase()] ?? 0;
}

function monthIndex(name: string): number | undefined {
  return MONTHS[name.slice(0, 3).toLowerCase()];
}

function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n;
  return n;
}

function build(
  year: number, month: number | undefined, day: number, hour = 0, minute = 0, second = 0, ms = 0, offsetMin = 0,
): string | undefined {
  if (month === undefined || !Number.isFinite(offsetMin)) return undefined;
  if (year < 1900 || year > 2999 || month < 0 || month > 11 || day < 1 || day > 31) return undefined;
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const local = Date.UTC(year, month, day, hour, minute, Math.min(second, 59), ms);
  const check = new Date(local);
  if (check.getUTCDate() !== day) return undefined; // 31 February and the like
  const t = local - offsetMin * 60_000;
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt\s]+(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ISO_BASIC_RE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const W = '[A-Za-z\u00c0-\u00ff]';
const TIME = '(\\d{1,2})[:.](\\d{2})(?:[:.](\\d{2})(?:[.,]\\d+)?)?\\s*(?:([ap])\\.?m\\.?)?';
const ZONE = '(?:((?:GMT|UTC|UT)?\\s*[+-]\\d{1,2}(?::?\\d{2})?)|([A-Za-z]{1,5}))?';
// "Tue, 10 Jun 2003 04:00:00 GMT", "10 Jun 03 4:00 EST", "lun, 13 mar 2023 10:00:00 -0500 (PET)"
const RFC822_RE = new RegExp(`^(?:${W}+\\.?,?\\s*)?(\\d{1,2})[\\s-]+(${W}+)\\.?,?[\\s-]+(\\d{4}|\\d{2})(?:[\\s,T]+${TIME})?\\s*${ZONE}\\s*(?:\\(.*\\))?$`, 'i');
// "Jun 10, 2003 04:00:00 GMT", "Tue Jun 10 2003 04:00:00 GMT+0200 (CEST)", "March 13th, 2023"
const MDY_RE = new RegExp(`^(?:${W}+\\.?,?\\s+)?(${W}+)\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?:[\\s,T]+${TIME})?\\s*${ZONE}\\s*(?:\\(.*\\))?$`, 'i');

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  if (h < 1 || h > 12) return 99;
  const pm = ampm.toLowerCase() === 'p';
  return (h % 12) + (pm ? 12 : 0);
}

/** Read a feed date; ISO 8601 UTC or undefined. */
export function parseFeedDate(raw: string | undefined | null): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.replace(/\s+/g, ' ').trim();
  if (s === '' || s.length > 100) return undefined;
  let m = ISO_RE.exec(s);
  if (m) {
    const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
    return build(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms, zoneOffset(m[8]));
  }
  m = ISO_BASIC_RE.exec(s);
  if (m) return build(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, zoneOffset(m[7]));
  m = RFC822_RE.exec(s);
  if (m) {
    const zone = m[8] ?? m[9];
    return build(fullYear(m[3]!), monthIndex(m[2]!), Number(m[1]), hour12(Number(m[4] ?? 0), m[7]), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, zoneOffset(zone));
  }
  m = MDY_RE.exec(s);
  if (m) {
    const zone = m[8] ?? m[9];
    return build(Number(m[3]), monthIndex(m[1]!), Number(m[2]), hour12(Number(m[4] ?? 0), m[7]), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, zoneOffset(zone));
  }
  return undefined;
}
