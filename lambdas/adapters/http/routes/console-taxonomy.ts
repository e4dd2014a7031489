// The console's taxonomy page (/{lang}/editor/taxonomy): the same service as the editor API, from plain forms.
import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { App } from '../../../composition-root.js';
import type { TaxonomyKind } from '../../../core/taxonomy/taxonomy.js';
import type { EntryInput } from '../../../core/taxonomy/service.js';
import { formFields, langOf, one, renderPage, type PageStatus } from '../html.js';
import { validated, type RequestInvalid } from '../router.js';
import { errorMessage } from '../views/i18n.js';
import type { Flash } from '../views/console/shell.js';
import { TaxonomyPage, type TaxonomyPreview, type TaxonomyRow } from '../views/console/taxonomy.js';
import { EntryInput as EntrySchema } from './taxonomy.js';

type Outcome<T> = { ok: true; value: T } | { ok: false; status: PageStatus; error: { code: string; message: string; issues?: RequestInvalid['issues'] } };

export interface ConsolePageHelpers {
  csrfOf(c: Context): string;
  flashOf(c: Context): Flash | undefined;
  attempt<T>(work: () => T | Promise<T>): Promise<Outcome<T>>;
}

const kindOf = (segment: string | undefined): TaxonomyKind => (segment === 'countries' ? 'country' : 'topic');
const words = (value: string) => value.split(',').map((w) => w.trim()).filter(Boolean);

async function entryFrom(c: Context): Promise<EntryInput> {
  const f = await formFields(c);
  return validated(EntrySchema, {
    names: { en: one(f.nameEn), es: one(f.nameEs) },
    keywords: { en: words(one(f.keywordsEn)), es: words(one(f.keywordsEs)) },
  });
}

export function registerTaxonomyPages(pages: OpenAPIHono, { taxonomy }: Pick<App, 'taxonomy'>, h: ConsolePageHelpers) {
  const editor = taxonomy.editor;
  const back = (c: Context) => c.redirect(`/${langOf(c)}/editor/taxonomy?ok=1`, 303);

  const show = async (c: Context, flash?: Flash, status: PageStatus = 200, preview?: TaxonomyPreview) => {
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
        ...(preview ? { preview } : {}),
      }),
      status,
      { private: true },
    );
  };
  const failed = (c: Context, r: Extract<Outcome<unknown>, { ok: false }>) => show(c, { kind: 'error', text: errorMessage(r.error, langOf(c)) }, r.status);

  pages.get('/taxonomy', (c) => show(c));

  // The alternatives are grouped: Hono's trie router reads `{countries|topics}` as /^countries|topics$/, which sent
  // every POST under /taxonomy/countries/… (a change, a preview, a removal) to the add route.
  const kinds = ':kind{(?:countries|topics)}';

  pages.post(`/taxonomy/${kinds}`, async (c) => {
    const kind = kindOf(c.req.param('kind'));
    const r = await h.attempt(async () => editor.create(kind, one((await formFields(c)).key).trim(), await entryFrom(c)));
    return r.ok ? back(c) : failed(c, r);
  });

  pages.post(`/taxonomy/${kinds}/:key`, async (c) => {
    const r = await h.attempt(async () => editor.update(kindOf(c.req.param('kind')), c.req.param('key') ?? '', await entryFrom(c)));
    return r.ok ? back(c) : failed(c, r);
  });

  pages.post(`/taxonomy/${kinds}/:key/preview`, async (c) => {
    const kind = kindOf(c.req.param('kind'));
    const key = c.req.param('key') ?? '';
    const r = await h.attempt(async () => {
      const draft = await entryFrom(c);
      return { kind, key, draft, ...(await editor.preview(kind, key, draft)) };
    });
    return r.ok ? show(c, undefined, 200, r.value) : failed(c, r);
  });

  pages.post(`/taxonomy/${kinds}/:key/remove`, async (c) => {
    const mergeInto = one((await formFields(c)).mergeInto) || undefined;
    const r = await h.attempt(() => editor.remove(kindOf(c.req.param('kind')), c.req.param('key') ?? '', mergeInto));
    return r.ok ? back(c) : failed(c, r);
  });
}
