// /feeds/index.opml: every feed in OPML 2.0 (http://opml.org/spec2.opml), grouped by country and by topic, so a
// reader can import them all at once. RSS URLs (the most widely read format); Atom and JSON are on /feeds.
import { currentTaxonomy } from '../taxonomy/taxonomy.js';
import type { FeedScope } from '../items/model.js';
import { feedUrl, normaliseBase, scopeLabel, scopeTitle, siteName } from './scopes.js';
import { escapeXmlAttribute } from './text.js';

function outline(baseUrl: string, scope: FeedScope, text: string, indent: string): string {
  const a = escapeXmlAttribute;
  return (
    `${indent}<outline type="rss" text="${a(text)}" title="${a(scopeTitle(scope))}" ` +
    `xmlUrl="${a(feedUrl(baseUrl, scope, 'rss'))}" htmlUrl="${a(`${normaliseBase(baseUrl)}/`)}"/>`
  );
}

export function renderOpml(baseUrl: string): string {
  const lines: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeXmlAttribute(`${siteName}: all feeds`)}</title>`,
    '    <docs>http://opml.org/spec2.opml</docs>',
    '  </head>',
    '  <body>',
    outline(baseUrl, { kind: 'all' }, scopeLabel({ kind: 'all' }), '    '),
    '    <outline text="By country">',
  ];
  const { countries, topics } = currentTaxonomy();
  for (const c of countries) {
    lines.push(`      <outline text="${escapeXmlAttribute(c.names.en)}">`);
    lines.push(outline(baseUrl, { kind: 'country', country: c.code }, `${c.names.en}: all topics`, '        '));
    for (const t of topics) lines.push(outline(baseUrl, { kind: 'countryTopic', country: c.code, topic: t.slug }, `${c.names.en}: ${t.names.en}`, '        '));
    lines.push('      </outline>');
  }
  lines.push('    </outline>', '    <outline text="By topic">');
  for (const t of topics) lines.push(outline(baseUrl, { kind: 'topic', topic: t.slug }, t.names.en, '      '));
  lines.push('    </outline>', '  </body>', '</opml>', '');
  return lines.join('\n');
}
