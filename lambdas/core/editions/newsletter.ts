// Newsletter assembly: which items a subscriber gets, how subscribers group into content groups (the distinct set of
// items + language), the content model a renderer turns into HTML, the text part, the per-recipient merge, and the
// pre-flight checks. Pure: the MJML renderer comes in as a port (`EmailRenderer`), so the sender never loads MJML.
import { createHash, randomBytes } from 'node:crypto';
import type { Item } from '../items/model.js';
import { invalid } from '../shared/errors.js';
import { hasLineBreak } from '../shared/input.js';
import type { OutgoingEmail } from '../shared/ports.js';
import { escapeHtml, truncate } from '../shared/text.js';
import type { Language } from '../shared/language.js';
import type { Subscriber } from '../subscriptions/model.js';
import { itemMatches } from '../subscriptions/model.js';
import { countryName, currentTaxonomy, isCountryCode, type CountryCode, type TopicSlug } from '../taxonomy/taxonomy.js';
import { renderIntro, type RenderedIntro } from './intro-markdown.js';
import { trackableLinks } from '../analytics/tracked-links.js';


/** Gmail clips messages whose HTML is over 102 KB; we refuse to send anything that would be clipped. */
export const maxHtmlBytes = 102 * 1024;
/** Longest value a personal merge field can take (signed link URLs); used to size-check before any merge. */
export const maxMergeValueBytes = 512;

/** The personal fields merged per recipient. Everything else is compiled once per content group. `view_url` is the
 *  subscriber's own web version of the edition (their items, their language). */
export const mergeFields = ['unsubscribe_url', 'preferences_url', 'view_url'] as const;
export type MergeField = (typeof mergeFields)[number];
export type MergeValues = Record<MergeField, string>;

/** Merge markers are ours alone: a compile draws a fresh unguessable nonce, and the template's `{{field}}` slots come
 *  out as `mergefield-<nonce>-<field>`. Content (a title, a link, an intro) is text that cannot know the nonce, so
 *  whatever braces or old markers it holds reach the reader literally and never receive a recipient's links. */
export const newMergeNonce = () => randomBytes(16).toString('hex');
export const mergeMarker = (nonce: string, field: MergeField) => `mergefield-${nonce}-${field}`;
export const isMergeField = (name: string): name is MergeField => (mergeFields as readonly string[]).includes(name);

export interface Audience {
  countries?: CountryCode[];
  topics?: TopicSlug[];
  languages?: Language[];
}

// ---------------------------------------------------------------------------------------------------------------
// Who gets what
// ---------------------------------------------------------------------------------------------------------------

const overlaps = (mine: readonly string[], theirs: readonly string[] | undefined) =>
  !theirs || theirs.length === 0 || mine.length === 0 || mine.some((v) => theirs.includes(v));

/** A subscriber is in an edition's audience when their language is one of its languages and their countries and
 *  topics overlap the audience's (empty on either side = all). */
export function inAudience(subscriber: Pick<Subscriber, 'countries' | 'topics' | 'language'>, audience: Audience | undefined): boolean {
  if (!audience) return true;
  if (audience.languages && audience.languages.length > 0 && !audience.languages.includes(subscriber.language)) return false;
  return overlaps(subscriber.countries, audience.countries) && overlaps(subscriber.topics, audience.topics);
}

/** The edition's items a subscriber gets: those matching their preferences and, when the edition narrows its
 *  audience, the audience's countries and topics too. Order follows the edition's order. */
export function itemsFor(
  subscriber: Pick<Subscriber, 'countries' | 'topics'>,
  items: readonly Pick<Item, 'id' | 'countries' | 'topics'>[],
  audience?: Audience,
): string[] {
  const audiencePrefs = { countries: audience?.countries ?? [], topics: audience?.topics ?? [] };
  return items.filter((item) => itemMatches(item, subscriber) && itemMatches(item, audiencePrefs)).map((item) => item.id);
}

/** Content group key: the same language and the same set of items compile to the same email. */
export function groupKeyFor(language: Language, itemIds: readonly string[]): string {
  const canonical = `${language}\n${[...itemIds].sort().join('\n')}`;
  return `${language}-${createHash('sha256').update(canonical).digest('hex').slice(0, 20)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Content model (what a renderer turns into HTML) and the text part
// ---------------------------------------------------------------------------------------------------------------

/** Who the newsletter comes from: the masthead, the accent colour, and the postal address every footer carries. */
export interface Brand {
  name: string;
  /** https; shown on a light plate so it reads in dark mode too. Without one, the masthead is the name. */
  logoUrl?: string;
  /** #rrggbb */
  color: string;
  postalAddress: string;
}

export interface NewsletterItemView {
  id: string;
  title: string;
  /** Where the title, the image and the call to action lead: set in `itemView` only, so a link rewriter (click
   *  tracking) wraps one value. */
  link: string;
  summary: string;
  /** e.g. "13 March 2023 · Chile, Peru" */
  meta: string;
  /** The item's one call to action, naming where it leads ("Read on gob.pe"). */
  action: string;
  /** https only (mail clients block or warn on others); alt falls back to the title. */
  image?: { url: string; alt: string };
}

export interface NewsletterModel {
  language: Language;
  subject: string;
  /** The intro's Markdown, rendered (HTML and text). */
  intro?: RenderedIntro;
  /** Short text shown by mail clients beside the subject. */
  preview: string;
  brand: Brand;
  /** The edition's public page: the version to share (the "view in your browser" link is personal). */
  archiveUrl: string;
  items: NewsletterItemView[];
  /** This compile's merge nonce: personal fields are rendered as `mergeMarker(mergeNonce, field)`. */
  mergeNonce: string;
}

export interface EmailRenderer {
  /** Renders the model to HTML. The template's `{{field}}` slots become this compile's merge markers. */
  renderHtml(model: NewsletterModel): Promise<string>;
}

const strings = {
  es: {
    readMore: 'Leer más',
    readOn: (site: string) => `Leer más en ${site}`,
    bloc: 'Alianza del Pacífico',
    viewInBrowser: 'Ver en el navegador',
    share: 'Versión para compartir',
    why: (brand: string) => `Recibe este correo porque se suscribió a las noticias de ${brand}.`,
    preferences: 'Cambiar mis preferencias',
    unsubscribe: 'Darme de baja',
  },
  en: {
    readMore: 'Read more',
    readOn: (site: string) => `Read more on ${site}`,
    bloc: 'Pacific Alliance',
    viewInBrowser: 'View in your browser',
    share: 'Version to share',
    why: (brand: string) => `You get this email because you subscribed to news from ${brand}.`,
    preferences: 'Change my preferences',
    unsubscribe: 'Unsubscribe',
  },
} as const;

export const newsletterStrings = (language: Language) => strings[language];

/** The site a link leads to, as a reader knows it: `www.gob.pe/x` → `gob.pe`. */
const siteOf = (link: string) => {
  try {
    return new URL(link).hostname.replace(/^www\./, '');
  } catch {
    return link.slice(0, 40);
  }
};

const dateFormats = {
  es: new Intl.DateTimeFormat('es', { dateStyle: 'long', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }),
};

export function itemView(item: Item, language: Language): NewsletterItemView {
  const date = dateFormats[language].format(new Date(item.publishedAt));
  const codes = item.countries.filter(isCountryCode);
  const where =
    item.blocWide || codes.length === currentTaxonomy().countries.length
      ? strings[language].bloc
      : codes.map((c) => countryName(c, language)).join(', ');
  const link = item.link;
  const image = item.image?.url.startsWith('https://') ? { url: item.image.url, alt: item.image.alt?.trim() || item.title } : undefined;
  return {
    id: item.id,
    title: item.title,
    link,
    summary: truncate(item.summary, 360),
    meta: where ? `${date} · ${where}` : date,
    action: strings[language].readOn(siteOf(link)),
    ...(image ? { image } : {}),
  };
}

export function archiveUrl(publicBaseUrl: string, editionId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/archive/${encodeURIComponent(editionId)}`;
}

export interface NewsletterInput {
  language: Language;
  subject: string;
  /** Markdown. */
  intro?: string;
  items: readonly Item[];
  brand: Brand;
  archiveUrl: string;
}

export function newsletterModel(input: NewsletterInput): NewsletterModel {
  const items = input.items.map((item) => itemView(item, input.language));
  const intro = input.intro?.trim() ? renderIntro(input.intro) : undefined;
  const preview = truncate(intro?.text.replace(/\s+/g, ' ') || items.map((i) => i.title).join(' · '), 140);
  return {
    language: input.language,
    subject: input.subject,
    ...(intro ? { intro } : {}),
    preview,
    brand: input.brand,
    archiveUrl: input.archiveUrl,
    items,
    mergeNonce: newMergeNonce(),
  };
}

/** The plain-text part: a real alternative, not a stripped copy of the HTML. Personal fields are merge markers. */
export function renderText(model: NewsletterModel): string {
  const s = strings[model.language];
  const lines: string[] = [model.brand.name, '', model.subject, '='.repeat(Math.min(model.subject.length, 72)), ''];
  if (model.intro) lines.push(model.intro.text, '');
  for (const item of model.items) {
    lines.push(`* ${item.title}`, `  ${item.meta}`, '', `  ${item.summary}`, '', `  ${s.readMore}: ${item.link}`, '');
  }
  const marker = (field: MergeField) => mergeMarker(model.mergeNonce, field);
  lines.push(
    '--',
    `${s.viewInBrowser}: ${marker('view_url')}`,
    `${s.share}: ${model.archiveUrl}`,
    s.why(model.brand.name),
    `${s.preferences}: ${marker('preferences_url')}`,
    `${s.unsubscribe}: ${marker('unsubscribe_url')}`,
    '',
    model.brand.postalAddress,
    '',
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Content groups and the per-recipient merge
// ---------------------------------------------------------------------------------------------------------------

export interface ContentGroup {
  key: string;
  language: Language;
  itemIds: string[];
  subject: string;
  html: string;
  text: string;
  /** The nonce of this group's merge markers (drawn when it was compiled). */
  mergeNonce: string;
  /** Links a recipient's copy may turn into click links: URL → item id or 'archive' (analytics/tracked-links.ts). */
  links?: Record<string, string>;
}

/** Compiles one content group: one renderer call (MJML) for everyone who gets this set of items in this language. */
export async function compileContentGroup(renderer: EmailRenderer, input: NewsletterInput): Promise<ContentGroup> {
  const model = newsletterModel(input);
  const html = await renderer.renderHtml(model);
  return {
    key: groupKeyFor(input.language, input.items.map((i) => i.id)),
    language: input.language,
    itemIds: input.items.map((i) => i.id),
    subject: input.subject,
    html,
    text: renderText(model),
    mergeNonce: model.mergeNonce,
    links: trackableLinks(input.items, input.archiveUrl),
  };
}

/** A template split at its merge markers once, so a merge is a join of precomputed parts (no regex per recipient). */
export interface MergeProgram {
  /** Literal parts; `fields[i]` goes between `parts[i]` and `parts[i + 1]`. */
  parts: string[];
  fields: MergeField[];
  literalBytes: number;
}

/** Splits `template` on this compile's markers only: any other text, `{{…}}` included, is a literal part. */
export function compileMerge(template: string, mergeNonce: string): MergeProgram {
  const markers = new Map(mergeFields.map((field) => [mergeMarker(mergeNonce, field), field]));
  const parts: string[] = [];
  const fields: MergeField[] = [];
  let last = 0;
  const any = new RegExp([...markers.keys()].join('|'), 'g'); // hex nonce and field names: nothing to escape
  for (const match of template.matchAll(any)) {
    parts.push(template.slice(last, match.index));
    fields.push(markers.get(match[0])!);
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return { parts, fields, literalBytes: parts.reduce((n, p) => n + Buffer.byteLength(p), 0) };
}

export function merge(program: MergeProgram, values: MergeValues, escape: (v: string) => string = (v) => v): string {
  let out = program.parts[0]!;
  for (let i = 0; i < program.fields.length; i++) out += escape(values[program.fields[i]!]) + program.parts[i + 1]!;
  return out;
}

/** Worst-case HTML size of a group once merged: literal bytes plus every placeholder at its longest value. */
export const worstCaseHtmlBytes = (program: MergeProgram) => program.literalBytes + program.fields.length * maxMergeValueBytes;

export interface PreparedGroup {
  group: ContentGroup;
  html: MergeProgram;
  text: MergeProgram;
}

export function prepareGroup(group: ContentGroup): PreparedGroup {
  // A group without a nonce has no merge markers: sending it would mean no unsubscribe link, so it is refused.
  if (!group.mergeNonce) throw new Error(`Content group ${group.key} has no merge markers; compile it again (plan the edition again).`);
  if (hasLineBreak(group.subject)) throw headerLineBreak();
  return { group, html: compileMerge(group.html, group.mergeNonce), text: compileMerge(group.text, group.mergeNonce) };
}

const headerLineBreak = () => invalid('email.headerLineBreak', 'A subject or header value holds a line break; it would start a header of its own. Write it on one line.');

export interface Recipient {
  subscriberId: string;
  email: string;
  values: MergeValues;
  /** List-Unsubscribe and List-Unsubscribe-Post (RFC 8058). */
  headers: Array<{ name: string; value: string }>;
}

/** Builds one recipient's message from a prepared group: string joins only. Tags and `X-Edition-Id` /
 *  `X-Subscriber-Id` headers let a send be matched back to its delivery claim from SES's own records. */
export function buildMessage(prepared: PreparedGroup, recipient: Recipient, envelope: { from: string; editionId: string; configurationSet?: string }): OutgoingEmail {
  // The mail-building boundary: whatever let a line break into a header value upstream, it stops here. (The subject
  // is checked once, in prepareGroup.)
  let lineBreak = hasLineBreak(envelope.from) || hasLineBreak(recipient.email) || hasLineBreak(envelope.editionId) || hasLineBreak(recipient.subscriberId);
  for (const header of recipient.headers) lineBreak ||= hasLineBreak(header.name) || hasLineBreak(header.value);
  if (lineBreak) throw headerLineBreak();
  return {
    from: envelope.from,
    to: recipient.email,
    subject: prepared.group.subject,
    html: merge(prepared.html, recipient.values, escapeHtml),
    text: merge(prepared.text, recipient.values),
    headers: [
      ...recipient.headers,
      { name: 'X-Edition-Id', value: envelope.editionId },
      { name: 'X-Subscriber-Id', value: recipient.subscriberId },
    ],
    tags: { edition: envelope.editionId, subscriber: recipient.subscriberId },
    configurationSet: envelope.configurationSet,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Pre-flight checks
// ---------------------------------------------------------------------------------------------------------------

export interface PreflightIssue {
  level: 'error' | 'warning';
  code: string;
  message: string;
  group?: string;
  /** The numbers and names in the message, for saying it in another language. */
  params?: Record<string, string | number>;
}

const localHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Checks one compiled group: size after the worst-case merge, links (broken, non-https), images without alt text,
 *  placeholders that no merge fills, the unsubscribe and preference links being present. */
export function preflightGroup(group: ContentGroup): PreflightIssue[] {
  const issues: PreflightIssue[] = [];
  const at = (level: PreflightIssue['level'], code: string, message: string, params?: PreflightIssue['params']) => issues.push({ level, code, message, group: group.key, ...(params ? { params } : {}) });
  const prepared = { html: compileMerge(group.html, group.mergeNonce), text: compileMerge(group.text, group.mergeNonce) }; // reports what prepareGroup would refuse
  const worst = worstCaseHtmlBytes(prepared.html);
  if (worst > maxHtmlBytes) {
    at('error', 'preflight.tooLarge', `The ${group.language} email with ${group.itemIds.length} items is ${Math.ceil(worst / 1024)} KB; Gmail clips over 102 KB. Remove items or shorten the intro.`, { language: group.language, count: group.itemIds.length, kb: Math.ceil(worst / 1024) });
  }
  for (const field of mergeFields) {
    if (!prepared.html.fields.includes(field)) at('error', 'preflight.missingLink', `The HTML has no {{${field}}} link; every email needs it.`, { field, part: 'html' });
    if (!prepared.text.fields.includes(field)) at('error', 'preflight.missingLink', `The text part has no {{${field}}} link; every email needs it.`, { field, part: 'text' });
  }
  // Our templates, not what sources wrote: content's braces are text. A marker left after the split can only be a
  // template slot for a field we do not merge.
  if ([...prepared.html.parts, ...prepared.text.parts].some((part) => part.includes(group.mergeNonce))) {
    at('error', 'preflight.placeholder', 'A template has a merge field that no merge fills; it would reach readers as is.');
  }
  if (hasLineBreak(group.subject)) at('error', 'preflight.subjectLineBreak', 'The subject holds a line break; write it on one line.');
  const markers = new Set(mergeFields.map((field) => mergeMarker(group.mergeNonce, field)));
  const hrefs = [...group.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  for (const href of hrefs) {
    if (markers.has(href)) continue; // merged per recipient with our own https links
    if (href.startsWith('mailto:')) continue;
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      at('error', 'preflight.brokenLink', `A link is broken: "${href.slice(0, 120)}". Fix the item's link.`, { href: href.slice(0, 120) });
      continue;
    }
    if (url.protocol === 'https:') continue;
    if (url.protocol === 'http:' && localHosts.has(url.hostname)) continue; // the local runtime's own pages
    if (url.protocol === 'http:') at('warning', 'preflight.insecureLink', `A link is not https: ${href.slice(0, 120)}.`, { href: href.slice(0, 120) });
    else at('error', 'preflight.brokenLink', `A link uses ${url.protocol} which mail clients will not open: ${href.slice(0, 120)}.`, { href: href.slice(0, 120), protocol: url.protocol });
  }
  for (const img of group.html.matchAll(/<img\b[^>]*>/g)) {
    if (!/\balt="[^"]+"/.test(img[0])) at('warning', 'preflight.missingAlt', 'An image has no alt text; readers with images off see nothing.');
  }
  return issues;
}

/** Segments of the audience (language × country × topic) that would get no item at all. */
export function emptySegments(items: readonly Pick<Item, 'countries' | 'topics'>[], audience: Audience | undefined): PreflightIssue[] {
  if (items.length === 0) return [{ level: 'error', code: 'preflight.noItems', message: 'The edition has no items; choose items or a later "since".' }];
  const issues: PreflightIssue[] = [];
  for (const country of audience?.countries ?? []) {
    if (!items.some((item) => itemMatches(item, { countries: [country], topics: audience?.topics ?? [] }))) {
      issues.push({ level: 'warning', code: 'preflight.emptySegment', message: `Subscribers in ${countryName(country)} would get no item from this edition.`, params: { country } });
    }
  }
  for (const topic of audience?.topics ?? []) {
    if (!items.some((item) => itemMatches(item, { countries: audience?.countries ?? [], topics: [topic] }))) {
      issues.push({ level: 'warning', code: 'preflight.emptySegment', message: `Subscribers of the topic ${topic} would get no item from this edition.`, params: { topic } });
    }
  }
  return issues;
}
