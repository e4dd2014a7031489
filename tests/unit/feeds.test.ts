// Feed core: renderers (RSS 2.0, Atom 1.0, JSON Feed 1.1), paths and scopes, validators, OPML, the /feeds page, and
// the autodiscovery links pages carry (titled in the page's language).
// Output is checked with independent parsers (@xmldom/xmldom, fast-xml-parser, JSON.parse), never with `feed`.
import { describe, expect, it } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  allScopes,
  bodyValidators,
  etagFor,
  feedAutodiscoveryLinks,
  feedUrl,
  headValidators,
  isNotModified,
  parseFeedPath,
  parseScopeId,
  renderFeed,
  renderOpml,
  serveFeed,
  xmlSafe,
  type FeedPage,
} from '../../lambdas/core/feeds/index.js';
import { scopeId } from '../../lambdas/core/items/model.js';
import { DomainError } from '../../lambdas/core/shared/errors.js';
import { Layout } from '../../lambdas/adapters/http/views/layout.js';
import { buildItem, checkAtom, checkJsonFeed, checkRss, childrenNamed, manyItems, MemoryItemReader, parseXml } from './feeds-support.js';

const base = 'https://news.example.org';
const page = (overrides: Partial<FeedPage> = {}): FeedPage => ({
  scope: { kind: 'all' },
  baseUrl: base,
  items: manyItems(5),
  updated: '2024-04-01T00:00:00.000Z',
  ...overrides,
});
const ATOM = 'http://www.w3.org/2005/Atom';
const FH = 'http://purl.org/syndication/history/1.0';

describe('feed paths', () => {
  it('parses every public route shape', () => {
    expect(parseFeedPath('all.rss')).toEqual({ scope: { kind: 'all' }, format: 'rss' });
    expect(parseFeedPath('countries/cl.atom')).toEqual({ scope: { kind: 'country', country: 'cl' }, format: 'atom' });
    expect(parseFeedPath('topics/trade-investment.json')).toEqual({ scope: { kind: 'topic', topic: 'trade-investment' }, format: 'json' });
    expect(parseFeedPath('countries/pe/topics/fisheries-oceans.rss')).toEqual({
      scope: { kind: 'countryTopic', country: 'pe', topic: 'fisheries-oceans' },
      format: 'rss',
    });
  });

  it('refuses unknown countries, topics and extensions with messages naming the valid values', () => {
    const fail = (path: string) => {
      try {
        parseFeedPath(path);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as DomainError).kind).toBe('notFound');
        return error as DomainError;
      }
      throw new Error(`${path} parsed`);
    };
    expect(fail('countries/br.rss').message).toContain('cl, co, mx, pe');
    expect(fail('countries/br.rss').code).toBe('feeds.unknownCountry');
    expect(fail('topics/football.atom').message).toContain('trade-investment');
    expect(fail('countries/cl/topics/football.json').code).toBe('feeds.unknownTopic');
    expect(fail('all.xml').message).toContain('.rss, .atom, .json');
    expect(fail('all').code).toBe('feeds.unknownFormat');
    expect(fail('countries/CL.rss').code).toBe('feeds.unknownCountry');
    expect(fail('everything.rss').code).toBe('feeds.unknownFeed');
  });

  it('round-trips every scope through its URL and id', () => {
    const scopes = allScopes();
    expect(scopes).toHaveLength(1 + 4 + 10 + 40);
    for (const scope of scopes) {
      const url = feedUrl(base, scope, 'atom');
      expect(parseFeedPath(url.slice(`${base}/feeds/`.length)).scope).toEqual(scope);
      expect(parseScopeId(scopeId(scope))).toEqual(scope);
    }
  });
});

describe('RSS 2.0', () => {
  it('is well-formed with guids, RFC 822 dates, categories with a taxonomy domain, dc:creator and content:encoded', () => {
    const items = [buildItem({ id: 'x1', author: 'Ana Pérez', countries: ['cl', 'pe'], topics: ['fisheries-oceans'] }), ...manyItems(3)];
    const xml = renderFeed('rss', page({ items }));
    expect(XMLValidator.validate(xml)).toBe(true);
    const { ids, doc } = checkRss(xml);
    expect(ids[0]).toBe('tag:news.example.org,2023:items/x1');
    const first = childrenNamed(doc, null, 'item')[0]!;
    const cats = childrenNamed(first, null, 'category').map((c) => [c.getAttribute('domain'), c.textContent]);
    expect(cats).toEqual([
      [`${base}/api/taxonomy#countries`, 'Chile'],
      [`${base}/api/taxonomy#countries`, 'Peru'],
      [`${base}/api/taxonomy#topics`, 'Fisheries and oceans'],
    ]);
    expect(childrenNamed(first, 'http://purl.org/dc/elements/1.1/', 'creator')[0]!.textContent).toBe('Ana Pérez');
    expect(childrenNamed(first, 'http://purl.org/rss/1.0/modules/content/', 'encoded')[0]!.textContent).toContain('<strong>x1</strong>');
    expect(childrenNamed(first, null, 'description')[0]!.textContent).toBe('Summary of x1.');
    expect(childrenNamed(doc, null, 'language')[0]!.textContent).toBe('en');
  });

  it('puts the item publication time in pubDate', () => {
    const xml = renderFeed('rss', page({ items: [buildItem({ id: 'd', publishedAt: '2023-03-13T09:30:00.000Z', updatedAt: '2023-03-20T00:00:00.000Z' })] }));
    expect(childrenNamed(parseXml(xml), null, 'pubDate')[0]!.textContent).toBe('Mon, 13 Mar 2023 09:30:00 GMT');
  });

  it('carries self, hub and RFC 5005 links on the subscription document', () => {
    const xml = renderFeed('rss', page({ scope: { kind: 'country', country: 'mx' }, nextPage: 'OLDER', hubUrl: 'https://hub.example/' }));
    const links = childrenNamed(parseXml(xml), ATOM, 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')]);
    expect(links).toEqual([
      ['self', `${base}/feeds/countries/mx.rss`],
      ['hub', 'https://hub.example/'],
      ['first', `${base}/feeds/countries/mx.rss`],
      ['next', `${base}/feeds/countries/mx.rss?page=OLDER`],
      ['prev-archive', `${base}/feeds/countries/mx.rss?page=OLDER`],
    ]);
    expect(childrenNamed(parseXml(xml), FH, 'archive')).toHaveLength(0);
  });

  it('marks older pages as RFC 5005 archives linking back to the current feed', () => {
    const xml = renderFeed('rss', page({ page: 'P2', nextPage: 'P3' }));
    const doc = parseXml(xml);
    expect(childrenNamed(doc, FH, 'archive')).toHaveLength(1);
    const rels = Object.fromEntries(childrenNamed(doc, ATOM, 'link').map((l) => [l.getAttribute('rel'), l.getAttribute('href')]));
    expect(rels).toEqual({
      self: `${base}/feeds/all.rss?page=P2`,
      first: `${base}/feeds/all.rss`,
      current: `${base}/feeds/all.rss`,
      next: `${base}/feeds/all.rss?page=P3`,
      'prev-archive': `${base}/feeds/all.rss?page=P3`,
    });
  });
});

describe('Atom 1.0', () => {
  it('is well-formed with xml:lang, tag-URI ids, RFC 3339 dates, categories with a scheme and html content', () => {
    const items = [buildItem({ id: 'a1', title: 'Trade & investment < 5% > 2%', updatedAt: '2024-03-02T00:00:00.000Z' }), ...manyItems(3)];
    const xml = renderFeed('atom', page({ items, scope: { kind: 'topic', topic: 'trade-investment' } }));
    const { ids, titles, doc } = checkAtom(xml);
    expect(ids[0]).toBe('tag:news.example.org,2023:items/a1');
    expect(titles[0]).toBe('Trade &amp; investment &lt; 5% &gt; 2%'); // type="html": escaped markup, shown as plain text
    const entry = childrenNamed(doc, ATOM, 'entry')[0]!;
    expect(childrenNamed(entry, ATOM, 'updated')[0]!.textContent).toBe('2024-03-02T00:00:00.000Z');
    expect(childrenNamed(entry, ATOM, 'published')[0]!.textContent).toBe('2024-03-01T12:00:00.000Z');
    expect(childrenNamed(entry, ATOM, 'category').map((c) => [c.getAttribute('term'), c.getAttribute('scheme'), c.getAttribute('label')])).toEqual([
      ['cl', `${base}/api/taxonomy#countries`, 'Chile'],
      ['trade-investment', `${base}/api/taxonomy#topics`, 'Trade and investment promotion'],
    ]);
    expect(childrenNamed(doc, ATOM, 'id')[0]!.textContent).toBe('tag:news.example.org,2023:feeds/topics/trade-investment');
  });

  it('keeps an entry id when the item is edited, and moves its updated time', () => {
    const before = buildItem({ id: 'e1' });
    const after = { ...before, title: 'Corrected', link: 'https://news.example.org/moved', updatedAt: '2024-05-01T00:00:00.000Z', version: 2 };
    const one = checkAtom(renderFeed('atom', page({ items: [before] })));
    const two = checkAtom(renderFeed('atom', page({ items: [after] })));
    expect(two.ids).toEqual(one.ids);
    const updated = (xml: string) => childrenNamed(childrenNamed(parseXml(xml), ATOM, 'entry')[0]!, ATOM, 'updated')[0]!.textContent;
    expect(updated(renderFeed('atom', page({ items: [after] })))).toBe('2024-05-01T00:00:00.000Z');
  });

  it('has RFC 5005 paging links and fh:archive on older pages, enclosures with their real media type', () => {
    const items = [buildItem({ id: 'p', enclosures: [{ url: 'https://cdn.example.org/report.pdf', type: 'application/pdf', length: 1234 }] })];
    const xml = renderFeed('atom', page({ items, page: 'P2', nextPage: 'P3', hubUrl: 'https://hub.example/' }));
    const { doc } = checkAtom(xml);
    const feedLinks = Array.from(doc.documentElement!.childNodes as unknown as ArrayLike<Element>)
      .filter((n) => n.nodeType === 1 && n.localName === 'link')
      .map((l) => [l.getAttribute('rel'), l.getAttribute('href')]);
    expect(feedLinks).toEqual([
      ['alternate', `${base}/`],
      ['self', `${base}/feeds/all.atom?page=P2`],
      ['hub', 'https://hub.example/'],
      ['first', `${base}/feeds/all.atom`],
      ['current', `${base}/feeds/all.atom`],
      ['next', `${base}/feeds/all.atom?page=P3`],
      ['prev-archive', `${base}/feeds/all.atom?page=P3`],
    ]);
    expect(childrenNamed(doc, FH, 'archive')).toHaveLength(1);
    const enclosure = childrenNamed(doc, ATOM, 'link').find((l) => l.getAttribute('rel') === 'enclosure')!;
    expect([enclosure.getAttribute('href'), enclosure.getAttribute('type'), enclosure.getAttribute('length')]).toEqual([
      'https://cdn.example.org/report.pdf',
      'application/pdf',
      '1234',
    ]);
  });
});

describe('JSON Feed 1.1', () => {
  it('is version 1.1 with authors, language, content_html, summary, tags and paging', () => {
    const items = [buildItem({ id: 'j1', author: 'Ana', language: 'es' }), ...manyItems(2)];
    const { doc, ids } = checkJsonFeed(renderFeed('json', page({ items, nextPage: 'OLD', hubUrl: 'https://hub.example/' })));
    expect(ids[0]).toBe('tag:news.example.org,2023:items/j1');
    expect(doc.feed_url).toBe(`${base}/feeds/all.json`);
    expect(doc.next_url).toBe(`${base}/feeds/all.json?page=OLD`);
    expect(doc.hubs).toEqual([{ type: 'WebSub', url: 'https://hub.example/' }]);
    expect(doc.items[0]).toMatchObject({
      url: 'https://news.example.org/items/j1',
      summary: 'Summary of j1.',
      authors: [{ name: 'Ana' }],
      language: 'es',
      tags: ['Chile', 'Trade and investment promotion'],
      _pacific_alliance: { countries: ['cl'], topics: ['trade-investment'] },
    });
  });
});

describe('hostile content', () => {
  const hostile = buildItem({
    id: 'evil',
    title: 'Bad\u0000 title\u0007 ]]> <script>alert(1)</script> \uD800',
    summary: 'Summary with \u001b escape ]]> and <b>tags</b>',
    contentHtml:
      '<p onclick="steal()">Hi]]>there</p><script>alert("x")</script><a href="javascript:alert(1)">click</a>' +
      '<iframe src="https://evil.example"></iframe><p>\u0008ok\uFFFE</p><![CDATA[ nested ]]>',
    link: 'javascript:alert(document.cookie)',
    author: 'Mallory\u0001 <mallory@evil>',
    enclosures: [{ url: 'javascript:alert(1)', type: 'text/html' }],
  });

  for (const format of ['rss', 'atom', 'json'] as const) {
    it(`never breaks the ${format} feed nor lets script or javascript: through`, () => {
      const body = renderFeed(format, page({ items: [hostile, ...manyItems(2)] }));
      expect(body).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/);
      expect(body).not.toMatch(/<script/i);
      expect(body).not.toMatch(/javascript:/i);
      expect(body).not.toMatch(/onclick/i);
      const summary = format === 'rss' ? checkRss(body) : format === 'atom' ? checkAtom(body) : checkJsonFeed(body);
      expect(summary.ids).toHaveLength(3);
      // The javascript: link is replaced by the site's home page, never dropped into the feed.
      expect(summary.links[0]).toBe(`${base}/`);
      if (format !== 'json') expect(XMLValidator.validate(body)).toBe(true);
    });
  }

  it('strips every character XML 1.0 forbids', () => {
    expect(xmlSafe('a\u0000b\u0001c\td\ne\rf\uFFFEg\uD800h\u{1F600}')).toBe('abc\td\ne\rfgh\u{1F600}');
  });
});

describe('reproducible output', () => {
  it('gives byte-identical feeds for the same items, whatever the time of rendering', async () => {
    for (const format of ['rss', 'atom', 'json'] as const) {
      const a = renderFeed(format, page({ items: manyItems(50) }));
      await new Promise((r) => setTimeout(r, 5));
      const b = renderFeed(format, page({ items: manyItems(50) }));
      expect(b).toBe(a);
      expect(a).not.toContain(String(new Date().getUTCFullYear() + 1));
    }
  });
});

describe('validators', () => {
  const head = { scope: 'all', changedAt: '2024-04-01T10:00:00.000Z', seq: 7 };
  const id = { scope: 'all', format: 'rss' as const, pageSize: 50, baseUrl: base };

  it('gives a strong ETag that changes with the head, the format, the page and the page size', () => {
    const v = headValidators(head, id);
    expect(v.etag).toMatch(/^"[^"W]+"$/);
    expect(v.lastModified).toBe('Mon, 01 Apr 2024 10:00:00 GMT');
    expect(headValidators(head, id)).toEqual(v);
    const others = [
      headValidators({ ...head, seq: 8 }, id),
      headValidators(head, { ...id, format: 'atom' }),
      headValidators(head, { ...id, page: 'x' }),
      headValidators(head, { ...id, pageSize: 20 }),
      headValidators(head, { ...id, hubUrl: 'https://hub.example/' }),
    ].map((o) => o.etag);
    expect(new Set([v.etag, ...others]).size).toBe(6);
  });

  it('evaluates If-None-Match before If-Modified-Since, with weak comparison and content-coding variants', () => {
    const v = headValidators(head, id);
    expect(isNotModified({ ifNoneMatch: v.etag }, v)).toBe(true);
    expect(isNotModified({ ifNoneMatch: `W/${v.etag}` }, v)).toBe(true);
    expect(isNotModified({ ifNoneMatch: `"nope", ${etagFor(v.etag, 'gzip')}` }, v)).toBe(true);
    expect(isNotModified({ ifNoneMatch: etagFor(v.etag, 'br') }, v)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '*' }, v)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"other"', ifModifiedSince: v.lastModified }, v)).toBe(false);
    expect(isNotModified({ ifModifiedSince: v.lastModified }, v)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Mon, 01 Apr 2024 09:59:59 GMT' }, v)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'not a date' }, v)).toBe(false);
    expect(isNotModified({}, v)).toBe(false);
  });

  it('hashes bodies when there is no head record', () => {
    expect(bodyValidators('a', '2024-01-01T00:00:00Z').etag).not.toBe(bodyValidators('b', '2024-01-01T00:00:00Z').etag);
  });
});

describe('serveFeed', () => {
  const settings = { baseUrl: base, pageSize: 10 };

  it('answers 304 from the head record alone, reading no items and rendering nothing', async () => {
    const reader = new MemoryItemReader(manyItems(30));
    const first = await serveFeed(reader, settings, { path: 'all.atom' });
    expect(first.status).toBe(200);
    reader.calls = { get: 0, getMany: 0, listScope: 0, getScopeHead: 0 };
    const again = await serveFeed(reader, settings, { path: 'all.atom', ifNoneMatch: first.validators.etag });
    expect(again).toMatchObject({ status: 304, itemsRead: false });
    expect(again.body).toBeUndefined();
    expect(reader.calls).toEqual({ get: 0, getMany: 0, listScope: 0, getScopeHead: 1 });
    const since = await serveFeed(reader, settings, { path: 'all.atom', ifModifiedSince: first.validators.lastModified });
    expect(since.status).toBe(304);
  });

  it('serves a new representation after ingest touches the scope', async () => {
    const reader = new MemoryItemReader(manyItems(3));
    const first = await serveFeed(reader, settings, { path: 'countries/cl.rss' });
    reader.put([buildItem({ id: 'fresh', publishedAt: '2024-04-02T00:00:00.000Z', updatedAt: '2024-04-02T00:00:00.000Z' })], '2024-04-02T00:00:05.000Z');
    const second = await serveFeed(reader, settings, { path: 'countries/cl.rss', ifNoneMatch: first.validators.etag });
    expect(second.status).toBe(200);
    expect(checkRss(second.body!).ids[0]).toBe('tag:news.example.org,2023:items/fresh');
    expect(second.headers['last-modified']).toBe('Tue, 02 Apr 2024 00:00:05 GMT');
  });

  it('pages through the whole history with next links, every item exactly once', async () => {
    const reader = new MemoryItemReader(manyItems(25));
    const seen: string[] = [];
    let pageCursor: string | undefined;
    let pages = 0;
    do {
      const result = await serveFeed(reader, settings, { path: 'all.json', ...(pageCursor ? { page: pageCursor } : {}) });
      const { doc, ids } = checkJsonFeed(result.body!);
      seen.push(...ids);
      pageCursor = doc.next_url ? new URL(doc.next_url).searchParams.get('page')! : undefined;
      expect(result.headers['cache-control']).toContain(pages === 0 ? 'max-age=300' : 'max-age=3600');
      pages++;
    } while (pageCursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
  });

  it('puts items only in the feeds their tags say', async () => {
    const items = manyItems(12);
    const reader = new MemoryItemReader(items);
    for (const scope of allScopes()) {
      const result = await serveFeed(reader, { baseUrl: base, pageSize: 100 }, { path: `${scopeId(scope)}.atom` });
      const { ids } = checkAtom(result.body!);
      const expected = items
        .filter((i) =>
          scope.kind === 'all' ||
          (scope.kind === 'country' && i.countries.includes(scope.country)) ||
          (scope.kind === 'topic' && i.topics.includes(scope.topic)) ||
          (scope.kind === 'countryTopic' && i.countries.includes(scope.country) && i.topics.includes(scope.topic)),
        )
        .map((i) => `tag:news.example.org,2023:items/${i.id}`);
      expect(ids, scopeId(scope)).toEqual(expected);
    }
  });

  it('serves an empty, valid feed for a scope with no items yet', async () => {
    const result = await serveFeed(new MemoryItemReader([]), settings, { path: 'topics/tourism-culture.atom' });
    expect(result.status).toBe(200);
    expect(checkAtom(result.body!).ids).toEqual([]);
    expect(result.validators.lastModified).toBe('Thu, 01 Jan 1970 00:00:00 GMT');
  });
});

describe('OPML and the /feeds page', () => {
  it('lists every feed in OPML 2.0, grouped by country and topic', () => {
    const xml = renderOpml(base);
    const doc = parseXml(xml);
    expect(doc.documentElement!.getAttribute('version')).toBe('2.0');
    const outlines = childrenNamed(doc, null, 'outline');
    const feeds = outlines.filter((o) => o.getAttribute('xmlUrl'));
    expect(feeds).toHaveLength(allScopes().length);
    for (const o of feeds) {
      expect(o.getAttribute('type')).toBe('rss');
      expect(o.getAttribute('text')).toBeTruthy();
      expect(parseFeedPath(new URL(o.getAttribute('xmlUrl')!).pathname.slice('/feeds/'.length)).format).toBe('rss');
    }
    const groups = childrenNamed(doc, null, 'body')[0]!;
    const topLevel = Array.from(groups.childNodes as unknown as ArrayLike<Element>).filter((n) => n.nodeType === 1).map((o) => o.getAttribute('text'));
    expect(topLevel).toEqual(['All news', 'By country', 'By topic']);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(parsed.opml.head.title).toContain('all feeds');
  });

  it('gives other pages autodiscovery links for their scope and for all news', () => {
    expect(feedAutodiscoveryLinks()).toBe(
      [
        '<link rel="alternate" type="application/rss+xml" title="Pacific Alliance News (RSS)" href="/feeds/all.rss">',
        '<link rel="alternate" type="application/atom+xml" title="Pacific Alliance News (Atom)" href="/feeds/all.atom">',
        '<link rel="alternate" type="application/feed+json" title="Pacific Alliance News (JSON Feed)" href="/feeds/all.json">',
      ].join('\n'),
    );
    const links = feedAutodiscoveryLinks({ kind: 'country', country: 'pe' }, { baseUrl: `${base}/` });
    expect(links.split('\n')).toHaveLength(6);
    expect(links).toContain(`href="${base}/feeds/countries/pe.atom"`);
    expect(links).toContain('title="Pacific Alliance News: Peru (JSON Feed)"');
  });

  it("titles autodiscovery links in the words it is given (the page's language), every scope and format", () => {
    const links = feedAutodiscoveryLinks({ kind: 'topic', topic: 'trade-investment' }, { titleOf: (s) => (s.kind === 'all' ? 'Todas' : `Tema ${scopeId(s)}`) });
    expect(links.match(/title="[^"]*"/g)).toEqual([
      'title="Tema topics/trade-investment (RSS)"',
      'title="Tema topics/trade-investment (Atom)"',
      'title="Tema topics/trade-investment (JSON Feed)"',
      'title="Todas (RSS)"',
      'title="Todas (Atom)"',
      'title="Todas (JSON Feed)"',
    ]);
    expect(feedAutodiscoveryLinks({ kind: 'all' }, { titleOf: () => 'A "quoted" & <odd> name' })).toContain('title="A &quot;quoted&quot; &amp; &lt;odd&gt; name (RSS)"');
  });
});

describe("pages' autodiscovery titles", () => {
  const titlesOf = async (lang: 'es' | 'en', feedScope?: Parameters<typeof feedAutodiscoveryLinks>[0]) => {
    const html = String(await Layout({ lang, title: 'x', ...(feedScope ? { feedScope } : {}) }).toString());
    return [...html.matchAll(/<link rel="alternate" type="application\/[^"]+" title="([^"]*)"/g)].map((m) => m[1]);
  };

  it('are in Spanish on a Spanish page and in English on an English page', async () => {
    expect(await titlesOf('es')).toEqual(['Noticias de la Alianza del Pacífico (RSS)', 'Noticias de la Alianza del Pacífico (Atom)', 'Noticias de la Alianza del Pacífico (JSON Feed)']);
    expect(await titlesOf('en')).toEqual(['Pacific Alliance News (RSS)', 'Pacific Alliance News (Atom)', 'Pacific Alliance News (JSON Feed)']);
    const peru = { kind: 'countryTopic', country: 'pe', topic: 'trade-investment' } as const;
    expect((await titlesOf('es', peru))[0]).toBe('Noticias de la Alianza del Pacífico: Perú · Comercio y promoción de inversiones (RSS)');
    expect((await titlesOf('en', peru))[0]).toBe('Pacific Alliance News: Peru · Trade and investment promotion (RSS)');
    expect(await titlesOf('es', peru)).toHaveLength(6);
  });
});
