// The web pages (issue 6), server-rendered with hono/jsx from the views in ../views/. Public pages live under a
// language prefix (/es/…, /en/…); bare paths redirect by Accept-Language (Spanish by default). The preference centre
// sits at /preferences/{token} (the link every email carries) and speaks the subscriber's language. The editor console
// (/{lang}/editor/…) needs a session; see docs/pages.md.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { newRouter, validated } from '../router.js';
import type { App } from '../../../composition-root.js';
import { logger } from '../../observability.js';
import { DomainError } from '../../../core/shared/errors.js';
import { scopeId, type Item } from '../../../core/items/model.js';
import { isCountryCode, isTopicSlug, type CountryCode, type TopicSlug } from '../../../core/taxonomy/taxonomy.js';
import { frequencies } from '../../../core/subscriptions/model.js';
import type { RequestOrigin } from '../../../core/subscriptions/service.js';
import { preferencesUrl, unsubscribeUrl } from '../../../core/subscriptions/links.js';
import { clientIp, csvRows, EmailQuery } from './subscriptions.js';
import { EditionInput, IdParam, SegmentQuery, SendBody, TestSendBody } from './editions.js';
import { ItemInput } from './items.js';
import { assetPaths, editorJs, siteCss } from '../views/assets.js';
import { isLang, langFromAcceptLanguage, stateLabel, t, type Lang } from '../views/i18n.js';
import {
  ArchiveEditionPage,
  ArchiveIndexPage,
  FeedsDirectoryPage,
  CheckInboxPage,
  HomePage,
  ItemPage,
  MessagePage,
  PreferencesPage,
  UnsubscribedPage,
  type ArchiveEntry,
  type PreferencesModel,
  type SubscribeValues,
} from '../views/public.js';
import {
  EditionPage,
  EditionsPage,
  ItemsPage,
  SignInPage,
  SourcesPage,
  SubscribersPage,
  progressSummary,
  type EditionDetail,
  type EditionRow,
  type Flash,
  type PreflightPanel,
  type PreviewPanel,
  type SubscriberLookup,
} from '../views/editor.js';
import { createLocalEditorSessions, csrfMatches, csrfToken, sameOrigin, type EditorIdentity, type EditorSessions } from '../views/session.js';
import { callbackPath, createCognitoEditorSessions } from '../views/cognito.js';
import { statusOfKind } from '../errors.js';

type Status = 200 | 400 | 401 | 403 | 404 | 409 | 413 | 429 | 500 | 503;
type Node = { toString(): string | Promise<string> };

async function render(c: Context, node: Node, status: Status = 200, options: { private?: boolean } = {}) {
  const body = `<!doctype html>\n${await node.toString()}`;
  c.header('Cache-Control', options.private ? 'no-store' : 'no-cache');
  if (options.private) {
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Robots-Tag', 'noindex');
  }
  return c.html(body, status);
}


const langOf = (c: Context): Lang => {
  const l = c.req.param('lang');
  return isLang(l) ? l : langFromAcceptLanguage(c.req.header('accept-language'));
};
const preferredLang = (c: Context): Lang => langFromAcceptLanguage(c.req.header('accept-language'));
const origin = (c: Context): RequestOrigin => ({ ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '' });

/** Form fields, with repeated names (checkboxes) as lists. */
async function form(c: Context): Promise<Record<string, string | string[]>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(body)) {
    if (Array.isArray(v)) out[k] = v.filter((x): x is string => typeof x === 'string');
    else if (typeof v === 'string') out[k] = v;
  }
  return out;
}
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const many = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []);

/** What an editor action came to: its value, or the domain error (with the status) the editor API answers with. */
type Outcome<T> = { ok: true; value: T } | { ok: false; status: Status; error: { code: string; message: string } };

async function attempt<T>(work: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { ok: false, status: statusOfKind[error.kind], error: { code: error.code, message: error.message } };
  }
}

export interface PageRouteOptions {
  /** How editor sessions are checked (local HMAC cookie by default; Cognito in AWS — see docs/pages.md). */
  sessions?: EditorSessions;
}

export function pageRoutes(ctx: App, options: PageRouteOptions = {}) {
  const app = newRouter();
  const items = ctx.repos.items;
  const secret = ctx.config.SIGNING_SECRET ?? '';
  const { subscriptions, ingest } = ctx;
  // Built on first use: public pages other than the archive never load the renderer.
  const editions = () => ctx.editions;
  const { EDITOR_USER_POOL_ID: poolId, EDITOR_USER_POOL_CLIENT_ID: clientId, EDITOR_SIGN_IN_URL: signInUrl } = ctx.config;
  const sessions =
    options.sessions ??
    (poolId && clientId && signInUrl
      ? createCognitoEditorSessions({ userPoolId: poolId, clientId, signInUrl, baseUrl: ctx.config.PUBLIC_BASE_URL, signingSecret: secret, editorToken: ctx.config.EDITOR_TOKEN, clock: ctx.clock })
      : createLocalEditorSessions({ editorToken: ctx.config.EDITOR_TOKEN, signingSecret: secret, clock: ctx.clock }));

  // Forms are small; the editor's CSV import may carry up to 5000 rows.
  const formLimit = bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text('The form is too large.', 413) });
  const importLimit = bodyLimit({ maxSize: 2 * 1024 * 1024, onError: (c) => c.text('The import is too large: send at most 5000 rows (2 MB) at a time.', 413) });
  const pageLimit = (c: Context, next: () => Promise<void>) => (c.req.path.endsWith('/editor/subscribers/import') ? importLimit(c, next) : formLimit(c, next));
  app.use('/es/*', pageLimit);
  app.use('/en/*', pageLimit);
  app.use('/preferences/*', pageLimit);

  const errorPage = (c: Context, lang: Lang, error: unknown, privatePage = false) => {
    if (!(error instanceof DomainError)) throw error;
    const s = t(lang);
    return render(c, MessagePage({ lang, title: s.linkProblem, body: error.message, kind: 'error', noindex: privatePage }), statusOfKind[error.kind], { private: privatePage });
  };
  const notFoundPage = (c: Context, lang: Lang) => {
    const s = t(lang);
    return render(c, MessagePage({ lang, title: s.notFoundTitle, body: s.notFoundBody, kind: 'error' }), 404);
  };

  // A page that fails answers with a page (not the API's JSON), in the language of its path; no details leak.
  app.onError(async (error, c) => {
    const lang = langOf(c);
    const s = t(lang);
    if (error instanceof DomainError) return errorPage(c, lang, error, true);
    logger.error('page failed', { path: new URL(c.req.url).pathname.replace(/\/preferences\/[^/]+/, '/preferences/…'), errorName: error.name, error: error.message });
    return render(c, MessagePage({ lang, title: s.linkProblem, body: s.serverError, kind: 'error', noindex: true }), 500, { private: true });
  });

  // ---- Assets and language redirects ---------------------------------------------------------------------------

  app.get('/assets/:file', (c) => {
    const file = `/assets/${c.req.param('file')}`;
    const immutable = 'public, max-age=31536000, immutable';
    if (file === assetPaths.css) return c.body(siteCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': immutable });
    if (file === assetPaths.editorJs) return c.body(editorJs, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': immutable });
    return c.text('Not found', 404);
  });

  const redirectByLanguage = (c: Context, path: string) => {
    c.header('Vary', 'Accept-Language');
    return c.redirect(`/${preferredLang(c)}${path}`, 302);
  };
  app.get('/', (c) => redirectByLanguage(c, '/'));
  app.get('/archive', (c) => redirectByLanguage(c, '/archive'));
  app.get('/archive/:id', (c) => redirectByLanguage(c, `/archive/${encodeURIComponent(c.req.param('id'))}`));
  app.get('/items/:id', (c) => redirectByLanguage(c, `/items/${encodeURIComponent(c.req.param('id'))}`));
  app.get('/editor', (c) => redirectByLanguage(c, '/editor'));

  // ---- Home, subscribe, check your inbox ------------------------------------------------------------------------

  const latest = async () => {
    try {
      return (await items.listScope('all', { limit: 5 })).items;
    } catch {
      return [] as Item[];
    }
  };

  // (Mounted under '/', Hono matches '/es' and '/es/' alike: send the bare one to the canonical address.)
  app.get('/:lang{es|en}/', async (c) =>
    new URL(c.req.url).pathname.endsWith('/') ? render(c, HomePage({ lang: langOf(c), latest: await latest() })) : c.redirect(`/${langOf(c)}/`, 301),
  );

  app.post('/:lang{es|en}/subscribe', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
    const values: SubscribeValues = {
      email: one(f.email).slice(0, 320),
      countries: many(f.countries),
      topics: many(f.topics),
      language: isLang(one(f.language)) ? (one(f.language) as Lang) : lang,
      frequency: frequencies.find((x) => x === one(f.frequency)) ?? 'instant',
    };
    if (!one(f.website)) {
      try {
        await subscriptions.subscribe(
          { email: values.email ?? '', countries: (values.countries ?? []) as CountryCode[], topics: (values.topics ?? []) as TopicSlug[], language: values.language ?? lang, frequency: values.frequency ?? 'instant' },
          origin(c),
        );
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const message = error.kind === 'rateLimited' ? t(lang).tooMany : error.message;
        return render(c, HomePage({ lang, values, error: message, latest: await latest() }), statusOfKind[error.kind]);
      }
    }
    // Post/redirect/get: the same answer whether or not the address was known (or was a bot's).
    return c.redirect(`/${lang}/check-inbox`, 303);
  });

  app.get('/:lang{es|en}/check-inbox', (c) => render(c, CheckInboxPage({ lang: langOf(c), resent: c.req.query('resent') === '1' })));

  app.post('/:lang{es|en}/resend', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
    if (!one(f.website)) {
      try {
        await subscriptions.resend(one(f.email).slice(0, 320), origin(c));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return render(c, CheckInboxPage({ lang, error: error.kind === 'rateLimited' ? t(lang).tooMany : error.message }), statusOfKind[error.kind]);
      }
    }
    return c.redirect(`/${lang}/check-inbox?resent=1`, 303);
  });

  // ---- Archive and items ----------------------------------------------------------------------------------------

  const archiveEntries = async (lang: Lang): Promise<ArchiveEntry[]> => {
    const list = await editions().list(100);
    return list
      .filter((e) => e.state === 'sent' && e.kind === 'edition')
      .filter((e) => {
        const languages = (e.audience as { languages?: string[] } | undefined)?.languages;
        return !languages || languages.length === 0 || languages.includes(lang);
      })
      .map((e) => ({ id: e.id, subject: e.subject, ...(e.intro ? { intro: e.intro } : {}), sentAt: e.completedAt ?? e.sendStartedAt ?? e.createdAt, itemCount: e.itemIds?.length ?? 0 }))
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  };

  app.get('/:lang{es|en}/feeds', (c) => render(c, FeedsDirectoryPage({ lang: langOf(c), baseUrl: ctx.config.PUBLIC_BASE_URL })));

  app.get('/:lang{es|en}/archive', async (c) => {
    const lang = langOf(c);
    return render(c, ArchiveIndexPage({ lang, editions: await archiveEntries(lang) }));
  });

  app.get('/:lang{es|en}/archive/:id', async (c) => {
    const lang = langOf(c);
    const id = c.req.param('id');
    if (id.length > 100) return notFoundPage(c, lang);
    try {
      const base = ctx.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
      const web = await editions().webVersion(id, lang, { preferencesUrl: `${base}/${lang}/`, unsubscribeUrl: `${base}/${lang}/` });
      const e = web.edition;
      const entry: ArchiveEntry = { id: e.id, subject: e.subject, ...(e.intro ? { intro: e.intro } : {}), sentAt: e.completedAt ?? e.sendStartedAt ?? e.createdAt, itemCount: web.items.length };
      return render(c, ArchiveEditionPage({ lang, edition: entry, items: web.items }));
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'notFound') return notFoundPage(c, lang);
      throw error;
    }
  });

  app.get('/:lang{es|en}/items/:id', async (c) => {
    const lang = langOf(c);
    const id = c.req.param('id');
    const item = id.length <= 64 ? await items.get(id) : undefined;
    if (!item) return notFoundPage(c, lang);
    return render(c, ItemPage({ lang, item, baseUrl: ctx.config.PUBLIC_BASE_URL }));
  });

  // ---- Preference centre ---------------------------------------------------------------------------------------

  const prefsLang = (c: Context, fallback?: Lang): Lang => {
    const q = c.req.query('lang');
    return isLang(q) ? q : (fallback ?? preferredLang(c));
  };
  const showPrefs = async (c: Context, token: string, extra: { message?: string; error?: string; status?: Status } = {}) => {
    const prefs = (await subscriptions.getPreferences(token)) as PreferencesModel;
    const lang = prefsLang(c, prefs.language);
    return render(c, PreferencesPage({ lang, token, prefs, ...extra }), extra.status ?? 200, { private: true });
  };

  app.get('/preferences/:token', async (c) => {
    try {
      return await showPrefs(c, c.req.param('token'));
    } catch (error) {
      return errorPage(c, prefsLang(c), error, true);
    }
  });

  app.post('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const lang = prefsLang(c);
    try {
      const f = await form(c);
      const language = one(f.language);
      const frequency = one(f.frequency);
      await subscriptions.updatePreferences(token, {
        // Unknown values are refused by the service (checkPreferences), not trusted.
        countries: many(f.countries) as CountryCode[],
        topics: many(f.topics) as TopicSlug[],
        ...(isLang(language) ? { language } : {}),
        ...(frequency === 'instant' || frequency === 'daily' || frequency === 'weekly' ? { frequency } : {}),
      });
      return await showPrefs(c, token, { message: t(isLang(language) && !c.req.query('lang') ? language : lang).saved });
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
  });

  app.post('/preferences/:token/:action{pause|resume|unsubscribe|resubscribe|erase}', async (c) => {
    const token = c.req.param('token');
    const action = c.req.param('action');
    const lang = prefsLang(c);
    const s = t(lang);
    try {
      if (action === 'pause' || action === 'resume') {
        await subscriptions.updatePreferences(token, { paused: action === 'pause' });
        return await showPrefs(c, token, { message: action === 'pause' ? s.pausedDone : s.resumedDone });
      }
      if (action === 'unsubscribe') {
        await subscriptions.unsubscribe(token);
        return render(c, UnsubscribedPage({ lang, token }), 200, { private: true });
      }
      if (action === 'resubscribe') {
        await subscriptions.resubscribe(token, origin(c));
        return await showPrefs(c, token, { message: s.resubscribed });
      }
      const f = await form(c);
      if (one(f.confirm) !== 'yes') return await showPrefs(c, token, { error: s.eraseNeedsConfirm, status: 400 });
      await subscriptions.eraseMe(token);
      return render(c, MessagePage({ lang, title: s.erasedTitle, body: s.erasedBody, noindex: true }), 200, { private: true });
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
  });

  // ---- Editor console ------------------------------------------------------------------------------------------

  const editorBase = (lang: Lang) => `/${lang}/editor`;
  const identities = new WeakMap<Request, EditorIdentity>();

  const signInPage = (c: Context, lang: Lang, extra: { error?: string } = {}, status: Status = 200) => {
    const next = safeNext(c.req.query('next'));
    const redirectHref = sessions.kind === 'redirect' ? `${editorBase(lang)}/sign-in/start${next ? `?next=${encodeURIComponent(next)}` : ''}` : undefined;
    return render(c, SignInPage({ lang, ...(next ? { next } : {}), ...(redirectHref ? { redirectHref } : {}), ...extra }), status, { private: true });
  };
  app.get('/:lang{es|en}/editor/sign-in', (c) => signInPage(c, langOf(c)));

  // Cognito (AWS): the hosted sign-in, then its callback sets the same session cookie.
  app.get('/:lang{es|en}/editor/sign-in/start', async (c) => {
    if (!sessions.begin) return c.redirect(`${editorBase(langOf(c))}/sign-in`, 303);
    return sessions.begin(c, { lang: langOf(c), next: safeNext(c.req.query('next')) });
  });
  app.get(callbackPath, async (c) => {
    if (!sessions.complete) return notFoundPage(c, preferredLang(c));
    const outcome = await sessions.complete(c);
    const lang: Lang = outcome.lang === 'en' ? 'en' : 'es';
    if (!outcome.ok) return signInPage(c, lang, { error: outcome.reason }, 401);
    return c.redirect(safeNext(outcome.next) ?? `${editorBase(lang)}/items`, 303);
  });

  app.post('/:lang{es|en}/editor/sign-in', async (c) => {
    const lang = langOf(c);
    if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
    if (sessions.kind !== 'token') return signInPage(c, lang, {}, 400);
    const f = await form(c);
    if (!(await sessions.signIn(c, one(f.token)))) return signInPage(c, lang, { error: t(lang).badToken }, 401);
    return c.redirect(safeNext(one(f.next)) ?? `${editorBase(lang)}/items`, 303);
  });

  // Every other editor page needs a session; every POST also a same-origin request and the session's CSRF token.
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
      return c.text('Sign in first.', 401);
    }
    if (c.req.method === 'POST') {
      if (!sameOrigin(c)) return c.text('Cross-site request refused.', 403);
      const f = await form(c);
      if (!csrfMatches(one(f.csrf), identity, secret)) return c.text('The form expired; reload the page and try again.', 403);
    }
    identities.set(c.req.raw, identity);
    c.header('Cache-Control', 'no-store');
    await next();
  };
  app.use('/:lang{es|en}/editor', guard);
  app.use('/:lang{es|en}/editor/items', guard);
  app.use('/:lang{es|en}/editor/items/*', guard);
  app.use('/:lang{es|en}/editor/sources', guard);
  app.use('/:lang{es|en}/editor/sources/*', guard);
  app.use('/:lang{es|en}/editor/editions', guard);
  app.use('/:lang{es|en}/editor/editions/*', guard);
  app.use('/:lang{es|en}/editor/subscribers', guard);
  app.use('/:lang{es|en}/editor/subscribers/*', guard);
  app.use('/:lang{es|en}/editor/sign-out', guard);

  const csrfOf = (c: Context) => csrfToken(identities.get(c.req.raw)!, secret);
  const flashOf = (c: Context): Flash | undefined => {
    const ok = c.req.query('ok');
    return ok === '1' ? { kind: 'ok', text: t(langOf(c)).done } : undefined;
  };
  const failure = (r: { error: { message: string } }): Flash => ({ kind: 'error', text: r.error.message });

  app.get('/:lang{es|en}/editor', (c) => c.redirect(`${editorBase(langOf(c))}/items`, 303));
  app.post('/:lang{es|en}/editor/sign-out', (c) => {
    sessions.signOut(c);
    return c.redirect(sessions.endSessionUrl?.() ?? `${editorBase(langOf(c))}/sign-in`, 303);
  });

  // Items. Country and topic pick the scope index; source and dates filter while paging it (at most 500 items
  // scanned per page view; the "older" link continues from where the scan stopped).
  const showItems = async (c: Context, flash?: Flash, status: Status = 200) => {
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
      if (!names.has(i.sourceId)) names.set(i.sourceId, i.sourceId.startsWith('digest:') ? `Digest (${i.sourceId.slice(7, 13)}…)` : i.sourceId);
    }
    const sources = [...names].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
    return render(
      c,
      ItemsPage({ lang, csrf: csrfOf(c), flash: flash ?? flashOf(c), items: shown, filters, sources, ...(next ? { nextCursor: next } : {}) }),
      status,
      { private: true },
    );
  };
  app.get('/:lang{es|en}/editor/items', (c) => showItems(c));

  app.post('/:lang{es|en}/editor/items', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
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
    if (!r.ok) return showItems(c, failure(r), r.status);
    return c.redirect(`${editorBase(lang)}/items?ok=1`, 303);
  });

  app.post('/:lang{es|en}/editor/items/:id/tags', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
    const r = await attempt(() => ingest.editItem(validated(ItemInput, { id: c.req.param('id'), countries: many(f.countries), topics: many(f.topics) })));
    if (!r.ok) return showItems(c, failure(r), r.status);
    const q = new URL(c.req.url).searchParams;
    q.set('ok', '1');
    return c.redirect(`${editorBase(lang)}/items?${q.toString()}`, 303);
  });

  // Sources
  const showSources = async (c: Context, flash?: Flash, status: Status = 200) => {
    const lang = langOf(c);
    const r = await attempt(() => ingest.listSources());
    return render(
      c,
      SourcesPage({ lang, csrf: csrfOf(c), flash: flash ?? (r.ok ? flashOf(c) : failure(r)), sources: r.ok ? r.value : [] }),
      status,
      { private: true },
    );
  };
  app.get('/:lang{es|en}/editor/sources', (c) => showSources(c));

  app.post('/:lang{es|en}/editor/sources/poll-all', async (c) => {
    const lang = langOf(c);
    const list = await attempt(() => ingest.listSources());
    if (!list.ok) return showSources(c, failure(list), list.status);
    // Each poll records its own outcome against its source (the page shows it); one failing stops none of the others.
    for (const src of list.value) await attempt(() => ingest.pollSource(src.id));
    return c.redirect(`${editorBase(lang)}/sources?ok=1`, 303);
  });

  app.post('/:lang{es|en}/editor/sources/:id/poll', async (c) => {
    const lang = langOf(c);
    const r = await attempt(() => ingest.pollSource(c.req.param('id') ?? ''));
    if (!r.ok) return showSources(c, failure(r), r.status);
    return c.redirect(`${editorBase(lang)}/sources?ok=1`, 303);
  });

  // Editions
  const showEditions = async (c: Context, flash?: Flash, status: Status = 200) => {
    const lang = langOf(c);
    const [list, recent] = await Promise.all([attempt(() => editions().list(50)), items.listScope('all', { limit: 40 })]);
    return render(
      c,
      EditionsPage({ lang, csrf: csrfOf(c), flash: flash ?? (list.ok ? flashOf(c) : failure(list)), editions: list.ok ? list.value.map(editionRow) : [], items: recent.items }),
      status,
      { private: true },
    );
  };
  app.get('/:lang{es|en}/editor/editions', (c) => showEditions(c));

  app.post('/:lang{es|en}/editor/editions', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
    const countries = many(f.countries);
    const topics = many(f.topics);
    const languages = many(f.languages);
    const audience = {
      ...(countries.length ? { countries } : {}),
      ...(topics.length ? { topics } : {}),
      ...(languages.length ? { languages } : {}),
    };
    const itemIds = many(f.itemIds);
    const r = await attempt(() =>
      editions().create(
        validated(EditionInput, {
          subject: one(f.subject),
          ...(one(f.intro).trim() ? { intro: one(f.intro) } : {}),
          ...(itemIds.length ? { itemIds } : {}),
          ...(Object.keys(audience).length ? { audience } : {}),
        }),
      ),
    );
    if (!r.ok) return showEditions(c, failure(r), r.status);
    return c.redirect(`${editorBase(lang)}/editions/${encodeURIComponent(r.value.id)}`, 303);
  });

  const editionId = (c: Context) => validated(IdParam, { id: c.req.param('id') ?? '' }).id;

  const showEdition = async (c: Context, flash?: Flash, status: Status = 200) => {
    const lang = langOf(c);
    const r = await attempt(() => editions().status(editionId(c)));
    if (!r.ok) {
      if (r.status === 404) return notFoundPage(c, lang);
      return showEditions(c, failure(r), r.status);
    }
    const e = editionDetail(r.value);
    const country = c.req.query('country') || '';
    const topic = c.req.query('topic') || '';
    const language = isLang(c.req.query('language')) ? (c.req.query('language') as Lang) : lang;
    const segment = { ...(country ? { country } : {}), ...(topic ? { topic } : {}), language };
    const [pv, pf, chosen] = await Promise.all([
      attempt(() => {
        const q = validated(SegmentQuery, { language, ...(country ? { countries: country } : {}), ...(topic ? { topics: topic } : {}) });
        return editions().preview(e.id, { countries: q.countries, topics: q.topics, language: q.language });
      }),
      e.state === 'draft' || e.state === 'scheduled' ? attempt(() => editions().preflight(e.id)) : undefined,
      e.itemIds?.length ? items.getMany(e.itemIds) : Promise.resolve([] as Item[]),
    ]);
    const preview: PreviewPanel = pv.ok ? { segment, html: pv.value.html, items: pv.value.items } : { segment, error: pv.error.message };
    // The same issue found in each language's email is shown once.
    const unique = (issues: NonNullable<PreflightPanel['issues']>) => [...new Map(issues.map((i) => [`${i.level}|${i.message}`, i])).values()];
    const preflight: PreflightPanel = !pf ? {} : pf.ok ? { issues: unique(pf.value.issues) } : { error: pf.error.message };
    const byId = new Map(chosen.map((i) => [i.id, i]));
    const ordered = (e.itemIds ?? []).map((id) => byId.get(id)).filter((i): i is Item => Boolean(i));
    return render(c, EditionPage({ lang, csrf: csrfOf(c), flash: flash ?? flashOf(c), edition: e, items: ordered, preview, preflight }), status, { private: true });
  };
  app.get('/:lang{es|en}/editor/editions/:id', (c) => showEdition(c));

  app.get('/:lang{es|en}/editor/editions/:id/status', async (c) => {
    const lang = langOf(c);
    const r = await attempt(() => editions().status(editionId(c)));
    if (!r.ok) return c.json({ error: r.error }, r.status);
    const e = editionDetail(r.value);
    return c.json({ state: e.state, stateLabel: stateLabel(e.state, lang), counts: e.counts, progress: e.progress, rate: e.rate, summary: progressSummary(e, lang) });
  });

  app.post('/:lang{es|en}/editor/editions/:id/:action{send|schedule|pause|resume|cancel|test}', async (c) => {
    const lang = langOf(c);
    const action = c.req.param('action');
    const f = await form(c);
    const r = await attempt(async () => {
      const id = editionId(c);
      if (action === 'send') return editions().send(id);
      if (action === 'schedule') {
        const raw = one(f.at);
        const { at } = validated(SendBody, { at: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(raw) ? `${raw}:00Z` : raw });
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
      return editions()[action as 'pause' | 'resume' | 'cancel'](id);
    });
    if (!r.ok) return showEdition(c, failure(r), r.status);
    return c.redirect(`${editorBase(lang)}/editions/${encodeURIComponent(c.req.param('id') ?? '')}?ok=1`, 303);
  });

  // Subscribers
  const showSubscribers = async (c: Context, flash?: Flash, status: Status = 200) => {
    const lang = langOf(c);
    const email = (c.req.query('email') ?? '').trim();
    const [counts, suppressed, found] = await Promise.all([
      attempt(() => subscriptions.counts({ status: 'confirmed' })),
      attempt(() => subscriptions.list({ status: 'suppressed' }, { limit: 100 })),
      email ? attempt(() => subscriptions.lookup(validated(EmailQuery, { email }).email)) : undefined,
    ]);
    const lookup: SubscriberLookup | undefined = email ? { email, ...(found?.ok ? { found: found.value } : {}) } : undefined;
    return render(
      c,
      SubscribersPage({
        lang,
        csrf: csrfOf(c),
        flash: flash ?? flashOf(c),
        ...(counts.ok ? { counts: counts.value } : { countsError: counts.error.message }),
        lookup,
        suppressed: suppressed.ok ? suppressed.value.subscribers : [],
      }),
      status,
      { private: true },
    );
  };
  app.get('/:lang{es|en}/editor/subscribers', (c) => showSubscribers(c));

  app.get('/:lang{es|en}/editor/subscribers/export', async (c) => {
    const r = await attempt(() => subscriptions.exportAll());
    if (!r.ok) return showSubscribers(c, failure(r), r.status);
    c.header('Content-Disposition', 'attachment; filename="subscribers.json"');
    return c.json({ subscribers: r.value as Array<Record<string, unknown>> });
  });

  app.post('/:lang{es|en}/editor/subscribers/delete', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
    const r = await attempt(() => subscriptions.deleteByEmail(validated(EmailQuery, { email: one(f.email) }).email));
    if (!r.ok) return showSubscribers(c, failure(r), r.status);
    return c.redirect(`${editorBase(lang)}/subscribers?ok=1`, 303);
  });

  app.post('/:lang{es|en}/editor/subscribers/import', async (c) => {
    const lang = langOf(c);
    const f = await form(c);
    const r = await attempt(() => subscriptions.importRows(csvRows(one(f.csv)), { sendConfirmations: true }, origin(c)));
    if (!r.ok) return showSubscribers(c, failure(r), r.status);
    const b = r.value;
    return showSubscribers(c, {
      kind: b.errors.length ? 'error' : 'ok',
      text: [t(lang).importReport({ ...b, errors: b.errors.length }), ...b.errors.slice(0, 10).map((e) => `#${e.row}: ${e.message}`)].join(' '),
    });
  });

  // Anything else under a language prefix is a page that does not exist.
  app.all('/:lang{es|en}/*', (c) => notFoundPage(c, langOf(c)));

  return app;
}

type EditionView = Awaited<ReturnType<App['editions']['status']>>;

/** An edition as the console's views take it (the editor API's view of it). */
function editionDetail(view: EditionView): EditionDetail {
  return { ...view, counts: { ...view.counts } };
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

export { preferencesUrl, unsubscribeUrl };
