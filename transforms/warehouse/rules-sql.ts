import { FIVE_CLASSES, classRank, type FiveClass } from '../policy/five-category.js';
import type { FloorRules } from '../policy/classification-floor.js';
import type { GradingRules } from '../policy/customer-grading.js';
import { CqError } from '../lib/errors.js';
import { quoteLiteral } from '../lib/duckdb.js';

/**
 * SQL builders that turn the rules (policy/*.yaml, typed in transforms/policy/*.ts) into set-based SQL
 * expressions, so a rule is written once and every model uses the same expression. Every
 * boundary is stated in docs/grading.md and docs/classification.md and tested in
 * test/policy/grading-boundaries.test.ts and test/policy/floor.test.ts.
 */

/** `CASE <expr> WHEN '正常' THEN 1 … END` — rank of a five-category class column. @example classRankSql('recorded_class') */
export function classRankSql(expr: string): string {
  return `CASE ${expr} ${FIVE_CLASSES.map((c, i) => `WHEN ${quoteLiteral(c)} THEN ${i + 1}`).join(' ')} END`;
}

/** The class name of a rank expression. @example classNameSql('floor_class_rank') // CASE … WHEN 3 THEN '次级' … */
export function classNameSql(rankExpr: string): string {
  return `CASE ${rankExpr} ${FIVE_CLASSES.map((c, i) => `WHEN ${i + 1} THEN ${quoteLiteral(c)}`).join(' ')} END`;
}

function checkClass(c: string, where: string): FiveClass {
  if (!(FIVE_CLASSES as readonly string[]).includes(c)) {
    throw new CqError('METRIC_INVALID', `${where}: "${c}" is not a five-category class (${FIVE_CLASSES.join(', ')}).`);
  }
  return c as FiveClass;
}

function checkNumber(n: unknown, where: string, min = 0): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min) {
    throw new CqError('METRIC_INVALID', `${where}: expected a number ≥ ${min}, got ${JSON.stringify(n)}.`);
  }
  return n;
}

/** Column expressions a floor is computed from. */
export interface FloorInputs {
  dpd: string;
  isRestructured: string;
  restructuredOn: string;
  asOf: string;
  /**
   * Optional precomputed end of the observation period (`restructured_on + N months`, exclusive),
   * e.g. computed once per loan version instead of once per loan-month.
   */
  observationEnd?: string;
}

/**
 * Rank (1..5) of the regulatory floor class: the most severe class any rule gives.
 *
 * @example
 * floorRankSql({ dpd: 'days_past_due', isRestructured: 'is_restructured', restructuredOn: 'restructured_on', asOf: 'as_of_month' }, loadPolicy().floor)
 */
export function floorRankSql(i: FloorInputs, rules: FloorRules): string {
  return `greatest(${dpdFloorRankSql(i.dpd, rules)}, ${restructuredFloorRankSql(i, rules)})`;
}

/** Rank of the days-past-due floor alone. */
export function dpdFloorRankSql(dpd: string, rules: FloorRules): string {
  const sorted = [...rules.dpd].sort((a, b) => b.overDays - a.overDays);
  if (sorted.length === 0) return '1';
  const whens = sorted.map((r, k) => {
    checkNumber(r.overDays, `floor rule dpd[${k}].overDays`);
    return `WHEN ${dpd} > ${Math.trunc(r.overDays)} THEN ${classRank(checkClass(r.floor, `floor rule dpd[${k}].floor`))}`;
  });
  return `(CASE ${whens.join(' ')} ELSE 1 END)`;
}

/** SQL condition: the loan is inside its restructuring observation period at `asOf`. */
export function inObservationSql(i: Omit<FloorInputs, 'dpd'>, rules: FloorRules): string {
  const end = i.observationEnd ?? observationEndSql(i.restructuredOn, rules);
  return `coalesce(${i.isRestructured} AND ${i.restructuredOn} <= ${i.asOf} AND ${i.asOf} < ${end}, false)`;
}

/** End (exclusive) of the restructuring observation period: `restructured_on + N months`, as a DATE. */
export function observationEndSql(restructuredOn: string, rules: FloorRules): string {
  const months = Math.trunc(checkNumber(rules.restructured.observationMonths, 'floor rule restructured.observationMonths'));
  return `CAST(${restructuredOn} + INTERVAL '${months} month' AS DATE)`;
}

/** Which rule set the floor, from the two partial ranks (see {@link floorRuleSql}). */
export function floorRuleFromRanksSql(dpd: string, dpdRank: string, restructuredRank: string, rules: FloorRules): string {
  const sorted = [...rules.dpd].sort((a, b) => b.overDays - a.overDays);
  const dpdLabel = sorted.length ? `CASE ${sorted.map((r) => `WHEN ${dpd} > ${Math.trunc(r.overDays)} THEN 'dpd>${Math.trunc(r.overDays)}'`).join(' ')} END` : 'NULL';
  return `(CASE WHEN ${dpdRank} = 1 AND ${restructuredRank} = 1 THEN 'none' WHEN ${dpdRank} >= ${restructuredRank} THEN ${dpdLabel} ELSE 'restructured' END)`;
}

/** Rank of the restructuring floor alone (1 outside the observation period). */
export function restructuredFloorRankSql(i: Omit<FloorInputs, 'dpd'>, rules: FloorRules): string {
  const rank = classRank(checkClass(rules.restructured.floor, 'floor rule restructured.floor'));
  return `(CASE WHEN ${inObservationSql(i, rules)} THEN ${rank} ELSE 1 END)`;
}

/** Which rule set the floor: `dpd>N`, `restructured`, or `none` (floor 正常). */
export function floorRuleSql(i: FloorInputs, rules: FloorRules): string {
  return floorRuleFromRanksSql(i.dpd, dpdFloorRankSql(i.dpd, rules), restructuredFloorRankSql(i, rules), rules);
}

/** Rank of the restructuring floor given an "in observation period" boolean expression. */
export function restructuredRankFromFlagSql(inObservation: string, rules: FloorRules): string {
  return `(CASE WHEN ${inObservation} THEN ${classRank(checkClass(rules.restructured.floor, 'floor rule restructured.floor'))} ELSE 1 END)`;
}

/** Column expressions a rule grade is computed from (customer-month aggregates). */
export interface GradeInputs {
  /** Worst recorded class rank of the customer's loans in the month (NULL: no loans). */
  maxClassRank: string;
  /** Maximum days past due (NULL: no loans). */
  maxDpd: string;
  /** Latest usable PD (NULL: none). */
  pd: string;
  /** Some loan written off in the month. */
  hasWrittenOff: string;
}

/**
 * The rule grade ('A' | 'B' | 'C') as a CASE expression over customer-month aggregates.
 *
 * @example
 * ruleGradeSql({ maxClassRank: 'max_class_rank', maxDpd: 'max_dpd', pd: 'pd', hasWrittenOff: 'has_written_off' }, loadPolicy().grading)
 */
export function ruleGradeSql(i: GradeInputs, rules: GradingRules): string {
  const whens = rules.rules.map((r, k) => {
    const parts: string[] = [];
    if (r.loanClassAtLeast !== undefined) {
      const rank = classRank(checkClass(r.loanClassAtLeast, `grade rule ${k}.loanClassAtLeast`));
      // The customer facts aggregate only loans with a risk signal (关注 or worse, overdue, written off).
      if (rank < 2) throw new CqError('METRIC_INVALID', `grade rule ${k}.loanClassAtLeast must be 关注 or worse (正常 is every loan).`);
      parts.push(`${i.maxClassRank} >= ${rank}`);
    }
    if (r.loanDpdOver !== undefined) parts.push(`${i.maxDpd} > ${Math.trunc(checkNumber(r.loanDpdOver, `grade rule ${k}.loanDpdOver`))}`);
    if (r.pdAtLeast !== undefined) parts.push(`${i.pd} >= ${checkNumber(r.pdAtLeast, `grade rule ${k}.pdAtLeast`)}`);
    if (r.writtenOff) parts.push(`${i.hasWrittenOff}`);
    if (!['A', 'B', 'C'].includes(r.grade)) throw new CqError('METRIC_INVALID', `grade rule ${k}: grade must be A, B or C, got ${JSON.stringify(r.grade)}.`);
    if (parts.length === 0) throw new CqError('METRIC_INVALID', `grade rule ${k} (${r.grade}) has no condition.`);
    return `WHEN coalesce(${parts.join(' OR ')}, false) THEN '${r.grade}'`;
  });
  return `(CASE ${whens.join(' ')} ELSE '${rules.fallback}' END)`;
}

/**
 * SQL condition: a risk score scored on `scoredOn` is still usable at month end `asOf` — scored ON
 * OR AFTER the same day `pdMaxAgeMonths` months before (the last day of that month when it is
 * shorter: DuckDB's month arithmetic). With 12 at 2026-10-31: 2025-10-31 is usable, 2025-10-30 is
 * not; at 2024-02-29: 2023-02-28 is usable.
 *
 * @example
 * pdUsableSql('si.scored_on', 'cm.as_of_month', loadPolicy().grading)
 * // "si.scored_on >= CAST(cm.as_of_month - INTERVAL '12 month' AS DATE)"
 */
export function pdUsableSql(scoredOn: string, asOf: string, rules: GradingRules): string {
  const months = Math.trunc(checkNumber(rules.pdMaxAgeMonths, 'grading pdMaxAgeMonths', 1));
  return `${scoredOn} >= CAST(${asOf} - INTERVAL '${months} month' AS DATE)`;
}

/** Delinquency buckets of roll rates, in order. */
export const DELINQUENCY_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+', 'written_off', 'closed'] as const;

/** Bucket of a loan-month: status first (written_off / closed: settled or transferred), then days past due. */
export function delinquencyBucketSql(status: string, dpd: string): string {
  return `(CASE WHEN ${status} = 'written_off' THEN 'written_off' WHEN ${status} IN ('settled', 'transferred') THEN 'closed'
    WHEN ${dpd} <= 0 THEN 'current' WHEN ${dpd} <= 30 THEN '1-30' WHEN ${dpd} <= 60 THEN '31-60' WHEN ${dpd} <= 90 THEN '61-90' ELSE '90+' END)`;
}

/** Sort position of a bucket (1-based). */
export function bucketOrderSql(bucket: string): string {
  return `CASE ${bucket} ${DELINQUENCY_BUCKETS.map((b, i) => `WHEN '${b}' THEN ${i + 1}`).join(' ')} END`;
}
