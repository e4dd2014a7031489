// Subscribers: counts per country × topic, search by address (and delete), the suppression list, import/export.
import { currentTaxonomy, type CountryCode, type TopicSlug } from '../../../../core/taxonomy/taxonomy.js';
import { Notice } from '../layout.js';
import { DataTable } from '../table.js';
import { countryName, t, topicName, type Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';

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
          <DataTable class="matrix" caption={s.matrixCaption} showCaption columns={[s.topics, ...currentTaxonomy().countryCodes.map((c) => countryName(c, props.lang))]}>
            {currentTaxonomy().topicSlugs.map((x) => (
              <tr>
                <th scope="row">{topicName(x, props.lang)}</th>
                {currentTaxonomy().countryCodes.map((c) => (
                  <td>{cell(c, x)}</td>
                ))}
              </tr>
            ))}
          </DataTable>
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
