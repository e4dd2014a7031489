// Subscriptions over HTTP: the public JSON API (subscribe, resend, confirm, preference centre), the editor API
// (lookup, segments, import, export, delete), and the two pages behind the links in emails, whose GET never changes
// anything: the confirmation page and the one-click unsubscribe page (RFC 8058: POST with `List-Unsubscribe=One-Click`).
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parse as parseCsv } from 'csv-parse/sync';
import { newRouter } from '../router.js';
import type { App } from '../../../composition-root.js';
import { requireEditor } from '../auth/editor-token.js';
import { clientIp } from '../client-ip.js';
import { DomainError, invalid } from '../../../core/shared/errors.js';
import { ErrorSchema, statusOfKind } from '../errors.js';
import { CountryCodeSchema, TopicSlugSchema, maxTaxonomyList } from '../taxonomy-schemas.js';
import { currentTaxonomy } from '../../../core/taxonomy/taxonomy.js';
import { languages } from '../../../core/shared/language.js';
import { frequencies } from '../../../core/subscriptions/model.js';
import type { ImportRow, RequestOrigin } from '../../../core/subscriptions/service.js';
import { linkPaths } from '../../../core/subscriptions/links.js';
import { errorPage, langOf, renderPage } from '../html.js';
import { isLang, t, type Lang } from '../views/i18n.js';
import { MessagePage } from '../views/public.js';
import { ConfirmPage, ConfirmedPage, OneClickDonePage, OneClickUnsubscribePage } from '../views/email-links.js';

// ---------------------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------------------

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'Error', content: { 'application/json': { schema: ErrorSchema } } }]));

const Country = CountryCodeSchema;
const Topic = TopicSlugSchema;
const Language = z.enum(languages);
const Frequency = z.enum(frequencies);
const Status = z.enum(['pending', 'confirmed', 'unsubscribed', 'suppressed']);

const SubscribeBody = z
  .object({
    email: z.string().max(320).openapi({ example: 'ana@example.org' }),
    countries: z.array(Country).max(maxTaxonomyList).default([]).openapi({ description: 'Empty = all countries.' }),
    topics: z.array(Topic).max(maxTaxonomyList).default([]).openapi({ description: 'Empty = all topics.' }),
    language: Language,
    frequency: Frequency,
    /** Honeypot: a hidden form field people never fill in. */
    website: z.string().max(500).optional().openapi({ description: 'Honeypot: leave empty. A filled value is accepted and ignored.' }),
  })
  .openapi('SubscribeRequest');

const Accepted = z.object({ status: z.literal('accepted'), message: z.string() }).openapi('Accepted');
const accepted = {
  status: 'accepted' as const,
  message: 'If this address can receive our news, a confirmation email is on its way. Follow its link within 7 days.',
};

const PreferencesSchema = z
  .object({
    email: z.string(),
    status: Status,
    paused: z.boolean(),
    countries: z.array(Country),
    topics: z.array(Topic),
    language: Language,
    frequency: Frequency,
  })
  .openapi('Preferences');

const PreferencesPatch = z
  .object({
    countries: z.array(Country).max(maxTaxonomyList).optional(),
    topics: z.array(Topic).max(maxTaxonomyList).optional(),
    language: Language.optional(),
    frequency: Frequency.optional(),
    paused: z.boolean().optional(),
  })
  .strict()
  .openapi('PreferencesPatch');

const TokenParam = z.object({ token: z.string().min(10).max(512).openapi({ param: { name: 'token', in: 'path' } }) });
export const EmailQuery = z.object({ email: z.string().max(320).openapi({ param: { name: 'email', in: 'query' }, example: 'ana@example.org' }) });

const SubscriberStatusSchema = z
  .object({ status: Status, countries: z.array(Country), topics: z.array(Topic), language: Language, frequency: Frequency })
  .openapi('SubscriberStatus');

const ListedSubscriber = z
  .object({
    id: z.string(),
    email: z.string(),
    status: Status,
    paused: z.boolean(),
    countries: z.array(Country),
    topics: z.array(Topic),
    language: Language,
    frequency: Frequency,
    createdAt: z.string(),
    confirmedAt: z.string().optional(),
  })
  .openapi('ListedSubscriber');

const SegmentQuery = z.object({
  status: Status.optional(),
  country: Country.optional(),
  topic: Topic.optional(),
  language: Language.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(2000).optional(),
});

const ConsentInput = z.object({
  at: z.string().openapi({ description: 'When the person consented (ISO 8601).' }),
  wordingVersion: z.string().min(1),
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(512).optional(),
  source: z.string().max(200).optional(),
});

const ImportRowSchema = z.object({
  email: z.string().max(320),
  countries: z.array(z.string()).max(20).optional(),
  topics: z.array(z.string()).max(40).optional(),
  language: Language.optional(),
  frequency: Frequency.optional(),
  consent: ConsentInput.optional(),
});

const ImportBody = z
  .object({
    subscribers: z.array(ImportRowSchema).max(5000),
    sendConfirmations: z.boolean().default(true).openapi({ description: 'Email a confirmation link to each address imported without consent proof.' }),
  })
  .openapi('ImportRequest');

const ImportReportSchema = z
  .object({
    received: z.number(),
    confirmed: z.number(),
    pending: z.number(),
    skippedExisting: z.number(),
    skippedSuppressed: z.number(),
    errors: z.array(z.object({ row: z.number(), code: z.string(), message: z.string() })),
  })
  .openapi('ImportReport');

const editorSecurity = [{ editorToken: [] }];

// ---------------------------------------------------------------------------------------------------------------
// Request helpers
// ---------------------------------------------------------------------------------------------------------------

const origin = (c: Context): RequestOrigin => ({ ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '' });


// ---------------------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------------------

export function subscriptionRoutes(ctx: Pick<App, 'config' | 'subscriptions' | 'signInLimit' | 'analytics'>) {
  const router = newRouter();
  const service = ctx.subscriptions;
  /** A leave from an edition's link (`?e=<edition>`) is credited to that edition's stats; a failure loses the count. */
  const creditLeave = async (left: boolean | undefined, editionId: string | undefined) => {
    if (left && editionId && editionId.length <= 100) await ctx.analytics.recordLeave(editionId).catch(() => undefined);
  };

  // `ctx.subscriptions` exists only with the signing secret (ConfigError at start otherwise): no route here runs
  // without it.
  router.use('/api/subscribers', requireEditor(ctx.config.EDITOR_TOKEN, ctx.signInLimit));
  router.use('/api/subscribers/*', requireEditor(ctx.config.EDITOR_TOKEN, ctx.signInLimit));

  const pageBodyLimit = bodyLimit({
    maxSize: 8 * 1024,
    onError: (c) => {
      const lang = langOf(c);
      return renderPage(c, MessagePage({ lang, title: t(lang).linkProblem, body: t(lang).tooLarge, kind: 'error', noindex: true }), 413, { private: true });
    },
  });
  router.use(`${linkPaths.confirm}/*`, pageBodyLimit);
  router.use(`${linkPaths.unsubscribe}/*`, pageBodyLimit);

  // ---- Public JSON API --------------------------------------------------------------------------------------

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions',
      tags: ['subscriptions'],
      summary: 'Subscribe (double opt-in): sends a confirmation email. Same answer whether or not the address is known.',
      request: { body: { required: true, content: { 'application/json': { schema: SubscribeBody } } } },
      responses: { 202: { description: 'Accepted', content: { 'application/json': { schema: Accepted } } }, ...errors(400, 413, 429) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (!body.website) {
        await service.subscribe(
          { email: body.email, countries: body.countries, topics: body.topics, language: body.language, frequency: body.frequency },
          origin(c),
        );
      }
      return c.json(accepted, 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions/resend',
      tags: ['subscriptions'],
      summary: 'Resend the confirmation email (at most 3 per address per 24 h; extra requests are accepted and ignored).',
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ email: z.string().max(320), website: z.string().max(500).optional() }).openapi('ResendRequest') } },
        },
      },
      responses: { 202: { description: 'Accepted', content: { 'application/json': { schema: Accepted } } }, ...errors(400, 429) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (!body.website) await service.resend(body.email, origin(c));
      return c.json(accepted, 202);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscriptions/confirm',
      tags: ['subscriptions'],
      summary: 'Confirm with the token from the confirmation link (works once, within 7 days).',
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ token: z.string().min(10).max(512) }).openapi('ConfirmRequest') } } } },
      responses: {
        200: {
          description: 'Confirmed',
          content: { 'application/json': { schema: z.object({ status: z.literal('confirmed'), preferencesUrl: z.string(), preferencesToken: z.string() }) } },
        },
        ...errors(400, 403, 404, 409),
      },
    }),
    async (c) => c.json(await service.confirm(c.req.valid('json').token, origin(c)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/preferences/{token}',
      tags: ['preferences'],
      summary: 'Read my preferences (token from the preferences link in every email).',
      request: { params: TokenParam },
      responses: { 200: { description: 'Preferences', content: { 'application/json': { schema: PreferencesSchema } } }, ...errors(403, 404) },
    }),
    async (c) => c.json(await service.getPreferences(c.req.valid('param').token), 200),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/api/preferences/{token}',
      tags: ['preferences'],
      summary: 'Change countries, topics, language, frequency or pause.',
      request: { params: TokenParam, body: { required: true, content: { 'application/json': { schema: PreferencesPatch } } } },
      responses: { 200: { description: 'Preferences', content: { 'application/json': { schema: PreferencesSchema } } }, ...errors(400, 403, 404, 409) },
    }),
    async (c) => c.json(await service.updatePreferences(c.req.valid('param').token, c.req.valid('json')), 200),
  );

  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    router.openapi(
      createRoute({
        method: 'post',
        path: `/api/preferences/{token}/${action}`,
        tags: ['preferences'],
        summary: paused ? 'Pause all emails (keeps preferences).' : 'Resume emails after a pause.',
        request: { params: TokenParam },
        responses: { 200: { description: 'Preferences', content: { 'application/json': { schema: PreferencesSchema } } }, ...errors(403, 404) },
      }),
      async (c) => c.json(await service.updatePreferences(c.req.valid('param').token, { paused }), 200),
    );
  }

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/preferences/{token}/unsubscribe',
      tags: ['preferences'],
      summary: 'Unsubscribe from everything.',
      request: { params: TokenParam },
      responses: { 200: { description: 'Unsubscribed', content: { 'application/json': { schema: z.object({ status: z.string() }) } } }, ...errors(403) },
    }),
    async (c) => {
      const done = await service.unsubscribe(c.req.valid('param').token);
      await creditLeave(done.left, c.req.query('e'));
      return c.json({ status: done.status }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/preferences/{token}/resubscribe',
      tags: ['preferences'],
      summary: 'Come back after unsubscribing (records a new consent proof).',
      request: { params: TokenParam },
      responses: { 200: { description: 'Preferences', content: { 'application/json': { schema: PreferencesSchema } } }, ...errors(403, 404, 409) },
    }),
    async (c) => c.json(await service.resubscribe(c.req.valid('param').token, origin(c)), 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/preferences/{token}/export',
      tags: ['preferences'],
      summary: 'Export everything we hold about me (JSON).',
      request: { params: TokenParam },
      responses: { 200: { description: 'My data', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...errors(403, 404) },
    }),
    async (c) => {
      const data = await service.exportData(c.req.valid('param').token);
      c.header('Content-Disposition', 'attachment; filename="my-subscription.json"');
      c.header('Cache-Control', 'no-store');
      return c.json(data as Record<string, unknown>, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/api/preferences/{token}',
      tags: ['preferences'],
      summary: 'Delete me: erases the record; only a salted hash of the address stays, so no import can bring it back.',
      request: { params: TokenParam },
      responses: { 200: { description: 'Erased', content: { 'application/json': { schema: z.object({ status: z.literal('erased') }) } } }, ...errors(403) },
    }),
    async (c) => {
      await service.eraseMe(c.req.valid('param').token);
      return c.json({ status: 'erased' as const }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/preferences/{token}/revoke',
      tags: ['preferences'],
      summary:
        'Revoke my links: every earlier preference link stops working; the answer carries the one new link. Unsubscribe links in earlier emails keep working.',
      request: { params: TokenParam },
      responses: {
        200: {
          description: 'Revoked',
          content: { 'application/json': { schema: z.object({ status: z.literal('revoked'), preferencesUrl: z.string(), preferencesToken: z.string() }) } },
        },
        ...errors(403, 404),
      },
    }),
    async (c) => {
      c.header('Cache-Control', 'no-store');
      return c.json(await service.revokeLinks(c.req.valid('param').token), 200);
    },
  );

  // ---- Editor API ---------------------------------------------------------------------------------------------

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/subscribers',
      tags: ['subscribers (editor)'],
      summary: "One subscriber's status and preferences, by address.",
      security: editorSecurity,
      request: { query: EmailQuery },
      responses: { 200: { description: 'Subscriber', content: { 'application/json': { schema: SubscriberStatusSchema } } }, ...errors(400, 401, 404) },
    }),
    async (c) => c.json(await service.lookup(c.req.valid('query').email), 200),
  );

  router.openapi(
    createRoute({
      method: 'delete',
      path: '/api/subscribers',
      tags: ['subscribers (editor)'],
      summary: 'Delete a subscriber: erases the record, keeps only a salted hash in the suppression list.',
      security: editorSecurity,
      request: { query: EmailQuery },
      responses: { 200: { description: 'Erased', content: { 'application/json': { schema: z.object({ status: z.literal('erased') }) } } }, ...errors(400, 401, 404) },
    }),
    async (c) => {
      await service.deleteByEmail(c.req.valid('query').email);
      return c.json({ status: 'erased' as const }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscribers/revoke-links',
      tags: ['subscribers (editor)'],
      summary: "Withdraw every earlier preference link of a subscriber; the new one is emailed to the subscriber, not shown here.",
      security: editorSecurity,
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ email: z.string().max(320) }).openapi('RevokeLinksRequest') } } } },
      responses: { 200: { description: 'Revoked', content: { 'application/json': { schema: z.object({ status: z.literal('revoked') }) } } }, ...errors(400, 401, 404) },
    }),
    async (c) => c.json(await service.revokeLinksByEmail(c.req.valid('json').email), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscribers/lift-suppression',
      tags: ['subscribers (editor)'],
      summary:
        'Mail a suppressed address again (after a bounce, complaint or deletion), with a reason; who, when and why are recorded. The address is not subscribed: it may sign up again.',
      security: editorSecurity,
      request: {
        body: {
          required: true,
          content: { 'application/json': { schema: z.object({ email: z.string().max(320), reason: z.string().max(500) }).openapi('LiftSuppressionRequest') } },
        },
      },
      responses: {
        200: { description: 'Lifted', content: { 'application/json': { schema: z.object({ status: z.literal('lifted'), previousReason: z.string() }) } } },
        ...errors(400, 401, 404),
      },
    }),
    async (c) => {
      const { email, reason } = c.req.valid('json');
      // The editor API authenticates one shared token, so that is who it records.
      return c.json(await service.liftSuppression(email, reason, 'editor API token'), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/subscribers/list',
      tags: ['subscribers (editor)'],
      summary: 'Subscribers of a segment (status, country, topic, language), oldest first. Empty preferences = in every country/topic.',
      security: editorSecurity,
      request: { query: SegmentQuery },
      responses: {
        200: { description: 'Page', content: { 'application/json': { schema: z.object({ subscribers: z.array(ListedSubscriber), cursor: z.string().optional() }) } } },
        ...errors(400, 401),
      },
    }),
    async (c) => {
      const { limit, cursor, ...filter } = c.req.valid('query');
      return c.json(await service.list(filter, { limit, ...(cursor ? { cursor } : {}) }), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/subscribers/counts',
      tags: ['subscribers (editor)'],
      summary: 'Counts per country × topic: how many subscribers of the segment would get an item tagged with both.',
      security: editorSecurity,
      request: { query: z.object({ status: Status.default('confirmed'), language: Language.optional() }) },
      responses: {
        200: {
          description: 'Counts',
          content: { 'application/json': { schema: z.object({ total: z.number(), cells: z.array(z.object({ country: Country, topic: Topic, count: z.number() })) }) } },
        },
        ...errors(400, 401),
      },
    }),
    async (c) => c.json(await service.counts(c.req.valid('query')), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/api/subscribers/import',
      tags: ['subscribers (editor)'],
      summary:
        'Import subscribers (JSON, or CSV with header email,countries,topics,language,frequency,consent_at,consent_wording_version,consent_ip,consent_user_agent,consent_source; lists separated by ";"). Rows with consent proof are confirmed; others get a confirmation email. Known, suppressed or unsubscribed addresses are never changed.',
      security: editorSecurity,
      request: {
        query: z.object({ sendConfirmations: z.enum(['true', 'false']).optional().openapi({ description: 'CSV only; default true.' }) }),
        body: { required: false, content: { 'application/json': { schema: ImportBody }, 'text/csv': { schema: z.string() } } },
      },
      responses: { 200: { description: 'Report', content: { 'application/json': { schema: ImportReportSchema } } }, ...errors(400, 401, 413) },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      let rows: ImportRow[];
      let sendConfirmations: boolean;
      if (/^text\/csv\b/i.test(type)) {
        rows = csvRows(await c.req.text());
        sendConfirmations = c.req.valid('query').sendConfirmations !== 'false';
      } else if (/^application\/json\b/i.test(type)) {
        const body = c.req.valid('json') as z.infer<typeof ImportBody>;
        rows = body.subscribers;
        sendConfirmations = body.sendConfirmations;
      } else {
        throw invalid('import.unsupportedType', 'Send the import as application/json or text/csv.');
      }
      return c.json(await service.importRows(rows, { sendConfirmations }, origin(c)), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/api/subscribers/export',
      tags: ['subscribers (editor)'],
      summary: 'Export every subscriber with consent proof (JSON, or CSV with ?format=csv: the import’s columns).',
      security: editorSecurity,
      request: { query: z.object({ format: z.enum(['json', 'csv']).default('json') }) },
      responses: {
        200: {
          description: 'Subscribers',
          content: { 'application/json': { schema: z.object({ subscribers: z.array(z.record(z.string(), z.unknown())) }) }, 'text/csv': { schema: z.string() } },
        },
        ...errors(401),
      },
    }),
    async (c) => {
      c.header('Cache-Control', 'no-store');
      const subscribers = (await service.exportAll()) as Array<Record<string, unknown>>;
      if (c.req.valid('query').format === 'csv') {
        c.header('Content-Disposition', 'attachment; filename="subscribers.csv"');
        return c.body(subscribersCsv(subscribers), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
      }
      return c.json({ subscribers }, 200);
    },
  );

  // ---- Pages: confirmation and one-click unsubscribe ------------------------------------------------------------
  // In the language of the page that posted (?lang=), else the subscriber's (one-click), else the browser's.

  const pageAction = (path: string, token: string, lang: Lang, editionId?: string) =>
    `${path}/${encodeURIComponent(token)}?lang=${lang}${editionId ? `&e=${encodeURIComponent(editionId)}` : ''}`;

  router.get(`${linkPaths.confirm}/:token`, async (c) => {
    const token = c.req.param('token');
    const lang = langOf(c);
    try {
      await service.checkLink(token, ['confirm']);
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
    return renderPage(c, ConfirmPage({ lang, action: pageAction(linkPaths.confirm, token, lang) }), 200, { private: true });
  });

  router.post(`${linkPaths.confirm}/:token`, async (c) => {
    const lang = langOf(c);
    try {
      const done = await service.confirm(c.req.param('token'), origin(c));
      return renderPage(c, ConfirmedPage({ lang, preferencesUrl: done.preferencesUrl }), 200, { private: true });
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
  });

  // A preference link opened here works too: it is the stronger link (its holder may unsubscribe anyway), and people
  // paste whichever link they have.
  router.get(`${linkPaths.unsubscribe}/:token`, async (c) => {
    const token = c.req.param('token');
    const lang = langOf(c);
    try {
      await service.checkLink(token, ['unsub', 'prefs']);
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
    return renderPage(c, OneClickUnsubscribePage({ lang, action: pageAction(linkPaths.unsubscribe, token, lang, c.req.query('e')) }), 200, { private: true });
  });

  router.post(`${linkPaths.unsubscribe}/:token`, async (c) => {
    const token = c.req.param('token');
    const asked = c.req.query('lang');
    let oneClick = false;
    try {
      const form = await c.req.parseBody();
      oneClick = form['List-Unsubscribe'] === 'One-Click';
    } catch {
      oneClick = false;
    }
    if (!oneClick) {
      const lang = langOf(c);
      const s = t(lang);
      const page = MessagePage({ lang, title: s.leaveTitle, body: s.oneClickNeedsBody, kind: 'error', noindex: true, action: { href: `${linkPaths.unsubscribe}/${encodeURIComponent(token)}`, label: s.leaveTitle } });
      return renderPage(c, page, 400, { private: true });
    }
    try {
      const done = await service.unsubscribeByLink(token);
      await creditLeave(done.left, c.req.query('e'));
      const lang = isLang(asked) ? asked : (done.language ?? langOf(c));
      // The undo: with a preference link, its own preference centre; with an unsubscribe link (which anyone it was
      // forwarded to may hold), a one-hour button that can only subscribe again.
      const undo = done.preferencesUrl
        ? { undoUrl: done.preferencesUrl }
        : done.undoToken
          ? { undoAction: `${linkPaths.unsubscribe}/${encodeURIComponent(done.undoToken)}/undo?lang=${lang}` }
          : {};
      return renderPage(c, OneClickDonePage({ lang, ...undo }), 200, { private: true });
    } catch (error) {
      return errorPage(c, langOf(c), error, true);
    }
  });

  router.post(`${linkPaths.unsubscribe}/:token/undo`, async (c) => {
    const lang = langOf(c);
    try {
      await service.undoUnsubscribe(c.req.param('token'), origin(c));
      const s = t(lang);
      return renderPage(c, MessagePage({ lang, title: s.resubscribedTitle, body: s.resubscribed, noindex: true }), 200, { private: true });
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
  });

  return router;
}

/** The export's columns: the import's, then what only the service knows. */
const exportColumns = ['email', 'countries', 'topics', 'language', 'frequency', 'consent_at', 'consent_wording_version', 'status', 'created_at', 'confirmed_at', 'suppressed_at', 'suppressed_reason'] as const;

/** One CSV cell. A cell a spreadsheet would run as a formula (= + - @, tab, carriage return first) starts with an
 *  apostrophe instead; quotes, separators and line breaks are quoted. */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Subscribers as CSV that the import reads back (lists separated by spaces). */
export function subscribersCsv(subscribers: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [exportColumns.join(',')];
  for (const s of subscribers) {
    type Proof = { at?: string; wordingVersion?: string };
    const consent = (s.consent ?? {}) as { requested?: Proof; confirmed?: Proof; imported?: Proof; resubscribed?: Proof };
    const proof = consent.imported ?? consent.confirmed ?? consent.requested ?? consent.resubscribed ?? {};
    const row: Record<(typeof exportColumns)[number], unknown> = {
      email: s.email,
      countries: s.countries,
      topics: s.topics,
      language: s.language,
      frequency: s.frequency,
      consent_at: proof.at,
      consent_wording_version: proof.wordingVersion,
      status: s.status,
      created_at: s.createdAt,
      confirmed_at: s.confirmedAt,
      suppressed_at: s.suppressedAt,
      suppressed_reason: s.suppressedReason,
    };
    lines.push(exportColumns.map((k) => csvCell(row[k])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** A list cell of the import: codes or names (either language, any case or accents), separated by spaces, commas,
 *  semicolons or bars; a name of several words is taken whole. Unknown words are kept for the service to refuse. */
function tagsOf(value: string | undefined, known: ReadonlyArray<{ code: string; names: string[] }>): string[] {
  if (!value) return [];
  const fold = (v: string) => v.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase();
  const byName = new Map(known.flatMap((k) => [k.code, ...k.names].map((n) => [fold(n), k.code] as const)));
  const out: string[] = [];
  for (const part of value.split(/[,;|]+/).map(fold).filter(Boolean)) {
    const whole = byName.get(part);
    if (whole) out.push(whole);
    else out.push(...part.split(/\s+/).map((w) => byName.get(w) ?? w));
  }
  return [...new Set(out)];
}
/** Names in either language, from the taxonomy in force when the file is read. */
const knownCountries = () => currentTaxonomy().countries.map((c) => ({ code: c.code, names: [c.names.en, c.names.es] }));
const knownTopics = () => currentTaxonomy().topics.map((t) => ({ code: t.slug, names: [t.names.en, t.names.es] }));

/** Rows of an import CSV (header row required), separated by commas or, as spreadsheets in Spanish-speaking locales
 *  write them, semicolons (whichever the header uses). */
export function csvRows(text: string): ImportRow[] {
  let records: Array<Record<string, string>>;
  try {
    const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    const delimiter = header.includes(';') && !header.includes(',') ? ';' : ',';
    records = parseCsv(text, { delimiter, columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw invalid('import.invalidCsv', `The CSV could not be read: ${(error as Error).message}`);
  }
  if (records.length > 5000) throw invalid('import.tooManyRows', 'Import at most 5000 rows at a time.');
  const [countries, topics] = [knownCountries(), knownTopics()];
  return records.map((r) => {
    const language = languages.find((l) => l === r.language);
    const frequency = frequencies.find((f) => f === r.frequency);
    return {
      email: r.email ?? '',
      countries: tagsOf(r.countries, countries),
      topics: tagsOf(r.topics, topics),
      ...(language ? { language } : {}),
      ...(frequency ? { frequency } : {}),
      ...(r.consent_at && r.consent_wording_version
        ? {
            consent: {
              at: r.consent_at,
              wordingVersion: r.consent_wording_version,
              ...(r.consent_ip ? { ip: r.consent_ip } : {}),
              ...(r.consent_user_agent ? { userAgent: r.consent_user_agent } : {}),
              ...(r.consent_source ? { source: r.consent_source } : {}),
            },
          }
        : {}),
    };
  });
}
