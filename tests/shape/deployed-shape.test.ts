// The deployed shape, run locally: each real bundle from the synthesized assembly, with the environment and the role
// its template gives it, driven by events shaped as API Gateway (HTTP API v2), SQS, EventBridge Scheduler and SNS
// deliver them. Every AWS call is recorded and checked against the function's role; what a role allows that no call
// used is reported, and must be explained in `grantedButUnused` below.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureSynthesized } from './support/assembly.js';
import { startDeployedShape, type DeployedShape } from './support/deployed-shape.js';
import { denials } from './support/iam.js';

/** Grants no story exercises, and why: principal (name suffix, `*` any), action (`*` wildcard) and resource (a pattern). */
const grantedButUnused: Array<{ principal: string; action: string; resource?: RegExp; because: string }> = [
  { principal: '*', action: 'logs:*', because: 'the Lambda service writes the function logs with them, not the code' },
  { principal: '*', action: 'xray:*', because: 'the Lambda service sends X-Ray traces with them (tracing is active)' },
  // Table actions the stories do not reach, each used by a path the integration tests cover:
  { principal: 'ingest-schedule', action: 'dynamodb:GetItem', because: 'an item fetched from a source: the deployed ingest refuses the loopback source, so no item is written' },
  { principal: 'ingest-schedule', action: 'dynamodb:BatchGetItem', because: 'an item fetched from a source (as above)' },
  { principal: 'ingest-schedule', action: 'dynamodb:PutItem', because: 'an item fetched from a source (as above)' },
  { principal: 'ingest-schedule', action: 'dynamodb:BatchWriteItem', because: 'an item fetched from a source (as above)' },
  { principal: 'send-planner', action: 'dynamodb:Query', resource: /table\/[^/]+$/, because: 'the recovery sweep lists an edition\'s open chunks (CHUNK#) and an edition "since the last one" pages a feed scope; the stories run neither (tests/integration/send-faults.test.ts, editions.test.ts do)' },
  { principal: '*', action: 'sqs:SendMessage', resource: /failed-invocations$/, because: 'the Lambda service (or Scheduler) dead-letters a failed async invocation with it; no invocation fails in the story' },
  { principal: '*', action: 'sqs:GetQueueAttributes', because: 'part of grantSendMessages/grantConsumeMessages; the code sends by URL' },
  { principal: '*', action: 'sqs:GetQueueUrl', because: 'part of grantSendMessages/grantConsumeMessages; the code has the URL from its environment' },
  { principal: 'send-batch', action: 'sqs:ChangeMessageVisibility', because: 'part of grantConsumeMessages; the event source mapping leaves a failed message to its visibility timeout' },
  { principal: 'http-api', action: 'secretsmanager:DescribeSecret', because: 'part of grantRead; the app reads the X-Origin-Verify value only' },
  { principal: '*', action: 'lambda:InvokeFunction', resource: /:\*$/, because: "grantInvoke also covers the function's versions and aliases; the schedules target the unqualified function" },
  { principal: '*', action: 'ses:SendEmail', resource: /:identity\/\*$/, because: 'sesSandbox: in the SES sandbox each verified recipient identity authorises a send too' },
];

/** Partition-key patterns a role may touch that no story touches, and why. */
const untouchedRows: Array<{ principal: string; pattern: string; because: string }> = [
  ...['ITEM#*', 'SCOPE#*', 'GUID#*', 'HEAD#*'].map((pattern) => ({ principal: 'ingest-schedule', pattern, because: 'an item fetched from a source: the deployed ingest refuses the loopback source, so writes none' })),
  { principal: 'ses-feedback', pattern: 'EDITION#*', because: 'a bounce or complaint tagged with an edition counts toward its pause threshold; the story\'s bounce carries no tags' },
  { principal: 'ses-feedback', pattern: 'DELIVERY#*', because: 'a Send event tagged with edition and subscriber records SES\'s acceptance on the delivery row; the story sends no Send event' },
  { principal: 'send-planner', pattern: 'SCOPE#*', because: 'an edition "since the last one" pages a feed scope for its items; the story names its items' },
  { principal: 'send-planner', pattern: 'HEAD#*', because: 'reclassifying items after a taxonomy change moves their feed scopes\' heads; the story changes no taxonomy (tests/integration/taxonomy.test.ts does)' },
  ...['STATSSALT#*', 'SEEN#*'].map((pattern) => ({ principal: 'send-planner', pattern, because: 'a reader\'s click decides "unique" with the edition\'s salt; the story\'s click comes from a scanner (filtered, counted only)' })),
  ...['STATS#*', 'STATSSALT#*', 'SEEN#*'].map((pattern) => ({ principal: 'ses-feedback', pattern, because: 'open and delivery events tagged with an edition are counted; the story\'s bounce carries no tags (tests/integration/analytics.test.ts counts opens)' })),
  { principal: 'http-api', pattern: 'EDSESSION#*', because: 'console sessions (Cognito sign-in), covered by tests/integration/console-access.test.ts' },
];

const toPattern = (glob: string) => new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
const explained = (u: { principal: string; action: string; resource: string }) =>
  grantedButUnused.find(
    (e) => (e.principal === '*' || u.principal.endsWith(e.principal)) && toPattern(e.action).test(u.action) && (!e.resource || e.resource.test(u.resource)),
  );

let shape: DeployedShape;
const form = (fields: Record<string, string>) => ({ body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
const unique = (name: string) => `${name}-${Math.random().toString(36).slice(2, 8)}@example.org`;

interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
}
async function inbox(address: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${inject('sesEndpoint')}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter((e) => e.destination.to.some((to) => to.toLowerCase() === address.toLowerCase()));
}

async function subscribeAndConfirm(email: string, frequency = 'instant') {
  const res = await shape.http('POST', '/api/subscriptions', { body: { email, countries: ['cl'], topics: ['trade-investment'], language: 'en', frequency } });
  expect(res.status, res.why).toBe(202);
  const [mail] = await inbox(email);
  const token = /\/confirm\/([A-Za-z0-9._~%-]+)/.exec(mail?.body.text ?? '')?.[1];
  expect(token, `no confirmation link mailed to ${email}`).toBeDefined();
  const confirmed = await shape.http('POST', `/confirm/${token}`, form({ confirm: 'yes' }));
  expect(confirmed.status, confirmed.why).toBe(200);
}

async function addItem(title: string) {
  const res = await shape.http('POST', '/api/items', { editor: true, body: { title, link: `https://publisher.example/${encodeURIComponent(title)}`, publishedAt: new Date().toISOString(), countries: ['cl'], topics: ['trade-investment'], contentHtml: `<p>${title}</p>` } });
  expect(res.status, res.why).toBe(201);
  return res.json<{ id: string }>().id;
}

async function createEdition(subject: string, itemIds: string[]) {
  const res = await shape.http('POST', '/api/editions', { editor: true, body: { subject, intro: 'Hello', itemIds } });
  expect(res.status, res.why).toBe(201);
  return res.json<{ id: string }>().id;
}

const edition = async (id: string) => (await shape.http('GET', `/api/editions/${id}`, { editor: true })).json<{ state: string; counts: Record<string, number> }>();
const received = async (addresses: string[], subject: string) => Promise.all(addresses.map(async (a) => (await inbox(a)).filter((m) => m.subject.includes(subject)).length));

describe('the deployed shape, run locally', () => {
  beforeAll(async () => {
    ensureSynthesized();
    shape = await startDeployedShape({ dynamoEndpoint: inject('dynamoEndpoint'), sesEndpoint: inject('sesEndpoint') });
  }, 600_000);
  afterAll(async () => shape?.stop());

  const readers = [unique('ana'), unique('bo'), unique('cy')];
  let itemIds: string[] = [];

  /** Sent now and planned: its chunks wait on the send queue. */
  async function plannedEdition(subject: string) {
    const id = await createEdition(subject, itemIds);
    const sent = await shape.http('POST', `/api/editions/${id}/send`, { editor: true, body: {} });
    expect(sent.status, sent.why).toBe(202);
    await shape.aws.idle();
    return id;
  }

  it('the editor story: compose, send now, pause, resume, cancel, schedule', async () => {
    itemIds = [await addItem('Chile and Peru sign a trade agreement'), await addItem('Mexico joins the ports initiative')];
    for (const reader of readers) await subscribeAndConfirm(reader);

    // Send now: the HTTP function starts the planner (async invoke), which enqueues chunks for the sender.
    const first = await createEdition('Shape: sent now', itemIds);
    const sent = await shape.http('POST', `/api/editions/${first}/send`, { editor: true, body: {} });
    expect(sent.status, sent.why).toBe(202);
    await shape.drainSendQueue();
    expect(await received(readers, 'Shape: sent now')).toEqual([1, 1, 1]);
    expect(await edition(first)).toMatchObject({ state: 'sent', counts: { planned: 3, sent: 3 } });

    // Pause before the sender takes the chunk: it is parked; resume (in the HTTP function) re-enqueues it.
    const paused = await plannedEdition('Shape: paused and resumed');
    expect((await shape.http('POST', `/api/editions/${paused}/pause`, { editor: true })).status).toBe(200);
    await shape.drainSendQueue();
    expect(await received(readers, 'Shape: paused and resumed')).toEqual([0, 0, 0]);
    expect((await edition(paused)).state).toBe('paused');
    const resumed = await shape.http('POST', `/api/editions/${paused}/resume`, { editor: true });
    expect(resumed.status, resumed.why).toBe(200);
    await shape.drainSendQueue();
    expect(await received(readers, 'Shape: paused and resumed')).toEqual([1, 1, 1]);
    expect((await edition(paused)).state).toBe('sent');

    // Cancel after planning: the queued chunk sends nothing.
    const cancelled = await plannedEdition('Shape: cancelled');
    expect((await shape.http('POST', `/api/editions/${cancelled}/cancel`, { editor: true })).status).toBe(200);
    await shape.drainSendQueue();
    expect(await received(readers, 'Shape: cancelled')).toEqual([0, 0, 0]);
    expect((await edition(cancelled)).state).toBe('cancelled');

    // Schedule for later: a one-off schedule in the editions group, fired as Scheduler fires it.
    const later = await createEdition('Shape: scheduled', itemIds);
    const at = new Date(Date.now() + 2 * 3600_000).toISOString();
    const scheduled = await shape.http('POST', `/api/editions/${later}/send`, { editor: true, body: { at } });
    expect(scheduled.status, scheduled.why).toBe(202);
    const [schedule] = shape.aws.schedules;
    expect(schedule).toMatchObject({ group: shape.fn('http-api').env.EDITION_SCHEDULE_GROUP, targetArn: shape.fn('send-planner').arn, expression: `at(${at.slice(0, 19)})` });
    await shape.fireSchedule(schedule!);
    await shape.drainSendQueue();
    expect(await received(readers, 'Shape: scheduled')).toEqual([1, 1, 1]);
    expect(shape.deadLetters).toEqual([]);

    // The editor's list of editions pages the listing index, then reads the rows it names.
    const listed = (await shape.http('GET', '/api/editions', { editor: true })).json<{ editions: Array<{ id: string; state: string }> }>();
    expect(Object.fromEntries(listed.editions.map((e) => [e.id, e.state]))).toMatchObject({ [first]: 'sent', [paused]: 'sent', [cancelled]: 'cancelled', [later]: 'sent' });
  }, 180_000);

  it('the reader story: a click link in a sent email redirects at once; the click is counted by an async invoke', async () => {
    const [mail] = (await inbox(readers[0]!)).filter((m) => m.subject.includes('Shape: sent now'));
    const token = /\/r\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/.exec(mail?.body.html ?? '')?.[1];
    expect(token, 'no click link in the email').toBeDefined();
    const click = await shape.http('GET', `/r/${token}`, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0' } });
    expect(click.status, click.why).toBe(302);
    expect(click.headers.location).toMatch(/^https:\/\/publisher\.example\/|\/archive\//);
    expect((await shape.http('GET', `/r/${token!.slice(0, -2)}xx`)).status).toBe(404);
    await shape.aws.idle();
    const editionId = /[?&](?:amp;)?e=([0-9a-f-]+)/.exec(mail?.body.html ?? '')?.[1]; // after ?lang= in the HTML: &amp;e=
    const stats = await shape.http('GET', `/api/editions/${editionId}/stats`, { editor: true });
    expect(stats.status, stats.why).toBe(200);
    // Seconds after the send, as a mail scanner would click: counted, as filtered.
    const { clicks } = stats.json<{ clicks: { total: number; filtered: number } }>();
    expect(clicks.total + clicks.filtered).toBe(1);
  }, 60_000);

  describe('ingest', () => {
    let feed: Server;
    let fetches = 0;
    beforeAll(async () => {
      feed = createServer((_req, res) => {
        fetches++;
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end('<rss version="2.0"><channel><title>t</title></channel></rss>');
      });
      await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => feed.close(() => resolve())));

    // The template sets ALLOW_LOOPBACK_SOURCES=false, and this machine can serve a feed only on loopback: the
    // deployed ingest must refuse it (SSRF) and record the refusal against the source, fetching nothing. Fetching
    // and parsing real feeds is covered by the integration tests.
    it('the scheduled ingest (the template schedule fired) refuses a loopback source and records it as the source error', async () => {
      const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/feed.xml`;
      const added = await shape.http('POST', '/api/sources', { editor: true, body: { url, name: 'loopback' } });
      expect(added.status, added.why).toBe(201);
      const out = await shape.fireSchedule<{ results: Array<{ status: string; error?: { code: string } }> }>(shape.templateSchedule('IngestEvery15Minutes'));
      expect(out.results).toEqual([expect.objectContaining({ status: 'error', error: expect.objectContaining({ code: 'source.blockedAddress' }) })]);
      expect(fetches).toBe(0);
      const sources = (await shape.http('GET', '/api/sources', { editor: true })).json<{ sources: Array<{ url: string; lastError?: { code: string } }> }>();
      expect(sources.sources.find((s) => s.url === url)?.lastError?.code).toBe('source.blockedAddress');
    });
  });

  it('the daily digest (the template schedule fired) plans a digest for daily subscribers', async () => {
    const daily = unique('daily');
    await subscribeAndConfirm(daily, 'daily');
    await addItem('Colombia opens a new trade office');
    const out = await shape.fireSchedule<{ created: boolean; editionId: string; items: number }>(shape.templateSchedule('DailyDigest'));
    expect(out).toMatchObject({ created: true });
    expect(out.items).toBeGreaterThan(0);
    await shape.drainSendQueue();
    expect((await inbox(daily)).length).toBe(2); // the confirmation, then the digest
  });

  it('SES feedback (SNS wrapping an SES bounce) suppresses the address', async () => {
    const bounced = readers[0]!;
    const topic = shape.assembly.resolve('PacificNews-dev-Data', { Ref: 'EmailFeedbackTopic71398593' }) as string;
    const bounce = {
      eventType: 'Bounce',
      mail: { messageId: 'shape-1', timestamp: new Date().toISOString(), destination: [bounced], tags: {} },
      bounce: { bounceType: 'Permanent', bounceSubType: 'General', timestamp: new Date().toISOString(), bouncedRecipients: [{ emailAddress: bounced }] },
    };
    const out = await shape.invoke<{ outcomes: Array<{ action: string }> }>('ses-feedback', shape.sns(topic, bounce));
    expect(out.outcomes).toEqual([expect.objectContaining({ action: 'suppressed' })]);
    const status = (await shape.http('GET', `/api/subscribers?email=${encodeURIComponent(bounced)}`, { editor: true })).json<{ status: string }>();
    expect(status.status).toBe('suppressed');
  });

  it('every AWS call was allowed by the caller role in the template', () => {
    expect(shape.denials()).toEqual([]);
  });

  it('the check would catch resume without the send-queue grant (the fault the template once had)', () => {
    const http = shape.fn('http-api');
    const withoutQueue = http.statements.filter((s) => !s.Action.some((a) => a.startsWith('sqs:')));
    const enqueues = shape.callsOf(http.name).filter((c) => c.action === 'sqs:SendMessage');
    expect(enqueues.length).toBeGreaterThan(0);
    expect(denials(enqueues, () => withoutQueue)).toHaveLength(enqueues.length);
  });

  it('each function touches only the rows of its concerns, and the check would catch one that strays', () => {
    // The sender's delivery claims, checked against its role without the deliveries' partitions: each is refused.
    const sender = shape.fn('send-batch');
    const claims = shape.callsOf(sender.name).filter((c) => [c.context?.['dynamodb:LeadingKeys'] ?? []].flat().some((k) => k.startsWith('DELIVERY#')));
    expect(claims.length).toBeGreaterThan(0);
    const withoutDeliveries = sender.statements.map((s) => ({
      ...s,
      ...(s.Condition ? { Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [s.Condition['ForAllValues:StringLike']!['dynamodb:LeadingKeys']!].flat().filter((p) => !p.startsWith('DELIVERY#')) } } } : {}),
    }));
    expect(denials(claims, () => withoutDeliveries)).toHaveLength(claims.length);
    const unused = shape.unusedPartitions();
    console.table(unused.map((u) => ({ principal: u.principal.replace(/^.*[:/]/, ''), pattern: u.pattern, because: untouchedRows.find((e) => u.principal.endsWith(e.principal) && e.pattern === u.pattern)?.because ?? 'UNEXPLAINED' })));
    expect(unused.filter((u) => !untouchedRows.some((e) => u.principal.endsWith(e.principal) && e.pattern === u.pattern)).map((u) => `${u.principal} may touch ${u.pattern} rows, and no test did`)).toEqual([]);
  });

  it('reports what each role allows that no call used; each such grant is explained', () => {
    const unused = shape.unused();
    console.table(unused.map((u) => ({ principal: u.principal.replace(/^.*[:/]/, ''), action: u.action, resource: u.resource.replace(/^arn:aws:[^:]*:[^:]*:[0-9]*:/, ''), because: explained(u)?.because ?? 'UNEXPLAINED' })));
    expect(unused.filter((u) => !explained(u)).map((u) => `${u.principal} may ${u.action} on ${u.resource}, and no test used it`)).toEqual([]);
  });
});
