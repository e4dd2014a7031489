// The taxonomy as data on DynamoDB Local: seeded once (never over an editor's change), the editor API's contract
// (shapes, 201/409/400, 409 taxonomy.inUse with counts, merge), reclassification in the background through the same
// job path as in AWS, and feeds, OPML, subscriptions and GET /api/taxonomy following a change at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { editorHeaders, testRuntime } from '../support/runtime.js';
import { seedDigestPath, seedSourceUrl } from '../../lambdas/local/seed.js';
import { defaultTaxonomy } from '../../lambdas/core/taxonomy/taxonomy.js';

type Runtime = Awaited<ReturnType<typeof testRuntime>>;
const entry = (key: Record<string, string>, en: string, es: string, keywords: { en: string[]; es: string[] }) => ({ ...key, names: { en, es }, keywords });

describe('the taxonomy as data', () => {
  let rt: Runtime;
  const call = (method: string, path: string, body?: unknown, auth = true) =>
    rt.http.request(path, { method, headers: auth ? editorHeaders : { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const idle = () => rt.sending.scheduler.idle(20_000);

  beforeAll(async () => {
    rt = await testRuntime();
    expect((await rt.importDigest(await readFile(seedDigestPath, 'utf8'), seedSourceUrl)).counts.new).toBe(10);
  }, 60_000);
  afterAll(async () => {
    await rt?.stop();
  });

  it('is seeded with the default countries and topics, and GET /api/taxonomy keeps its shape in both languages', async () => {
    const es = await (await call('GET', '/api/taxonomy?language=es', undefined, false)).json();
    expect(es.countries).toEqual(defaultTaxonomy.countries.map((c) => ({ code: c.code, name: c.names.es })));
    expect(es.topics.map((t: { slug: string }) => t.slug)).toEqual(defaultTaxonomy.topicSlugs);
    expect((await call('GET', '/api/taxonomy/full', undefined, false)).status).toBe(401);
    const full = await (await call('GET', '/api/taxonomy/full')).json();
    expect(Object.keys(full.countries[0]).sort()).toEqual(['code', 'items', 'keywords', 'names', 'subscribers']);
    expect(Object.keys(full.topics[0]).sort()).toEqual(['items', 'keywords', 'names', 'slug', 'subscribers']);
    expect(full.countries.find((c: { code: string }) => c.code === 'pe').items).toBe(10);
  });

  it('seeding again never overwrites an editor’s change nor brings back a removed entry', async () => {
    expect((await call('PUT', '/api/taxonomy/topics/tourism-culture', entry({}, 'Tourism', 'Turismo', { en: ['tourism'], es: ['turismo'] }))).status).toBe(200);
    expect((await call('DELETE', '/api/taxonomy/topics/fisheries-oceans?mergeInto=climate-environment')).status).toBe(200);
    expect(await rt.app.repos.taxonomy.seed(defaultTaxonomy)).toBe(0);
    const view = await (await call('GET', '/api/taxonomy', undefined, false)).json();
    expect(view.topics.find((t: { slug: string }) => t.slug === 'tourism-culture').name).toBe('Tourism');
    expect(view.topics.some((t: { slug: string }) => t.slug === 'fisheries-oceans')).toBe(false);
    await idle();
  });

  it('adds a topic (201; again 409; a bad slug 400), tags old items in the background and new ones at once, with its own feeds', async () => {
    const health = entry({ slug: 'public-health' }, 'Public health', 'Salud pública', { en: ['health', 'vaccines'], es: ['salud', 'vacunas'] });
    expect((await call('POST', '/api/taxonomy/topics', health)).status).toBe(201);
    expect((await call('POST', '/api/taxonomy/topics', health)).status).toBe(409);
    for (const slug of ['Public-Health', 'public--health', '-health', 'salud pública']) {
      expect((await call('POST', '/api/taxonomy/topics', { ...health, slug })).status, slug).toBe(400);
    }
    await rt.app.ingest.editItem({ title: 'Vaccines reach rural Peru', link: 'https://example.org/vaccines' });
    await idle();
    const items = await (await call('GET', '/api/items?topic=public-health&limit=50', undefined, false)).json();
    expect(items.items.map((i: { title: string }) => i.title)).toContain('Vaccines reach rural Peru');
    expect((await call('GET', '/feeds/topics/public-health.rss', undefined, false)).status).toBe(200);
    expect(await (await call('GET', '/feeds/index.opml', undefined, false)).text()).toContain('Public health');
    const subscribed = await call('POST', '/api/subscriptions', { email: 'health@example.org', countries: ['pe'], topics: ['public-health'], language: 'es', frequency: 'instant' }, false);
    expect(subscribed.status).toBe(202);
  });

  it('refuses to remove a topic in use (409 taxonomy.inUse with counts); merging moves subscribers and items, keeping editor overrides; the old feeds move (301)', async () => {
    const overridden = await rt.app.ingest.editItem({ title: 'A note on public health', link: 'https://example.org/override', topics: ['public-health'] });
    const refused = await call('DELETE', '/api/taxonomy/topics/public-health');
    expect(refused.status).toBe(409);
    const body = await refused.json();
    expect(body.error.code).toBe('taxonomy.inUse');
    expect(body.error.details).toEqual({ items: expect.any(Number), subscribers: 1 });
    expect(body.error.details.items).toBeGreaterThan(0);

    expect((await call('DELETE', '/api/taxonomy/topics/public-health?mergeInto=gender-inclusion')).status).toBe(200);
    await idle();
    const item = await (await call('GET', `/api/items/${overridden.id}`, undefined, false)).json();
    expect(item.topics).toEqual(['gender-inclusion']);
    const subscriber = await rt.app.repos.subscribers.findByEmail('health@example.org');
    expect(subscriber?.topics).toEqual(['gender-inclusion']);
    const moved = await call('GET', '/feeds/countries/pe/topics/public-health.atom', undefined, false);
    expect(moved.status).toBe(301);
    expect(moved.headers.get('location')).toBe('/feeds/countries/pe/topics/gender-inclusion.atom');
    expect((await call('POST', '/api/subscriptions', { email: 'late@example.org', countries: [], topics: ['public-health'], language: 'en', frequency: 'instant' }, false)).status).toBe(400);
  });

  it('removes an unused topic (its feeds 410), and adds a country that bloc-wide items then carry', async () => {
    expect((await call('POST', '/api/taxonomy/topics', entry({ slug: 'space' }, 'Space', 'Espacio', { en: ['astronaut'], es: ['astronauta'] }))).status).toBe(201);
    expect((await call('DELETE', '/api/taxonomy/topics/space')).status).toBe(200);
    expect((await call('GET', '/feeds/topics/space.json', undefined, false)).status).toBe(410);

    expect((await call('POST', '/api/taxonomy/countries', entry({ code: 'EC' }, 'Ecuador', 'Ecuador', { en: [], es: [] }))).status).toBe(400);
    expect((await call('POST', '/api/taxonomy/countries', entry({ code: 'ec' }, 'Ecuador', 'Ecuador', { en: ['quito'], es: ['quito'] }))).status).toBe(201);
    await idle();
    const all = await (await call('GET', '/api/items?limit=100', undefined, false)).json();
    const blocWide = all.items.filter((i: { countries: string[] }) => ['cl', 'co', 'mx', 'pe'].every((c) => i.countries.includes(c)) && i.countries.length === 5);
    const ecuador = await (await call('GET', '/api/items?country=ec&limit=100', undefined, false)).json();
    expect(ecuador.items.length).toBeGreaterThan(0);
    expect(blocWide.length).toBe(ecuador.items.length);
    const full = await (await call('GET', '/api/taxonomy/full')).json();
    expect(full.countries.map((c: { code: string }) => c.code)).toEqual(['cl', 'co', 'ec', 'mx', 'pe']);
  });

  it('previews what a keyword change would add or drop, saving nothing', async () => {
    const before = await (await call('GET', '/api/taxonomy/full')).json();
    const preview = await call('POST', '/api/taxonomy/topics/tourism-culture/preview', entry({}, 'Tourism', 'Turismo', { en: ['tourism', 'scholarships'], es: ['becas'] }));
    expect(preview.status).toBe(200);
    const body = await preview.json();
    expect(body.added.length).toBeGreaterThan(0);
    expect(await (await call('GET', '/api/taxonomy/full')).json()).toEqual(before);
  });
});
