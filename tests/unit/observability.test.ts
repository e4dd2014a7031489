// Logs carry a correlation id per request, and never a token or a full email address.
import { describe, expect, it } from 'vitest';
import { createHttpApp } from '../../lambdas/adapters/http/app.js';
import { composeApp } from '../../lambdas/composition-root.js';
import { loadConfig } from '../../lambdas/config.js';
import { createDocumentClient } from '../../lambdas/adapters/dynamo/client.js';
import { createSesClient } from '../../lambdas/adapters/ses/mailer.js';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logger, recordCounts } from '../../lambdas/adapters/observability.js';
import { maskEmail } from '../../lambdas/core/shared/text.js';

const app = createHttpApp(composeApp({
  config: loadConfig({ EDITOR_TOKEN: 'editor-token-0123456789', SIGNING_SECRET: 'observability-secret-0123456789abcdef', LOG_LEVEL: 'WARN' }),
  // Never reached by these routes: taxonomy is static.
  doc: createDocumentClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
  ses: createSesClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
  clock: { now: () => new Date('2024-01-01T00:00:00Z') },
  background: { enqueue: async () => undefined, schedule: async () => undefined },
}));

describe('correlation ids', () => {
  it('takes the caller’s X-Request-Id, echoes it and sets it on the logger', async () => {
    const res = await app.request('/api/taxonomy', { headers: { 'x-request-id': 'req-123' } });
    expect(res.headers.get('x-request-id')).toBe('req-123');
    expect(logger.getCorrelationId()).toBe('req-123');
  });

  it('makes a new one per request when none is given', async () => {
    const a = (await app.request('/api/taxonomy')).headers.get('x-request-id');
    const b = (await app.request('/api/taxonomy')).headers.get('x-request-id');
    expect(a).toMatch(/^[0-9a-f-]{36}$/);
    expect(b).not.toBe(a);
  });
});

describe('maskEmail', () => {
  it('keeps the first letter and the domain only', () => {
    expect(maskEmail('maria.perez@example.org')).toBe('m***@example.org');
  });
});

describe('metrics', () => {
  it('turns an invocation’s counts into CloudWatch metrics (EMF), leaving zero counts out', () => {
    const sink = new Metrics({ namespace: 'Test', serviceName: 'news' });
    recordCounts(sink, { ItemsNew: 3, ItemsUpdated: 0, SourceErrors: 1 });
    const emf = sink.serializeMetrics() as unknown as { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string; Unit: string }> }> }; ItemsNew: number; SourceErrors: number };
    expect(emf._aws.CloudWatchMetrics[0]!.Namespace).toBe('Test');
    expect(emf._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual(['ItemsNew', 'SourceErrors']);
    expect(emf._aws.CloudWatchMetrics[0]!.Metrics.every((m) => m.Unit === 'Count')).toBe(true);
    expect(emf.ItemsNew).toBe(3);
    expect(emf.SourceErrors).toBe(1);
  });
});
