// Ingest throughput: a 1,000-item RSS feed served on loopback, fetched, parsed, classified, sanitised and written to
// DynamoDB Local, beside raw BatchWriteItem of the very rows ingestion wrote (the store's limit here), in one run.
// Then a re-poll of the unchanged feed (served without validators, so it is parsed again): its time and item writes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { startEngines } from '../lambdas/local/engines.js';
import { createDocumentClient, ensureTable } from '../lambdas/adapters/dynamo/client.js';
import { createDynamoItemStore } from '../lambdas/adapters/dynamo/items.js';
import { createDynamoSourceStore } from '../lambdas/adapters/dynamo/sources.js';
import { createSourcePoller } from '../lambdas/adapters/feed/poller.js';
import { loadConfig } from '../lambdas/config.js';
import { pollSource } from '../lambdas/core/ingest/sources.js';
import type { IngestStore } from '../lambdas/core/ingest/ingest.js';
import type { Figures } from './run.js';

const itemCount = 1000;
const countries = ['Chile', 'Colombia', 'Mexico', 'Peru'];
const topics = ['trade and exports', 'climate and emissions', 'teachers and education', 'SMEs and entrepreneurs', 'digital innovation'];

function feedXml(): string {
  const items = Array.from({ length: itemCount }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1) + i * 3_600_000).toUTCString();
    const text = `${countries[i % 4]} and ${countries[(i + 1) % 4]} work on ${topics[i % topics.length]} (${i}).`;
    return `<item><title>News ${i}: ${text}</title><link>https://publisher.example/news/${i}</link><guid>n-${i}</guid><pubDate>${day}</pubDate><description><![CDATA[<p>${text}</p><p>${'More words about the alliance. '.repeat(20)}</p>]]></description></item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title><link>https://publisher.example/</link>${items.join('')}</channel></rss>`;
}

export async function run(): Promise<Figures> {
  const engines = await startEngines();
  const body = feedXml();
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed.xml`;
  try {
    const doc = createDocumentClient({ region: 'us-east-1', endpoint: engines.dynamoEndpoint });
    await ensureTable(doc, 'bench-ingest');
    await ensureTable(doc, 'bench-raw');
    const config = loadConfig({ ALLOW_LOOPBACK_SOURCES: 'true', FETCH_MAX_BYTES: String(50 * 1024 * 1024) });
    const items = createDynamoItemStore(doc, 'bench-ingest');
    const sources = createDynamoSourceStore(doc, 'bench-ingest');
    const source = { id: 'bench', url, name: 'bench', defaultCountries: [], defaultTopics: [], createdAt: '2024-01-01T00:00:00Z' };
    await sources.create(source);
    const clock = { now: () => new Date('2024-03-01T00:00:00Z') };
    const poller = createSourcePoller(config);

    const t0 = performance.now();
    const first = await pollSource(source, { ...poller, items, sources, clock });
    const ingestSeconds = (performance.now() - t0) / 1000;
    if (first.counts.new !== itemCount) throw new Error(`expected ${itemCount} new items, got ${JSON.stringify(first.counts)}`);

    // The rows ingestion wrote (items, link claims, scope index rows, heads), written raw into a fresh table.
    const rows: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await doc.send(new ScanCommand({ TableName: 'bench-ingest', ExclusiveStartKey: start }));
      rows.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    const t1 = performance.now();
    const batches = Array.from({ length: Math.ceil(rows.length / 25) }, (_, i) => rows.slice(i * 25, i * 25 + 25));
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < batches.length) {
          let pending = batches[next++]!.map((Item) => ({ PutRequest: { Item } }));
          while (pending.length) {
            const out = await doc.send(new BatchWriteCommand({ RequestItems: { 'bench-raw': pending } }));
            pending = (out.UnprocessedItems?.['bench-raw'] as typeof pending | undefined) ?? [];
          }
        }
      }),
    );
    const rawSeconds = (performance.now() - t1) / 1000;

    // Re-poll the unchanged feed (no validators sent back: parsed and compared in full), counting item writes.
    let writes = 0;
    const counting: IngestStore = {
      ...items,
      save: (n, p) => (writes++, items.save(n, p)),
      saveNew: (list) => ((writes += list.length), items.saveNew(list)),
    };
    const unchangedSource = { ...source, etag: undefined, lastModified: undefined };
    const t2 = performance.now();
    const again = await pollSource(unchangedSource, { ...poller, items: counting, sources, clock });
    const repollMs = performance.now() - t2;
    if (again.counts.unchanged !== itemCount) throw new Error(`re-poll was not unchanged: ${JSON.stringify(again.counts)}`);

    const ingestRate = itemCount / ingestSeconds;
    const rawRate = itemCount / rawSeconds;
    return {
      'ingest.items_per_s': { value: ingestRate, unit: 'items/s', vs: `1,000-item RSS feed end to end (fetch, parse, classify, sanitise, ${rows.length} rows)` },
      'ingest.raw_batchwrite_items_per_s': { value: rawRate, unit: 'items/s', vs: `raw BatchWriteItem of the same ${rows.length} rows, 16 in flight` },
      'ingest.ratio_to_raw': { value: ingestRate / rawRate, unit: 'x', vs: 'ingest ÷ raw (aim ≥ 0.5)' },
      'ingest.unchanged_repoll_ms': { value: repollMs, unit: 'ms', vs: 'full re-parse and compare of the unchanged 1,000-item feed' },
      'ingest.unchanged_repoll_item_writes': { value: writes, unit: 'writes', vs: 'aim 0' },
    };
  } finally {
    server.close();
    await engines.stop();
  }
}
