// The taxonomy port: seeded once per process, cached for its time to live, seen at once after a reload, and kept when
// the store cannot be read; entry keys checked as the editor API promises; bloc-wide follows the number of members.
import { afterEach, describe, expect, it } from 'vitest';
import { checkKey, createTaxonomyReader, type TaxonomyStore } from '../../lambdas/core/taxonomy/service.js';
import { currentTaxonomy, defaultTaxonomy, putTaxonomyInForce, Taxonomy, type TaxonomyData } from '../../lambdas/core/taxonomy/taxonomy.js';
import { classify } from '../../lambdas/core/ingest/classify.js';

const ecuador = { code: 'ec', names: { en: 'Ecuador', es: 'Ecuador' }, keywords: { en: ['quito'], es: ['quito'] } };

function fakeStore(data: TaxonomyData) {
  const calls = { load: 0, seed: 0 };
  let failing = false;
  const store: TaxonomyStore = {
    load: async () => {
      calls.load++;
      if (failing) throw new Error('unreachable');
      return data;
    },
    seed: async () => (calls.seed++, 0),
    create: async () => true,
    update: async () => true,
    remove: async () => undefined,
  };
  return { store, calls, set: (next: TaxonomyData) => (data = next), fail: (on: boolean) => (failing = on) };
}

afterEach(() => putTaxonomyInForce(defaultTaxonomy));

describe('the taxonomy port', () => {
  it('seeds once, keeps what it read for its time to live, and puts each fresh read in force', async () => {
    let now = 0;
    const fake = fakeStore(defaultTaxonomy);
    const reader = createTaxonomyReader({ store: fake.store, clock: { now: () => new Date(now) }, ttlMs: 5000, defaults: defaultTaxonomy });
    await reader.current();
    fake.set({ countries: [...defaultTaxonomy.countries, ecuador], topics: defaultTaxonomy.topics });
    now = 4999;
    expect((await reader.current()).countryCodes).toEqual(['cl', 'co', 'mx', 'pe']);
    now = 5000;
    expect((await reader.current()).countryCodes).toEqual(['cl', 'co', 'ec', 'mx', 'pe']);
    expect(currentTaxonomy().isCountryCode('ec')).toBe(true);
    expect(fake.calls).toEqual({ load: 2, seed: 1 });
  });

  it('keeps the taxonomy in force when the store cannot be read, and tries again a time to live later', async () => {
    let now = 0;
    const fake = fakeStore(defaultTaxonomy);
    const stale: unknown[] = [];
    const reader = createTaxonomyReader({ store: fake.store, clock: { now: () => new Date(now) }, ttlMs: 5000, defaults: defaultTaxonomy, onStale: (e) => stale.push(e) });
    fake.fail(true);
    expect(await reader.current()).toBe(defaultTaxonomy);
    expect(await reader.current()).toBe(defaultTaxonomy);
    expect(stale).toHaveLength(1);
    await expect(reader.reload()).rejects.toThrow('unreachable');
  });
});

describe('entries', () => {
  it('takes lower-case ISO codes and slugs of letters and digits joined by single hyphens', () => {
    expect(() => checkKey('country', 'ec')).not.toThrow();
    for (const bad of ['EC', 'ecu', 'e', 'e1']) expect(() => checkKey('country', bad), bad).toThrow(/ISO 3166-1/);
    expect(() => checkKey('topic', 'public-health-2')).not.toThrow();
    for (const bad of ['Public', 'a--b', '-a', 'a-', 'a b', 'salud-pública', '']) expect(() => checkKey('topic', bad), bad).toThrow(/single hyphens/);
  });

  it('bloc-wide means every member, however many', () => {
    const five = new Taxonomy({ countries: [...defaultTaxonomy.countries, ecuador], topics: defaultTaxonomy.topics });
    const none = classify({ title: 'The Alliance meets', text: 'Ministers met.', categories: [] }, five);
    expect(none).toMatchObject({ blocWide: true, countries: ['cl', 'co', 'ec', 'mx', 'pe'] });
    const four = classify({ title: 'Chile, Colombia, Mexico and Peru agree', text: '', categories: [] }, five);
    expect(four.blocWide).toBe(false);
    expect(classify({ title: 'Quito hosts a summit', text: '', categories: [] }, five).countries).toEqual(['ec']);
  });
});
