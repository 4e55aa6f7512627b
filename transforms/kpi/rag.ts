import type { MetricDirection, TargetOp } from './metric.js';

/** RAG status of a KPI value. */
export type Rag = 'green' | 'amber' | 'red' | 'none';

/** Floating-point slack when comparing a value with its target. */
export const RAG_EPSILON = 1e-12;

/**
 * RAG of one value: green when it meets the target (`op`), amber when it misses by at most
 * `tolerance` (absolute, in the value's unit), red beyond; 'none' without value or target.
 * The SQL twin is {@link ragSql}; both implement the same rule.
 *
 * @example
 * ragOf(0.021, 0.02, 'lower_is_better', '<=', 0.005); // 'amber'
 */
export function ragOf(value: number | null, target: number | null, direction: MetricDirection, op: TargetOp, tolerance: number): Rag {
  if (value === null || target === null || Number.isNaN(value) || Number.isNaN(target)) return 'none';
  const e = RAG_EPSILON;
  const green =
    op === '<=' ? value <= target + e : op === '<' ? value < target - e : op === '>=' ? value >= target - e : value > target + e;
  if (green) return 'green';
  const amber = direction === 'lower_is_better' ? value <= target + tolerance + e : value >= target - tolerance - e;
  return amber ? 'amber' : 'red';
}

/**
 * The RAG rule as a SQL CASE over `value` and `target` columns.
 *
 * @example
 * ragSql('value', 'target', 'lower_is_better', '<=', 0.005);
 */
export function ragSql(value: string, target: string, direction: MetricDirection, op: TargetOp, tolerance: number): string {
  const e = RAG_EPSILON;
  const green =
    op === '<='
      ? `${value} <= ${target} + ${e}`
      : op === '<'
        ? `${value} < ${target} - ${e}`
        : op === '>='
          ? `${value} >= ${target} - ${e}`
          : `${value} > ${target} + ${e}`;
  const amber = direction === 'lower_is_better' ? `${value} <= ${target} + ${tolerance} + ${e}` : `${value} >= ${target} - ${tolerance} - ${e}`;
  return `CASE WHEN ${value} IS NULL OR ${target} IS NULL OR isnan(${value}) THEN 'none' WHEN ${green} THEN 'green' WHEN ${amber} THEN 'amber' ELSE 'red' END`;
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
