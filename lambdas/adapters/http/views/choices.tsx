// A fieldset of checkboxes or radio buttons, one label each: the country, topic, language and frequency choices of
// the public forms and of the console are all this one shape.
import type { Child } from 'hono/jsx';
import { languages, type Language } from '../../../core/shared/language.js';

export interface Choice {
  id: string;
  value: string;
  label: Child;
  /** The label's language where it is not the page's (a language named in itself). */
  lang?: string;
  checked?: boolean;
  /** data-* attributes of the label (what a script filters the choices by). */
  data?: Record<string, string>;
}

export function ChoiceFieldset(props: {
  legend: string;
  name: string;
  type?: 'checkbox' | 'radio';
  choices: Choice[];
  /** Shown under the legend, and describes the fieldset to assistive technology. */
  hint?: { id: string; text: string };
  /** Lay long lists (countries, topics) out in columns. */
  columns?: boolean;
}) {
  const labels = props.choices.map((c) => (
    <label for={c.id} {...Object.fromEntries(Object.entries(c.data ?? {}).map(([k, v]) => [`data-${k}`, v]))}>
      <input type={props.type ?? 'checkbox'} id={c.id} name={props.name} value={c.value} checked={c.checked} />
      <span lang={c.lang}>{c.label}</span>
    </label>
  ));
  return (
    <fieldset aria-describedby={props.hint?.id}>
      <legend>{props.legend}</legend>
      {props.hint ? (
        <p class="hint" id={props.hint.id}>
          {props.hint.text}
        </p>
      ) : null}
      {props.columns ? <div class="choices">{labels}</div> : labels}
    </fieldset>
  );
}

const ownName: Record<Language, string> = { es: 'Español', en: 'English' };

/** One choice a language, each named in itself; ids are `${idPrefix}lang-es` and so on. */
export const languageChoices = (idPrefix: string, checked?: (language: Language) => boolean): Choice[] =>
  languages.map((l) => ({ id: `${idPrefix}lang-${l}`, value: l, label: ownName[l], lang: l, checked: checked?.(l) }));
