// The links in a subscriber's emails open pages in the email's language, even in a browser that asks for the other
// one: the confirmation link, and a newsletter's preference, "view in your browser" and unsubscribe links (body and
// List-Unsubscribe header, whose one-click POST keeps the link's query). Debian's Chromium through playwright-core,
// axe-core and screenshots at 375 px and 1280 px on every page.
import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { editorHeaders } from '../support/runtime.js';
import { t } from '../../lambdas/adapters/http/views/i18n.js';
import { checkPage, linksIn, newContext, waitForEmails, type Site, useSite } from './browser.js';

let site: Site;
useSite((started) => (site = started));

const api = (method: string, path: string, body?: unknown) =>
  site.runtime.http.request(path, { method, headers: editorHeaders, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
const statusOf = async (email: string) => ((await (await api('GET', `/api/subscribers?email=${encodeURIComponent(email)}`)).json()) as { status: string }).status;

/** The page is wholly in `lang`: its document language and its heading. */
async function expectPageIn(page: Page, lang: 'es' | 'en', heading: string) {
  expect(await page.getAttribute('html', 'lang')).toBe(lang);
  expect((await page.locator('h1').innerText()).trim()).toBe(heading);
}

describe('email links open pages in the email’s language', () => {
  for (const [lang, browserLocale] of [['es', 'en-GB'], ['en', 'es-ES']] as const) {
    test(`a ${lang} subscriber's links, opened in a browser that asks for ${browserLocale}`, async () => {
      const s = t(lang);
      const email = `links-${lang}-${randomUUID().slice(0, 8)}@example.org`;
      const context = await newContext(site, 1280, browserLocale);
      const page = await context.newPage();
      // The browser does prefer the other language: a bare path sends it there.
      await page.goto('/');
      expect(new URL(page.url()).pathname).toBe(lang === 'es' ? '/en/' : '/es/');

      // Confirmation email → its link carries the language → the confirm page and its answer are in it.
      const subscribed = await site.runtime.http.request('/api/subscriptions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, countries: [], topics: [], language: lang, frequency: 'instant' }),
      });
      expect(subscribed.status).toBe(202);
      const [confirmation] = await waitForEmails(email, 1);
      const confirmLink = linksIn(confirmation!.body.html ?? '').find((l) => l.includes('/confirm/'))!;
      expect(new URL(confirmLink).search).toBe(`?lang=${lang}`);
      expect(confirmation!.body.text).toContain(confirmLink);
      await page.goto(confirmLink);
      await expectPageIn(page, lang, s.confirmTitle);
      await checkPage(page, `email-confirm-${lang}`);
      await page.getByRole('button', { name: s.confirmButton }).click();
      await page.waitForLoadState();
      await expectPageIn(page, lang, s.confirmedTitle);
      expect(await statusOf(email)).toBe('confirmed');

      // A newsletter: every personal link and the List-Unsubscribe header carry the language.
      const tag = randomUUID().slice(0, 6);
      const subject = { es: `Noticias ${tag}`, en: `News ${tag}` };
      const items = (await (await site.runtime.http.request('/api/items?limit=2')).json()) as { items: Array<{ id: string }> };
      const created = await api('POST', '/api/editions', { subject: subject.en, translations: { es: { subject: subject.es }, en: { subject: subject.en } }, itemIds: items.items.map((i) => i.id) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect((await api('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
      const newsletter = (await waitForEmails(email, 2, 30_000)).find((m) => m.subject === subject[lang]);
      expect(newsletter, `the ${lang} newsletter`).toBeDefined();
      const links = linksIn(newsletter!.body.html ?? '');
      const personal = {
        preferences: links.find((l) => l.includes('/preferences/'))!,
        view: links.find((l) => l.includes('/view/'))!,
        unsubscribe: links.find((l) => l.includes('/u/'))!,
      };
      const header = newsletter!.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '';
      const oneClick = /<(https?:[^>]+)>/.exec(header)?.[1];
      for (const [name, link] of Object.entries({ ...personal, oneClick })) {
        expect(link, name).toBeDefined();
        expect(new URL(link!).searchParams.get('lang'), name).toBe(lang);
      }

      await page.goto(personal.preferences);
      await expectPageIn(page, lang, s.prefsTitle);
      await checkPage(page, `email-preferences-${lang}`);

      await page.goto(personal.view);
      await expectPageIn(page, lang, subject[lang]);
      await checkPage(page, `email-view-${lang}`);

      // The body's unsubscribe link: a page with a button, in the email's language; it changes nothing.
      await page.goto(personal.unsubscribe);
      await expectPageIn(page, lang, s.leaveTitle);
      await checkPage(page, `email-unsubscribe-${lang}`);
      expect(await statusOf(email)).toBe('confirmed');

      // The header's one-click POST (RFC 8058) to the URL as given, query and all: unsubscribed, answered in the
      // email's language whatever the client asks for.
      const res = await fetch(oneClick!, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': browserLocale },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
      const answer = await res.text();
      expect(answer).toContain(`<html lang="${lang}">`);
      expect(answer).toContain(s.unsubscribedTitle);
      expect(await statusOf(email)).toBe('unsubscribed');
      await context.close();
    });
  }
});
