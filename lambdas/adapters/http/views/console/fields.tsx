// Small form parts the console pages share: country and topic choices, selects and the scope filter.
import type { Child } from 'hono/jsx';
import { currentTaxonomy } from '../../../../core/taxonomy/taxonomy.js';
import { ChoiceFieldset } from '../choices.js';
import { countryName, t, topicName, type Lang } from '../i18n.js';

export function TagChoices(props: { lang: Lang; idPrefix: string; countries: readonly string[]; topics: readonly string[] }) {
  const s = t(props.lang);
  const countries = currentTaxonomy().countryCodes.map((c) => ({ id: `${props.idPrefix}c-${c}`, value: c, label: countryName(c, props.lang), checked: props.countries.includes(c) }));
  const topics = currentTaxonomy().topicSlugs.map((x) => ({ id: `${props.idPrefix}t-${x}`, value: x, label: topicName(x, props.lang), checked: props.topics.includes(x) }));
  return (
    <>
      <ChoiceFieldset legend={s.countries} name="countries" choices={countries} columns />
      <ChoiceFieldset legend={s.topics} name="topics" choices={topics} columns />
    </>
  );
}

/** A form control with its label above it. */
export const Labelled = (props: { for: string; label: string; children: Child }) => (
  <div>
    <label for={props.for}>{props.label}</label>
    {props.children}
  </div>
);

/** A labelled select whose first option, "all", leaves the choice empty. */
export function AllOrOneSelect(props: { id: string; name: string; label: string; allLabel: string; value?: string; options: Array<{ value: string; label: string }> }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      <select id={props.id} name={props.name}>
        <option value="">{props.allLabel}</option>
        {props.options.map((o) => (
          <option value={o.value} selected={props.value === o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** A labelled "all countries / one country" select; `name` is `country`. */
export function CountrySelect(props: { lang: Lang; id: string; value?: string }) {
  const s = t(props.lang);
  const options = currentTaxonomy().countryCodes.map((c) => ({ value: c, label: countryName(c, props.lang) }));
  return <AllOrOneSelect id={props.id} name="country" label={s.countries} allLabel={s.allCountries} value={props.value} options={options} />;
}

/** A labelled "all topics / one topic" select; `name` is `topic`. */
export function TopicSelect(props: { lang: Lang; id: string; value?: string }) {
  const s = t(props.lang);
  const options = currentTaxonomy().topicSlugs.map((x) => ({ value: x, label: topicName(x, props.lang) }));
  return <AllOrOneSelect id={props.id} name="topic" label={s.topics} allLabel={s.allTopics} value={props.value} options={options} />;
}

export function ScopeFilter(props: { lang: Lang; action: string; country?: string; topic?: string; extra?: Child }) {
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
