// The public site, server-rendered with hono/jsx from the views in ../views/: subscribe, "check your inbox", the
// archive, item pages and the preference centre. Pages live under a language prefix (/es/…, /en/…); bare paths
// redirect by Accept-Language (Spanish by default). The preference centre sits at /preferences/{token} (the link
// every email carries) and speaks the subscriber's language. See docs/pages.md.
import { frequencies } from '../../../core/subscriptions/model.js';
import { textFor } from '../../../core/editions/model.js';
import type { Context } from 'hono';
import { newRouter } from '../router.js';
import type { App } from '../../../composition-root.js';
import { DomainError } from '../../../core/shared/errors.js';
import type { Item } from '../../../core/items/model.js';
import type { CountryCode, TopicSlug } from '../../../core/taxonomy/taxonomy.js';
import type { RequestOrigin } from '../../../core/subscriptions/service.js';
import { clientIp } from '../client-ip.js';
import { statusOfKind } from '../errors.js';
import { errorPage, formFields, langOf, many, notFoundPage, one, pageErrorHandler, preferredLang, renderPage, type PageStatus } from '../html.js';
import { assetPaths, copyJs, editorJs, siteCss } from '../views/assets.js';
import { errorMessage, isLang, t, type Lang } from '../views/i18n.js';
import {
  ArchiveEditionPage,
  ArchiveIndexPage,
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

const origin = (c: Context): RequestOrigin => ({ ip: clientIp(c), userAgent: c.req.header('user-agent') ?? '' });

export function siteRoutes(ctx: App) {
  const app = newRouter();
  const items = ctx.repos.items;
  const { subscriptions } = ctx;
  // Built on first use: public pages other than the archive never load the renderer.
  const editions = () => ctx.editions;

  app.onError(pageErrorHandler);

  // ---- Assets and language redirects ---------------------------------------------------------------------------

  app.get('/assets/:file', (c) => {
    const file = `/assets/${c.req.param('file')}`;
    const immutable = 'public, max-age=31536000, immutable';
    if (file === assetPaths.css) return c.body(siteCss, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': immutable });
    if (file === assetPaths.editorJs) return c.body(editorJs, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': immutable });
    if (file === assetPaths.copyJs) return c.body(copyJs, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': immutable });
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

  // ---- Home, subscribe, check your inbox ------------------------------------------------------------------------

  const latest = async () => {
    try {
      return (await items.listScope('all', { limit: 5 })).items;
    } catch {
      return [] as Item[];
    }
  };

  // (Mounted under '/', Hono matches '/es' and '/es/' alike: send the bare one to the canonical address.)
  app.get('/:lang{(?:es|en)}/', async (c) =>
    new URL(c.req.url).pathname.endsWith('/') ? renderPage(c, HomePage({ lang: langOf(c), latest: await latest() })) : c.redirect(`/${langOf(c)}/`, 301),
  );

  app.post('/:lang{(?:es|en)}/subscribe', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
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
        const message = error.kind === 'rateLimited' ? t(lang).tooMany : errorMessage(error, lang);
        return renderPage(c, HomePage({ lang, values, error: message, latest: await latest() }), statusOfKind[error.kind]);
      }
    }
    // Post/redirect/get: the same answer whether or not the address was known (or was a bot's).
    return c.redirect(`/${lang}/check-inbox`, 303);
  });

  app.get('/:lang{(?:es|en)}/check-inbox', (c) => renderPage(c, CheckInboxPage({ lang: langOf(c), resent: c.req.query('resent') === '1' })));

  app.post('/:lang{(?:es|en)}/resend', async (c) => {
    const lang = langOf(c);
    const f = await formFields(c);
    if (!one(f.website)) {
      try {
        await subscriptions.resend(one(f.email).slice(0, 320), origin(c));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        return renderPage(c, CheckInboxPage({ lang, error: error.kind === 'rateLimited' ? t(lang).tooMany : errorMessage(error, lang) }), statusOfKind[error.kind]);
      }
    }
    return c.redirect(`/${lang}/check-inbox?resent=1`, 303);
  });

  // ---- Archive and items ----------------------------------------------------------------------------------------

  const archiveEntries = async (lang: Lang): Promise<ArchiveEntry[]> => {
    const list = await editions().list(100);
    return list
      // An edition that reached nobody was never published.
      .filter((e) => e.state === 'sent' && e.kind === 'edition' && !e.reachedNobody)
      .filter((e) => {
        const languages = (e.audience as { languages?: string[] } | undefined)?.languages;
        return !languages || languages.length === 0 || languages.includes(lang);
      })
      .map((e) => ({ id: e.id, ...textFor({ ...e, intro: e.intro ?? undefined }, lang), sentAt: e.completedAt ?? e.sendStartedAt ?? e.createdAt, itemCount: e.itemIds?.length ?? 0 }))
      .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
  };

  app.get('/:lang{(?:es|en)}/archive', async (c) => {
    const lang = langOf(c);
    return renderPage(c, ArchiveIndexPage({ lang, editions: await archiveEntries(lang) }));
  });

  app.get('/:lang{(?:es|en)}/archive/:id', async (c) => {
    const lang = langOf(c);
    const id = c.req.param('id');
    if (id.length > 100) return notFoundPage(c, lang);
    try {
      const base = ctx.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
      const web = await editions().webVersion(id, lang, { preferencesUrl: `${base}/${lang}/`, unsubscribeUrl: `${base}/${lang}/` });
      const e = web.edition;
      const entry: ArchiveEntry = { id: e.id, ...textFor(e, lang), sentAt: e.completedAt ?? e.sendStartedAt ?? e.createdAt, itemCount: web.items.length };
      return renderPage(c, ArchiveEditionPage({ lang, edition: entry, items: web.items }));
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'notFound') return notFoundPage(c, lang);
      throw error;
    }
  });

  // A subscriber's own version of an edition ("view in your browser"): their items, in the language of the email the
  // link came in (`?lang=`), else their own. The token is a 'view' link signed over this edition's id.
  app.get('/view/:edition/:token', async (c) => {
    const lang = langOf(c);
    const id = c.req.param('edition');
    if (id.length > 100) return notFoundPage(c, lang);
    try {
      const viewer = await subscriptions.viewerOf(c.req.param('token'), id);
      const asked = c.req.query('lang');
      const language = isLang(asked) ? asked : viewer.language;
      const base = ctx.config.PUBLIC_BASE_URL.replace(/\/+$/, '');
      const home = `${base}/${language}/`;
      const web = await editions().webVersion(id, language, { preferencesUrl: home, unsubscribeUrl: home }, viewer);
      const e = web.edition;
      const entry: ArchiveEntry = { id: e.id, ...textFor(e, language), sentAt: e.completedAt ?? e.sendStartedAt ?? e.createdAt, itemCount: web.items.length };
      return renderPage(c, ArchiveEditionPage({ lang: language, edition: entry, items: web.items, personal: true }), 200, { private: true });
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'notFound') return notFoundPage(c, lang);
      return errorPage(c, lang, error, true);
    }
  });

  app.get('/:lang{(?:es|en)}/items/:id', async (c) => {
    const lang = langOf(c);
    const id = c.req.param('id');
    const item = id.length <= 64 ? await items.get(id) : undefined;
    if (!item) return notFoundPage(c, lang);
    return renderPage(c, ItemPage({ lang, item, baseUrl: ctx.config.PUBLIC_BASE_URL }));
  });

  // ---- Preference centre ---------------------------------------------------------------------------------------

  const prefsLang = (c: Context, fallback?: Lang): Lang => {
    const q = c.req.query('lang');
    return isLang(q) ? q : (fallback ?? preferredLang(c));
  };
  const showPrefs = async (c: Context, token: string, extra: { message?: string; error?: string; status?: PageStatus } = {}) => {
    const prefs = (await subscriptions.getPreferences(token)) as PreferencesModel;
    const lang = prefsLang(c, prefs.language);
    return renderPage(c, PreferencesPage({ lang, token, prefs, ...extra }), extra.status ?? 200, { private: true });
  };

  app.get('/preferences/:token', async (c) => {
    try {
      const revoked = c.req.query('revoked') === '1';
      return await showPrefs(c, c.req.param('token'), revoked ? { message: t(prefsLang(c)).revokedDone } : {});
    } catch (error) {
      return errorPage(c, prefsLang(c), error, true);
    }
  });

  app.post('/preferences/:token', async (c) => {
    const token = c.req.param('token');
    const lang = prefsLang(c);
    try {
      const f = await formFields(c);
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

  app.post('/preferences/:token/:action{pause|resume|clicks-off|clicks-on|unsubscribe|resubscribe|revoke|erase}', async (c) => {
    const token = c.req.param('token');
    const action = c.req.param('action');
    const lang = prefsLang(c);
    const s = t(lang);
    try {
      if (action === 'pause' || action === 'resume') {
        await subscriptions.updatePreferences(token, { paused: action === 'pause' });
        return await showPrefs(c, token, { message: action === 'pause' ? s.pausedDone : s.resumedDone });
      }
      if (action === 'clicks-off' || action === 'clicks-on') {
        await subscriptions.updatePreferences(token, { clickTracking: action === 'clicks-on' });
        return await showPrefs(c, token, { message: action === 'clicks-on' ? s.clicksOnDone : s.clicksOffDone });
      }
      if (action === 'unsubscribe') {
        await subscriptions.unsubscribe(token);
        return renderPage(c, UnsubscribedPage({ lang, token }), 200, { private: true });
      }
      if (action === 'resubscribe') {
        await subscriptions.resubscribe(token, origin(c));
        return await showPrefs(c, token, { message: s.resubscribed });
      }
      if (action === 'revoke') {
        // The new link is this browser's next address: the old one (in the address bar) no longer works.
        const fresh = await subscriptions.revokeLinks(token);
        return c.redirect(`/preferences/${encodeURIComponent(fresh.preferencesToken)}?lang=${lang}&revoked=1`, 303);
      }
      const f = await formFields(c);
      if (one(f.confirm) !== 'yes') return await showPrefs(c, token, { error: s.eraseNeedsConfirm, status: 400 });
      await subscriptions.eraseMe(token);
      return renderPage(c, MessagePage({ lang, title: s.erasedTitle, body: s.erasedBody, noindex: true }), 200, { private: true });
    } catch (error) {
      return errorPage(c, lang, error, true);
    }
  });

  return app;
}
