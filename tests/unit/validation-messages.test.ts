// A console form that fails its schema is worded for the editor: each field by the form's name for it, what is wrong in
// plain words and what to do, in the page's language. The JSON API's error (English message, details {path, message})
// is unchanged.
import { describe, expect, test } from 'vitest';
import { RequestInvalid, validated } from '../../lambdas/adapters/http/router.js';
import { SourceInput, ItemInput } from '../../lambdas/adapters/http/routes/items.js';
import { EditionInput, SendBody, TestSendBody } from '../../lambdas/adapters/http/routes/editions.js';
import { EntryInput } from '../../lambdas/adapters/http/routes/taxonomy.js';
import { errorMessage, type Lang } from '../../lambdas/adapters/http/views/i18n.js';
import { fieldLabel } from '../../lambdas/adapters/http/views/validation.js';

function failure(schema: Parameters<typeof validated>[0], value: unknown): RequestInvalid {
  try {
    validated(schema, value);
  } catch (error) {
    if (error instanceof RequestInvalid) return error;
    throw error;
  }
  throw new Error('expected the value to fail');
}
const worded = (schema: Parameters<typeof validated>[0], value: unknown, lang: Lang) => errorMessage(failure(schema, value), lang);

describe('console validation messages', () => {
  test('a source address that is not http(s), in Spanish and English', () => {
    expect(worded(SourceInput, { url: 'ftp://example.org/feed' }, 'es')).toBe(
      'Dirección del canal: «ftp://example.org/feed» no es una dirección http(s); escríbela completa, empezando por https://.',
    );
    expect(worded(SourceInput, { url: 'ftp://example.org/feed' }, 'en')).toBe(
      'Feed address: “ftp://example.org/feed” is not an http(s) address; write it in full, starting with https://.',
    );
  });

  test('an empty address is a missing field, said once', () => {
    expect(worded(SourceInput, { url: '' }, 'es')).toBe('Dirección del canal: este campo es obligatorio; rellénalo.');
  });

  test('each failing field is named once, list positions left out', () => {
    const es = worded(ItemInput, { title: '', link: 'nope', countries: ['zz', 'yy'] }, 'es');
    expect(es).toContain('Título: este campo es obligatorio; rellénalo.');
    expect(es).toContain('Enlace de la noticia: «nope» no es una dirección web;');
    expect(es).toContain('Países: «zz» no es un país de la lista');
    expect(es).not.toContain('countries');
    const en = worded(ItemInput, { countries: ['zz'] }, 'en');
    expect(en).toMatch(/^Countries: “zz” is not a country on the list/);
  });

  test('test addresses, the schedule time, and the per-language subject', () => {
    expect(worded(TestSendBody, { emails: ['ana@'] }, 'es')).toBe('Direcciones de prueba: «ana@» no es una dirección de correo válida; revisa si tiene alguna errata.');
    expect(worded(TestSendBody, { emails: [] }, 'es')).toBe('Direcciones de prueba: hace falta al menos 1.');
    expect(worded(SendBody, { at: 'mañana' }, 'es')).toBe('Fecha y hora: no es una fecha y hora válida; elige el día y la hora.');
    expect(worded(SendBody, { at: '' }, 'en')).toBe('Date and time: this field is required; fill it in.');
    const long = 'x'.repeat(201);
    expect(worded(EditionInput, { subject: 'Hola', translations: { en: { subject: long } } }, 'es')).toBe('Asunto (inglés): admite como máximo 200 caracteres; acórtalo.');
    expect(worded(EditionInput, { subject: 'Hola', itemIds: Array.from({ length: 101 }, (_, i) => `i${i}`) }, 'es')).toBe(
      'Noticias de la edición: admite como máximo 100; quita las que sobren.',
    );
  });

  test('taxonomy names by language', () => {
    expect(worded(EntryInput, { names: { en: 'Ecuador', es: '' }, keywords: { en: [], es: [] } }, 'es')).toBe('Nombre en español: este campo es obligatorio; rellénalo.');
    expect(fieldLabel(['keywords', 'en', 3], 'en')).toBe('English keywords');
  });

  test('a field we have no name for keeps its path; unexpected fields ask for a reload', () => {
    expect(fieldLabel(['other', 0, 'thing'], 'es')).toBe('other.thing');
    expect(worded(SourceInput, { url: 'https://example.org/', active: 'yes' }, 'es')).toBe('El formulario: trae campos que no esperábamos (active); recarga la página y vuelve a intentarlo.');
  });

  test('the API’s error stays in English, with details {path, message}', () => {
    const error = failure(SourceInput, { url: 'ftp://example.org/feed' });
    expect(error.code).toBe('request.invalid');
    expect(error.message).toBe('url: must be an http(s) URL');
    expect(error.details).toEqual([{ path: 'url', message: 'must be an http(s) URL' }]);
  });

  test('domain errors an editor meets have Spanish words', () => {
    for (const code of ['edition.scheduleInPast', 'edition.emptySegment', 'edition.preflightFailed', 'taxonomy.exists', 'source.notFound', 'import.invalidCsv']) {
      expect(errorMessage({ code, message: 'English' }, 'es'), code).not.toBe('English');
      // English keeps the domain's own message, except where it speaks to API callers (taxonomy codes).
      if (!code.startsWith('taxonomy.')) expect(errorMessage({ code, message: 'English' }, 'en'), code).toBe('English');
    }
  });

  test('in English, errors whose domain message names API calls are worded for editors', () => {
    for (const [code, apiMessage] of [
      ['taxonomy.exists', 'The topic "x" already exists; change it with PUT instead.'],
      ['taxonomy.notFound', 'No topic "x"; list them with GET /api/taxonomy/full.'],
      ['edition.notFound', 'No edition has this id; list them with GET /api/editions.'],
    ] as const) {
      const words = errorMessage({ code, message: apiMessage }, 'en');
      expect(words, code).not.toMatch(/\/api\/|\b(GET|PUT|POST)\b/);
      expect(words, code).toMatch(/\.$/);
    }
  });
});
