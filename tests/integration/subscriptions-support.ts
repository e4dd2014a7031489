// Shared set-up for the subscription integration tests: an app on a fresh table, SES local, a movable clock.
import { inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { freshTable } from '../support/dynamo.js';
import { createHttpApp } from '../../lambdas/adapters/http/app.js';
import { composeApp, type AppParts } from '../../lambdas/composition-root.js';
import { loadConfig } from '../../lambdas/config.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';

export const secret = 'test-signing-secret-0123456789-abcdefghij';
export const editorToken = 'test-editor-token-0123456789-abcdefghij';
export const baseUrl = 'https://news.example';

export async function subscriptionApp(env: Record<string, string> = {}, parts: Pick<AppParts, 'signInLimits' | 'renderer'> = {}) {
  const { doc, tableName } = await freshTable('subs');
  const sesEndpoint = inject('sesEndpoint');
  let now = new Date();
  const clock = { now: () => now };
  const config = loadConfig({
    STAGE: 'test',
    SIGNING_SECRET: secret,
    EDITOR_TOKEN: editorToken,
    PUBLIC_BASE_URL: baseUrl,
    SUBSCRIBE_IP_LIMIT_PER_HOUR: '10000',
    // No answer-time floor unless a test measures it (tests/integration/subscriptions-timing.test.ts).
    SUBSCRIBE_ANSWER_FLOOR_MS: '0',
    // The requests below come through one stand-in proxy that appends the reader's address.
    TRUST_FORWARDED_FOR: '1',
    TABLE_NAME: tableName,
    LOG_LEVEL: 'WARN',
    ...env,
  });
  const app = composeApp({
    config,
    doc,
    ses: createSesClient({ region: 'us-east-1', endpoint: sesEndpoint }),
    clock,
    background: { enqueue: async () => undefined, schedule: async () => undefined },
    // Wrong editor tokens in these tests count (the limit has its own tests) but do not wait.
    ...parts,
    signInLimits: { sleep: async () => undefined, ...parts.signInLimits },
  });
  const http = createHttpApp(app);
  let ipCounter = 0;
  const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    http.request(path, {
      method,
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${(ipCounter++ % 250) + 1}`, 'user-agent': 'vitest', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const editor = (method: string, path: string, body?: unknown) => json(method, path, body, { authorization: `Bearer ${editorToken}` });
  return {
    app,
    http,
    doc,
    tableName,
    repo: app.repos.subscribers,
    clock,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    json,
    editor,
    subscribe: (email: string, extra: Record<string, unknown> = {}) =>
      json('POST', '/api/subscriptions', { email, countries: ['cl'], topics: ['trade-investment'], language: 'en', frequency: 'instant', ...extra }),
  };
}

export const uniqueAddress = (name = 'reader') => `${name}-${randomUUID().slice(0, 8)}@example.org`;

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

/** Emails SES local holds for one recipient (the store is shared by every test: filter by unique addresses). */
export async function inbox(address: string): Promise<StoredEmail[]> {
  const res = await fetch(`${inject('sesEndpoint')}/store`);
  const store = (await res.json()) as { emails: StoredEmail[] };
  return store.emails.filter((e) => e.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()));
}

export function confirmTokenOf(email: StoredEmail): string {
  const match = /\/confirm\/([A-Za-z0-9._~%-]+)/.exec(email.body.text ?? '');
  if (!match?.[1]) throw new Error('no confirmation link in the email');
  return decodeURIComponent(match[1]);
}

export const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
