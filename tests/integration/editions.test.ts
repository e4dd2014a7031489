// The editor API for editions, on DynamoDB Local and SES local: contracts, auth, preview, pre-flight, test send,
// scheduling, state transitions, and the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anItem, aSubscriber } from '../support/editions-fixtures.js';
import { editorToken, sendHarness, type Harness } from '../support/send-harness.js';

const items = [
  anItem({ id: 'ed-a', title: 'Chile opens trade office', countries: ['cl'], topics: ['trade-investment'], publishedAt: '2026-11-20T10:00:00.000Z' }),
  anItem({ id: 'ed-b', title: 'Peru teacher training', countries: ['pe'], topics: ['education-skills'], publishedAt: '2026-11-21T10:00:00.000Z' }),
  anItem({ id: 'ed-c', title: 'Bloc climate pledge', countries: ['cl', 'co', 'mx', 'pe'], blocWide: true, topics: ['climate-environment'], publishedAt: '2026-11-22T10:00:00.000Z' }),
];

let h: Harness;
beforeAll(async () => {
  h = await sendHarness();
  await h.addItems(items);
});
afterAll(async () => h?.stop());

async function create(body: Record<string, unknown>) {
  const res = await h.api('POST', '/api/editions', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
const get = async (id: string) => (await (await h.api('GET', `/api/editions/${id}`)).json()) as Record<string, unknown> & { state: string; counts: Record<string, number> };

describe('editions API', () => {
  it('needs the editor token on every route (401 without it)', async () => {
    const id = await create({ subject: 'Auth', itemIds: ['ed-a'] });
    const paths: Array<[string, string]> = [
      ['POST', '/api/editions'],
      ['GET', `/api/editions/${id}`],
      ['PUT', `/api/editions/${id}`],
      ['POST', `/api/editions/${id}/send`],
      ['POST', `/api/editions/${id}/pause`],
      ['POST', `/api/editions/${id}/resume`],
      ['POST', `/api/editions/${id}/cancel`],
      ['GET', `/api/editions/${id}/preview`],
      ['GET', `/api/editions/${id}/preflight`],
      ['POST', `/api/editions/${id}/test`],
    ];
    for (const [method, path] of paths) {
      const res = await h.http.request(path, { method, headers: { authorization: 'Bearer wrong-token-wrong-token' } });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.required');
    }
  });

  it('creates a draft (201 {"id"}) and reports state, counts and rate', async () => {
    const id = await create({ subject: 'Weekly', intro: 'Hi', itemIds: ['ed-a', 'ed-c'], audience: { countries: ['cl'], languages: ['en'] } });
    const view = await get(id);
    expect(view).toMatchObject({ id, state: 'draft', subject: 'Weekly', rate: 0, itemIds: ['ed-a', 'ed-c'] });
    expect(view.counts).toEqual({ planned: 0, sent: 0, skipped: 0, suppressed: 0, failed: 0, inDoubt: 0, cancelled: 0, queued: 0 });
  });

  it('validates bodies with a code and a message', async () => {
    for (const body of [{}, { subject: '' }, { subject: 'x', audience: { countries: ['xx'] } }, { subject: 'x', since: 'yesterday' }, { subject: 'x', extra: 1 }]) {
      const res = await h.api('POST', '/api/editions', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: { code: string; message: string } }).error.code).toBe('request.invalid');
    }
    expect((await h.api('GET', '/api/editions/nope')).status).toBe(404);
  });

  it('changes a draft with PUT; unknown items are refused when it is sent', async () => {
    const id = await create({ subject: 'Draft', itemIds: ['ed-a'] });
    const res = await h.api('PUT', `/api/editions/${id}`, { subject: 'Draft 2', itemIds: ['ed-b', 'missing-item'] });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { subject: string }).subject).toBe('Draft 2');
    const send = await h.api('POST', `/api/editions/${id}/send`, {});
    expect(send.status).toBe(400);
    expect(((await send.json()) as { error: { code: string } }).error.code).toBe('edition.unknownItems');
  });

  it('previews the HTML of a segment: only its items, in its language', async () => {
    const id = await create({ subject: 'Preview', itemIds: ['ed-a', 'ed-b', 'ed-c'] });
    const res = await h.api('GET', `/api/editions/${id}/preview?countries=pe&language=es`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('Peru teacher training');
    expect(html).toContain('Bloc climate pledge');
    expect(html).not.toContain('Chile opens trade office');
    expect(html).toContain('Darme de baja');
    expect(html).toContain(`https://news.example.org/archive/${id}`);
    expect(html).not.toMatch(/\{\{|\{%/);
    expect((await h.api('GET', `/api/editions/${id}/preview?countries=zz`)).status).toBe(400);
  });

  it('pre-flight: passes a normal edition, and blocks the send of one with errors', async () => {
    const ok = await create({ subject: 'Fine', itemIds: ['ed-a'] });
    const good = (await (await h.api('GET', `/api/editions/${ok}/preflight`)).json()) as { ok: boolean; issues: unknown[] };
    expect(good.ok).toBe(true);

    await h.addItems([anItem({ id: 'ed-bad', link: 'javascript:alert(1)', title: 'Hi {{name}}' })]);
    const bad = await create({ subject: 'Bad', itemIds: ['ed-bad'] });
    const report = (await (await h.api('GET', `/api/editions/${bad}/preflight`)).json()) as { ok: boolean; issues: Array<{ code: string }> };
    expect(report.ok).toBe(false);
    expect(report.issues.map((i) => i.code)).toEqual(expect.arrayContaining(['preflight.brokenLink']));
    // Braces in what a source wrote are text for the reader, not a placeholder of ours.
    expect(report.issues.map((i) => i.code)).not.toContain('preflight.placeholder');
    const send = await h.api('POST', `/api/editions/${bad}/send`, {});
    expect(send.status).toBe(400);
    expect(((await send.json()) as { error: { code: string } }).error.code).toBe('edition.preflightFailed');
    expect((await get(bad)).state).toBe('draft');
  });

  it('an item whose title, summary and link hold merge fields or template tags passes the pre-flight, and its email carries no personal link there', async () => {
    const hostile = '{{preferences_url}} {{ unsubscribe_url }} {% if x %}';
    await h.addItems([anItem({ id: 'ed-braces', title: `Vote now ${hostile}`, summary: `Read ${hostile}`, link: `https://evil.example/collect?u=${hostile.replace(/\s/g, '')}` })]);
    const id = await create({ subject: `Braces ${hostile}`, intro: `Intro ${hostile}`, itemIds: ['ed-braces'] });
    const report = (await (await h.api('GET', `/api/editions/${id}/preflight`)).json()) as { ok: boolean; issues: Array<{ code: string; level: string }> };
    expect(report.issues.filter((i) => i.level === 'error')).toEqual([]);
    expect(report.ok).toBe(true);

    const to = `braces@${h.domain}`;
    expect((await h.api('POST', `/api/editions/${id}/test`, { emails: [to], language: 'en' })).status).toBe(202);
    const mail = (await h.inbox()).find((m) => m.destination.to.includes(to))!;
    expect(mail.subject).toBe(`[TEST] Braces ${hostile}`);
    const text = mail.body.text ?? '';
    expect(text).toContain(`Vote now ${hostile}`);
    expect(text).toContain(`Intro ${hostile}`);
    // Our footer holds each personal link once; the item's link is what the source wrote, unmerged.
    const personal = [...text.matchAll(/https?:\/\/\S*(?:preferences|unsubscribe)\S*/g)].map((m) => m[0]);
    expect(personal.length).toBeGreaterThanOrEqual(2);
    for (const link of personal) expect(text.split(link).length - 1, link).toBe(1);
    expect(text).toContain('https://evil.example/collect?u={{preferences_url}}{{unsubscribe_url}}{%ifx%}');
    expect(mail.body.html).toContain('Vote now {{preferences_url}} {{ unsubscribe_url }} {% if x %}');
  });

  it('refuses a subject with a line break (400 edition.subjectLineBreak); the intro keeps its lines', async () => {
    for (const subject of ['Weekly\r\nBcc: everyone@example.org', 'Weekly\nBcc: everyone@example.org', 'Weekly\rX: y']) {
      const res = await h.api('POST', '/api/editions', { subject, itemIds: ['ed-a'] });
      expect(res.status, JSON.stringify(subject)).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('edition.subjectLineBreak');
    }
    const id = await create({ subject: 'Fine', intro: 'Line one\nLine two', itemIds: ['ed-a'] });
    const put = await h.api('PUT', `/api/editions/${id}`, { subject: 'Changed\r\nBcc: x@example.org', itemIds: ['ed-a'] });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('edition.subjectLineBreak');
    expect((await get(id)).subject).toBe('Fine');
  });

  it('test-sends a segment to given addresses through SES (subject marked, counts untouched)', async () => {
    const id = await create({ subject: 'Try me', itemIds: ['ed-a', 'ed-b'] });
    const to = `tester@${h.domain}`;
    const res = await h.api('POST', `/api/editions/${id}/test`, { emails: [to], countries: ['cl'], language: 'en' });
    expect(res.status).toBe(202);
    const mail = (await h.inbox()).find((m) => m.destination.to.includes(to))!;
    expect(mail.subject).toBe('[TEST] Try me');
    expect(mail.body.text).toContain('Chile opens trade office');
    expect(mail.body.text).not.toContain('Peru teacher training');
    expect(mail.headers?.some((x) => x.name === 'List-Unsubscribe-Post')).toBe(true);
    // Its example links carry the segment's language, as a subscriber's would.
    expect(mail.headers?.find((x) => x.name === 'List-Unsubscribe')?.value).toMatch(/\/u\/[^>?]+\?lang=en>/);
    expect(mail.body.text).toMatch(/\/preferences\/\S+\?lang=en\n/);
    expect((await get(id)).counts.sent).toBe(0);
  });

  it('schedules a send ({"at"}) and can cancel it; state changes outside the machine are 409', async () => {
    const id = await create({ subject: 'Later', itemIds: ['ed-a'] });
    const at = new Date(Date.now() + 3600_000).toISOString();
    const res = await h.api('POST', `/api/editions/${id}/send`, { at });
    expect(res.status).toBe(202);
    expect(await get(id)).toMatchObject({ state: 'scheduled', scheduledAt: at });
    expect((await h.api('POST', `/api/editions/${id}/pause`)).status).toBe(409);
    expect((await h.api('POST', `/api/editions/${id}/resume`)).status).toBe(409);
    expect((await h.api('POST', `/api/editions/${id}/cancel`)).status).toBe(200);
    expect((await get(id)).state).toBe('cancelled');
    const again = await h.api('POST', `/api/editions/${id}/send`, {});
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('edition.invalidTransition');
    expect((await h.api('PUT', `/api/editions/${id}`, { subject: 'x' })).status).toBe(409);
    h.scheduler.stop(); // the cancelled schedule would find nothing to do anyway
  });

  it('a scheduled edition starts when its schedule fires', async () => {
    await h.addSubscribers([aSubscriber({ id: `${h.domain}-sched`, email: `sched@${h.domain}`, countries: ['cl'] })]);
    const id = await create({ subject: 'Soon', itemIds: ['ed-a'] });
    // Far enough ahead that a loaded machine still answers before the time (a past time is refused).
    expect((await h.api('POST', `/api/editions/${id}/send`, { at: new Date(Date.now() + 2000).toISOString() })).status).toBe(202);
    expect((await get(id)).state).toBe('scheduled');
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await h.settle();
    const view = await get(id);
    expect(view.state).toBe('sent');
    expect(view.counts.sent).toBeGreaterThanOrEqual(1);
    expect((await h.inbox()).filter((m) => m.destination.to.includes(`sched@${h.domain}`) && m.subject === 'Soon')).toHaveLength(1);
  });

  it('with no itemIds and no since, an edition holds everything new since the last edition', async () => {
    const first = await get((await (await h.api('GET', '/api/editions?limit=50')).json() as { editions: Array<{ id: string; state: string }> }).editions.find((e) => e.state === 'sent')!.id);
    expect(first.state).toBe('sent');
    await h.addItems([anItem({ id: 'ed-new', title: 'Brand new', publishedAt: new Date(Date.now() + 60_000).toISOString() })]);
    const id = await create({ subject: 'Since last' });
    const preview = await (await h.api('GET', `/api/editions/${id}/preview`)).text();
    expect(preview).toContain('Brand new');
    expect(preview).not.toContain('Chile opens trade office');
  });

  it('publishes every editions route in /api/openapi.json', async () => {
    const doc = (await (await h.http.request('/api/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const path of ['/api/editions', '/api/editions/{id}', '/api/editions/{id}/send', '/api/editions/{id}/pause', '/api/editions/{id}/resume', '/api/editions/{id}/cancel', '/api/editions/{id}/preview', '/api/editions/{id}/preflight', '/api/editions/{id}/test']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/editions/{id}']!)).toEqual(expect.arrayContaining(['get', 'put']));
  });

  it('send accepts no body at all as "send now"', async () => {
    const id = await create({ subject: 'No body', itemIds: ['ed-c'] });
    const res = await h.http.request(`/api/editions/${id}/send`, { method: 'POST', headers: { authorization: `Bearer ${editorToken}` } });
    expect(res.status, await res.clone().text()).toBe(202);
    await h.settle();
    expect((await get(id)).state).toBe('sent');
  });

  it('renders the web version of a sent edition for the public archive; a draft has none', async () => {
    const service = h.app.editions;
    const sent = (await service.list(50)).find((e) => e.state === 'sent')!;
    const web = await service.webVersion(sent.id, 'es', { preferencesUrl: 'https://news.example.org/preferences', unsubscribeUrl: 'https://news.example.org/subscribe' });
    expect(web.items.length).toBeGreaterThan(0);
    for (const item of web.items) expect(web.html).toContain(item.title);
    expect(web.html).toContain('href="https://news.example.org/preferences"');
    expect(web.html).not.toMatch(/\{\{|\{%/);
    const draft = await create({ subject: 'Not yet', itemIds: ['ed-a'] });
    await expect(service.webVersion(draft, 'en', { preferencesUrl: 'x', unsubscribeUrl: 'y' })).rejects.toMatchObject({ code: 'edition.notFound' });
  });
});
