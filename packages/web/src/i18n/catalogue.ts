// Merges the areas' strings into one catalogue per language.
import * as chat from './strings/chat.js';
import * as common from './strings/common.js';
import * as firstRun from './strings/first-run.js';
import * as operator from './strings/operator.js';
import * as report from './strings/report.js';
import * as safety from './strings/safety.js';
import * as settings from './strings/settings.js';

const en = { ...common.en, ...firstRun.en, ...chat.en, ...safety.en, ...settings.en, ...report.en, ...operator.en };
export type StringKey = keyof typeof en;
export type Lang = 'en' | 'fr';
const fr: Record<StringKey, string> = {
  ...common.fr,
  ...firstRun.fr,
  ...chat.fr,
  ...safety.fr,
  ...settings.fr,
  ...report.fr,
  ...operator.fr,
};
export const catalogue: Record<Lang, Record<StringKey, string>> = { en, fr };
