// Sends that cannot go wrong, in both console languages, with what the other e2e files leave out: "Send now" asks
// first in English and Spanish (and the CLI asks too, run against this site); drafts and scheduled editions edited;
// a time that has passed refused in the editor's words and zone; a time entered in Lima's zone stored in UTC; the
// pre-flight's old items and an audience that reaches nobody (never in the archive); what "new since the last
// edition" means before a send; "view in your browser" from a received email opening the subscriber's own version.
// One site and one signed-in browser (in Lima's zone, UTC−5 all year) for the whole file.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { editorHeaders, testEditorToken } from '../support/runtime.js';
import { formatDateTime } from '../../lambdas/adapters/http/views/i18n.js';
import { checkPage, linksIn, signIn, waitForEmails, useSite, type Site } from './browser.js';

let site: Site;
useSite((started) => (site = started));

const tag = randomUUID().slice(0, 6);
const lima = 'America/Lima';
const api = async <T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> => {
  const res = await site.runtime.http.request(path, { method, headers: editorHeaders, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as T };
};
const newItem = async (title: string, countries: string[]) =>
  (await api<{ id: string }>('POST', '/api/items', { title, link: `https://example.org/${randomUUID()}`, countries, topics: ['trade-investment'] })).json.id;
const newEdition = async (body: Record<string, unknown>) => (await api<{ id: string }>('POST', '/api/editions', body)).json.id;
const edition = async (id: string) =>
  (await api<{ state: string; subject: string; scheduledAt: string | null; sendStartedAt: string | null; reachedNobody: boolean; translations: Record<string, { subject: string }> }>('GET', `/api/editions/${id}`)).json;

// Two readers: one in Spanish for Peru, one in English for Chile; each edition's Peru and Chile items tell them apart.
const reader = { es: `lectora-${tag}@example.org`, en: `reader-${tag}@example.org` };
const items = { pe: { id: '', title: `Perú amplía su red de puertos ${tag}` }, cl: { id: '', title: `Chile opens a new trade office ${tag}` } };
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  const consent = { at: '2026-01-02T10:00:00Z', wordingVersion: '2026-01', source: 'e2e' };
  const imported = await api<{ confirmed: number }>('POST', '/api/subscribers/import', {
    sendConfirmations: false,
    subscribers: [
      { email: reader.es, language: 'es', countries: ['pe'], frequency: 'instant', consent },
      { email: reader.en, language: 'en', countries: ['cl'], frequency: 'instant', consent },
    ],
  });
  expect(imported.json.confirmed).toBe(2);
  items.pe.id = await newItem(items.pe.title, ['pe']);
  items.cl.id = await newItem(items.cl.title, ['cl']);
  context = await site.browser.newContext({ baseURL: site.baseUrl, viewport: { width: 1280, height: 900 }, locale: 'es-PE', timezoneId: lima, bypassCSP: true });
  context.setDefaultTimeout(8_000);
  // The zone the console's script would report (editions-languages.test.ts covers the script doing so), set up front
  // so that no page reloads itself under the test.
  await context.addCookies([{ name: 'editor_tz', value: encodeURIComponent(lima), url: site.baseUrl }]);
  page = await context.newPage();
  await signIn(page, 'es');
});

afterAll(async () => {
  await context?.close();
});

const openEdition = async (lang: 'es' | 'en', id: string) => {
  await page.goto(`/${lang}/editor/editions/${encodeURIComponent(id)}`);
};
const status = () => page.locator('[role="status"]').first().innerText();
const preflightLines = () => page.locator('#preflight-h + ul li').allInnerTexts();

/** The edition of the first test, sent to both readers: the archive must list it. */
const sent = { id: '', subject: { es: `Boletín ${tag}`, en: `Bulletin ${tag}` } };

describe('"Send now" asks first; "view in your browser" opens the reader’s own version', () => {
  test('the confirmation step says how many, per language, in Spanish (back: nothing sent) and in English (sent)', async () => {
    sent.id = await newEdition({ subject: sent.subject.en, translations: { es: { subject: sent.subject.es }, en: { subject: sent.subject.en } }, itemIds: [items.pe.id, items.cl.id] });

    await openEdition('es', sent.id);
    await page.getByRole('button', { name: 'Enviar ahora' }).click();
    await page.waitForURL('**confirm=send**');
    expect(await page.locator('[data-audience]').innerText()).toBe('Este envío llegará a 2 suscriptores (español 1, inglés 1). 0 del público no reciben ninguna noticia y se omiten.');
    expect(await page.locator('[data-confirm] li').allInnerTexts()).toEqual([`español: ${sent.subject.es}`, `inglés: ${sent.subject.en}`]);
    await checkPage(page, 'send-safety-confirm-es');
    await page.getByRole('link', { name: 'Volver' }).click();
    await page.waitForURL((url) => !url.search.includes('confirm'));
    expect((await edition(sent.id)).state).toBe('draft');

    await openEdition('en', sent.id);
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.waitForURL('**confirm=send**');
    expect(await page.locator('[data-audience]').innerText()).toBe('This send will reach 2 subscribers (Spanish 1, English 1). 0 in the audience get no item and are skipped.');
    expect(await page.locator('[data-confirm] li').allInnerTexts()).toEqual([`Spanish: ${sent.subject.es}`, `English: ${sent.subject.en}`]);
    await checkPage(page, 'send-safety-confirm-en');
    await page.getByRole('button', { name: 'Yes, send to 2 subscribers' }).click();
    await page.waitForURL('**did=sent**');
    expect(await status()).toBe('Sending started.');
    await page.locator('[data-state]', { hasText: 'sent' }).waitFor({ timeout: 20_000 });
  }, 40_000);

  test('"view in your browser" in each reader’s email opens their items in their language, whatever the browser’s', async () => {
    const cases = [
      { lang: 'es', email: reader.es, mine: items.pe.title, other: items.cl.title, count: '1 noticia', browser: 'en-US' },
      { lang: 'en', email: reader.en, mine: items.cl.title, other: items.pe.title, count: '1 story', browser: 'es-ES' },
    ] as const;
    for (const c of cases) {
      const received = (await waitForEmails(c.email, 1)).filter((e) => e.subject === sent.subject[c.lang]);
      expect(received, c.email).toHaveLength(1);
      const view = linksIn(received[0]!.body.html ?? '').find((l) => l.startsWith(`${site.baseUrl}/view/${sent.id}/`));
      expect(view, 'the email links to the reader’s own version').toBeDefined();
      // A browser in the other language: the page follows the subscriber, not the browser.
      const reading = await site.browser.newContext({ baseURL: site.baseUrl, locale: c.browser, bypassCSP: true });
      const tab = await reading.newPage();
      await tab.goto(view!);
      expect(await tab.locator('html').getAttribute('lang')).toBe(c.lang);
      expect(await tab.locator('h1').innerText()).toBe(sent.subject[c.lang]);
      const main = await tab.locator('main').innerText();
      expect(main).toContain(c.mine);
      expect(main).not.toContain(c.other);
      expect(main).toContain(c.count);
      await checkPage(tab, `send-safety-view-in-browser-${c.lang}`);
      await reading.close();
    }
  });
});

describe('drafts and scheduled editions in the console, times in the editor’s zone, feedback that names what happened', () => {
  /** A draft made through the API, opened in the console and edited there (its subject, in the console's column). */
  async function editedDraft(lang: 'es' | 'en'): Promise<string> {
    const id = await newEdition({ subject: `Draft ${lang} ${tag}`, itemIds: [items.pe.id] });
    await openEdition(lang, id);
    await page.locator('#edit-h').click();
    await page.getByLabel(lang === 'es' ? 'Asunto' : 'Subject').fill(`Revised ${lang} ${tag}`);
    await page.getByRole('button', { name: lang === 'es' ? 'Guardar cambios' : 'Save changes' }).click();
    await page.waitForURL('**did=saved**');
    expect(await status()).toBe(lang === 'es' ? 'Cambios guardados.' : 'Changes saved.');
    expect(await edition(id)).toMatchObject({ state: 'draft', subject: `Revised ${lang} ${tag}` });
    return id;
  }

  test('in Spanish: a draft edited; a test send names where it went; a time that has passed is refused in Spanish, named in Lima’s time', async () => {
    await editedDraft('es');
    const ana = `ana-${tag}@example.org`;
    await page.getByLabel('Direcciones (separadas por comas)').fill(ana);
    await page.getByRole('button', { name: 'Enviar prueba' }).click();
    await page.waitForURL('**did=test**');
    expect(await status()).toBe(`Prueba enviada a ana-${tag}@….`);
    expect((await waitForEmails(ana, 1))[0]?.subject).toBe(`[TEST] Revised es ${tag}`);

    await page.getByLabel(`Fecha y hora (${lima})`).fill('2020-01-01T09:00');
    await page.getByRole('button', { name: 'Programar' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role="alert"]').first().innerText()).toMatch(/^La hora elegida \(1 ene\.? 2020, 9:00 America\/Lima\) ya pasó; elige una hora posterior o envía ahora\.$/);
    await checkPage(page, 'send-safety-schedule-in-past-es');
  });

  test('in English: a draft edited; a past time refused, named in Lima’s time; 9:00 in Lima is stored as 14:00 UTC and said back; the scheduled edition edited', async () => {
    const id = await editedDraft('en');
    const field = page.getByLabel(`Date and time (${lima})`);
    await field.fill('2020-01-01T09:00');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role="alert"]').first().innerText()).toBe('The time chosen (1 Jan 2020, 09:00 America/Lima) has passed; choose a later time, or send now.');
    expect((await edition(id)).state).toBe('draft');

    await field.fill('2099-06-01T09:00');
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.waitForURL('**did=scheduled**');
    expect(await status()).toBe('Scheduled for 1 Jun 2099, 09:00 America/Lima.');
    expect(await edition(id)).toMatchObject({ state: 'scheduled', scheduledAt: '2099-06-01T14:00:00.000Z' });
    // Shown back in the editor's zone, in the state line and in the field.
    expect(await page.locator('#progress-h + p').innerText()).toContain('1 Jun 2099, 09:00 America/Lima');
    expect(await field.inputValue()).toBe('2099-06-01T09:00');
    await checkPage(page, 'send-safety-scheduled-en');

    await page.locator('#edit-h').click();
    await page.getByLabel('Subject').fill(`Revised again ${tag}`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL('**did=saved**');
    expect(await edition(id)).toMatchObject({ state: 'scheduled', subject: `Revised again ${tag}`, scheduledAt: '2099-06-01T14:00:00.000Z' });
  });
});

describe('the CLI asks first too', () => {
  const script = resolve(import.meta.dirname, '../../scripts/send.ts');
  const tsx = resolve(import.meta.dirname, '../../node_modules/.bin/tsx');

  /** `npm run send -- …` against this site, `input` on its standard input (closed after it). */
  function cli(args: string[], input: string): Promise<{ code: number | null; out: string }> {
    return new Promise((done, fail) => {
      const child = spawn(tsx, [script, ...args, '--api', site.baseUrl, '--token', testEditorToken, '--interval', '200'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.once('error', fail);
      child.once('close', (code) => done({ code, out }));
      child.stdin.end(input);
    });
  }

  test('`send ID` says who it reaches and asks: "n" sends nothing, no answer sends nothing (exit 1), "y" sends and watches it finish', async () => {
    const subject = `CLI ${tag}`;
    const id = await newEdition({ subject, itemIds: [items.pe.id] });
    const question = `Send "${subject}" to 1 subscriber(s) now? [y/N]`;

    const declined = await cli(['send', id], 'n\n');
    expect(declined.out).toContain('audience: 1 recipient(s) (es 1, en 0); 1 in the audience get no item and are skipped');
    expect(declined.out).toContain(question);
    expect(declined.out).toContain('not sent');
    expect(declined.code).toBe(0);
    // Piped with nothing to say (a cron job, a script): a no, and a failure the caller sees.
    const unanswered = await cli(['send', id], '');
    expect(unanswered.out).toContain('no answer: not sent (pass --yes to send without asking)');
    expect(unanswered.code).toBe(1);
    expect((await edition(id)).state).toBe('draft');

    const confirmed = await cli(['send', id], 'y\n');
    expect(confirmed.out, confirmed.out).toContain(question);
    expect(confirmed.out).toMatch(/100%\s+1\/1 sent .* sent$/m);
    expect(confirmed.code).toBe(0);
    expect((await edition(id)).state).toBe('sent');
    expect((await waitForEmails(reader.es, 2)).filter((e) => e.subject === subject)).toHaveLength(1);
  }, 30_000);
});

describe('the pre-flight warns; an edition that reached nobody is not published; "new since the last edition" shown before a send', () => {
  test('items older than 7 days in an edition chosen by time: a warning in each language', async () => {
    const id = await newEdition({ subject: `Since 2023 ${tag}`, since: '2023-01-01T00:00:00Z' });
    const report = (await api<{ issues: Array<{ code: string; params?: { count: number; days: number } }> }>('GET', `/api/editions/${id}/preflight`)).json;
    const stale = report.issues.find((i) => i.code === 'preflight.staleItems');
    expect(stale?.params?.days).toBe(7);
    const n = stale!.params!.count;
    expect(n).toBeGreaterThan(1); // the seed news, from 2023
    for (const [lang, line] of [['es', `Aviso: ${n} noticias se publicaron hace más de 7 días.`], ['en', `Warning: ${n} items were published more than 7 days ago.`]] as const) {
      await openEdition(lang, id);
      expect(await preflightLines()).toContain(line);
      await page.locator('#preflight-h').evaluate((h) => h.scrollIntoView());
      await checkPage(page, `send-safety-preflight-stale-${lang}`);
    }
  });

  test('an audience that reaches nobody: warned in each language, asked with its words, sent, and kept out of the archive', async () => {
    const subject = `Nobody ${tag}`;
    const id = await newEdition({ subject, itemIds: [await newItem(`México abre una oficina ${tag}`, ['mx'])], audience: { countries: ['mx'] } });
    const words = {
      es: { warning: 'Aviso: Nadie recibiría esta edición: ningún suscriptor confirmado de su público recibe alguna de sus noticias.', confirm: 'Este envío no llegaría a nadie: ningún suscriptor confirmado del público recibe alguna de sus noticias.', button: 'Sí, enviar a 0 suscriptores' },
      en: { warning: 'Warning: Nobody would receive this edition: no confirmed subscriber in its audience gets any of its items.', confirm: 'This send would reach nobody: no confirmed subscriber in the audience gets any of its items.', button: 'Yes, send to 0 subscribers' },
    };
    for (const lang of ['en', 'es'] as const) {
      await openEdition(lang, id);
      expect(await preflightLines()).toEqual([words[lang].warning]);
      await page.getByRole('button', { name: lang === 'es' ? 'Enviar ahora' : 'Send now' }).click();
      await page.waitForURL('**confirm=send**');
      expect(await page.locator('[data-audience]').innerText()).toBe(words[lang].confirm);
      await checkPage(page, `send-safety-confirm-nobody-${lang}`);
    }
    // A warning, not a refusal: it goes, completes at once, and is marked as having reached nobody.
    await page.getByRole('button', { name: words.es.button }).click();
    await page.waitForURL('**did=sent**');
    await page.locator('[data-state]', { hasText: 'enviada' }).waitFor({ timeout: 20_000 });
    expect(await edition(id)).toMatchObject({ state: 'sent', reachedNobody: true });

    // The public archive lists the edition that reached readers, not this one; its page is not found.
    for (const lang of ['es', 'en'] as const) {
      await page.goto(`/${lang}/archive`);
      const archive = await page.locator('main').innerText();
      expect(archive).toContain(sent.subject[lang]);
      expect(archive).not.toContain(subject);
      expect(await page.locator(`a[href*="${id}"]`).count()).toBe(0);
      await checkPage(page, `send-safety-archive-${lang}`);
      expect((await site.runtime.http.request(`/${lang}/archive/${id}`)).status).toBe(404);
    }
  }, 40_000);

  test('an edition of "everything new since the last edition" names that edition’s time and lists exactly those items (with those of an edition that reached nobody), in each language', async () => {
    // The edition above that reached nobody does not count: nobody received its items.
    const { editions } = (await api<{ editions: Array<{ kind: string; sendStartedAt: string | null; reachedNobody?: boolean }> }>('GET', '/api/editions?limit=50')).json;
    const lastStarted = editions.filter((e) => e.kind === 'edition' && e.sendStartedAt && !e.reachedNobody).map((e) => e.sendStartedAt!).sort().at(-1)!;
    expect(lastStarted).toBeDefined();
    const fresh = `Lo último ${tag}`;
    await newItem(fresh, ['pe']);
    const id = await newEdition({ subject: `What is new ${tag}` });
    for (const lang of ['es', 'en'] as const) {
      await openEdition(lang, id);
      const words = lang === 'es' ? 'Lo nuevo desde la última edición' : 'New since the last edition';
      expect(await page.locator('[data-contents-basis]').innerText()).toBe(`${words} (${formatDateTime(lastStarted, lang, lima)}):`);
      // Newest first: the fresh item, then the one the edition that reached nobody carried (nobody has it yet).
      expect(await page.locator('#items-h ~ ol li').allInnerTexts()).toEqual([fresh, `México abre una oficina ${tag}`]);
      expect((await edition(id)).state).toBe('draft');
      await page.locator('#items-h').evaluate((h) => h.scrollIntoView());
      await checkPage(page, `send-safety-new-since-last-${lang}`);
    }
  });
});
