import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

/**
 * Floor of a share before its logarithm: an empty bin (share 0) would make ln(a / e) undefined.
 * 0.0001 = 0.01 % (one score in 10,000). An empty bin against a reference share of 10 % then adds
 * (0.0001 − 0.1) × ln(0.0001 / 0.1) = 0.690 to the PSI: red on its own, as a vanished decile should be.
 */
export const PSI_SHARE_FLOOR = 0.0001;

export default defineModel({
  name: 'mart_model__score_distribution',
  layer: 'marts',
  grain: 'one row per model version × score month × PD bin of that version',
  primaryKey: ['model_version', 'as_of_month', 'bin'],
  description: [
    "Risk-model stability (模型稳定性): each month's PD distribution of a model version against the distribution of that version's reference month, by PD bin, and the population stability index (PSI).",
    'Population: one score per customer, model version and month — the latest of the month — so re-scoring does not weight a customer twice (core.fct_risk_score_months).',
    'Reference month (policy/kpi-rules.yaml, model_validation.psi_reference): first_month = the first loaded month the version scored in; or a fixed month YYYY-MM for every version (a version without scores in it has no rows).',
    'Bins (model_validation.psi_bins, B = 10: deciles): the edges are quantiles of the reference month\'s PD — edge k (k = 1 … B−1) is the PD at position ceil(k × n ÷ B) of the n reference scores in ascending order (the SQL-standard discrete percentile) — and bin k holds lower_edge < PD <= upper_edge; the first bin is open below (lower_edge NULL) and the last open above (upper_edge NULL), so every later PD falls in a bin. Equal edges (tied PDs) are merged, so a reference month with many tied PDs has fewer bins.',
    `PSI = Σ over bins (a − e) × ln(a ÷ e), a = the month's share, e = the reference month's share, each floored at ${PSI_SHARE_FLOOR} (0.01 %) so that an empty bin has a logarithm; the reference month's own PSI is 0.`,
    'is_main_version marks the version the whole-book KPI model_psi reads in the month: the one with the most scores (ties: the later reference month, then the higher version name). Aggregated; no personal data.',
  ].join(' '),
  columns: {
    model_version: 'Model version.',
    as_of_month: 'Score month end.',
    reference_month: "Month end of the version's reference month.",
    is_reference_month: 'This month is the reference month (its shares are the reference shares; PSI 0).',
    bin: 'PD bin, 1 = lowest PDs.',
    bins: 'Bins of this version (B, or fewer when reference edges tie).',
    lower_edge: 'PD above which a score falls in the bin (exclusive); NULL for the first bin (open below).',
    upper_edge: 'PD up to which a score falls in the bin (inclusive); NULL for the last bin (open above).',
    scores: 'Scores of the month in the bin.',
    month_scores: 'Scores of the version in the month (all bins).',
    share: 'scores ÷ month_scores (DOUBLE; not floored).',
    reference_scores: 'Scores of the reference month in the bin.',
    reference_total: 'Scores of the version in the reference month.',
    reference_share: 'reference_scores ÷ reference_total (DOUBLE; not floored).',
    psi_contribution: `The bin's PSI term (a − e) × ln(a ÷ e), shares floored at ${PSI_SHARE_FLOOR} (DOUBLE, ≥ 0).`,
    psi: 'PSI of the version in the month: the sum of its bins\' psi_contribution (repeated on each bin row).',
    is_main_version: 'The version the whole-book KPI reads in this month (most scores; ties: later reference month, then higher version name).',
  },
  tests: [
    { kind: 'expression', name: 'shares_in_range', sql: 'share BETWEEN 0 AND 1 AND reference_share BETWEEN 0 AND 1 AND psi_contribution >= 0' },
    { kind: 'expression', name: 'edges_ordered', sql: 'lower_edge IS NULL OR upper_edge IS NULL OR lower_edge < upper_edge' },
    {
      kind: 'query',
      name: 'shares_add_up_to_one',
      sql: `SELECT model_version, as_of_month FROM marts.mart_model__score_distribution GROUP BY model_version, as_of_month
        HAVING sum(scores) <> max(month_scores) OR abs(sum(share) - 1) > 1e-9 OR abs(sum(reference_share) - 1) > 1e-9`,
    },
    {
      kind: 'query',
      name: 'one_main_version_per_month',
      sql: `SELECT as_of_month FROM marts.mart_model__score_distribution GROUP BY as_of_month
        HAVING count(DISTINCT model_version) FILTER (WHERE is_main_version) <> 1`,
    },
  ],
  query: () => {
    const mv = activeRules().kpi.modelValidation;
    const bins = Math.trunc(mv.psiBins);
    // (a reference month with n ≥ 1 scores always has an edge: ceil(k × n ÷ B) is a position 1 … n.)
    // first_month: each version's first score month; a fixed 'YYYY-MM': that month end for every version.
    const reference =
      mv.psiReference === 'first_month' ? sql`min(score_month)` : sql`CAST(last_day(DATE '${sql.raw(mv.psiReference)}-01') AS DATE)`;
    const floor = sql.raw(String(PSI_SHARE_FLOOR));
    return sql`
    WITH s AS (SELECT model_version, score_month, pd FROM core.fct_risk_score_months),
    ref AS (SELECT model_version, ${reference} AS reference_month FROM s GROUP BY model_version),
    r AS (
      SELECT s.model_version, s.pd,
        row_number() OVER (PARTITION BY s.model_version ORDER BY s.pd) AS pos,
        count(*) OVER (PARTITION BY s.model_version) AS n
      FROM s JOIN ref ON ref.model_version = s.model_version AND s.score_month = ref.reference_month
    ),
    -- edge k = the PD at position ceil(k × n / B) = floor((k × n + B − 1) / B), k = 1 … B−1; equal edges merged.
    -- The floor of the DOUBLE quotient is the integer quotient exactly while (k × n + B) × B < 2^53.
    k AS (SELECT k FROM generate_series(1, ${sql.raw(String(bins - 1))}) AS t(k)),
    e AS (
      SELECT DISTINCT r.model_version, r.pd AS edge
      FROM r JOIN k ON r.pos = CAST(floor((k.k * r.n + ${sql.raw(String(bins - 1))}) / CAST(${sql.raw(String(bins))} AS DOUBLE PRECISION)) AS BIGINT)
    ),
    b0 AS (
      SELECT model_version, edge AS upper_edge, lag(edge) OVER (PARTITION BY model_version ORDER BY edge) AS lower_edge,
        row_number() OVER (PARTITION BY model_version ORDER BY edge) AS bin
      FROM e
    ),
    b AS (
      SELECT model_version, bin, lower_edge, upper_edge FROM b0
      UNION ALL
      SELECT model_version, count(*) + 1 AS bin, max(upper_edge) AS lower_edge, CAST(NULL AS DOUBLE PRECISION) AS upper_edge FROM b0 GROUP BY model_version
    ),
    vm AS (
      SELECT s.model_version, s.score_month AS as_of_month, count(*) AS month_scores
      FROM s WHERE s.model_version IN (SELECT model_version FROM b)
      GROUP BY s.model_version, s.score_month
    ),
    c AS (
      SELECT s.model_version, s.score_month AS as_of_month, b.bin, count(*) AS scores
      FROM s JOIN b ON b.model_version = s.model_version
        AND (b.lower_edge IS NULL OR s.pd > b.lower_edge) AND (b.upper_edge IS NULL OR s.pd <= b.upper_edge)
      GROUP BY s.model_version, s.score_month, b.bin
    ),
    g AS (
      SELECT vm.model_version, vm.as_of_month, ref.reference_month, vm.as_of_month = ref.reference_month AS is_reference_month,
        b.bin, count(*) OVER (PARTITION BY vm.model_version, vm.as_of_month) AS bins, b.lower_edge, b.upper_edge,
        coalesce(c.scores, 0) AS scores, vm.month_scores,
        coalesce(rc.scores, 0) AS reference_scores, rt.month_scores AS reference_total
      FROM vm
      JOIN ref ON ref.model_version = vm.model_version
      JOIN b ON b.model_version = vm.model_version
      JOIN vm rt ON rt.model_version = vm.model_version AND rt.as_of_month = ref.reference_month
      LEFT JOIN c ON c.model_version = vm.model_version AND c.as_of_month = vm.as_of_month AND c.bin = b.bin
      LEFT JOIN c rc ON rc.model_version = vm.model_version AND rc.as_of_month = ref.reference_month AND rc.bin = b.bin
    ),
    t AS (
      SELECT *,
        CAST(scores AS DOUBLE PRECISION) / month_scores AS share,
        CAST(reference_scores AS DOUBLE PRECISION) / reference_total AS reference_share
      FROM g
    ),
    p AS (
      SELECT *,
        (greatest(share, ${floor}) - greatest(reference_share, ${floor})) * ln(greatest(share, ${floor}) / greatest(reference_share, ${floor})) AS psi_contribution
      FROM t
    ),
    -- the PSI summed exactly (DECIMAL), so a rebuild gives the same bits
    q AS (
      SELECT *, CAST(sum(CAST(psi_contribution AS DECIMAL(38, 18))) OVER (PARTITION BY model_version, as_of_month) AS DOUBLE PRECISION) AS psi FROM p
    ),
    main AS (
      SELECT model_version, as_of_month,
        row_number() OVER (PARTITION BY as_of_month ORDER BY month_scores DESC NULLS LAST, reference_month DESC NULLS LAST, model_version DESC NULLS LAST) = 1 AS is_main_version
      FROM (SELECT DISTINCT model_version, as_of_month, month_scores, reference_month FROM q) AS v
    )
    SELECT q.model_version, q.as_of_month, q.reference_month, q.is_reference_month, q.bin, q.bins, q.lower_edge, q.upper_edge,
      q.scores, q.month_scores, q.share, q.reference_scores, q.reference_total, q.reference_share, q.psi_contribution, q.psi,
      main.is_main_version
    FROM q JOIN main ON main.model_version = q.model_version AND main.as_of_month = q.as_of_month`;
  },
});
