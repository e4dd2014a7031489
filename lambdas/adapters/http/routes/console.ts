// The editor console (/{lang}/editor/…): sign-in (the editor token locally, Cognito's hosted sign-in in AWS), then a
// sub-app behind one guard with a page per task: items, sources, editions (compose, preview, send), subscribers.
// Pages call the App's services directly, with form input checked against the API's own schemas. See docs/pages.md.
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { bodyLimit } from 'hono/body-limit';
import { newRouter, RequestInvalid, validated } from '../router.js';
import type { App } from '../../../composition-root.js';
import { DomainError } from '../../../core/shared/errors.js';
import { statusOfKind } from '../errors.js';
import { scopeId, type Item } from '../../../core/items/model.js';
import { isCountryCode, isTopicSlug, type CountryCode, type TopicSlug } from '../../../core/taxonomy/taxonomy.js';
import type { RequestOrigin } from '../../../core/subscriptions/service.js';
import type { Source } from '../../../core/ingest/sources.js';
import { requireSigningSecret } from '../../../config.js';
import { formFields, langOf, many, notFoundPage, one, pageErrorHandler, preferredLang, renderPage, type PageStatus } from '../html.js';
import { errorMessage, isLang, sourceError, stateLabel, t, type Lang } from '../views/i18n.js';
import { editorTabs, type Flash } from '../views/console/shell.js';
import { SignInPage } from '../views/console/sign-in.js';
import { MessagePage } from '../views/public.js';
import { ItemsPage } from '../views/console/items.js';
import { SourcesPage, type SourceTrial } from '../views/console/sources.js';
import { EditionsPage, type EditionRow } from '../views/console/editions.js';
import { EditionPage, progressSummary, type ContentsPanel, type EditionDetail, type PreflightPanel, type PreviewPanel } from '../views/console/edition.js';
import type { EditionFormValues } from '../views/console/editions.js';
import { formatDateTime } from '../views/i18n.js';
import { timeZoneOr, wallTimeToIso } from '../views/time-zone.js';
import { textFor } from '../../../core/editions/model.js';
import { languages } from '../../../core/shared/language.js';
import { invalid } from '../../../core/shared/errors.js';
type FormFields = Record<string, string | string[]>;
import { SubscribersPage, type ImportOutcome, type SubscriberLookup } from '../views/console/subscribers.js';
import { createLocalEditorSessions, csrfMatches, csrfToken, sameOrigin, type EditorIdentity, type EditorSessions } from '../auth/session.js';
import { callbackPath, createCognitoEditorSessions } from '../auth/cognito.js';
import { clientIp } from '../client-ip.js';
import { logger } from '../../observability.js';
import { csvRows, EmailQuery, subscribersCsv } from './subscriptions.js';
import { EditionInput, IdParam, SegmentQuery, SendBody, TestSendBody } from './editions.js';
import { ItemInput, SourceInput, SourcePatch } from './items.js';
import { registerTaxonomyPages } from './console-taxonomy.js';
import { consoleStatsPages } from './console-stats.js';

/** What `?did=` may name after a POST, each with its own words in i18n. */
const flashDids = ['saved', 'sent', 'paused', 'resumed', 'cancelled', 'redrive', 'sourceAdded', 'sourceSaved', 'sourcePaused', 'sourceResumed', 'sourceRemoved', 'lifted', 'erased', 'itemAdded', 'itemTagged'] as const;
type FlashDid = (typeof flashDids)[number];
const isFlashDid = (did: string | undefined): did is FlashDid => (flashDids as readonly string[]).includes(did ?? '');

export interface ConsoleOptions {
  /** How editor sessions are checked (local HMAC cookie by default; Cognito in AWS — see docs/pages.md). */
  sessions?: EditorSessions;
}

const origin = (c: Context): RequestOrigin => ({ ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '' });

/** What an editor action came to: its value, or the domain error (with the status) the editor API answers with; a
 *  form that failed its schema keeps the schema's issues, for errorMessage to word in the editor's language, and an
 *  error's details (the counts of an entry in use) stay for a page that words them. */
type Outcome<T> = { ok: true; value: T } | { ok: false; status: PageStatus; error: ConsoleError };
export type ConsoleError = { code: string; message: string; issues?: RequestInvalid['issues']; details?: unknown };

async function attempt<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const issues = error instanceof RequestInvalid ? { issues: error.issues } : {};
    const details = error.details === undefined ? {} : { details: error.details };
    return { ok: false, status: statusOfKind[error.kind], error: { code: error.code, message: error.message, ...issues, ...details } };
  }
}

export function consoleRoutes(ctx: App, options: ConsoleOptions = {}) {
  const app = newRouter();
  const items = ctx.repos.items;
  const { subscriptions, ingest } = ctx;
  const editions = () => ctx.editions;
  const secret = requireSigningSecret(ctx.config);
  const { EDITOR_USER_POOL_ID: poolId, EDITOR_USER_POOL_CLIENT_ID: clientId, EDITOR_SIGN_IN_URL: signInUrl } = ctx.config;
  const registry = ctx.repos.editorAccess;
  const limit = ctx.signInLimit;
  const sessions =
    options.sessions ??
    (poolId && clientId && signInUrl
      ? createCognitoEditorSessions({ userPoolId: poolId, clientId, signInUrl, baseUrl: ctx.config.PUBLIC_BASE_URL, signingSecret: secret, editorToken: ctx.config.EDITOR_TOKEN, clock: ctx.clock, registry })
      : createLocalEditorSessions({ editorToken: ctx.config.EDITOR_TOKEN, signingSecret: secret, clock: ctx.clock, registry }));

  /** A refusal before any page could be shown (a form too large, expired or from another site; no session): a page
   *  in the console's language with the way forward. */
  const refusal = (c: Context, status: PageStatus, body: (s: ReturnType<typeof t>) => string, action?: 'signIn') => {
    const lang = langOf(c);
    const s = t(lang);
    // Signing in again leads back to the console tab the refused form was on.
    const segment = /^\/(?:es|en)\/editor\/([^/]+)/.exec(c.req.path)?.[1];
    const tab = editorTabs.find((known) => known === segment);
    const href = action === 'signIn' ? `${editorBase(lang)}/sign-in${tab ? `?next=${encodeURIComponent(`${editorBase(lang)}/${tab}`)}` : ''}` : editorBase(lang);
    return renderPage(c, MessagePage({ lang, title: s.linkProblem, body: body(s), kind: 'error', noindex: true, action: { href, label: action === 'signIn' ? s.signIn : s.backToConsole } }), status, { private: true });
  };

  // Forms are small; the CSV import may carry up to 5000 rows.
  const formLimit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => refusal(c, 413, (s) => s.consoleFormTooLarge) });
  const importLimit = bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => refusal(c, 413, (s) => s.consoleImportTooLarge) });
  app.onError(pageErrorHandler);

  app.get('/editor', (c) => {
    c.header('Vary', 'Accept-Language');
    return c.redirect(`/${preferredLang(c)}/editor`, 302);
  });

  const editorBase = (lang: Lang) => `/${lang}/editor`;
  const identities = new WeakMap<Request, EditorIdentity>();

  /** `next`: where to go after signing in (the query's; a refused sign-in form passes its own, so a retry keeps it). */
  const signInPage = (c: Context, lang: Lang, extra: { error?: string; next?: string } = {}, status: PageStatus = 200) => {
    const next = safeNext(extra.next ?? c.req.query('next'));
    const redirectHref = sessions.kind === 'redirect' ? `${editorBase(lang)}/sign-in/start${next ? `?next=${encodeURIComponent(next)}` : ''}` : undefined;
    return renderPage(c, SignInPage({ lang, ...(next ? { next } : {}), ...(redirectHref ? { redirectHref } : {}), ...(extra.error ? { error: extra.error } : {}) }), status, { private: true });
  };
  app.get('/:lang{(?:es|en)}/editor/sign-in', (c) => signInPage(c, langOf(c)));

  // Cognito (AWS): the hosted sign-in, then its callback sets the same session cookie.
  app.get('/:lang{(?:es|en)}/editor/sign-in/start', async (c) => {
    if (!sessions.begin) return c.redirect(`${editorBase(langOf(c))}/sign-in`, 303);
    return sessions.begin(c, { lang: langOf(c), next: safeNext(c.req.query('next')) });
  });
  app.get(callbackPath, async (c) => {
    if (!sessions.complete) return notFoundPage(c, preferredLang(c));
    const outcome = await sessions.complete(c);
    const lang: Lang = isLang(outcome.lang) ? outcome.lang : preferredLang(c);
    if (!outcome.ok) {
      // The editor reads why in their words; the provider's own wording stays in the log.
      logger.warn('editor.signIn.failed', { ip: clientIp(c), via: 'cognito', reason: outcome.reason, detail: outcome.detail });
      return signInPage(c, lang, { error: t(lang).signInRefused(outcome.reason) }, 401);
    }
    limit.succeeded(clientIp(c), 'cognito', outcome.subject);
    return c.redirect(safeNext(outcome.next) ?? `${editorBase(lang)}/items`, 303);
  });

  app.post('/:lang{(?:es|en)}/editor/sign-in', formLimit, async (c) => {
    const lang = langOf(c);
    if (!sameOrigin(c)) return refusal(c, 403, (s) => s.consoleCrossSite);
    if (sessions.kind !== 'token') return signInPage(c, lang, {}, 400);
    const f = await formFields(c);
    const ip = clientIp(c);
    // Checked before the token: while the limit holds, a right guess is refused like a wrong one.
    const wait = await limit.blockedFor(ip);
    if (wait !== undefined) {
      c.header('Retry-After', String(wait));
      return signInPage(c, lang, { error: t(lang).tooManySignIns(wait), next: one(f.next) }, 429);
    }
    if (!(await sessions.signIn(c, one(f.token)))) {
      await limit.failed(ip, 'console');
      return signInPage(c, lang, { error: t(lang).badToken, next: one(f.next) }, 401);
    }
    limit.succeeded(ip, 'console', 'editor');
    return c.redirect(safeNext(one(f.next)) ?? `${editorBase(lang)}/items`, 303);
  });

  // The console proper is a sub-app behind one guard: every page needs a session; every POST also a same-origin
  // request and the session's CSRF token.
  const guard = async (c: Context, next: () => Promise<void>) => {
    const lang = langOf(c);
    const identity = await sessions.verify(c);
    if (!identity) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const here = new URL(c.req.url);
        return c.redirect(`${editorBase(lang)}/sign-in?next=${encodeURIComponent(here.pathname + here.search)}`, 303);
      }
      // Read the (size-limited) form before answering: some clients wait for the upload to finish.
      await c.req.arrayBuffer().catch(() => undefined);
      return refusal(c, 401, (s) => s.consoleSignInFirst, 'signIn');
    }
    if (c.req.method === 'POST') {
      if (!sameOrigin(c)) return refusal(c, 403, (s) => s.consoleCrossSite);
      const f = await formFields(c);
      if (!csrfMatches(one(f.csrf), identity, secret)) return refusal(c, 403, (s) => s.consoleFormExpired);
    }
    identities.set(c.req.raw, identity);
    c.header('Cache-Control', 'no-store');
    await next();
  };

  const pages = newRouter();
  pages.use('*', (c, next) => (c.req.path.endsWith('/subscribers/import') ? importLimit(c, next) : formLimit(c, next)));
  pages.use('*', guard);

  const csrfOf = (c: Context) => csrfToken(identities.get(c.req.raw)!, secret);
  /** The editor's time zone: the browser's, as the console's script reports it in a cookie (UTC until then). */
  const zoneOf = (c: Context) => timeZoneOr(getCookie(c, 'editor_tz'));
  /** After a POST, `?ok=1&did=…` names what happened; the page says it in the editor's words. */
  const flashOf = (c: Context, extra?: { scheduledAt?: string | null; sources?: readonly Source[] }): Flash | undefined => {
    if (c.req.query('ok') !== '1') return undefined;
    const s = t(langOf(c));
    const q = (name: string) => c.req.query(name) ?? '';
    const n = (name: string) => Number(q(name)) || 0;
    const did = c.req.query('did');
    if (did === 'scheduled' && extra?.scheduledAt) return { kind: 'ok', text: s.did_scheduled(formatDateTime(extra.scheduledAt, langOf(c), zoneOf(c))) };
    // Only what the redirect below writes (shortened addresses) is repeated; anything else a crafted link holds is not.
    if (did === 'test' && /^[\w.'+-]{1,64}@…(, [\w.'+-]{1,64}@…){0,9}$/.test(q('to'))) return { kind: 'ok', text: s.did_test(q('to')) };
    // The source is named from the list, by id: the query never puts words of its own on the page.
    const polled = extra?.sources?.find((source) => source.id === q('source'))?.name;
    if (did === 'polled' && polled) return { kind: 'ok', text: s.did_polled(polled, n('new'), n('updated')) };
    if (did === 'pollFailed' && polled) return { kind: 'error', text: s.did_pollFailed(polled) };
    if (did === 'termAdded' || did === 'termSaved' || did === 'termRemoved') return { kind: 'ok', text: s[`did_${did}`](q('kind') === 'country' ? 'country' : 'topic') };
    if (did === 'polledAll') return { kind: n('failed') ? 'error' : 'ok', text: s.did_polledAll(n('sources'), n('new'), n('failed')) };
    return isFlashDid(did) ? { kind: 'ok', text: s[`did_${did}`] } : undefined;
  };
  const failure = (r: { error: ConsoleError }, c: Context): Flash => ({ kind: 'error', text: errorMessage(r.error, langOf(c)) });

  pages.get('/', (c) => c.redirect(`${editorBase(langOf(c))}/items`, 303));
  pages.post('/sign-out', async (c) => {
    await sessions.signOut(c);
    logger.info('editor.signOut', { ip: clientIp(c), subject: identities.get(c.req.raw)?.subject ?? 'editor' });
    return c.redirect(sessions.endSessionUrl?.() ?? `${editorBase(langOf(c))}/sign-in`, 303);
  });

  // Items. Country and topic pick the scope index; source and dates filter while paging it (at most 500 items
  // scanned per page view; the "older" link continues from where the scan stopped).
  const showItems = async (c: Context, flash?: Flash, status: PageStatus = 200) => {
    const lang = langOf(c);
    const q = (name: string) => (c.req.query(name) ?? '').trim() || undefined;
    const day = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
    const filters = { country: q('country'), topic: q('topic'), source: q('source')?.slice(0, 100), from: day(q('from')), to: day(q('to')) };
    const cursor = q('cursor');
    const scope = scopeIdOf(filters.country && isCountryCode(filters.country) ? filters.country : undefined, filters.topic && isTopicSlug(filters.topic) ? filters.topic : undefined);
    const keep = (i: Item) =>
      (!filters.source || i.sourceId === filters.source) &&
      (!filters.from || i.publishedAt >= filters.from) &&
      (!filters.to || i.publishedAt < `${filters.to}T23:59:59.999Z`);
    const filtering = Boolean(filters.source || filters.from || filters.to);
    const shown: Item[] = [];
    let next = cursor && cursor.length < 512 ? cursor : undefined;
    let scanned = 0;
    do {
      const page = await items.listScope(scope, { limit: filtering ? 100 : 25, ...(next ? { cursor: next } : {}) });
      scanned += page.items.length;
      shown.push(...page.items.filter(keep));
      next = page.cursor;
      // Items are newest first: once past the "from" day nothing older can match.
      if (filters.from && page.items.some((i) => i.publishedAt < filters.from!)) next = undefined;
    } while (filtering && next && shown.length < 25 && scanned < 500);
    const [configured, recent] = await Promise.all([attempt(() => ingest.listSources()), items.listScope('all', { limit: 100 })]);
    const names = new Map<string, string>([['editor', t(lang).editorSource]]);
    if (configured.ok) for (const src of configured.value) names.set(src.id, src.name);
    for (const i of [...recent.items, ...shown]) {
      if (!names.has(i.sourceId)) names.set(i.sourceId, i.sourceId.startsWith('digest:') ? t(lang).digestSource(i.sourceId.slice(7, 13)) : i.sourceId);
    }
    const sources = [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    return renderPage(
      c,
      ItemsPage({ lang, csrf: csrfOf(c), flash: flash ?? flashOf(c), items: shown, filters, sources, ...(next ? { nextCursor: next } : {}) }),
      status,
      { private: true },
    );
  };
  pages.get('/items', (c) => showItems(c));

  pages.post('/items', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const countries = many(f.countries);
    const topics = many(f.topics);
    const r = await attempt(() =>
      ingest.editItem(
        validated(ItemInput, {
          title: one(f.title),
          link: one(f.link),
          ...(one(f.summary) ? { summary: one(f.summary) } : {}),
          ...(countries.length ? { countries } : {}),
          ...(topics.length ? { topics } : {}),
        }),
      ),
    );
    if (!r.ok) return showItems(c, failure(r, c), r.status);
    return c.redirect(`${editorBase(lang)}/items?ok=1&did=itemAdded`, 303);
  });

  pages.post('/items/:id/tags', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const r = await attempt(() => ingest.editItem(validated(ItemInput, { id: c.req.param('id'), countries: many(f.countries), topics: many(f.topics) })));
    if (!r.ok) return showItems(c, failure(r, c), r.status);
    const q = new URL(c.req.url).searchParams;
    q.set('ok', '1');
    q.set('did', 'itemTagged');
    return c.redirect(`${editorBase(lang)}/items?${q.toString()}`, 303);
  });

  // Sources
  const showSources = async (c: Context, flash?: Flash, status: PageStatus = 200, extra: { trial?: SourceTrial; draft?: { url: string; name: string } } = {}) => {
    const lang = langOf(c);
    const r = await attempt(() => ingest.listSources());
    return renderPage(
      c,
      SourcesPage({ lang, csrf: csrfOf(c), flash: flash ?? (r.ok ? flashOf(c, { sources: r.value }) : failure(r, c)), sources: r.ok ? r.value : [], ...extra }),
      status,
      { private: true },
    );
  };
  pages.get('/sources', (c) => showSources(c));

  const sourceDone = (c: Context, did: string) => c.redirect(`${editorBase(langOf(c))}/sources?ok=1&did=${did}`, 303);
  const defaultTags = (f: FormFields) => ({ defaultCountries: many(f.countries), defaultTopics: many(f.topics) });

  pages.post('/sources', async (c) => {
    const f = await formFields(c);
    const draft = { url: one(f.url).trim(), name: one(f.name).trim() };
    const r = await attempt(() => ingest.addSource(validated(SourceInput, { url: draft.url, ...(draft.name ? { name: draft.name } : {}), ...defaultTags(f) })));
    if (!r.ok) return showSources(c, failure(r, c), r.status, { draft });
    return sourceDone(c, 'sourceAdded');
  });

  // A test fetch of a source, or of a URL before it is added: what a poll would ingest, storing nothing.
  pages.post('/sources/try', async (c) => {
    const f = await formFields(c);
    const id = one(f.id);
    const draft = { url: one(f.url).trim(), name: one(f.name).trim() };
    const r = await attempt(async () => {
      const which = id ? { id } : { url: validated(SourceInput, { url: draft.url }).url };
      const label = id ? ((await ingest.listSources()).find((x) => x.id === id)?.name ?? id) : draft.url;
      return { label, result: await ingest.trySource(which) };
    });
    if (!r.ok) return showSources(c, failure(r, c), r.status, id ? {} : { draft });
    const { label, result } = r.value;
    const failed = 'error' in result ? sourceError(result.error, langOf(c)) : undefined;
    const outcome: SourceTrial['outcome'] =
      'error' in result
        ? { error: failed?.summary ? `${failed.summary} (${failed.detail})` : result.error.message }
        : { entries: result.entries.slice(0, 20).map((e) => ({ title: e.title, ...(e.link ? { link: e.link } : {}), ...(e.publishedAt ? { publishedAt: e.publishedAt } : {}) })), total: result.entries.length, unidentified: result.unidentified };
    return showSources(c, undefined, 200, { trial: { label, outcome }, ...(id ? {} : { draft }) });
  });

  pages.post('/sources/:id/:action{(?:edit|pause|resume|remove)}', async (c) => {
    const id = c.req.param('id') ?? '';
    const action = c.req.param('action') as 'edit' | 'pause' | 'resume' | 'remove';
    const f = await formFields(c);
    const r = await attempt(async () => {
      if (action === 'remove') return ingest.removeSource(id);
      const patch = action === 'edit' ? { name: one(f.name).trim() || undefined, url: one(f.url).trim(), ...defaultTags(f) } : { active: action === 'resume' };
      return ingest.editSource(id, validated(SourcePatch, patch));
    });
    if (!r.ok) return showSources(c, failure(r, c), r.status);
    return sourceDone(c, ({ edit: 'sourceSaved', pause: 'sourcePaused', resume: 'sourceResumed', remove: 'sourceRemoved' } as const)[action]);
  });

  pages.post('/sources/poll-all', async (c) => {
    const lang = langOf(c);
    // The schedule's own poll: every active source, a few at a time, each failure its own (its row shows it).
    const r = await attempt(() => ingest.pollAll());
    if (!r.ok) return showSources(c, failure(r, c), r.status);
    const failed = r.value.filter((p) => p.status === 'error').length;
    const fresh = r.value.reduce((sum, p) => sum + p.counts.new, 0);
    const told = new URLSearchParams({ ok: '1', did: 'polledAll', sources: String(r.value.length), new: String(fresh), failed: String(failed) });
    return c.redirect(`${editorBase(lang)}/sources?${told}`, 303);
  });

  pages.post('/sources/:id/poll', async (c) => {
    const lang = langOf(c);
    const id = c.req.param('id') ?? '';
    const r = await attempt(() => ingest.pollSource(id));
    if (!r.ok) return showSources(c, failure(r, c), r.status);
    const told = new URLSearchParams(
      r.value.status === 'error'
        ? { ok: '1', did: 'pollFailed', source: id }
        : { ok: '1', did: 'polled', source: id, new: String(r.value.counts.new), updated: String(r.value.counts.updated) },
    );
    return c.redirect(`${editorBase(lang)}/sources?${told}`, 303);
  });

  // Editions
  const showEditions = async (c: Context, flash?: Flash, status: PageStatus = 200) => {
    const lang = langOf(c);
    const [list, recent] = await Promise.all([attempt(() => editions().list(50)), items.listScope('all', { limit: 40 })]);
    return renderPage(
      c,
      EditionsPage({ lang, csrf: csrfOf(c), flash: flash ?? (list.ok ? flashOf(c) : failure(list, c)), editions: list.ok ? list.value.map(editionRow) : [], items: recent.items, sentItemIds: sentItemIdsOf(list.ok ? list.value : []) }),
      status,
      { private: true },
    );
  };
  pages.get('/editions', (c) => showEditions(c));

  pages.post('/editions', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const r = await attempt(() => editions().create(editionInputOf(f, lang)));
    if (!r.ok) return showEditions(c, failure(r, c), r.status);
    return c.redirect(`${editorBase(lang)}/editions/${encodeURIComponent(r.value.id)}`, 303);
  });

  const editionId = (c: Context) => validated(IdParam, { id: c.req.param('id') ?? '' }).id;

  const showEdition = async (c: Context, flash?: Flash, status: PageStatus = 200) => {
    const lang = langOf(c);
    const r = await attempt(() => editions().status(editionId(c)));
    if (!r.ok) {
      if (r.status === 404) return notFoundPage(c, lang);
      return showEditions(c, failure(r, c), r.status);
    }
    const e = editionDetail(r.value);
    const country = c.req.query('country') || '';
    const topic = c.req.query('topic') || '';
    const language = isLang(c.req.query('language')) ? (c.req.query('language') as Lang) : lang;
    const segment = { ...(country ? { country } : {}), ...(topic ? { topic } : {}), language };
    const editable = e.state === 'draft' || e.state === 'scheduled';
    const confirming = editable && c.req.query('confirm') === 'send';
    const [pv, pf, contents, audience, recent, others] = await Promise.all([
      attempt(() => {
        const q = validated(SegmentQuery, { language, ...(country ? { countries: country } : {}), ...(topic ? { topics: topic } : {}) });
        return editions().preview(e.id, { countries: q.countries, topics: q.topics, language: q.language });
      }),
      editable ? attempt(() => editions().preflight(e.id)) : undefined,
      attempt(() => editions().contents(e.id)),
      confirming ? attempt(() => editions().audience(e.id)) : undefined,
      editable ? items.listScope('all', { limit: 40 }) : undefined,
      editable ? attempt(() => editions().list(50)) : undefined,
    ]);
    const preview: PreviewPanel = pv.ok ? { segment, html: pv.value.html, items: pv.value.items } : { segment, error: errorMessage(pv.error, lang) };
    // The same issue found in each language's email is shown once.
    const unique = (issues: NonNullable<PreflightPanel['issues']>) => [...new Map(issues.map((i) => [`${i.level}|${i.message}`, i])).values()];
    const preflight: PreflightPanel = !pf ? {} : pf.ok ? { issues: unique(pf.value.issues) } : { error: errorMessage(pf.error, lang) };
    const selection = e.selection as { kind: string; since?: string };
    const panel: ContentsPanel = {
      items: contents.ok ? contents.value.items : [],
      basis: selection.kind === 'items' || e.itemIds ? { kind: 'chosen' } : selection.kind === 'since' ? { kind: 'since', since: selection.since ?? '' } : { kind: 'sinceLast', ...(contents.ok && contents.value.lastEditionAt ? { lastEditionAt: contents.value.lastEditionAt } : {}) },
    };
    const confirm = audience?.ok
      ? { ...audience.value, subjects: Object.fromEntries(languages.map((l) => [l, textFor({ ...e, intro: e.intro ?? undefined }, l).subject])) as Record<Lang, string> }
      : undefined;
    const chosen = e.selection && selection.kind === 'items' ? (e.selection as { itemIds: string[] }).itemIds : [];
    const form = recent ? { items: mergeItems(panel.basis.kind === 'chosen' ? panel.items : [], recent.items), values: formValuesOf(e, lang, chosen), sentItemIds: sentItemIdsOf(others?.ok ? others.value : []) } : undefined;
    return renderPage(
      c,
      EditionPage({
        lang,
        csrf: csrfOf(c),
        flash: flash ?? (audience && !audience.ok ? failure(audience, c) : flashOf(c, { scheduledAt: e.scheduledAt })),
        edition: e,
        contents: panel,
        preview,
        preflight,
        zone: zoneOf(c),
        ...(confirm ? { confirm } : {}),
        ...(form ? { form } : {}),
      }),
      status,
      { private: true },
    );
  };
  pages.get('/editions/:id', (c) => showEdition(c));

  pages.get('/editions/:id/status', async (c) => {
    const lang = langOf(c);
    const r = await attempt(() => editions().status(editionId(c)));
    if (!r.ok) return c.json({ error: r.error }, r.status);
    const e = editionDetail(r.value);
    return c.json({ state: e.state, stateLabel: stateLabel(e.state, lang), counts: e.counts, progress: e.progress, rate: e.rate, summary: progressSummary(e, lang) });
  });

  pages.post('/editions/:id/edit', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const r = await attempt(() => editions().update(editionId(c), editionInputOf(f, lang)));
    if (!r.ok) return showEdition(c, failure(r, c), r.status);
    return c.redirect(`${editorBase(lang)}/editions/${encodeURIComponent(c.req.param('id') ?? '')}?ok=1&did=saved`, 303);
  });

  pages.post('/editions/:id/:action{(?:send|schedule|pause|resume|cancel|redrive|test)}', async (c) => {
    const lang = langOf(c);
    const action = c.req.param('action');
    const f = await formFields(c);
    const r = await attempt(async () => {
      const id = editionId(c);
      if (action === 'send') return editions().send(id);
      if (action === 'schedule') {
        // Entered in the editor's zone (the form says which), stored in UTC.
        const zone = timeZoneOr(one(f.tz));
        const { at } = validated(SendBody, { at: wallTimeToIso(one(f.at), zone) });
        return editions().send(id, at ? new Date(at) : undefined);
      }
      if (action === 'test') {
        const emails = one(f.to)
          .split(/[,\s;]+/)
          .map((x) => x.trim())
          .filter(Boolean);
        const country = one(f.country);
        const topic = one(f.topic);
        const language = one(f.language);
        const body = validated(TestSendBody, {
          emails,
          ...(country ? { countries: [country] } : {}),
          ...(topic ? { topics: [topic] } : {}),
          language: isLang(language) ? language : lang,
        });
        return editions().testSend(id, body.emails, { countries: body.countries ?? [], topics: body.topics ?? [], language: body.language ?? 'en' });
      }
      return editions()[action as 'pause' | 'resume' | 'cancel' | 'redrive'](id);
    });
    if (!r.ok) {
      // A time that has passed is named back as the editor entered it, in their zone (the API's words give UTC).
      if (action === 'schedule' && r.error.code === 'edition.scheduleInPast') {
        const zone = timeZoneOr(one(f.tz));
        return showEdition(c, { kind: 'error', text: t(lang).scheduleInPast(formatDateTime(wallTimeToIso(one(f.at), zone), lang, zone)) }, r.status);
      }
      return showEdition(c, failure(r, c), r.status);
    }
    const did = ({ send: 'sent', schedule: 'scheduled', pause: 'paused', resume: 'resumed', cancel: 'cancelled', redrive: 'redrive', test: 'test' } as const)[action as 'send'];
    // A test names where it went, the local part shortened: "ana@…".
    const to = action === 'test' ? `&to=${encodeURIComponent(one(f.to).split(/[,\s;]+/).filter(Boolean).map((a) => `${a.split('@')[0]}@…`).join(', '))}` : '';
    return c.redirect(`${editorBase(lang)}/editions/${encodeURIComponent(c.req.param('id') ?? '')}?ok=1&did=${did}${to}`, 303);
  });

  // Subscribers. A whole address is looked up; anything else (or an address nobody has) is searched for as part of
  // an address.
  const showSubscribers = async (c: Context, flash?: Flash, status: PageStatus = 200, imported?: ImportOutcome) => {
    const lang = langOf(c);
    const email = (c.req.query('email') ?? '').trim().slice(0, 320);
    const findOne = async () => {
      const exact = /^[^@\s]+@[^@\s]+$/.test(email) ? await attempt(() => subscriptions.lookup(validated(EmailQuery, { email }).email)) : undefined;
      if (exact?.ok) return { email, found: exact.value };
      const { subscribers, total } = await subscriptions.search(email, { limit: 50 });
      return { email, matches: { total, rows: subscribers } };
    };
    const [counts, suppressed, lookup] = await Promise.all([
      attempt(() => subscriptions.counts({ status: 'confirmed' })),
      attempt(() => subscriptions.suppressed({ limit: 100 })),
      email ? findOne() : undefined,
    ]);
    return renderPage(
      c,
      SubscribersPage({
        lang,
        csrf: csrfOf(c),
        flash: flash ?? flashOf(c),
        ...(counts.ok ? { counts: counts.value } : { countsError: errorMessage(counts.error, lang) }),
        lookup: lookup satisfies SubscriberLookup | undefined,
        suppressed: suppressed.ok ? suppressed.value : [],
        ...(imported ? { imported } : {}),
      }),
      status,
      { private: true },
    );
  };
  pages.get('/subscribers', (c) => showSubscribers(c));
  consoleStatsPages(pages, { app: ctx, csrfOf });

  // The JSON export, or with ?format=csv the API's CSV (the import's columns), behind the session.
  pages.get('/subscribers/export', async (c) => {
    const r = await attempt(() => subscriptions.exportAll());
    if (!r.ok) return showSubscribers(c, failure(r, c), r.status);
    const subscribers = r.value as Array<Record<string, unknown>>;
    if (c.req.query('format') === 'csv') {
      c.header('Content-Disposition', 'attachment; filename="subscribers.csv"');
      return c.body(subscribersCsv(subscribers), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    }
    c.header('Content-Disposition', 'attachment; filename="subscribers.json"');
    return c.json({ subscribers });
  });

  pages.post('/subscribers/delete', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const r = await attempt(() => subscriptions.deleteByEmail(validated(EmailQuery, { email: one(f.email) }).email));
    if (!r.ok) return showSubscribers(c, failure(r, c), r.status);
    return c.redirect(`${editorBase(lang)}/subscribers?ok=1&did=erased`, 303);
  });

  pages.post('/subscribers/lift', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const by = `console: ${identities.get(c.req.raw)?.subject ?? 'editor'}`;
    const r = await attempt(() => subscriptions.liftSuppression(validated(EmailQuery, { email: one(f.email) }).email, one(f.reason), by));
    if (!r.ok) return showSubscribers(c, failure(r, c), r.status);
    return c.redirect(`${editorBase(lang)}/subscribers?ok=1&did=lifted`, 303);
  });

  // From a chosen file or pasted rows (the file wins when both are given).
  pages.post('/subscribers/import', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    const body = await c.req.parseBody();
    const text = body.file instanceof File && body.file.size > 0 ? await body.file.text() : one(f.csv);
    if (!text.trim()) return showSubscribers(c, { kind: 'error', text: t(lang).importNoRows }, 400);
    const r = await attempt(() => subscriptions.importRows(csvRows(text), { sendConfirmations: true }, origin(c)));
    if (!r.ok) return showSubscribers(c, failure(r, c), r.status);
    const b = r.value;
    return showSubscribers(c, { kind: b.errors.length ? 'error' : 'ok', text: t(lang).importReport({ ...b, errors: b.errors.length }) }, 200, b);
  });

  registerTaxonomyPages(pages, ctx, { csrfOf, flashOf, attempt });

  // Registered after the sign-in routes above, which therefore answer before the guard is reached.
  app.route('/:lang{(?:es|en)}/editor', pages);
  return app;
}

type EditionView = Awaited<ReturnType<App['editions']['status']>>;

/** An edition as the console's views take it (the editor API's view of it). */
function editionDetail(view: EditionView): EditionDetail {
  return { ...view, counts: { ...view.counts }, deadLettered: { ...view.deadLettered } };
}

/** The compose or edit form as an edition's input. The console language's text (or the only one written) is the
 *  default for readers without their own; with both written, each language is a translation. */
function editionInputOf(f: FormFields, lang: Lang) {
  const text = Object.fromEntries(languages.map((l) => [l, { subject: one(f[`subject-${l}`]).trim(), intro: one(f[`intro-${l}`]).trim() }])) as Record<Lang, { subject: string; intro: string }>;
  const written = languages.filter((l) => text[l].subject);
  const main = written.includes(lang) ? lang : written[0];
  if (!main) throw invalid('edition.noSubject', t(lang).needOneSubject);
  const entry = (l: Lang) => ({ subject: text[l].subject, ...(text[l].intro ? { intro: text[l].intro } : {}) });
  const countries = many(f.countries);
  const topics = many(f.topics);
  const audienceLanguages = many(f.languages);
  const audience = { ...(countries.length ? { countries } : {}), ...(topics.length ? { topics } : {}), ...(audienceLanguages.length ? { languages: audienceLanguages } : {}) };
  const itemIds = many(f.itemIds);
  return validated(EditionInput, {
    ...entry(main),
    ...(written.length > 1 ? { translations: Object.fromEntries(written.map((l) => [l, entry(l)])) } : {}),
    ...(itemIds.length ? { itemIds } : {}),
    ...(Object.keys(audience).length ? { audience } : {}),
  });
}

/** An edition back in the form: its translations, and the default text in the console language's column. */
function formValuesOf(e: EditionDetail, lang: Lang, itemIds: string[]): EditionFormValues {
  const text: EditionFormValues['text'] = { ...e.translations };
  if (!Object.values(text).some((x) => x?.subject === e.subject) && !text[lang]) text[lang] = { subject: e.subject, ...(e.intro ? { intro: e.intro } : {}) };
  return { text, itemIds, audience: (e.audience ?? {}) as EditionFormValues['audience'] };
}

/** The edition's own items first, then recent ones, once each. */
function mergeItems(own: Item[], recent: Item[]): Item[] {
  const seen = new Set(own.map((i) => i.id));
  return [...own, ...recent.filter((i) => !seen.has(i.id))];
}

/** Items that editions already went out with (or are going out with), for the item picker to mark. */
function sentItemIdsOf(views: EditionView[]): Set<string> {
  return new Set(views.filter((v) => v.state === 'sending' || v.state === 'sent' || v.state === 'paused').flatMap((v) => v.itemIds ?? []));
}

function editionRow({ id, subject, state, createdAt, completedAt, counts }: EditionView): EditionRow {
  return { id, subject, state, createdAt, counts: { ...counts }, ...(completedAt ? { completedAt } : {}) };
}

function scopeIdOf(country: CountryCode | undefined, topic: TopicSlug | undefined): string {
  if (country && topic) return scopeId({ kind: 'countryTopic', country, topic });
  if (country) return scopeId({ kind: 'country', country });
  if (topic) return scopeId({ kind: 'topic', topic });
  return scopeId({ kind: 'all' });
}

/** A same-site path to return to after sign-in (never another origin). */
function safeNext(next: string | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  return /^\/(es|en)\/editor(\/|$|\?)/.test(next) ? next : undefined;
}
