// The console's countries-and-topics page in a real browser, in English and Spanish: counts, a keyword change's
// preview before saving, adding a topic (which then has its own feed), and merging one into another (its feed moves);
// refusals in the page's language (an entry in use, named with its counts and the way on; a field the schema refuses;
// a taken slug; a blank name), each with the form kept as typed. axe-core and screenshots at 375 and 1280 px.
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { checkPage, newContext, type Site, useSite, signIn } from './browser.js';

let site: Site;
useSite((started) => (site = started));

describe('countries and topics in the console', () => {
  test('shows every entry with its counts, previews a keyword change, adds a topic and merges one, in English', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'en');
    await page.getByRole('link', { name: 'Countries and topics' }).click();
    await page.waitForURL('**/en/editor/taxonomy');
    expect(await page.locator('#country-pe [data-counts]').innerText()).toMatch(/^\d+ items · 0 subscribers$/);
    expect(await page.locator('details.card').count()).toBe(4 + 10 + 2);
    await checkPage(page, 'editor-taxonomy-en');

    // A keyword change, previewed before it is saved.
    const tourism = page.locator('#topic-tourism-culture');
    await tourism.locator('summary').click();
    await tourism.getByLabel('Keywords in English (comma-separated)').fill('tourism, culture, scholarships');
    await tourism.getByRole('button', { name: 'Preview the change' }).click();
    await page.waitForURL('**/taxonomy/topics/tourism-culture/preview**');
    const preview = page.locator('[data-preview]');
    expect(await preview.innerText()).toContain('Tourism and culture');
    expect(await preview.locator('li').count()).toBeGreaterThan(0);
    await checkPage(page, 'editor-taxonomy-preview-en');
    expect(await page.locator('#topic-tourism-culture textarea[name="keywordsEn"]').inputValue()).toBe('tourism, culture, scholarships');

    // A new topic, which then has its feed.
    await page.getByText('Add a topic').click();
    const add = page.locator('form[action="/en/editor/taxonomy/topics"]');
    await add.getByLabel('Slug (lower-case letters, digits, single hyphens)').fill('public-health');
    await add.getByLabel('Name in English').fill('Public health');
    await add.getByLabel('Name in Spanish').fill('Salud pública');
    await add.getByLabel('Keywords in English (comma-separated)').fill('health, vaccines');
    await add.getByLabel('Keywords in Spanish (comma-separated)').fill('salud, vacunas');
    await add.getByRole('button', { name: 'Add' }).click();
    await page.waitForURL('**/en/editor/taxonomy?ok=1&did=termAdded&kind=topic');
    expect(await page.locator('[role="status"]').first().innerText()).toBe('Topic added: it can now be chosen for items, subscriptions and feeds.');
    expect(await page.locator('#topic-public-health').count()).toBe(1);
    expect((await fetch(`${site.baseUrl}/feeds/topics/public-health.rss`)).status).toBe(200);

    // Merged into another: its feed moves there.
    const health = page.locator('#topic-public-health');
    await health.locator('summary').click();
    await health.getByLabel('Merge into').selectOption('gender-inclusion');
    await health.getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL('**/en/editor/taxonomy?ok=1&did=termRemoved&kind=topic');
    expect(await page.locator('#topic-public-health').count()).toBe(0);
    const moved = await fetch(`${site.baseUrl}/feeds/topics/public-health.rss`, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    await context.close();
  }, 120_000);

  test('the same page in Spanish; a topic in use is not removed without a merge, and a refused addition keeps what was typed', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.goto('/es/editor/taxonomy');
    expect(await page.locator('h1').innerText()).toBe('Países y temas');
    expect(await page.locator('#country-mx summary strong').innerText()).toBe('México');
    await checkPage(page, 'editor-taxonomy-es');

    // In use: refused in Spanish, naming the topic, who uses it and the way on; its card stays open.
    const education = page.locator('#topic-education-skills');
    const items = Number((await education.locator('[data-counts]').innerText()).match(/^(\d+) noticias?/)![1]);
    expect(items).toBeGreaterThan(0);
    await education.locator('summary').click();
    const refusal = page.waitForResponse((r) => r.url().endsWith('/topics/education-skills/remove'));
    await education.getByRole('button', { name: 'Eliminar' }).click();
    await page.waitForURL('**/taxonomy/topics/education-skills/remove');
    expect((await refusal).status()).toBe(409);
    expect(await alert(page)).toBe(
      `No se puede eliminar el tema «Educación y competencias»: lo usan ${items} ${items === 1 ? 'noticia' : 'noticias'} y 0 suscriptores. ` +
        'Para quitarlo, elige en «Fusionar con» otro tema al que pasarlos y pulsa «Eliminar».',
    );
    expect(await page.locator('#topic-education-skills').getAttribute('open')).not.toBeNull();
    expect(await page.locator('#topic-education-skills').getByLabel('Fusionar con').isVisible()).toBe(true);
    await checkPage(page, 'editor-taxonomy-in-use-es');

    // A field the schema refuses (a keyword over 120 characters): named in Spanish, the form kept as typed.
    const tooLong = `salud${'a'.repeat(130)}`;
    await page.getByText('Añadir un tema').click();
    const add = page.locator('form[action="/es/editor/taxonomy/topics"]');
    await add.getByLabel('Slug (minúsculas, dígitos, guiones simples)').fill('salud-publica');
    await add.getByLabel('Nombre en inglés').fill('Public health');
    await add.getByLabel('Nombre en español').fill('Salud pública');
    await add.getByLabel('Palabras clave en inglés (separadas por comas)').fill('health, vaccines');
    await add.getByLabel('Palabras clave en español (separadas por comas)').fill(`vacunas, ${tooLong}`);
    await add.getByRole('button', { name: 'Añadir' }).click();
    await page.waitForURL('**/es/editor/taxonomy/topics');
    expect(await alert(page)).toBe('Palabras clave en español: admite como máximo 120 caracteres; acórtalo.');
    await expectKept(page, '/es/editor/taxonomy/topics', {
      key: 'salud-publica',
      nameEn: 'Public health',
      nameEs: 'Salud pública',
      keywordsEn: 'health, vaccines',
      keywordsEs: `vacunas, ${tooLong}`,
    });
    expect(await page.locator('#topic-salud-publica').count()).toBe(0);
    await checkPage(page, 'editor-taxonomy-invalid-es');
    await context.close();
  }, 120_000);

  test('in English: a country in use is refused with its counts; a taken slug and a blank name keep what was typed', async () => {
    // One subscriber (pending counts too) who chose Peru.
    const subscribed = await fetch(`${site.baseUrl}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'peru-reader@example.org', countries: ['pe'], topics: [], language: 'en', frequency: 'instant' }),
    });
    expect(subscribed.status).toBe(202);
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'en');
    await page.goto('/en/editor/taxonomy');
    const peru = page.locator('#country-pe');
    const items = Number((await peru.locator('[data-counts]').innerText()).match(/^(\d+) items? · 1 subscriber$/)![1]);
    await peru.locator('summary').click();
    await peru.getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL('**/taxonomy/countries/pe/remove');
    expect(await alert(page)).toBe(
      `The country “Peru” cannot be removed: ${items} ${items === 1 ? 'item' : 'items'} and 1 subscriber use it. ` +
        'To remove it, choose another country in “Merge into” to move them to, and press “Remove”.',
    );
    expect(await page.locator('#country-pe').getAttribute('open')).not.toBeNull();
    await checkPage(page, 'editor-taxonomy-in-use-en');

    // A slug already taken: in the editor's words (not the API's), the form as typed.
    await page.getByText('Add a topic').click();
    const add = page.locator('form[action="/en/editor/taxonomy/topics"]');
    await add.getByLabel('Slug (lower-case letters, digits, single hyphens)').fill('education-skills');
    await add.getByLabel('Name in English').fill('Schools');
    await add.getByLabel('Name in Spanish').fill('Escuelas');
    await add.getByLabel('Keywords in English (comma-separated)').fill('school, pupils');
    await add.getByRole('button', { name: 'Add' }).click();
    await page.waitForURL('**/en/editor/taxonomy/topics');
    expect(await alert(page)).toBe('An entry with that code or slug already exists; change it from its row in the list.');
    await expectKept(page, '/en/editor/taxonomy/topics', { key: 'education-skills', nameEn: 'Schools', nameEs: 'Escuelas', keywordsEn: 'school, pupils', keywordsEs: '' });
    await checkPage(page, 'editor-taxonomy-exists-en');

    // A change refused (a name of spaces only): the entry's form comes back open with the edit kept, nothing saved.
    await page.goto('/en/editor/taxonomy');
    const tourism = page.locator('#topic-tourism-culture');
    await tourism.locator('summary').click();
    await tourism.getByLabel('Name in Spanish').fill('   ');
    await tourism.getByLabel('Keywords in English (comma-separated)').fill('tourism, museums');
    await tourism.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL('**/taxonomy/topics/tourism-culture');
    expect(await alert(page)).toBe('An entry needs a name in English and in Spanish.');
    await expectKept(page, '/en/editor/taxonomy/topics/tourism-culture', { nameEn: 'Tourism and culture', nameEs: '   ', keywordsEn: 'tourism, museums' });
    expect(await page.locator('#topic-tourism-culture summary strong').innerText()).toBe('Tourism and culture');
    await checkPage(page, 'editor-taxonomy-invalid-en');
    await context.close();
  }, 120_000);
});

const alert = (page: Page) => page.locator('[role="alert"]').first().innerText();

/** The form posting to `action` is open and holds these values (scrolled into view for the screenshots). */
async function expectKept(page: Page, action: string, values: Partial<Record<'key' | 'nameEn' | 'nameEs' | 'keywordsEn' | 'keywordsEs', string>>) {
  const form = page.locator(`form[action="${action}"]`);
  expect(await form.isVisible()).toBe(true);
  for (const [name, value] of Object.entries(values)) expect(await form.locator(`[name="${name}"]`).inputValue(), name).toBe(value);
  await form.scrollIntoViewIfNeeded();
}
