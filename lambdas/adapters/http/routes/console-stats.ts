// The console's analytics pages, mounted on the console's guarded sub-app (signed-in editors only): the dashboard at
// /{lang}/editor/stats and one edition's at /{lang}/editor/editions/{id}/stats.
import type { Context } from 'hono';
import type { App } from '../../../composition-root.js';
import type { newRouter } from '../router.js';
import { langOf, notFoundPage, renderPage } from '../html.js';
import { EditionStatsPage, StatsDashboardPage, type FeedbackRow } from '../views/console/stats.js';

export function consoleStatsPages(pages: ReturnType<typeof newRouter>, deps: { app: Pick<App, 'analytics' | 'repos' | 'clock'>; csrfOf: (c: Context) => string }) {
  const { analytics, repos, clock } = deps.app;

  pages.get('/stats', async (c) => {
    const to = clock.now();
    const [series, editions] = await Promise.all([analytics.subscriberSeries(new Date(to.getTime() - 30 * 24 * 3600_000), to, 'day'), repos.editions.list(20)]);
    const started = editions.filter((e) => e.sendStartedAt);
    const rows: FeedbackRow[] = await Promise.all(
      started.map(async (e) => {
        const [counts, feedback] = await Promise.all([repos.editions.counts(e.id), repos.editions.feedback(e.id)]);
        return { id: e.id, subject: e.subject, sent: counts.sent, bounced: feedback.bounces, complained: feedback.complaints };
      }),
    );
    return renderPage(c, StatsDashboardPage({ lang: langOf(c), csrf: deps.csrfOf(c), series, editions: rows }), 200, { private: true });
  });

  pages.get('/editions/:id/stats', async (c) => {
    const id = c.req.param('id');
    const edition = await repos.editions.get(id);
    if (!edition) return notFoundPage(c, langOf(c));
    const stats = await analytics.editionStats(id);
    return renderPage(c, EditionStatsPage({ lang: langOf(c), csrf: deps.csrfOf(c), editionId: id, subject: edition.subject, stats }), 200, { private: true });
  });
}
