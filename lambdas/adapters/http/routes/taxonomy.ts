// The editor's taxonomy API: the full taxonomy with counts, and add, change, remove (or merge) and preview for
// countries (keyed by ISO code) and topics (keyed by slug). GET /api/taxonomy, the public view, is in items.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { newRouter } from '../router.js';
import { ErrorSchema } from '../errors.js';
import type { App } from '../../../composition-root.js';
import { requireEditor } from '../auth/editor-token.js';
import type { TaxonomyKind } from '../../../core/taxonomy/taxonomy.js';

const Names = z.object({ en: z.string().min(1).max(120), es: z.string().min(1).max(120) });
const Keywords = z.object({ en: z.array(z.string().max(120)).max(300), es: z.array(z.string().max(120)).max(300) });
export const EntryInput = z.object({ names: Names, keywords: Keywords }).strict();
const Counts = { items: z.number(), subscribers: z.number() };
const FullCountry = z.object({ code: z.string(), names: Names, keywords: Keywords, ...Counts });
const FullTopic = z.object({ slug: z.string(), names: Names, keywords: Keywords, ...Counts });

const editorSecurity = [{ editorToken: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorSchema, 'Invalid code, slug, names or keywords'),
  401: json(ErrorSchema, 'Editor token missing or wrong'),
  404: json(ErrorSchema, 'No such entry'),
};

/** The two kinds share every route: `/api/taxonomy/countries/{code}` and `/api/taxonomy/topics/{slug}`. */
const kinds = [
  { kind: 'country', path: 'countries', key: 'code', Entry: FullCountry },
  { kind: 'topic', path: 'topics', key: 'slug', Entry: FullTopic },
] as const satisfies ReadonlyArray<{ kind: TaxonomyKind; path: string; key: string; Entry: z.ZodType }>;

export function taxonomyRoutes({ config, signInLimit, taxonomy }: Pick<App, 'config' | 'signInLimit' | 'taxonomy'>) {
  const app = newRouter();
  const editor = requireEditor(config.EDITOR_TOKEN, signInLimit);
  // Hono's `/*` also matches the bare path: GET /api/taxonomy stays public.
  app.use('/api/taxonomy/*', (c, next) => (c.req.path === '/api/taxonomy' ? next() : editor(c, next)));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/taxonomy/full',
      summary: 'Every country and topic with names, keywords and how many items and subscribers use it',
      security: editorSecurity,
      responses: { 200: json(z.object({ countries: z.array(FullCountry), topics: z.array(FullTopic) }), 'The taxonomy'), 401: errors[401] },
    }),
    async (c) => c.json(await taxonomy.editor.full(), 200),
  );

  for (const { kind, path, key } of kinds) {
    const Key = z.object({ [key]: z.string().min(1).max(80) });
    const keyOf = (params: Record<string, string>) => params[key]!;

    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/taxonomy/${path}`,
        summary: `Add a ${kind}; it applies to new items at once and to existing ones in the background`,
        security: editorSecurity,
        request: { body: { required: true, content: { 'application/json': { schema: EntryInput.extend(Key.shape).strict() } } } },
        responses: { 201: json(z.object({}).passthrough(), 'Added'), 409: json(ErrorSchema, 'It exists already'), ...errors },
      }),
      async (c) => {
        const body = c.req.valid('json') as unknown as z.infer<typeof EntryInput> & Record<string, string>;
        return c.json(await taxonomy.editor.create(kind, keyOf(body), { names: body.names, keywords: body.keywords }), 201);
      },
    );

    app.openapi(
      createRoute({
        method: 'put',
        path: `/api/taxonomy/${path}/{${key}}`,
        summary: `Change a ${kind}'s names and keywords (its ${key}, and so its feed addresses, stay)`,
        security: editorSecurity,
        request: { params: Key, body: { required: true, content: { 'application/json': { schema: EntryInput } } } },
        responses: { 200: json(z.object({}).passthrough(), 'Changed'), ...errors },
      }),
      async (c) => c.json(await taxonomy.editor.update(kind, keyOf(c.req.valid('param') as Record<string, string>), c.req.valid('json')), 200),
    );

    app.openapi(
      createRoute({
        method: 'delete',
        path: `/api/taxonomy/${path}/{${key}}`,
        summary: `Remove a ${kind}; one in use needs mergeInto, where its subscribers and items move`,
        security: editorSecurity,
        request: { params: Key, query: z.object({ mergeInto: z.string().min(1).max(80).optional() }) },
        responses: {
          200: json(z.object({ removed: z.string(), mergedInto: z.string().optional() }), 'Removed'),
          409: json(ErrorSchema, 'In use (details: items, subscribers): pass mergeInto'),
          ...errors,
        },
      }),
      async (c) => c.json(await taxonomy.editor.remove(kind, keyOf(c.req.valid('param') as Record<string, string>), c.req.valid('query').mergeInto), 200),
    );

    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/taxonomy/${path}/{${key}}/preview`,
        summary: `Which recent items would gain or lose the ${kind} with these keywords (nothing is saved)`,
        security: editorSecurity,
        request: { params: Key, body: { required: true, content: { 'application/json': { schema: EntryInput } } } },
        responses: {
          200: json(
            z.object({ scanned: z.number(), added: z.array(z.object({ id: z.string(), title: z.string() })), dropped: z.array(z.object({ id: z.string(), title: z.string() })) }),
            'The items that would change',
          ),
          ...errors,
        },
      }),
      async (c) => c.json(await taxonomy.editor.preview(kind, keyOf(c.req.valid('param') as Record<string, string>), c.req.valid('json')), 200),
    );
  }
  return app;
}
