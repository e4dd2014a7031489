// Per-language edition text, the pre-flight's audience and old-item warnings, and the console's time-zone arithmetic.
import { describe, expect, it } from 'vitest';
import { newEdition, textFor } from '../../lambdas/core/editions/model.js';
import { audienceIssues, staleItems } from '../../lambdas/core/editions/service.js';
import { isoToWallTime, timeZoneOr, wallTimeToIso } from '../../lambdas/adapters/http/views/time-zone.js';

const now = new Date('2026-03-10T12:00:00Z');

describe('edition text per language', () => {
  it('gives each language its translation, and the top-level text to a language without one', () => {
    const e = newEdition({ subject: 'Default', intro: 'Hi.', translations: { es: { subject: ' Hola ', intro: '' } } }, { id: 'e1', now });
    expect(textFor(e, 'es')).toEqual({ subject: 'Hola' });
    expect(textFor(e, 'en')).toEqual({ subject: 'Default', intro: 'Hi.' });
  });

  it('refuses a translated subject with a line break, like the top-level one', () => {
    expect(() => newEdition({ subject: 'x', translations: { en: { subject: 'a\nb' } } }, { id: 'e2', now })).toThrow(expect.objectContaining({ code: 'edition.subjectLineBreak' }));
  });

  it('warns about an audience of nobody, and about languages with recipients and no translation', () => {
    const e = newEdition({ subject: 'x', translations: { es: { subject: 'y' } } }, { id: 'e3', now });
    expect(audienceIssues(e, { recipients: 0, skipped: 2, byLanguage: { es: 0, en: 0 } }).map((i) => i.code)).toEqual(['preflight.noRecipients']);
    expect(audienceIssues(e, { recipients: 3, skipped: 0, byLanguage: { es: 2, en: 1 } })).toEqual([expect.objectContaining({ code: 'preflight.untranslated', params: { language: 'en', count: 1 } })]);
    const plain = newEdition({ subject: 'x' }, { id: 'e4', now });
    expect(audienceIssues(plain, { recipients: 3, skipped: 0, byLanguage: { es: 2, en: 1 } })).toEqual([]);
  });

  it('warns about items older than the set age', () => {
    const items = [{ title: 'new', publishedAt: '2026-03-09T00:00:00Z' }, { title: 'old', publishedAt: '2026-01-01T00:00:00Z' }];
    expect(staleItems(items, now, 7)).toEqual([expect.objectContaining({ code: 'preflight.staleItems', params: { count: 1, days: 7 } })]);
    expect(staleItems(items.slice(0, 1), now, 7)).toEqual([]);
  });
});

describe('time zones', () => {
  it('reads a wall time in the editor’s zone as a UTC instant, across a daylight-saving change', () => {
    expect(wallTimeToIso('2099-06-01T09:00', 'America/Lima')).toBe('2099-06-01T14:00:00.000Z');
    expect(wallTimeToIso('2026-01-15T09:00', 'America/Santiago')).toBe('2026-01-15T12:00:00.000Z'); // summer, UTC−3
    expect(wallTimeToIso('2026-07-15T09:00', 'America/Santiago')).toBe('2026-07-15T13:00:00.000Z'); // winter, UTC−4
    expect(wallTimeToIso('2026-07-15T09:00', 'UTC')).toBe('2026-07-15T09:00:00.000Z');
    expect(isoToWallTime('2099-06-01T14:00:00.000Z', 'America/Lima')).toBe('2099-06-01T09:00');
  });

  it('falls back to UTC for a zone the runtime does not know', () => {
    expect(timeZoneOr('Mars/Olympus')).toBe('UTC');
    expect(timeZoneOr(undefined)).toBe('UTC');
    expect(timeZoneOr('America/Bogota')).toBe('America/Bogota');
  });
});
