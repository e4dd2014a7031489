// The edge of the HTTP app: requests that did not come through CloudFront are refused, the client address is one no
// caller can forge, and a deployed service refuses a weak editor token at start.
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../lambdas/adapters/http/app.js';
import { composeApp } from '../../lambdas/composition-root.js';
import { ConfigError, loadConfig } from '../../lambdas/config.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';

const originSecret = 'origin-verify-secret-0123456789abcdef';

function httpApp(env: Record<string, string>) {
  return createHttpApp(
    composeApp({
      config: loadConfig({ LOG_LEVEL: 'ERROR', SIGNING_SECRET: 'edge-test-signing-secret-0123456789abcdef', ...env }),
      // Never reached by these routes: taxonomy is static.
      doc: createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
      ses: createSesClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
      clock: { now: () => new Date('2024-01-01T00:00:00Z') },
      background: { enqueue: async () => undefined, schedule: async () => undefined },
    }),
  );
}

describe('origin guard (ORIGIN_VERIFY_SECRET)', () => {
  const app = httpApp({ ORIGIN_VERIFY_SECRET: originSecret });
  it('refuses a request without X-Origin-Verify, or with a wrong one, before any route runs', async () => {
    for (const headers of [{} as Record<string, string>, { 'x-origin-verify': 'wrong' }, { 'x-origin-verify': `${originSecret}x` }, { 'x-origin-verify': '' }]) {
      const res = await app.request('/api/taxonomy', { headers });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('request.notThroughCdn');
    }
  });
  it('answers a person who opened a page at the raw address with a page in its language and the public address', async () => {
    for (const [path, words] of [['/es/archive', 'Esta no es la dirección del sitio.'], ['/en/editor', 'This is not the site’s address.']] as const) {
      const res = await app.request(path, {});
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const page = await res.text();
      expect(page).toContain(words);
      expect(page).toContain(`href="http://127.0.0.1:3000/${path.slice(1, 3)}/"`);
    }
  });
  it('lets CloudFront’s requests through', async () => {
    expect((await app.request('/api/taxonomy', { headers: { 'x-origin-verify': originSecret } })).status).toBe(200);
  });
  it('is off when no secret is configured (locally)', async () => {
    expect((await httpApp({}).request('/api/taxonomy')).status).toBe(200);
  });
});

describe('config: the editor token where the service is deployed', () => {
  const strong = 'Vq3xN8pL2mR7tY5wZ1aB4cD6eF9gH0jKsU';
  it('refuses a short or low-entropy token when STAGE is not local', () => {
    for (const token of ['short-token-0123456789', 'a'.repeat(40), 'abababababababababababababababab', '0000000011111111000000001111111100']) {
      expect(() => loadConfig({ STAGE: 'prod', EDITOR_TOKEN: token })).toThrow(ConfigError);
      expect(() => loadConfig({ STAGE: 'prod', EDITOR_TOKEN: token })).toThrow(/EDITOR_TOKEN: must be at least 32 random characters/);
    }
  });
  it('accepts a random one, and anything locally', () => {
    expect(loadConfig({ STAGE: 'prod', EDITOR_TOKEN: strong }).EDITOR_TOKEN).toBe(strong);
    expect(loadConfig({ STAGE: 'prod', EDITOR_TOKEN: 'k7Jd0Qz3mXo9B2vLw8Yc5Nf1Rt6Hs4Ga0Pe=' }).EDITOR_TOKEN).toBeDefined();
    expect(loadConfig({ EDITOR_TOKEN: 'local-token-0123' }).EDITOR_TOKEN).toBe('local-token-0123');
  });
  it('checks TRUST_FORWARDED_FOR', () => {
    expect(loadConfig({}).TRUST_FORWARDED_FOR).toBe(0);
    expect(() => loadConfig({ TRUST_FORWARDED_FOR: '-1' })).toThrow(ConfigError);
  });
});

describe('an address nothing serves', () => {
  const app = httpApp({});
  it('is the site\'s 404 page for a browser, in its language, and JSON for a program', async () => {
    const browser = await app.request('/nothing-here', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', 'accept-language': 'en' } });
    expect(browser.status).toBe(404);
    expect(await browser.text()).toContain('Page not found');
    const program = await app.request('/nothing-here', { headers: { accept: '*/*' } });
    expect(program.status).toBe(404);
    expect(((await program.json()) as { error: { code: string } }).error.code).toBe('route.notFound');
    const api = await app.request('/api/nothing', { headers: { accept: 'text/html' } });
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('route.notFound');
  });
});
