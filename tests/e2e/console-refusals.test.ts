// The console's refusals before any page, in a real browser and in both languages: a form too large (413), a form
// whose session changed meanwhile and a post from another site (403), a session that ended or is missing (401). Each
// is a page of the site layout in the console's language with a way forward; the 401 one leads to the sign-in page
// and back to where the editor was. axe-core and screenshots at 375 and 1280 px.
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { testEditorToken } from '../support/runtime.js';
import { checkPage, newContext, signIn, useSite, type Site } from './browser.js';

let site: Site;
useSite((started) => (site = started));

type Lang = 'es' | 'en';

const words = {
  es: {
    siteName: 'Noticias de la Alianza del Pacífico',
    title: 'No se pudo completar',
    tooLarge: 'El formulario es demasiado grande. Vuelve atrás, acorta el texto y envíalo de nuevo.',
    importTooLarge: 'La importación es demasiado grande: envía como máximo 5000 filas (2 MB) cada vez. Divide el archivo y vuelve a intentarlo.',
    expired: 'El formulario caducó. Vuelve a la página, recárgala y envíalo de nuevo.',
    crossSite: 'Rechazamos este envío porque llegó desde otro sitio. Abre la consola directamente y vuelve a intentarlo.',
    signedOut: 'Tu sesión terminó. Entra de nuevo y repite lo que estabas haciendo.',
    back: 'Volver a la consola',
    signIn: 'Entrar',
    signInTitle: 'Entrar a la consola',
    tokenLabel: 'Clave de edición',
    devHint: 'Entrada de desarrollo: este servidor no tiene cuentas de edición, así que pide la clave que mostró npm start al arrancar (EDITOR_TOKEN).',
    badToken: 'Esa clave no es válida.',
    save: 'Guardar',
    pollAll: 'Leer todas las fuentes ahora',
    signOut: 'Salir',
  },
  en: {
    siteName: 'Pacific Alliance News',
    title: 'Could not complete',
    tooLarge: 'The form is too large. Go back, shorten the text and send it again.',
    importTooLarge: 'The import is too large: send at most 5000 rows (2 MB) at a time. Split the file and try again.',
    expired: 'The form expired. Go back to the page, reload it and send it again.',
    crossSite: 'This request came from another site, so it was refused. Open the console directly and try again.',
    signedOut: 'Your session ended. Sign in again and repeat what you were doing.',
    back: 'Back to the console',
    signIn: 'Sign in',
    signInTitle: 'Sign in to the console',
    tokenLabel: 'Editor token',
    devHint: 'Development sign-in: this server has no editor accounts, so it asks for the token npm start printed when it started (EDITOR_TOKEN).',
    badToken: 'That token is not valid.',
    save: 'Save',
    pollAll: 'Ingest all sources now',
    signOut: 'Sign out',
  },
} as const;

/** The answer the next navigation gets, while `act` triggers it. */
async function answerTo(page: Page, act: () => Promise<void>): Promise<Response> {
  const [response] = await Promise.all([page.waitForNavigation(), act()]);
  return response!;
}

/** A refusal page: its status, the site layout in the page's language, what happened, and one link onward. */
async function expectRefusal(page: Page, response: Response, lang: Lang, expected: { status: number; body: string; link: string; href: string | RegExp }, shot: string) {
  const w = words[lang];
  expect(response.status()).toBe(expected.status);
  expect(response.headers()['content-type']).toContain('text/html');
  expect(response.headers()['cache-control']).toBe('no-store');
  expect(await page.locator('html').getAttribute('lang')).toBe(lang);
  expect(await page.locator('header.site .brand').innerText()).toBe(w.siteName);
  expect(await page.locator('link[rel="stylesheet"]').count()).toBe(1);
  expect(await page.locator('main h1').innerText()).toBe(w.title);
  expect(await page.locator('main [role="alert"]').innerText()).toBe(expected.body);
  const link = page.locator('main p a');
  expect(await link.innerText()).toBe(expected.link);
  const href = (await link.getAttribute('href'))!;
  if (typeof expected.href === 'string') expect(href).toBe(expected.href);
  else expect(href).toMatch(expected.href);
  await checkPage(page, shot);
}

const openCard = async (page: Page, id: string) => {
  const card = page.locator(`#${id}`);
  await card.locator('summary').click();
  return card;
};

describe.each(['es', 'en'] as const)('console refusals in %s', (lang) => {
  const w = words[lang];

  test('a form too large (413) and an import too large, each with the way back', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, lang);
    await page.goto(`/${lang}/editor/taxonomy`);
    const card = await openCard(page, 'topic-trade-investment');
    // Over the console's 64 KB for a form (the field itself has no limit of its own).
    await card.locator('textarea[name="keywordsEn"]').fill(`trade, ${'x'.repeat(70 * 1024)}`);
    const response = await answerTo(page, () => card.getByRole('button', { name: w.save, exact: true }).click());
    await expectRefusal(page, response, lang, { status: 413, body: w.tooLarge, link: w.back, href: `/${lang}/editor` }, `editor-refusal-too-large-${lang}`);
    await page.locator('main p a').click();
    await page.waitForURL(`**/${lang}/editor/items`);

    // An import over 2 MB.
    await page.goto(`/${lang}/editor/subscribers`);
    const rows = 'email,countries,topics,language,frequency\n' + 'someone@example.org,pe,,es,instant\n'.repeat(62_000);
    await page.locator('input[type="file"]').setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(rows) });
    const importButton = page.locator('form[action$="/subscribers/import"] button[type="submit"]');
    const imported = await answerTo(page, () => importButton.click());
    await expectRefusal(page, imported, lang, { status: 413, body: w.importTooLarge, link: w.back, href: `/${lang}/editor` }, `editor-refusal-import-too-large-${lang}`);
    await context.close();
  }, 120_000);

  test('a form from before the session changed, and a post from another site (403)', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, lang);
    await page.goto(`/${lang}/editor/sources`);
    // Meanwhile, in another tab, the editor signs out and in again: the open form's token belongs to the old session.
    const other = await context.newPage();
    await other.goto(`/${lang}/editor/items`);
    await other.getByRole('button', { name: w.signOut }).click();
    await other.waitForURL(`**/${lang}/editor/sign-in**`);
    await signInHere(other, lang);
    await other.close();
    const expired = await answerTo(page, () => page.getByRole('button', { name: w.pollAll }).click());
    await expectRefusal(page, expired, lang, { status: 403, body: w.expired, link: w.back, href: `/${lang}/editor` }, `editor-refusal-form-expired-${lang}`);

    // A post from another origin: the browser's own post, sent on with another site's Origin (and without the
    // Sec-Fetch-* headers, as older browsers send it); the server's answer is shown as the browser gets it.
    await page.goto(`/${lang}/editor/sources`);
    await page.route('**/editor/sources/poll-all', async (route) => {
      const headers = Object.fromEntries(Object.entries(route.request().headers()).filter(([name]) => !name.startsWith('sec-fetch-')));
      await route.fulfill({ response: await route.fetch({ headers: { ...headers, origin: 'https://elsewhere.example' }, maxRedirects: 0 }) });
    });
    const cross = await answerTo(page, () => page.getByRole('button', { name: w.pollAll }).click());
    await expectRefusal(page, cross, lang, { status: 403, body: w.crossSite, link: w.back, href: `/${lang}/editor` }, `editor-refusal-cross-site-${lang}`);
    await page.unroute('**/editor/sources/poll-all');

    // A browser that says the post is cross-site (Sec-Fetch-Site) is refused the same way, whatever its Origin.
    const res = await fetch(`${site.baseUrl}/${lang}/editor/sources/poll-all`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: await sessionCookie(context), 'sec-fetch-site': 'same-site', origin: site.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=x',
    });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(`<html lang="${lang}">`);
    expect(html).toContain(w.crossSite);
    await context.close();
  }, 120_000);

  test('a session that ended, or none at all (401): the way forward is the sign-in page, then back to the page', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, lang);
    await page.goto(`/${lang}/editor/taxonomy`);
    // The session ends on the server (signed out elsewhere); this tab still holds its cookie and an open form.
    const cookie = await sessionCookie(context);
    const csrf = (await page.locator('input[name="csrf"]').first().inputValue())!;
    const out = await fetch(`${site.baseUrl}/${lang}/editor/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: site.baseUrl, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(out.status).toBe(303);
    const card = await openCard(page, 'topic-trade-investment');
    await card.locator('textarea[name="keywordsEn"]').fill('trade, exports');
    const ended = await answerTo(page, () => card.getByRole('button', { name: w.save, exact: true }).click());
    const signInHref = `/${lang}/editor/sign-in?next=${encodeURIComponent(`/${lang}/editor/taxonomy`)}`;
    await expectRefusal(page, ended, lang, { status: 401, body: w.signedOut, link: w.signIn, href: signInHref }, `editor-refusal-session-ended-${lang}`);

    // The link leads to the sign-in page in the same language: without editor accounts (locally) it is the development
    // sign-in and says so, the one place the console names the token. A wrong one is refused there, in its language.
    await page.locator('main p a').click();
    await page.waitForURL(`**/${lang}/editor/sign-in?next=**`);
    expect(await page.locator('h1').innerText()).toBe(w.signInTitle);
    expect(await page.locator('#token-hint').innerText()).toBe(w.devHint);
    expect(await page.locator('main').innerText()).not.toMatch(/cognito|oauth|jwt|csrf|session/i);
    await checkPage(page, `editor-sign-in-after-refusal-${lang}`);
    await page.getByLabel(w.tokenLabel).fill('not-the-editor-token-at-all');
    const wrong = await answerTo(page, () => page.getByRole('button', { name: w.signIn, exact: true }).click());
    expect(wrong.status()).toBe(401);
    expect(await page.locator('[role="alert"]').innerText()).toBe(w.badToken);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    await checkPage(page, `editor-sign-in-wrong-token-${lang}`);
    await signInHere(page, lang);
    await page.waitForURL(`**/${lang}/editor/taxonomy`);

    // No cookie at all: the same refusal.
    await context.clearCookies();
    await page.goto(`/${lang}/editor/taxonomy`);
    await page.waitForURL(`**/${lang}/editor/sign-in?next=**`);
    const res = await fetch(`${site.baseUrl}/${lang}/editor/sources/poll-all`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ csrf: 'x' }) });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain(`<html lang="${lang}">`);
    expect(html).toContain(w.signedOut);
    expect(html).toContain(`href="/${lang}/editor/sign-in?next=${encodeURIComponent(`/${lang}/editor/sources`)}"`);
    await context.close();
  }, 120_000);
});

/** Signs in on the sign-in page the browser is on. */
async function signInHere(page: Page, lang: Lang) {
  await page.getByLabel(words[lang].tokenLabel).fill(testEditorToken);
  await page.getByRole('button', { name: words[lang].signIn, exact: true }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

async function sessionCookie(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'editor_session')!;
  return `${cookie.name}=${cookie.value}`;
}
