// Editions: compose a new one, and the history with per-edition counts.
import type { Item } from '../../../../core/items/model.js';
import { countryName, formatDate, formatDateTime, stateLabel, strings, t, topicName, type Lang } from '../i18n.js';
import { currentTaxonomy } from '../../../../core/taxonomy/taxonomy.js';
import { assetPaths } from '../assets.js';
import { languages } from '../../../../core/shared/language.js';
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

/** What the compose and edit forms hold. */
export interface EditionFormValues {
  text: Partial<Record<Lang, { subject: string; intro?: string }>>;
  itemIds: string[];
  audience: { countries?: string[]; topics?: string[]; languages?: string[] };
}

const ownName: Record<Lang, string> = { es: 'Español', en: 'English' };

/** Compose or edit: each language's subject and intro side by side, each column labelled in its own language (so a
 *  reader of either finds their field), then the items and the audience. */
export function EditionForm(props: { lang: Lang; csrf: string; action: string; labelledBy: string; submit: string; items: Item[]; values?: EditionFormValues; /** Items an edition already went out with. */ sentItemIds?: ReadonlySet<string> }) {
  const s = t(props.lang);
  const v = props.values;
  const picks = props.items.map((item) => ({
    id: `pick-${item.id}`,
    value: item.id,
    checked: v?.itemIds.includes(item.id),
    data: { title: item.title.toLowerCase(), countries: item.countries.join(' '), topics: item.topics.join(' ') },
    label: (
      <>
        {item.title} <span class="meta">({formatDate(item.publishedAt, props.lang)})</span>
        {props.sentItemIds?.has(item.id) ? <span class="pill sent" data-already-sent>{s.alreadySent}</span> : null}
      </>
    ),
  }));
  // The console's language first: its text is also the default for a reader whose language has none.
  const order = [props.lang, ...languages.filter((l) => l !== props.lang)];
  return (
    <form class="stack" method="post" action={props.action} aria-labelledby={props.labelledBy}>
      <Csrf token={props.csrf} />
      <p class="hint" id="text-hint">
        {s.textFallbackHint}
      </p>
      <div class="side-by-side">
        {order.map((l) => {
          const own = strings[l];
          return (
            <fieldset lang={l} aria-describedby="text-hint">
              <legend>{ownName[l]}</legend>
              <Labelled for={`subject-${l}`} label={own.subject}>
                <input type="text" id={`subject-${l}`} name={`subject-${l}`} maxlength={200} value={v?.text[l]?.subject ?? ''} />
              </Labelled>
              <Labelled for={`intro-${l}`} label={own.intro}>
                <textarea id={`intro-${l}`} name={`intro-${l}`} rows={3} maxlength={2000}>
                  {v?.text[l]?.intro ?? ''}
                </textarea>
              </Labelled>
            </fieldset>
          );
        })}
      </div>
      {/* Shown by the console's script, which filters the items below as the editor types or picks. */}
      <div class="row" data-picker-filter hidden>
        <Labelled for="pick-q" label={s.pickerSearch}>
          <input type="search" id="pick-q" autocomplete="off" />
        </Labelled>
        <Labelled for="pick-country" label={s.countries}>
          <select id="pick-country">
            <option value="">{s.allCountries}</option>
            {currentTaxonomy().countryCodes.map((c) => (
              <option value={c}>{countryName(c, props.lang)}</option>
            ))}
          </select>
        </Labelled>
        <Labelled for="pick-topic" label={s.topics}>
          <select id="pick-topic">
            <option value="">{s.allTopics}</option>
            {currentTaxonomy().topicSlugs.map((x) => (
              <option value={x}>{topicName(x, props.lang)}</option>
            ))}
          </select>
        </Labelled>
      </div>
      <ChoiceFieldset legend={s.pickItems} name="itemIds" choices={picks} hint={{ id: 'pick-hint', text: s.pickHint }} />
      <details open={Boolean(v && Object.values(v.audience).some((x) => x?.length))}>
        <summary>{s.audience}</summary>
        <TagChoices lang={props.lang} idPrefix="aud-" countries={v?.audience.countries ?? []} topics={v?.audience.topics ?? []} />
        <ChoiceFieldset legend={s.audienceLanguages} name="languages" choices={languageChoices('aud-', (l) => Boolean(v?.audience.languages?.includes(l)))} />
      </details>
      <button type="submit">{props.submit}</button>
    </form>
  );
}

export function EditionsPage(props: { lang: Lang; csrf: string; flash?: Flash; editions: EditionRow[]; items: Item[]; sentItemIds?: ReadonlySet<string> }) {
  const s = t(props.lang);
  return (
    <EditorShell lang={props.lang} title={s.edEditions} tab="editions" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/editions`} head={<script src={assetPaths.editorJs} defer />}>
      <h2 id="compose">{s.compose}</h2>
      <EditionForm lang={props.lang} csrf={props.csrf} action={`/${props.lang}/editor/editions`} labelledBy="compose" submit={s.create} items={props.items} {...(props.sentItemIds ? { sentItemIds: props.sentItemIds } : {})} />
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
