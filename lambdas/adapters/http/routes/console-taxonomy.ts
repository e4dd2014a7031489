// The console's taxonomy page (/{lang}/editor/taxonomy): the same service as the editor API, from plain forms.
import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { App } from '../../../composition-root.js';
import type { TaxonomyKind } from '../../../core/taxonomy/taxonomy.js';
import type { EntryCounts, EntryInput } from '../../../core/taxonomy/service.js';
import { formFields, langOf, one, renderPage, type PageStatus } from '../html.js';
import { validated } from '../router.js';
import { countryName, errorMessage, t, topicName, type Lang } from '../views/i18n.js';
import type { Flash } from '../views/console/shell.js';
import { TaxonomyPage, type EntryDraft, type TaxonomyAdding, type TaxonomyOpen, type TaxonomyRow } from '../views/console/taxonomy.js';
import type { ConsoleError } from './console.js';
import { EntryInput as EntrySchema } from './taxonomy.js';

type Outcome<T> = { ok: true; value: T } | { ok: false; status: PageStatus; error: ConsoleError };

export interface ConsolePageHelpers {
  csrfOf(c: Context): string;
  flashOf(c: Context): Flash | undefined;
  attempt<T>(work: () => T | Promise<T>): Promise<Outcome<T>>;
}

const kindOf = (segment: string | undefined): TaxonomyKind => (segment === 'countries' ? 'country' : 'topic');
const words = (value: string) => value.split(',').map((w) => w.trim()).filter(Boolean);

/** The entry's fields as typed: what a refused form is shown again with. */
const draftOf = (f: Record<string, string | string[]>): EntryDraft => ({
  names: { en: one(f.nameEn), es: one(f.nameEs) },
  keywords: { en: one(f.keywordsEn), es: one(f.keywordsEs) },
});
const entryOf = (draft: EntryDraft): EntryInput =>
  validated(EntrySchema, { names: draft.names, keywords: { en: words(draft.keywords.en), es: words(draft.keywords.es) } });

/** The counts a `taxonomy.inUse` refusal carries (the API's `details`). */
const usageOf = (error: ConsoleError): EntryCounts | undefined => {
  const d = error.details as Partial<EntryCounts> | undefined;
  return error.code === 'taxonomy.inUse' && typeof d?.items === 'number' && typeof d.subscribers === 'number' ? { items: d.items, subscribers: d.subscribers } : undefined;
};

/** A refusal in the editor's words; an entry in use is named, with who uses it and how to remove it anyway. */
function refusalText(error: ConsoleError, lang: Lang, kind: TaxonomyKind, key: string): string {
  const usage = usageOf(error);
  if (!usage) return errorMessage(error, lang);
  const name = kind === 'country' ? countryName(key, lang) : topicName(key, lang);
  return t(lang).taxonomyInUse(kind, name, usage.items, usage.subscribers);
}

export function registerTaxonomyPages(pages: OpenAPIHono, { taxonomy }: Pick<App, 'taxonomy'>, h: ConsolePageHelpers) {
  const editor = taxonomy.editor;
  /** Back to the list, naming what was done (`flashOf` words it). */
  const back = (c: Context, did: 'termAdded' | 'termSaved' | 'termRemoved', kind: TaxonomyKind) =>
    c.redirect(`/${langOf(c)}/editor/taxonomy?${new URLSearchParams({ ok: '1', did, kind })}`, 303);

  const show = async (c: Context, flash?: Flash, status: PageStatus = 200, forms: { open?: TaxonomyOpen; adding?: TaxonomyAdding } = {}) => {
    const r = await h.attempt(() => editor.full());
    const rows = (list: Array<{ names: TaxonomyRow['names']; keywords: TaxonomyRow['keywords']; items: number; subscribers: number } & ({ code: string } | { slug: string })>) =>
      list.map((e) => ({ key: 'code' in e ? e.code : e.slug, names: e.names, keywords: e.keywords, items: e.items, subscribers: e.subscribers }));
    return renderPage(
      c,
      TaxonomyPage({
        lang: langOf(c),
        csrf: h.csrfOf(c),
        flash: flash ?? (r.ok ? h.flashOf(c) : { kind: 'error', text: errorMessage(r.error, langOf(c)) }),
        countries: r.ok ? rows(r.value.countries) : [],
        topics: r.ok ? rows(r.value.topics) : [],
        ...forms,
      }),
      status,
      { private: true },
    );
  };
  /** A refused change: the page again with the refusal on top and the form as the editor left it. */
  const refused = (c: Context, r: Extract<Outcome<unknown>, { ok: false }>, kind: TaxonomyKind, key: string, forms: { open?: TaxonomyOpen; adding?: TaxonomyAdding }) =>
    show(c, { kind: 'error', text: refusalText(r.error, langOf(c), kind, key) }, r.status, forms);

  pages.get('/taxonomy', (c) => show(c));

  // The alternatives are grouped: Hono's trie router reads `{countries|topics}` as /^countries|topics$/, which sent
  // every POST under /taxonomy/countries/… (a change, a preview, a removal) to the add route.
  const kinds = ':kind{(?:countries|topics)}';

  pages.post(`/taxonomy/${kinds}`, async (c) => {
    const kind = kindOf(c.req.param('kind'));
    const f = await formFields(c);
    const key = one(f.key).trim();
    const draft = draftOf(f);
    const r = await h.attempt(() => editor.create(kind, key, entryOf(draft)));
    return r.ok ? back(c, 'termAdded', kind) : refused(c, r, kind, key, { adding: { kind, key, draft } });
  });

  pages.post(`/taxonomy/${kinds}/:key`, async (c) => {
    const kind = kindOf(c.req.param('kind'));
    const key = c.req.param('key') ?? '';
    const draft = draftOf(await formFields(c));
    const r = await h.attempt(() => editor.update(kind, key, entryOf(draft)));
    return r.ok ? back(c, 'termSaved', kind) : refused(c, r, kind, key, { open: { kind, key, draft } });
  });

  pages.post(`/taxonomy/${kinds}/:key/preview`, async (c) => {
    const kind = kindOf(c.req.param('kind'));
    const key = c.req.param('key') ?? '';
    const draft = draftOf(await formFields(c));
    const r = await h.attempt(() => editor.preview(kind, key, entryOf(draft)));
    return r.ok ? show(c, undefined, 200, { open: { kind, key, draft, preview: r.value } }) : refused(c, r, kind, key, { open: { kind, key, draft } });
  });

  pages.post(`/taxonomy/${kinds}/:key/remove`, async (c) => {
    const kind = kindOf(c.req.param('kind'));
    const key = c.req.param('key') ?? '';
    const mergeInto = one((await formFields(c)).mergeInto) || undefined;
    const r = await h.attempt(() => editor.remove(kind, key, mergeInto));
    return r.ok ? back(c, 'termRemoved', kind) : refused(c, r, kind, key, { open: { kind, key, ...(mergeInto ? { mergeInto } : {}) } });
  });
}
