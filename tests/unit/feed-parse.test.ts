import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FeedParseError } from '../../lambdas/core/ingest/errors.js';
import { absolutiseHtml, decodeBody, parseFeed, parseFeedDate, type ParsedFeed } from '../../lambdas/core/ingest/feed-parser.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../fixtures/feeds/${name}`, import.meta.url)));
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parseError(fn: () => unknown): FeedParseError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FeedParseError);
    expect((err as FeedParseError).name).toBe('FeedParseError');
    return err as FeedParseError;
  }
  throw new Error('expected parseFeed to throw');
}

function expectDatesWellFormed(feed: ParsedFeed): void {
  for (const e of feed.entries) {
    if (e.publishedAt !== undefined) expect(e.publishedAt).toMatch(ISO_UTC);
    if (e.updatedAt !== undefined) expect(e.updatedAt).toMatch(ISO_UTC);
  }
}

describe('parseFeed: RSS 2.0', () => {
  const feed = parseFeed(fixture('rss2-basic.xml'), { baseUrl: 'https://fetched.example.org/feed.xml', contentType: 'application/rss+xml' });

  it('reads the channel, resolving its link against the channel xml:base', () => {
    expect(feed.format).toBe('rss2');
    expect(feed.title).toBe('Noticias de la Alianza & más');
    expect(feed.link).toBe('https://news.example.org/es/');
    expect(feed.language).toBe('es-CL');
    expectDatesWellFormed(feed);
  });

  it('keeps CDATA text verbatim and decodes XML, HTML named and numeric entities', () => {
    const e = feed.entries[0]!;
    expect(e.title).toBe('Chile & Perú firman acuerdo <pesquero>');
    expect(e.summary).toBe('Resumen con entidades: café é é <b>negrita</b> &amp; fin');
    expect(e.author).toBe('María José Núñez');
  });

  it('resolves item links, enclosure URLs and links inside content against xml:base, leaving #fragments alone', () => {
    const e = feed.entries[0]!;
    expect(e.link).toBe('https://news.example.org/es/noticias/acuerdo-pesquero');
    expect(e.contentHtml).toContain('href="https://news.example.org/otras/nota.html"');
    expect(e.contentHtml).toContain('src="https://news.example.org/img/foto.jpg"');
    expect(e.contentHtml).toContain('href="#ancla"');
    // An item's own xml:base beats the channel's.
    expect(feed.entries[1]!.link).toBe('https://otro.example.com/base/articulo-2.html');
    expect(feed.entries[1]!.contentHtml).toBe('See <a href="https://otro.example.com/base/relativo.html">this</a>.');
  });

  it('does not sanitise: raw HTML (even a script) is passed on for the sanitiser', () => {
    expect(feed.entries[0]!.contentHtml).toContain('<script>alert(1)</script>');
  });

  it('reads enclosures with url, type and length, omitting a length that is not a number', () => {
    expect(feed.entries[0]!.enclosures).toEqual([
      { url: 'https://news.example.org/es/media/entrevista.mp3', type: 'audio/mpeg', length: 1234567 },
      { url: 'https://cdn.example.org/video.mp4', type: 'video/mp4' },
    ]);
  });

  it('reads categories as given', () => {
    expect(feed.entries[0]!.categories).toEqual(['Pesca y océanos', 'Perú']);
  });

  it('takes the GUID from guid, then link, then a hash of title and date', () => {
    expect(feed.entries[0]!.guid).toBe('tag:news.example.org,2023:1001'); // isPermaLink="false": kept as is
    expect(feed.entries[1]!.guid).toBe('2002'); // default isPermaLink, but not a URL: kept as is, not read as relative
    expect(feed.entries[2]!.guid).toBe('https://news.example.org/es/permalink'); // a permalink guid is also the link
    expect(feed.entries[2]!.link).toBe('https://news.example.org/es/permalink');
    expect(feed.entries[3]!.guid).toBe('https://news.example.org/es/tres');
    expect(feed.entries[4]!.guid).toMatch(/^sha256:[0-9a-f]{40}$/);
    const again = parseFeed(fixture('rss2-basic.xml'), { baseUrl: 'https://fetched.example.org/feed.xml' });
    expect(again.entries[4]!.guid).toBe(feed.entries[4]!.guid);
  });

  it('does not read an id-like guid as a relative URL', () => {
    const f = parseFeed('<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>12345</guid></item></channel></rss>', { baseUrl: 'https://x.example/feed' });
    expect(f.entries[0]!.guid).toBe('12345');
    expect(f.entries[0]!.link).toBeUndefined();
  });

  it('reads RFC 822 dates with named and numeric zones, and leaves an unreadable or missing date undefined', () => {
    expect(feed.entries[0]!.publishedAt).toBe('2023-03-13T15:30:00.000Z'); // EST = -05:00
    expect(feed.entries[1]!.publishedAt).toBe('2023-03-14T02:30:00.000Z'); // +0530
    expect(feed.entries[2]!.publishedAt).toBe('2023-03-15T08:00:00.000Z');
    expect(feed.entries[3]!.publishedAt).toBeUndefined();
    expect(feed.entries[4]!.publishedAt).toBeUndefined();
    expect('publishedAt' in feed.entries[3]!).toBe(false);
  });

  it('gives entries the channel language, and reports an item that nothing identifies as rejected', () => {
    expect(feed.entries.every((e) => e.language === 'es-CL')).toBe(true);
    expect(feed.entries).toHaveLength(5);
    expect(feed.rejected).toEqual([{ index: 5, reason: expect.stringContaining('no guid, link, title or content') }]);
  });

  it('tolerates a bare ampersand in text, as real feeds have', () => {
    const f = parseFeed('<rss version="2.0"><channel><title>A & B</title><item><title>Trade & SMEs</title><link>https://x.example/1</link></item></channel></rss>', { baseUrl: 'https://x.example/' });
    expect(f.title).toBe('A & B');
    expect(f.entries[0]!.title).toBe('Trade & SMEs');
  });

  it('drops links that are not http(s)', () => {
    const f = parseFeed('<rss version="2.0"><channel><title>t</title><item><title>x</title><link>javascript:alert(1)</link><guid isPermaLink="false">g</guid><enclosure url="file:///etc/passwd" type="text/plain" length="1"/></item></channel></rss>', { baseUrl: 'https://x.example/' });
    expect(f.entries[0]!.link).toBeUndefined();
    expect(f.entries[0]!.enclosures).toEqual([]);
  });
});

describe('parseFeed: character encodings', () => {
  it('decodes a windows-1252 feed declared in its XML declaration (smart quotes, euro sign)', () => {
    const f = parseFeed(fixture('rss2-windows-1252.xml'), { baseUrl: 'https://cp.example.org/feed' });
    expect(f.title).toBe('Cañón “Noticias” €');
    expect(f.entries[0]!.title).toBe('Año nuevo en Perú — “éxito”');
    expect(f.entries[0]!.summary).toBe('Pingüino & ñandú cost 5 €');
    expect(f.entries[0]!.publishedAt).toBe('2023-03-03T21:45:00.000Z');
  });

  it('decodes an ISO-8859-1 feed declared in its XML declaration', () => {
    const f = parseFeed(fixture('rss2-iso-8859-1.xml'), { baseUrl: 'https://l1.example.org/feed', contentType: 'text/xml' });
    expect(f.title).toBe('Educación');
    expect(f.entries[0]!.summary).toBe('Inscripción abierta: «mañana»');
  });

  it('uses the Content-Type charset when the document declares none', () => {
    const f = parseFeed(fixture('rss2-latin1-undeclared.xml'), { baseUrl: 'https://l1.example.org/feed', contentType: 'application/rss+xml; charset="ISO-8859-1"' });
    expect(f.entries[0]!.summary).toBe('Inscripción abierta: «mañana»');
  });

  it('falls back to windows-1252 when bytes said (or assumed) to be UTF-8 are not', () => {
    const f = parseFeed(fixture('rss2-latin1-undeclared.xml'), { baseUrl: 'https://l1.example.org/feed', contentType: 'text/xml; charset=utf-8' });
    expect(f.title).toBe('Educación');
  });

  it('honours a UTF-16 byte order mark', () => {
    const f = parseFeed(fixture('rss2-utf16le-bom.xml'), { baseUrl: 'https://l1.example.org/feed' });
    expect(f.title).toBe('Educación');
    expect(f.entries[0]!.summary).toBe('Inscripción abierta: «mañana»');
  });

  it('ignores a UTF-16 label on a document whose bytes are 8-bit', () => {
    const body = Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Perú</title></channel></rss>');
    expect(parseFeed(body, { baseUrl: 'https://x.example/', contentType: 'text/xml; charset=utf-16' }).title).toBe('Perú');
  });

  it('strips a UTF-8 byte order mark', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<rss version="2.0"><channel><title>Ñ</title></channel></rss>')]);
    expect(decodeBody(body)).toBe('<rss version="2.0"><channel><title>Ñ</title></channel></rss>');
    expect(parseFeed(body, { baseUrl: 'https://x.example/' }).title).toBe('Ñ');
  });

  it('refuses an encoding it cannot decode with feed.encoding', () => {
    const err = parseError(() => parseFeed(Buffer.from('<?xml version="1.0" encoding="x-klingon"?><rss version="2.0"><channel><title>t</title></channel></rss>'), { baseUrl: 'https://x.example/' }));
    expect(err.code).toBe('feed.encoding');
    expect(err.message).toContain('x-klingon');
  });
});

describe('parseFeed: RSS 1.0 (RDF)', () => {
  const feed = parseFeed(fixture('rss1-rdf.xml'), { baseUrl: 'https://rdf.example.org/index.rdf' });

  it('reads channel and items, with rdf:about as the GUID, dc:date, dc:subject and dc:creator', () => {
    expect(feed.format).toBe('rss1');
    expect(feed.title).toBe('RDF News');
    expect(feed.language).toBe('en');
    expect(feed.entries).toHaveLength(2);
    const e = feed.entries[0]!;
    expect(e).toMatchObject({
      guid: 'https://rdf.example.org/a',
      link: 'https://rdf.example.org/a',
      title: 'Colombia joins digital trade pilot',
      publishedAt: '2023-02-09T19:00:00.000Z',
      summary: 'A <em>short</em> description.',
      author: 'Desk',
      categories: ['Digital transformation'],
      language: 'en',
    });
    expect(e.contentHtml).toBe('<p>Full text with <a href="https://rdf.example.org/more">more</a>.</p>');
    expect(feed.entries[1]!.publishedAt).toBeUndefined();
    expectDatesWellFormed(feed);
  });
});

describe('parseFeed: Atom 1.0', () => {
  const feed = parseFeed(fixture('atom-xhtml.xml'), { baseUrl: 'https://atom.example.net/blog/feed.atom' });

  it('reads the feed title (type="html" as text), alternate link and xml:lang', () => {
    expect(feed.format).toBe('atom');
    expect(feed.title).toBe('Atom Blog & notes');
    expect(feed.link).toBe('https://atom.example.net/blog/');
    expect(feed.language).toBe('en');
  });

  it('serialises type="xhtml" content as the inner div\'s children, with links resolved against content > entry > feed xml:base', () => {
    expect(feed.entries[0]!.contentHtml).toBe(
      '<p>Apply <a href="https://atom.example.net/content/apply.html">here</a> &amp; <em>now</em>.</p>' +
        '<p><img src="https://atom.example.net/content/banner.png" alt=""/></p>',
    );
    // A namespace-prefixed xhtml:div loses its prefix.
    expect(feed.entries[2]!.contentHtml).toBe('<p>Prefixed <b>bold</b></p>');
  });

  it('resolves entry links and enclosure links against entry xml:base > feed xml:base', () => {
    const e = feed.entries[0]!;
    expect(e.link).toBe('https://atom.example.net/blog/posts/2023/scholarships.html');
    expect(e.enclosures).toEqual([{ url: 'https://atom.example.net/blog/posts/2023/files/call.pdf', type: 'application/pdf', length: 2048 }]);
    expect(feed.entries[1]!.link).toBe('https://atom.example.net/blog/second');
  });

  it('uses the Atom id as GUID, term and label as categories, and the feed author when the entry has none', () => {
    const e = feed.entries[0]!;
    expect(e.guid).toBe('urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a');
    expect(e.categories).toEqual(['scholarships', 'Scholarships & mobility', 'mx']);
    expect(e.author).toBe('Feed Author');
    expect(e.title).toBe('Mexico & Peru: scholarships');
  });

  it('reads published and updated as UTC, falls back to updated for publishedAt, and ignores a garbage date', () => {
    expect(feed.entries[0]!.publishedAt).toBe('2023-03-13T08:00:00.000Z');
    expect(feed.entries[0]!.updatedAt).toBe('2023-03-14T10:00:00.000Z');
    expect(feed.entries[1]!.publishedAt).toBe('2023-03-12T11:00:00.000Z');
    expect(feed.entries[2]!.publishedAt).toBeUndefined();
    expect(feed.entries[2]!.updatedAt).toBeUndefined();
    expectDatesWellFormed(feed);
  });

  it('unescapes type="html" content and escapes type="text" content and summaries into HTML', () => {
    expect(feed.entries[1]!.title).toBe('Bold title');
    expect(feed.entries[1]!.contentHtml).toBe('<p>Escaped <a href="https://atom.example.net/blog/rel/x.html">HTML</a></p>');
    expect(feed.entries[3]!.contentHtml).toBe('1 &lt; 2 &amp; 3 &gt; 2');
    expect(feed.entries[0]!.summary).toBe('Less &lt; more &amp; so on');
  });
});

describe('parseFeed: JSON Feed', () => {
  it('reads JSON Feed 1.1: id, relative url and attachments resolved against the feed URL, tags, authors, language', () => {
    const feed = parseFeed(fixture('json-feed-1.1.json'), { baseUrl: 'https://json.example.com/feed.json', contentType: 'application/feed+json' });
    expect(feed).toMatchObject({ format: 'json', title: 'JSON News', link: 'https://json.example.com/', language: 'es' });
    const [a, b] = feed.entries;
    expect(a).toMatchObject({
      guid: '2023-03-13-trade',
      link: 'https://json.example.com/2023/03/13/trade',
      title: 'Comercio e inversión en México',
      publishedAt: '2023-03-13T16:00:00.000Z',
      updatedAt: '2023-03-13T18:00:00.000Z',
      summary: 'Resumen &lt;breve&gt;',
      author: 'Ana',
      language: 'es',
      categories: ['Comercio', 'México'],
    });
    expect(a!.contentHtml).toBe('<p>Detalles en <a href="https://json.example.com/2023/03/13/detalle.html">la nota</a>.</p>');
    // The javascript: attachment is dropped.
    expect(a!.enclosures).toEqual([{ url: 'https://json.example.com/audio/trade.mp3', type: 'audio/mpeg', length: 4096 }]);
    // A numeric id becomes a string; content_text is escaped; an unreadable date is left out.
    expect(b).toMatchObject({ guid: '42', contentHtml: 'Uno &lt; dos &amp; tres', author: 'Redacción' });
    expect(b!.publishedAt).toBeUndefined();
  });

  it('reads JSON Feed 1.0 (single author object)', () => {
    const feed = parseFeed(fixture('json-feed-1.0.json'), { baseUrl: 'https://old.example.com/feed.json' });
    expect(feed.format).toBe('json');
    expect(feed.entries).toEqual([
      {
        guid: 'a1',
        link: 'https://old.example.com/a1',
        title: 'First',
        publishedAt: '2020-01-02T03:04:05.000Z',
        contentHtml: '<p>One</p>',
        author: 'Old Author',
        categories: [],
        enclosures: [],
      },
    ]);
  });

  it('refuses JSON that is not a JSON Feed, and invalid JSON', () => {
    expect(parseError(() => parseFeed('{"hello":"world"}', { baseUrl: 'https://x.example/' })).code).toBe('feed.unsupported');
    expect(parseError(() => parseFeed('{"version":"https://jsonfeed.org/version/1.1","items":[', { baseUrl: 'https://x.example/' })).code).toBe('feed.malformed');
  });
});

describe('parseFeed: bad input', () => {
  const opts = { baseUrl: 'https://bad.example.org/feed' };

  it('malformed XML gives feed.malformed with the line and column', () => {
    const err = parseError(() => parseFeed(fixture('malformed.xml'), opts));
    expect(err.code).toBe('feed.malformed');
    expect(err.message).toMatch(/line 3, column \d+/);
  });

  it('a truncated feed gives feed.malformed naming the elements left open, not a half-read feed', () => {
    const err = parseError(() => parseFeed(fixture('truncated.xml'), opts));
    expect(err.code).toBe('feed.malformed');
    expect(err.message).toContain('truncated');
    expect(err.message).toContain('<channel>');
  });

  it('binary garbage gives feed.malformed', () => {
    const err = parseError(() => parseFeed(fixture('binary-garbage.bin'), opts));
    expect(err.code).toBe('feed.malformed');
    expect(err.message).toContain('binary');
  });

  it('an HTML page gives feed.unsupported and points at the feed the page advertises', () => {
    const err = parseError(() => parseFeed(fixture('html-page.html'), { ...opts, contentType: 'text/html; charset=utf-8' }));
    expect(err.code).toBe('feed.unsupported');
    expect(err.message).toContain('HTML page');
    expect(err.message).toContain('https://news.example.org/feed.xml');
    // Also without a DOCTYPE.
    expect(parseError(() => parseFeed('<html><body>hi</body></html>', opts)).code).toBe('feed.unsupported');
  });

  it('an entity-expansion ("billion laughs") bomb is refused at once, without expanding anything', () => {
    const started = performance.now();
    const err = parseError(() => parseFeed(fixture('billion-laughs.xml'), opts));
    expect(err.code).toBe('feed.entityDeclaration');
    expect(performance.now() - started).toBeLessThan(500);
    // External entities (XXE) are refused the same way, and so is a DOCTYPE that comes after a long comment.
    const xxe = '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&xxe;</title></channel></rss>';
    expect(parseError(() => parseFeed(xxe, opts)).code).toBe('feed.entityDeclaration');
    const late = `<?xml version="1.0"?><!--${'x'.repeat(20_000)}--><!DOCTYPE rss [<!ENTITY a SYSTEM "file:///etc/passwd">]><rss version="2.0"><channel><title>&a;</title></channel></rss>`;
    expect(parseError(() => parseFeed(late, opts)).code).toBe('feed.entityDeclaration');
  });

  it('an external DTD reference without an internal subset (RSS 0.91) is fine', () => {
    const f = parseFeed(
      '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"><channel><title>old</title><item><title>i</title><link>http://x.example/i</link></item></channel></rss>',
      opts,
    );
    expect(f.entries[0]).toMatchObject({ guid: 'http://x.example/i', title: 'i' });
  });

  it('deeply nested markup (an HTML bomb in a description) neither hangs nor overflows the stack', () => {
    const started = performance.now();
    const f = parseFeed(`<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>g</guid><description>${'<div>'.repeat(50_000)}${'</div>'.repeat(50_000)}</description></item></channel></rss>`, opts);
    expect(f.entries).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('an empty or blank body gives feed.empty', () => {
    expect(parseError(() => parseFeed(Buffer.alloc(0), opts)).code).toBe('feed.empty');
    expect(parseError(() => parseFeed('  \n\t ', opts)).code).toBe('feed.empty');
  });

  it('XML that is not a feed, and text that is neither XML nor JSON, give feed.unsupported', () => {
    const xml = parseError(() => parseFeed('<?xml version="1.0"?><note><to>x</to></note>', opts));
    expect(xml.code).toBe('feed.unsupported');
    expect(xml.message).toContain('<note>');
    expect(parseError(() => parseFeed('Service Unavailable', opts)).code).toBe('feed.unsupported');
  });

  it('a hostile HTML fragment in content does not break parsing (it is returned raw for the sanitiser)', () => {
    const f = parseFeed(
      '<rss version="2.0"><channel><title>t</title><item><title>x</title><guid>g</guid><description><![CDATA[<img src=x onerror="alert(1)"><a href="javascript:alert(2)">y</a>]]></description></item></channel></rss>',
      opts,
    );
    expect(f.entries[0]!.contentHtml).toBe('<img src="https://bad.example.org/x" onerror="alert(1)"><a href="javascript:alert(2)">y</a>');
  });

  it.each([
    ['a never-closed DOCTYPE', () => `<!DOCTYPE rss [${'a'.repeat(1_000_000)}`],
    ['thousands of processing instructions before an unclosed comment', () => `<?xml version="1.0"?>${'<?x?>'.repeat(10_000)}<!--${'a'.repeat(1_000_000)}`],
    ['100,000 unclosed <item> elements', () => `<rss version="2.0"><channel><title>t</title>${'<item>'.repeat(100_000)}`],
  ])('hostile markup (%s) fails fast with a short message', (_label, make) => {
    const started = performance.now();
    const err = parseError(() => parseFeed(make(), opts));
    expect(err.code).toBe('feed.malformed');
    expect(err.message.length).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a large feed (5,000 items, ~5 MB) parses in reasonable time', () => {
    let items = '';
    for (let i = 0; i < 5000; i++) {
      items += `<item><title>Item ${i}</title><link>https://x.example/${i}</link><pubDate>Mon, 13 Mar 2023 10:30:00 GMT</pubDate><description><![CDATA[<p>${'Lorem ipsum dolor sit amet '.repeat(30)}</p>]]></description></item>`;
    }
    const started = performance.now();
    const f = parseFeed(Buffer.from(`<rss version="2.0"><channel><title>Big</title>${items}</channel></rss>`), opts);
    expect(f.entries).toHaveLength(5000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe('parseFeedDate', () => {
  it.each([
    ['Tue, 10 Jun 2003 04:00:00 GMT', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 EST', '2003-06-10T09:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 PDT', '2003-06-10T11:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00 +0000', '2003-06-10T04:00:00.000Z'],
    ['10 Jun 03 04:00:00 +05:30', '2003-06-09T22:30:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 -0000', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 Z', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00', '2003-06-10T04:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 +0200 (CEST)', '2003-06-10T02:00:00.000Z'],
    ['Tue, 10 Jun 2003 04:00:00 XYZ', '2003-06-10T04:00:00.000Z'],
    ['Sunday, 02-Oct-02 13:00:00 GMT', '2002-10-02T13:00:00.000Z'],
    ['lun, 13 mar 2023 10:00:00 -0500', '2023-03-13T15:00:00.000Z'],
    ['13 ene 2023 10:00 CLT', '2023-01-13T14:00:00.000Z'],
    ['Fri, 5 May 2023 3:05 PM CLT', '2023-05-05T19:05:00.000Z'],
    ['2023-03-13T10:00:00-05:00', '2023-03-13T15:00:00.000Z'],
    ['2023-03-13T10:00:00.123456Z', '2023-03-13T10:00:00.123Z'],
    ['2023-03-13t10:00:00z', '2023-03-13T10:00:00.000Z'],
    ['2023-03-13 10:00', '2023-03-13T10:00:00.000Z'],
    ['2023-03-13', '2023-03-13T00:00:00.000Z'],
    ['20230313T101010Z', '2023-03-13T10:10:10.000Z'],
    ['March 13th, 2023', '2023-03-13T00:00:00.000Z'],
    ['Feb 9, 2023 14:30 GMT', '2023-02-09T14:30:00.000Z'],
    ['Tue Jun 10 2003 04:00:00 GMT+0200 (Central European Summer Time)', '2003-06-10T02:00:00.000Z'],
  ])('%s → %s', (raw, iso) => {
    expect(parseFeedDate(raw)).toBe(iso);
  });

  it.each(['', '   ', 'yesterday', 'the day before yesterday', '31 Feb 2023 10:00:00 GMT', '2023-13-45T00:00:00Z', 'Mon, 03 Jun 2024 25:00:00 GMT', 'Sat, 1 Jan 0000 00:00:00 +0000', '13/03/2023', '9999999999999', 'Tue, 10 Foo 2003 04:00:00 GMT'])(
    'unreadable %j → undefined',
    (raw) => {
      expect(parseFeedDate(raw)).toBeUndefined();
    },
  );

  it('never returns an Invalid Date or throws, whatever the input', () => {
    const samples = [undefined, null, 'NaN', '2023-02-29', '2024-02-29', 'Thu, 01 Jan 1970 00:00:00 +9999', '٢٠٢٣-٠٣-١٣', 'x'.repeat(10_000)];
    for (const s of samples) {
      const out = parseFeedDate(s as string | undefined);
      if (out !== undefined) expect(out).toMatch(ISO_UTC);
    }
    expect(parseFeedDate('2023-02-29')).toBeUndefined();
    expect(parseFeedDate('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('absolutiseHtml', () => {
  it('resolves relative href, src and srcset (quoted or not), and leaves absolute URLs, fragments and other schemes', () => {
    const base = 'https://site.example/a/b/';
    expect(absolutiseHtml('<a href=c.html>x</a>', base)).toBe('<a href="https://site.example/a/b/c.html">x</a>');
    expect(absolutiseHtml(`<img src='/i.png' srcset="s.png 1x, /l.png 2x">`, base)).toBe(
      '<img src="https://site.example/i.png" srcset="https://site.example/a/b/s.png 1x, https://site.example/l.png 2x">',
    );
    expect(absolutiseHtml('<a href="?q=1&amp;r=2">q</a>', base)).toBe('<a href="https://site.example/a/b/?q=1&amp;r=2">q</a>');
    const untouched = '<a href="https://other.example/x">a</a><a href="#top">b</a><a href="mailto:x@y.example">c</a><a href="javascript:void(0)">d</a>';
    expect(absolutiseHtml(untouched, base)).toBe(untouched);
  });
});
