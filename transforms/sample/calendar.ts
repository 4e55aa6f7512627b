import { monthEndOf } from '../lib/month-end.js';

/**
 * The generator's business calendar: months are numbered `year*12 + month-1` (the same
 * numbering as the SQL macros), and each month's business date is its last day.
 */

/** The months a sample covers. */
export interface SampleCalendar {
  /** Month index of the first business date. */
  readonly first: number;
  /** Month index of the last business date. */
  readonly last: number;
  /** Business dates `YYYY-MM-DD` (month ends), oldest first. */
  readonly dates: readonly string[];
}

/**
 * Parses `YYYY-MM` into a month index, or returns undefined when malformed.
 *
 * @example
 * parseMonth('2024-11'); // 24298
 */
export function parseMonth(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12 || year < 1900 || year > 2200) return undefined;
  return year * 12 + month - 1;
}

/**
 * The business date (month end) of a month index as `YYYY-MM-DD`.
 *
 * @example
 * monthEnd(24298); // '2024-11-30'
 */
export function monthEnd(monthIndex: number): string {
  const year = Math.floor(monthIndex / 12);
  return monthEndOf(year, (monthIndex % 12) + 1);
}

/**
 * The calendar of `months` consecutive month ends starting with `startMonth`.
 *
 * @example
 * sampleCalendar('2024-11', 2).dates; // ['2024-11-30', '2024-12-31']
 */
export function sampleCalendar(startMonth: string, months: number): SampleCalendar {
  const first = parseMonth(startMonth);
  if (first === undefined) throw new Error(`bad month "${startMonth}", expected YYYY-MM`);
  const dates: string[] = [];
  for (let m = first; m < first + months; m++) dates.push(monthEnd(m));
  return { first, last: first + months - 1, dates };
}
