// Newsletter send benchmark, in one run on its own engines:
//  1. 100,000 subscribers with varied preferences written to DynamoDB Local (BatchWriteItem), then the real planner
//     pages them (16 shards in parallel), groups them by content and compiles each group once: plan time, groups,
//     compiles.
//  2. Messages built per second with a null transport (merge precompiled HTML/text, sign the two personal links, build
//     headers), beside the naive way (mjml2html per recipient, measured on 1,000 and scaled): the ratio.
//  3. End to end: 10,000 recipients through planner → local queue → sender → aws-ses-v2-local, wall time, and the
//     duplicates and losses counted from SES local's store.
//  4. The sender Lambda's bundle size (esbuild, everything bundled) and proof it holds no MJML.
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import mjml2html from 'mjml';
import { startEngines } from '../lambdas/local/engines.js';
import { lambdaEsbuildTarget } from '../infra/node-runtime.js';
import { createDocumentClient, ensureTable } from '../lambdas/adapters/dynamo/client.js';
import { createDynamoItemStore } from '../lambdas/adapters/dynamo/items.js';
import { createEditionStores, createSubscriberSource } from '../lambdas/adapters/dynamo/editions.js';
import { createSubscriberRepo } from '../lambdas/adapters/dynamo/subscribers.js';
import { composeMjml, createMjmlRenderer, loadTemplates } from '../lambdas/adapters/mjml/renderer.js';
import { createSesClient } from '../lambdas/adapters/ses/mailer.js';
import { brandDefaults, loadConfig } from '../lambdas/config.js';
import { newEdition } from '../lambdas/core/editions/model.js';
import { planEdition } from '../lambdas/core/editions/planner.js';
import type { ChunkMessage } from '../lambdas/core/editions/ports.js';
import { archiveUrl, buildMessage, inAudience, itemsFor, mergeMarker, newsletterModel, prepareGroup, type Brand, type PreparedGroup } from '../lambdas/core/editions/newsletter.js';
import { editionLinks } from '../lambdas/core/subscriptions/links.js';
import { makeHandler as makeSendHandler } from '../lambdas/handlers/send-batch.js';
import { composeApp, noBackground } from '../lambdas/composition-root.js';
import { createLocalQueue } from '../lambdas/local/queue.js';
import type { Figures } from './run.js';
import { benchItems, benchSubscribers, loadSubscribers } from './population.js';
import { defaultTaxonomy } from '../lambdas/core/taxonomy/taxonomy.js';

const { countryCodes, topicSlugs } = defaultTaxonomy;

const PLAN_SUBSCRIBERS = Number(process.env.BENCH_SEND_SUBSCRIBERS ?? 100_000);
const E2E_SUBSCRIBERS = Number(process.env.BENCH_SEND_E2E ?? 10_000);
const NAIVE_SAMPLE = 1_000;
const base = 'https://news.example.org';
const brand: Brand = { name: brandDefaults.BRAND_NAME, color: brandDefaults.BRAND_COLOR, postalAddress: brandDefaults.POSTAL_ADDRESS };
const secret = 'bench-signing-secret-0123456789abcdef';

async function bundleKb(entry: string, external: string[] = []): Promise<{ kb: number; hasMjml: boolean }> {
  const out = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: lambdaEsbuildTarget, minify: true, write: false, metafile: true, outfile: 'out.mjs', logLevel: 'silent', external });
  const bytes = out.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0);
  const hasMjml = Object.keys(out.metafile.inputs).some((p) => /node_modules\/mjml/.test(p));
  return { kb: Math.round((bytes / 1024) * 10) / 10, hasMjml };
}

export async function run(): Promise<Figures> {
  const log = (m: string) => console.error(`  send: ${m}`);
  const engines = await startEngines({ startTimeoutMs: 60_000 });
  try {
    const doc = createDocumentClient({ region: 'us-east-1', endpoint: engines.dynamoEndpoint });

    // ---- 1. plan 100k --------------------------------------------------------------------------------------
    const planTable = 'bench-send-plan';
    await ensureTable(doc, planTable);
    const items = benchItems(10, 1);
    const itemStore = createDynamoItemStore(doc, planTable);
    for (const item of items) await itemStore.put(item, undefined);
    const population = benchSubscribers(PLAN_SUBSCRIBERS, 'p', 'plan.bench.example', 7);
    const loadS = await loadSubscribers(doc, planTable, population);
    log(`loaded ${population.length} subscribers in ${loadS.toFixed(1)} s (${Math.round(population.length / loadS)}/s)`);

    const stores = createEditionStores(doc, planTable);
    const clock = { now: () => new Date() };
    const edition = { ...newEdition({ subject: 'Bench edition', intro: 'This week in the Pacific Alliance.', itemIds: items.map((i) => i.id) }, { id: 'bench-plan', now: new Date() }), state: 'sending' as const, sendStartedAt: new Date().toISOString() };
    await stores.editions.create(edition);
    let compiles = 0;
    let pageMs = 0;
    const renderer = createMjmlRenderer({ onCompile: () => compiles++ });
    const chunks: ChunkMessage[] = [];
    const source = createSubscriberSource(doc, planTable, createSubscriberRepo(doc, planTable), { pageSize: 1000 });
    const subscribers = {
      ...source,
      async listConfirmedShard(shard: number, cursor?: string) {
        const t = performance.now();
        try {
          return await source.listConfirmedShard(shard, cursor);
        } finally {
          pageMs += performance.now() - t;
        }
      },
    };
    const planStarted = performance.now();
    const plan = await planEdition({ ...stores, subscribers, items: itemStore, renderer, clock, publicBaseUrl: base, brand, chunkSize: 50, queue: { enqueue: async (m) => void chunks.push(...m) } }, edition.id);
    const planS = (performance.now() - planStarted) / 1000;
    // MJML's share of the plan: compiles run interleaved with paging, so time a sample of them one after another.
    const sampleKeys = [...new Set(chunks.flatMap((c) => c.recipients.map((r) => r.g)))].slice(0, 20);
    const sampleGroups = await Promise.all(sampleKeys.map((k) => stores.progress.getGroup(edition.id, k)));
    const timed = createMjmlRenderer();
    const sampleStarted = performance.now();
    for (const g of sampleGroups) {
      await timed.renderHtml(newsletterModel({ language: g!.language, subject: g!.subject, intro: edition.intro, items: g!.itemIds.map((id) => items.find((i) => i.id === id)!), archiveUrl: archiveUrl(base, edition.id), brand }));
    }
    const compileMs = ((performance.now() - sampleStarted) / sampleGroups.length) * compiles;
    log(`planned ${plan.planned} recipients (${plan.skipped} skipped) in ${planS.toFixed(2)} s: ${plan.contentGroups} groups, ${compiles} compiles (~${(compileMs / 1000).toFixed(1)} s of MJML, from ${sampleGroups.length} timed one by one), ${chunks.length} chunks; paging DynamoDB ~${(pageMs / 16 / 1000).toFixed(1)} s per shard (16 in parallel)`);

    // ---- 2. build with a null transport vs naive -------------------------------------------------------------
    const byId = new Map(population.map((s) => [s.id, s]));
    const prepared = new Map<string, PreparedGroup>();
    for (const key of new Set(chunks.flatMap((c) => c.recipients.map((r) => r.g)))) prepared.set(key, prepareGroup((await stores.progress.getGroup(edition.id, key))!));
    const recipients = chunks.flatMap((c) => c.recipients);
    const now = new Date();
    let bytes = 0;
    const buildStarted = performance.now();
    for (const r of recipients) {
      const s = byId.get(r.s)!;
      const group = prepared.get(r.g)!;
      const links = editionLinks({ id: s.id }, edition.id, { baseUrl: base, secret, now, mailto: 'unsubscribe@news.example.org', language: group.group.language });
      const message = buildMessage(group, { subscriberId: s.id, email: s.email, values: { unsubscribe_url: links.unsubscribeUrl, preferences_url: links.preferencesUrl, view_url: links.viewUrl }, headers: links.headers }, { from: 'news@news.example.org', editionId: edition.id });
      bytes += message.html.length + message.text.length; // the null transport: touch the message, send nowhere
    }
    const buildS = (performance.now() - buildStarted) / 1000;
    const buildRate = recipients.length / buildS;
    log(`built ${recipients.length} messages in ${buildS.toFixed(2)} s (${Math.round(buildRate)}/s, ${Math.round(bytes / recipients.length / 1024)} KB avg)`);

    // The naive way: the same renderer the planner uses (strict validation), once per recipient, links put in the MJML.
    const templates = loadTemplates();
    const itemById = new Map(items.map((i) => [i.id, i]));
    const sample = recipients.slice(0, NAIVE_SAMPLE);
    const naiveStarted = performance.now();
    for (const r of sample) {
      const s = byId.get(r.s)!;
      const links = editionLinks({ id: s.id }, edition.id, { baseUrl: base, secret, now, mailto: 'unsubscribe@news.example.org', language: s.language });
      const mine = itemsFor(s, items, edition.audience).map((id) => itemById.get(id)!);
      const model = newsletterModel({ language: s.language, subject: edition.subject, intro: edition.intro, items: mine, archiveUrl: archiveUrl(base, edition.id), brand });
      const source = composeMjml(templates, model)
        .replaceAll(mergeMarker(model.mergeNonce, 'unsubscribe_url'), links.unsubscribeUrl)
        .replaceAll(mergeMarker(model.mergeNonce, 'preferences_url'), links.preferencesUrl)
        .replaceAll(mergeMarker(model.mergeNonce, 'view_url'), links.viewUrl);
      const out = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
      bytes += out.html.length;
    }
    const naiveRate = sample.length / ((performance.now() - naiveStarted) / 1000);
    log(`naive: ${Math.round(naiveRate)} recipients/s on ${sample.length}`);

    // ---- 3. end to end to SES local --------------------------------------------------------------------------
    const e2eTable = 'bench-send-e2e';
    await ensureTable(doc, e2eTable);
    // One bloc-wide item on every topic, so every one of the 10,000 gets an email (the others vary the groups).
    const e2eItems = [...benchItems(3, 2), { ...benchItems(1, 3)[0]!, id: 'bench-e2e-all', countries: [...countryCodes], blocWide: true, topics: [...topicSlugs] }];
    const e2eItemStore = createDynamoItemStore(doc, e2eTable);
    for (const item of e2eItems) await e2eItemStore.put(item, undefined);
    const domain = `e2e-${Date.now()}.bench.example`;
    const e2ePopulation = benchSubscribers(E2E_SUBSCRIBERS, 'e', domain, 11).map((s) => ({ ...s, frequency: 'instant' as const }));
    await loadSubscribers(doc, e2eTable, e2ePopulation);
    const e2eEdition = { ...newEdition({ subject: 'Bench e2e', itemIds: e2eItems.map((i) => i.id) }, { id: 'bench-e2e', now: new Date() }), state: 'sending' as const, sendStartedAt: new Date().toISOString() };
    const expected = new Set(e2ePopulation.filter((s) => inAudience(s, e2eEdition.audience) && itemsFor(s, e2eItems, e2eEdition.audience).length > 0).map((s) => s.email));
    const config = loadConfig({
      TABLE_NAME: e2eTable,
      DYNAMO_ENDPOINT: engines.dynamoEndpoint,
      SES_ENDPOINT: engines.sesEndpoint,
      SIGNING_SECRET: secret,
      PUBLIC_BASE_URL: base,
      SES_MAX_SEND_RATE: '20000',
      SEND_CHUNK_SIZE: '50',
    });
    const e2eStores = createEditionStores(doc, e2eTable);
    await e2eStores.editions.create(e2eEdition);
    const ses = createSesClient({ region: 'us-east-1', endpoint: engines.sesEndpoint });
    const deps = { ...composeApp({ config, doc, ses, background: noBackground }).sender, concurrency: 8 };
    const queue = createLocalQueue({ name: 'send', handler: makeSendHandler(deps), visibilityTimeoutMs: 120_000, concurrency: 4 });
    queue.start();
    const e2eStarted = performance.now();
    await planEdition(
      { ...e2eStores, subscribers: createSubscriberSource(doc, e2eTable, createSubscriberRepo(doc, e2eTable), { pageSize: 1000 }), items: e2eItemStore, renderer: createMjmlRenderer(), clock, publicBaseUrl: base, brand, chunkSize: 50, queue: { enqueue: (m) => queue.send(m.map((x) => JSON.stringify(x))) } },
      e2eEdition.id,
    );
    await queue.drained(240_000);
    const e2eS = (performance.now() - e2eStarted) / 1000;
    await queue.stop();
    const final = await e2eStores.editions.get(e2eEdition.id);
    const counts = await e2eStores.editions.counts(e2eEdition.id);
    const stored = (await (await fetch(`${engines.sesEndpoint}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> };
    const perAddress = new Map<string, number>();
    for (const mail of stored.emails) for (const to of mail.destination.to) if (to.endsWith(`@${domain}`)) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
    const duplicates = [...perAddress.values()].reduce((n, c) => n + (c - 1), 0);
    const losses = [...expected].filter((e) => !perAddress.has(e)).length + [...perAddress.keys()].filter((e) => !expected.has(e)).length;
    log(`e2e: ${perAddress.size} delivered of ${expected.size} expected in ${e2eS.toFixed(1)} s; state ${final?.state}; counts ${JSON.stringify(counts)}`);

    // ---- 4. bundle ------------------------------------------------------------------------------------------
    const sender = await bundleKb('lambdas/handlers/send-batch.ts');
    const planner = await bundleKb('lambdas/handlers/send-planner.ts');
    const senderNoSdk = await bundleKb('lambdas/handlers/send-batch.ts', ['@aws-sdk/*']);
    if (sender.hasMjml) throw new Error('The sender bundle contains MJML; it must only merge precompiled HTML.');
    log(`bundles: sender ${sender.kb} KB (mjml: ${sender.hasMjml}), planner ${planner.kb} KB (mjml: ${planner.hasMjml})`);

    return {
      'send.plan_s': { value: Math.round(planS * 100) / 100, unit: 's', vs: `${plan.planned.toLocaleString('en-US')} recipients of ${PLAN_SUBSCRIBERS.toLocaleString('en-US')} subscribers, 16 parallel shards; ~${(compileMs / 1000).toFixed(1)} s of MJML, ~${(pageMs / 16 / 1000).toFixed(1)} s paging per shard; loading them by BatchWrite took ${loadS.toFixed(1)} s` },
      'send.content_groups': { value: plan.contentGroups, unit: 'groups', vs: `${plan.planned.toLocaleString('en-US')} recipients, ${plan.skipped.toLocaleString('en-US')} skipped (no matching item)` },
      'send.mjml_compiles': { value: compiles, unit: 'compiles', vs: 'one per content group (naive: one per recipient)' },
      'send.build_recipients_per_s': { value: Math.round(buildRate), unit: 'recipients/s', vs: 'merge + sign 2 links + headers, null transport' },
      'send.naive_recipients_per_s': { value: Math.round(naiveRate), unit: 'recipients/s', vs: `mjml2html per recipient (strict, as the planner compiles), measured on ${sample.length}` },
      'send.ratio_to_naive': { value: Math.round(buildRate / naiveRate), unit: '×', vs: 'build rate / naive rate (aim ≥ 500)' },
      'send.e2e_recipients': { value: perAddress.size, unit: 'recipients', vs: `expected ${expected.size} of ${E2E_SUBSCRIBERS.toLocaleString('en-US')} subscribers; edition ${final?.state}` },
      'send.e2e_wall_s': { value: Math.round(e2eS * 10) / 10, unit: 's', vs: 'plan + queue + sender + SES local, DynamoDB Local claims' },
      'send.e2e_duplicates': { value: duplicates, unit: 'emails', vs: 'must be 0' },
      'send.e2e_losses': { value: losses, unit: 'recipients', vs: 'must be 0' },
      'send.sender_bundle_kb': { value: sender.kb, unit: 'KB', vs: `esbuild, minified, AWS SDK included, no MJML (${senderNoSdk.kb} KB with @aws-sdk/* left to the runtime); planner ${planner.kb} KB with MJML` },
    };
  } finally {
    await engines.stop();
  }
}
