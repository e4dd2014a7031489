// Items, taxonomy and sources (the foundation's public and editor API).
import { createRoute, z } from '@hono/zod-openapi';
import { newRouter } from '../router.js';
import { ErrorSchema } from '../errors.js';
import type { App } from '../../../composition-root.js';
import { requireEditor } from '../auth/editor-token.js';
import { currentTaxonomy, taxonomyView, isCountryCode, isTopicSlug } from '../../../core/taxonomy/taxonomy.js';
import { CountryCodeSchema, TopicSlugSchema, maxTaxonomyList } from '../taxonomy-schemas.js';
import { languages } from '../../../core/shared/language.js';
import { itemSummaryView, scopeId, type FeedScope } from '../../../core/items/model.js';
import { invalid, notFound } from '../../../core/shared/errors.js';
import type { Source } from '../../../core/ingest/sources.js';

const CountryCode = CountryCodeSchema;
const TopicSlug = TopicSlugSchema;
const IsoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), { message: 'must be an ISO 8601 date-time', params: { reason: 'isoDateTime' } });

const ItemSummary = z
  .object({
    id: z.string(),
    title: z.string(),
    link: z.string(),
    publishedAt: z.string(),
    updatedAt: z.string(),
    summary: z.string(),
    countries: z.array(z.string()),
    topics: z.array(z.string()),
  })
  .openapi('ItemSummary');

export const ItemInput = z
  .object({
    id: z.string().min(1).optional().openapi({ description: 'Give to correct an existing item; omit to add one.' }),
    title: z.string().min(1).max(500).optional(),
    link: z.string().url().refine((v) => /^https?:/i.test(v), { message: 'must be an http(s) URL', params: { reason: 'httpUrl' } }).optional(),
    publishedAt: IsoDate.optional(),
    summary: z.string().max(5_000).optional(),
    contentHtml: z.string().max(200_000).optional(),
    author: z.string().max(200).optional(),
    countries: z.array(CountryCode).max(maxTaxonomyList).optional().openapi({ description: 'Overrides the classification; [] = bloc-wide.' }),
    topics: z.array(TopicSlug).max(maxTaxonomyList).optional().openapi({ description: 'Overrides the classification.' }),
  })
  .strict()
  .openapi('ItemInput');

export const SourceInput = z
  .object({
    url: z.string().url().refine((v) => /^https?:/i.test(v), { message: 'must be an http(s) URL', params: { reason: 'httpUrl' } }),
    name: z.string().min(1).max(200).optional(),
    defaultCountries: z.array(CountryCode).optional(),
    defaultTopics: z.array(TopicSlug).optional(),
  })
  .strict()
  .openapi('SourceInput');

export const SourcePatch = z
  .object({
    name: z.string().min(1).max(200).optional(),
    url: z.string().url().refine((v) => /^https?:/i.test(v), { message: 'must be an http(s) URL', params: { reason: 'httpUrl' } }).optional(),
    defaultCountries: z.array(CountryCode).optional(),
    defaultTopics: z.array(TopicSlug).optional(),
    active: z.boolean().optional().openapi({ description: 'false pauses the source: it is not polled until made active again.' }),
  })
  .strict()
  .openapi('SourcePatch');
const SourceId = z.object({ id: z.string().min(1).max(64) });

const Counts = z.object({ new: z.number(), updated: z.number(), unchanged: z.number(), rejected: z.number() });
const Rejections = z
  .array(z.object({ entry: z.string(), code: z.string(), reason: z.string() }))
  .optional()
  .openapi({ description: 'Why entries were rejected (the first 20); absent when none were.' });
const SourceView = z
  .object({
    id: z.string(),
    url: z.string(),
    name: z.string(),
    defaultCountries: z.array(z.string()),
    defaultTopics: z.array(z.string()),
    active: z.boolean(),
    lastPoll: z.object({ at: z.string(), status: z.string(), counts: Counts, rejections: Rejections, error: z.object({ code: z.string(), message: z.string() }).optional() }).optional(),
    lastError: z.object({ at: z.string(), code: z.string(), message: z.string() }).optional(),
  })
  .openapi('Source');

const editorSecurity = [{ editorToken: [] }];

/** A source as the API shows it: no validators, active spelled out. */
const sourceView = ({ etag: _e, lastModified: _l, createdAt: _c, ...view }: Source) => ({ ...view, active: view.active !== false });

export function itemRoutes({ config, repos: { items }, ingest, signInLimit }: App) {
  const app = newRouter();
  const editor = requireEditor(config.EDITOR_TOKEN, signInLimit);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/taxonomy',
      summary: 'Countries and topics items are classified by',
      request: { query: z.object({ language: z.enum(languages).optional() }) },
      responses: {
        200: {
          description: 'The taxonomy',
          content: {
            'application/json': {
              schema: z.object({
                countries: z.array(z.object({ code: z.string(), name: z.string() })),
                topics: z.array(z.object({ slug: z.string(), name: z.string() })),
              }),
            },
          },
        },
      },
    }),
    (c) => c.json(taxonomyView(c.req.valid('query').language), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/items',
      summary: 'Items, newest first, optionally for one country and/or topic',
      request: {
        query: z.object({
          country: z.string().optional(),
          topic: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
          cursor: z.string().max(512).optional(),
        }),
      },
      responses: {
        200: { description: 'A page of items', content: { 'application/json': { schema: z.object({ items: z.array(ItemSummary), cursor: z.string().nullable() }) } } },
        400: { description: 'Unknown country or topic', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      const { country, topic, limit, cursor } = c.req.valid('query');
      if (country !== undefined && !isCountryCode(country)) {
        throw invalid('items.unknownCountry', `Unknown country "${country}"; use one of ${currentTaxonomy().countryCodes.join(', ')}.`);
      }
      if (topic !== undefined && !isTopicSlug(topic)) {
        throw invalid('items.unknownTopic', `Unknown topic "${topic}"; use one of ${currentTaxonomy().topicSlugs.join(', ')}.`);
      }
      const scope: FeedScope =
        country && topic ? { kind: 'countryTopic', country, topic } : country ? { kind: 'country', country } : topic ? { kind: 'topic', topic } : { kind: 'all' };
      const page = await items.listScope(scopeId(scope), { limit, cursor });
      return c.json({ items: page.items.map(itemSummaryView), cursor: page.cursor ?? null }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/items/{id}',
      summary: 'One item with its sanitised content and tag provenance',
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: {
        200: { description: 'The item', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
        404: { description: 'No such item', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      const item = await items.get(c.req.valid('param').id);
      if (!item) throw notFound('item.notFound', 'No item has this id.');
      const { sourceHash: _hash, ...view } = item;
      return c.json(view, 200);
    },
  );

  app.use('/api/items', async (c, next) => (c.req.method === 'POST' ? editor(c, next) : next()));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/items',
      summary: 'Add an item, or correct one (and override its tags)',
      security: editorSecurity,
      request: { body: { required: true, content: { 'application/json': { schema: ItemInput } } } },
      responses: {
        200: { description: 'Corrected', content: { 'application/json': { schema: z.object({ id: z.string(), version: z.number() }) } } },
        201: { description: 'Added', content: { 'application/json': { schema: z.object({ id: z.string(), version: z.number() }) } } },
        400: { description: 'Invalid', content: { 'application/json': { schema: ErrorSchema } } },
        404: { description: 'No item with that id', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      const result = await ingest.editItem(c.req.valid('json'));
      return c.json({ id: result.id, version: result.version }, result.created ? 201 : 200);
    },
  );

  app.use('/api/sources', editor);
  app.use('/api/sources/*', editor);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/sources',
      summary: 'Sources with their last poll and last error',
      security: editorSecurity,
      responses: { 200: { description: 'Sources', content: { 'application/json': { schema: z.object({ sources: z.array(SourceView) }) } } } },
    }),
    async (c) => {
      const list = await ingest.listSources();
      return c.json({ sources: list.map(sourceView) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/sources/{id}',
      summary: 'Change a source: name, URL, default tags, or pause it (active: false)',
      security: editorSecurity,
      request: { params: SourceId, body: { required: true, content: { 'application/json': { schema: SourcePatch } } } },
      responses: {
        200: { description: 'The source', content: { 'application/json': { schema: SourceView } } },
        400: { description: 'Invalid', content: { 'application/json': { schema: ErrorSchema } } },
        404: { description: 'No such source', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async (c) => c.json(sourceView(await ingest.editSource(c.req.valid('param').id, c.req.valid('json'))), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/sources/{id}',
      summary: 'Remove a source (its items stay)',
      security: editorSecurity,
      request: { params: SourceId },
      responses: { 204: { description: 'Removed' }, 404: { description: 'No such source', content: { 'application/json': { schema: ErrorSchema } } } },
    }),
    async (c) => {
      await ingest.removeSource(c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sources',
      summary: 'Add a feed source (RSS 2.0, RSS 1.0, Atom 1.0 or JSON Feed)',
      security: editorSecurity,
      request: { body: { required: true, content: { 'application/json': { schema: SourceInput } } } },
      responses: {
        200: { description: 'Already known', content: { 'application/json': { schema: z.object({ id: z.string() }) } } },
        201: { description: 'Added', content: { 'application/json': { schema: z.object({ id: z.string() }) } } },
        400: { description: 'Invalid', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      const { id, created } = await ingest.addSource(c.req.valid('json'));
      return c.json({ id }, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/sources/{id}/poll',
      summary: 'Poll a source now',
      security: editorSecurity,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: {
        200: {
          description: 'Outcome of the poll',
          content: {
            'application/json': {
              schema: z.object({ status: z.string(), counts: Counts, rejections: Rejections, error: z.object({ code: z.string(), message: z.string() }).nullable() }),
            },
          },
        },
        404: { description: 'No such source', content: { 'application/json': { schema: ErrorSchema } } },
      },
    }),
    async (c) => {
      const result = await ingest.pollSource(c.req.valid('param').id);
      return c.json({ status: result.status, counts: result.counts, ...(result.rejections ? { rejections: result.rejections } : {}), error: result.error ?? null }, 200);
    },
  );

  app.use('/api/imports/*', editor);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/imports/digest',
      summary: 'Import a news digest (plain text: title, dated first paragraph, body, Source: line)',
      security: editorSecurity,
      request: {
        query: z.object({ sourceUrl: z.string().url().optional().openapi({ description: 'Where the digest comes from; items link to it.' }) }),
        body: { required: true, content: { 'text/plain': { schema: z.string().min(1) } } },
      },
      responses: {
        200: {
          description: 'Counts of new, updated, unchanged and rejected items, and lines that could not be read',
          content: {
            'application/json': {
              schema: z.object({ counts: Counts, problems: z.array(z.object({ line: z.number(), message: z.string() })), rejected: z.array(z.record(z.string(), z.unknown())) }),
            },
          },
        },
      },
    }),
    async (c) => {
      const sourceUrl = c.req.valid('query').sourceUrl ?? `${config.PUBLIC_BASE_URL}/digest`;
      const report = await ingest.importDigest(await c.req.text(), sourceUrl);
      return c.json({ counts: report.counts, problems: report.problems, rejected: report.rejected }, 200);
    },
  );

  return app;
}
