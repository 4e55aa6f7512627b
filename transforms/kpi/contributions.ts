import { CqError } from '../lib/errors.js';
import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import type { Dimension } from '../warehouse/dimensions.js';
import type { MetricDefinition } from './metric.js';

/** The dimensions a "why did it move" breakdown is given for, and their `kpi_values.slice` name. */
export const CONTRIBUTION_DIMENSIONS: readonly { dimension: Dimension; slice: 'branch' | 'product' }[] = [
  { dimension: 'branch_id', slice: 'branch' },
  { dimension: 'product_id', slice: 'product' },
];

/** slice_value of the residual row: the part of the whole-bank numerator/denominator in no slice (e.g. a loan without a branch). */
export const UNATTRIBUTED = '(unattributed)';

/**
 * Numerators and denominators are re-summed exactly (the KPI tables hold them as doubles of exact
 * sums of money and counts): 4 decimals recover any amount in fen or count below 9·10¹¹ exactly, so
 * the residual row exists only when some of the bank is really in no slice — not for float noise,
 * which made the table differ from build to build — and both engines give the same rows.
 */
const EXACT = 'DECIMAL(38,4)';

/** Tolerance of the "contributions sum to the change" check (ratios are at most ~1e2; DOUBLE arithmetic). */
const SUM_TOLERANCE = 1e-12;

/**
 * Writes `metrics.kpi_contributions`: for every ratio KPI (R = ΣN ÷ ΣD), month and dimension (branch,
 * product), each slice's contribution to the whole-bank change against the previous month,
 * computed so that the contributions of a month and dimension SUM EXACTLY to R_t − R_{t−1}:
 *
 *   contribution_i = (N_i,t − R_{t−1}·D_i,t) ÷ D_t − (N_i,t−1 − R_{t−1}·D_i,t−1) ÷ D_{t−1}
 *
 * Σ_i over slices gives (N_t − R_{t−1}·D_t)/D_t − (N_{t−1} − R_{t−1}·D_{t−1})/D_{t−1} = R_t − R_{t−1} − 0.
 * A slice's contribution holds both its rate effect (its own ratio moved) and its mix effect (its
 * share of the denominator moved while its ratio differs from last month's bank ratio). A slice
 * present in one month only counts N = D = 0 in the other (a new branch, a product run off). The
 * part of the whole-bank N and D in no slice is a residual row `(unattributed)` (only when non-zero),
 * so the sum holds whatever the slices cover. Only months where the whole bank is `measured` in the
 * month and in the calendar month before, with non-zero denominators, get rows (docs/kpis.md "Why a
 * KPI moved").
 *
 * Columns: metric_id, as_of_month, prev_month, dimension ('branch' | 'product'), slice_value,
 * slice_label, numerator, denominator, prev_numerator, prev_denominator, value, prev_value (the
 * slice's own ratio, NULL when its denominator is 0), contribution, bank_value, bank_prev_value,
 * bank_change (= R_t − R_{t−1}), rank (1 = largest |contribution| of the metric, month and dimension).
 * Reads metrics.kpi_values (written first). Throws METRIC_INVALID if a sum misses the change.
 *
 * @example
 * await writeKpiContributions(wh, metrics);
 * // DROP TABLE IF EXISTS metrics.kpi_contributions; CREATE TABLE metrics.kpi_contributions AS WITH w AS (SELECT as_of_month, CAST(numerator AS DECIMAL(38,4)) AS n, …
 * //   FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND slice = 'all') … UNION ALL …
 */
export async function writeKpiContributions(
  wh: WarehouseHandle,
  metrics: readonly Pick<MetricDefinition, 'id' | 'formula' | 'dimensions' | 'sortOrder'>[],
): Promise<void> {
  const parts: string[] = [];
  for (const m of metrics) {
    if (m.formula.kind !== 'ratio') continue;
    for (const { dimension, slice } of CONTRIBUTION_DIMENSIONS) {
      if (!m.dimensions.includes(dimension)) continue;
      parts.push(contributionSql(m.id, m.sortOrder, slice));
    }
  }
  const body = parts.length
    ? parts.join('\nUNION ALL\n')
    : `SELECT NULL::VARCHAR AS metric_id, 0 AS _sort, NULL::DATE AS as_of_month, NULL::DATE AS prev_month, NULL::VARCHAR AS dimension,
        NULL::VARCHAR AS slice_value, NULL::VARCHAR AS slice_label, NULL::DOUBLE PRECISION AS numerator, NULL::DOUBLE PRECISION AS denominator,
        NULL::DOUBLE PRECISION AS prev_numerator, NULL::DOUBLE PRECISION AS prev_denominator, NULL::DOUBLE PRECISION AS value, NULL::DOUBLE PRECISION AS prev_value,
        NULL::DOUBLE PRECISION AS contribution, NULL::DOUBLE PRECISION AS bank_value, NULL::DOUBLE PRECISION AS bank_prev_value, NULL::DOUBLE PRECISION AS bank_change WHERE false`;
  await wh.exec(`DROP TABLE IF EXISTS metrics.kpi_contributions;
    CREATE TABLE metrics.kpi_contributions AS
    SELECT metric_id, as_of_month, prev_month, dimension, slice_value, slice_label, numerator, denominator,
      prev_numerator, prev_denominator, value, prev_value, contribution, bank_value, bank_prev_value, bank_change,
      CAST(row_number() OVER (PARTITION BY metric_id, as_of_month, dimension ORDER BY abs(contribution) DESC NULLS LAST, slice_value) AS INTEGER) AS rank
    FROM (${body}) u
    ORDER BY _sort, metric_id, as_of_month, dimension, rank`);
  const bad = await wh.all<{ metric_id: string; as_of_month: string; dimension: string; total: number; change: number }>(
    `SELECT metric_id, strftime(as_of_month, '%Y-%m') AS as_of_month, dimension, sum(contribution) AS total, min(bank_change) AS change
     FROM metrics.kpi_contributions GROUP BY metric_id, as_of_month, dimension
     HAVING abs(sum(contribution) - min(bank_change)) > ${SUM_TOLERANCE} * greatest(1, abs(min(bank_change)))
     ORDER BY 1, 2, 3 LIMIT 5`,
  );
  if (bad.length) {
    const b = bad[0]!;
    throw new CqError(
      'METRIC_INVALID',
      `metrics.kpi_contributions: the ${b.dimension} contributions of ${b.metric_id} in ${b.as_of_month} sum to ${b.total}, not to the change ${b.change} (${bad.length} case(s)); check metrics.kpi_values for that KPI (numerator/denominator of the slices vs the whole bank).`,
    );
  }
}

/**
 * The contribution rows of one KPI and one dimension (see {@link writeKpiContributions}).
 *
 * @example
 * contributionSql('npl_ratio', 10, 'branch');
 * // WITH w AS (SELECT as_of_month, CAST(numerator AS DECIMAL(38,4)) AS n, CAST(denominator AS DECIMAL(38,4)) AS d FROM metrics.kpi_values
 * //   WHERE metric_id = 'npl_ratio' AND slice = 'all' AND status = 'measured' AND denominator <> 0), …
 */
export function contributionSql(metricId: string, sortOrder: number, slice: 'branch' | 'product'): string {
  const id = lit(metricId);
  return `(WITH w AS (
      SELECT as_of_month, CAST(numerator AS ${EXACT}) AS n, CAST(denominator AS ${EXACT}) AS d
      FROM metrics.kpi_values WHERE metric_id = ${id} AND slice = 'all' AND status = 'measured' AND denominator <> 0
    ),
    pairs AS (
      SELECT c.as_of_month, p.as_of_month AS prev_month, c.n AS n_t, c.d AS d_t, p.n AS n_p, p.d AS d_p,
        CAST(p.n AS DOUBLE PRECISION) / CAST(p.d AS DOUBLE PRECISION) AS r_p
      FROM w c JOIN w p ON p.as_of_month = CAST(last_day(c.as_of_month - INTERVAL '1 month') AS DATE)
    ),
    s AS (
      SELECT as_of_month, slice_value, min(slice_label) AS slice_label,
        sum(CAST(coalesce(numerator, 0) AS ${EXACT})) AS n, sum(CAST(coalesce(denominator, 0) AS ${EXACT})) AS d
      FROM metrics.kpi_values WHERE metric_id = ${id} AND slice = ${lit(slice)}
      GROUP BY as_of_month, slice_value
    ),
    keys AS (
      SELECT pr.as_of_month, s.slice_value, min(s.slice_label) AS slice_label
      FROM pairs pr JOIN s ON s.as_of_month IN (pr.as_of_month, pr.prev_month)
      GROUP BY pr.as_of_month, s.slice_value
    ),
    rows AS (
      SELECT k.as_of_month, k.slice_value, k.slice_label,
        coalesce(c.n, 0) AS n_i, coalesce(c.d, 0) AS d_i, coalesce(p.n, 0) AS np_i, coalesce(p.d, 0) AS dp_i
      FROM keys k JOIN pairs pr USING (as_of_month)
      LEFT JOIN s c ON c.as_of_month = k.as_of_month AND c.slice_value = k.slice_value
      LEFT JOIN s p ON p.as_of_month = pr.prev_month AND p.slice_value = k.slice_value
    ),
    residual AS (
      SELECT pr.as_of_month, ${lit(UNATTRIBUTED)} AS slice_value, '未归属 Unattributed' AS slice_label,
        pr.n_t - coalesce(sum(r.n_i), 0) AS n_i, pr.d_t - coalesce(sum(r.d_i), 0) AS d_i,
        pr.n_p - coalesce(sum(r.np_i), 0) AS np_i, pr.d_p - coalesce(sum(r.dp_i), 0) AS dp_i
      FROM pairs pr LEFT JOIN rows r USING (as_of_month)
      GROUP BY pr.as_of_month, pr.n_t, pr.d_t, pr.n_p, pr.d_p
    ),
    exact AS (
      SELECT as_of_month, slice_value, slice_label, n_i, d_i, np_i, dp_i FROM rows
      UNION ALL
      SELECT as_of_month, slice_value, slice_label, n_i, d_i, np_i, dp_i FROM residual
      WHERE n_i <> 0 OR d_i <> 0 OR np_i <> 0 OR dp_i <> 0
    ),
    allrows AS (
      SELECT as_of_month, slice_value, slice_label, CAST(n_i AS DOUBLE PRECISION) AS n_i, CAST(d_i AS DOUBLE PRECISION) AS d_i,
        CAST(np_i AS DOUBLE PRECISION) AS np_i, CAST(dp_i AS DOUBLE PRECISION) AS dp_i
      FROM exact
    )
    SELECT ${id} AS metric_id, ${Math.trunc(sortOrder)} AS _sort, a.as_of_month, pr.prev_month, ${lit(slice)} AS dimension,
      a.slice_value, a.slice_label, a.n_i AS numerator, a.d_i AS denominator, a.np_i AS prev_numerator, a.dp_i AS prev_denominator,
      CASE WHEN a.d_i <> 0 THEN a.n_i / a.d_i END AS value, CASE WHEN a.dp_i <> 0 THEN a.np_i / a.dp_i END AS prev_value,
      (a.n_i - pr.r_p * a.d_i) / pr.d_t - (a.np_i - pr.r_p * a.dp_i) / pr.d_p AS contribution,
      pr.n_t / pr.d_t AS bank_value, pr.r_p AS bank_prev_value, pr.n_t / pr.d_t - pr.r_p AS bank_change
    FROM allrows a JOIN (
      SELECT as_of_month, prev_month, CAST(n_t AS DOUBLE PRECISION) AS n_t, CAST(d_t AS DOUBLE PRECISION) AS d_t,
        CAST(n_p AS DOUBLE PRECISION) AS n_p, CAST(d_p AS DOUBLE PRECISION) AS d_p, r_p
      FROM pairs
    ) AS pr USING (as_of_month))`;
}

/**
 * Tables of the `metrics` schema that are named `kpi_…` but are NOT per-KPI tables (`metrics.kpi_<id>`):
 * the long union, the contributions and the commentary. The stale-table clean-up and the types
 * generator skip them.
 *
 * @example
 * KPI_SUMMARY_TABLES.includes('kpi_commentary'); // true
 */
export const KPI_SUMMARY_TABLES: readonly string[] = ['kpi_values', 'kpi_contributions', 'kpi_commentary'];

/** Data-dictionary documentation of metrics.kpi_contributions and metrics.kpi_commentary (docs/warehouse.md, the console's `.schema`). */
export const EXPLAIN_TABLE_DOCS = [
  {
    schema: 'metrics',
    name: 'kpi_contributions',
    kind: 'table' as const,
    description:
      "Why each ratio KPI moved: each branch's and product's contribution to the whole-bank change vs the previous month, c_i = (N_i,t − R_{t−1}·D_i,t)/D_t − (N_i,t−1 − R_{t−1}·D_i,t−1)/D_{t−1}, summing exactly to R_t − R_{t−1} (rate and mix effects; a slice present in one month only counts 0 in the other; the part in no slice is the row '(unattributed)'). Only months where the whole bank is measured in the month and the month before.",
    grain: 'one row per ratio KPI × month end × dimension (branch, product) × slice value',
    primaryKey: ['metric_id', 'as_of_month', 'dimension', 'slice_value'],
    definedIn: 'transforms/kpi/contributions.ts',
    columns: [
      ['metric_id', 'KPI id (ratio KPIs only).'],
      ['as_of_month', 'Month end t.'],
      ['prev_month', 'Month end t−1 (the calendar month before).'],
      ['dimension', "'branch' or 'product'."],
      ['slice_value', "Branch or product id; '(unattributed)' for the part of the bank in no slice."],
      ['slice_label', 'Display name (metrics.kpi_values slice_label).'],
      ['numerator', 'N_i,t (0 when the slice has no row in t).'],
      ['denominator', 'D_i,t.'],
      ['prev_numerator', 'N_i,t−1.'],
      ['prev_denominator', 'D_i,t−1.'],
      ['value', "The slice's own ratio in t (NULL when D_i,t = 0)."],
      ['prev_value', "The slice's own ratio in t−1."],
      ['contribution', "The slice's contribution to the whole-bank change (in the KPI's unit: 0.0012 = 0.12 percentage points)."],
      ['bank_value', 'Whole-bank R_t.'],
      ['bank_prev_value', 'Whole-bank R_t−1.'],
      ['bank_change', 'R_t − R_t−1 (= the sum of contribution over the dimension).'],
      ['rank', '1 = largest |contribution| of the KPI, month and dimension.'],
    ].map(([name, description]) => ({ name: name!, description: description! })),
  },
  {
    schema: 'metrics',
    name: 'kpi_commentary',
    kind: 'table' as const,
    description:
      "The month's commentary: templated Chinese and English sentences generated from the numbers only (transforms/kpi/commentary.ts): the balances with 比上月 / 比年初, each ratio KPI that moved with its largest contributing branch and product, and per branch each KPI it moved. Read by the report site and the report book.",
    grain: 'one row per month end × slice × slice value × sentence',
    primaryKey: ['as_of_month', 'slice', 'slice_value', 'seq'],
    definedIn: 'transforms/kpi/commentary.ts',
    columns: [
      ['as_of_month', 'Month end.'],
      ['seq', 'Order of the sentence within the month and slice (1 = first).'],
      ['topic', "'balances', or the KPI id the sentence speaks of."],
      ['metric_id', 'The KPI (NULL for the balance sentence).'],
      ['slice', "'all' (whole bank) or 'branch'."],
      ['slice_value', "'ALL' or the branch id."],
      ['text_zh', 'The sentence in Chinese.'],
      ['text_en', 'The sentence in English.'],
    ].map(([name, description]) => ({ name: name!, description: description! })),
  },
];
