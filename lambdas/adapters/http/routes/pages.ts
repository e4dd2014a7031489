// The pages people see: the public site and the editor console, two modules on one page system (the JSX views, the
// strings of ../views/i18n.ts, the site layout). Anything else under a language prefix is a page that does not exist.
import { newRouter } from '../router.js';
import type { App } from '../../../composition-root.js';
import { langOf, notFoundPage, pageErrorHandler } from '../html.js';
import { siteRoutes } from './site.js';
import { consoleRoutes, type ConsoleOptions } from './console.js';

export function pageRoutes(ctx: App, options: ConsoleOptions = {}) {
  const app = newRouter();
  app.onError(pageErrorHandler);
  app.route('/', siteRoutes(ctx));
  app.route('/', consoleRoutes(ctx, options));
  app.all('/:lang{(?:es|en)}/*', (c) => notFoundPage(c, langOf(c)));
  return app;
}
