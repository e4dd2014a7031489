// The /feeds page (every feed, with URLs to copy into a reader) and the autodiscovery links every HTML page of the
// service carries in its <head>.
import type { FeedScope } from '../items/model.js';
import { countries, topics } from '../taxonomy/taxonomy.js';
import { allScopes, feedFormatNames, feedFormats, feedMediaTypes, feedUrl, normaliseBase, scopeLabel, scopeTitle, siteName } from './scopes.js';
import { escapeHtml } from '../shared/text.js';

/**
 * `<link rel="alternate">` tags for a page's <head>: the feeds of `scope` in every format, plus the all-news feeds
 * when the scope is narrower. With no baseUrl the hrefs are root-relative (fine for pages on the same origin).
 */
export function feedAutodiscoveryLinks(scope: FeedScope = { kind: 'all' }, options: { baseUrl?: string } = {}): string {
  const base = options.baseUrl === undefined ? '' : normaliseBase(options.baseUrl);
  const scopes: FeedScope[] = scope.kind === 'all' ? [scope] : [scope, { kind: 'all' }];
  const tags: string[] = [];
  for (const s of scopes) {
    for (const format of feedFormats) {
      const title = `${scopeTitle(s)} (${feedFormatNames[format]})`;
      tags.push(`<link rel="alternate" type="${feedMediaTypes[format]}" title="${escapeHtml(title)}" href="${escapeHtml(feedUrl(base, s, format))}">`);
    }
  }
  return tags.join('\n');
}

function feedRow(baseUrl: string, scope: FeedScope, label: string): string {
  const cells = feedFormats.map((format) => {
    const url = feedUrl(baseUrl, scope, format);
    const id = `${scope.kind}-${format}-${url.replace(/[^a-z0-9]+/gi, '-')}`;
    return (
      `<td><label for="${escapeHtml(id)}" class="visually-hidden">${escapeHtml(`${label}, ${feedFormatNames[format]}`)}</label>` +
      `<input id="${escapeHtml(id)}" type="url" readonly value="${escapeHtml(url)}"> ` +
      `<a href="${escapeHtml(url)}">${feedFormatNames[format]}</a></td>`
    );
  });
  return `<tr><th scope="row">${escapeHtml(label)}</th>${cells.join('')}</tr>`;
}

function table(caption: string, rows: string[]): string {
  return (
    `<table>\n<caption>${escapeHtml(caption)}</caption>\n` +
    `<thead><tr><th scope="col">Feed</th>${feedFormats.map((f) => `<th scope="col">${feedFormatNames[f]}</th>`).join('')}</tr></thead>\n` +
    `<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
  );
}

export function renderFeedsPage(baseUrl: string): string {
  const base = normaliseBase(baseUrl);
  const pairs = allScopes().filter((s) => s.kind === 'countryTopic');
  const discovery = [
    feedAutodiscoveryLinks({ kind: 'all' }, { baseUrl: base }),
    ...allScopes()
      .filter((s) => s.kind === 'country' || s.kind === 'topic')
      .map((s) => `<link rel="alternate" type="${feedMediaTypes.rss}" title="${escapeHtml(`${scopeTitle(s)} (RSS)`)}" href="${escapeHtml(feedUrl(base, s, 'rss'))}">`),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`${siteName}: feeds`)}</title>
${discovery}
<link rel="outline" type="text/x-opml" title="All feeds (OPML)" href="${escapeHtml(`${base}/feeds/index.opml`)}">
<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem;line-height:1.5}
table{border-collapse:collapse;width:100%;margin:1rem 0 2rem}th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #ddd}
input{width:22rem;max-width:60vw;font-family:ui-monospace,monospace;font-size:.85rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(siteName)}: feeds</h1>
<p>Follow the news in any feed reader: copy a feed's address below and add it as a subscription in your reader
(most readers also find these feeds when you give them the address of this page). Every feed comes as RSS 2.0,
Atom 1.0 and JSON Feed 1.1; pick whichever your reader prefers. To subscribe to everything at once, import
<a href="${escapeHtml(`${base}/feeds/index.opml`)}">the OPML list of all feeds</a>.</p>
<p>Items about the Pacific Alliance as a whole appear in every country's feed. Each feed shows the newest
items first; readers that support RFC 5005 can page back through older items.</p>
${table('All news', [feedRow(base, { kind: 'all' }, scopeLabel({ kind: 'all' }))])}
${table('By country', countries.map((c) => feedRow(base, { kind: 'country', country: c.code }, c.name)))}
${table('By topic', topics.map((t) => feedRow(base, { kind: 'topic', topic: t.slug }, t.name)))}
${table('By country and topic', pairs.map((s) => feedRow(base, s, scopeLabel(s))))}
</main>
</body>
</html>
`;
}
