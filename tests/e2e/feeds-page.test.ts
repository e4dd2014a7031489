// The feeds page as a reader sees it, in both languages at 375 and 1280 px: one page in the site's layout, short on a
// phone, a country × topic chooser that works with and without JavaScript, copy buttons where a script can copy;
// /feeds sends a browser there and keeps answering readers and scripts.
import { describe, expect, test } from 'vitest';
import { checkPage, newContext, type Site, useSite } from './browser.js';

let site: Site;
useSite((started) => (site = started));

describe('the feeds page', () => {
  test('/feeds sends a browser to the page in its language; OPML and feed readers get what they ask for', async () => {
    const browser = await fetch(`${site.baseUrl}/feeds`, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'accept-language': 'en-GB,en;q=0.9' } });
    expect(browser.status).toBe(302);
    expect(browser.headers.get('location')).toBe('/en/feeds');
    expect(browser.headers.get('vary')).toContain('Accept');
    const opml = await fetch(`${site.baseUrl}/feeds`, { headers: { accept: 'text/x-opml' } });
    expect(opml.headers.get('content-type')).toBe('text/x-opml; charset=utf-8');
    const reader = await fetch(`${site.baseUrl}/feeds`, { redirect: 'manual', headers: { accept: 'application/rss+xml, application/atom+xml, text/html;q=0.5' } });
    expect(reader.status).toBe(200);
    expect(await reader.text()).toContain('rel="alternate" type="application/atom+xml"');
  });

  for (const lang of ['es', 'en'] as const) {
    for (const width of [375, 1280]) {
      test(`${lang} at ${width} px: short, in the site's layout, the chooser builds a feed's addresses`, async () => {
        const context = await newContext(site, width);
        await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: site.baseUrl });
        const page = await context.newPage();
        await page.goto(`/${lang}/feeds`);
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        // Short on a phone: every address is there, in a box that scrolls.
        expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(width === 375 ? 3200 : 2000);
        // Editors are not in the public navigation.
        expect(await page.locator(`header nav a[href="/${lang}/editor"]`).count()).toBe(0);

        await page.selectOption('#feed-country', 'pe');
        await page.selectOption('#feed-topic', 'education-skills');
        await page.getByRole('button', { name: lang === 'es' ? 'Ver direcciones' : 'Show addresses' }).click();
        await page.waitForURL(`**/${lang}/feeds?country=pe&topic=education-skills`);
        expect(await page.inputValue('#chosen-atom')).toBe(`${site.baseUrl}/feeds/countries/pe/topics/education-skills.atom`);
        expect(await page.locator('#chosen').innerText()).toContain(lang === 'es' ? 'Perú' : 'Peru');
        const copy = page.locator('button[aria-controls="chosen-rss"]');
        await copy.click();
        await expect.poll(() => copy.innerText()).toBe(lang === 'es' ? 'Copiada' : 'Copied');
        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${site.baseUrl}/feeds/countries/pe/topics/education-skills.rss`);
        if (width === 375) await checkPage(page, `feeds-chooser-${lang}`);
        await context.close();
      });
    }

    test(`${lang}: without JavaScript the chooser still works and no copy button shows`, async () => {
      const context = await site.browser.newContext({ baseURL: site.baseUrl, viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
      const page = await context.newPage();
      await page.goto(`/${lang}/feeds`);
      expect(await page.locator('button[data-copy]').first().isVisible()).toBe(false);
      await page.selectOption('#feed-country', 'mx');
      await page.getByRole('button', { name: lang === 'es' ? 'Ver direcciones' : 'Show addresses' }).click();
      await page.waitForURL(`**/${lang}/feeds?country=mx&topic=`);
      expect(await page.inputValue('#chosen-json')).toBe(`${site.baseUrl}/feeds/countries/mx.json`);
      await context.close();
    });
  }
});
