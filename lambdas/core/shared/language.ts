// The languages the service speaks, in order of preference (Spanish, the bloc's language, first). Every schema,
// page and email is built from this list.
export const languages = ['es', 'en'] as const;
export type Language = (typeof languages)[number];

export const isLanguage = (value: unknown): value is Language => languages.includes(value as Language);
