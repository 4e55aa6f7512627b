import type { MetricDirection, TargetOp } from './metric.js';

/** RAG status of a KPI value. */
export type Rag = 'green' | 'amber' | 'red' | 'none';

/** Floating-point slack when comparing a value with its target. */
export const RAG_EPSILON = 1e-12;

/**
 * `x` rounded to `digits` decimals, halves away from zero — exactly what DuckDB's `round(x, digits)`
 * does on a DOUBLE (scale, round, unscale), so {@link ragOf} and {@link ragSql} judge the same number.
 *
 * @example
 * roundHalfAway(0.02004, 4); // 0.02
 * roundHalfAway(-0.125, 2); // -0.13
 */
export function roundHalfAway(x: number, digits: number): number {
  const p = 10 ** digits;
  const r = Math.sign(x) * Math.round(Math.abs(x) * p);
  return r / p;
}

/**
 * RAG of one value: green when it meets the target (`op`), amber when it misses by at most
 * `tolerance` (absolute, in the value's unit), red beyond; 'none' without value or target.
 * With `digits` (the display precision in the value's unit: {@link ragDigits}), the value and the
 * target are first rounded to it, so the colour agrees with what the reader sees
 * (2.004 % against ≤ 2 % is shown 2.00 %: green; 0.00 % against = 0 %: green).
 * The SQL twin is {@link ragSql}; both implement the same rule (test/kpi/status-cases.test.ts runs both on one table).
 *
 * @example
 * ragOf(0.021, 0.02, 'lower_is_better', '<=', 0.005); // 'amber'
 * ragOf(0.02004, 0.02, 'lower_is_better', '<=', 0.005, 4); // 'green' (shown 2.00%)
 */
export function ragOf(
  value: number | null,
  target: number | null,
  direction: MetricDirection,
  op: TargetOp,
  tolerance: number,
  digits?: number,
): Rag {
  if (value === null || target === null || Number.isNaN(value) || Number.isNaN(target)) return 'none';
  const v = digits === undefined ? value : roundHalfAway(value, digits);
  const t = digits === undefined ? target : roundHalfAway(target, digits);
  const e = RAG_EPSILON;
  const green = op === '<=' ? v <= t + e : op === '<' ? v < t - e : op === '>=' ? v >= t - e : v > t + e;
  if (green) return 'green';
  const amber = direction === 'lower_is_better' ? v <= t + tolerance + e : v >= t - tolerance - e;
  return amber ? 'amber' : 'red';
}

/**
 * The RAG rule as a SQL CASE over `value` and `target` columns (the twin of {@link ragOf}, same
 * rounding: `round(x, digits)`).
 *
 * @example
 * ragSql('value', 'target', 'lower_is_better', '<=', 0.005, 4);
 * // CASE WHEN value IS NULL OR target IS NULL OR isnan(value) THEN 'none'
 * //      WHEN round(value, 4) <= round(target, 4) + 1e-12 THEN 'green'
 * //      WHEN round(value, 4) <= round(target, 4) + 0.005 + 1e-12 THEN 'amber' ELSE 'red' END
 */
export function ragSql(value: string, target: string, direction: MetricDirection, op: TargetOp, tolerance: number, digits?: number): string {
  const e = RAG_EPSILON;
  const v = digits === undefined ? value : `round(${value}, ${digits})`;
  const t = digits === undefined ? target : `round(${target}, ${digits})`;
  const green =
    op === '<=' ? `${v} <= ${t} + ${e}` : op === '<' ? `${v} < ${t} - ${e}` : op === '>=' ? `${v} >= ${t} - ${e}` : `${v} > ${t} + ${e}`;
  const amber = direction === 'lower_is_better' ? `${v} <= ${t} + ${tolerance} + ${e}` : `${v} >= ${t} - ${tolerance} - ${e}`;
  return `CASE WHEN ${value} IS NULL OR ${target} IS NULL OR isnan(${value}) THEN 'none' WHEN ${green} THEN 'green' WHEN ${amber} THEN 'amber' ELSE 'red' END`;
}

/**
 * Decimals, in the value's own unit, at which a KPI is shown: a percent with 2 decimals is judged
 * at 4 (0.0231 = 2.31 %), a number at its display decimals.
 *
 * @example
 * ragDigits({ format: 'percent', decimals: 2 }); // 4
 * ragDigits({ format: 'number', decimals: 3 }); // 3
 */
export function ragDigits(d: { readonly format: 'percent' | 'number'; readonly decimals: number }): number {
  return d.format === 'percent' ? d.decimals + 2 : d.decimals;
}

/** How good a colour is: green 3 > amber 2 > red 1; anything else (none, no_data, too_few) has no rank. */
export const RAG_RANK: Readonly<Record<'green' | 'amber' | 'red', number>> = { green: 3, amber: 2, red: 1 };

/**
 * What happened to a KPI's status since the previous month (kpi_values.status_change):
 * - `better` / `worse`: both months coloured (green/amber/red) and the rank went up / down, and the
 *   value moved the same way (or the target did not move);
 * - `target_moved`: the rank changed but the value moved the other way (or not at all) — the
 *   colour changed only because the target moved (satisfaction 84.0 → 82.3 while its prior-year
 *   target fell): never "turned green";
 * - NULL: no change, or a month without a colour (no target, no data, too few), which is never a
 *   "turn".
 * `valueDelta` is this month's value − the previous month's (display-rounded by the caller, or raw).
 *
 * @example
 * statusChange('amber', 'green', 1.2, 'higher_is_better', false); // 'better'
 * statusChange('amber', 'green', -1.7, 'higher_is_better', true); // 'target_moved'
 */
export function statusChange(
  prev: string | null,
  cur: string | null,
  valueDelta: number | null,
  direction: MetricDirection,
  targetMoved: boolean,
): 'better' | 'worse' | 'target_moved' | null {
  const a = RAG_RANK[prev as keyof typeof RAG_RANK];
  const b = RAG_RANK[cur as keyof typeof RAG_RANK];
  if (a === undefined || b === undefined || a === b) return null;
  const up = b > a;
  const valueBetter = valueDelta === null ? null : direction === 'lower_is_better' ? valueDelta < 0 : valueDelta > 0;
  if (targetMoved && valueBetter !== up) return 'target_moved';
  return up ? 'better' : 'worse';
}

/**
 * Words shown for a KPI status, everywhere a status is printed (site, exports, report book):
 * Chinese first, then English. `no_data`: inputs missing; `too_few`: the denominator is below the
 * KPI's documented minimum sample, so neither a value nor a colour is shown.
 *
 * @example
 * STATUS_LABELS.amber; // { zh: '预警', en: 'Watch' }
 */
export const STATUS_LABELS = {
  green: { zh: '达标', en: 'On target' },
  amber: { zh: '预警', en: 'Watch' },
  red: { zh: '未达标', en: 'Off target' },
  none: { zh: '无目标', en: 'No target' },
  no_data: { zh: '无数据', en: 'No data' },
  too_few: { zh: '样本不足', en: 'Too few' },
} as const satisfies Record<string, { zh: string; en: string }>;

/** A status that has words in {@link STATUS_LABELS}. */
export type StatusWord = keyof typeof STATUS_LABELS;
