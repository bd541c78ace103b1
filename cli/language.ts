/**
 * Which language the text output is in (`--lang`, CHUKY_LANG). Kept apart from lang.ts, whose catalogue loads the
 * domain's words: `chuky --help` sets the language without loading them.
 */
export const LANGS = ['en', 'vi'] as const;
export type Lang = (typeof LANGS)[number];

let current: Lang = process.env.CHUKY_LANG === 'vi' ? 'vi' : 'en';

export function setLang(lang: Lang): void {
  current = lang;
}

export function lang(): Lang {
  return current;
}

export const isVi = (): boolean => current === 'vi';
