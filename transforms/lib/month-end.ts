/**
 * Month-end arithmetic on business dates (`YYYY-MM-DD` strings, UTC calendar; no time zones).
 */

/**
 * The month end `offset` months before the month of `date` (default 1: the previous month's end).
 * Only the year and month of `date` are read, so any day of a month gives the same answer.
 *
 * @example
 * monthEndBefore('2026-10-31'); // '2026-09-30'
 * monthEndBefore('2026-03-31', 1); // '2026-02-28'
 * monthEndBefore('2026-03-31', 0); // '2026-03-31'
 * monthEndBefore('2026-01-31', 2); // '2025-11-30'
 */
export function monthEndBefore(date: string, offset = 1): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m - offset, 0)).toISOString().slice(0, 10);
}

/**
 * The month end (last calendar day) of a year and month (1–12), as `YYYY-MM-DD`.
 *
 * @example
 * monthEndOf(2024, 2); // '2024-02-29'
 * monthEndOf(2026, 10); // '2026-10-31'
 */
export function monthEndOf(year: number, month: number): string {
  const day = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
