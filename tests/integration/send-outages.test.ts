// Fault injection on the local runtime (durable queue and scheduler on DynamoDB Local, as `npm start` runs them):
// DynamoDB and SES taken away mid-send through a TCP proxy and brought back, and SES throttling for longer than the
// queue's redelivery window. After each the edition finishes on its own, SES local's store (read from outside) holds
// exactly one email per recipient, and the counts add up. The times printed feed docs/newsletters.md.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { testRuntime } from '../support/runtime.js';
import { tcpProxy, throttlingGate } from '../support/tcp-proxy.js';
import { sleep, until } from '../support/npm-start.js';
import { addsUp, judge, witnessed, type SendCounts } from '../support/witness.js';
import { anItem, aSubscriber } from '../support/editions-fixtures.js';
import type { SubscriberRecord } from '../../lambdas/core/subscriptions/model.js';
import type { LocalRuntime } from '../../lambdas/local/runtime.js';

const base = { SES_MAX_SEND_RATE: '6', SEND_CHUNK_SIZE: '4', SEND_IN_DOUBT_AFTER_SECONDS: '2', LOCAL_QUEUE_VISIBILITY_SECONDS: '1', LOG_LEVEL: 'ERROR' };
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function begin(env: Record<string, string>, people: number) {
  const runtime = await testRuntime({ ...base, ...env });
  cleanups.push(() => runtime.stop(0));
  const domain = `out-${randomUUID().slice(0, 8)}.example.org`;
  const item = anItem({ id: `it-${domain}`, countries: ['cl', 'co', 'mx', 'pe'], blocWide: true, topics: ['climate-environment'], publishedAt: '2026-11-20T12:00:00.000Z' });
  await runtime.app.repos.items.put(item, undefined);
  const emails: string[] = [];
  for (let n = 0; n < people; n++) {
    const s = aSubscriber({ id: `${domain}-p${n}`, email: `p${n}@${domain}`, language: 'en' });
    await runtime.app.repos.subscribers.create({ ...s, consent: {}, origin: 'api' } as SubscriberRecord);
    emails.push(s.email);
  }
  const api = (method: string, path: string, body?: unknown) =>
    runtime.http.request(path, { method, headers: { authorization: `Bearer ${runtime.app.config.EDITOR_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const created = await api('POST', '/api/editions', { subject: 'Outage', itemIds: [item.id] });
  const { id } = (await created.json()) as { id: string };
  expect((await api('POST', `/api/editions/${id}/send`, {})).status).toBe(202);
  const view = async () => (await (await api('GET', `/api/editions/${id}`)).json()) as { state: string; counts: SendCounts; deadLettered?: { chunks: number; recipients: number } };
  return { runtime, id, emails, view };
}

async function finished(run: { runtime: LocalRuntime; id: string; emails: string[]; view: () => Promise<{ state: string; counts: SendCounts }> }, fault: string, restoredAt: number) {
  const sesEndpoint = inject('sesEndpoint');
  const before = (await witnessed(sesEndpoint, run.id)).length;
  const resumed = await until('SES to accept again', async () => ((await witnessed(sesEndpoint, run.id)).length > before ? Date.now() : undefined), 60_000, 50).catch(() => undefined);
  await until('the edition sent', async () => ((await run.view()).state === 'sent' ? true : undefined), 90_000, 250);
  const view = await run.view();
  const verdict = judge(await witnessed(sesEndpoint, run.id), run.emails);
  console.log(`${fault}, ${run.emails.length} recipients: ${JSON.stringify({ ...verdict, recoverS: resumed && (resumed - restoredAt) / 1000, counts: view.counts })}`);
  expect(verdict).toEqual({ duplicates: 0, losses: 0 });
  expect(view.counts).toMatchObject({ planned: run.emails.length, sent: run.emails.length, inDoubt: 0, queued: 0 });
  expect(addsUp(view.counts)).toBe(true);
}

const mailedSoFar = async (id: string, n: number) => until(`${n} emails`, async () => ((await witnessed(inject('sesEndpoint'), id)).length >= n ? true : undefined), 30_000, 50);

describe('outages mid-send on the local runtime', () => {
  it('DynamoDB unreachable for 20 s mid-send', async () => {
    const proxy = await tcpProxy(inject('dynamoEndpoint'));
    cleanups.push(() => proxy.close());
    const run = await begin({ DYNAMO_ENDPOINT: proxy.endpoint }, 16);
    run.runtime.startSchedules();
    await mailedSoFar(run.id, 4);
    await proxy.cut();
    await sleep(20_000);
    await proxy.restore();
    await finished(run, 'DynamoDB unreachable 20 s', Date.now());
  }, 150_000);

  it('SES unreachable for longer than a chunk\'s retries (6 s)', async () => {
    const proxy = await tcpProxy(inject('sesEndpoint'));
    cleanups.push(() => proxy.close());
    const run = await begin({ SES_ENDPOINT: proxy.endpoint }, 16);
    run.runtime.startSchedules();
    await mailedSoFar(run.id, 4);
    await proxy.cut();
    await sleep(6_000);
    await proxy.restore();
    await finished(run, 'SES unreachable 6 s', Date.now());
  }, 120_000);

  it('SES throttling for longer than the redelivery window (8 s against 1 s x 3 receives): dead-lettered chunks are settled', async () => {
    const gate = await throttlingGate(inject('sesEndpoint'));
    cleanups.push(() => gate.close());
    const run = await begin({ SES_ENDPOINT: gate.endpoint, LOCAL_QUEUE_MAX_RECEIVE_COUNT: '3' }, 16);
    run.runtime.startSchedules();
    await mailedSoFar(run.id, 4);
    gate.throttling = true;
    await sleep(8_000);
    gate.throttling = false;
    await finished(run, 'SES throttling 8 s (window 3 s)', Date.now());
  }, 120_000);
});
