// The feeds directory (/feeds, /es/feeds, /en/feeds): every feed's three addresses, ready to copy, the OPML file,
// and autodiscovery links so a reader given this page's address finds the feeds.
import type { FeedScope } from '../../../core/items/model.js';
import { allScopes, feedFormatNames, feedFormats, feedMediaTypes, feedUrl, scopeTitle } from '../../../core/feeds/index.js';
import { currentTaxonomy } from '../../../core/taxonomy/taxonomy.js';
import { Layout } from './layout.js';
import { DataTable } from './table.js';
import { countryName, t, topicName, type Lang } from './i18n.js';

export function FeedsDirectoryPage(props: { lang: Lang; baseUrl: string }) {
  const s = t(props.lang);
  const base = props.baseUrl.replace(/\/+$/, '');
  const Row = (row: { scope: FeedScope; label: string }) => (
    <tr>
      <th scope="row">{row.label}</th>
      <td>
        <ul class="feed-urls">
          {feedFormats.map((format) => {
            const url = feedUrl(base, row.scope, format);
            return (
              <li>
                <a href={url}>{feedFormatNames[format]}</a>{' '}
                <code>
                  <data value={url}>{url}</data>
                </code>
              </li>
            );
          })}
        </ul>
      </td>
    </tr>
  );
  const Table = (table: { rows: Array<{ scope: FeedScope; label: string }> }) => (
    <DataTable columns={[s.feedsName, s.feedsFormats]}>
      {table.rows.map((row) => (
        <Row {...row} />
      ))}
    </DataTable>
  );
  // The all-news feeds come from the layout; each country's and topic's RSS feed is added here.
  const discovery = (
    <>
      {allScopes()
        .filter((scope) => scope.kind === 'country' || scope.kind === 'topic')
        .map((scope) => (
          <link rel="alternate" type={feedMediaTypes.rss} title={`${scopeTitle(scope)} (RSS)`} href={feedUrl(base, scope, 'rss')} />
        ))}
      <link rel="outline" type="text/x-opml" title={s.feedsOpml} href={`${base}/feeds/index.opml`} />
    </>
  );
  return (
    <Layout lang={props.lang} title={s.feedsTitle} section="feeds" altPath={`/${props.lang === 'es' ? 'en' : 'es'}/feeds`} head={discovery}>
      <h1>{s.feedsTitle}</h1>
      <p>{s.feedsIntro}</p>
      <p>{s.feedsNotes}</p>
      <p>
        <a href="/feeds/index.opml">{s.feedsOpml}</a>
      </p>
      <h2>{s.feedsAll}</h2>
      <Table rows={[{ scope: { kind: 'all' }, label: s.feedsAll }]} />
      <h2>{s.feedsByCountry}</h2>
      <Table rows={currentTaxonomy().countryCodes.map((country) => ({ scope: { kind: 'country', country }, label: countryName(country, props.lang) }))} />
      <h2>{s.feedsByTopic}</h2>
      <Table rows={currentTaxonomy().topicSlugs.map((topic) => ({ scope: { kind: 'topic', topic }, label: topicName(topic, props.lang) }))} />
      <h2>{s.feedsPairs}</h2>
      {currentTaxonomy().countryCodes.map((country) => (
        <>
          <h3>{countryName(country, props.lang)}</h3>
          <Table rows={currentTaxonomy().topicSlugs.map((topic) => ({ scope: { kind: 'countryTopic', country, topic }, label: `${countryName(country, props.lang)} · ${topicName(topic, props.lang)}` }))} />
        </>
      ))}
    </Layout>
  );
}
