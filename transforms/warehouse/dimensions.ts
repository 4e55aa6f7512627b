/**
 * KPI dimensions and report slices. Every month-end KPI can be cut by at most these four
 * dimensions; `metrics.kpi_<id>` has one column per dimension (NULL = all), and
 * `metrics.kpi_values` / the sliced marts carry `slice` + `slice_value` instead.
 */
export const DIMENSIONS = ['branch_id', 'product_id', 'customer_type', 'grade'] as const;

/** A KPI dimension column. */
export type Dimension = (typeof DIMENSIONS)[number];

/** Name of the slice a dimension produces in `kpi_values.slice`. */
export const SLICE_OF: Readonly<Record<Dimension, Slice>> = {
  branch_id: 'branch',
  product_id: 'product',
  customer_type: 'customer_type',
  grade: 'grade',
};

/** Slices of `kpi_values` and of the sliced marts. */
export type Slice = 'all' | 'branch' | 'product' | 'customer_type' | 'grade';

/**
 * SQL pieces that aggregate a relation for the whole book and for each single dimension,
 * producing `slice` ('all' | 'branch' | …) and `slice_value` ('ALL' | the dimension value)
 * with one GROUPING SETS pass (no re-scan per slice).
 *
 * @example
 * const g = sliceGrouping(['as_of_month'], ['branch_id', 'product_id']);
 * `SELECT as_of_month, ${g.slice} AS slice, ${g.sliceValue} AS slice_value, count(*) AS n FROM t GROUP BY ${g.groupBy}`;
 */
export function sliceGrouping(keys: readonly string[], dims: readonly Dimension[]): { groupBy: string; slice: string; sliceValue: string } {
  const base = keys.join(', ');
  const sets = [`(${base})`, ...dims.map((d) => `(${base}${base ? ', ' : ''}${d})`)];
  const slice = dims.length ? `CASE ${dims.map((d) => `WHEN GROUPING(${d}) = 0 THEN '${SLICE_OF[d]}'`).join(' ')} ELSE 'all' END` : `'all'`;
  const sliceValue = dims.length ? `CASE ${dims.map((d) => `WHEN GROUPING(${d}) = 0 THEN CAST(${d} AS VARCHAR)`).join(' ')} ELSE 'ALL' END` : `'ALL'`;
  return { groupBy: `GROUPING SETS (${sets.join(', ')})`, slice, sliceValue };
}
