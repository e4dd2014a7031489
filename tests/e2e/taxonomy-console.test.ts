// The console's countries-and-topics page in a real browser, in English and Spanish: counts, a keyword change's
// preview before saving, adding a topic (which then has its own feed), and merging one into another (its feed moves).
// axe-core and screenshots at 375 and 1280 px.
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
    await page.waitForURL('**/en/editor/taxonomy?ok=1');
    expect(await page.locator('#topic-public-health').count()).toBe(1);
    expect((await fetch(`${site.baseUrl}/feeds/topics/public-health.rss`)).status).toBe(200);

    // Merged into another: its feed moves there.
    const health = page.locator('#topic-public-health');
    await health.locator('summary').click();
    await health.getByLabel('Merge into').selectOption('gender-inclusion');
    await health.getByRole('button', { name: 'Remove' }).click();
    await page.waitForURL('**/en/editor/taxonomy?ok=1');
    expect(await page.locator('#topic-public-health').count()).toBe(0);
    const moved = await fetch(`${site.baseUrl}/feeds/topics/public-health.rss`, { redirect: 'manual' });
    expect(moved.status).toBe(301);
    await context.close();
  }, 120_000);

  test('the same page in Spanish, and a topic in use is not removed without a merge', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.goto('/es/editor/taxonomy');
    expect(await page.locator('h1').innerText()).toBe('Países y temas');
    expect(await page.locator('#country-mx summary strong').innerText()).toBe('México');
    await checkPage(page, 'editor-taxonomy-es');
    const education = page.locator('#topic-education-skills');
    await education.locator('summary').click();
    await education.getByRole('button', { name: 'Eliminar' }).click();
    expect(await page.locator('[role="alert"]').innerText()).toContain('mergeInto');
    await checkPage(page, 'editor-taxonomy-in-use-es');
    await context.close();
  }, 120_000);
});
