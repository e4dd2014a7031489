// A feed entry as a source delivers it to ingest, with overrides: a trade story that classifies as Chile and Peru.
import type { IncomingEntry } from '../../lambdas/core/items/model.js';

export const anEntry = (over: Partial<IncomingEntry> = {}): IncomingEntry => ({
  guid: 'guid-1',
  link: 'https://publisher.example/news/1',
  title: 'Chile and Peru sign a trade agreement',
  publishedAt: '2024-05-01T10:00:00Z',
  contentHtml: '<p>Exporters from Chile and Peru will benefit from the new trade agreement.</p>',
  categories: [],
  enclosures: [],
  ...over,
});
