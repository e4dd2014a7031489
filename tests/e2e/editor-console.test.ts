// The editor console in a real browser: sessions (refusals, cookie attributes), items (filters, tags, add, ingest
// now, per-source status), editions (compose from the seed items, preview per segment at phone and desktop width,
// pre-flight, test send, send and watch it finish, the subscriber's inbox, one-click unsubscribe, the next send),
// subscribers (import, counts per country × topic, search, suppression list). axe-core and screenshots on each page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import { editorHeaders, testEditorToken } from '../support/runtime.js';
import { checkPage, newContext, screenshots, signIn, startSite, waitForEmails, type Site } from './browser.js';

let site: Site;

beforeAll(async () => {
  site = await startSite({ SOURCES: JSON.stringify([{ url: 'http://127.0.0.1:9/feed.xml', name: 'Unreachable test source' }]) });
}, 60_000);

afterAll(async () => {
  await site?.stop();
});

const address = (name: string) => `${name}-${randomUUID().slice(0, 8)}@example.org`;

describe('editor console', () => {
  test('every editor page is refused without a session; a wrong token is refused; the session cookie is HttpOnly, SameSite=Strict and never holds the token', async () => {
    for (const path of ['/en/editor/items', '/es/editor/editions', '/en/editor/subscribers', '/en/editor/sources', '/en/editor/editions/x/status']) {
      const res = await fetch(`${site.baseUrl}${path}`, { redirect: 'manual' });
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toMatch(/\/(en|es)\/editor\/sign-in\?next=/);
    }
    const post = await fetch(`${site.baseUrl}/en/editor/editions`, { method: 'POST', body: new URLSearchParams({ subject: 'x' }), redirect: 'manual' });
    expect(post.status).toBe(401);
    const forged = await fetch(`${site.baseUrl}/en/editor/items`, { redirect: 'manual', headers: { cookie: `editor_session=v1.${Date.now() + 3600_000}.abc.${Buffer.from('editor').toString('base64url')}.${'A'.repeat(43)}` } });
    expect(forged.status).toBe(303);

    const context = await newContext(site);
    const page = await context.newPage();
    await page.goto('/en/editor/items');
    await page.waitForURL('**/en/editor/sign-in**');
    await checkPage(page, 'editor-sign-in-en');
    await page.getByLabel('Editor token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('[role="alert"]').innerText()).toContain('That token is not valid.');
    expect(await context.cookies()).toHaveLength(0);

    await page.getByLabel('Editor token').fill(testEditorToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/en/editor/items');
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'editor_session', httpOnly: true, sameSite: 'Strict', secure: false });
    expect(cookie!.value).not.toContain(testEditorToken);
    expect(await page.content()).not.toContain(testEditorToken);

    // A cross-site form post is refused even with the session cookie.
    const cross = await fetch(`${site.baseUrl}/en/editor/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: `${cookie!.name}=${cookie!.value}`, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrf=x',
    });
    expect(cross.status).toBe(403);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/en/editor/sign-in');
    await page.goto('/en/editor/items');
    await page.waitForURL('**/en/editor/sign-in**');
    await context.close();
  });

  test('items: filter by country, topic, source and date, edit tags, add an item; sources: per-source status and ingest now', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page);
    const all = await page.locator('[data-item-id]').count();
    expect(all).toBeGreaterThan(3);
    await checkPage(page, 'editor-items-en');

    await page.getByLabel('Topics', { exact: true }).selectOption('fisheries-oceans');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL('**topic=fisheries-oceans**');
    const fisheries = await page.locator('[data-item-id]').count();
    expect(fisheries).toBeGreaterThan(0);
    expect(fisheries).toBeLessThan(all);

    // Edit the first item's tags: only Mexico and tourism.
    const first = page.locator('[data-item-id]').first();
    const id = (await first.getAttribute('data-item-id'))!;
    await first.locator('summary').click();
    for (const box of await first.locator('input[type="checkbox"]').all()) await box.setChecked(false);
    await first.getByLabel('Mexico').check();
    await first.getByLabel('Tourism and culture').check();
    await first.getByRole('button', { name: 'Save tags' }).click();
    await page.waitForURL('**ok=1**');
    expect(await page.locator('[role="status"]').first().innerText()).toBe('The item’s countries and topics are saved; its feeds follow them.');
    const stored = (await (await site.runtime.http.request(`/api/items/${id}`)).json()) as { countries: string[]; topics: string[]; tagProvenance: { countries: string } };
    expect(stored.countries).toEqual(['mx']);
    expect(stored.topics).toEqual(['tourism-culture']);
    expect(stored.tagProvenance.countries).toBe('editor');

    // Add an item.
    await page.goto('/en/editor/items');
    const title = `Editor note ${randomUUID().slice(0, 6)}`;
    await page.getByLabel('Title').fill(title);
    await page.getByLabel('Link').fill(`https://news.example.org/notes/${randomUUID()}`);
    await page.getByLabel('Summary').fill('A note added from the console.');
    const add = page.locator('form[aria-labelledby="add-item"]');
    await add.getByLabel('Colombia').check();
    await add.getByLabel('Education and skills').check();
    await add.getByRole('button', { name: 'Add' }).click();
    await page.waitForURL('**ok=1**');
    expect(await page.locator('[data-item-id] h2').first().innerText()).toBe(title);

    // Filter by source (the editor's own items) and by date.
    await page.getByLabel('Source', { exact: true }).selectOption({ label: 'Added by editors' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL('**source=editor**');
    expect(await page.locator('[data-item-id] h2').allInnerTexts()).toEqual([title]);
    await page.goto('/en/editor/items');
    await page.getByLabel('From', { exact: true }).fill('2023-03-01');
    await page.getByLabel('To', { exact: true }).fill('2023-03-10');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL('**from=2023-03-01**');
    const dates = await page.locator('[data-item-id] time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime') ?? ''));
    expect(dates.length).toBeGreaterThan(0);
    for (const d of dates) expect(d >= '2023-03-01' && d <= '2023-03-10T23:59:59.999Z', d).toBe(true);

    // Sources: status, then "ingest now" records the poll and its error.
    await page.getByRole('link', { name: 'Sources' }).click();
    await page.waitForURL('**/en/editor/sources');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr td').first().innerText()).toBe('never');
    await page.getByRole('button', { name: 'Poll now: Unreachable test source' }).click();
    await page.waitForURL('**/en/editor/sources?ok=1&did=pollFailed**');
    // Named, and shown as the failure it is (not a green "done").
    expect(await page.locator('[role="alert"]').first().innerText()).toBe('Could not poll “Unreachable test source”: the reason is in its row. Fix the address or try again later.');
    // The query names the source by id; words of a crafted link's own never reach the page.
    const polledUrl = page.url();
    await page.goto('/en/editor/sources?ok=1&did=pollFailed&source=Call%20%2B1%20555%200100%20now');
    expect(await page.locator('[role="alert"]').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toContain('555');
    await page.goto(polledUrl);
    const row = await page.locator('tbody tr').innerText();
    expect(row).not.toContain('never');
    expect(row).toMatch(/error|fail/i);
    await checkPage(page, 'editor-sources-en');
    await page.getByRole('button', { name: 'Ingest all sources now' }).click();
    await page.waitForURL('**/en/editor/sources?ok=1&did=polledAll**');
    expect(await page.locator('[role="alert"]').first().innerText()).toBe('Polled 1 source: 0 new items. 1 failed: the reason is in its row.');
    await context.close();
  });

  test('subscribers: import with consent, counts per country × topic, search by address, suppression list, in Spanish', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.getByRole('link', { name: 'Suscriptores' }).click();
    await page.waitForURL('**/es/editor/subscribers');
    const a = address('imported-a');
    const b = address('imported-b');
    await page.getByRole('textbox', { name: 'CSV' }).fill(
      [
        'email,countries,topics,language,frequency,consent_at,consent_wording_version',
        `${a},cl,trade-investment,es,instant,2026-01-02T10:00:00Z,2026-01`,
        `${b},,,en,instant,2026-01-02T10:00:00Z,2026-01`,
      ].join('\n'),
    );
    await page.getByRole('button', { name: 'Importar' }).click();
    await page.waitForLoadState();
    expect(await page.locator('[role="status"]').first().innerText()).toContain('2 recibidas, 2 confirmadas');
    const total = Number(await page.locator('[data-total]').innerText());
    expect(total).toBeGreaterThanOrEqual(2);
    await checkPage(page, 'editor-subscribers-es');

    await page.getByLabel('Correo electrónico').fill(a.toUpperCase());
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL('**email=**');
    const found = await page.locator('.notice').first().innerText();
    expect(found).toContain('Estado: activa');
    expect(found).toContain('Chile');
    await page.getByLabel('Correo electrónico').fill(address('nobody'));
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.waitForURL('**email=**');
    expect(await page.locator('[role="alert"]').innerText()).toContain('No hay ningún suscriptor');
    expect(await page.locator('main').innerText()).toContain('No hay direcciones bloqueadas.');
    await context.close();
  });
});

describe('editions', () => {
  test('compose from the seed items, preview per segment at phone and desktop width, pre-flight, test send', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Editions' }).click();
    await page.waitForURL('**/en/editor/editions');
    await page.getByLabel('Subject').fill('Pacific Alliance weekly');
    await page.getByLabel('Intro (optional)').fill('The week in the bloc.');
    const picks = page.locator('input[name="itemIds"]');
    for (let i = 0; i < 4; i++) await picks.nth(i).check();
    await checkPage(page, 'editor-editions-en');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/en\/editor\/editions\/[^/?]+$/);
    expect(await page.locator('[data-state]').innerText()).toBe('draft');
    expect(await page.locator('#items-h ~ ol li').count()).toBe(4);

    // Preview: both widths of the same segment, the email's HTML in sandboxed frames.
    const frames = page.locator('.previews iframe');
    expect(await frames.count()).toBe(2);
    expect(await page.locator('.previews .phone iframe').evaluate((f) => (f as HTMLIFrameElement).getBoundingClientRect().width)).toBe(375);
    const phone = page.frameLocator('.previews .phone iframe');
    expect(await phone.locator('body').innerText()).toContain('Pacific Alliance weekly');
    expect(await page.locator('[data-preview-items]').innerText()).toBe('This segment gets 4 items.');
    expect(await page.locator('#preflight-h + p').innerText()).toBe('All clear.');
    expect(await page.locator('#preflight-h + *').innerText()).toBeTruthy();
    await checkPage(page, 'editor-edition-draft-en');
    await page.locator('#preview-h').evaluate((h) => h.scrollIntoView());
    await screenshots(page, 'editor-edition-preview-en');

    // Another segment, in Spanish.
    await page.getByLabel('Language of the emails').selectOption('es');
    await page.getByRole('button', { name: 'Show preview' }).click();
    await page.waitForURL('**language=es**');
    expect(await page.frameLocator('.previews .desktop iframe').locator('html').getAttribute('lang')).toBe('es');

    // Test send to one address.
    const tester = address('tester');
    await page.getByLabel('Addresses (comma-separated)').fill(tester);
    await page.getByRole('button', { name: 'Send test' }).click();
    await page.waitForURL('**ok=1**');
    const [test1] = await waitForEmails(tester, 1);
    expect(test1?.subject).toContain('[TEST]');

    // A link that is not https is a pre-flight warning (shown once, though every language's email has it).
    const added = await site.runtime.http.request('/api/items', {
      method: 'POST',
      headers: editorHeaders,
      body: JSON.stringify({ title: 'Insecure link', link: `http://insecure.example.org/${randomUUID()}`, countries: ['pe'], topics: ['tourism-culture'] }),
    });
    expect(added.status).toBe(201);
    const insecureId = ((await added.json()) as { id: string }).id;
    await page.goto('/en/editor/editions');
    await page.getByLabel('Subject').fill('Has a plain http link');
    await page.locator(`input[name="itemIds"][value="${insecureId}"]`).check();
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/en\/editor\/editions\/[^/?]+$/);
    expect(await page.locator('#preflight-h + ul li').allInnerTexts()).toEqual([expect.stringMatching(/^Warning: A link is not https: http:\/\/insecure/)]);
    expect(await page.getByRole('button', { name: 'Send now' }).isDisabled()).toBe(false);

    // An edition the pre-flight finds an error in (no items: everything since a future date) cannot be sent from the page.
    const empty = await site.runtime.http.request('/api/editions', { method: 'POST', headers: editorHeaders, body: JSON.stringify({ subject: 'Nothing yet', since: '2099-01-01T00:00:00Z' }) });
    const emptyId = ((await empty.json()) as { id: string }).id;
    await page.goto(`/en/editor/editions/${emptyId}`);
    expect(await page.locator('#preflight-h + ul').innerText()).toMatch(/^Error: /);
    expect(await page.getByRole('button', { name: 'Send now' }).isDisabled()).toBe(true);
    await context.close();
  });

  test('schedule an edition for later, then cancel it; the history shows its state, in Spanish', async () => {
    const context = await newContext(site);
    const page = await context.newPage();
    await signIn(page, 'es');
    await page.goto('/es/editor/editions');
    const subject = `Programada ${randomUUID().slice(0, 6)}`;
    await page.getByLabel('Asunto').fill(subject);
    await page.locator('input[name="itemIds"]').first().check();
    await page.getByRole('button', { name: 'Crear borrador' }).click();
    await page.waitForURL(/\/es\/editor\/editions\/[^/?]+$/);
    await page.getByLabel('Fecha y hora (UTC)').fill('2099-06-01T09:30');
    await page.getByRole('button', { name: 'Programar' }).click();
    await page.waitForURL('**ok=1**');
    expect(await page.locator('[data-state]').innerText()).toBe('programada');
    expect(await page.locator('#progress-h ~ p').first().innerText()).toContain('1 jun 2099');
    await checkPage(page, 'editor-edition-scheduled-es');
    await page.getByRole('button', { name: 'Cancelar' }).click();
    await page.waitForURL('**ok=1**');
    expect(await page.locator('[data-state]').innerText()).toBe('cancelada');
    expect(await page.getByRole('button', { name: 'Enviar ahora' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Ediciones' }).click();
    const row = page.locator('tbody tr', { hasText: subject });
    expect(await row.locator('.pill').innerText()).toBe('cancelada');
    await context.close();
  });
});
