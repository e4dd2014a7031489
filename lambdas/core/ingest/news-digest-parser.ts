// Parser for the plain-text news digest (see samples/pacific-alliance-digest.txt).
//
// Format, as the bloc's newsroom sends it. Paragraphs are separated by blank lines (a line of only white space,
// non-breaking spaces included, counts as blank). An item is:
//
//   Title line
//
//     • optional lead lines, each starting with a bullet (•, ·, ▪, ●, -, *)
//
//   March 13th, 2023.- First paragraph, opening with the publication date …
//
//   Body paragraphs, subheads, quotes … (any paragraph that does not open with a date)
//
//   Source: OEI                      (optional; a URL here becomes the item's link)
//
// Items are found by their dated first paragraph: the paragraph just before it (skipping lead lines) is the title,
// and the item runs until the next item's title. So a body can hold any text, subheads included, without being
// mistaken for a new item, as long as it does not open a paragraph with a date and a `.-` separator.
//
// Dates: `March 13th, 2023.-`, `February 9, 2023.-`, `1st/2nd/3rd`, abbreviations (`Sept. 4, 2023.-`), Spanish
// (`13 de marzo de 2023.-`, `Marzo 13, 2023.-`, `setiembre`), and the separator may be `.-`, `-`, `–`, `—`, `:` or `.`.
// A paragraph shaped like a date line whose date is not a real date (unknown month, 30 February) is a problem.
//
// Decisions:
// - publishedAt is 12:00:00Z on the stated day: noon UTC is the same calendar day in every member country
//   (UTC-3 to UTC-6) and in Europe, so the date never shifts by a day when shown in local time.
// - contentHtml keeps the item as published: lead lines (without their bullet), the first paragraph with its date
//   prefix, every body paragraph (subheads and quotes as paragraphs) and the Source line, one <p> each.
// - summary is plain text built from the leads and the body with the date prefix removed (≤ 280 characters).
// - guid is `digest:<yyyy-mm-dd>:<16 hex of sha256(date + normalised title)>`: the same digest imported twice, or
//   the same item appearing in two digests, gives the same guid. The normalised title ignores case, accents and
//   white space.
// - link is `${sourceUrl}#${yyyy-mm-dd}-${title-slug}`, unless a Source: line gives a URL with a path (a bare home
//   page would make every item from that publisher share one canonical link, so it is not used).
// - An empty file yields no entries and one problem ("the digest is empty"), so an import of the wrong file is
//   noticed. An item whose date cannot be read is skipped and reported; the other items still come through.
import { createHash } from 'node:crypto';
import type { IncomingEntry } from '../items/model.js';
import { httpUrl } from '../shared/input.js';
import { stripInvalidXmlChars, summarize, textToHtml } from './sanitize.js';

export interface DigestEntry extends IncomingEntry {}

export interface DigestProblem {
  /** 1-based line number in the digest text. */
  line: number;
  message: string;
}

export interface DigestResult {
  entries: IncomingEntry[];
  problems: DigestProblem[];
}

export interface DigestOptions {
  /** Where the digest came from; item links are built on it (only an http(s) one is stored: see importDigest). */
  sourceUrl: string;
}

const MONTHS: Record<string, { month: number; es: boolean }> = {};
function addMonths(names: string[], es: boolean) {
  names.forEach((name, index) => {
    for (const alias of name.split('|')) MONTHS[alias] = { month: index + 1, es };
  });
}
addMonths(['january|jan', 'february|feb', 'march|mar', 'april|apr', 'may', 'june|jun', 'july|jul', 'august|aug',
  'september|sep|sept', 'october|oct', 'november|nov', 'december|dec'], false);
addMonths(['enero|ene', 'febrero', 'marzo', 'abril|abr', 'mayo', 'junio', 'julio', 'agosto|ago',
  'septiembre|setiembre|set', 'octubre', 'noviembre', 'diciembre|dic'], true);

const SEPARATOR = String.raw`\s*(?:\.?\s*[-–—]+|:|\.(?=\s))[\s\u00a0]*`;
/** "March 13th, 2023.-", "Sept. 4 2023 -", "Marzo 13, 2023:" */
const DATE_MONTH_FIRST = new RegExp(
  String.raw`^(\p{L}+)\.?\s+(\d{1,2})(?:st|nd|rd|th|º|°)?\s*,?\s*(\d{4})` + SEPARATOR,
  'iu',
);
/** "13 de marzo de 2023.-", "13 marzo 2023 -", "1º de abril del 2023.-" */
const DATE_DAY_FIRST = new RegExp(
  String.raw`^(\d{1,2})(?:st|nd|rd|th|º|°)?\s+(?:de\s+)?(\p{L}+)\.?,?\s+(?:de\s+|del\s+)?(\d{4})` + SEPARATOR,
  'iu',
);
const BULLET = /^[•·▪●◦‣*-]\s*/u;
const SOURCE_LINE = /^(?:source|fuente)s?\s*:\s*(.*)$/iu;
const URL_IN_TEXT = /https?:\/\/[^\s<>"')\]]+/iu;
const BLANK = /^[\s\u00a0\u200b\ufeff]*$/u;

interface Paragraph {
  line: number;
  text: string;
}

interface DatePrefix {
  /** Length of the prefix, separator included. */
  length: number;
  /** yyyy-mm-dd, when the date is a real one. */
  iso?: string;
  spanish?: boolean;
  error?: string;
}

function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Reads a date prefix from the start of a paragraph, or undefined if the paragraph does not open with one. */
export function readDatePrefix(text: string): DatePrefix | undefined {
  let match = DATE_MONTH_FIRST.exec(text);
  let monthWord: string;
  let dayText: string;
  let yearText: string;
  if (match) {
    [, monthWord = '', dayText = '', yearText = ''] = match;
  } else {
    match = DATE_DAY_FIRST.exec(text);
    if (!match) return undefined;
    [, dayText = '', monthWord = '', yearText = ''] = match;
  }
  const length = match[0].length;
  const raw = match[0].trim();
  const month = MONTHS[fold(monthWord)];
  if (!month) return { length, error: `"${raw}" does not name a month in English or Spanish ("${monthWord}")` };
  const day = Number(dayText);
  const year = Number(yearText);
  if (year < 1900 || year > 2100) return { length, error: `"${raw}" has an implausible year (${year})` };
  if (day < 1 || day > daysIn(year, month.month)) return { length, error: `"${raw}" is not a real date (day ${day})` };
  const iso = `${year}-${String(month.month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { length, iso, spanish: month.es };
}

function paragraphsOf(text: string): Paragraph[] {
  const lines = text.split('\n');
  const paragraphs: Paragraph[] = [];
  let current: Paragraph | undefined;
  lines.forEach((line, index) => {
    if (BLANK.test(line)) {
      current = undefined;
      return;
    }
    const trimmed = line.replace(/^[\s\u00a0]+|[\s\u00a0]+$/gu, '');
    if (current) current.text += ` ${trimmed}`;
    else paragraphs.push((current = { line: index + 1, text: trimmed }));
  });
  return paragraphs;
}

/** Lower-case ASCII slug of a title, at most `max` characters, cut at a hyphen. */
export function slugify(text: string, max = 80): string {
  const slug = fold(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= max) return slug;
  const cut = slug.slice(0, max + 1);
  const at = cut.lastIndexOf('-');
  return (at > 0 ? cut.slice(0, at) : slug.slice(0, max)).replace(/-+$/g, '');
}

/** The stable guid of a digest item: depends only on its date and its title (case, accents and spacing aside). */
export function digestGuid(isoDate: string, title: string): string {
  const normalisedTitle = fold(title).replace(/\s+/g, ' ').trim();
  const hash = createHash('sha256').update(`${isoDate}\n${normalisedTitle}`).digest('hex').slice(0, 16);
  return `digest:${isoDate}:${hash}`;
}

function withoutFragment(url: string): string {
  const at = url.indexOf('#');
  return at === -1 ? url : url.slice(0, at);
}

/** A Source: URL is used as the item's link only when it points at a page (has a path), not a bare site. */
function usableSourceUrl(text: string): string | undefined {
  const found = URL_IN_TEXT.exec(text)?.[0]?.replace(/[.,;:]+$/, '');
  const url = httpUrl(found);
  if (!url || url.pathname === '/' || url.pathname === '') return undefined;
  return url.href;
}

/**
 * Parses a plain-text news digest into entries. Never throws on bad input: every chunk that cannot be read is
 * reported in `problems` with its line number, and the readable items still come through.
 */
export function parseDigest(text: string, options: DigestOptions): DigestResult {
  const problems: DigestProblem[] = [];
  const entries: IncomingEntry[] = [];
  const normalised = stripInvalidXmlChars(text.replace(/^\ufeff/, '').replace(/\r\n?/g, '\n'));
  const paragraphs = paragraphsOf(normalised);
  if (paragraphs.length === 0) {
    problems.push({ line: 1, message: 'The digest is empty: there is no item to import.' });
    return { entries, problems };
  }

  const dates = paragraphs.map((p) => readDatePrefix(p.text));
  const isLead = (i: number) => BULLET.test(paragraphs[i]!.text) && !dates[i];

  // Each dated paragraph opens an item; its title is the paragraph before it, once lead lines are skipped.
  interface Start { title: number; dated: number }
  const starts: Start[] = [];
  let previousDated = -1;
  for (let d = 0; d < paragraphs.length; d++) {
    if (!dates[d]) continue;
    let t = d - 1;
    while (t > previousDated && isLead(t)) t--;
    if (t <= previousDated || dates[t]) {
      problems.push({
        line: paragraphs[d]!.line,
        message: 'A dated paragraph has no title line before it (expected: a title line, a blank line, then the dated paragraph).',
      });
      continue;
    }
    starts.push({ title: t, dated: d });
    previousDated = d;
  }

  if (starts.length === 0) {
    problems.push({
      line: paragraphs[0]!.line,
      message: 'No item found: an item is a title line followed by a paragraph that opens with a date such as "March 13th, 2023.-".',
    });
    return { entries, problems };
  }
  if (starts[0]!.title > 0) {
    const first = paragraphs[0]!;
    problems.push({
      line: first.line,
      message: `Text before the first item is not part of any item and was not imported: "${summarize(first.text, 60)}".`,
    });
  }

  const base = withoutFragment(options.sourceUrl);
  const seen = new Map<string, number>();
  starts.forEach((start, k) => {
    const end = k + 1 < starts.length ? starts[k + 1]!.title : paragraphs.length;
    const titleParagraph = paragraphs[start.title]!;
    const title = titleParagraph.text.replace(/\s+/g, ' ').trim();
    const date = dates[start.dated]!;
    if (!date.iso) {
      problems.push({
        line: paragraphs[start.dated]!.line,
        message: `Item "${summarize(title, 80)}" was not imported: its date ${date.error}. Write it like "March 13th, 2023.-" or "13 de marzo de 2023.-".`,
      });
      return;
    }
    const guid = digestGuid(date.iso, title);
    const firstLine = seen.get(guid);
    if (firstLine !== undefined) {
      problems.push({
        line: titleParagraph.line,
        message: `Item "${summarize(title, 80)}" repeats the item at line ${firstLine} (same title and date); only the first was imported.`,
      });
      return;
    }
    seen.set(guid, titleParagraph.line);

    const leads = paragraphs.slice(start.title + 1, start.dated).map((p) => p.text.replace(BULLET, ''));
    const body = paragraphs.slice(start.dated, end).map((p) => p.text);
    const sourceLink = body.map((p) => SOURCE_LINE.exec(p)?.[1]).find((value) => value !== undefined);
    const link = (sourceLink && usableSourceUrl(sourceLink)) || `${base}#${date.iso}-${slugify(title)}`;
    const firstWithoutDate = body[0]!.slice(date.length).trim();
    const summaryText = [...leads, firstWithoutDate, ...body.slice(1)].join('\n\n');

    entries.push({
      guid,
      link,
      title,
      publishedAt: `${date.iso}T12:00:00.000Z`,
      summary: summarize(summaryText),
      contentHtml: textToHtml([...leads, ...body].join('\n\n')),
      language: date.spanish ? 'es' : 'en',
      categories: [],
      enclosures: [],
    });
  });

  return { entries, problems };
}
