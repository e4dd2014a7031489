// The bench population: deterministic items and subscribers (a seeded PRNG), and subscriber rows loaded exactly as
// the subscriptions repository lays them out. Shared by the send and scale benches.
import { performance } from 'node:perf_hooks';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { confirmedShardOf } from '../lambdas/adapters/dynamo/subscribers.js';
import { keys } from '../lambdas/adapters/dynamo/keys.js';
import type { Item } from '../lambdas/core/items/model.js';
import type { Subscriber } from '../lambdas/core/subscriptions/model.js';
import { defaultTaxonomy } from '../lambdas/core/taxonomy/taxonomy.js';

const { countryCodes, topicSlugs } = defaultTaxonomy;

// A small deterministic PRNG so every run plans the same population.
export function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(values: readonly T[], count: number, rand: () => number): T[] {
  const pool = [...values];
  const out: T[] = [];
  while (out.length < count && pool.length) out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]!);
  return out;
}

export function benchItems(count: number, seed: number): Item[] {
  const rand = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const blocWide = i % 6 === 0;
    const at = new Date(Date.UTC(2026, 10, 20, 12) - i * 3_600_000).toISOString();
    return {
      id: `bench-item-${seed}-${i}`,
      sourceId: 'bench',
      sourceGuid: `bench-${seed}-${i}`,
      link: `https://news.example.org/items/${seed}/${i}`,
      title: `Pacific Alliance update ${i}: trade, education and climate cooperation`,
      publishedAt: at,
      updatedAt: at,
      summary:
        'Ministers of the four member countries agreed on a joint agenda to strengthen trade, investment promotion and the participation of small businesses in regional value chains.',
      contentHtml: '<p>Body</p>',
      enclosures: [],
      countries: blocWide ? [...countryCodes] : pick(countryCodes, 1 + Math.floor(rand() * 2), rand),
      topics: pick(topicSlugs, 1 + Math.floor(rand() * 2), rand),
      blocWide,
      tagProvenance: { countries: 'rule', topics: 'rule' },
      sourceCategories: [],
      version: 1,
      sourceHash: `h${i}`,
      ingestedAt: at,
    } as Item;
  });
}

export function benchSubscribers(count: number, prefix: string, domain: string, seed: number): Subscriber[] {
  const rand = rng(seed);
  const at = '2026-11-01T00:00:00.000Z';
  return Array.from({ length: count }, (_, i) => {
    const nCountries = [0, 0, 1, 1, 1, 2][Math.floor(rand() * 6)]!;
    const nTopics = [0, 1, 1, 2, 2, 3][Math.floor(rand() * 6)]!;
    return {
      id: `${prefix}${String(i).padStart(6, '0')}`,
      email: `${prefix}${i}@${domain}`,
      status: 'confirmed',
      countries: pick(countryCodes, nCountries, rand),
      topics: pick(topicSlugs, nTopics, rand),
      language: rand() < 0.6 ? 'es' : 'en',
      frequency: rand() < 0.9 ? 'instant' : 'daily',
      paused: false,
      createdAt: at,
      updatedAt: at,
      confirmedAt: at,
      version: 1,
    };
  });
}

/** Writes subscriber rows exactly as the subscriptions repository lays them out, 25 per BatchWriteItem. */
export async function loadSubscribers(doc: DynamoDBDocumentClient, tableName: string, subscribers: Subscriber[]): Promise<number> {
  const started = performance.now();
  const rows = subscribers.map((s) => ({
    ...s,
    consent: {},
    origin: 'import',
    ...keys.subscriber(s.id),
    kind: 'subscriber',
    ...keys.confirmedShard(confirmedShardOf(s.id), s.id),
  }));
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const part = rows.slice(next, next + 25);
      next += 25;
      let request: Record<string, Array<{ PutRequest: { Item: Record<string, unknown> } }>> | undefined = { [tableName]: part.map((Item) => ({ PutRequest: { Item } })) };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        const out = await doc.send(new BatchWriteCommand({ RequestItems: request }));
        request = out.UnprocessedItems as typeof request;
        if (request && Object.keys(request).length > 0) await new Promise((r) => setTimeout(r, Math.min(500, 10 * 2 ** attempt)));
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, worker));
  return (performance.now() - started) / 1000;
}
