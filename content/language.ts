// Each person's language: English or Welsh (Welsh Language Standards: NHS bodies in Wales offer Welsh).
// One pure rule, so the organisation's default can come from anywhere (today config LOCALE).

export const LANGUAGES = ['en-GB', 'cy-GB'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language => (LANGUAGES as readonly unknown[]).includes(value);

/**
 * The language to use with a person: the one they chose (stored) wins; otherwise Welsh when their Teams
 * client is Welsh (`cy`, `cy-GB`) or the organisation's default is Welsh; otherwise English.
 */
export function languageFor(input: { activityLocale?: string | undefined; stored?: unknown; orgDefault: Language }): Language {
  if (isLanguage(input.stored)) return input.stored;
  if (input.activityLocale?.trim().toLowerCase().startsWith('cy')) return 'cy-GB';
  return input.orgDefault;
}

/** The other language: the one the menu's language button switches to. */
export const otherLanguage = (language: Language): Language => (language === 'cy-GB' ? 'en-GB' : 'cy-GB');

/** The HTML `lang` of a language. */
export const htmlLang = (language: Language): string => (language === 'cy-GB' ? 'cy' : 'en-GB');

/** The language a link carries (`&lang=cy`), or undefined. */
export function languageOfParam(value: unknown): Language | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  return v === 'cy' || v === 'cy-gb' ? 'cy-GB' : v === 'en' || v === 'en-gb' ? 'en-GB' : undefined;
}

/** The short form a link carries. */
export const languageParam = (language: Language): string => (language === 'cy-GB' ? 'cy' : 'en');

/** One thing per language (the words, the common questions, the understanding), picked per person. */
export type PerLanguage<T> = Record<Language, T>;

/** Both languages, the organisation's default first (for bilingual emails to people whose language is unknown). */
export const bilingualOrder = (orgDefault: Language): Language[] => [orgDefault, otherLanguage(orgDefault)];
