// Scale bench (`npm run bench -- scale`; not part of `npm test`): a real send of 20,000 recipients on DynamoDB Local
// and SES local (planner → local queue → eight sender instances, each with its own token bucket at its share of the
// run's MaxSendRate, as in AWS), with every DynamoDB write counted per partition key (table and index keys) and per
// second, and the capacity units each request consumed. Then the projection to 1M and 10M recipients at 1,000 msg/s:
// the hottest key's writes per second, the largest item, wall time and cost. docs/scale.md explains the arithmetic.
import { performance } from 'node:perf_hooks';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startEngines } from '../lambdas/local/engines.js';
import { createDocumentClient, ensureTable } from '../lambdas/adapters/dynamo/client.js';
import { createDynamoItemStore } from '../lambdas/adapters/dynamo/items.js';
import { createEditionStores, createSubscriberSource } from '../lambdas/adapters/dynamo/editions.js';
import { createSubscriberRepo } from '../lambdas/adapters/dynamo/subscribers.js';
import { listingIndex } from '../lambdas/adapters/dynamo/table.js';
import { createMjmlRenderer } from '../lambdas/adapters/mjml/renderer.js';
import { createSesClient } from '../lambdas/adapters/ses/mailer.js';
import { brandDefaults, loadConfig } from '../lambdas/config.js';
import { newEdition } from '../lambdas/core/editions/model.js';
import { planEdition } from '../lambdas/core/editions/planner.js';
import { createSenderBucket, createTokenBucket, type TokenBucket } from '../lambdas/core/editions/token-bucket.js';
import { inAudience, itemsFor } from '../lambdas/core/editions/newsletter.js';
import { defaultTaxonomy } from '../lambdas/core/taxonomy/taxonomy.js';

const { countryCodes, topicSlugs } = defaultTaxonomy;
import { makeHandler as makeSendHandler } from '../lambdas/handlers/send-batch.js';
import { composeApp, noBackground } from '../lambdas/composition-root.js';
import { createLocalQueue } from '../lambdas/local/queue.js';
import { senderSizing, sendChunkSize, type SenderSizing } from '../infra/sizing.js';
import { benchItems, benchSubscribers, loadSubscribers } from './population.js';
import type { Figures } from './run.js';
import { itemBytes } from '../tests/support/item-bytes.js';

const RECIPIENTS = Number(process.env.BENCH_SCALE_RECIPIENTS ?? 20_000);
/** The run's MaxSendRate (all senders together): as high as DynamoDB Local on two shared cores keeps up with. */
const RUN_RATE = Number(process.env.BENCH_SCALE_RATE ?? 400);
/** Sender instances running at once (the event source's maximum concurrency in AWS). */
const RUN_SENDERS = 8;
const TARGET_RATE = 1000;
/** The AWS sizing at the target: infra/sizing.ts with sesMaxSendRate 1000 over 50 senders (sendConcurrency). */
const TARGET_SENDERS = 50;
const base = 'https://news.example.org';
const secret = 'bench-signing-secret-0123456789abcdef';

// Prices (us-east-1, on demand, as of 2026): the cost model of docs/scale.md.
const price = {
  sesPerMessage: 0.1 / 1000,
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  lambdaPerGbSecond: 0.0000133334, // arm64
  lambdaPerRequest: 0.2 / 1e6,
  sqsPerRequest: 0.4 / 1e6,
  snsPerPublish: 0.5 / 1e6,
};

type AnyValue = unknown;
const text = (v: AnyValue): string | undefined => (typeof v === 'string' ? v : typeof (v as { S?: unknown })?.S === 'string' ? (v as { S: string }).S : undefined);

/** Every write DynamoDB takes, per partition key and second (index keys as `gsi1v2 <key>`), and the capacity units
 *  every request consumed (ReturnConsumedCapacity added to each). Attempts are counted, conditional failures too: a
 *  partition takes them all. */
function writeCounter() {
  const started = performance.now();
  let phase = 'plan';
  const perKey = new Map<string, Map<number, number>>();
  const units = { write: 0, read: 0, indexWrite: 0 };
  const ops = new Map<string, number>();
  const bump = (key: string | undefined) => {
    if (!key) return;
    const second = Math.floor((performance.now() - started) / 1000);
    const seconds = perKey.get(`${phase} ${key}`) ?? new Map<number, number>();
    seconds.set(second, (seconds.get(second) ?? 0) + 1);
    perKey.set(`${phase} ${key}`, seconds);
  };
  const indexKeyOf = (item: Record<string, AnyValue> | undefined) => (text(item?.gsi1pk) ? `${listingIndex} ${text(item?.gsi1pk)}` : undefined);
  const setIndexKey = (update: { UpdateExpression?: string; ExpressionAttributeValues?: Record<string, AnyValue> }) => {
    const ref = /gsi1pk\s*=\s*(:\w+)/.exec(update.UpdateExpression ?? '')?.[1];
    return ref ? `${listingIndex} ${text(update.ExpressionAttributeValues?.[ref])}` : undefined;
  };
  type Write = { Put?: { Item: Record<string, AnyValue> }; Update?: { Key: Record<string, AnyValue> } & Parameters<typeof setIndexKey>[0]; Delete?: { Key: Record<string, AnyValue> } };
  const countOne = (w: Write) => {
    if (w.Put) [text(w.Put.Item.pk), indexKeyOf(w.Put.Item)].forEach(bump);
    if (w.Update) [text(w.Update.Key.pk), setIndexKey(w.Update)].forEach(bump);
    if (w.Delete) bump(text(w.Delete.Key.pk));
  };
  const withCapacity = new Set(['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchGetItem', 'BatchWriteItem', 'TransactWriteItems', 'TransactGetItems', 'Query', 'Scan']);
  const writeOps = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
  const count = (doc: DynamoDBDocumentClient) => doc.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Record<string, any>;
      ops.set(op, (ops.get(op) ?? 0) + 1);
      if (withCapacity.has(op)) input.ReturnConsumedCapacity = 'INDEXES';
      if (op === 'PutItem') countOne({ Put: input as any });
      else if (op === 'UpdateItem') countOne({ Update: input as any });
      else if (op === 'DeleteItem') countOne({ Delete: input as any });
      else if (op === 'TransactWriteItems') for (const w of input.TransactItems ?? []) countOne(w);
      else if (op === 'BatchWriteItem')
        for (const requests of Object.values<any[]>(input.RequestItems ?? {})) for (const r of requests) countOne({ ...(r.PutRequest ? { Put: r.PutRequest } : {}), ...(r.DeleteRequest ? { Delete: r.DeleteRequest } : {}) });
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      for (const c of [consumed ?? []].flat() as Array<{ CapacityUnits?: number; GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }> }>) {
        const index = Object.values(c.GlobalSecondaryIndexes ?? {}).reduce((n, i) => n + (i.CapacityUnits ?? 0), 0);
        if (writeOps.has(op)) {
          units.write += c.CapacityUnits ?? 0;
          units.indexWrite += index;
        } else units.read += c.CapacityUnits ?? 0;
      }
      return out;
    },
    { step: 'initialize', name: 'benchCountWritesPerKey' },
  );
  return {
    /** A client whose requests are counted (one per sender instance, as each Lambda instance has its own). */
    client(endpoint: string) {
      const doc = createDocumentClient({ region: 'us-east-1', endpoint });
      count(doc);
      return doc;
    },
    perKey,
    units,
    ops,
    /** Writes from now on are counted in this phase (plan, send). */
    setPhase(name: string) {
      phase = name;
    },
    /** The phase's keys by total writes, with their busiest second. */
    hottest(of: string) {
      return [...perKey.entries()]
        .filter(([key]) => key.startsWith(`${of} `))
        .map(([key, seconds]) => ({ key: key.slice(of.length + 1), total: [...seconds.values()].reduce((a, b) => a + b, 0), peak: Math.max(...seconds.values()) }))
        .sort((a, b) => b.total - a.total);
    },
  };
}

async function largestItem(doc: DynamoDBDocumentClient, tableName: string) {
  let largest = { bytes: 0, key: '' };
  let editionRow = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const row of out.Items ?? []) {
      const bytes = itemBytes(row) - 3;
      if (bytes > largest.bytes) largest = { bytes, key: `${String(row.pk)} / ${String(row.sk)}` };
      if (row.sk === 'EDITION') editionRow = Math.max(editionRow, bytes);
    }
    start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (start);
  return { ...largest, editionRow };
}

/** N token buckets at rate/N each, taken from as fast as they give (senders with work queued), all starting at once
 *  (a cold fleet): the most sends of any one-second window, over `seconds`. */
async function fleetPeak(rate: number, senders: number, seconds: number, bucketOf: (share: number, sleep: (ms: number) => Promise<void>) => TokenBucket): Promise<number> {
  const started = Date.now();
  const times: number[] = [];
  const share = rate / senders;
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  await Promise.all(
    Array.from({ length: senders }, async () => {
      const bucket = bucketOf(share, sleep);
      while (Date.now() - started < seconds * 1000) {
        await bucket.take();
        times.push(Date.now() - started);
      }
    }),
  );
  return busiestSecond(times);
}

/** The most of `times` (ms) in any one-second window. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

export async function run(): Promise<Figures> {
  const log = (m: string) => console.error(`  scale: ${m}`);
  const engines = await startEngines({ startTimeoutMs: 60_000 });
  try {
    const loader = createDocumentClient({ region: 'us-east-1', endpoint: engines.dynamoEndpoint });
    const tableName = 'bench-scale';
    await ensureTable(loader, tableName);
    // A bloc-wide item on every topic, so every subscriber gets an email; three more vary the content groups.
    const items = [...benchItems(3, 21), { ...benchItems(1, 22)[0]!, id: 'bench-scale-all', countries: [...countryCodes], blocWide: true, topics: [...topicSlugs] }];
    const itemStore = createDynamoItemStore(loader, tableName);
    for (const item of items) await itemStore.put(item, undefined);
    const domain = `scale-${Date.now()}.bench.example`;
    const population = benchSubscribers(RECIPIENTS, 's', domain, 23).map((s) => ({ ...s, frequency: 'instant' as const }));
    const loadS = await loadSubscribers(loader, tableName, population);
    log(`loaded ${population.length} subscribers in ${loadS.toFixed(1)} s`);

    // From here every write is counted: the planner's, the senders' (each its own App, as Lambda instances are).
    const writes = writeCounter();
    const doc = writes.client(engines.dynamoEndpoint);
    const stores = createEditionStores(doc, tableName);
    const edition = { ...newEdition({ subject: 'Scale bench', itemIds: items.map((i) => i.id) }, { id: `scale-${Date.now()}`, now: new Date() }), state: 'sending' as const, sendStartedAt: new Date().toISOString() };
    await stores.editions.create(edition);
    const expected = new Set(population.filter((s) => inAudience(s, edition.audience) && itemsFor(s, items, edition.audience).length > 0).map((s) => s.email));

    const config = loadConfig({
      TABLE_NAME: tableName,
      DYNAMO_ENDPOINT: engines.dynamoEndpoint,
      SES_ENDPOINT: engines.sesEndpoint,
      SIGNING_SECRET: secret,
      PUBLIC_BASE_URL: base,
      // Each sender instance's share, as infra/sizing.ts gives it in AWS.
      SES_MAX_SEND_RATE: String(RUN_RATE / RUN_SENDERS),
      SEND_CHUNK_SIZE: String(sendChunkSize),
      // A call left in doubt (SES local timing out on a loaded machine) is settled from SES local's store after 20 s,
      // not AWS's 15 minutes: the run measures the send, not the bound.
      SEND_IN_DOUBT_AFTER_SECONDS: '20',
    });
    const sendTimes: number[] = [];
    const instanceTimes: number[][] = [];
    let recipientMs = 0;
    const instances = Array.from({ length: RUN_SENDERS }, (_, n) => {
      const mine: number[] = (instanceTimes[n] = []);
      // Its own clients, as each Lambda instance has (one shared SES client's sockets would queue every instance's calls).
      const deps = composeApp({ config, doc: writes.client(engines.dynamoEndpoint), ses: createSesClient({ region: 'us-east-1', endpoint: engines.sesEndpoint }), background: noBackground }).sender;
      const mailer = {
        async send(email: Parameters<typeof deps.mailer.send>[0]) {
          sendTimes.push(performance.now());
          mine.push(performance.now());
          return deps.mailer.send(email);
        },
      };
      return { busy: false, handle: makeSendHandler({ ...deps, mailer }) }; // the sender's own concurrency, as in AWS
    });
    const queue = createLocalQueue({
      name: 'send',
      // As the event source mapping does: at most RUN_SENDERS invocations at once, each on an idle instance.
      async handler(event) {
        const instance = instances.find((i) => !i.busy)!;
        instance.busy = true;
        const t = performance.now();
        try {
          return await instance.handle(event);
        } finally {
          recipientMs += performance.now() - t;
          instance.busy = false;
        }
      },
      visibilityTimeoutMs: 120_000,
      concurrency: RUN_SENDERS,
    });
    // The plan first, on its own (in AWS the planner has its own Lambda; here it would share two cores with the
    // senders), then the send.
    const started = performance.now();
    await planEdition(
      {
        ...stores,
        subscribers: createSubscriberSource(doc, tableName, createSubscriberRepo(doc, tableName)),
        items: createDynamoItemStore(doc, tableName),
        renderer: createMjmlRenderer(),
        brand: { name: brandDefaults.BRAND_NAME, color: brandDefaults.BRAND_COLOR, postalAddress: brandDefaults.POSTAL_ADDRESS },
        clock: { now: () => new Date() },
        publicBaseUrl: base,
        chunkSize: sendChunkSize,
        queue: { enqueue: (m) => queue.send(m.map((x) => JSON.stringify(x))) },
      },
      edition.id,
    );
    const planS = (performance.now() - started) / 1000;
    writes.setPhase('send');
    queue.start();
    await queue.drained(600_000);
    const wallS = (performance.now() - started) / 1000;
    const sendS = wallS - planS;
    await queue.stop();

    const final = await stores.editions.get(edition.id);
    const counts = await stores.editions.counts(edition.id);
    const stored = (await (await fetch(`${engines.sesEndpoint}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
    const perAddress = new Map<string, number>();
    for (const mail of stored.emails) for (const to of mail.destination.to) if (to.endsWith(`@${domain}`)) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    const duplicates = [...perAddress.values()].reduce((n, c) => n + (c - 1), 0);
    const losses = [...expected].filter((e) => !perAddress.has(e)).length;
    const sent = perAddress.size;
    log(`sent ${sent} of ${expected.size} in ${sendS.toFixed(1)} s after planning them in ${planS.toFixed(1)} s; state ${final?.state}; counts ${JSON.stringify(counts)}`);

    // The run's own send rate: the busiest one-second window of SES calls, against the run's MaxSendRate.
    const runPeak = busiestSecond(sendTimes);
    const instancePeak = Math.max(...instanceTimes.map(busiestSecond));
    const sendSpanS = (sendTimes.at(-1)! - sendTimes[0]!) / 1000;

    const ranked = writes.hottest('send');
    const planned = writes.hottest('plan');
    const totalWrites = [...ranked, ...planned].reduce((n, k) => n + k.total, 0);
    const measuredHottest = [...ranked, ...planned].sort((a, b) => b.peak - a.peak)[0]!;
    // At 1,000 msg/s a key written w times per recipient while sending takes w × 1,000 writes/s (sends spread evenly).
    const projectedHottest = ranked[0]!;
    const hottestPerS = (projectedHottest.total / sent) * TARGET_RATE;
    // Planning runs at its own pace: the fastest plan that keeps its hottest key within 1,000 writes/s.
    const planHottest = planned[0]!;
    const planCeiling = 1000 / (planHottest.total / sent);
    const short = (key: string) => key.replace(edition.id, '<edition>');
    log(`hottest keys sending: ${ranked.slice(0, 5).map((k) => `${short(k.key)} ${k.total} (peak ${k.peak}/s)`).join('; ')}`);
    log(`hottest keys planning: ${planned.slice(0, 5).map((k) => `${short(k.key)} ${k.total} (peak ${k.peak}/s)`).join('; ')}`);
    log(`capacity units: ${JSON.stringify(writes.units)}; requests ${JSON.stringify(Object.fromEntries(writes.ops))}`);
    const largest = await largestItem(loader, tableName);
    log(`largest item ${largest.bytes} B (${largest.key}); the edition row ${largest.editionRow} B`);

    // Projection to 1M and 10M at 1,000 msg/s (docs/scale.md).
    const sizing = senderSizing({ sesMaxSendRate: TARGET_RATE, sendConcurrency: TARGET_SENDERS }) as SenderSizing;
    const planRate = sent / planS; // recipients planned per second (in AWS the send starts with the first page)
    const wallMinutes = (n: number) => (Math.max(n / TARGET_RATE, n / planRate) + sizing.batchSeconds) / 60;
    const wruPerRecipient = (writes.units.write + writes.units.indexWrite) / sent + 1; // + SES's Send event on the delivery row
    // + SES's Delivery event: the feedback function reads the address claim and the subscriber (eventually consistent).
    const rruPerRecipient = writes.units.read / sent + 1;
    const perMillion = 1e6;
    const sendSeconds = perMillion / TARGET_RATE;
    const cost = {
      ses: perMillion * price.sesPerMessage,
      dynamo: perMillion * (wruPerRecipient * price.dynamoPerWriteUnit + rruPerRecipient * price.dynamoPerReadUnit),
      // Every sender instance is busy for the whole send (waiting on its share of the rate), 1 GB each; the planner
      // 2 GB while planning; the feedback function 0.5 GB for ~20 ms per SES event (Send and Delivery per message).
      lambda:
        (TARGET_SENDERS * sendSeconds * 1 + (perMillion / planRate) * 2 + 2 * perMillion * 0.02 * 0.5) * price.lambdaPerGbSecond +
        (perMillion / (sizing.batchSize * sendChunkSize) + 2 * perMillion) * price.lambdaPerRequest,
      // Per chunk: SendMessageBatch (a tenth), a receive (a tenth of a batch) and a delete (a tenth).
      sqs: (perMillion / sendChunkSize) * 0.3 * price.sqsPerRequest,
      sns: 2 * perMillion * price.snsPerPublish,
    };
    const costPerMillion = Object.values(cost).reduce((a, b) => a + b, 0);
    log(`cost per million: ${JSON.stringify(Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, Math.round(v * 100) / 100])))} = $${costPerMillion.toFixed(2)}`);

    // The global rate with many sender instances, each at its share (what the sizing guarantees).
    // The senders' buckets, beside buckets holding a whole second's share (the default, and the senders' before).
    const fleet = await fleetPeak(TARGET_RATE, TARGET_SENDERS, 4, (rate, sleep) => createSenderBucket({ rate, now: () => Date.now(), sleep }));
    const fleetSecond = await fleetPeak(TARGET_RATE, TARGET_SENDERS, 4, (rate, sleep) => createTokenBucket({ rate, now: () => Date.now(), sleep }));
    log(`${TARGET_SENDERS} cold senders at ${TARGET_RATE / TARGET_SENDERS}/s each: busiest second ${fleet} sends (${fleetSecond} with a second's burst)`);

    const r = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      'scale.wall_minutes_1m': { value: r(wallMinutes(1e6)), unit: 'min', vs: `aim ≤ 20; 1M / ${TARGET_RATE} msg/s + one batch (${sizing.batchSeconds} s), planning at the measured ${Math.round(planRate)}/s overlaps it` },
      'scale.wall_minutes_10m': { value: r(wallMinutes(1e7)), unit: 'min', vs: `10M at ${TARGET_RATE} msg/s` },
      'scale.hottest_key_writes_per_s_1m': { value: Math.round(hottestPerS), unit: 'writes/s', vs: `aim ≤ 1,000; ${short(projectedHottest.key)}: ${r(projectedHottest.total / sent, 3)} writes per recipient × ${TARGET_RATE} msg/s (same at 10M)` },
      'scale.plan_hottest_key_writes_per_recipient': { value: r(planHottest.total / sent, 4), unit: 'writes', vs: `${short(planHottest.key)} while planning: within 1,000 writes/s up to ${Math.round(planCeiling).toLocaleString('en-US')} recipients planned/s (measured here ${Math.round(planRate)}/s)` },
      'scale.largest_item_bytes': { value: largest.bytes, unit: 'B', vs: `aim ≤ 10,240; ${short(largest.key)}; the edition row ${largest.editionRow} B whatever the size of the send` },
      'scale.cost_usd_per_million': { value: r(costPerMillion, 2), unit: 'USD', vs: `aim ≤ 110; SES ${r(cost.ses, 2)}, DynamoDB ${r(cost.dynamo, 2)} (${r(wruPerRecipient, 2)} WRU + ${r(rruPerRecipient, 2)} RRU per recipient), Lambda ${r(cost.lambda, 2)}, SNS ${r(cost.sns, 2)}, SQS ${r(cost.sqs, 3)}` },
      'scale.fleet_peak_sends_per_s': { value: fleet, unit: 'sends/s', vs: `${TARGET_SENDERS} senders' buckets at ${TARGET_RATE / TARGET_SENDERS}/s started together (MaxSendRate ${TARGET_RATE}), a tenth of a second's burst; ${fleetSecond} with a second's burst, ${r(fleet / fleetSecond, 2)}×` },
      'scale.run_recipients': { value: sent, unit: 'recipients', vs: `expected ${expected.size}; edition ${final?.state}; ${duplicates} duplicates, ${losses} lost` },
      'scale.run_wall_s': { value: r(wallS), unit: 's', vs: `plan ${r(planS)} s, then send ${r(sendS)} s; ${RUN_SENDERS} senders at ${RUN_RATE / RUN_SENDERS}/s each (MaxSendRate ${RUN_RATE})` },
      'scale.run_send_rate_per_s': { value: r(sent / sendSpanS), unit: 'msg/s', vs: `busiest second ${runPeak} (MaxSendRate ${RUN_RATE}), of one instance ${instancePeak} (its share ${RUN_RATE / RUN_SENDERS}); ${r(recipientMs / sent, 2)} ms of sender time per recipient` },
      'scale.run_hottest_key_peak_writes_per_s': { value: measuredHottest.peak, unit: 'writes/s', vs: `${short(measuredHottest.key)}, busiest second of the run` },
      'scale.run_writes': { value: totalWrites, unit: 'writes', vs: `${r(totalWrites / sent, 2)} per recipient over ${ranked.length} keys (table and index); ${r(writes.units.write + writes.units.indexWrite)} WCU, ${r(writes.units.read)} RCU` },
      'scale.run_duplicates': { value: duplicates, unit: 'emails', vs: 'must be 0' },
      'scale.run_losses': { value: losses, unit: 'recipients', vs: 'must be 0' },
    };
  } finally {
    await engines.stop();
  }
}
