// Feed shapes readers show and we used to refuse or drop: internal DTD entities, RSS without a channel, empty
// entries (accounted for), entry images, Atom out-of-line content; and titles derived from text.
import { describe, expect, it } from 'vitest';
import { FeedParseError } from '../../lambdas/core/ingest/errors.js';
import { parseFeed } from '../../lambdas/core/ingest/feed-parser.js';
import { titleFromText } from '../../lambdas/core/ingest/entry-title.js';
import { entityLimits } from '../../lambdas/core/ingest/xml-entities.js';

const opts = { baseUrl: 'https://feeds.example/news/feed.xml' };
const rss = (doctype: string, body: string) => `<?xml version="1.0"?>${doctype}<rss version="2.0"><channel><title>t</title>${body}</channel></rss>`;
const item = (inner: string) => `<item><guid>g</guid>${inner}</item>`;

function refusal(text: string): FeedParseError {
  try {
    parseFeed(text, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(FeedParseError);
    return error as FeedParseError;
  }
  throw new Error('expected the feed to be refused');
}

describe('internal DTD entities', () => {
  it('expands internal entities, nested ones and character references, in text and attributes, not in CDATA', () => {
    const f = parseFeed(
      rss(
        '<!DOCTYPE rss [<!-- ours --><!ENTITY org "Pacific Alliance"><!ENTITY full "the &org;&#160;bloc"><!ENTITY site \'https://entities.example\'><!ELEMENT rss ANY>]>',
        item('<title>&full; &amp; friends</title><link>&site;/a</link><description><![CDATA[&org; stays]]></description><enclosure url="&site;/a.mp3" type="audio/mpeg"/>'),
      ),
      opts,
    );
    expect(f.entries[0]).toMatchObject({ title: 'the Pacific Alliance bloc & friends', link: 'https://entities.example/a', summary: '&org; stays' });
    expect(f.entries[0]!.enclosures[0]!.url).toBe('https://entities.example/a.mp3');
  });

  it('refuses external and parameter entities, whatever else the DOCTYPE holds', () => {
    for (const decl of [
      '<!ENTITY x SYSTEM "file:///etc/passwd">',
      '<!ENTITY x PUBLIC "-//X//EN" "http://evil.example/x.dtd">',
      '<!ENTITY % p SYSTEM "http://evil.example/p.dtd">',
      '<!ENTITY % p "x"> %p;',
    ]) {
      const error = refusal(rss(`<!DOCTYPE rss [<!ENTITY ok "fine">${decl}]>`, item('<title>&ok;</title>')));
      expect(error.code).toBe('feed.entityDeclaration');
    }
    expect(refusal(rss('<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>', item('<title>&x;</title>'))).message).toContain('external entity');
  });

  it('refuses expansion bombs: too deep, too large, too many, self-referring, or growing the document too much', () => {
    const started = performance.now();
    const deep = Array.from({ length: entityLimits.depth + 1 }, (_, i) => `<!ENTITY e${i} "${i === 0 ? 'x' : `&e${i - 1};`}">`).join('');
    expect(refusal(rss(`<!DOCTYPE rss [${deep}]>`, item('<title>a</title>'))).message).toContain('deep');
    const wide = `<!ENTITY a "${'x'.repeat(100)}"><!ENTITY b "${'&a;'.repeat(200)}">`;
    expect(refusal(rss(`<!DOCTYPE rss [${wide}]>`, item('<title>&b;</title>'))).message).toContain('characters');
    const many = Array.from({ length: entityLimits.declarations + 1 }, (_, i) => `<!ENTITY n${i} "v">`).join('');
    expect(refusal(rss(`<!DOCTYPE rss [${many}]>`, item('<title>a</title>'))).message).toContain('declarations');
    expect(refusal(rss('<!DOCTYPE rss [<!ENTITY a "&b;"><!ENTITY b "&a;">]>', item('<title>&a;</title>'))).message).toContain('itself');
    const big = `<!ENTITY k "${'x'.repeat(entityLimits.valueChars)}">`;
    const refs = '&k;'.repeat(Math.ceil(entityLimits.addedChars / entityLimits.valueChars) + 1);
    expect(refusal(rss(`<!DOCTYPE rss [${big}]>`, item(`<title>${refs}</title>`))).message).toContain('would add');
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('RSS that some parsers refuse', () => {
  it('reads items with no channel around them, and an empty channel as an empty feed', () => {
    const bare = parseFeed('<rss version="2.0"><item><title>a</title><link>https://x.example/a</link></item></rss>', opts);
    expect(bare.entries.map((e) => e.link)).toEqual(['https://x.example/a']);
    expect(parseFeed('<rss version="2.0"><channel></channel></rss>', opts).entries).toEqual([]);
    expect(parseFeed('<rss version="2.0"><channel><item><description>only text</description></item></channel></rss>', opts).entries).toHaveLength(1);
  });

  it('reports empty items as rejected at their place in the document, so every entry is accounted for', () => {
    const f = parseFeed(rss('', '<item></item><item><title>a</title><guid>a</guid></item><item/><item><description><![CDATA[x]]></description></item>'), opts);
    expect(f.entries).toHaveLength(2);
    expect(f.rejected).toEqual([
      { index: 0, reason: 'The item is empty: it has no guid, link, title or content.' },
      { index: 2, reason: 'The item is empty: it has no guid, link, title or content.' },
    ]);
  });
});

describe('entry images', () => {
  const media = 'xmlns:media="http://search.yahoo.com/mrss/"';
  const withMedia = (inner: string) => `<rss version="2.0" ${media}><channel><title>t</title>${item(inner)}</channel></rss>`;

  it('takes media:content of an image medium with its size and description', () => {
    const f = parseFeed(withMedia('<media:content url="/i/a.jpg" medium="image" width="640" height="480"><media:description type="plain">A harbour</media:description></media:content>'), opts);
    expect(f.entries[0]!.image).toEqual({ url: 'https://feeds.example/i/a.jpg', width: 640, height: 480, alt: 'A harbour' });
  });

  it('passes over media that is not an image, to a thumbnail, then an image enclosure, then the content', () => {
    const thumb = parseFeed(withMedia('<media:content url="https://x.example/v.mp4" medium="video"/><media:thumbnail url="https://x.example/t.jpg" width="120"/>'), opts);
    expect(thumb.entries[0]!.image).toEqual({ url: 'https://x.example/t.jpg', width: 120 });
    const enclosure = parseFeed(withMedia('<enclosure url="https://x.example/a.mp3" type="audio/mpeg"/><enclosure url="https://x.example/c.png" type="image/png" length="10"/>'), opts);
    expect(enclosure.entries[0]!.image).toEqual({ url: 'https://x.example/c.png' });
    const content = parseFeed(withMedia('<description>&lt;img src="https://t.example/p.gif" width="1" height="1"&gt;&lt;img src="pics/b.jpg" alt="B"&gt;</description>'), opts);
    expect(content.entries[0]!.image).toEqual({ url: 'https://feeds.example/news/pics/b.jpg', alt: 'B' });
  });

  it('keeps only http(s) images', () => {
    const f = parseFeed(withMedia('<media:content url="data:image/png;base64,AAAA" medium="image"/><description>&lt;img src="javascript:alert(1)"&gt;</description>'), opts);
    expect(f.entries[0]!.image).toBeUndefined();
  });

  it('reads JSON Feed image, then attachments, then the content', () => {
    const json = (item: object) => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', items: [{ id: '1', ...item }] });
    expect(parseFeed(json({ image: '/a.png', content_html: '<img src="b.png">' }), opts).entries[0]!.image).toEqual({ url: 'https://feeds.example/a.png' });
    expect(parseFeed(json({ content_html: '<p><img src="b.png" width="10" height="20"></p>' }), opts).entries[0]!.image).toEqual({ url: 'https://feeds.example/news/b.png', width: 10, height: 20 });
  });
});

describe('Atom out-of-line content', () => {
  it('links an entry without an alternate link to its content src', () => {
    const f = parseFeed(
      '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>f</id><entry><id>e1</id><title>Report</title><content type="application/pdf" src="/r.pdf"/></entry><entry><id>e2</id><title>Page</title><link href="https://x.example/p"/><content src="https://x.example/p.pdf"/></entry></feed>',
      opts,
    );
    expect(f.entries.map((e) => e.link)).toEqual(['https://feeds.example/r.pdf', 'https://x.example/p']);
  });
});

describe('titleFromText', () => {
  it('is the text when short, its first sentence when that is not much longer, else cut at a word with an ellipsis', () => {
    expect(titleFromText('  Short post  ')).toBe('Short post');
    expect(titleFromText('')).toBe('');
    const sentence = 'Chile and Peru sign a new customs agreement at the border crossing of Chacalluta.';
    expect(titleFromText(`${sentence} Trucks will be inspected once, not twice, from June onwards.`)).toBe(sentence);
    expect(titleFromText(`Dr. Ana Pérez opens the meeting of education ministers of the four member countries in Bogotá this morning.`)).toBe(
      'Dr. Ana Pérez opens the meeting of education ministers of the four member…',
    );
    const url = `https://example.org/${'x'.repeat(120)}`;
    expect(titleFromText(url)).toBe(`${url.slice(0, 79)}…`);
    expect(titleFromText('word '.repeat(40)).length).toBeLessThanOrEqual(80);
  });
});
