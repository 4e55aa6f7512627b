import { readFileSync } from 'node:fs';

/**
 * Currencies of the extract contract: the ISO 4217 code list (shipped as data in
 * `transforms/ingest/contract/iso-4217.json`, with its source and publication date) and the reporting
 * currency every amount of the warehouse's core facts, marts, KPIs and exports is stated in.
 */

/** One ISO 4217 currency (List One, deduplicated by code). */
export interface Iso4217Currency {
  /** Alphabetic code, e.g. `EUR`. */
  readonly code: string;
  /** Numeric code, e.g. `978`. */
  readonly numeric: string;
  /** Decimal places of the minor unit (2 for EUR, 0 for JPY); null for funds / metals (N.A.). */
  readonly minor_units: number | null;
  /** English name as published, e.g. `Euro`. */
  readonly name: string;
}

/** The ISO 4217 list as shipped. */
export interface Iso4217List {
  readonly standard: string;
  /** Publication date of the list (`YYYY-MM-DD`). */
  readonly published: string;
  readonly source: string;
  /** Codes that are ISO 4217 but not accepted as a loan currency, with why. */
  readonly excluded_from_loans: Readonly<Record<string, string>>;
  readonly currencies: readonly Iso4217Currency[];
}

/** Where the list lives, relative to the repository root (named in messages and docs). */
export const ISO_4217_FILE = 'transforms/ingest/contract/iso-4217.json';

/** The ISO 4217 list (see {@link ISO_4217_FILE}). */
export const ISO_4217: Iso4217List = JSON.parse(readFileSync(new URL('./iso-4217.json', import.meta.url), 'utf8')) as Iso4217List;

/**
 * Codes a loan (and an FX rate) may be in: every ISO 4217 code except those the list excludes
 * (XTS testing, XXX no currency). Sorted.
 *
 * @example
 * CURRENCY_CODES.includes('EUR'); // true
 * CURRENCY_CODES.includes('RMB'); // false: not ISO 4217 (the code for renminbi is CNY)
 */
export const CURRENCY_CODES: readonly string[] = ISO_4217.currencies.map((c) => c.code).filter((c) => !(c in ISO_4217.excluded_from_loans));

/**
 * The reporting currency: amounts in core facts, marts, KPIs, the site and the regulator exports
 * are in this currency; a loan in another currency is converted with the `fx_rates` extract
 * (CNY per one unit). The regulator forms (1104) are in renminbi.
 */
export const REPORTING_CURRENCY = 'CNY';

/**
 * Names people give currencies instead of their ISO code, with the code to use. A rejected value
 * listed here gets the code in its message.
 */
export const CURRENCY_ALIASES: Readonly<Record<string, string>> = {
  RMB: 'CNY',
  CNH: 'CNY',
  YUAN: 'CNY',
  人民币: 'CNY',
  元: 'CNY',
  NTD: 'TWD',
  NT$: 'TWD',
  HK$: 'HKD',
  US$: 'USD',
  $: 'USD',
  '€': 'EUR',
  EURO: 'EUR',
  '£': 'GBP',
  '¥': 'CNY',
  RUR: 'RUB',
};

/**
 * Unit label of amounts shown in 10,000s of `currency` (the regulator forms' 万元).
 *
 * @example
 * tenThousandUnit('CNY'); // { zh: '万元', en: 'CNY 10,000' }
 * tenThousandUnit('HKD'); // { zh: '万港元', en: 'HKD 10,000' }
 */
export function tenThousandUnit(currency: string): { zh: string; en: string } {
  const zh: Record<string, string> = { CNY: '万元', HKD: '万港元', USD: '万美元', EUR: '万欧元', MOP: '万澳门元', TWD: '万新台币元' };
  return { zh: zh[currency] ?? `万（${currency}）`, en: `${currency} 10,000` };
}
