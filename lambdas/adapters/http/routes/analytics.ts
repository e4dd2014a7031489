// Click links and engagement stats. `/r/<token>` answers 302 to the item's own link for a token that verifies, and a
// 404 page for anything else (never a redirect it did not sign). The stats routes need the editor token.
import { createRoute, z } from '@hono/zod-openapi';
import { newRouter } from '../router.js';
import { ErrorSchema } from '../errors.js';
import type { App } from '../../../composition-root.js';
import { requireEditor } from '../auth/editor-token.js';
import { langOf, notFoundPage } from '../html.js';
import { statsCsv } from '../../../core/analytics/service.js';
import { invalid } from '../../../core/shared/errors.js';
import { IdParam } from './editions.js';

const editorSecurity = [{ editorToken: [] }];
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const errors = { 400: json(ErrorSchema, 'Invalid request'), 401: json(ErrorSchema, 'Editor token missing or wrong'), 404: json(ErrorSchema, 'No such edition') };

const Segment = <K extends string>(key: K) => z.object({ [key]: z.string(), sent: z.number(), clicks: z.number() } as Record<K, z.ZodString> & { sent: z.ZodNumber; clicks: z.ZodNumber });
export const EditionStatsSchema = z
  .object({
    sent: z.number(),
    delivered: z.number(),
    bounced: z.number(),
    complained: z.number(),
    unsubscribed: z.number().openapi({ description: "Leaves (one-click or preference centre) from this edition's links." }),
    clicks: z.object({ total: z.number(), unique: z.number(), filtered: z.number().openapi({ description: 'Requests from machines (HEAD, prefetch, link scanners): not counted as clicks.' }) }),
    opens: z.object({ total: z.number(), unique: z.number() }).nullable().openapi({ description: 'Opens, overstated by mail privacy features; null when no open event was ever received.' }),
    items: z.array(z.object({ itemId: z.string(), title: z.string(), clicks: z.number(), unique: z.number() })),
    byLanguage: z.array(Segment('language')),
    byCountry: z.array(Segment('code')),
    byTopic: z.array(Segment('slug')),
  })
  .openapi('EditionStats');

const SeriesQuery = z.object({
  from: z.string().date().optional().openapi({ description: 'First day (yyyy-mm-dd, UTC); default 30 days before `to`.' }),
  to: z.string().date().optional().openapi({ description: 'Last day (yyyy-mm-dd, UTC); default today.' }),
  interval: z.enum(['day', 'week']).default('day'),
});
const SeriesSchema = z.object({
  series: z.array(z.object({ at: z.string(), subscribed: z.number(), confirmed: z.number(), unsubscribed: z.number(), suppressed: z.number(), total: z.number() })),
});

export function analyticsRoutes(deps: Pick<App, 'config' | 'analytics' | 'followClick' | 'signInLimit' | 'clock'>) {
  const app = newRouter();

  // GET also answers HEAD (Hono); the method reaches the machine filter as sent.
  app.get('/r/:token', async (c) => {
    const target = await deps.followClick(c.req.param('token'), { method: c.req.method, header: (name) => c.req.header(name) });
    if (!target) return notFoundPage(c, langOf(c));
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    return c.redirect(target, 302);
  });

  const editor = requireEditor(deps.config.EDITOR_TOKEN, deps.signInLimit);
  app.use('/api/editions/:id/stats', editor);
  app.use('/api/stats/*', editor);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/editions/{id}/stats',
      summary: 'Engagement of an edition: sends, feedback, clicks (reader and filtered), opens, per item and segment',
      security: editorSecurity,
      request: { params: IdParam, query: z.object({ format: z.enum(['json', 'csv']).default('json') }) },
      responses: { 200: { description: 'The stats (JSON, or CSV with ?format=csv)', content: { 'application/json': { schema: EditionStatsSchema }, 'text/csv': { schema: z.string() } } }, ...errors },
    }),
    async (c) => {
      const { charts: _charts, ...stats } = await deps.analytics.editionStats(c.req.valid('param').id);
      if (c.req.valid('query').format === 'csv') {
        c.header('Content-Type', 'text/csv; charset=utf-8');
        c.header('Content-Disposition', `attachment; filename="edition-${c.req.valid('param').id.replace(/[^\w-]/g, '')}-stats.csv"`);
        return c.body(statsCsv(stats), 200);
      }
      return c.json(stats, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/stats/subscribers',
      summary: 'Subscribers over time: sign-ups, confirmations, leaves and suppressions per day or week, and the running total',
      security: editorSecurity,
      request: { query: SeriesQuery },
      responses: { 200: json(SeriesSchema, 'The series, oldest first'), ...errors },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const to = q.to ? new Date(`${q.to}T00:00:00Z`) : deps.clock.now();
      const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - 30 * 24 * 3600_000);
      if (from > to) throw invalid('request.invalid', '"from" is after "to"; swap them.');
      return c.json({ series: await deps.analytics.subscriberSeries(from, to, q.interval) }, 200);
    },
  );

  return app;
}
