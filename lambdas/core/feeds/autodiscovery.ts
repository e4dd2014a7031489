// The autodiscovery links every HTML page of the service carries in its <head> (the /feeds page itself is a view of
// the HTTP adapter).
import type { FeedScope } from '../items/model.js';
import { feedFormatNames, feedFormats, feedMediaTypes, feedUrl, normaliseBase, scopeTitle } from './scopes.js';
import { escapeHtml } from '../shared/text.js';

/**
 * `<link rel="alternate">` tags for a page's <head>: the feeds of `scope` in every format, plus the all-news feeds
 * when the scope is narrower. With no baseUrl the hrefs are root-relative (fine for pages on the same origin).
 */
export function feedAutodiscoveryLinks(
  scope: FeedScope = { kind: 'all' },
  options: { baseUrl?: string; /** A scope's title in the page's language (English by default). */ titleOf?: (scope: FeedScope) => string } = {},
): string {
  const titleOf = options.titleOf ?? scopeTitle;
  const base = options.baseUrl === undefined ? '' : normaliseBase(options.baseUrl);
  const scopes: FeedScope[] = scope.kind === 'all' ? [scope] : [scope, { kind: 'all' }];
  const tags: string[] = [];
  for (const s of scopes) {
    for (const format of feedFormats) {
      const title = `${titleOf(s)} (${feedFormatNames[format]})`;
      tags.push(`<link rel="alternate" type="${feedMediaTypes[format]}" title="${escapeHtml(title)}" href="${escapeHtml(feedUrl(base, s, format))}">`);
    }
  }
  return tags.join('\n');
}
