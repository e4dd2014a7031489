// A page whose store is unreachable answers with an HTML page in its language (500), never a stack trace or JSON.
import { expect, test, vi } from 'vitest';
import { newRouter } from '../../lambdas/adapters/http/router.js';
import { pageRoutes } from '../../lambdas/adapters/http/routes/pages.js';
import { loadConfig } from '../../lambdas/config.js';
import { composeApp } from '../../lambdas/composition-root.js';
import { logger } from '../../lambdas/adapters/observability.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';

test('an unreachable store gives a 500 page in the path\'s language, with nothing of the error in it', async () => {
  const config = loadConfig({ EDITOR_TOKEN: 'page-errors-token-0123456789-abcdefghij', SIGNING_SECRET: 'page-errors-secret-0123456789abcdef', STAGE: 'test', TABLE_NAME: 'nowhere', LOG_LEVEL: 'WARN' });
  const dead = 'http://127.0.0.1:9';
  const services = composeApp({
    config,
    doc: createDocumentClient({ region: 'us-east-1', endpoint: dead }),
    ses: createSesClient({ region: 'us-east-1', endpoint: dead }),
    clock: { now: () => new Date() },
    background: { enqueue: async () => undefined, schedule: async () => undefined },
  });
  const app = newRouter();
  app.route('/', pageRoutes(services));
  // The failure is logged once, through the one logger (whose JSON lines never carry the error to the page).
  const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  try {
    const res = await app.request('/es/items/some-item');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await res.text();
    expect(body).toContain('Algo falló de nuestro lado');
    expect(body).not.toMatch(/ECONNREFUSED|at .*\.ts|127\.0\.0\.1:9/);
    expect(errors).toHaveBeenCalledTimes(1);
  } finally {
    errors.mockRestore();
  }
}, 20_000);
