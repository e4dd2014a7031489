// Sources: each source's last poll and last error; add, edit, pause, remove, poll one or all now, and a test fetch
// that shows what a poll would ingest without storing anything.
import { formatDateTime, sourceError, t, type Lang } from '../i18n.js';
import { Notice } from '../layout.js';
import { EditorShell, Csrf, type Flash } from './shell.js';
import { DataTable } from '../table.js';
import { Labelled, TagChoices } from './fields.js';

export interface SourceRow {
  id: string;
  name: string;
  url: string;
  active?: boolean;
  defaultCountries: string[];
  defaultTopics: string[];
  lastPoll?: { at: string; status: string; counts: { new: number; updated: number; unchanged: number; rejected: number }; error?: { code: string; message: string } };
  lastError?: { at: string; code: string; message: string };
}

/** What a test fetch found: the entries a poll would ingest (the first few), or why the feed could not be read. */
export interface SourceTrial {
  /** The source's name, or the URL tried. */
  label: string;
  outcome: { entries: Array<{ title: string; link?: string; publishedAt?: string }>; total: number; unidentified: number } | { error: string };
}

export function SourcesPage(props: { lang: Lang; csrf: string; flash?: Flash; sources: SourceRow[]; trial?: SourceTrial; draft?: { url: string; name: string } }) {
  const s = t(props.lang);
  const base = `/${props.lang}/editor/sources`;
  const actionOf = (src: SourceRow, what: string) => `${base}/${encodeURIComponent(src.id)}/${what}`;
  return (
    <EditorShell lang={props.lang} title={s.edSources} tab="sources" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/sources`}>
      {props.trial ? <TrialPanel lang={props.lang} trial={props.trial} /> : null}
      <form method="post" action={`${base}/poll-all`}>
        <Csrf token={props.csrf} />
        <p>
          <button type="submit">{s.ingestNow}</button>
        </p>
      </form>
      {props.sources.length === 0 ? (
        <p>{s.noSources}</p>
      ) : (
        <>
          <DataTable class="stacked" caption={s.edSources} columns={[s.edSources, s.lastPoll, <abbr title={s.countsLegend}>{s.counts}</abbr>, s.lastError, <span class="visually-hidden">{s.pollOne}</span>]}>
            {props.sources.map((src, index) => {
              const paused = src.active === false;
              return (
                <tr data-source-id={src.id}>
                  <th scope="row" class="break">
                    {src.name} <span class={`pill${paused ? ' paused' : ''}`}>{paused ? s.sourcePaused : s.sourceActive}</span>
                    <br />
                    <span class="meta">{src.url}</span>
                  </th>
                  <td data-label={s.lastPoll}>{src.lastPoll ? `${formatDateTime(src.lastPoll.at, props.lang)} · ${s.pollStatus(src.lastPoll.status)}` : s.never}</td>
                  <td data-label={s.counts} aria-describedby="counts-legend">
                    {src.lastPoll
                      ? `+${src.lastPoll.counts.new} · ~${src.lastPoll.counts.updated} · =${src.lastPoll.counts.unchanged} · ✕${src.lastPoll.counts.rejected}`
                      : '–'}
                  </td>
                  <td data-label={s.lastError} class="break">{src.lastError ? <SourceErrorText lang={props.lang} at={src.lastError.at} error={src.lastError} /> : '–'}</td>
                  <td>
                    <div class="actions">
                      <form method="post" action={actionOf(src, 'poll')}>
                        <Csrf token={props.csrf} />
                        <button type="submit" class="secondary" aria-label={`${s.pollOne}: ${src.name}`}>
                          {s.pollOne}
                        </button>
                      </form>
                      <form method="post" action={`${base}/try`}>
                        <Csrf token={props.csrf} />
                        <input type="hidden" name="id" value={src.id} />
                        <button type="submit" class="secondary" aria-label={`${s.sourceTry}: ${src.name}`}>
                          {s.sourceTry}
                        </button>
                      </form>
                      <form method="post" action={actionOf(src, paused ? 'resume' : 'pause')}>
                        <Csrf token={props.csrf} />
                        <button type="submit" class="secondary" aria-label={`${paused ? s.sourceResume : s.sourcePause}: ${src.name}`}>
                          {paused ? s.sourceResume : s.sourcePause}
                        </button>
                      </form>
                    </div>
                    <details>
                      <summary aria-label={`${s.sourceEdit}: ${src.name}`}>{s.sourceEdit}</summary>
                      <form class="stack" method="post" action={actionOf(src, 'edit')}>
                        <Csrf token={props.csrf} />
                        <Labelled for={`src-${index}-name`} label={s.sourceName}>
                          <input type="text" id={`src-${index}-name`} name="name" value={src.name} maxlength={200} />
                        </Labelled>
                        <Labelled for={`src-${index}-url`} label={s.sourceUrl}>
                          <input id={`src-${index}-url`} name="url" type="url" value={src.url} required />
                        </Labelled>
                        <TagChoices lang={props.lang} idPrefix={`src-${index}-`} countries={src.defaultCountries} topics={src.defaultTopics} />
                        <button type="submit">{s.sourceSave}</button>
                      </form>
                      <form method="post" action={actionOf(src, 'remove')}>
                        <Csrf token={props.csrf} />
                        <p class="hint">{s.sourceRemoveHint}</p>
                        <button type="submit" class="danger" aria-label={`${s.sourceRemove}: ${src.name}`}>
                          {s.sourceRemove}
                        </button>
                      </form>
                    </details>
                  </td>
                </tr>
              );
            })}
          </DataTable>
          <p class="hint" id="counts-legend">
            {s.countsLegend}
          </p>
        </>
      )}

      <h2 id="add-source">{s.sourceAdd}</h2>
      <form class="stack" method="post" action={base} aria-labelledby="add-source">
        <Csrf token={props.csrf} />
        <Labelled for="new-url" label={s.sourceUrl}>
          <input id="new-url" name="url" type="url" required value={props.draft?.url ?? ''} placeholder="https://" />
        </Labelled>
        <Labelled for="new-name" label={s.sourceName}>
          <input type="text" id="new-name" name="name" maxlength={200} value={props.draft?.name ?? ''} />
        </Labelled>
        <details>
          <summary>{s.sourceDefaults}</summary>
          <TagChoices lang={props.lang} idPrefix="new-" countries={[]} topics={[]} />
        </details>
        <p class="hint">{s.sourceTryHint}</p>
        <div class="actions">
          <button type="submit">{s.add}</button>
          <button type="submit" class="secondary" formaction={`${base}/try`}>
            {s.sourceTry}
          </button>
        </div>
      </form>
    </EditorShell>
  );
}

function TrialPanel(props: { lang: Lang; trial: SourceTrial }) {
  const s = t(props.lang);
  const { outcome } = props.trial;
  return (
    <section aria-labelledby="trial-h" class="notice" data-trial>
      <h2 id="trial-h" class="break">
        {s.sourceTry}: {props.trial.label}
      </h2>
      {'error' in outcome ? (
        <Notice kind="error">{s.sourceTryFailed(outcome.error)}</Notice>
      ) : outcome.total === 0 ? (
        <p>{s.sourceTryEmpty}</p>
      ) : (
        <>
          <p role="status">{s.sourceTryResult(outcome.total, outcome.unidentified)}</p>
          <ol>
            {outcome.entries.map((e) => (
              <li class="break">
                {e.link ? <a href={e.link}>{e.title}</a> : e.title}
                {e.publishedAt ? <span class="meta"> · {formatDateTime(e.publishedAt, props.lang)}</span> : null}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function SourceErrorText(props: { lang: Lang; at: string; error: { code: string; message: string } }) {
  const { summary, detail } = sourceError(props.error, props.lang);
  return (
    <>
      {formatDateTime(props.at, props.lang)}: {summary ? <>{summary} <span class="meta" lang="en">{detail}</span></> : detail}
    </>
  );
}
