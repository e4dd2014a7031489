// Sources: each source's last poll and last error; poll one or all now.
import { formatDateTime, t, type Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';
import { DataTable } from '../table.js';

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
        <DataTable caption={s.edSources} columns={[s.edSources, s.lastPoll, s.counts, s.lastError, <span class="visually-hidden">{s.pollOne}</span>]}>
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
        </DataTable>
      )}
    </EditorShell>
  );
}
