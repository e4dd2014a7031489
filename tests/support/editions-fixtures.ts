// Builders for newsletter tests: items and subscribers with overrides and fixed dates.
import { brandDefaults } from '../../lambdas/config.js';
import type { Brand } from '../../lambdas/core/editions/newsletter.js';
import type { Item } from '../../lambdas/core/items/model.js';
import type { Subscriber } from '../../lambdas/core/subscriptions/model.js';

export function anItem(overrides: Partial<Item> & { id: string }): Item {
  return {
    sourceId: 'src',
    sourceGuid: overrides.id,
    link: `https://news.example.org/${overrides.id}`,
    title: `Title ${overrides.id}`,
    publishedAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    summary: `Summary of ${overrides.id}.`,
    contentHtml: `<p>Summary of ${overrides.id}.</p>`,
    enclosures: [],
    countries: ['cl'],
    topics: ['trade-investment'],
    blocWide: false,
    tagProvenance: { countries: 'rule', topics: 'rule' },
    sourceCategories: [],
    version: 1,
    sourceHash: `hash-${overrides.id}`,
    ingestedAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

export function aSubscriber(overrides: Partial<Subscriber> & { id: string }): Subscriber {
  return {
    email: `${overrides.id}@example.org`,
    status: 'confirmed',
    countries: [],
    topics: [],
    language: 'en',
    frequency: 'instant',
    paused: false,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    confirmedAt: '2026-11-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** The brand of the tests' emails (the seed's defaults, as the local runtime has them). */
export const aBrand: Brand = { name: brandDefaults.BRAND_NAME, color: brandDefaults.BRAND_COLOR, postalAddress: brandDefaults.POSTAL_ADDRESS };
