// Editions: compose a new one, and the history with per-edition counts.
import type { Item } from '../../../../core/items/model.js';
import { formatDate, formatDateTime, stateLabel, t, type Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';
import { Labelled, TagChoices } from './fields.js';
import { ChoiceFieldset, languageChoices } from '../choices.js';
import { DataTable } from '../table.js';

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
  const picks = props.items.map((item) => ({
    id: `pick-${item.id}`,
    value: item.id,
    label: (
      <>
        {item.title} <span class="meta">({formatDate(item.publishedAt, props.lang)})</span>
      </>
    ),
  }));
  return (
    <EditorShell lang={props.lang} title={s.edEditions} tab="editions" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/editions`}>
      <h2 id="compose">{s.compose}</h2>
      <form class="stack" method="post" action={`/${props.lang}/editor/editions`} aria-labelledby="compose">
        <Csrf token={props.csrf} />
        <Labelled for="subject" label={s.subject}>
          <input type="text" id="subject" name="subject" required maxlength={200} />
        </Labelled>
        <Labelled for="intro" label={s.intro}>
          <textarea id="intro" name="intro" rows={3} maxlength={2000} />
        </Labelled>
        <ChoiceFieldset legend={s.pickItems} name="itemIds" choices={picks} hint={{ id: 'pick-hint', text: s.pickHint }} />
        <details>
          <summary>{s.audience}</summary>
          <TagChoices lang={props.lang} idPrefix="aud-" countries={[]} topics={[]} />
          <ChoiceFieldset legend={s.audienceLanguages} name="languages" choices={languageChoices('aud-')} />
        </details>
        <button type="submit">{s.create}</button>
      </form>
      <h2>{s.history}</h2>
      {props.editions.length === 0 ? (
        <p>{s.noEditions}</p>
      ) : (
        <DataTable caption={s.history} columns={[s.subject, s.state, s.created, s.results]}>
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
        </DataTable>
      )}
    </EditorShell>
  );
}
