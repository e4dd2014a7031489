// The MJML renderer (EmailRenderer port): composes the templates in `templates/` (layout, item partial, header and
// footer per language) with the content model, then compiles with mjml v5 (async). Only the planner, preview and
// archive load this module; the sender merges precompiled HTML and never imports MJML.
import mjml2html from 'mjml';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmailRenderer, NewsletterModel } from '../../core/editions/newsletter.js';
import { isMergeField, mergeMarker, newsletterStrings } from '../../core/editions/newsletter.js';
import { escapeHtml } from '../../core/shared/text.js';
import type { Language } from '../../core/shared/language.js';

// In the repo, templates/ sits three folders up from this file; in a Lambda bundle (one index.mjs) the stack copies
// templates/ next to the bundle.
const here = dirname(fileURLToPath(import.meta.url));
export const defaultTemplatesDir = [join(here, 'templates'), join(here, '..', '..', '..', 'templates')].find((dir) => existsSync(join(dir, 'layout.mjml'))) ?? join(here, '..', '..', '..', 'templates');

export interface TemplateSet {
  layout: string;
  item: string;
  header: Record<Language, string>;
  footer: Record<Language, string>;
}

export function loadTemplates(dir = defaultTemplatesDir): TemplateSet {
  const read = (...parts: string[]) => readFileSync(join(dir, ...parts), 'utf8');
  return {
    layout: read('layout.mjml'),
    item: read('partials', 'item.mjml'),
    header: { es: read('es', 'header.mjml'), en: read('en', 'header.mjml') },
    footer: { es: read('es', 'footer.mjml'), en: read('en', 'footer.mjml') },
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

/** Composes the MJML source of one email (exported for strict-validation tests). */
export function composeMjml(templates: TemplateSet, model: NewsletterModel): string {
  const s = newsletterStrings(model.language);
  const items = model.items
    .map((item) => fill(templates.item, { link: item.link, title: item.title, meta: item.meta, summary: item.summary, read_more: s.readMore }))
    .join('\n');
  const intro = model.intro ? `        <mj-text>${escapeHtml(model.intro).replace(/\n/g, '<br />')}</mj-text>` : '';
  return fill(templates.layout, {
    lang: model.language,
    subject: model.subject,
    preview: model.preview,
    header: fill(templates.header[model.language], { archive_url: model.archiveUrl }),
    intro,
    items,
    footer: fill(templates.footer[model.language], {}, model.mergeNonce),
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
