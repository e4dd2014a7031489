// Countries and topics: each with its names, keywords and counts; add, change (with a preview of the recent items a
// keyword change would add or drop, before saving), remove, or merge into another.
import type { Localised, TaxonomyKind } from '../../../../core/taxonomy/taxonomy.js';
import type { Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';

const strings = {
  en: {
    title: 'Countries and topics',
    countries: 'Countries',
    topics: 'Topics',
    code: 'Code (ISO 3166-1 alpha-2, lower case)',
    slug: 'Slug (lower-case letters, digits, single hyphens)',
    nameEn: 'Name in English',
    nameEs: 'Name in Spanish',
    keywordsEn: 'Keywords in English (comma-separated)',
    keywordsEs: 'Keywords in Spanish (comma-separated)',
    counts: (items: number, subscribers: number) => `${items} ${items === 1 ? 'item' : 'items'} · ${subscribers} ${subscribers === 1 ? 'subscriber' : 'subscribers'}`,
    save: 'Save',
    preview: 'Preview the change',
    remove: 'Remove',
    mergeInto: 'Merge into',
    noMerge: 'No merge (only when unused)',
    addCountry: 'Add a country',
    addTopic: 'Add a topic',
    add: 'Add',
    previewTitle: (name: string, scanned: number) => `With these keywords, of the ${scanned} most recent items, "${name}" would`,
    added: 'gain',
    dropped: 'lose',
    none: 'no item',
    notSaved: 'Nothing is saved until you press Save.',
    note: 'A change applies to new items at once and to existing items in the background. Addresses of feeds keep the code or slug.',
  },
  es: {
    title: 'Países y temas',
    countries: 'Países',
    topics: 'Temas',
    code: 'Código (ISO 3166-1 alfa-2, en minúsculas)',
    slug: 'Slug (minúsculas, dígitos, guiones simples)',
    nameEn: 'Nombre en inglés',
    nameEs: 'Nombre en español',
    keywordsEn: 'Palabras clave en inglés (separadas por comas)',
    keywordsEs: 'Palabras clave en español (separadas por comas)',
    counts: (items: number, subscribers: number) => `${items} ${items === 1 ? 'noticia' : 'noticias'} · ${subscribers} ${subscribers === 1 ? 'suscriptor' : 'suscriptores'}`,
    save: 'Guardar',
    preview: 'Ver el efecto',
    remove: 'Eliminar',
    mergeInto: 'Fusionar con',
    noMerge: 'Sin fusionar (solo si no se usa)',
    addCountry: 'Añadir un país',
    addTopic: 'Añadir un tema',
    add: 'Añadir',
    previewTitle: (name: string, scanned: number) => `Con estas palabras clave, de las ${scanned} noticias más recientes, «${name}»`,
    added: 'ganaría',
    dropped: 'perdería',
    none: 'ninguna noticia',
    notSaved: 'No se guarda nada hasta pulsar Guardar.',
    note: 'Un cambio se aplica a las noticias nuevas en el acto y a las existentes en segundo plano. Las direcciones de las fuentes RSS conservan el código o el slug.',
  },
} as const;

/** The console tab's label (shell.tsx). */
export const taxonomyTabLabel = (lang: Lang) => strings[lang].title;

export interface TaxonomyRow {
  key: string;
  names: Localised<string>;
  keywords: Localised<string[]>;
  items: number;
  subscribers: number;
}

/** An entry's fields as the editor typed them (keywords as the comma-separated text). */
export interface EntryDraft {
  names: Localised<string>;
  keywords: Localised<string>;
}

export interface TaxonomyPreview {
  scanned: number;
  added: Array<{ id: string; title: string }>;
  dropped: Array<{ id: string; title: string }>;
}

/** The entry whose card comes back open: after a preview or a refused change, with its forms as the editor left them
 *  (nothing typed is lost to a refusal). */
export interface TaxonomyOpen {
  kind: TaxonomyKind;
  key: string;
  draft?: EntryDraft;
  mergeInto?: string;
  preview?: TaxonomyPreview;
}

/** The add form after a refused addition, as the editor left it. */
export interface TaxonomyAdding {
  kind: TaxonomyKind;
  key: string;
  draft: EntryDraft;
}

const draftOf = (row: TaxonomyRow): EntryDraft => ({ names: row.names, keywords: { en: row.keywords.en.join(', '), es: row.keywords.es.join(', ') } });
const blank: EntryDraft = { names: { en: '', es: '' }, keywords: { en: '', es: '' } };

const path = (kind: TaxonomyKind) => (kind === 'country' ? 'countries' : 'topics');

function EntryFields(props: { lang: Lang; id: string; draft: EntryDraft }) {
  const s = strings[props.lang];
  const { names, keywords } = props.draft;
  return (
    <>
      <label for={`${props.id}-name-en`}>{s.nameEn}</label>
      <input id={`${props.id}-name-en`} name="nameEn" required maxlength={120} value={names.en} />
      <label for={`${props.id}-name-es`}>{s.nameEs}</label>
      <input id={`${props.id}-name-es`} name="nameEs" required maxlength={120} value={names.es} />
      <label for={`${props.id}-kw-en`}>{s.keywordsEn}</label>
      <textarea id={`${props.id}-kw-en`} name="keywordsEn" rows={2}>{keywords.en}</textarea>
      <label for={`${props.id}-kw-es`}>{s.keywordsEs}</label>
      <textarea id={`${props.id}-kw-es`} name="keywordsEs" rows={2}>{keywords.es}</textarea>
    </>
  );
}

function PreviewPanel(props: { lang: Lang; name: string; preview: TaxonomyPreview }) {
  const s = strings[props.lang];
  const list = (items: Array<{ id: string; title: string }>) =>
    items.length ? (
      <ul>
        {items.map((i) => (
          <li>{i.title}</li>
        ))}
      </ul>
    ) : (
      <p class="muted">{s.none}</p>
    );
  return (
    <section class="notice" aria-live="polite" data-preview>
      <p>{s.previewTitle(props.name, props.preview.scanned)}</p>
      <p>
        <strong>{s.added}</strong> ({props.preview.added.length}):
      </p>
      {list(props.preview.added)}
      <p>
        <strong>{s.dropped}</strong> ({props.preview.dropped.length}):
      </p>
      {list(props.preview.dropped)}
      <p class="muted">{s.notSaved}</p>
    </section>
  );
}

function EntryCard(props: { lang: Lang; csrf: string; kind: TaxonomyKind; row: TaxonomyRow; others: TaxonomyRow[]; open?: TaxonomyOpen }) {
  const s = strings[props.lang];
  const { row, kind, open } = props;
  const base = `/${props.lang}/editor/taxonomy/${path(kind)}/${encodeURIComponent(row.key)}`;
  const draft = open?.draft ?? draftOf(row);
  const id = `${kind}-${row.key}`;
  return (
    <details class="card" id={id} open={open ? true : undefined}>
      <summary>
        <strong>{row.names[props.lang]}</strong> <code>{row.key}</code> <span class="meta" data-counts>{s.counts(row.items, row.subscribers)}</span>
      </summary>
      {open?.preview ? <PreviewPanel lang={props.lang} name={draft.names[props.lang]} preview={open.preview} /> : null}
      <form method="post" action={base}>
        <Csrf token={props.csrf} />
        <EntryFields lang={props.lang} id={id} draft={draft} />
        <div class="row">
          <button type="submit" class="secondary" formaction={`${base}/preview#${id}`}>
            {s.preview}
          </button>
          <button type="submit">{s.save}</button>
        </div>
      </form>
      <form method="post" action={`${base}/remove`} class="row">
        <Csrf token={props.csrf} />
        <label for={`${id}-merge`}>{s.mergeInto}</label>
        <select id={`${id}-merge`} name="mergeInto">
          <option value="">{s.noMerge}</option>
          {props.others.map((o) => (
            <option value={o.key} selected={open?.mergeInto === o.key ? true : undefined}>
              {o.names[props.lang]}
            </option>
          ))}
        </select>
        <button type="submit" class="secondary">
          {s.remove}
        </button>
      </form>
    </details>
  );
}

function AddForm(props: { lang: Lang; csrf: string; kind: TaxonomyKind; adding?: TaxonomyAdding }) {
  const s = strings[props.lang];
  const id = `add-${props.kind}`;
  return (
    <details class="card" id={id} open={props.adding ? true : undefined}>
      <summary>{props.kind === 'country' ? s.addCountry : s.addTopic}</summary>
      <form method="post" action={`/${props.lang}/editor/taxonomy/${path(props.kind)}`}>
        <Csrf token={props.csrf} />
        <label for={`${id}-key`}>{props.kind === 'country' ? s.code : s.slug}</label>
        <input
          id={`${id}-key`}
          name="key"
          required
          maxlength={props.kind === 'country' ? 2 : 60}
          pattern={props.kind === 'country' ? '[a-z]{2}' : '[a-z0-9]+(-[a-z0-9]+)*'}
          value={props.adding?.key ?? ''}
        />
        <EntryFields lang={props.lang} id={id} draft={props.adding?.draft ?? blank} />
        <button type="submit">{s.add}</button>
      </form>
    </details>
  );
}

export function TaxonomyPage(props: { lang: Lang; csrf: string; flash?: Flash; countries: TaxonomyRow[]; topics: TaxonomyRow[]; open?: TaxonomyOpen; adding?: TaxonomyAdding }) {
  const s = strings[props.lang];
  const section = (kind: TaxonomyKind, rows: TaxonomyRow[]) => (
    <section>
      <h2>{kind === 'country' ? s.countries : s.topics}</h2>
      {rows.map((row) => (
        <EntryCard
          lang={props.lang}
          csrf={props.csrf}
          kind={kind}
          row={row}
          others={rows.filter((o) => o.key !== row.key)}
          open={props.open?.kind === kind && props.open.key === row.key ? props.open : undefined}
        />
      ))}
      <AddForm lang={props.lang} csrf={props.csrf} kind={kind} adding={props.adding?.kind === kind ? props.adding : undefined} />
    </section>
  );
  return (
    <EditorShell lang={props.lang} title={s.title} tab="taxonomy" csrf={props.csrf} flash={props.flash} altPath={`/${props.lang === 'es' ? 'en' : 'es'}/editor/taxonomy`}>
      <p class="muted">{s.note}</p>
      {section('country', props.countries)}
      {section('topic', props.topics)}
    </EditorShell>
  );
}
