// Items: filters (country, topic, source, dates), tag editing, adding an item, ingest now.
import type { Item } from '../../../../core/items/model.js';
import { countryName, formatDate, t, topicName, type Lang } from '../i18n.js';
import { EditorShell, Csrf, type Flash } from './shell.js';
import { Labelled, AllOrOneSelect, TagChoices, ScopeFilter } from './fields.js';

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
            <AllOrOneSelect id="f-source" name="source" label={s.source} allLabel={s.allSources} value={f.source} options={props.sources.map((x) => ({ value: x.id, label: x.name }))} />
            <Labelled for="f-from" label={s.dateFrom}>
              <input type="date" id="f-from" name="from" value={f.from ?? ''} />
            </Labelled>
            <Labelled for="f-to" label={s.dateTo}>
              <input type="date" id="f-to" name="to" value={f.to ?? ''} />
            </Labelled>
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
        <Labelled for="new-title" label={s.title}>
          <input type="text" id="new-title" name="title" required maxlength={500} />
        </Labelled>
        <Labelled for="new-link" label={s.link}>
          <input type="url" id="new-link" name="link" required placeholder="https://" />
        </Labelled>
        <Labelled for="new-summary" label={s.summary}>
          <textarea id="new-summary" name="summary" rows={3} maxlength={5000} />
        </Labelled>
        <TagChoices lang={props.lang} idPrefix="new-" countries={[]} topics={[]} />
        <button type="submit">{s.add}</button>
      </form>
    </EditorShell>
  );
}
