// The feeds page (/es/feeds, /en/feeds; /feeds for feed readers and scripts): a country × topic chooser that builds a
// feed's addresses (a GET form: it works without JavaScript), the chosen addresses in fields with copy buttons, the
// OPML file, and every feed's addresses below in a box that scrolls; autodiscovery links so a reader given this page's address
// finds the feeds.
import type { FeedScope } from '../../../core/items/model.js';
import { allScopes, feedFormatNames, feedFormats, feedMediaTypes, feedUrl } from '../../../core/feeds/index.js';
import { currentTaxonomy, type CountryCode, type TopicSlug } from '../../../core/taxonomy/taxonomy.js';
import { assetPaths } from './assets.js';
import { Layout } from './layout.js';
import { countryName, feedScopeLabel, feedTitle, t, topicName, type Lang } from './i18n.js';

export interface FeedChoice {
  country?: CountryCode;
  topic?: TopicSlug;
}

/** The scope a chooser's answer names (nothing chosen: all news). */
export function scopeOfChoice(choice: FeedChoice): FeedScope {
  if (choice.country && choice.topic) return { kind: 'countryTopic', country: choice.country, topic: choice.topic };
  if (choice.country) return { kind: 'country', country: choice.country };
  if (choice.topic) return { kind: 'topic', topic: choice.topic };
  return { kind: 'all' };
}

export function FeedsDirectoryPage(props: { lang: Lang; baseUrl: string; choice?: FeedChoice; copyButtons?: boolean }) {
  const s = t(props.lang);
  const lang = props.lang;
  const base = props.baseUrl.replace(/\/+$/, '');
  const choice = props.choice ?? {};
  const chosen = scopeOfChoice(choice);
  const { countryCodes, topicSlugs } = currentTaxonomy();

  const Addresses = (row: { scope: FeedScope; label: string }) => (
    <li>
      <strong>{row.label}</strong>
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
    </li>
  );
  const Group = (group: { title: string; rows: Array<{ scope: FeedScope; label: string }> }) => (
    <>
      <h3>
        {group.title} ({group.rows.length})
      </h3>
      <ul class="feed-list">
        {group.rows.map((row) => (
          <Addresses {...row} />
        ))}
      </ul>
    </>
  );

  // The all-news feeds come from the layout; each country's and topic's RSS feed is added here.
  const head = (
    <>
      {allScopes()
        .filter((scope) => scope.kind === 'country' || scope.kind === 'topic')
        .map((scope) => (
          <link rel="alternate" type={feedMediaTypes.rss} title={`${feedTitle(scope, lang)} (RSS)`} href={feedUrl(base, scope, 'rss')} />
        ))}
      <link rel="outline" type="text/x-opml" title={s.feedsOpml} href={`${base}/feeds/index.opml`} />
      {props.copyButtons ? <script src={assetPaths.copyJs} defer /> : null}
    </>
  );
  return (
    <Layout lang={lang} title={s.feedsTitle} section="feeds" altPath={`/${lang === 'es' ? 'en' : 'es'}/feeds`} head={head}>
      <h1>{s.feedsTitle}</h1>
      <p>{s.feedsIntro}</p>

      <section class="chooser" aria-labelledby="chooser-title">
        <h2 id="chooser-title">{s.feedsChooser}</h2>
        <form method="get" action={`/${lang}/feeds`}>
          <p class="hint">{s.feedsChooserHint}</p>
          <div class="row">
            <div>
              <label for="feed-country">{s.feedsCountry}</label>
              <select id="feed-country" name="country">
                <option value="">{s.feedsAnyCountry}</option>
                {countryCodes.map((code) => (
                  <option value={code} selected={choice.country === code}>
                    {countryName(code, lang)}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="feed-topic">{s.feedsTopic}</label>
              <select id="feed-topic" name="topic">
                <option value="">{s.feedsAnyTopic}</option>
                {topicSlugs.map((slug) => (
                  <option value={slug} selected={choice.topic === slug}>
                    {topicName(slug, lang)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit">{s.feedsShow}</button>
          </div>
        </form>
        <h3 id="chosen">{s.feedsChosen(feedScopeLabel(chosen, lang))}</h3>
        {feedFormats.map((format) => {
          const url = feedUrl(base, chosen, format);
          const id = `chosen-${format}`;
          return (
            <div class="copy-field">
              <label for={id}>{feedFormatNames[format]}</label>
              <input id={id} type="text" readonly value={url} spellcheck={false} />
              <button type="button" class="secondary" data-copy={url} data-copied={s.copied} aria-controls={id} hidden>
                {s.copy}
              </button>
            </div>
          );
        })}
      </section>

      <p>{s.feedsNotes}</p>
      <p>
        <a href="/feeds/index.opml">{s.feedsOpml}</a>
      </p>

      <h2 id="every">{s.feedsEvery}</h2>
      {/* 165 addresses: in a box of their own that scrolls, so the page stays short on a phone. */}
      <div class="feed-index" role="region" aria-labelledby="every" tabindex={0}>
      <ul class="feed-list">
        <Addresses scope={{ kind: 'all' }} label={s.feedsAll} />
      </ul>
      <Group title={s.feedsByCountry} rows={countryCodes.map((country) => ({ scope: { kind: 'country', country }, label: countryName(country, lang) }))} />
      <Group title={s.feedsByTopic} rows={topicSlugs.map((topic) => ({ scope: { kind: 'topic', topic }, label: topicName(topic, lang) }))} />
      <Group
        title={s.feedsPairs}
        rows={countryCodes.flatMap((country) =>
          topicSlugs.map((topic) => ({ scope: { kind: 'countryTopic', country, topic } as FeedScope, label: `${countryName(country, lang)} · ${topicName(topic, lang)}` })),
        )}
      />
      </div>
    </Layout>
  );
}
