// Public pages in a real browser (Debian's Chromium through playwright-core): both languages, axe-core on every page,
// screenshots at 375 px and 1280 px, feed autodiscovery, the subscribe → confirm → preferences flow through the form
// and the SES local inbox, and the preference centre's unsubscribe with its undo, export and erase.
import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { editorHeaders } from '../support/runtime.js';
import { checkPage, inbox, linksIn, newContext, waitForEmails, type Site, useSite } from './browser.js';

let site: Site;
useSite((started) => (site = started));

const address = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;

describe('public pages', () => {
  test('/ redirects by Accept-Language (Spanish by default), bare archive and item paths follow the same rule, an oversize form is refused', async () => {
    const plain = await fetch(`${site.baseUrl}/`, { redirect: 'manual' });
    expect(plain.status).toBe(302);
    expect(plain.headers.get('location')).toBe('/es/');
    const english = await fetch(`${site.baseUrl}/`, { redirect: 'manual', headers: { 'accept-language': 'en-GB,en;q=0.9,es;q=0.5' } });
    expect(english.headers.get('location')).toBe('/en/');
    const spanishFirst = await fetch(`${site.baseUrl}/archive/abc`, { redirect: 'manual', headers: { 'accept-language': 'fr, es;q=0.8, en;q=0.5' } });
    expect(spanishFirst.headers.get('location')).toBe('/es/archive/abc');
    const huge = await fetch(`${site.baseUrl}/en/subscribe`, { method: 'POST', body: new URLSearchParams({ email: 'a@example.org', website: 'x'.repeat(100_000) }) });
    expect(huge.status).toBe(413);
    const refusal = await huge.text();
    expect(refusal).toContain('<h1>Too large</h1>');
    expect(refusal).toContain('Go back to the page, shorten what you wrote and send it again.');
    const missing = await fetch(`${site.baseUrl}/en/no-such-page`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('Page not found');
  });

  for (const lang of ['es', 'en'] as const) {
    test(`home, archive, item and not-found pages in ${lang}: accessible, autodiscovery links, canonical link`, async () => {
      const context = await newContext(site);
      const page = await context.newPage();
      await page.goto(`/${lang}/`);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      await expect(page.locator('h1').textContent()).resolves.toBe(lang === 'es' ? 'Recibe las noticias de la Alianza del Pacífico' : 'Get the Pacific Alliance news');
      const feeds = await page.locator('link[rel="alternate"][type="application/rss+xml"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('href')));
      expect(feeds).toContain('/feeds/all.rss');
      // Titled in the page's language.
      const siteName = lang === 'es' ? 'Noticias de la Alianza del Pacífico' : 'Pacific Alliance News';
      const feedTitles = () => page.locator('link[rel="alternate"][type^="application/"]').evaluateAll((ls) => ls.map((l) => l.getAttribute('title') ?? ''));
      expect(await feedTitles()).toEqual([`${siteName} (RSS)`, `${siteName} (Atom)`, `${siteName} (JSON Feed)`]);
      expect(await page.locator('link[rel="alternate"][type="application/atom+xml"]').count()).toBeGreaterThan(0);
      expect(await page.locator('link[rel="alternate"][type="application/feed+json"]').count()).toBeGreaterThan(0);
      // Every country and topic of the taxonomy is offered, labelled in the page's language.
      expect(await page.locator('input[name="countries"]').count()).toBe(4);
      expect(await page.locator('input[name="topics"]').count()).toBe(10);
      await expect(page.getByLabel(lang === 'es' ? 'México' : 'Mexico').count()).resolves.toBe(1);
      await checkPage(page, `home-${lang}`);

      await page.getByRole('link', { name: lang === 'es' ? 'Archivo' : 'Archive' }).first().click();
      await page.waitForURL(`**/${lang}/archive`);
      await checkPage(page, `archive-${lang}`);

      await page.goto(`/${lang}/`);
      const firstItem = page.locator('#latest ~ ul a, ul.cards h3 a').first();
      const title = await firstItem.textContent();
      await firstItem.click();
      await page.waitForURL(`**/${lang}/items/**`);
      expect(await page.locator('h1').textContent()).toBe(title);
      const canonical = await page.getAttribute('link[rel="canonical"]', 'href');
      expect(canonical).toMatch(/^https:\/\/alianzapacifico\.net\//);
      expect(await page.getAttribute(`a[href="${canonical}"]`, 'href')).toBe(canonical);
      // The item's country or topic feeds (when it has one), then all news: every title in the page's language.
      const itemFeedTitles = await feedTitles();
      expect(itemFeedTitles.length).toBeGreaterThanOrEqual(3);
      for (const feedTitle of itemFeedTitles) expect(feedTitle).toMatch(new RegExp(`^${siteName}(: .+)? \\((RSS|Atom|JSON Feed)\\)$`));
      await checkPage(page, `item-${lang}`);

      // The language switch leads to the same page in the other language.
      const other = lang === 'es' ? 'en' : 'es';
      await page.locator(`header a[hreflang="${other}"]`).click();
      await page.waitForURL(`**/${other}/items/**`);
      expect(await page.getAttribute('html', 'lang')).toBe(other);

      await page.goto('/feeds');
      expect(await page.locator('link[rel="alternate"]').count()).toBeGreaterThan(3);
      await checkPage(page, 'feeds');

      // The feeds directory in the site's language, reached from the navigation: every address ready to copy.
      await page.goto(`/${lang}/`);
      await page.locator(`nav a[href="/${lang}/feeds"]`).click();
      await page.waitForURL(`**/${lang}/feeds`);
      // Its head offers each country's and topic's feed, named in the page's language.
      expect(await feedTitles()).toEqual(expect.arrayContaining([`${siteName}: ${lang === 'es' ? 'Perú' : 'Peru'} (RSS)`, `${siteName}: ${lang === 'es' ? 'México' : 'Mexico'} (RSS)`]));
      expect(await page.locator('h1').innerText()).toBe(lang === 'es' ? 'Fuentes RSS, Atom y JSON Feed' : 'RSS, Atom and JSON Feed');
      const addresses = await page.locator('.feed-urls code').allInnerTexts();
      expect(addresses).toContain(`${site.baseUrl}/feeds/countries/pe.atom`);
      expect(addresses).toContain(`${site.baseUrl}/feeds/countries/mx/topics/trade-investment.json`);
      expect(addresses).toHaveLength(3 * (1 + 4 + 10 + 40));
      expect(await page.locator('a[href="/feeds/index.opml"]').count()).toBe(1);
      await checkPage(page, `feeds-directory-${lang}`);

      await page.goto(`/${lang}/no-such-page`);
      await checkPage(page, `not-found-${lang}`);
      await context.close();
    });
  }

  test('a visitor subscribes with the form, confirms from the email, and changes preferences; the answer never tells whether the address was known', async () => {
    const email = address('visitor');
    const context = await newContext(site);
    const page = await context.newPage();
    await page.goto('/en/');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Chile').check();
    await page.getByLabel('Trade and investment promotion').check();
    await page.getByLabel('English', { exact: true }).check();
    await page.getByLabel('Every edition, as it comes out').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL('**/en/check-inbox');
    const answer = await page.locator('main').innerText();
    expect(answer).toContain('If this address can receive our news');
    await checkPage(page, 'check-inbox-en');

    const [confirmation] = await waitForEmails(email, 1);
    expect(confirmation, 'the confirmation email arrived in the SES local inbox').toBeDefined();
    const confirmLink = linksIn(confirmation!.body.html ?? '').find((l) => l.includes('/confirm/')) ?? (confirmation!.body.text ?? '').match(/https?:\/\/\S+\/confirm\/\S+/)?.[0];
    expect(confirmLink).toBeDefined();
    expect(confirmLink!.startsWith(site.baseUrl)).toBe(true);

    // The same address again: the same answer, and no second account.
    await page.goto('/en/');
    await page.getByLabel('Email address').fill(email.toUpperCase());
    await page.getByLabel('Chile').check();
    await page.getByLabel('Trade and investment promotion').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL('**/en/check-inbox');
    expect(await page.locator('main').innerText()).toBe(answer);

    // A bot that fills the honeypot gets the same answer and no email.
    const bot = address('bot');
    await page.goto('/en/');
    await page.getByLabel('Email address').fill(bot);
    await page.locator('#website').fill('https://spam.example', { force: true });
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL('**/en/check-inbox');
    expect(await page.locator('main').innerText()).toBe(answer);
    expect(await inbox(bot)).toHaveLength(0);

    // The confirmation link's GET changes nothing; its button confirms.
    await page.goto(confirmLink!);
    await checkPage(page, 'confirm');
    const before = await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders });
    expect(((await before.json()) as { status: string }).status).toBe('pending');
    await page.getByRole('button').click();
    await page.waitForLoadState();
    const prefsLink = page.locator('a[href*="/preferences/"]');
    await expect(prefsLink.count()).resolves.toBe(1);
    await prefsLink.click();
    await page.waitForURL('**/preferences/**');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('main').innerText()).toContain(email);
    expect(await page.getByLabel('Chile').isChecked()).toBe(true);
    await checkPage(page, 'preferences-en');

    await page.getByLabel('Peru').check();
    await page.getByLabel('Climate and environment').check();
    await page.getByLabel('Weekly digest').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role="status"]').first().innerText()).toContain('Preferences saved.');
    const after = (await (await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders })).json()) as {
      status: string;
      countries: string[];
      topics: string[];
      frequency: string;
    };
    expect(after.status).toBe('confirmed');
    expect([...after.countries].sort()).toEqual(['cl', 'pe']);
    expect([...after.topics].sort()).toEqual(['climate-environment', 'trade-investment']);
    expect(after.frequency).toBe('weekly');

    // The same page in Spanish.
    await page.goto(`${page.url().split('?')[0]}?lang=es`);
    expect(await page.locator('h1').textContent()).toBe('Tus preferencias');
    await checkPage(page, 'preferences-es');
    await context.close();
  });

  test('the preference centre pauses, unsubscribes with an undo, exports and erases', async () => {
    const email = address('leaver');
    const context = await newContext(site);
    const page = await context.newPage();
    await page.goto('/es/');
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByRole('button', { name: 'Suscribirme' }).click();
    await page.waitForURL('**/es/check-inbox');
    await checkPage(page, 'check-inbox-es');
    const [confirmation] = await waitForEmails(email, 1);
    const confirmLink = linksIn(confirmation!.body.html ?? '').find((l) => l.includes('/confirm/'))!;
    await page.goto(confirmLink);
    await page.getByRole('button').click();
    await page.waitForLoadState();
    await page.locator('a[href*="/preferences/"]').click();
    await page.waitForURL('**/preferences/**');
    expect(await page.getAttribute('html', 'lang')).toBe('es');

    await page.getByRole('button', { name: 'Pausar los correos' }).click();
    await page.waitForLoadState();
    expect(await page.locator('main').innerText()).toContain('Tus correos están en pausa.');
    await page.getByRole('button', { name: 'Reanudar los correos' }).click();
    await page.waitForLoadState();

    const exportHref = await page.getAttribute('a[download]', 'href');
    const exported = (await (await fetch(`${site.baseUrl}${exportHref}`)).json()) as { email: string; consent: unknown };
    expect(exported.email).toBe(email);
    expect(exported.consent).toBeDefined();

    await page.getByRole('button', { name: 'Darme de baja de todo' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Te has dado de baja');
    await checkPage(page, 'unsubscribed-es');
    const left = (await (await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders })).json()) as { status: string };
    expect(left.status).toBe('unsubscribed');

    await page.getByRole('button', { name: 'Deshacer y volver a suscribirme' }).click();
    await page.waitForLoadState();
    expect(await page.locator('main').innerText()).toContain('Has vuelto.');
    const back = (await (await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders })).json()) as { status: string };
    expect(back.status).toBe('confirmed');

    // Erase needs the box ticked (the browser refuses an unticked required box; the server does too).
    await page.getByLabel('Entiendo que esto no se puede deshacer').check();
    await page.getByRole('button', { name: 'Borrar mis datos' }).click();
    await page.waitForLoadState();
    expect(await page.locator('h1').textContent()).toBe('Datos borrados');
    const gone = await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders });
    expect(gone.status).toBe(404);
    await context.close();
  });

  test('the archive lists sent editions newest first per language, and shows each as a web page (the "view in browser" target)', async () => {
    const list = (await (await site.runtime.http.request('/api/items?limit=6')).json()) as { items: Array<{ id: string; title: string }> };
    const ids = list.items.map((i) => i.id);
    const create = async (subject: string, itemIds: string[], audience?: unknown) => {
      const res = await site.runtime.http.request('/api/editions', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ subject, itemIds, ...(audience ? { audience } : {}) }) });
      expect(res.status).toBe(201);
      return ((await res.json()) as { id: string }).id;
    };
    // The send pipeline is tested on its own (tests/integration); here the editions are moved to "sent" directly,
    // as the pipeline's last step does, so the archive can be checked whatever state the pipeline is in.
    const { editions } = site.runtime.app.repos;
    const markSent = async (id: string, itemIds: string[], at: string) => {
      expect(await editions.transition(id, ['draft'], 'sending', { sendStartedAt: at, resolvedItemIds: itemIds })).toBeDefined();
      expect(await editions.transition(id, ['sending'], 'sent', { completedAt: at })).toBeDefined();
    };
    const older = await create('Archive test: older, everyone', ids.slice(0, 2));
    await markSent(older, ids.slice(0, 2), '2026-01-05T10:00:00.000Z');
    const newer = await create('Archive test: newer, Spanish only', ids.slice(2, 5), { languages: ['es'] });
    await markSent(newer, ids.slice(2, 5), '2026-01-12T10:00:00.000Z');
    const draft = await create('Archive test: a draft', ids.slice(0, 1));

    const context = await newContext(site);
    const page = await context.newPage();
    await page.goto('/es/archive');
    const spanish = await page.locator('ul.cards h2').allInnerTexts();
    expect(spanish.indexOf('Archive test: newer, Spanish only')).toBeLessThan(spanish.indexOf('Archive test: older, everyone'));
    expect(spanish.indexOf('Archive test: newer, Spanish only')).toBeGreaterThanOrEqual(0);
    expect(spanish).not.toContain('Archive test: a draft');
    await page.goto('/en/archive');
    const english = await page.locator('ul.cards h2').allInnerTexts();
    expect(english).toContain('Archive test: older, everyone');
    expect(english).not.toContain('Archive test: newer, Spanish only');
    await checkPage(page, 'archive-with-editions-en');

    await page.getByRole('link', { name: 'Archive test: older, everyone' }).click();
    await page.waitForURL(`**/en/archive/${older}`);
    expect(await page.locator('h1').innerText()).toBe('Archive test: older, everyone');
    expect(await page.locator('ul.cards h2').allInnerTexts()).toEqual(list.items.slice(0, 2).map((i) => i.title));
    await checkPage(page, 'archive-edition-en');

    // The link in the email has no language: it follows the reader's browser.
    const viaEmail = await fetch(`${site.baseUrl}/archive/${older}`, { redirect: 'manual', headers: { 'accept-language': 'es-CL' } });
    expect(viaEmail.headers.get('location')).toBe(`/es/archive/${older}`);
    const unpublished = await fetch(`${site.baseUrl}/en/archive/${draft}`);
    expect(unpublished.status).toBe(404);
    await context.close();
  });

  test('keyboard: the first Tab reaches the skip link, which jumps to the content; the form is in reading order and the honeypot is never reached', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await page.goto('/en/');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.keyboard.press('Enter');
    const order: string[] = [];
    for (let i = 0; i < 24; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || ''));
    }
    expect(order[0]).toBe('email');
    expect(order.slice(1, 5)).toEqual(['country-cl', 'country-co', 'country-mx', 'country-pe']);
    expect(order[5]).toBe('topic-climate-environment');
    expect(order).not.toContain('website');
    const at = (id: string) => order.indexOf(id);
    expect(at('lang-en')).toBeGreaterThan(at('topic-tourism-culture'));
    expect(at('freq-instant')).toBeGreaterThan(at('lang-en'));
    expect(at('button')).toBeGreaterThan(at('freq-instant'));
    await context.close();
  });
});
