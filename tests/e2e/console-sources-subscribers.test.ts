// The console's Sources and Subscribers screens in a real browser, in English and Spanish: a test fetch before adding
// a source, add, edit, pause, resume and remove it; subscribers imported from a file with a report of rows taken and
// refused, found by part of an address, exported as CSV, and a suppression shown with its reason and lifted. Neither
// page is wider than a 375 px phone. axe-core and screenshots at 375 and 1280 px.
import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { editorHeaders } from '../support/runtime.js';
import { checkPage, linksIn, newContext, signIn, useSite, waitForEmails, type Site } from './browser.js';

let site: Site;
useSite((started) => (site = started));

/** Nothing on the page is wider than a phone: no sideways scrolling at 375 px. */
async function fitsPhone(page: Page) {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 812 });
  // The widest elements name the culprit when it fails; a table may scroll inside its own region.
  const wide = await page.evaluate(() =>
    Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > 376 && !e.parentElement?.closest('.table-wrap'))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`),
  );
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.setViewportSize(before);
  expect(wide).toEqual([]);
  expect(scrollWidth).toBeLessThanOrEqual(375);
}

const flash = (page: Page) => page.locator('[role="status"]').first().innerText();

describe('console sources', () => {
  test('test fetch, add, edit, pause, resume and remove a source, in English', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'en');
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.waitForURL('**/en/editor/sources');
    const feed = `${site.baseUrl}/feeds/all.rss`;

    // A test fetch of a URL not yet added stores nothing and lists what would be ingested.
    await page.getByLabel('Feed address (RSS, Atom or JSON Feed)').fill(feed);
    await page.getByLabel('Name (optional)').fill('Our own feed');
    await page.getByRole('button', { name: 'Test fetch', exact: true }).click();
    await page.waitForURL('**/en/editor/sources/try');
    expect(await page.locator('[data-trial] [role="status"]').innerText()).toMatch(/^\d+ items would be ingested/);
    expect(await page.locator('[data-trial] li').count()).toBeGreaterThan(0);
    expect(await page.locator('tbody tr').count()).toBe(0);
    expect(await page.getByLabel('Feed address (RSS, Atom or JSON Feed)').inputValue()).toBe(feed);

    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.waitForURL('**/en/editor/sources?ok=1&did=sourceAdded');
    expect(await flash(page)).toContain('Source added.');
    const row = page.locator('tbody tr');
    expect(await row.count()).toBe(1);
    expect(await row.locator('.pill').innerText()).toBe('active');
    expect(await page.locator('#counts-legend').innerText()).toBe('Counts of the last poll: + new · ~ updated · = unchanged · ✕ rejected.');

    // Edit its name and default tags.
    await row.getByLabel('Edit: Our own feed').click();
    await row.getByLabel('Name (optional)').fill('Whole bloc feed');
    await row.getByLabel('Chile').check();
    await row.getByRole('button', { name: 'Save source' }).click();
    await page.waitForURL('**did=sourceSaved');
    expect(await flash(page)).toBe('Source saved.');
    const id = (await row.getAttribute('data-source-id'))!;
    const stored = (await (await site.runtime.http.request('/api/sources', { headers: editorHeaders })).json()) as { sources: Array<{ id: string; name: string; defaultCountries: string[] }> };
    expect(stored.sources.find((s) => s.id === id)).toMatchObject({ name: 'Whole bloc feed', defaultCountries: ['cl'] });

    // Pause and resume.
    await page.getByRole('button', { name: 'Pause: Whole bloc feed' }).click();
    await page.waitForURL('**did=sourcePaused');
    expect(await row.locator('.pill').innerText()).toBe('paused');
    await page.getByRole('button', { name: 'Test fetch: Whole bloc feed' }).click();
    expect(await page.locator('[data-trial] h2').innerText()).toBe('Test fetch: Whole bloc feed');
    await page.getByRole('button', { name: 'Poll now: Whole bloc feed' }).click();
    await page.waitForURL('**/en/editor/sources?ok=1&did=polled&**');
    expect(await page.locator('[role="status"]').first().innerText()).toMatch(/^Polled “Whole bloc feed”: \d+ new items?, \d+ updated\.$/);
    expect(await row.locator('td').nth(1).innerText()).toMatch(/^\+\d+ · ~\d+ · =\d+ · ✕\d+$/);
    await fitsPhone(page);
    await checkPage(page, 'editor-sources-manage-en');
    await page.getByRole('button', { name: 'Resume: Whole bloc feed' }).click();
    await page.waitForURL('**did=sourceResumed');
    expect(await row.locator('.pill').innerText()).toBe('active');

    // Remove it: its items stay.
    await row.getByLabel('Edit: Whole bloc feed').click();
    await page.getByRole('button', { name: 'Remove: Whole bloc feed' }).click();
    await page.waitForURL('**did=sourceRemoved');
    expect(await flash(page)).toBe('Source removed. Its items stay published.');
    expect(await page.locator('tbody tr').count()).toBe(0);
    await context.close();
  });

  test('a bad address is refused with a message, and the page has a legend, in Spanish', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.goto('/es/editor/sources');
    expect(await page.locator('main').innerText()).toContain('No hay fuentes todavía');
    await page.getByLabel('Dirección del canal (RSS, Atom o JSON Feed)').fill(`${site.baseUrl}/feeds/all.atom`);
    await page.getByRole('button', { name: 'Añadir', exact: true }).click();
    await page.waitForURL('**did=sourceAdded');
    expect(await flash(page)).toContain('Fuente añadida.');
    expect(await page.locator('#counts-legend').innerText()).toContain('+ nuevas · ~ actualizadas · = sin cambios · ✕ rechazadas');
    await page.getByRole('button', { name: /^Probar la lectura: / }).click();
    expect(await page.locator('[data-trial] [role="status"]').innerText()).toMatch(/^Se importarían \d+ noticias/);
    await fitsPhone(page);
    await page.locator('[data-trial]').evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-sources-es');
    await context.close();
  });

  test('a form that fails its schema names the field and what to do, in Spanish and English', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    const alert = () => page.locator('[role="alert"]').first().innerText();
    await signIn(page, 'es');
    for (const lang of ['es', 'en'] as const) {
      await page.goto(`/${lang}/editor/sources`);
      // The browser takes ftp:// as a URL; the schema wants http(s).
      await page.locator('#new-url').fill('ftp://example.org/feed');
      await page.getByRole('button', { name: lang === 'es' ? 'Añadir' : 'Add', exact: true }).click();
      await page.waitForURL(`**/${lang}/editor/sources`);
      expect(await alert()).toBe(
        lang === 'es'
          ? 'Dirección del canal: «ftp://example.org/feed» no es una dirección http(s); escríbela completa, empezando por https://.'
          : 'Feed address: “ftp://example.org/feed” is not an http(s) address; write it in full, starting with https://.',
      );
      // What was typed stays in the form.
      expect(await page.locator('#new-url').inputValue()).toBe('ftp://example.org/feed');
      await fitsPhone(page);
      await checkPage(page, `editor-sources-invalid-${lang}`);
    }

    // A test send to an address with a typo, on an edition in Spanish.
    const created = await site.runtime.http.request('/api/editions', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ subject: 'Prueba con errata' }) });
    const { id } = (await created.json()) as { id: string };
    await page.goto(`/es/editor/editions/${id}`);
    await page.getByLabel('Direcciones (separadas por comas)').fill('ana@example.org, bruno@');
    await page.getByRole('button', { name: 'Enviar prueba' }).click();
    await page.waitForLoadState();
    expect(await alert()).toBe('Direcciones de prueba: «bruno@» no es una dirección de correo válida; revisa si tiene alguna errata.');
    await fitsPhone(page);
    await checkPage(page, 'editor-test-send-invalid-es');
    await context.close();
  });
});

describe('a source whose poll fails', () => {
  test('shows its state and last error in Spanish on /es/ and in English on /en/, and so does a test fetch', async () => {
    // A publisher's server that fails (500), and one whose feed is cut short (not well-formed XML).
    const publisher = createServer((req, res) => {
      if (req.url === '/down.xml') res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
      else res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<?xml version="1.0"?><rss version="2.0"><channel><title>Cut short</title><item><title>Half');
    });
    const port = await new Promise<number>((ready) => publisher.listen(0, '127.0.0.1', () => ready((publisher.address() as AddressInfo).port)));
    const down = `http://127.0.0.1:${port}/down.xml`;
    const context = await newContext(site);
    const page = await context.newPage();
    try {
      await signIn(page, 'es');
      for (const [name, url] of [['Servidor caído', down], ['Canal cortado', `http://127.0.0.1:${port}/cut.xml`]] as const) {
        await page.goto('/es/editor/sources');
        await page.locator('#new-url').fill(url);
        await page.locator('#new-name').fill(name);
        await page.getByRole('button', { name: 'Añadir', exact: true }).click();
        await page.waitForURL('**did=sourceAdded');
        await page.getByRole('button', { name: `Leer ahora: ${name}` }).click();
        await page.waitForURL('**/es/editor/sources?ok=1&did=pollFailed**');
        expect(await page.locator('[role="alert"]').first().innerText()).toBe(`No se pudo leer «${name}»: el motivo está en su fila. Corrige la dirección o vuelve a intentarlo más tarde.`);
      }
      const row = (name: string) => page.locator('tbody tr', { has: page.locator('th', { hasText: name }) });
      const cell = (name: string, label: string) => row(name).locator(`td[data-label="${label}"]`);

      // In Spanish: the poll's state, and why in Spanish, the server's own words kept apart (marked as English).
      expect(await cell('Servidor caído', 'Última lectura').innerText()).toMatch(/ · error$/);
      expect(await cell('Servidor caído', 'Último error').innerText()).toContain(`El servidor respondió con un error. ${down} answered HTTP 500 Internal Server Error.`);
      expect(await cell('Servidor caído', 'Último error').locator('[lang="en"]').innerText()).toBe(`${down} answered HTTP 500 Internal Server Error.`);
      expect(await cell('Canal cortado', 'Última lectura').innerText()).toMatch(/ · error$/);
      expect(await cell('Canal cortado', 'Último error').innerText()).toContain('El contenido no es un canal bien formado. The feed is truncated');
      expect(await cell('Canal cortado', 'Recuento').innerText()).toBe('+0 · ~0 · =0 · ✕0');
      await fitsPhone(page);
      await row('Servidor caído').scrollIntoViewIfNeeded();
      await checkPage(page, 'editor-sources-poll-failed-es');

      // A test fetch of the failing source says the same in Spanish, storing nothing.
      await page.getByRole('button', { name: 'Probar la lectura: Servidor caído' }).click();
      expect(await page.locator('[data-trial] h2').innerText()).toBe('Probar la lectura: Servidor caído');
      expect(await page.locator('[data-trial] [role="alert"]').innerText()).toBe(`No se pudo leer el canal: El servidor respondió con un error. (${down} answered HTTP 500 Internal Server Error.)`);
      await checkPage(page, 'editor-sources-try-failed-es');

      // In English: the same rows in English.
      await page.goto('/en/editor/sources');
      expect(await cell('Servidor caído', 'Last poll').innerText()).toMatch(/ · error$/);
      expect(await cell('Servidor caído', 'Last error').innerText()).toContain(`${down} answered HTTP 500 Internal Server Error.`);
      expect(await cell('Servidor caído', 'Last error').innerText()).not.toContain('El servidor');
      const cut = 'The feed is truncated or not well-formed XML: it ends with <rss>, <channel>, <item>, <title> still open.';
      expect(await cell('Canal cortado', 'Last error').innerText()).toContain(cut);
      await fitsPhone(page);
      await row('Servidor caído').scrollIntoViewIfNeeded();
      await checkPage(page, 'editor-sources-poll-failed-en');
      await page.getByRole('button', { name: 'Test fetch: Servidor caído' }).click();
      expect(await page.locator('[data-trial] [role="alert"]').innerText()).toBe(`The feed could not be read: ${down} answered HTTP 500 Internal Server Error.`);
      await checkPage(page, 'editor-sources-try-failed-en');

      // Removed again: the other tests of this file see the sources they made.
      for (const name of ['Servidor caído', 'Canal cortado']) {
        await page.goto('/en/editor/sources');
        await row(name).getByLabel(`Edit: ${name}`).click();
        await page.getByRole('button', { name: `Remove: ${name}` }).click();
        await page.waitForURL('**did=sourceRemoved');
      }
    } finally {
      await context.close();
      await new Promise<void>((done) => publisher.close(() => done()));
    }
  }, 120_000);
});

describe('console subscribers', () => {
  test('import a semicolon CSV from a file, with rows taken and refused; search by part of an address; export CSV; lift a suppression, in Spanish', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.goto('/es/editor/subscribers');
    const tag = randomUUID().slice(0, 8);
    const a = `ana-${tag}@example.org`;
    const b = `bruno-${tag}@example.org`;
    const csv = [
      'email;countries;topics;language;frequency;consent_at;consent_wording_version',
      `${a};cl;trade-investment;es;instant;2026-01-02T10:00:00Z;2026-01`,
      `${b};pe,mx;;en;instant;2026-01-02T10:00:00Z;2026-01`,
      `not-an-address;;;es;instant;2026-01-02T10:00:00Z;2026-01`,
      `${a};;;es;instant;2026-01-02T10:00:00Z;2026-01`,
    ].join('\n');
    await page.getByLabel('Archivo CSV').setInputFiles({ name: 'suscriptores.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Importar' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[data-taken] h3').innerText()).toBe('Aceptadas: 2');
    expect(await page.locator('[data-refused] h3').innerText()).toBe('Rechazadas: 2');
    const refused = await page.locator('[data-refused] li').allInnerTexts();
    expect(refused).toEqual([expect.stringMatching(/^1 ya estaban suscritas/), expect.stringMatching(/^Fila 3: /)]);
    await fitsPhone(page);
    await page.locator('[data-import-report]').evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-subscribers-import-es');

    // Part of an address finds both.
    await page.getByLabel('Correo electrónico').fill(tag);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL(`**email=${tag}`);
    expect(await page.locator('[role="status"]').first().innerText()).toBe('2 coincidencias.');
    expect((await page.locator('[data-matches] tbody th').allInnerTexts()).sort()).toEqual([a, b]);
    await fitsPhone(page);
    await page.locator('[data-matches]').evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-subscribers-search-es');
    expect(await page.locator('[data-matches] tbody td').first().innerText()).toMatch(/^activa · (español|inglés)$/);

    // A whole address shows its status, language and frequency in words, not codes.
    await page.getByLabel('Correo electrónico').fill(a);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL('**email=*');
    expect(await page.locator('[data-lookup-summary]').innerText()).toBe('Estado: activa · Idioma: español · Frecuencia: Cada edición, en cuanto sale');
    await fitsPhone(page);
    await checkPage(page, 'editor-subscribers-lookup-es');

    // The export link serves the CSV with the session cookie.
    const href = (await page.getByRole('link', { name: 'Exportar todos (CSV)' }).getAttribute('href'))!;
    const exported = await page.request.get(href);
    expect(exported.headers()['content-type']).toContain('text/csv');
    const text = await exported.text();
    expect(text.split('\r\n')[0]).toMatch(/^email,countries,topics/);
    expect(text).toContain(a);

    // A bounced address shows its reason and date, and is lifted with a reason.
    await site.runtime.app.repos.subscribers.suppress(b, 'bounce', new Date('2026-02-03T04:05:00Z'));
    await page.goto('/es/editor/subscribers');
    const row = page.locator(`tr[data-suppressed="${b}"]`);
    expect(await row.innerText()).toContain('rebote permanente');
    expect(await row.innerText()).toContain('2026');
    await fitsPhone(page);
    await row.evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-subscribers-suppressed-es');
    await row.getByLabel('Por qué (queda registrado)').fill('buzón arreglado, confirmado por teléfono');
    await row.getByRole('button', { name: `Levantar el bloqueo: ${b}` }).click();
    await page.waitForURL('**did=lifted');
    expect(await flash(page)).toContain('Bloqueo levantado.');
    expect(await page.locator(`tr[data-suppressed="${b}"]`).count()).toBe(0);
    await context.close();
  });

  test('the pasted-rows import and an empty one, in English', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'en');
    await page.goto('/en/editor/subscribers');
    await page.getByRole('button', { name: 'Import' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role="alert"]').first().innerText()).toBe('Choose a CSV file or paste the rows.');
    const c = `carla-${randomUUID().slice(0, 8)}@example.org`;
    await page.getByRole('textbox', { name: 'CSV' }).fill(['email,countries,topics,language', `${c},co,,en`].join('\n'));
    await page.getByRole('button', { name: 'Import' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[data-taken] li').allInnerTexts()).toEqual(['1 will get an email to confirm']);
    expect(await page.locator('[data-refused] h3').innerText()).toBe('Refused: 0');
    await fitsPhone(page);
    await page.locator('[data-import-report]').evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-subscribers-import-en');

    await page.locator('#q').fill(c);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL('**email=*');
    expect(await page.locator('[data-lookup-summary]').innerText()).toBe('Status: waiting for confirmation · Language: English · Frequency: Every edition, as it comes out');
    await fitsPhone(page);
    await checkPage(page, 'editor-subscribers-lookup-en');
    await context.close();
  });
});

describe('messages in the reader\'s language', () => {
  test('a second click on a confirmation link is a kind notice with a next step; the pre-flight speaks Spanish', async () => {
    const email = `doble-${randomUUID().slice(0, 8)}@example.org`;
    const context = await newContext(site);
    const page = await context.newPage();
    await page.goto('/es/');
    await page.getByLabel('Correo electrónico').fill(email);
    await page.getByRole('button', { name: 'Suscribirme' }).click();
    await page.waitForURL('**/es/check-inbox');
    const [confirmation] = await waitForEmails(email, 1);
    const confirmLink = linksIn(confirmation!.body.html ?? '').find((l) => l.includes('/confirm/'))!;
    for (let i = 0; i < 2; i++) {
      await page.goto(confirmLink);
      await page.getByRole('button').click();
      await page.waitForLoadState();
    }
    expect(await page.locator('h1').innerText()).toBe('Tu suscripción ya está confirmada');
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Ir a la página de suscripción' }).count()).toBe(1);
    await checkPage(page, 'confirm-again-es');

    const added = await site.runtime.http.request('/api/items', {
      method: 'POST',
      headers: editorHeaders,
      body: JSON.stringify({ title: 'Enlace sin https', link: `http://inseguro.example.org/${randomUUID()}`, countries: ['pe'], topics: ['tourism-culture'] }),
    });
    const itemId = ((await added.json()) as { id: string }).id;
    const created = await site.runtime.http.request('/api/editions', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ subject: 'Con un enlace http', itemIds: [itemId] }) });
    const editionId = ((await created.json()) as { id: string }).id;
    await signIn(page, 'es');
    await page.goto(`/es/editor/editions/${editionId}`);
    expect(await page.locator('#preflight-h + ul li').allInnerTexts()).toContainEqual(expect.stringMatching(/^Aviso: Un enlace no es https: http:\/\/inseguro/));
    await context.close();
  });
});

describe('the item picker', () => {
  test('searches titles, filters by country and topic, and marks items already sent, in English and Spanish', async () => {
    const seed = (await site.runtime.app.repos.items.listScope('all', { limit: 40 })).items;
    const sent = seed[0]!;
    const created = await site.runtime.http.request('/api/editions', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ subject: 'Already out', itemIds: [sent.id] }) });
    const { id } = (await created.json()) as { id: string };
    expect((await site.runtime.http.request(`/api/editions/${id}/send`, { method: 'POST', headers: editorHeaders, body: '{}' })).status).toBe(202);

    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'en');
    await page.goto('/en/editor/editions');
    const label = (itemId: string) => page.locator(`label[for="pick-${itemId}"]`);
    expect(await label(sent.id).locator('[data-already-sent]').innerText()).toBe('already sent');
    expect(await label(seed[1]!.id).locator('[data-already-sent]').count()).toBe(0);

    const visible = () => page.locator('label[data-title]:visible');
    const all = await visible().count();
    const word = sent.title.split(/\s+/).find((w) => w.length > 5)!.toLowerCase();
    await page.getByLabel('Search the titles').fill(word);
    const titles = await visible().evaluateAll((ls) => ls.map((l) => l.getAttribute('data-title') ?? ''));
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.length).toBeLessThanOrEqual(all);
    for (const title of titles) expect(title).toContain(word);
    await page.getByLabel('Search the titles').fill('');
    await page.locator('#pick-country').selectOption('mx');
    const countries = await visible().evaluateAll((ls) => ls.map((l) => l.getAttribute('data-countries') ?? ''));
    expect(countries.length).toBeLessThan(all);
    for (const c of countries) expect(c === '' || c.split(' ').includes('mx'), c).toBe(true);
    await page.locator('#pick-topic').selectOption('fisheries-oceans');
    const topics = await visible().evaluateAll((ls) => ls.map((l) => l.getAttribute('data-topics') ?? ''));
    for (const x of topics) expect(x === '' || x.split(' ').includes('fisheries-oceans'), x).toBe(true);
    await fitsPhone(page);
    await page.locator('[data-picker-filter]').evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-item-picker-en');

    await page.goto('/es/editor/editions');
    expect(await label(sent.id).locator('[data-already-sent]').innerText()).toBe('ya enviada');
    await page.getByLabel('Buscar en los títulos').fill(word);
    expect(await visible().count()).toBe(titles.length);
    await page.locator('[data-picker-filter]').evaluate((e) => e.scrollIntoView());
    await checkPage(page, 'editor-item-picker-es');
    await context.close();
  });
});
