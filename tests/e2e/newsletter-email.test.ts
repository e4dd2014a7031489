// The newsletter as readers see it: the compiled email (one content group, merged for one recipient) opened in
// Chromium at a phone's width (375 px) and a mail client's (600 px), light and dark, in both languages. Screenshots
// go to test-artifacts/screenshots/email-*.png; the checks are what a reader would notice: nothing wider than the
// screen, every image with its text alternative and a link, one call to action per item, the postal address, and
// text that keeps its contrast in dark mode.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { createMjmlRenderer } from '../../lambdas/adapters/mjml/renderer.js';
import { buildMessage, compileContentGroup, maxHtmlBytes, prepareGroup, worstCaseHtmlBytes } from '../../lambdas/core/editions/newsletter.js';
import type { Language } from '../../lambdas/core/shared/language.js';
import { chromiumArgs, screenshotDir } from './browser.js';
import { aBrand, anItem } from '../support/editions-fixtures.js';

const images = 'https://images.example.org';
const logo = 'https://brand.example.org/logo.png';

const items = [
  anItem({
    id: 'e1',
    title: 'Chile y Perú firman un acuerdo para facilitar el comercio de servicios digitales',
    summary: 'Los ministros de comercio acordaron reconocer las firmas electrónicas y simplificar los trámites aduaneros para las pequeñas empresas exportadoras de ambos países.',
    link: 'https://www.gob.cl/noticias/acuerdo-servicios-digitales',
    countries: ['cl', 'pe'],
    image: { url: `${images}/port.png`, alt: 'Contenedores en el puerto de Valparaíso', width: 1200, height: 675 },
  }),
  anItem({
    id: 'e2',
    title: 'Becas de la Alianza del Pacífico: abierta la convocatoria 2027',
    summary: 'Estudiantes de pregrado, posgrado y docentes pueden postular a estancias de un semestre en universidades de los cuatro países miembros.',
    link: 'https://alianzapacifico.net/becas-2027',
    countries: ['cl', 'co', 'mx', 'pe'],
    blocWide: true,
    topics: ['education-skills'],
    image: { url: `${images}/campus.png`, width: 1200, height: 675 },
  }),
  anItem({
    id: 'e3',
    title: 'México presenta su hoja de ruta para la pesca sostenible en el Pacífico',
    summary: 'El plan fija cuotas por especie y un sistema de trazabilidad satelital para la flota industrial a partir del próximo año.',
    link: 'https://www.gob.mx/conapesca/prensa/hoja-de-ruta',
    countries: ['mx'],
    topics: ['fisheries-oceans'],
  }),
];

const intro: Record<Language, string> = {
  es: '¡Hola! Esta semana, **comercio digital** y becas.\n\n- Un acuerdo entre [Chile y Perú](https://www.gob.cl/noticias)\n- La convocatoria de becas 2027',
  en: 'Hello! This week, **digital trade** and scholarships.\n\n- An agreement between [Chile and Peru](https://www.gob.cl/noticias)\n- The 2027 scholarship call',
};

let browser: Browser;
let png: Buffer;
let logoPng: Buffer;

beforeAll(async () => {
  mkdirSync(screenshotDir, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs });
  // Pictures drawn by the browser itself: no network, no binary fixtures.
  const painter = await browser.newPage({ viewport: { width: 1200, height: 675 } });
  await painter.setContent('<body style="margin:0"><div style="width:1200px;height:675px;background:linear-gradient(135deg,#0b5cad,#37a3a5 60%,#f2c14e)"></div></body>');
  png = await painter.screenshot();
  await painter.setViewportSize({ width: 400, height: 100 });
  await painter.setContent('<body style="margin:0"><div style="width:400px;height:100px;background:#fff;display:flex;align-items:center;justify-content:center;font:bold 34px sans-serif;color:#0b5cad">Alianza del Pacífico</div></body>');
  logoPng = await painter.screenshot();
  await painter.close();
});

afterAll(async () => {
  await browser?.close();
});

async function email(language: Language, withLogo: boolean) {
  const group = await compileContentGroup(createMjmlRenderer(), {
    language,
    subject: language === 'es' ? 'Comercio digital y becas: lo nuevo de la semana' : 'Digital trade and scholarships: this week',
    intro: intro[language],
    items,
    brand: { ...aBrand, ...(withLogo ? { logoUrl: logo } : {}) },
    archiveUrl: 'https://news.example.org/archive/ed1',
  });
  const prepared = prepareGroup(group);
  expect(worstCaseHtmlBytes(prepared.html)).toBeLessThan(maxHtmlBytes);
  const values = { unsubscribe_url: 'https://news.example.org/u/tok', preferences_url: 'https://news.example.org/preferences/tok', view_url: 'https://news.example.org/view/ed1/tok' };
  return buildMessage(prepared, { subscriberId: 's1', email: 'ana@example.org', values, headers: [] }, { from: 'news@example.org', editionId: 'ed1' });
}

describe('the newsletter in a browser', () => {
  for (const language of ['es', 'en'] as const) {
    for (const width of [375, 600]) {
      for (const colorScheme of ['light', 'dark'] as const) {
        it(`${language}, ${width} px, ${colorScheme}`, async () => {
          const message = await email(language, language === 'es');
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          await page.emulateMedia({ colorScheme });
          await page.route(`${images}/**`, (route) => route.fulfill({ body: png, contentType: 'image/png' }));
          await page.route(logo, (route) => route.fulfill({ body: logoPng, contentType: 'image/png' }));
          await page.setContent(message.html, { waitUntil: 'load' });

          // Nothing wider than the screen.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
          // Every item picture has its words and leads to the item; none overflows.
          const pictures = await page.locator(`img[src^="${images}"]`).evaluateAll((imgs) =>
            imgs.map((img) => ({ alt: img.getAttribute('alt'), href: img.closest('a')?.getAttribute('href'), width: img.getBoundingClientRect().width })),
          );
          expect(pictures).toEqual([
            { alt: 'Contenedores en el puerto de Valparaíso', href: items[0]!.link, width: expect.any(Number) },
            { alt: items[1]!.title, href: items[1]!.link, width: expect.any(Number) },
          ]);
          for (const p of pictures) expect(p.width).toBeLessThanOrEqual(width - 40);
          // The title links; one call to action per item, naming where it leads.
          for (const item of items) expect(await page.locator(`a[href="${item.link}"]`).count()).toBe(item.image ? 3 : 2);
          const actions = await page.locator('.action a').allInnerTexts();
          expect(actions).toHaveLength(items.length);
          expect(actions[0]).toContain(language === 'es' ? 'Leer más en gob.cl' : 'Read more on gob.cl');
          // The intro is Markdown, rendered.
          expect(await page.locator('.intro strong').count()).toBe(1);
          expect(await page.locator('.intro li').count()).toBe(2);
          await expect.poll(() => page.getByText(aBrand.postalAddress).count()).toBe(1);
          expect(await page.locator('a[href="https://news.example.org/view/ed1/tok"]').innerText()).toBe(language === 'es' ? 'Ver en el navegador' : 'View in your browser');

          // Dark mode: the body text is light on dark, the background dark.
          const colours = await page.evaluate(() => {
            const summary = Array.from(document.querySelectorAll('div')).find((d) => d.textContent?.startsWith('Los ministros') && d.children.length === 0)!;
            let cell: Element | null = summary;
            let background = 'rgba(0, 0, 0, 0)';
            while (cell && (background === 'rgba(0, 0, 0, 0)' || background === 'transparent')) {
              background = getComputedStyle(cell).backgroundColor;
              cell = cell.parentElement;
            }
            return { text: getComputedStyle(summary).color, background };
          });
          const luma = (css: string) => {
            const [r, g, b] = css.match(/\d+/g)!.map(Number);
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
          };
          if (colorScheme === 'dark') expect(luma(colours.text) - luma(colours.background)).toBeGreaterThan(120);
          else expect(luma(colours.background) - luma(colours.text)).toBeGreaterThan(120);

          await page.screenshot({ path: join(screenshotDir, `email-${language}-${width}-${colorScheme}.png`), fullPage: true });
          await page.close();
        });
      }
    }
  }
});
