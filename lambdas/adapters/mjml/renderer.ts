// The MJML renderer (EmailRenderer port): composes the templates in `templates/` (layout and partials; the words come
// from the core's newsletter strings, in the model's language) with the content model, then compiles with mjml v5 (async). Only the planner, preview and
// archive load this module; the sender merges precompiled HTML and never imports MJML.
import mjml2html from 'mjml';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmailRenderer, NewsletterModel } from '../../core/editions/newsletter.js';
import { isMergeField, mergeMarker, newsletterStrings } from '../../core/editions/newsletter.js';
import { escapeHtml } from '../../core/shared/text.js';

// In the repo, templates/ sits three folders up from this file; in a Lambda bundle (one index.mjs) the stack copies
// templates/ next to the bundle.
const here = dirname(fileURLToPath(import.meta.url));
export const defaultTemplatesDir = [join(here, 'templates'), join(here, '..', '..', '..', 'templates')].find((dir) => existsSync(join(dir, 'layout.mjml'))) ?? join(here, '..', '..', '..', 'templates');

export interface TemplateSet {
  layout: string;
  header: string;
  mastheadLogo: string;
  mastheadName: string;
  intro: string;
  item: string;
  itemImage: string;
  footer: string;
}

export function loadTemplates(dir = defaultTemplatesDir): TemplateSet {
  const partial = (name: string) => readFileSync(join(dir, 'partials', `${name}.mjml`), 'utf8');
  return {
    layout: readFileSync(join(dir, 'layout.mjml'), 'utf8'),
    header: partial('header'),
    mastheadLogo: partial('masthead-logo'),
    mastheadName: partial('masthead-name'),
    intro: partial('intro'),
    item: partial('item'),
    itemImage: partial('item-image'),
    footer: partial('footer'),
  };
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Fills `{% name %}` (HTML-escaped) and `{%! name %}` (raw MJML) from `vars`, and turns a `{{field}}` merge slot
 *  into this compile's merge marker; an unknown name is an error, so a typo in a template never reaches a reader.
 *  Only the template is scanned: values go in as they are (one pass), so braces in content stay text. */
export function fill(template: string, vars: Record<string, string>, mergeNonce?: string): string {
  return template.replace(/\{%(!?)\s*([a-z_]+)\s*%\}|\{\{\s*([a-z_]+)\s*\}\}/g, (_m, raw: string | undefined, name: string | undefined, field: string | undefined) => {
    if (field !== undefined) {
      if (!isMergeField(field) || mergeNonce === undefined) throw new TemplateError(`Template merge field "{{${field}}}" is not one we merge here.`);
      return mergeMarker(mergeNonce, field);
    }
    const value = vars[name!];
    if (value === undefined) throw new TemplateError(`Template variable "${name}" has no value.`);
    return raw ? value : escapeHtml(value);
  });
}

// Colours: the brand's accent is used for text (links) on white and, in dark mode, on a near-black card; whatever
// colour is configured, it is nudged until it reads on each (WCAG contrast 4.5:1).
const lightCard = '#ffffff';
const darkCard = '#1a2027';
const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const toHex = (c: number[]) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
const luminance = (hex: string) => {
  const [r, g, b] = rgb(hex).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};
/** `color` mixed step by step toward `toward` until it reads on `background`. */
export function readableOn(color: string, background: string, toward: '#000000' | '#ffffff'): string {
  const from = rgb(color);
  const to = rgb(toward);
  for (let step = 0; step <= 20; step++) {
    const mixed = toHex(from.map((v, i) => v + ((to[i]! - v) * step) / 20));
    if (contrast(mixed, background) >= 4.5) return mixed;
  }
  return toward;
}

/** Composes the MJML source of one email (exported for strict-validation tests). Content goes in as values: text
 *  is escaped by `fill`; the only raw value from content is the intro, which the Markdown renderer sanitised. */
export function composeMjml(templates: TemplateSet, model: NewsletterModel): string {
  const s = newsletterStrings(model.language);
  const accent = readableOn(model.brand.color, lightCard, '#000000');
  const accentOnDark = readableOn(model.brand.color, darkCard, '#ffffff');
  const items = model.items
    .map((item) =>
      fill(templates.item, {
        link: item.link,
        title: item.title,
        meta: item.meta,
        summary: item.summary,
        action: item.action,
        image: item.image ? fill(templates.itemImage, { image_url: item.image.url, image_alt: item.image.alt, link: item.link }) : '',
      }),
    )
    .join('\n');
  const brandName = model.brand.name;
  const masthead = model.brand.logoUrl
    ? fill(templates.mastheadLogo, { logo_url: model.brand.logoUrl, brand_name: brandName })
    : fill(templates.mastheadName, { brand_name: brandName, accent });
  return fill(templates.layout, {
    lang: model.language,
    subject: model.subject,
    preview: model.preview,
    accent,
    accent_on_dark: accentOnDark,
    header: fill(templates.header, { view_in_browser: s.viewInBrowser, accent, masthead }, model.mergeNonce),
    intro: model.intro ? fill(templates.intro, { intro_html: model.intro.html }) : '',
    items,
    footer: fill(
      templates.footer,
      { why: s.why(brandName), preferences: s.preferences, unsubscribe: s.unsubscribe, share: s.share, archive_url: model.archiveUrl, postal_address: model.brand.postalAddress },
      model.mergeNonce,
    ),
  });
}

export interface MjmlRendererOptions {
  templates?: TemplateSet;
  /** 'strict' (default) refuses to render a template with any validation error. */
  validationLevel?: 'strict' | 'soft';
  /** Counts compiles (the benchmark reports it). */
  onCompile?: () => void;
}

export function createMjmlRenderer(options: MjmlRendererOptions = {}): EmailRenderer {
  const templates = options.templates ?? loadTemplates();
  return {
    async renderHtml(model) {
      const source = composeMjml(templates, model);
      options.onCompile?.();
      const out = await mjml2html(source, { validationLevel: options.validationLevel ?? 'strict', keepComments: false });
      if (out.errors.length > 0) throw new TemplateError(`MJML: ${out.errors.map((e) => e.formattedMessage).join('; ')}`);
      return out.html;
    },
  };
}
