import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { digestGuid, parseDigest, readDatePrefix, slugify } from '../../lambdas/core/ingest/news-digest-parser.js';
import { htmlToText } from '../../lambdas/core/ingest/sanitize.js';

const SEED = readFileSync(new URL('../../samples/pacific-alliance-digest.txt', import.meta.url), 'utf8');
const SOURCE = 'https://news.example.org/digests/2023-03.txt';

/** The seed's ten items: exact titles, dates and the number of paragraphs of each body (leads included). */
const EXPECTED = [
  ['Pacific Alliance Technical Subgroup on Measurement, Reporting, and Verification held a second technical workshop to strengthen capacities for the implementation of Art. 6 of the Paris Agreement', '2023-03-13', 5],
  ['The OEI analyzes the level of training in digital competencies of TVE teachers in the Pacific Alliance', '2023-03-09', 13],
  ['Fifth meeting of the Pacific Alliance Network of Research Institutions is held', '2023-03-06', 3],
  ['Pacific Alliance strengthens cooperation ties with Japan through the Together Program', '2023-02-09', 6],
  ['Fifth and last forum of the PA-EFE Program: Capitalization Forum – Celebration of results and impacts, exchange of good practices and looks to the future', '2023-01-24', 10],
  ['The Pacific Alliance strengthened its international promotion strategy by including crosswise components such as gender, greater participation of MSMEs and market diversification', '2023-01-04', 11],
  ['Women and MSMEs, the winners of the X Business Macro-Round of the Pacific Alliance', '2023-01-04', 6],
  ['Pacific Alliance English Network holds discussion on language education', '2022-12-26', 3],
  ['The Government of Hungary awards scholarships to the countries of the Pacific Alliance', '2022-12-20', 8],
  ['Teachers from Chile, Colombia, Mexico and Peru will reflect on digital skills in a virtual meeting “Forging teaching networks for the Pacific Alliance”', '2022-12-14', 9],
] as const;

const paragraphCount = (html: string | undefined) => (html?.match(/<p>/g) ?? []).length;

describe('parseDigest: the seed digest', () => {
  const result = parseDigest(SEED, { sourceUrl: SOURCE });

  it('yields exactly its 10 items and no problems', () => {
    expect(result.problems).toEqual([]);
    expect(result.entries).toHaveLength(10);
  });

  it('gives each item its exact title', () => {
    expect(result.entries.map((e) => e.title)).toEqual(EXPECTED.map(([title]) => title));
  });

  it('gives each item its exact date, at 12:00 UTC', () => {
    expect(result.entries.map((e) => e.publishedAt)).toEqual(EXPECTED.map(([, date]) => `${date}T12:00:00.000Z`));
  });

  it('keeps every paragraph of every body (lead lines included), in order', () => {
    expect(result.entries.map((e) => paragraphCount(e.contentHtml))).toEqual(EXPECTED.map(([, , count]) => count));
    const total = result.entries.reduce((sum, e) => sum + paragraphCount(e.contentHtml), 0);
    const nonBlankLines = SEED.split('\n').filter((line) => line.trim() !== '').length;
    expect(total + 10).toBe(nonBlankLines); // every non-blank line is a title or a paragraph (one line each here)
  });

  it('keeps the first paragraph as published, date prefix included, and the body text verbatim', () => {
    const [first, second] = result.entries;
    expect(first!.contentHtml!.startsWith('<p>March 13th, 2023.- The Technical Subgroup on Measurement, Reporting, and Verification (SGT-MRV)')).toBe(true);
    expect(first!.contentHtml!.endsWith('adaptation, and climate actions among these countries.</p>')).toBe(true);
    expect(second!.contentHtml).toContain('<p>Some results obtained</p>');
    expect(second!.contentHtml!.endsWith('<p>Source: OEI</p>')).toBe(true);
    const last = result.entries[9]!;
    expect(htmlToText(last.contentHtml!).endsWith('To learn more about the program, access the event registration page:')).toBe(true);
  });

  it('renders bullet lead lines as leading paragraphs without the bullet, and uses them in the summary', () => {
    const promotion = result.entries[5]!;
    expect(promotion.contentHtml!.startsWith('<p>Within the framework of the pro tempore presidency of Mexico')).toBe(true);
    expect(promotion.contentHtml).not.toContain('•');
    expect(promotion.summary!.startsWith('Within the framework of the pro tempore presidency of Mexico')).toBe(true);
  });

  it('derives a plain-text summary without the date prefix, at most 280 characters', () => {
    for (const entry of result.entries) {
      expect(entry.summary!.length).toBeLessThanOrEqual(280);
      expect(entry.summary).not.toMatch(/<|\d{4}\.-/);
    }
    expect(result.entries[0]!.summary!.startsWith('The Technical Subgroup on Measurement')).toBe(true);
    expect(result.entries[4]!.summary!.startsWith('On January 24, 25 and 26, the fifth')).toBe(true);
  });

  it('gives unique, stable guids and links, the same when the digest is imported again', () => {
    const again = parseDigest(SEED, { sourceUrl: SOURCE });
    expect(again.entries.map((e) => e.guid)).toEqual(result.entries.map((e) => e.guid));
    expect(new Set(result.entries.map((e) => e.guid)).size).toBe(10);
    expect(new Set(result.entries.map((e) => e.link)).size).toBe(10);
    expect(result.entries[0]!.guid).toMatch(/^digest:2023-03-13:[0-9a-f]{16}$/);
    expect(result.entries[0]!.link).toBe(
      `${SOURCE}#2023-03-13-pacific-alliance-technical-subgroup-on-measurement-reporting-and-verification`,
    );
  });

  it('gives the same guids whatever the line endings or source URL', () => {
    const crlf = parseDigest(`\ufeff${SEED.replace(/\n/g, '\r\n')}`, { sourceUrl: 'file:///tmp/other.txt' });
    expect(crlf.problems).toEqual([]);
    expect(crlf.entries.map((e) => e.guid)).toEqual(result.entries.map((e) => e.guid));
    expect(crlf.entries.map((e) => e.title)).toEqual(result.entries.map((e) => e.title));
  });

  it('marks entries as English with no categories or enclosures', () => {
    for (const entry of result.entries) {
      expect(entry.language).toBe('en');
      expect(entry.categories).toEqual([]);
      expect(entry.enclosures).toEqual([]);
    }
  });
});

describe('parseDigest: variations and bad input', () => {
  const item = (title: string, dateLine: string, ...body: string[]) => [title, '', dateLine, ...body.flatMap((p) => ['', p])].join('\n');

  it('reads Spanish dates, ordinal suffixes, a missing dot and other separators', () => {
    const text = [
      item('Uno', '13 de marzo de 2023.- Texto uno.'),
      item('Two', 'April 1st, 2023- Text two.'),
      item('Three', 'May 2nd 2023 – Text three.'),
      item('Cuatro', '3 de setiembre del 2022.- Texto cuatro.'),
      item('Five', 'Sept. 23rd, 2021: Text five.'),
    ].join('\n\n');
    const { entries, problems } = parseDigest(text, { sourceUrl: SOURCE });
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.title, e.publishedAt!.slice(0, 10), e.language])).toEqual([
      ['Uno', '2023-03-13', 'es'],
      ['Two', '2023-04-01', 'en'],
      ['Three', '2023-05-02', 'en'],
      ['Cuatro', '2022-09-03', 'es'],
      ['Five', '2021-09-23', 'en'],
    ]);
    expect(entries[0]!.summary).toBe('Texto uno.');
  });

  it('reports an item with a bad date as a problem with its line number, and keeps the others', () => {
    const text = [item('Good one', 'March 1, 2023.- Fine.'), item('Bad month', 'Marhc 13th, 2023.- Oops.', 'More.'), item('Bad day', 'February 30, 2023.- No.'), item('Good two', 'March 2, 2023.- Fine.')].join('\n\n');
    const { entries, problems } = parseDigest(text, { sourceUrl: SOURCE });
    expect(entries.map((e) => e.title)).toEqual(['Good one', 'Good two']);
    expect(problems).toHaveLength(2);
    expect(problems[0]!.line).toBe(7);
    expect(problems[0]!.message).toContain('Bad month');
    expect(problems[0]!.message).toContain('Marhc');
    expect(problems[1]!.line).toBe(13);
    expect(problems[1]!.message).toContain('not a real date');
    // The bad item's body did not leak into the item before it.
    expect(entries[0]!.contentHtml).toBe('<p>March 1, 2023.- Fine.</p>');
  });

  it('gives no entries and one problem for an empty or blank file', () => {
    for (const text of ['', '\n\n  \n\u00a0\n']) {
      const { entries, problems } = parseDigest(text, { sourceUrl: SOURCE });
      expect(entries).toEqual([]);
      expect(problems).toEqual([{ line: 1, message: expect.stringContaining('empty') }]);
    }
  });

  it('reports a file with no dated paragraph instead of importing nothing silently', () => {
    const { entries, problems } = parseDigest('Just a title\n\nAnd a paragraph without a date.', { sourceUrl: SOURCE });
    expect(entries).toEqual([]);
    expect(problems).toEqual([{ line: 1, message: expect.stringContaining('No item found') }]);
  });

  it('reports text before the first item and a dated paragraph with no title', () => {
    const text = ['Stray preface', '', 'More preface', '', item('Title', 'March 1, 2023.- Body.'), '', 'March 2, 2023.- Orphan paragraph.'].join('\n');
    const { entries, problems } = parseDigest(text, { sourceUrl: SOURCE });
    expect(entries.map((e) => e.title)).toEqual(['Title']);
    expect(problems.map((p) => p.line).sort((a, b) => a - b)).toEqual([1, 9]);
  });

  it('reports a repeated item (same title and date) once and imports it once', () => {
    const one = item('Same', 'March 1, 2023.- Body.');
    const { entries, problems } = parseDigest(`${one}\n\n${one}`, { sourceUrl: SOURCE });
    expect(entries).toHaveLength(1);
    expect(problems).toEqual([{ line: 5, message: expect.stringContaining('repeats the item at line 1') }]);
  });

  it('uses a Source: URL with a path as the link, but not a bare home page', () => {
    const text = [
      item('With page', 'March 1, 2023.- Body.', 'Source: https://alianzapacifico.net/en/news/item-1/.'),
      item('With home', 'March 2, 2023.- Body.', 'Source: OEI https://oei.int/'),
    ].join('\n\n');
    const { entries } = parseDigest(text, { sourceUrl: SOURCE });
    expect(entries[0]!.link).toBe('https://alianzapacifico.net/en/news/item-1/');
    expect(entries[1]!.link).toBe(`${SOURCE}#2023-03-02-with-home`);
  });

  it('joins hard-wrapped lines into one paragraph and escapes markup in the text', () => {
    const text = 'A <b>title</b>\n\nMarch 1, 2023.- First line\nwrapped & continued.\n\n<script>alert(1)</script>';
    const { entries } = parseDigest(text, { sourceUrl: SOURCE });
    expect(entries[0]!.title).toBe('A <b>title</b>');
    expect(entries[0]!.contentHtml).toBe('<p>March 1, 2023.- First line wrapped &amp; continued.</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('never throws on binary garbage', () => {
    const garbage = Array.from({ length: 5000 }, (_, i) => String.fromCharCode((i * 7919) % 65536)).join('');
    const result = parseDigest(garbage, { sourceUrl: SOURCE });
    expect(result.entries).toEqual([]);
    expect(result.problems.length).toBeGreaterThan(0);
  });
});

describe('digest helpers', () => {
  it('readDatePrefix ignores paragraphs that only mention a date', () => {
    expect(readDatePrefix('The call will be open until January 16, 2023.')).toBeUndefined();
    expect(readDatePrefix('January 16, 2023 is the deadline')).toBeUndefined();
    expect(readDatePrefix('March 13th, 2023.- Text')).toMatchObject({ iso: '2023-03-13', length: 19 });
  });

  it('digestGuid ignores case, accents and spacing of the title', () => {
    expect(digestGuid('2023-03-01', 'Perú  and MÉXICO')).toBe(digestGuid('2023-03-01', 'peru and mexico'));
    expect(digestGuid('2023-03-01', 'A')).not.toBe(digestGuid('2023-03-02', 'A'));
  });

  it('slugify makes short ASCII slugs cut at a hyphen', () => {
    expect(slugify('Perú: “Forging” networks!')).toBe('peru-forging-networks');
    expect(slugify('word '.repeat(40), 22)).toBe('word-word-word-word');
  });
});
