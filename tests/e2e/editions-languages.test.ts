// Editions in both languages and sends that ask first, as an editor does them in a real browser: compose both
// languages side by side, each subscriber gets their language's subject; "Send now" says how many it reaches before
// it sends; times are entered in the browser's zone and stored in UTC; a time that has passed is refused; sources are
// changed, paused and removed through the API; the subscribers export is CSV that no spreadsheet runs as a formula.
import { describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { BrowserContext } from 'playwright-core';
import { editorHeaders } from '../support/runtime.js';
import { checkPage, signIn, waitForEmails, type Site, useSite } from './browser.js';

let site: Site;
useSite((started) => (site = started));

const address = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;
const api = (method: string, path: string, body?: unknown) =>
  site.runtime.http.request(path, { method, headers: editorHeaders, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

/** A browser in Lima's time zone (UTC−5 all year), so the conversion to UTC is visible. */
async function limaContext(): Promise<BrowserContext> {
  const context = await site.browser.newContext({ baseURL: site.baseUrl, viewport: { width: 1280, height: 900 }, locale: 'es-PE', timezoneId: 'America/Lima', bypassCSP: true });
  context.setDefaultTimeout(8_000);
  return context;
}

describe('editions in both languages', () => {
  test('the API takes translations; each subscriber gets their language’s subject; audience counts; a past time is 400 edition.scheduleInPast', async () => {
    const es = address('lector-es');
    const en = address('reader-en');
    const consent = { at: '2026-01-01T00:00:00Z', wordingVersion: 'v1' };
    const imported = await api('POST', '/api/subscribers/import', { subscribers: [{ email: es, language: 'es', consent }, { email: en, language: 'en', consent }] });
    expect(imported.status).toBe(200);
    const items = (await (await site.runtime.http.request('/api/items?limit=2')).json()) as { items: Array<{ id: string }> };
    const itemIds = items.items.map((i) => i.id);

    const tag = randomUUID().slice(0, 6);
    const created = await api('POST', '/api/editions', { subject: `Default ${tag}`, translations: { es: { subject: `Noticias ${tag}`, intro: 'Hola.' }, en: { subject: `News ${tag}` } }, itemIds });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const view = (await (await api('GET', `/api/editions/${id}`)).json()) as { translations: Record<string, { subject: string }> };
    expect(view.translations.es?.subject).toBe(`Noticias ${tag}`);

    const audience = (await (await api('GET', `/api/editions/${id}/audience`)).json()) as { recipients: number; skipped: number; byLanguage: { es: number; en: number } };
    expect(audience.byLanguage.es).toBeGreaterThanOrEqual(1);
    expect(audience.byLanguage.en).toBeGreaterThanOrEqual(1);
    expect(audience.recipients).toBe(audience.byLanguage.es + audience.byLanguage.en);

    const past = await api('POST', `/api/editions/${id}/send`, { at: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(((await past.json()) as { error: { code: string } }).error.code).toBe('edition.scheduleInPast');
    expect(((await (await api('GET', `/api/editions/${id}`)).json()) as { state: string }).state).toBe('draft');

    // A translation for Spanish only: English readers would get the default text, and the pre-flight says so.
    const partial = ((await (await api('POST', '/api/editions', { subject: `Only default ${tag}`, translations: { es: { subject: `Solo español ${tag}` } }, itemIds })).json()) as { id: string }).id;
    const report = (await (await api('GET', `/api/editions/${partial}/preflight`)).json()) as { issues: Array<{ code: string; params?: { language?: string } }> };
    expect(report.issues.filter((i) => i.code === 'preflight.untranslated').map((i) => i.params?.language)).toEqual(['en']);

    expect((await api('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
    const [spanish] = await waitForEmails(es, 1, 30_000);
    const [english] = await waitForEmails(en, 1, 30_000);
    expect(spanish?.subject).toBe(`Noticias ${tag}`);
    expect(english?.subject).toBe(`News ${tag}`);
  }, 60_000);

  test('console, in Spanish from Lima: both languages side by side, "Enviar ahora" asks first, a time in the browser’s zone is stored in UTC', async () => {
    const context = await limaContext();
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.goto('/es/editor/editions');
    const tag = randomUUID().slice(0, 6);
    // Each column is labelled in its own language.
    await page.getByLabel('Asunto').fill(`Boletín ${tag}`);
    await page.getByLabel('Introducción (opcional)').fill('La semana en la Alianza.');
    await page.getByLabel('Subject').fill(`Bulletin ${tag}`);
    await page.locator('input[name="itemIds"]').first().check();
    await checkPage(page, 'editor-compose-both-languages-es');
    await page.getByRole('button', { name: 'Crear borrador' }).click();
    await page.waitForURL(/\/es\/editor\/editions\/[^/?]+$/);
    const id = decodeURIComponent(page.url().split('/').pop()!);
    const stored = (await (await api('GET', `/api/editions/${id}`)).json()) as { subject: string; translations: Record<string, { subject: string }> };
    expect(stored.subject).toBe(`Boletín ${tag}`);
    expect(stored.translations.en?.subject).toBe(`Bulletin ${tag}`);

    // The browser's zone is named beside the field once the console's script has told the server.
    await page.getByLabel('Fecha y hora (America/Lima)').waitFor();
    await page.getByRole('button', { name: 'Enviar ahora' }).click();
    await page.waitForURL('**confirm=send**');
    expect(await page.locator('[data-audience]').innerText()).toMatch(/^Este envío llegará a \d+ suscriptores? \(español \d+, inglés \d+\)/);
    expect(await page.locator('[data-confirm]').innerText()).toContain(`Bulletin ${tag}`);
    await checkPage(page, 'editor-confirm-send-es');
    await page.getByRole('link', { name: 'Volver' }).click();

    await page.getByLabel('Fecha y hora (America/Lima)').fill('2099-06-01T09:00');
    await page.getByRole('button', { name: 'Programar' }).click();
    await page.waitForURL('**did=scheduled**');
    expect(await page.locator('[role="status"]').first().innerText()).toMatch(/^Programada para .*9:00.* America\/Lima\.$/);
    const scheduled = (await (await api('GET', `/api/editions/${id}`)).json()) as { state: string; scheduledAt: string };
    expect(scheduled).toMatchObject({ state: 'scheduled', scheduledAt: '2099-06-01T14:00:00.000Z' });
    await checkPage(page, 'editor-edition-scheduled-lima-es');

    // A scheduled edition can still be edited.
    await page.locator('#edit-h').click();
    await page.getByLabel('Subject').fill(`Bulletin, revised ${tag}`);
    await page.getByRole('button', { name: 'Guardar cambios' }).click();
    await page.waitForURL('**did=saved**');
    expect(((await (await api('GET', `/api/editions/${id}`)).json()) as { translations: Record<string, { subject: string }> }).translations.en?.subject).toBe(`Bulletin, revised ${tag}`);
    await context.close();
  }, 60_000);

  test('console, in English: a test send names where it went; a time that has passed is refused with a reason', async () => {
    const context = await limaContext();
    const page = await context.newPage();
    await signIn(page, 'en');
    await page.goto('/en/editor/editions');
    await page.getByLabel('Subject').fill(`Test names ${randomUUID().slice(0, 6)}`);
    await page.locator('input[name="itemIds"]').first().check();
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/en\/editor\/editions\/[^/?]+$/);
    const tester = address('ana');
    await page.getByLabel('Addresses (comma-separated)').fill(tester);
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.waitForURL('**ok=1**');
    expect(await page.locator('[role="status"]').first().innerText()).toBe(`Test sent to ${tester.split('@')[0]}@….`);
    await page.getByLabel('Date and time (America/Lima)').fill('2020-01-01T09:00');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role="alert"]').first().innerText()).toContain('has passed');
    await checkPage(page, 'editor-schedule-in-past-en');
    await context.close();
  }, 60_000);
});

describe('editors’ tools through the API', () => {
  test('sources: PATCH changes and pauses one (200), DELETE removes it (204), 404 after', async () => {
    const added = await api('POST', '/api/sources', { url: `https://example.org/${randomUUID()}.xml`, name: 'To change' });
    const { id } = (await added.json()) as { id: string };
    const patched = await api('PATCH', `/api/sources/${id}`, { name: 'Changed', active: false, defaultCountries: ['pe'] });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id, name: 'Changed', active: false, defaultCountries: ['pe'] });
    expect((await api('PATCH', `/api/sources/${id}`, { url: 'ftp://example.org/x' })).status).toBe(400);
    expect((await api('DELETE', `/api/sources/${id}`)).status).toBe(204);
    expect((await api('DELETE', `/api/sources/${id}`)).status).toBe(404);
    expect((await api('PATCH', `/api/sources/${id}`, { name: 'Gone' })).status).toBe(404);
  });

  test('subscribers: a semicolon CSV with country and topic names imports; the export is CSV in the import’s columns', async () => {
    const named = address('nombres');
    const csv = ['email;countries;topics;language;frequency;consent_at;consent_wording_version', `${named};Perú, Chile;Comercio y promoción de inversiones;es;instant;2026-01-02T10:00:00Z;v1`].join('\n');
    const imported = await site.runtime.http.request('/api/subscribers/import', { method: 'POST', headers: { ...editorHeaders, 'content-type': 'text/csv' }, body: csv });
    expect(imported.status, await imported.clone().text()).toBe(200);
    const found = (await (await api('GET', `/api/subscribers?email=${encodeURIComponent(named)}`)).json()) as { countries: string[]; topics: string[] };
    expect(found.countries.sort()).toEqual(['cl', 'pe']);
    expect(found.topics).toEqual(['trade-investment']);

    const exported = await api('GET', '/api/subscribers/export?format=csv');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await exported.text();
    expect(text.split('\r\n')[0]).toBe('email,countries,topics,language,frequency,consent_at,consent_wording_version,status,created_at,confirmed_at,suppressed_at,suppressed_reason');
    expect(text).toContain(`${named},pe cl,trade-investment,es,instant,`);
  });
});
