// Public pages: subscribe, "check your inbox", the preference centre, the archive (index and each edition's web
// version, the "view in browser" target), item pages, and the error pages. Forms post to same-origin routes and work
// without JavaScript.
import type { Child } from 'hono/jsx';
import type { Item } from '../../../core/items/model.js';
import { httpUrl } from '../../../core/shared/input.js';
import { taxonomyView, type CountryCode, type TopicSlug } from '../../../core/taxonomy/taxonomy.js';
import { escapeHtml, truncate } from '../../../core/shared/text.js';
import { renderIntro } from '../../../core/editions/intro-markdown.js';
import { raw } from 'hono/html';
import { frequencies, type Frequency } from '../../../core/subscriptions/model.js';
import { ChoiceFieldset, languageChoices } from './choices.js';
import { Layout, Notice } from './layout.js';
import { countryName, formatDate, t, topicName, type Lang } from './i18n.js';

export interface SubscribeValues {
  email?: string;
  countries?: string[];
  topics?: string[];
  language?: Lang;
  frequency?: Frequency;
}

function PreferenceFields(props: { lang: Lang; values: SubscribeValues; idPrefix: string }) {
  const s = t(props.lang);
  const taxonomy = taxonomyView(props.lang);
  const v = props.values;
  const p = props.idPrefix;
  const countries = taxonomy.countries.map((c) => ({ id: `${p}country-${c.code}`, value: c.code, label: c.name, checked: v.countries?.includes(c.code) ?? false }));
  const topics = taxonomy.topics.map((x) => ({ id: `${p}topic-${x.slug}`, value: x.slug, label: x.name, checked: v.topics?.includes(x.slug) ?? false }));
  const frequencyChoices = frequencies.map((f) => ({ id: `${p}freq-${f}`, value: f, label: s[`freq_${f}`], checked: (v.frequency ?? 'instant') === f }));
  return (
    <>
      <ChoiceFieldset legend={s.countries} name="countries" choices={countries} hint={{ id: `${p}countries-hint`, text: s.countriesHint }} columns />
      <ChoiceFieldset legend={s.topics} name="topics" choices={topics} hint={{ id: `${p}topics-hint`, text: s.topicsHint }} columns />
      <ChoiceFieldset legend={s.language} name="language" type="radio" choices={languageChoices(p, (l) => (v.language ?? props.lang) === l)} />
      <ChoiceFieldset legend={s.frequency} name="frequency" type="radio" choices={frequencyChoices} />
    </>
  );
}

/** A field people do not see and bots fill in; the routes ignore a form that comes back with it filled. */
function Honeypot(props: { lang: Lang; id: string }) {
  return (
    <div class="hp" aria-hidden="true">
      <label for={props.id}>{t(props.lang).honeypot}</label>
      <input type="text" id={props.id} name="website" tabindex={-1} autocomplete="off" value="" />
    </div>
  );
}

export function HomePage(props: { lang: Lang; values?: SubscribeValues; error?: string; latest: Item[] }) {
  const s = t(props.lang);
  const values = props.values ?? {};
  return (
    <Layout lang={props.lang} title={s.homeTitle} section="home" altPath={`/${props.lang === 'es' ? 'en' : 'es'}/`}>
      <h1>{s.homeTitle}</h1>
      <p class="lead">{s.homeLead}</p>
      {props.error ? (
        <Notice kind="error">
          <strong>{s.fixErrors}: </strong>
          {props.error}
        </Notice>
      ) : null}
      <form class="stack" method="post" action={`/${props.lang}/subscribe`} id="subscribe">
        <div>
          <label for="email">{s.email}</label>
          <p class="hint" id="email-hint">
            {s.emailHint}
          </p>
          <input
            type="email"
            id="email"
            name="email"
            required
            autocomplete="email"
            maxlength={254}
            value={values.email ?? ''}
            aria-describedby="email-hint"
            aria-invalid={props.error ? 'true' : undefined}
          />
        </div>
        <PreferenceFields lang={props.lang} values={values} idPrefix="" />
        <Honeypot lang={props.lang} id="website" />
        <p class="consent" id="consent">
          {s.consent}
        </p>
        <button type="submit" aria-describedby="consent">
          {s.subscribe}
        </button>
      </form>
      <p class="muted">
        <a href="/feeds">{s.feedsInstead}</a>
      </p>
      {props.latest.length > 0 ? (
        <section aria-labelledby="latest">
          <h2 id="latest">{s.latestNews}</h2>
          <ItemList lang={props.lang} items={props.latest} headingLevel={3} />
        </section>
      ) : null}
    </Layout>
  );
}

export function CheckInboxPage(props: { lang: Lang; resent?: boolean; error?: string }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={s.checkTitle} section="home" narrow altPath={`/${props.lang === 'es' ? 'en' : 'es'}/check-inbox`}>
      <h1>{s.checkTitle}</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : <Notice>{props.resent ? s.resent : s.checkBody}</Notice>}
      <p>{s.checkNothing}</p>
      <form class="stack" method="post" action={`/${props.lang}/resend`}>
        <div>
          <label for="resend-email">{s.email}</label>
          <input type="email" id="resend-email" name="email" required autocomplete="email" maxlength={254} />
        </div>
        <Honeypot lang={props.lang} id="resend-website" />
        <button type="submit" class="secondary">
          {s.resend}
        </button>
      </form>
    </Layout>
  );
}

export function ItemTags(props: { lang: Lang; item: Pick<Item, 'countries' | 'topics' | 'blocWide'> }) {
  const s = t(props.lang);
  return (
    <span>
      {props.item.blocWide ? <span class="tag">{s.blocWide}</span> : props.item.countries.map((c) => <span class="tag">{countryName(c, props.lang)}</span>)}
      {props.item.topics.map((x) => (
        <span class="tag">{topicName(x, props.lang)}</span>
      ))}
    </span>
  );
}

export function ItemList(props: { lang: Lang; items: Item[]; headingLevel: 2 | 3 }) {
  const H = props.headingLevel === 2 ? 'h2' : 'h3';
  return (
    <ul class="cards">
      {props.items.map((item) => (
        <li>
          <H>
            <a href={`/${props.lang}/items/${encodeURIComponent(item.id)}`}>{item.title}</a>
          </H>
          <p class="meta">
            <time datetime={item.publishedAt}>{formatDate(item.publishedAt, props.lang)}</time> · <ItemTags lang={props.lang} item={item} />
          </p>
          <p>{truncate(item.summary, 280)}</p>
        </li>
      ))}
    </ul>
  );
}

export function ItemPage(props: { lang: Lang; item: Item; baseUrl: string }) {
  const s = t(props.lang);
  const { item } = props;
  // Items stored before links were held to http(s) may still carry another scheme: never print one.
  const host = httpUrl(item.link)?.hostname;
  const scope =
    item.countries.length === 1 ? { kind: 'country' as const, country: item.countries[0]! } : item.topics.length === 1 ? { kind: 'topic' as const, topic: item.topics[0]! } : undefined;
  return (
    <Layout
      lang={props.lang}
      title={item.title}
      section="archive"
      canonical={host === undefined ? undefined : item.link}
      altPath={`/${props.lang === 'es' ? 'en' : 'es'}/items/${encodeURIComponent(item.id)}`}
      feedScope={scope}
    >
      <article class="item" lang={item.language && item.language !== props.lang ? item.language : undefined}>
        <h1>{item.title}</h1>
        <p class="meta">
          {s.published} <time datetime={item.publishedAt}>{formatDate(item.publishedAt, props.lang)}</time>
          {item.author ? ` · ${item.author}` : ''} · <ItemTags lang={props.lang} item={item} />
        </p>
        <div class="content" dangerouslySetInnerHTML={{ __html: item.contentHtml || `<p>${escapeHtml(item.summary)}</p>` }} />
        {host !== undefined ? (
          <p>
            <strong>{s.canonical}: </strong>
            <a href={item.link} rel="noopener">
              {s.readAtSource}
            </a>{' '}
            <span class="muted">({host})</span>
          </p>
        ) : null}
      </article>
    </Layout>
  );
}

export interface ArchiveEntry {
  id: string;
  subject: string;
  intro?: string;
  sentAt: string;
  itemCount: number;
}

export function ArchiveIndexPage(props: { lang: Lang; editions: ArchiveEntry[] }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={s.archiveTitle} section="archive" altPath={`/${props.lang === 'es' ? 'en' : 'es'}/archive`}>
      <h1>{s.archiveTitle}</h1>
      <p class="lead">{s.archiveLead}</p>
      {props.editions.length === 0 ? (
        <p>{s.archiveEmpty}</p>
      ) : (
        <ul class="cards">
          {props.editions.map((e) => (
            <li>
              <h2>
                <a href={`/${props.lang}/archive/${encodeURIComponent(e.id)}`}>{e.subject}</a>
              </h2>
              <p class="meta">
                {s.sentOn} <time datetime={e.sentAt}>{formatDate(e.sentAt, props.lang)}</time> · {s.itemsCount(e.itemCount)}
              </p>
              {e.intro ? <p>{truncate(renderIntro(e.intro).text.replace(/\s+/g, ' '), 280)}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </Layout>
  );
}

/** An edition's web page: the whole edition (the archive) or, `personal`, what one subscriber's choices got them
 *  (their "view in your browser" link: not indexed, no other-language switch). The intro is Markdown, sanitised. */
export function ArchiveEditionPage(props: { lang: Lang; edition: ArchiveEntry; items: Item[]; personal?: boolean }) {
  const s = t(props.lang);
  const e = props.edition;
  const altPath = props.personal ? undefined : `/${props.lang === 'es' ? 'en' : 'es'}/archive/${encodeURIComponent(e.id)}`;
  return (
    <Layout lang={props.lang} title={e.subject} section="archive" noindex={props.personal} {...(altPath ? { altPath } : {})}>
      <p>
        <a href={`/${props.lang}/archive`}>← {s.backToArchive}</a>
      </p>
      <h1>{e.subject}</h1>
      <p class="meta">
        {s.sentOn} <time datetime={e.sentAt}>{formatDate(e.sentAt, props.lang)}</time> · {s.itemsCount(props.items.length)}
      </p>
      {e.intro ? <div class="lead">{raw(renderIntro(e.intro).html)}</div> : null}
      <ItemList lang={props.lang} items={props.items} headingLevel={2} />
      <p>
        <a class="button" href={`/${props.lang}/#subscribe`}>
          {s.subscribe}
        </a>
      </p>
    </Layout>
  );
}

export interface PreferencesModel {
  email: string;
  status: 'pending' | 'confirmed' | 'unsubscribed' | 'suppressed';
  paused: boolean;
  clickTracking?: boolean;
  countries: CountryCode[];
  topics: TopicSlug[];
  language: Lang;
  frequency: Frequency;
}

/** A form that is one button, posting to a preference-centre action and answering in the page's language. */
function PostButton(props: { action: string; lang: Lang; class?: string; children: Child }) {
  return (
    <form method="post" action={`${props.action}?lang=${props.lang}`}>
      <button type="submit" class={props.class}>
        {props.children}
      </button>
    </form>
  );
}

export function PreferencesPage(props: { lang: Lang; token: string; prefs: PreferencesModel; message?: string; error?: string }) {
  const s = t(props.lang);
  const p = props.prefs;
  const base = `/preferences/${encodeURIComponent(props.token)}`;
  const other: Lang = props.lang === 'es' ? 'en' : 'es';
  return (
    <Layout lang={props.lang} title={s.prefsTitle} section="none" narrow noindex altPath={`${base}?lang=${other}`}>
      <h1>{s.prefsTitle}</h1>
      <p class="lead">{s.prefsLead(p.email)}</p>
      <p>
        <strong>{s.statusLabel}:</strong> {s[`status_${p.status}`]}
        {p.paused ? ` · ${s.pausedNote}` : ''}
      </p>
      {props.message ? <Notice>{props.message}</Notice> : null}
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {p.status === 'unsubscribed' ? (
        <PostButton action={`${base}/resubscribe`} lang={props.lang}>
          {s.undo}
        </PostButton>
      ) : null}
      {p.status === 'confirmed' || p.status === 'pending' ? (
        <>
          <form class="stack" method="post" action={`${base}?lang=${props.lang}`}>
            <PreferenceFields lang={props.lang} values={p} idPrefix="p-" />
            <button type="submit">{s.save}</button>
          </form>
          <h2>{p.paused ? s.resume : s.pause}</h2>
          <PostButton action={`${base}/${p.paused ? 'resume' : 'pause'}`} lang={props.lang} class="secondary">
            {p.paused ? s.resume : s.pause}
          </PostButton>
          <h2>{s.clicksTitle}</h2>
          <p>{p.clickTracking === false ? s.clicksOffBody : s.clicksOnBody}</p>
          <PostButton action={`${base}/${p.clickTracking === false ? 'clicks-on' : 'clicks-off'}`} lang={props.lang} class="secondary">
            {p.clickTracking === false ? s.clicksOn : s.clicksOff}
          </PostButton>
          <h2>{s.leaveTitle}</h2>
          <p>{s.leaveBody}</p>
          <PostButton action={`${base}/unsubscribe`} lang={props.lang} class="secondary">
            {s.unsubscribe}
          </PostButton>
        </>
      ) : null}
      <h2>{s.dataTitle}</h2>
      <p>
        <a href={`/api/preferences/${encodeURIComponent(props.token)}/export`} download="my-subscription.json">
          {s.exportData}
        </a>
      </p>
      <h2>{s.revokeTitle}</h2>
      <p>{s.revokeBody}</p>
      <PostButton action={`${base}/revoke`} lang={props.lang} class="secondary">
        {s.revoke}
      </PostButton>
      <p>{s.eraseBody}</p>
      <form class="stack" method="post" action={`${base}/erase?lang=${props.lang}`}>
        <label class="choice" for="erase-confirm">
          <input type="checkbox" id="erase-confirm" name="confirm" value="yes" required />
          <span>{s.eraseConfirm}</span>
        </label>
        <button type="submit" class="danger">
          {s.erase}
        </button>
      </form>
    </Layout>
  );
}

export function UnsubscribedPage(props: { lang: Lang; token: string }) {
  const s = t(props.lang);
  const base = `/preferences/${encodeURIComponent(props.token)}`;
  return (
    <Layout lang={props.lang} title={s.unsubscribedTitle} section="none" narrow noindex>
      <h1>{s.unsubscribedTitle}</h1>
      <Notice>{s.unsubscribedBody}</Notice>
      <form method="post" action={`${base}/resubscribe?lang=${props.lang}`}>
        <p>
          <button type="submit">{s.undo}</button>
        </p>
      </form>
      <p>
        <a href={`${base}?lang=${props.lang}`}>{s.prefsTitle}</a>
      </p>
    </Layout>
  );
}

export function MessagePage(props: { lang: Lang; title: string; body: string; kind?: 'ok' | 'error'; noindex?: boolean; action?: { href: string; label: string } }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={props.title} section="none" narrow noindex={props.noindex}>
      <h1>{props.title}</h1>
      <Notice kind={props.kind}>{props.body}</Notice>
      <p>
        <a href={props.action?.href ?? `/${props.lang}/`}>{props.action?.label ?? s.goHome}</a>
      </p>
    </Layout>
  );
}
