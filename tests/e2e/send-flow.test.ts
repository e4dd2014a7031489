// The whole story in a real browser: a visitor subscribes and confirms; an editor composes an edition from the seed
// items, previews it, sends it and watches the progress bar finish; the subscriber's inbox holds exactly the matching
// items once; the email's one-click unsubscribe works; the next send skips them; the "view in browser" link opens
// the edition in the archive.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { editorHeaders, testEditorToken } from '../support/runtime.js';
import { itemMatches } from '../../lambdas/core/subscriptions/model.js';
import { checkPage, inbox, linksIn, newContext, startSite, waitForEmails, type Site } from './browser.js';

let site: Site;

beforeAll(async () => {
  // A slow SES rate, so that a send of a few dozen messages lasts long enough to pause and resume it by hand.
  // Reads the item links as sources wrote them (no click links). A chunk under way at a pause comes back after the
  // queue's visibility timeout: 20 s here, not the default 120 s (the in-doubt bound lowered to match the config check).
  site = await startSite({ SES_MAX_SEND_RATE: '5', CLICK_TRACKING: 'off', LOCAL_QUEUE_VISIBILITY_SECONDS: '20', SEND_IN_DOUBT_AFTER_SECONDS: '60' });
}, 60_000);

afterAll(async () => {
  await site?.stop();
});

async function composeAndSend(page: Page, subject: string, itemIds: string[], options: { reachesNobody?: boolean } = {}): Promise<string> {
  await page.goto('/en/editor/editions');
  await page.getByLabel('Subject').fill(subject);
  for (const id of itemIds) await page.locator(`input[name="itemIds"][value="${id}"]`).check();
  await page.getByRole('button', { name: 'Create draft' }).click();
  await page.waitForURL(/\/en\/editor\/editions\/[^/?]+$/);
  const editionId = decodeURIComponent(page.url().split('/').pop()!);
  // The preview of the whole audience, at phone width, is the email the editor is about to send.
  expect(await page.frameLocator('.previews .phone iframe').locator('body').innerText()).toContain(subject);
  if (options.reachesNobody) {
    // A send that reaches nobody may go (it completes at once and stays out of the archive), but the pre-flight says so.
    expect(await page.locator('#preflight-h + ul').innerText()).toBe('Warning: Nobody would receive this edition: no confirmed subscriber in its audience gets any of its items.');
  } else {
    expect(await page.locator('#preflight-h + p').innerText()).toBe('All clear.');
  }
  await page.getByRole('button', { name: 'Send now' }).click();
  // "Send now" asks first, saying how many it reaches.
  await page.getByRole('button', { name: /^Yes, send to \d+ subscribers?$/ }).click();
  await page.waitForURL('**ok=1**');
  // The page's script polls the edition and moves the bar; it reloads the page when the send is over.
  await page.locator('[data-state]', { hasText: 'sent' }).waitFor({ timeout: 30_000 });
  return editionId;
}

test('subscribe, confirm, compose, preview, send, watch it finish; exactly the matching items arrive once; one-click unsubscribe; the next send skips them', async () => {
  // A visitor subscribes to Peru and climate news in English, and confirms.
  const email = `reader-${randomUUID().slice(0, 8)}@example.org`;
  const context = await newContext(site);
  const page = await context.newPage();
  await page.goto('/en/');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Peru').check();
  await page.getByLabel('Climate and environment').check();
  await page.getByLabel('English', { exact: true }).check();
  await page.getByRole('button', { name: 'Subscribe' }).click();
  await page.waitForURL('**/en/check-inbox');
  const [confirmation] = await waitForEmails(email, 1);
  await page.goto(linksIn(confirmation!.body.html ?? '').find((l) => l.includes('/confirm/'))!);
  await page.getByRole('button').click();
  await page.waitForLoadState();
  const status = (await (await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders })).json()) as { status: string };
  expect(status.status).toBe('confirmed');

  // The editor signs in and composes an edition from seed items: some match the reader, some do not.
  const editor = await newContext(site);
  const console_ = await editor.newPage();
  await console_.goto('/en/editor/sign-in');
  await console_.getByLabel('Editor token').fill(testEditorToken);
  await console_.getByRole('button', { name: 'Sign in' }).click();
  await console_.waitForURL('**/en/editor/items');
  const items = site.runtime.app.repos.items;
  const seed = (await items.listScope('all', { limit: 40 })).items;
  const prefs = { countries: ['pe'], topics: ['climate-environment'] };
  const matching = seed.filter((i) => itemMatches(i, prefs)).slice(0, 3);
  const others = seed.filter((i) => !itemMatches(i, prefs)).slice(0, 3);
  expect(matching.length).toBeGreaterThan(0);
  expect(others.length).toBeGreaterThan(0);
  const chosen = [...matching, ...others];

  const subject = `Edition ${randomUUID().slice(0, 6)}`;
  const editionId = await composeAndSend(console_, subject, chosen.map((i) => i.id));
  expect(await console_.locator('#progress-bar').getAttribute('value')).toBe('100');
  expect(Number(await console_.locator('[data-count="sent"]').innerText())).toBeGreaterThanOrEqual(1);
  await checkPage(console_, 'editor-edition-sent-en');

  // The reader got exactly one email of this edition, holding exactly the matching items.
  const received = (await waitForEmails(email, 2)).filter((e) => e.subject === subject);
  expect(received).toHaveLength(1);
  const html = received[0]!.body.html ?? '';
  const links = linksIn(html);
  for (const item of matching) expect(links, item.title).toContain(item.link);
  for (const item of others) expect(links, item.title).not.toContain(item.link);
  const seedLinks = new Set(seed.map((i) => i.link));
  expect(new Set(links.filter((l) => seedLinks.has(l)))).toEqual(new Set(matching.map((i) => i.link)));

  // "View in browser" opens the edition's web page.
  const archiveLink = links.find((l) => l.includes(`/archive/${editionId}`));
  expect(archiveLink).toBeDefined();
  await page.goto(archiveLink!);
  expect(await page.locator('h1').innerText()).toBe(subject);

  // One-click unsubscribe (RFC 8058) from the List-Unsubscribe header.
  const header = received[0]!.headers?.find((h) => h.name.toLowerCase() === 'list-unsubscribe')?.value ?? '';
  const oneClick = header.match(/<(https?:[^>]+)>/)?.[1];
  expect(oneClick).toBeDefined();
  // Its GET is a page with a button that changes nothing.
  await page.goto(oneClick!);
  await checkPage(page, 'one-click-unsubscribe');
  const res = await fetch(oneClick!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
  expect(res.status).toBe(200);
  const left = (await (await site.runtime.http.request(`/api/subscribers?email=${encodeURIComponent(email)}`, { headers: editorHeaders })).json()) as { status: string };
  expect(left.status).toBe('unsubscribed');

  // The next send skips them.
  const second = `Edition ${randomUUID().slice(0, 6)}`;
  await composeAndSend(console_, second, matching.map((i) => i.id), { reachesNobody: true });
  expect((await inbox(email)).filter((e) => e.subject === second)).toHaveLength(0);
  await context.close();
  await editor.close();
});

test('the editor pauses a send midway and resumes it; the bar and counts move live and every recipient gets one email', async () => {
  const tag = randomUUID().slice(0, 6);
  const addresses = Array.from({ length: 40 }, (_, i) => `bulk-${tag}-${i}@example.org`);
  const imported = await site.runtime.http.request('/api/subscribers/import', {
    method: 'POST',
    headers: editorHeaders,
    body: JSON.stringify({
      sendConfirmations: false,
      subscribers: addresses.map((email) => ({ email, language: 'es', frequency: 'instant', consent: { at: '2026-01-02T10:00:00Z', wordingVersion: '2026-01', source: 'e2e' } })),
    }),
  });
  expect(((await imported.json()) as { confirmed: number }).confirmed).toBe(40);

  const editor = await newContext(site);
  const page = await editor.newPage();
  await page.goto('/es/editor/sign-in');
  await page.getByLabel('Clave de edición').fill(testEditorToken);
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.waitForURL('**/es/editor/items');
  await page.goto('/es/editor/editions');
  const subject = `Envío grande ${tag}`;
  await page.getByLabel('Asunto').fill(subject);
  await page.locator('input[name="itemIds"]').first().check();
  await page.getByRole('button', { name: 'Crear borrador' }).click();
  await page.waitForURL(/\/es\/editor\/editions\/[^/?]+$/);
  await page.getByRole('button', { name: 'Enviar ahora' }).click();
  await page.getByRole('button', { name: /^Sí, enviar a \d+ suscriptor(es)?$/ }).click();
  await page.waitForURL('**ok=1**');

  // The script moves the bar without a reload: wait for some, not all, to be sent, then pause.
  await page.waitForFunction(() => {
    const sent = Number(document.querySelector('[data-count="sent"]')?.textContent ?? '0');
    const planned = Number(document.querySelector('[data-count="planned"]')?.textContent ?? '0');
    return sent > 0 && sent < planned;
  }, undefined, { timeout: 20_000 });
  const barMidway = Number(await page.locator('#progress-bar').getAttribute('value'));
  expect(barMidway).toBeGreaterThan(0);
  expect(barMidway).toBeLessThan(100);
  await page.getByRole('button', { name: 'Pausar' }).click();
  await page.waitForURL('**ok=1**');
  expect(await page.locator('[data-state]').innerText()).toBe('en pausa');
  await checkPage(page, 'editor-edition-paused-es');
  // Paused: in-flight messages settle, then the count stays put.
  await new Promise((r) => setTimeout(r, 1500));
  await page.reload();
  const settled = Number(await page.locator('[data-count="sent"]').innerText());
  await new Promise((r) => setTimeout(r, 1500));
  await page.reload();
  expect(Number(await page.locator('[data-count="sent"]').innerText())).toBe(settled);
  expect(settled).toBeLessThan(40);

  await page.getByRole('button', { name: 'Reanudar' }).click();
  await page.waitForURL('**ok=1**');
  // A chunk that was under way when the pause came is redelivered by the queue after its visibility timeout (20 s
  // here) rather than re-enqueued by the resume, so the tail of the send can take that long.
  await page.locator('[data-state]', { hasText: 'enviada' }).waitFor({ timeout: 90_000 });
  expect(await page.locator('#progress-bar').getAttribute('value')).toBe('100');
  for (const address of addresses) {
    const got = (await inbox(address)).filter((e) => e.subject === subject);
    expect(got, address).toHaveLength(1);
  }
  await editor.close();
}, 150_000);
