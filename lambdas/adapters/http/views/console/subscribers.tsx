// Subscribers: counts per country × topic, search by address (and delete), the suppression list, import/export.
import { currentTaxonomy, type CountryCode, type TopicSlug } from '../../../../core/taxonomy/taxonomy.js';
import { Notice } from '../layout.js';
import { DataTable } from '../table.js';
import { countryName, errorMessage, formatDateTime, t, topicName, type Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';

export interface SubscriberLookup {
  email: string;
  found?: { status: string; countries: string[]; topics: string[]; language: string; frequency: string };
  /** Addresses that contain the text searched for, when it is not one subscriber's whole address. */
  matches?: { total: number; rows: Array<{ email: string; status: string; language: string; countries: string[]; topics: string[] }> };
}

/** An import's outcome, split into the rows taken and the rows refused (with why). */
export interface ImportOutcome {
  confirmed: number;
  pending: number;
  skippedExisting: number;
  skippedSuppressed: number;
  errors: Array<{ row: number; code: string; message: string }>;
}

export interface SuppressedRow {
  email: string;
  reason: string;
  at?: string;
}

export function SubscribersPage(props: {
  lang: Lang;
  csrf: string;
  flash?: Flash;
  counts?: { total: number; cells: Array<{ country: string; topic: string; count: number }> };
  countsError?: string;
  lookup?: SubscriberLookup;
  suppressed: SuppressedRow[];
  imported?: ImportOutcome;
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
          <input type="search" id="q" name="email" value={props.lookup?.email ?? ''} autocomplete="off" aria-describedby="q-hint" />
          <p class="hint" id="q-hint">
            {s.searchHint}
          </p>
        </div>
        <button type="submit">{s.searchButton}</button>
      </form>
      {props.lookup ? (
        props.lookup.found ? (
          <div class="notice" role="status">
            <p>
              <strong>{props.lookup.email}</strong>
            </p>
            <p data-lookup-summary>
              {s.statusLabel}: {statusText(props.lookup.found.status, props.lang)} · {s.languageLabel}: {languageText(props.lookup.found.language, props.lang)} · {s.frequency}:{' '}
              {frequencyText(props.lookup.found.frequency, props.lang)}
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
        ) : props.lookup.matches?.total ? (
          <Matches lang={props.lang} matches={props.lookup.matches} base={base} />
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
        <DataTable class="stacked" caption={s.suppression} columns={[s.email, s.suppressedReason, s.suppressedAt, s.liftSuppression]}>
          {props.suppressed.map((x, index) => (
            <tr data-suppressed={x.email}>
              <th scope="row" class="break">
                {x.email}
              </th>
              <td data-label={s.suppressedReason}>{s.suppressionReason(x.reason)}</td>
              <td data-label={s.suppressedAt}>{x.at ? formatDateTime(x.at, props.lang) : '–'}</td>
              <td>
                <form method="post" action={`${base}/lift`} class="row">
                  <Csrf token={props.csrf} />
                  <input type="hidden" name="email" value={x.email} />
                  <div>
                    <label for={`lift-${index}`}>{s.liftReason}</label>
                    <input type="text" id={`lift-${index}`} name="reason" required minlength={3} maxlength={500} />
                  </div>
                  <button type="submit" class="secondary" aria-label={`${s.liftSuppression}: ${x.email}`}>
                    {s.liftSuppression}
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </DataTable>
      )}

      <h2>{s.exportCsv}</h2>
      <p class="actions">
        <a href={`${base}/export?format=csv`} download="subscribers.csv">
          {s.exportCsv}
        </a>
        <a href={`${base}/export`}>{s.exportAll}</a>
      </p>
      <h2 id="import-h">{s.importTitle}</h2>
      {props.imported ? <ImportResult lang={props.lang} report={props.imported} /> : null}
      <form class="stack" method="post" action={`${base}/import`} enctype="multipart/form-data" aria-labelledby="import-h">
        <Csrf token={props.csrf} />
        <p class="hint break" id="csv-hint">
          {s.importHint}
        </p>
        <div>
          <label for="csv-file">{s.importFile}</label>
          <input type="file" id="csv-file" name="file" accept=".csv,text/csv,text/plain" aria-describedby="csv-hint" />
        </div>
        <div>
          <label for="csv">CSV</label>
          <p class="hint">{s.importOrPaste}</p>
          <textarea id="csv" name="csv" rows={5} aria-describedby="csv-hint" />
        </div>
        <button type="submit">{s.importButton}</button>
      </form>
    </EditorShell>
  );
}

function Matches(props: { lang: Lang; base: string; matches: NonNullable<SubscriberLookup['matches']> }) {
  const s = t(props.lang);
  const names = (codes: string[], name: (code: string) => string) => (codes.length ? codes.map(name).join(', ') : s.all);
  return (
    <section data-matches>
      <p role="status">{s.matches(props.matches.total, props.matches.rows.length)}</p>
      <DataTable class="stacked" caption={s.search} columns={[s.email, s.statusLabel, s.countries, s.topics]}>
        {props.matches.rows.map((r) => (
          <tr>
            <th scope="row" class="break">
              <a href={`${props.base}?email=${encodeURIComponent(r.email)}`}>{r.email}</a>
            </th>
            <td data-label={s.statusLabel}>
              {statusText(r.status, props.lang)} · {languageText(r.language, props.lang)}
            </td>
            <td data-label={s.countries}>{names(r.countries, (c) => countryName(c as CountryCode, props.lang))}</td>
            <td data-label={s.topics}>{names(r.topics, (x) => topicName(x as TopicSlug, props.lang))}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function ImportResult(props: { lang: Lang; report: ImportOutcome }) {
  const s = t(props.lang);
  const r = props.report;
  // A row imported as pending whose confirmation could not be mailed was still taken.
  const unsent = r.errors.filter((e) => e.code === 'import.confirmationNotSent');
  const refusedRows = r.errors.filter((e) => e.code !== 'import.confirmationNotSent');
  const taken = r.confirmed + r.pending;
  const refused = r.skippedExisting + r.skippedSuppressed + refusedRows.length;
  return (
    <section class="side-by-side" data-import-report>
      <div data-taken>
        <h3>{s.importTaken(taken)}</h3>
        <ul>
          {r.confirmed ? <li>{s.importConfirmedNote(r.confirmed)}</li> : null}
          {r.pending ? <li>{s.importPendingNote(r.pending)}</li> : null}
          {unsent.map((e) => (
            <li>
              {s.importRow(e.row)}: {errorMessage(e, props.lang)}
            </li>
          ))}
        </ul>
      </div>
      <div data-refused>
        <h3>{s.importRefused(refused)}</h3>
        <ul>
          {r.skippedExisting ? <li>{s.importSkippedExisting(r.skippedExisting)}</li> : null}
          {r.skippedSuppressed ? <li>{s.importSkippedSuppressed(r.skippedSuppressed)}</li> : null}
          {refusedRows.map((e) => (
            <li>
              {s.importRow(e.row)}: {errorMessage(e, props.lang)}
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}

const statusText = (status: string, lang: Lang) => {
  const s = t(lang);
  return status === 'pending' || status === 'confirmed' || status === 'unsubscribed' || status === 'suppressed' ? s[`status_${status}`] : status;
};

/** A language code as its name in the page's language ("español", "English"); an unknown code as it is. */
const languageText = (language: string, lang: Lang) => (language === 'es' || language === 'en' ? t(lang)[`languageName_${language}`] : language);

/** A frequency in the page's words ("Resumen diario"); an unknown one as it is. */
const frequencyText = (frequency: string, lang: Lang) => (frequency === 'instant' || frequency === 'daily' || frequency === 'weekly' ? t(lang)[`freq_${frequency}`] : frequency);
