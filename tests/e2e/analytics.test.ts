// The console's analytics pages in a real browser, in both languages at 375 and 1280 px: one edition's clicks over
// time, by item and as a country × topic heat map, and the dashboard's subscribers over time and bounce and complaint
// rates against SES's thresholds. Each chart has its table; axe finds nothing serious. The click path itself (redirect,
// filter, counting) is covered by tests/integration/analytics.test.ts; here the aggregates are fed directly.
import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { editorHeaders } from '../support/runtime.js';
import { checkPage, newContext, screenshots, waitForEmails, type Site, useSite, signIn } from './browser.js';
import type { ClickEvent } from '../../lambdas/core/analytics/ports.js';

let site: Site;
useSite((started) => (site = started));

describe('analytics in the console', () => {
  test('edition stats and the dashboard show charts with tables, in Spanish and English', async () => {
    const app = site.runtime.app;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${site.baseUrl}${path}`, { method, headers: { ...editorHeaders, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

    // A reader, an edition sent to them, and its click links.
    const email = `reader-${randomUUID().slice(0, 8)}@example.org`;
    const seed = (await app.repos.items.listScope('all', { limit: 6 })).items;
    const now = new Date().toISOString();
    await app.repos.subscribers.create({ id: randomUUID(), email, status: 'confirmed', countries: [], topics: [], language: 'es', frequency: 'instant', paused: false, createdAt: now, updatedAt: now, confirmedAt: now, version: 1, consent: {}, origin: 'api' } as never);
    const created = await api('POST', '/api/editions', { subject: 'Boletín con clics', itemIds: seed.map((i) => i.id) });
    const { id } = (await created.json()) as { id: string };
    expect((await api('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
    const [mail] = await waitForEmails(email, 1);
    expect(mail!.body.html).toMatch(/\/r\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);

    // Aggregates as readers across the bloc would leave them over a day and a half.
    const sentAt = Date.now() - 36 * 3600_000;
    const countries = [['cl'], ['co'], ['mx'], ['pe'], []];
    const topics = [['trade-investment'], ['climate-environment'], ['education-skills'], []];
    const recipients = countries.flatMap((c) => topics.map((t) => ({ language: c.length % 2 ? 'es' : 'en', countries: c, topics: t })));
    await app.analytics.recordSent(id, Array.from({ length: 12 }, () => recipients).flat() as never);
    const clicks: ClickEvent[] = [];
    for (let n = 0; n < 60; n++) {
      const c = countries[n % countries.length]!;
      const t = topics[(n * 7) % topics.length]!;
      clicks.push({ editionId: id, itemRef: seed[n % seed.length]!.id, language: n % 3 ? 'es' : 'en', countries: c, topics: t, sentAt: new Date(sentAt).toISOString(), at: new Date(sentAt + Math.floor((n % 20) ** 2 / 12) * 3600_000 + 60_000).toISOString(), readerNonce: `reader-${n % 41}` });
    }
    clicks.push({ ...clicks[0]!, machine: 'agent' });
    await app.analytics.countClicks(clicks);
    for (let d = 14; d >= 0; d--) {
      const day = new Date(Date.now() - d * 24 * 3600_000);
      for (let k = 0; k < (d % 4) + 1; k++) await app.analytics.subscriberChanged('confirmed', day);
      if (d % 5 === 0) await app.analytics.subscriberChanged('unsubscribed', day);
    }

    for (const lang of ['es', 'en'] as const) {
      const context = await newContext(site);
      const page = await context.newPage();
      await signIn(page, lang);
      await page.goto(`/${lang}/editor/editions/${id}/stats`);
      expect(await page.locator('figure.chart svg').first().isVisible()).toBe(true);
      expect(await page.locator('figure.chart').count()).toBe(3);
      expect(await page.locator('figure.chart table').count()).toBe(3);
      expect(await page.locator('#heat-title').innerText()).toContain(lang === 'es' ? 'Tasa de clics por país y tema' : 'Click rate by country and topic');
      await checkPage(page, `editor-edition-stats-${lang}`);
      await page.locator('#heat-title').scrollIntoViewIfNeeded();
      await screenshots(page, `editor-edition-stats-heat-${lang}`);

      await page.goto(`/${lang}/editor/stats`);
      expect(await page.locator('figure.chart').count()).toBe(3);
      expect(await page.getByRole('link', { name: lang === 'es' ? 'Ver estadísticas' : 'See stats' }).count()).toBeGreaterThan(0);
      await checkPage(page, `editor-stats-dashboard-${lang}`);
      await page.locator('#bounces-title').scrollIntoViewIfNeeded();
      await screenshots(page, `editor-stats-dashboard-rates-${lang}`);
      await context.close();
    }
  }, 120_000);
});
