// The one HTTP app (Hono, written against web Request/Response). The Lambda handler and the local server both serve
// it; only they know about their transport. Each concern mounts its own route module, handed the composed App.
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { App } from '../../composition-root.js';
import { errorBody, handleError } from './errors.js';
import { newRouter } from './router.js';
import { randomUUID } from 'node:crypto';
import { logger } from '../observability.js';
import { clientAddressMiddleware, originGuard } from './client-ip.js';
import { langOf, notFoundPage, renderPage } from './html.js';
import { t } from './views/i18n.js';
import { MessagePage } from './views/public.js';
import { itemRoutes } from './routes/items.js';
import { feedRoutes } from './routes/feeds.js';
import { subscriptionRoutes } from './routes/subscriptions.js';
import { editionRoutes } from './routes/editions.js';
import { pageRoutes } from './routes/pages.js';
import { taxonomyRoutes } from './routes/taxonomy.js';
import { analyticsRoutes } from './routes/analytics.js';

export const maxJsonBodyBytes = 256 * 1024;
export const maxPageFormBytes = 64 * 1024;

export function createHttpApp(ctx: App) {
  const app = newRouter();
  app.use(
    '*',
    originGuard(ctx.config.ORIGIN_VERIFY_SECRET, (c) => {
      const lang = langOf(c);
      const s = t(lang);
      const home = { href: `${ctx.config.PUBLIC_BASE_URL.replace(/\/+$/, '')}/${lang}/`, label: s.goHome };
      return renderPage(c, MessagePage({ lang, title: s.notThroughCdnTitle, body: s.notThroughCdn, kind: 'error', noindex: true, action: home }), 403);
    }),
  );
  app.use('*', clientAddressMiddleware(ctx.config));
  // A correlation id per request: the caller's X-Request-Id (or API Gateway's), else a new one; on every log line of
  // the request and echoed in the answer.
  app.use('*', async (c, next) => {
    const id = (c.req.header('x-request-id') ?? '').slice(0, 100) || randomUUID();
    logger.setCorrelationId(id);
    c.header('X-Request-Id', id);
    await next();
  });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'https:', 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
      xFrameOptions: 'DENY',
      crossOriginResourcePolicy: false,
    }),
  );
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: maxJsonBodyBytes,
      onError: (c) => c.json(errorBody('request.tooLarge', `The body is over ${maxJsonBodyBytes / 1024} KB; send less.`), 413),
    }),
  );
  // Page forms (subscribe, preferences, the links in emails) are small; the console sets its own limits.
  const pageFormLimit = bodyLimit({
    maxSize: maxPageFormBytes,
    onError: (c) => renderPage(c, MessagePage({ lang: langOf(c), title: t(langOf(c)).tooLargeTitle, body: t(langOf(c)).tooLarge, kind: 'error', noindex: true }), 413),
  });
  app.use('*', (c, next) => (c.req.path.startsWith('/api/') || /^\/(es|en)\/editor(\/|$)/.test(c.req.path) ? next() : pageFormLimit(c, next)));
  // The taxonomy in force for this request: read through its port (cached for a few seconds per process).
  app.use('*', async (_c, next) => {
    await ctx.taxonomy.reader.current();
    await next();
  });
  app.onError(handleError);
  // A person who mistyped an address gets the site's page (in their browser's language); programs get JSON.
  app.notFound((c) =>
    !c.req.path.startsWith('/api/') && /\btext\/html\b/.test(c.req.header('accept') ?? '')
      ? notFoundPage(c, langOf(c))
      : c.json(errorBody('route.notFound', `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`), 404),
  );

  app.route('/', taxonomyRoutes(ctx));
  app.route('/', itemRoutes(ctx));
  app.route('/', feedRoutes(ctx));
  app.route('/', subscriptionRoutes(ctx));
  app.route('/', analyticsRoutes(ctx));
  app.route('/', editionRoutes(ctx));
  app.route('/', pageRoutes(ctx));

  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'Pacific Alliance news service', version: '1.0.0' },
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'editorToken', { type: 'http', scheme: 'bearer' });
  return app;
}

export type HttpApp = ReturnType<typeof createHttpApp>;
