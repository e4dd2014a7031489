// A console form that failed its schema, worded for the editor in the page's language: each field by the name the
// form gives it ("Dirección del canal", not `url`; "Países", not `countries.0`), what is wrong with it in plain
// words, and what to do. The JSON API keeps zod's English wording; only the console reads these (see RequestInvalid
// in router.ts). Issues we have no words for fall back to zod's own locale (zod/v4/locales), then to zod's message.
import type { z } from '@hono/zod-openapi';
import zodSpanish from 'zod/v4/locales/es.js';
import type { Lang } from './i18n.js';

type Issue = z.core.$ZodIssue;

interface Words {
  /** Form fields by schema path (list positions left out). */
  fields: Record<string, string>;
  /** `translations.es.subject` → "Asunto (español)". */
  inLanguage: (field: string, language: Lang) => string;
  form: string;
  required: string;
  atLeast: (n: number) => string;
  atLeastChars: (n: number) => string;
  atMostChars: (n: number) => string;
  atMost: (n: number) => string;
  notUrl: (value: string) => string;
  notHttp: (value: string) => string;
  notEmail: (value: string) => string;
  notDateTime: string;
  unknownCountry: (value: string) => string;
  unknownTopic: (value: string) => string;
  notAnOption: (value: string) => string;
  unexpectedFields: (keys: string) => string;
  notUnderstood: string;
}

const es: Words = {
  fields: {
    title: 'Título',
    link: 'Enlace de la noticia',
    summary: 'Resumen',
    countries: 'Países',
    topics: 'Temas',
    id: 'Identificador',
    url: 'Dirección del canal',
    name: 'Nombre de la fuente',
    defaultCountries: 'Países por defecto',
    defaultTopics: 'Temas por defecto',
    active: 'Estado de la fuente',
    subject: 'Asunto',
    intro: 'Introducción',
    itemIds: 'Noticias de la edición',
    since: 'Desde',
    'audience.countries': 'Público: países',
    'audience.topics': 'Público: temas',
    'audience.languages': 'Público: idiomas',
    at: 'Fecha y hora',
    emails: 'Direcciones de prueba',
    language: 'Idioma',
    email: 'Correo electrónico',
    'names.es': 'Nombre en español',
    'names.en': 'Nombre en inglés',
    'keywords.es': 'Palabras clave en español',
    'keywords.en': 'Palabras clave en inglés',
  },
  inLanguage: (field, language) => `${field} (${language === 'es' ? 'español' : 'inglés'})`,
  form: 'El formulario',
  required: 'este campo es obligatorio; rellénalo.',
  atLeast: (n) => `hace falta al menos ${n}.`,
  atLeastChars: (n) => `tiene que tener al menos ${n} caracteres.`,
  atMostChars: (n) => `admite como máximo ${n} caracteres; acórtalo.`,
  atMost: (n) => `admite como máximo ${n}; quita las que sobren.`,
  notUrl: (v) => `«${v}» no es una dirección web; escríbela completa, empezando por https://.`,
  notHttp: (v) => `«${v}» no es una dirección http(s); escríbela completa, empezando por https://.`,
  notEmail: (v) => `«${v}» no es una dirección de correo válida; revisa si tiene alguna errata.`,
  notDateTime: 'no es una fecha y hora válida; elige el día y la hora.',
  unknownCountry: (v) => `«${v}» no es un país de la lista (puede que lo acaben de quitar); recarga la página y vuelve a elegir.`,
  unknownTopic: (v) => `«${v}» no es un tema de la lista (puede que lo acaben de quitar); recarga la página y vuelve a elegir.`,
  notAnOption: (v) => `«${v}» no es una de las opciones; elige una de la lista.`,
  unexpectedFields: (keys) => `trae campos que no esperábamos (${keys}); recarga la página y vuelve a intentarlo.`,
  notUnderstood: 'no se entiende el valor; revísalo.',
};

const en: Words = {
  fields: {
    title: 'Title',
    link: 'Item link',
    summary: 'Summary',
    countries: 'Countries',
    topics: 'Topics',
    id: 'Identifier',
    url: 'Feed address',
    name: 'Source name',
    defaultCountries: 'Default countries',
    defaultTopics: 'Default topics',
    active: 'Source state',
    subject: 'Subject',
    intro: 'Intro',
    itemIds: 'Items in the edition',
    since: 'Since',
    'audience.countries': 'Audience: countries',
    'audience.topics': 'Audience: topics',
    'audience.languages': 'Audience: languages',
    at: 'Date and time',
    emails: 'Test addresses',
    language: 'Language',
    email: 'Email',
    'names.es': 'Spanish name',
    'names.en': 'English name',
    'keywords.es': 'Spanish keywords',
    'keywords.en': 'English keywords',
  },
  inLanguage: (field, language) => `${field} (${language === 'es' ? 'Spanish' : 'English'})`,
  form: 'The form',
  required: 'this field is required; fill it in.',
  atLeast: (n) => `at least ${n} needed.`,
  atLeastChars: (n) => `needs at least ${n} characters.`,
  atMostChars: (n) => `takes at most ${n} characters; shorten it.`,
  atMost: (n) => `takes at most ${n}; remove some.`,
  notUrl: (v) => `“${v}” is not a web address; write it in full, starting with https://.`,
  notHttp: (v) => `“${v}” is not an http(s) address; write it in full, starting with https://.`,
  notEmail: (v) => `“${v}” is not a valid email address; check it for typos.`,
  notDateTime: 'is not a valid date and time; choose the day and the time.',
  unknownCountry: (v) => `“${v}” is not a country on the list (it may just have been removed); reload the page and choose again.`,
  unknownTopic: (v) => `“${v}” is not a topic on the list (it may just have been removed); reload the page and choose again.`,
  notAnOption: (v) => `“${v}” is not one of the options; choose one from the list.`,
  unexpectedFields: (keys) => `holds fields we did not expect (${keys}); reload the page and try again.`,
  notUnderstood: 'the value is not understood; check it.',
};

const words: Record<Lang, Words> = { es, en };
const spanishZod = zodSpanish().localeError;

/** The field an issue is about, in the form's words. */
export function fieldLabel(path: readonly PropertyKey[], lang: Lang): string {
  const w = words[lang];
  const keys = path.filter((p): p is string => typeof p === 'string');
  if (keys.length === 0) return w.form;
  // translations.{language}.{subject|intro}
  if (keys[0] === 'translations' && keys.length === 3 && (keys[1] === 'es' || keys[1] === 'en')) {
    return w.inLanguage(w.fields[keys[2]!] ?? keys[2]!, keys[1]);
  }
  return w.fields[keys.join('.')] ?? keys.join('.');
}

const shown = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
};

/** What is wrong with one field, in the page's language, with a next step. */
export function issueText(issue: Issue, lang: Lang): string {
  const w = words[lang];
  const input = (issue as { input?: unknown }).input;
  const missing = input === undefined || input === null || input === '';
  switch (issue.code) {
    case 'invalid_type':
      return missing ? w.required : w.notUnderstood;
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? w.required : w.atLeastChars(min);
      if (issue.origin === 'array' || issue.origin === 'set') return w.atLeast(min);
      break;
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return w.atMostChars(max);
      if (issue.origin === 'array' || issue.origin === 'set') return w.atMost(max);
      break;
    }
    case 'invalid_format':
      if (missing) return w.required;
      if (issue.format === 'url') return w.notUrl(shown(input));
      if (issue.format === 'email') return w.notEmail(shown(input));
      if (issue.format === 'datetime' || issue.format === 'date') return w.notDateTime;
      break;
    case 'invalid_value':
      return missing ? w.required : w.notAnOption(shown(input));
    case 'unrecognized_keys':
      return w.unexpectedFields(issue.keys.join(', '));
    case 'custom': {
      const params = (issue.params ?? {}) as { reason?: string; value?: unknown };
      if (missing && params.reason !== undefined) return w.required;
      const value = shown(params.value ?? input);
      if (params.reason === 'httpUrl') return w.notHttp(value);
      if (params.reason === 'isoDateTime') return w.notDateTime;
      if (params.reason === 'unknownCountry') return w.unknownCountry(value);
      if (params.reason === 'unknownTopic') return w.unknownTopic(value);
      if (params.reason === 'unknownValue') return w.notAnOption(value);
      break;
    }
  }
  if (lang === 'es') {
    const worded = spanishZod(issue as Parameters<typeof spanishZod>[0]);
    const text = typeof worded === 'string' ? worded : worded?.message;
    if (text) return `${text}.`;
  }
  return `${issue.message}.`;
}

/** Every field that failed, once each (its first problem): "Dirección del canal: «ftp://…» no es …". */
export function validationMessage(issues: readonly Issue[], lang: Lang): string {
  const seen = new Map<string, string>();
  for (const issue of issues) {
    const label = fieldLabel(issue.path, lang);
    if (!seen.has(label)) seen.set(label, `${label}: ${issueText(issue, lang)}`);
  }
  return [...seen.values()].join(' ');
}
