// Browser support for the end-to-end tests: the local runtime served on a free 127.0.0.1 port, Debian's Chromium
// driven by playwright-core, axe-core on every page, screenshots at phone and desktop width, and the SES local inbox.
import { createServer } from 'node:net';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, inject, expect } from 'vitest';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { testEditorToken, testRuntime } from '../support/runtime.js';
import { seedDigestPath, seedSourceUrl } from '../../lambdas/local/seed.js';
import type { LocalRuntime } from '../../lambdas/local/runtime.js';

export const screenshotDir = resolve(import.meta.dirname, '../../test-artifacts/screenshots');
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function freePort(): Promise<number> {
  return new Promise((ready, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => ready(port));
    });
  });
}

export interface Site {
  runtime: LocalRuntime;
  baseUrl: string;
  browser: Browser;
  stop(): Promise<void>;
}

/** The site for the test file that calls it: started before its tests (handed to `started`), stopped after them. */
export function useSite(started: (site: Site) => void, env: Record<string, string> = {}): void {
  let site: Site | undefined;
  beforeAll(async () => {
    site = await startSite(env);
    started(site);
  }, 60_000);
  afterAll(async () => {
    await site?.stop();
  });
}

/** The whole service (its own table, the seed news) on a local port, and a browser. */
export async function startSite(env: Record<string, string> = {}): Promise<Site> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const runtime = await testRuntime({ STAGE: 'test', LOG_LEVEL: 'ERROR', PUBLIC_BASE_URL: baseUrl, SUBSCRIBE_IP_LIMIT_PER_HOUR: '1000', ...env });
  await runtime.importDigest(await readFile(seedDigestPath, 'utf8'), seedSourceUrl);
  const server = await new Promise<ServerType>((ready, fail) => {
    const s = serve({ fetch: runtime.http.fetch, hostname: '127.0.0.1', port }, () => ready(s));
    s.once('error', fail);
  });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs });
  return {
    runtime,
    baseUrl,
    browser,
    async stop() {
      await browser.close();
      runtime.stop();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/** A browser context; `locale` is the language it asks for (its Accept-Language). */
export async function newContext(site: Site, width = 1280, locale = 'es-ES'): Promise<BrowserContext> {
  // bypassCSP only so the test can inject axe-core; the pages themselves never need inline scripts.
  const context = await site.browser.newContext({ baseURL: site.baseUrl, viewport: { width, height: 900 }, locale, bypassCSP: true });
  // Fail a step with Playwright's own message well before the test's timeout.
  context.setDefaultTimeout(8_000);
  return context;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[]; failureSummary?: string }>;
}

/** Runs axe-core on the page; fails on any serious or critical violation, naming the rule and the elements. */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  await page.addScriptTag({ path: axePath });
  const violations = (await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  })) as AxeViolation[];
  const bad = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(bad, `axe on ${label}`).toEqual([]);
}

/** Screenshots of the page as it is, at 375 px and 1280 px wide, into test-artifacts/screenshots/<name>-<width>.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const before = page.viewportSize() ?? { width: 1280, height: 900 };
  // What a phone and a desktop show first (viewport only: full pages would make large files for the README).
  for (const [width, height] of [[375, 812], [1280, 1000]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(screenshotDir, `${name}-${width}.png`), animations: 'disabled' });
  }
  await page.setViewportSize(before);
}

/** Signs in to the console with the editor token, in that language, and lands on the items page. */
export async function signIn(page: Page, lang: 'es' | 'en' = 'en'): Promise<void> {
  await page.goto(`/${lang}/editor`);
  await page.waitForURL(`**/${lang}/editor/sign-in**`);
  await page.getByLabel(lang === 'es' ? 'Clave de edición' : 'Editor token').fill(testEditorToken);
  await page.getByRole('button', { name: lang === 'es' ? 'Entrar' : 'Sign in' }).click();
  await page.waitForURL(`**/${lang}/editor/items**`);
}

/** Accessibility check and screenshots of the page as it is now. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await expectAccessible(page, name);
  await screenshots(page, name);
}

// ---- SES local inbox --------------------------------------------------------------------------------------------

export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc?: string[]; bcc?: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
  at?: number;
}

export async function inbox(address: string): Promise<StoredEmail[]> {
  const res = await fetch(`${inject('sesEndpoint')}/store`);
  const store = (await res.json()) as { emails: StoredEmail[] };
  return store.emails.filter((e) => e.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}

export async function waitForEmails(address: string, count: number, timeoutMs = 15_000): Promise<StoredEmail[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const emails = await inbox(address);
    if (emails.length >= count || Date.now() > until) return emails;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const linksIn = (html: string): string[] => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
