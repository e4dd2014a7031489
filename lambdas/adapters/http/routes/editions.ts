// Editor API for editions (newsletters): create, change, preview, test-send, pre-flight, send now or at a time, pause,
// resume, cancel, watch. Every route needs the editor token. Schemas here validate requests and feed /api/openapi.json.
import { createRoute, z } from '@hono/zod-openapi';
import { newRouter } from '../router.js';
import { ErrorSchema } from '../errors.js';
import type { App } from '../../../composition-root.js';
import { requireEditor } from '../auth/editor-token.js';
import { currentTaxonomy } from '../../../core/taxonomy/taxonomy.js';
import { CountryCodeSchema, TopicSlugSchema, csvOf, maxTaxonomyList } from '../taxonomy-schemas.js';
import { languages } from '../../../core/shared/language.js';

const IsoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'must be an ISO 8601 date-time', params: { reason: 'isoDateTime' } });
const Language = z.enum(languages);
const editorSecurity = [{ editorToken: [] }];

const Audience = z
  .object({
    countries: z.array(CountryCodeSchema).max(maxTaxonomyList).optional(),
    topics: z.array(TopicSlugSchema).max(maxTaxonomyList).optional(),
    languages: z.array(Language).max(languages.length).optional(),
  })
  .strict()
  .openapi('EditionAudience');

const Translation = z.object({ subject: z.string().trim().min(1).max(200), intro: z.string().max(2_000).optional() }).strict().openapi('EditionTranslation');
const Translations = z.object(Object.fromEntries(languages.map((l) => [l, Translation.optional()])) as Record<(typeof languages)[number], z.ZodOptional<typeof Translation>>).strict();

export const EditionInput = z
  .object({
    subject: z.string().trim().min(1).max(200).openapi({ description: 'The subject for any language without a translation.' }),
    intro: z.string().max(2_000).optional(),
    translations: Translations.optional().openapi({ description: 'Per-language subject and intro: {"es":{"subject","intro"},"en":{…}}. Subscribers get their language’s text.' }),
    itemIds: z.array(z.string().min(1).max(200)).max(100).optional().openapi({ description: 'Items in this order. Omit (and omit since) for everything new since the last edition.' }),
    since: IsoDate.optional().openapi({ description: 'Everything published after this time.' }),
    audience: Audience.optional(),
  })
  .strict()
  .openapi('EditionInput');

const Counts = z.object({ planned: z.number(), sent: z.number(), skipped: z.number(), suppressed: z.number(), failed: z.number(), inDoubt: z.number(), cancelled: z.number(), queued: z.number() });
const EditionView = z
  .object({
    id: z.string(),
    kind: z.string(),
    subject: z.string(),
    intro: z.string().nullable(),
    translations: z.record(z.string(), z.object({ subject: z.string(), intro: z.string().optional() })),
    state: z.enum(['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled']),
    audience: z.unknown(),
    selection: z.unknown(),
    itemIds: z.array(z.string()).nullable(),
    counts: Counts,
    rate: z.number().openapi({ description: 'Messages sent per second since the send started.' }),
    progress: z.number().openapi({ description: 'Settled recipients over planned, 0..1.' }),
    createdAt: z.string(),
    scheduledAt: z.string().nullable(),
    sendStartedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    pausedReason: z.string().nullable(),
    reachedNobody: z.boolean().openapi({ description: 'Planned for nobody: kept out of the public archive.' }),
    deadLettered: z
      .object({ chunks: z.number(), recipients: z.number() })
      .openapi({ description: 'Chunks of the send (and their recipients) the queue dead-lettered, until the recovery sweep or a redrive enqueues them again.' }),
  })
  .openapi('Edition');

export const SendBody = z.object({ at: IsoDate.optional() }).strict();
export const TestSendBody = z
  .object({
    emails: z.array(z.string().email()).min(1).max(10),
    countries: z.array(CountryCodeSchema).optional(),
    topics: z.array(TopicSlugSchema).optional(),
    language: Language.optional(),
  })
  .strict();

const Issue = z.object({ level: z.enum(['error', 'warning']), code: z.string(), message: z.string(), group: z.string().optional(), params: z.record(z.string(), z.union([z.string(), z.number()])).optional() });
const AudienceView = z
  .object({
    recipients: z.number().openapi({ description: 'Subscribers a send would email now (the planner’s count).' }),
    skipped: z.number().openapi({ description: 'In the audience, but no item matches their preferences: not emailed.' }),
    byLanguage: z.object(Object.fromEntries(languages.map((l) => [l, z.number()])) as Record<(typeof languages)[number], z.ZodNumber>),
  })
  .openapi('EditionAudienceCount');
export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const SegmentQuery = z.object({ countries: csvOf(() => currentTaxonomy().countryCodes), topics: csvOf(() => currentTaxonomy().topicSlugs), language: Language.default('en') });

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = {
  400: json(ErrorSchema, 'Invalid request'),
  401: json(ErrorSchema, 'Editor token missing or wrong'),
  404: json(ErrorSchema, 'No such edition'),
  409: json(ErrorSchema, 'Not allowed in the edition’s state'),
};

export function editionRoutes(deps: Pick<App, 'config' | 'editions' | 'signInLimit'>) {
  const app = newRouter();
  // Built on first use: a process that serves no edition route never loads the renderer.
  const service = () => deps.editions;
  const editor = requireEditor(deps.config.EDITOR_TOKEN, deps.signInLimit);
  app.use('/api/editions', editor);
  app.use('/api/editions/*', editor);

  app.openapi(
    createRoute({ method: 'post', path: '/api/editions', summary: 'Create an edition (draft)', security: editorSecurity, request: { body: { content: { 'application/json': { schema: EditionInput } }, required: true } }, responses: { 201: json(z.object({ id: z.string() }), 'Created'), ...errors } }),
    async (c) => {
      const edition = await service().create(c.req.valid('json'));
      return c.json({ id: edition.id }, 201);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/editions', summary: 'Latest editions', security: editorSecurity, request: { query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) }, responses: { 200: json(z.object({ editions: z.array(EditionView) }), 'Editions, newest first'), ...errors } }),
    async (c) => c.json({ editions: (await service().list(c.req.valid('query').limit)) as z.infer<typeof EditionView>[] }, 200),
  );

  app.openapi(
    createRoute({ method: 'put', path: '/api/editions/{id}', summary: 'Change a draft or scheduled edition', security: editorSecurity, request: { params: IdParam, body: { content: { 'application/json': { schema: EditionInput } }, required: true } }, responses: { 200: json(EditionView, 'The edition'), ...errors } }),
    async (c) => {
      const { id } = c.req.valid('param');
      await service().update(id, c.req.valid('json'));
      return c.json((await service().status(id)) as z.infer<typeof EditionView>, 200);
    },
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/editions/{id}', summary: 'State, counts and send rate', security: editorSecurity, request: { params: IdParam }, responses: { 200: json(EditionView, 'The edition'), ...errors } }),
    async (c) => c.json((await service().status(c.req.valid('param').id)) as z.infer<typeof EditionView>, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/editions/{id}/send',
      summary: 'Send now ({}) or at a time ({"at"})',
      description: 'Refused (400 edition.preflightFailed) while the pre-flight reports an error; a time that has passed is 400 edition.scheduleInPast.',
      security: editorSecurity,
      request: { params: IdParam, body: { content: { 'application/json': { schema: SendBody } }, required: false } },
      responses: { 202: json(z.object({ id: z.string(), state: z.string(), scheduledAt: z.string().nullable() }), 'Accepted: planning starts now or at the time'), ...errors },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = (c.req.header('content-length') === '0' ? {} : c.req.valid('json')) ?? {};
      const edition = await service().send(id, body.at ? new Date(body.at) : undefined);
      return c.json({ id, state: edition.state, scheduledAt: edition.scheduledAt ?? null }, 202);
    },
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.openapi(
      createRoute({ method: 'post', path: `/api/editions/{id}/${action}`, summary: `${action[0]!.toUpperCase()}${action.slice(1)} the edition`, security: editorSecurity, request: { params: IdParam }, responses: { 200: json(EditionView, 'The edition'), ...errors } }),
      async (c) => {
        const { id } = c.req.valid('param');
        await service()[action](id);
        return c.json((await service().status(id)) as z.infer<typeof EditionView>, 200);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/editions/{id}/redrive',
      summary: 'Move a stopped send on now: the plan from its cursors, or every unfinished chunk enqueued again (nobody is mailed twice)',
      security: editorSecurity,
      request: { params: IdParam },
      responses: { 202: json(z.object({ replanned: z.boolean(), requeued: z.number() }), 'Handed back to the planner or the queue'), ...errors },
    }),
    async (c) => c.json(await service().redrive(c.req.valid('param').id), 202),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/editions/{id}/preflight', summary: 'Pre-flight checks (size, links, alt text, placeholders, empty segments)', security: editorSecurity, request: { params: IdParam }, responses: { 200: json(z.object({ ok: z.boolean(), items: z.number(), issues: z.array(Issue) }), 'Issues; ok is false when any is an error'), ...errors } }),
    async (c) => c.json(await service().preflight(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({ method: 'get', path: '/api/editions/{id}/audience', summary: 'Who a send would reach now (the numbers the planner will use)', security: editorSecurity, request: { params: IdParam }, responses: { 200: json(AudienceView, 'Recipients, skipped, and recipients by language'), ...errors } }),
    async (c) => c.json(await service().audience(c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/editions/{id}/preview',
      summary: 'The HTML a subscriber of a segment would get',
      security: editorSecurity,
      request: { params: IdParam, query: SegmentQuery },
      responses: { 200: { description: 'HTML email', content: { 'text/html': { schema: z.string() } } }, ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { html, items } = await service().preview(c.req.valid('param').id, { countries: q.countries, topics: q.topics, language: q.language });
      c.header('X-Items', String(items));
      // The email's own styles are inline; allow them in the preview, nothing else.
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'");
      return c.html(html, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/editions/{id}/test',
      summary: 'Send a test of one segment to given addresses',
      security: editorSecurity,
      request: {
        params: IdParam,
        body: {
          content: {
            'application/json': {
              schema: TestSendBody,
            },
          },
          required: true,
        },
      },
      responses: { 202: json(z.object({ sent: z.number(), messageIds: z.array(z.string()) }), 'Sent'), ...errors },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const result = await service().testSend(c.req.valid('param').id, body.emails, { countries: body.countries ?? [], topics: body.topics ?? [], language: body.language ?? 'en' });
      return c.json(result, 202);
    },
  );

  return app;
}
