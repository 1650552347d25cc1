// The one i18n catalogue: every string the app shows comes from here, in English and French. Each area of the app
// keeps its strings in strings/<area>.ts; a French entry exists for every English key (the type checker says so).

import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { catalogue, type Lang, type StringKey } from './catalogue.js';

export type { Lang, StringKey };
export const LANGS: readonly Lang[] = ['en', 'fr'];

export type Vars = Record<string, string | number>;
export type Translate = (key: StringKey, vars?: Vars) => string;

export function translate(lang: Lang, key: StringKey, vars: Vars = {}): string {
  const template = catalogue[lang][key] ?? catalogue.en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** The language to start with: the saved choice, else the browser's, else English. */
export function initialLang(saved: string | null): Lang {
  if (saved === 'en' || saved === 'fr') return saved;
  const nav = typeof navigator !== 'undefined' ? navigator.language.slice(0, 2) : 'en';
  return nav === 'fr' ? 'fr' : 'en';
}

const I18n = createContext<{ lang: Lang; t: Translate }>({ lang: 'en', t: (k, v) => translate('en', k, v) });

export function I18nProvider({ lang, children }: { lang: Lang; children: ReactNode }) {
  const value = useMemo(() => ({ lang, t: ((k, v) => translate(lang, k, v)) as Translate }), [lang]);
  return <I18n.Provider value={value}>{children}</I18n.Provider>;
}

export function useT(): Translate {
  return useContext(I18n).t;
}

export function useLang(): Lang {
  return useContext(I18n).lang;
}
