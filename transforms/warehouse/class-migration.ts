import { FIVE_CLASSES } from '../policy/five-category.js';

/**
 * Exits a loan on book at a migration period's start can take by the period end (besides
 * staying in one of the five classes): the status of its first off-book snapshot (settled 结清,
 * written_off 核销, transferred 转让 — a status a lender may deliver; it matches nothing while the
 * extract contract does not list it), or exited_unreported (no snapshot at the period end and no
 * exit status). See docs/migration.md.
 */
export const MIGRATION_EXITS = ['settled', 'written_off', 'transferred', 'exited_unreported'] as const;

/**
 * Every state at a migration period's end, in display order (the five classes, then the exits).
 *
 * @example
 * MIGRATION_TO_STATES.indexOf('settled') + 1; // 6
 */
export const MIGRATION_TO_STATES: readonly string[] = [...FIVE_CLASSES, ...MIGRATION_EXITS];

/** Migration periods: since the previous month end ('month'), since Dec 31 of the previous year ('ytd'). */
export const MIGRATION_PERIODS = ['month', 'ytd'] as const;

/** A migration period. */
export type MigrationPeriod = (typeof MIGRATION_PERIODS)[number];

/**
 * `CASE <col> WHEN '<state>' THEN <position> … END` over a list of states (1-based).
 *
 * @example
 * orderSql('to_class', ['正常', '关注']); // "CASE to_class WHEN '正常' THEN 1 WHEN '关注' THEN 2 END"
 */
export function orderSql(col: string, states: readonly string[]): string {
  return `CASE ${col} ${states.map((s, i) => `WHEN '${s.replaceAll("'", "''")}' THEN ${i + 1}`).join(' ')} END`;
}
