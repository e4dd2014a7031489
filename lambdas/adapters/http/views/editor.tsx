// The editor console: sign-in, items (filters, tag editing, add, ingest now), sources (status, poll), editions
// (compose, preview per segment at phone and desktop width, pre-flight, test send, send/schedule, pause/resume/cancel,
// live progress, history) and subscribers (counts per country × topic, search, suppression list, import/export).
// Every form is a plain POST carrying a CSRF token; the only script is the progress poller (/assets/editor.*.js).
import type { Child } from 'hono/jsx';
import type { Item } from '../../../core/items/model.js';
import { countryCodes, topicSlugs, type CountryCode, type TopicSlug } from '../../../core/taxonomy/taxonomy.js';
import { assetPaths } from './assets.js';
import { Layout, Notice } from './layout.js';
import { countryName, formatDate, formatDateTime, stateLabel, t, topicName, type Lang } from './i18n.js';

export type EditorTab = 'items' | 'sources' | 'editions' | 'subscribers';

export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

function Csrf(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

export function EditorShell(props: { lang: Lang; title: string; tab?: EditorTab; csrf: string; flash?: Flash; altPath: string; head?: Child; children?: Child }) {
  const s = t(props.lang);
  const tabs: Array<[EditorTab, string]> = [
    ['items', s.edItems],
    ['sources', s.edSources],
    ['editions', s.edEditions],
    ['subscribers', s.edSubscribers],
  ];
  return (
    <Layout lang={props.lang} title={`${props.title} · ${s.editorTitle}`} section="editor" altPath={props.altPath} noindex head={props.head}>
      <div class="row" style="justify-content:space-between">
        <p class="muted">{s.editorTitle}</p>
        <form method="post" action={`/${props.lang}/editor/sign-out`}>
          <Csrf token={props.csrf} />
          <button type="submit" class="secondary">
            {s.signOut}
          </button>
        </form>
      </div>
      <nav aria-label={s.editorTitle}>
        <ul class="tabs">
          {tabs.map(([tab, label]) => (
            <li>
              <a href={`/${props.lang}/editor/${tab}`} aria-current={props.tab === tab ? 'page' : undefined}>
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h1>{props.title}</h1>
      {props.flash ? <Notice kind={props.flash.kind}>{props.flash.text}</Notice> : null}
      {props.children}
    </Layout>
  );
}

export function SignInPage(props: { lang: Lang; error?: string; next?: string; redirectHref?: string }) {
  const s = t(props.lang);
  return (
    <Layout lang={props.lang} title={s.signInTitle} section="editor" narrow noindex altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/sign-in`}>
      <h1>{s.signInTitle}</h1>
      {props.error ? <Notice kind="error">{props.error}</Notice> : null}
      {props.redirectHref ? (
        <p>
          <a class="button" href={props.redirectHref}>
            {s.signInAccount}
          </a>
        </p>
      ) : (
      <form class="stack" method="post" action={`/${props.lang}/editor/sign-in`}>
        <div>
          <label for="token">{s.signInToken}</label>
          <p class="hint" id="token-hint">
            {s.signInHint}
          </p>
          <input type="password" id="token" name="token" required autocomplete="current-password" aria-describedby="token-hint" />
        </div>
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <button type="submit">{s.signIn}</button>
      </form>
      )}
    </Layout>
  );
}

function TagChoices(props: { lang: Lang; idPrefix: string; countries: readonly string[]; topics: readonly string[] }) {
  const s = t(props.lang);
  return (
    <>
      <fieldset>
        <legend>{s.countries}</legend>
        <div class="choices">
          {countryCodes.map((c) => (
            <label for={`${props.idPrefix}c-${c}`}>
              <input type="checkbox" id={`${props.idPrefix}c-${c}`} name="countries" value={c} checked={props.countries.includes(c)} />
              <span>{countryName(c, props.lang)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset>
        <legend>{s.topics}</legend>
        <div class="choices">
          {topicSlugs.map((x) => (
            <label for={`${props.idPrefix}t-${x}`}>
              <input type="checkbox" id={`${props.idPrefix}t-${x}`} name="topics" value={x} checked={props.topics.includes(x)} />
              <span>{topicName(x, props.lang)}</span>
            </label>
          ))}
        </div>
      </fieldset>
    </>
  );
}

/** A labelled "all countries / one country" select; `name` is `country`. */
function CountrySelect(props: { lang: Lang; id: string; value?: string }) {
  const s = t(props.lang);
  return (
    <div>
      <label for={props.id}>{s.countries}</label>
      <select id={props.id} name="country">
        <option value="">{s.allCountries}</option>
        {countryCodes.map((c) => (
          <option value={c} selected={props.value === c}>
            {countryName(c, props.lang)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled "all topics / one topic" select; `name` is `topic`. */
function TopicSelect(props: { lang: Lang; id: string; value?: string }) {
  const s = t(props.lang);
  return (
    <div>
      <label for={props.id}>{s.topics}</label>
      <select id={props.id} name="topic">
        <option value="">{s.allTopics}</option>
        {topicSlugs.map((x) => (
          <option value={x} selected={props.value === x}>
            {topicName(x, props.lang)}
          </option>
        ))}
      </select>
    </div>
  );
}

function ScopeFilter(props: { lang: Lang; action: string; country?: string; topic?: string; extra?: Child }) {
  const s = t(props.lang);
  return (
    <form method="get" action={props.action} class="row">
      <CountrySelect lang={props.lang} id="f-country" value={props.country} />
      <TopicSelect lang={props.lang} id="f-topic" value={props.topic} />
      {props.extra ?? null}
      <button type="submit">{s.filter}</button>
    </form>
  );
}

export interface ItemFilters {
  country?: string;
  topic?: string;
  source?: string;
  from?: string;
  to?: string;
}

export function ItemsPage(props: {
  lang: Lang;
  csrf: string;
  flash?: Flash;
  items: Item[];
  filters: ItemFilters;
  sources: Array<{ id: string; name: string }>;
  nextCursor?: string;
}) {
  const s = t(props.lang);
  const base = `/${props.lang}/editor/items`;
  const f = props.filters;
  const query = (extra: Record<string, string>) =>
    `?${new URLSearchParams({ ...(Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as Record<string, string>), ...extra }).toString()}`;
  const sourceName = new Map(props.sources.map((x) => [x.id, x.name]));
  return (
    <EditorShell lang={props.lang} title={s.edItems} tab="items" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/items`}>
      <ScopeFilter
        lang={props.lang}
        action={base}
        country={f.country}
        topic={f.topic}
        extra={
          <>
            <div>
              <label for="f-source">{s.source}</label>
              <select id="f-source" name="source">
                <option value="">{s.allSources}</option>
                {props.sources.map((x) => (
                  <option value={x.id} selected={f.source === x.id}>
                    {x.name}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label for="f-from">{s.dateFrom}</label>
              <input type="date" id="f-from" name="from" value={f.from ?? ''} />
            </div>
            <div>
              <label for="f-to">{s.dateTo}</label>
              <input type="date" id="f-to" name="to" value={f.to ?? ''} />
            </div>
          </>
        }
      />
      <form method="post" action={`/${props.lang}/editor/sources/poll-all`}>
        <Csrf token={props.csrf} />
        <p>
          <button type="submit" class="secondary">
            {s.ingestNow}
          </button>
        </p>
      </form>
      <ul class="cards" aria-label={s.edItems}>
        {props.items.map((item) => (
          <li data-item-id={item.id}>
            <h2>
              <a href={`/${props.lang}/items/${encodeURIComponent(item.id)}`}>{item.title}</a>
            </h2>
            <p class="meta">
              <time datetime={item.publishedAt}>{formatDate(item.publishedAt, props.lang)}</time> · {sourceName.get(item.sourceId) ?? item.sourceId} ·{' '}
              {item.countries.map((c) => (
                <span class="tag">{countryName(c, props.lang)}</span>
              ))}
              {item.topics.map((x) => (
                <span class="tag">{topicName(x, props.lang)}</span>
              ))}
            </p>
            <details>
              <summary>
                {s.tags}: <span class="visually-hidden">{item.title}</span>
              </summary>
              <form class="stack" method="post" action={`${base}/${encodeURIComponent(item.id)}/tags${query({})}`}>
                <Csrf token={props.csrf} />
                <TagChoices lang={props.lang} idPrefix={`i-${item.id}-`} countries={item.countries} topics={item.topics} />
                <button type="submit">{s.saveTags}</button>
              </form>
            </details>
          </li>
        ))}
      </ul>
      {props.nextCursor ? (
        <p>
          <a href={`${base}${query({ cursor: props.nextCursor })}`}>{s.older} →</a>
        </p>
      ) : null}
      <h2 id="add-item">{s.addItem}</h2>
      <form class="stack" method="post" action={base} aria-labelledby="add-item">
        <Csrf token={props.csrf} />
        <div>
          <label for="new-title">{s.title}</label>
          <input type="text" id="new-title" name="title" required maxlength={500} />
        </div>
        <div>
          <label for="new-link">{s.link}</label>
          <input type="url" id="new-link" name="link" required placeholder="https://" />
        </div>
        <div>
          <label for="new-summary">{s.summary}</label>
          <textarea id="new-summary" name="summary" rows={3} maxlength={5000} />
        </div>
        <TagChoices lang={props.lang} idPrefix="new-" countries={[]} topics={[]} />
        <button type="submit">{s.add}</button>
      </form>
    </EditorShell>
  );
}

export interface SourceRow {
  id: string;
  name: string;
  url: string;
  lastPoll?: { at: string; status: string; counts: { new: number; updated: number; unchanged: number; rejected: number }; error?: { code: string; message: string } };
  lastError?: { at: string; code: string; message: string };
}

export function SourcesPage(props: { lang: Lang; csrf: string; flash?: Flash; sources: SourceRow[] }) {
  const s = t(props.lang);
  return (
    <EditorShell lang={props.lang} title={s.edSources} tab="sources" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/sources`}>
      <form method="post" action={`/${props.lang}/editor/sources/poll-all`}>
        <Csrf token={props.csrf} />
        <p>
          <button type="submit">{s.ingestNow}</button>
        </p>
      </form>
      {props.sources.length === 0 ? (
        <p>{s.noSources}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{s.edSources}</caption>
            <thead>
              <tr>
                <th scope="col">{s.edSources}</th>
                <th scope="col">{s.lastPoll}</th>
                <th scope="col">{s.counts}</th>
                <th scope="col">{s.lastError}</th>
                <th scope="col">
                  <span class="visually-hidden">{s.pollOne}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.sources.map((src) => (
                <tr>
                  <th scope="row">
                    {src.name}
                    <br />
                    <span class="meta">{src.url}</span>
                  </th>
                  <td>{src.lastPoll ? `${formatDateTime(src.lastPoll.at, props.lang)} · ${src.lastPoll.status}` : s.never}</td>
                  <td>
                    {src.lastPoll
                      ? `+${src.lastPoll.counts.new} · ~${src.lastPoll.counts.updated} · =${src.lastPoll.counts.unchanged} · ✕${src.lastPoll.counts.rejected}`
                      : '–'}
                  </td>
                  <td>{src.lastError ? `${formatDateTime(src.lastError.at, props.lang)}: ${src.lastError.message}` : '–'}</td>
                  <td>
                    <form method="post" action={`/${props.lang}/editor/sources/${encodeURIComponent(src.id)}/poll`}>
                      <Csrf token={props.csrf} />
                      <button type="submit" class="secondary" aria-label={`${s.pollOne}: ${src.name}`}>
                        {s.pollOne}
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </EditorShell>
  );
}

export interface EditionRow {
  id: string;
  subject: string;
  state: string;
  createdAt: string;
  completedAt?: string;
  counts?: Record<string, number>;
}

export function EditionsPage(props: { lang: Lang; csrf: string; flash?: Flash; editions: EditionRow[]; items: Item[] }) {
  const s = t(props.lang);
  return (
    <EditorShell lang={props.lang} title={s.edEditions} tab="editions" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/editions`}>
      <h2 id="compose">{s.compose}</h2>
      <form class="stack" method="post" action={`/${props.lang}/editor/editions`} aria-labelledby="compose">
        <Csrf token={props.csrf} />
        <div>
          <label for="subject">{s.subject}</label>
          <input type="text" id="subject" name="subject" required maxlength={200} />
        </div>
        <div>
          <label for="intro">{s.intro}</label>
          <textarea id="intro" name="intro" rows={3} maxlength={2000} />
        </div>
        <fieldset aria-describedby="pick-hint">
          <legend>{s.pickItems}</legend>
          <p class="hint" id="pick-hint">
            {s.pickHint}
          </p>
          {props.items.map((item) => (
            <label for={`pick-${item.id}`}>
              <input type="checkbox" id={`pick-${item.id}`} name="itemIds" value={item.id} />
              <span>
                {item.title} <span class="meta">({formatDate(item.publishedAt, props.lang)})</span>
              </span>
            </label>
          ))}
        </fieldset>
        <details>
          <summary>{s.audience}</summary>
          <TagChoices lang={props.lang} idPrefix="aud-" countries={[]} topics={[]} />
          <fieldset>
            <legend>{s.audienceLanguages}</legend>
            <label for="aud-lang-es">
              <input type="checkbox" id="aud-lang-es" name="languages" value="es" />
              <span lang="es">Español</span>
            </label>
            <label for="aud-lang-en">
              <input type="checkbox" id="aud-lang-en" name="languages" value="en" />
              <span lang="en">English</span>
            </label>
          </fieldset>
        </details>
        <button type="submit">{s.create}</button>
      </form>
      <h2>{s.history}</h2>
      {props.editions.length === 0 ? (
        <p>{s.noEditions}</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{s.history}</caption>
            <thead>
              <tr>
                <th scope="col">{s.subject}</th>
                <th scope="col">{s.state}</th>
                <th scope="col">{s.created}</th>
                <th scope="col">{s.results}</th>
              </tr>
            </thead>
            <tbody>
              {props.editions.map((e) => (
                <tr>
                  <th scope="row">
                    <a href={`/${props.lang}/editor/editions/${encodeURIComponent(e.id)}`}>{e.subject}</a>
                  </th>
                  <td>
                    <span class={`pill ${e.state}`}>{stateLabel(e.state, props.lang)}</span>
                  </td>
                  <td>{formatDateTime(e.createdAt, props.lang)}</td>
                  <td>
                    {e.counts
                      ? `${e.counts.sent ?? 0} / ${e.counts.planned ?? 0} · ${s.count_skipped} ${e.counts.skipped ?? 0} · ${s.count_suppressed} ${e.counts.suppressed ?? 0} · ${s.count_failed} ${e.counts.failed ?? 0}`
                      : '–'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </EditorShell>
  );
}

export interface EditionDetail {
  id: string;
  subject: string;
  intro: string | null;
  state: string;
  counts: Record<string, number>;
  rate: number;
  progress: number;
  itemIds: string[] | null;
  createdAt: string;
  scheduledAt: string | null;
  completedAt: string | null;
  pausedReason: string | null;
}

export interface PreviewPanel {
  segment: { country?: string; topic?: string; language: Lang };
  html?: string;
  /** How many of the edition's items this segment gets. */
  items?: number;
  error?: string;
}

export interface PreflightPanel {
  issues?: Array<{ level?: 'error' | 'warning'; code?: string; message: string; group?: string }>;
  error?: string;
}

const countKeys = ['planned', 'sent', 'skipped', 'suppressed', 'failed', 'inDoubt'] as const;

export function EditionPage(props: { lang: Lang; csrf: string; flash?: Flash; edition: EditionDetail; items: Item[]; preview: PreviewPanel; preflight: PreflightPanel }) {
  const s = t(props.lang);
  const e = props.edition;
  const base = `/${props.lang}/editor/editions/${encodeURIComponent(e.id)}`;
  const live = e.state === 'sending' || e.state === 'scheduled';
  const canSend = e.state === 'draft' || e.state === 'scheduled';
  const action = (name: string, label: string, cls?: string) => (
    <form method="post" action={`${base}/${name}`}>
      <Csrf token={props.csrf} />
      <button type="submit" class={cls}>
        {label}
      </button>
    </form>
  );
  const seg = props.preview.segment;
  const blocked = (props.preflight.issues ?? []).some((i) => i.level === 'error');
  return (
    <EditorShell
      lang={props.lang}
      title={e.subject}
      tab="editions"
      csrf={props.csrf}
      flash={props.flash}
      altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/editions/${encodeURIComponent(e.id)}`}
      head={
        <>
          {live ? (
            <noscript>
              <meta http-equiv="refresh" content="2" />
            </noscript>
          ) : null}
          <script src={assetPaths.editorJs} defer />
        </>
      }
    >
      <section aria-labelledby="progress-h" data-edition-status={`${base}/status`} data-initial-state={e.state}>
        <h2 id="progress-h">{s.progress}</h2>
        <p>
          {s.state}: <span class={`pill ${e.state}`} data-state>
            {stateLabel(e.state, props.lang)}
          </span>
          {e.scheduledAt && e.state === 'scheduled' ? ` · ${formatDateTime(e.scheduledAt, props.lang)}` : ''}
          {e.pausedReason ? ` · ${e.pausedReason}` : ''}
        </p>
        <label for="progress-bar">{s.progress}</label>
        <progress id="progress-bar" max={100} value={Math.round(e.progress * 100)}>
          {Math.round(e.progress * 100)}%
        </progress>
        <p data-progress-text aria-live="polite">
          {progressSummary(e, props.lang)}
        </p>
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">{s.counts}</caption>
            <thead>
              <tr>
                {countKeys.map((k) => (
                  <th scope="col">{s[`count_${k}`]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                {countKeys.map((k) => (
                  <td data-count={k}>{e.counts[k] ?? 0}</td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
        <div class="row" style="margin-top:1rem">
          {canSend ? (
            blocked ? (
              <p>
                <button type="button" disabled aria-describedby="preflight-h">
                  {s.sendNow}
                </button>{' '}
                <span class="muted">{s.preflightBlocks}</span>
              </p>
            ) : (
              action('send', s.sendNow)
            )
          ) : null}
          {e.state === 'sending' ? action('pause', s.pauseSend, 'secondary') : null}
          {e.state === 'paused' ? action('resume', s.resumeSend) : null}
          {['draft', 'scheduled', 'sending', 'paused'].includes(e.state) ? action('cancel', s.cancelSend, 'danger') : null}
        </div>
        {canSend ? (
          <form method="post" action={`${base}/schedule`} class="row" style="margin-top:1rem">
            <Csrf token={props.csrf} />
            <div>
              <label for="at">{s.scheduleAt}</label>
              <input type="datetime-local" id="at" name="at" required />
            </div>
            <button type="submit" class="secondary">
              {s.schedule}
            </button>
          </form>
        ) : null}
      </section>

      {props.items.length > 0 ? (
        <section aria-labelledby="items-h">
          <h2 id="items-h">{s.pickItems}</h2>
          <ol>
            {props.items.map((item) => (
              <li>
                <a href={`/${props.lang}/items/${encodeURIComponent(item.id)}`}>{item.title}</a>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <section aria-labelledby="preflight-h">
        <h2 id="preflight-h">{s.preflight}</h2>
        {props.preflight.error ? (
          <Notice kind="error">{props.preflight.error}</Notice>
        ) : props.preflight.issues && props.preflight.issues.length > 0 ? (
          <ul>
            {props.preflight.issues.map((i) => (
              <li>
                {i.level ? <strong>{i.level === 'error' ? s.preflightError : s.preflightWarning}: </strong> : null}
                {i.message}
              </li>
            ))}
          </ul>
        ) : (
          <p>{s.preflightOk}</p>
        )}
      </section>

      <section aria-labelledby="preview-h">
        <h2 id="preview-h">{s.preview}</h2>
        <form method="get" action={base} class="row">
          <CountrySelect lang={props.lang} id="pv-country" value={seg.country} />
          <TopicSelect lang={props.lang} id="pv-topic" value={seg.topic} />
          <div>
            <label for="pv-language">{s.language}</label>
            <select id="pv-language" name="language">
              <option value="es" selected={seg.language === 'es'}>
                Español
              </option>
              <option value="en" selected={seg.language === 'en'}>
                English
              </option>
            </select>
          </div>
          <button type="submit" class="secondary">
            {s.showPreview}
          </button>
        </form>
        {props.preview.error ? (
          <Notice kind="error">{props.preview.error}</Notice>
        ) : props.preview.html ? (
          <>
          {props.preview.items !== undefined ? <p data-preview-items>{s.previewItems(props.preview.items)}</p> : null}
          <div class="previews">
            <figure class="phone">
              <figcaption>{s.phone}</figcaption>
              <iframe title={`${s.preview}: ${s.phone}`} sandbox="" srcdoc={props.preview.html} />
            </figure>
            <figure class="desktop">
              <figcaption>{s.desktop}</figcaption>
              <iframe title={`${s.preview}: ${s.desktop}`} sandbox="" srcdoc={props.preview.html} />
            </figure>
          </div>
          </>
        ) : null}
      </section>

      {canSend ? (
        <section aria-labelledby="test-h">
          <h2 id="test-h">{s.testSend}</h2>
          <form method="post" action={`${base}/test`} class="row">
            <Csrf token={props.csrf} />
            <input type="hidden" name="language" value={seg.language} />
            {seg.country ? <input type="hidden" name="country" value={seg.country} /> : null}
            {seg.topic ? <input type="hidden" name="topic" value={seg.topic} /> : null}
            <div>
              <label for="test-to">{s.testAddresses}</label>
              <input type="text" id="test-to" name="to" required autocomplete="off" />
            </div>
            <button type="submit" class="secondary">
              {s.sendTest}
            </button>
          </form>
        </section>
      ) : null}
    </EditorShell>
  );
}

export function progressSummary(e: Pick<EditionDetail, 'counts' | 'rate' | 'progress'>, lang: Lang): string {
  const s = t(lang);
  return `${Math.round(e.progress * 100)}% · ${e.counts.sent ?? 0} ${s.count_sent} / ${e.counts.planned ?? 0} ${s.count_planned} · ${e.rate} ${s.rate}`;
}

export interface SubscriberLookup {
  email: string;
  found?: { status: string; countries: string[]; topics: string[]; language: string; frequency: string };
}

export function SubscribersPage(props: {
  lang: Lang;
  csrf: string;
  flash?: Flash;
  counts?: { total: number; cells: Array<{ country: string; topic: string; count: number }> };
  countsError?: string;
  lookup?: SubscriberLookup;
  suppressed: Array<{ email: string; countries: string[]; topics: string[] }>;
}) {
  const s = t(props.lang);
  const base = `/${props.lang}/editor/subscribers`;
  const cell = (c: string, x: string) => props.counts?.cells.find((k) => k.country === c && k.topic === x)?.count ?? 0;
  return (
    <EditorShell lang={props.lang} title={s.edSubscribers} tab="subscribers" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/subscribers`}>
      <h2 id="search-h">{s.search}</h2>
      <form method="get" action={base} class="row" role="search" aria-labelledby="search-h">
        <div>
          <label for="q">{s.email}</label>
          <input type="search" id="q" name="email" value={props.lookup?.email ?? ''} autocomplete="off" />
        </div>
        <button type="submit">{s.searchButton}</button>
      </form>
      {props.lookup ? (
        props.lookup.found ? (
          <div class="notice" role="status">
            <p>
              <strong>{props.lookup.email}</strong>: {props.lookup.found.status} · {props.lookup.found.language} · {props.lookup.found.frequency}
            </p>
            <p>
              {s.countries}: {props.lookup.found.countries.length ? props.lookup.found.countries.map((c) => countryName(c as CountryCode, props.lang)).join(', ') : s.all}
              <br />
              {s.topics}: {props.lookup.found.topics.length ? props.lookup.found.topics.map((x) => topicName(x as TopicSlug, props.lang)).join(', ') : s.all}
            </p>
            <form method="post" action={`${base}/delete`}>
              <Csrf token={props.csrf} />
              <input type="hidden" name="email" value={props.lookup.email} />
              <button type="submit" class="danger">
                {s.deleteSubscriber}
              </button>
            </form>
          </div>
        ) : (
          <Notice kind="error">{s.notFoundSubscriber}</Notice>
        )
      ) : null}

      <h2>{s.subscribersTotal}</h2>
      {props.countsError ? (
        <Notice kind="error">{props.countsError}</Notice>
      ) : props.counts ? (
        <>
          <p>
            <strong data-total>{props.counts.total}</strong>
          </p>
          <div class="table-wrap">
            <table class="matrix">
              <caption>{s.matrixCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{s.topics}</th>
                  {countryCodes.map((c) => (
                    <th scope="col">{countryName(c, props.lang)}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {topicSlugs.map((x) => (
                  <tr>
                    <th scope="row">{topicName(x, props.lang)}</th>
                    {countryCodes.map((c) => (
                      <td>{cell(c, x)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      <h2>{s.suppression}</h2>
      <p class="hint">{s.suppressionHint}</p>
      {props.suppressed.length === 0 ? (
        <p>{s.noneSuppressed}</p>
      ) : (
        <ul>
          {props.suppressed.map((x) => (
            <li>{x.email}</li>
          ))}
        </ul>
      )}

      <h2>{s.exportAll}</h2>
      <p>
        <a href={`${base}/export`}>{s.exportAll}</a>
      </p>
      <h2 id="import-h">{s.importTitle}</h2>
      <form class="stack" method="post" action={`${base}/import`} aria-labelledby="import-h">
        <Csrf token={props.csrf} />
        <div>
          <label for="csv">CSV</label>
          <p class="hint" id="csv-hint">
            {s.importHint}
          </p>
          <textarea id="csv" name="csv" rows={5} required aria-describedby="csv-hint" />
        </div>
        <button type="submit">{s.importButton}</button>
      </form>
    </EditorShell>
  );
}
