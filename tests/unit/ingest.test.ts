// The pure parts of ingestion: turning an entry into an item, what counts as a change, editor corrections.
import { describe, expect, it } from 'vitest';
import { correctItem, editItem, itemIdFor, mergeCandidate, prepareEntry, type IngestStore } from '../../lambdas/core/ingest/ingest.js';
import { parseFeed } from '../../lambdas/core/ingest/feed-parser.js';
import { parseDigest } from '../../lambdas/core/ingest/news-digest-parser.js';
import { importDigest, newSource } from '../../lambdas/core/ingest/sources.js';
import { ItemPage } from '../../lambdas/adapters/http/views/public.js';
import type { IncomingEntry } from '../../lambdas/core/items/model.js';

const source = { id: 'src', url: 'https://publisher.example/feed.xml' };
const entry = (over: Partial<IncomingEntry> = {}): IncomingEntry => ({
  guid: 'g-1',
  link: 'https://publisher.example/news/1',
  title: 'Peru hosts a fisheries workshop',
  publishedAt: 'Wed, 01 May 2024 10:00:00 GMT',
  contentHtml: '<p>Experts from <b>Peru</b> discussed aquaculture and fisheries.</p><script>x()</script>',
  categories: [],
  enclosures: [],
  ...over,
});

const prepared = (over: Partial<IncomingEntry> = {}) => {
  const result = prepareEntry(entry(over), source);
  if (!result.ok) throw new Error(result.reason);
  return result.candidate;
};

describe('prepareEntry', () => {
  it('sanitises content, derives a plain-text summary, normalises the date to ISO UTC and classifies', () => {
    const c = prepared();
    expect(c.contentHtml).not.toContain('script');
    expect(c.summary).toBe('Experts from Peru discussed aquaculture and fisheries.');
    expect(c.publishedAt).toBe('2024-05-01T10:00:00.000Z');
    expect(c.classification.countries).toEqual(['pe']);
    expect(c.classification.topics).toContain('fisheries-oceans');
  });

  it('turns markup and entities in a title into plain text', () => {
    expect(prepared({ title: 'Chile &amp; Peru: <em>new</em> deal' }).title).toBe('Chile & Peru: new deal');
  });

  it('keeps an unreadable date absent instead of inventing one', () => {
    expect(prepared({ publishedAt: 'the day after tomorrow' }).publishedAt).toBeUndefined();
  });

  it('gives an entry without a link a stable link under its source', () => {
    expect(prepared({ link: undefined }).link).toBe('https://publisher.example/feed.xml#g-1');
    expect(prepared({ link: 'javascript:alert(1)' }).link).toBe('https://publisher.example/feed.xml#g-1');
  });

  it('rejects an entry without a guid, or without a title and anything to derive one from, saying why', () => {
    expect(prepareEntry(entry({ guid: ' ' }), source)).toMatchObject({ ok: false, code: 'entry.noId', reason: 'entry has no id, guid or link to recognise it by' });
    expect(prepareEntry(entry({ title: '<p> </p>', contentHtml: '<p> </p>' }), source)).toMatchObject({
      ok: false,
      code: 'entry.untitled',
      reason: 'entry has no title, and no text or image description to derive one from',
    });
  });

  it('titles an untitled entry from its text, as readers do (a microblog post)', () => {
    expect(prepared({ title: '<p> </p>' }).title).toBe('Experts from Peru discussed aquaculture and fisheries.');
    const post = '<p><span class="h-card"><a href="https://m.example/@ana">@ana</a></span> The Pacific Alliance summit opens today in Lima. Delegations from all four members arrive this morning.</p>';
    expect(prepared({ title: '', contentHtml: post }).title).toBe('@ana The Pacific Alliance summit opens today in Lima.');
    expect(prepared({ title: '', contentHtml: `<p>${'word '.repeat(40)}</p>` }).title).toBe(`${'word '.repeat(15).trim()}…`);
    // An image-only post is titled from the image's description.
    expect(prepared({ title: '', contentHtml: '', image: { url: 'https://m.example/i.png', alt: 'Harbour of Callao at dawn' } }).title).toBe('Harbour of Callao at dawn');
  });

  it('shortens a title too long to be one, the same way, instead of rejecting the entry', () => {
    const long = `${'A very long headline that goes on '.repeat(20)}and ends.`;
    const title = prepared({ title: long }).title;
    expect(title.length).toBeLessThanOrEqual(80);
    expect(title.endsWith('…')).toBe(true);
    expect(long.startsWith(title.slice(0, -1))).toBe(true);
  });

  it('keeps an http(s) image and drops any other', () => {
    expect(prepared({ image: { url: 'https://cdn.example/a.jpg', width: 640, height: 480, alt: 'a' } }).image).toEqual({ url: 'https://cdn.example/a.jpg', width: 640, height: 480, alt: 'a' });
    expect(prepared({ image: { url: 'javascript:alert(1)' } }).image).toBeUndefined();
  });
});

describe('mergeCandidate', () => {
  const now = '2024-06-01T00:00:00.000Z';
  const id = itemIdFor('https://publisher.example/news/1');

  it('makes a new item at version 1, first seen now, updated when published', () => {
    const item = mergeCandidate(prepared(), undefined, source, id, now);
    expect(item).toMatchObject({ id, version: 1, sourceId: 'src', sourceGuid: 'g-1', ingestedAt: now, updatedAt: '2024-05-01T10:00:00.000Z' });
  });

  it('the same entry again has the same source hash (unchanged: nothing to write)', () => {
    const first = mergeCandidate(prepared(), undefined, source, id, now);
    expect(mergeCandidate(prepared(), first, source, id, '2024-07-01T00:00:00.000Z').sourceHash).toBe(first.sourceHash);
  });

  it('an entry without a date keeps the date it was first seen with, so re-polls stay unchanged', () => {
    const first = mergeCandidate(prepared({ publishedAt: undefined }), undefined, source, id, now);
    const again = mergeCandidate(prepared({ publishedAt: undefined }), first, source, id, '2024-07-01T00:00:00.000Z');
    expect(again.publishedAt).toBe(now);
    expect(again.sourceHash).toBe(first.sourceHash);
  });

  it('a changed entry bumps the version and the updated time, keeping identity and first-seen time', () => {
    const first = mergeCandidate(prepared(), undefined, source, id, now);
    const next = mergeCandidate(prepared({ title: 'Peru hosts a second workshop' }), first, source, id, '2024-07-01T00:00:00.000Z');
    expect(next).toMatchObject({ id, version: 2, ingestedAt: now, updatedAt: '2024-07-01T00:00:00.000Z', sourceGuid: 'g-1' });
    expect(next.sourceHash).not.toBe(first.sourceHash);
  });
});

describe('correctItem', () => {
  const base = mergeCandidate(prepared(), undefined, source, 'id-1', '2024-06-01T00:00:00.000Z');

  it('overrides tags with editor provenance and leaves the source hash alone', () => {
    const next = correctItem(base, { countries: ['co', 'cl'], topics: ['education-skills'] }, '2024-06-02T00:00:00.000Z');
    expect(next).toMatchObject({ countries: ['cl', 'co'], topics: ['education-skills'], tagProvenance: { countries: 'editor', topics: 'editor' }, version: 2, blocWide: false });
    expect(next.sourceHash).toBe(base.sourceHash);
  });

  it('no country named means bloc-wide: every member code', () => {
    const next = correctItem(base, { countries: [] }, '2024-06-02T00:00:00.000Z');
    expect(next.countries).toEqual(['cl', 'co', 'mx', 'pe']);
    expect(next.blocWide).toBe(true);
  });

  it('sanitises corrected content and derives the summary from it', () => {
    const next = correctItem(base, { contentHtml: '<p onclick="x()">Fixed text</p><iframe src="https://e.example"></iframe>' }, '2024-06-02T00:00:00.000Z');
    expect(next.contentHtml).toBe('<p>Fixed text</p>');
    expect(next.summary).toBe('Fixed text');
  });
});

describe('URLs we store or print are http(s) only', () => {
  const hostileLinks = [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' \tjavascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'javascript&#58;alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
  ];
  const noStore: IngestStore = new Proxy({} as IngestStore, { get: () => () => Promise.reject(new Error('the store must not be reached')) });
  const clock = { now: () => new Date('2024-06-01T00:00:00.000Z') };

  it.each(hostileLinks)('an entry linking to %j gets its source’s link instead', (link) => {
    expect(prepared({ link }).link).toBe(`${source.url}#g-1`);
  });

  it.each(hostileLinks)('an entry linking to %j from a source that is not http(s) either is rejected, saying why', (link) => {
    const result = prepareEntry(entry({ link }), { id: 'x', url: 'javascript:alert(1)' });
    expect(result).toMatchObject({ ok: false, reason: 'entry has no http(s) link, and neither has its source' });
  });

  it.each(['javascript&#58;alert(1)', 'JaVaScRiPt:alert(1)', '  javascript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd'])(
    'a feed item whose link is %j (entity-encoded, mixed case, padded) keeps no such link',
    (link) => {
      const xml = `<?xml version="1.0"?><rss version="2.0"><channel><title>F</title><item><title>T</title><guid isPermaLink="false">g</guid><link>${link.replace(/&/g, '&amp;')}</link></item>` +
        `<item><title>T2</title><guid isPermaLink="false">g2</guid><link>${link.replace(/&#58;/, '&#58;')}</link></item></channel></rss>`;
      for (const parsed of parseFeed(xml, { baseUrl: 'https://publisher.example/feed.xml' }).entries) {
        const result = prepareEntry(parsed, source);
        expect(result.ok && result.candidate.link).toMatch(/^https:\/\/publisher\.example\//);
      }
    },
  );

  it.each(['javascript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///etc/passwd', 'JAVASCRIPT:alert(1)'])('a digest "Source: %s" line never becomes a link', (value) => {
    const text = `A title\n\nMarch 13th, 2023.- Something happened.\n\nSource: ${value}`;
    const { entries } = parseDigest(text, { sourceUrl: 'https://news.example.org/digest.txt' });
    expect(entries[0]!.link).toMatch(/^https:\/\/news\.example\.org\/digest\.txt#2023-03-13-/);
  });

  it.each(['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', 'vbscript:x', 'file:///tmp/digest.txt'])('a digest import with sourceUrl %j is refused (digest.badSourceUrl)', async (sourceUrl) => {
    await expect(importDigest('A title\n\nMarch 13th, 2023.- Text.', sourceUrl, { items: noStore, clock })).rejects.toMatchObject({ code: 'digest.badSourceUrl', kind: 'invalid' });
  });

  it.each(hostileLinks)('an editor link %j is refused (item.badLink), for a new item and for a correction', async (link) => {
    await expect(editItem({ title: 'T', link }, { store: noStore, clock, editorSourceUrl: 'https://news.example.org/editor' })).rejects.toMatchObject({ code: 'item.badLink' });
    const base = mergeCandidate(prepared(), undefined, source, 'id-1', '2024-06-01T00:00:00.000Z');
    expect(() => correctItem(base, { link }, '2024-06-02T00:00:00.000Z')).toThrow(expect.objectContaining({ code: 'item.badLink' }));
  });

  it.each(['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,x', 'vbscript:x'])('an item stored earlier with the link %j: its page prints no such link', async (link) => {
    const item = { ...mergeCandidate(prepared(), undefined, source, 'id-1', '2024-06-01T00:00:00.000Z'), link };
    const html = String(await ItemPage({ lang: 'en', item, baseUrl: 'https://news.example.org' }).toString());
    expect(html).toContain(item.title);
    expect(html.toLowerCase()).not.toMatch(/(javascript|data|vbscript):/);
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'ftp://example.org/feed'])('a source at %j is refused (source.badUrl)', (url) => {
    expect(() => newSource({ url }, clock.now())).toThrow(expect.objectContaining({ code: 'source.badUrl' }));
  });
});

describe('titles lose invisible formatting at ingest', () => {
  it.each([
    ['LRE…PDF embedding', 'Peru \u202Aopens\u202C office', 'Peru opens office'],
    ['RLO override (Trojan Source)', 'Invoice \u202Efdp.exe', 'Invoice fdp.exe'],
    ['LRO', '\u202Dtext', 'text'],
    ['RLE', 'a\u202Bb', 'ab'],
    ['isolates LRI RLI FSI PDI', '\u2066a\u2067b\u2068c\u2069', 'abc'],
    ['LRM and RLM', 'Chile\u200E \u200Fnews', 'Chile news'],
    ['Arabic letter mark', 'x\u061Cy', 'xy'],
    ['zero-width space', 'free\u200Bmoney', 'freemoney'],
    ['ZWNJ outside a joining script', 'Pa\u200Ccific', 'Pacific'],
    ['byte order mark inside', 'Alli\uFEFFance', 'Alliance'],
    ['word joiner', 'a\u2060b', 'ab'],
    ['a stray ZWJ between letters', 'Li\u200Dma', 'Lima'],
    ['only invisibles and spaces around', '\u200B Lima \u202E', 'Lima'],
  ])('%s', (_name, title, expected) => {
    expect(prepared({ title }).title).toBe(expected);
  });

  it.each([
    ['family emoji (ZWJ sequence)', 'Families 👨‍👩‍👧 welcome'],
    ['rainbow flag (VS16 + ZWJ)', 'Pride 🏳️‍🌈 march'],
    ['skin tone + ZWJ', 'Health 👩🏽‍⚕️ workers'],
    ['Persian ZWNJ', 'می‌خواهم'],
    ['Devanagari ZWJ', 'क्‍ष'],
  ])('keeps %s intact', (_name, title) => {
    expect(prepared({ title }).title).toBe(title);
  });

  it('an editor’s corrected title is cleaned the same way', () => {
    const base = mergeCandidate(prepared(), undefined, source, 'id-1', '2024-06-01T00:00:00.000Z');
    expect(correctItem(base, { title: 'Fixed \u202Etitle 🏳️‍🌈' }, '2024-06-02T00:00:00.000Z').title).toBe('Fixed title 🏳️‍🌈');
  });
});
