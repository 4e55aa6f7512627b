import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_model__calibration_deciles',
  layer: 'marts',
  grain: 'one row per evaluation month end × model version × PD decile',
  primaryKey: ['as_of_month', 'model_version', 'decile'],
  description: [
    'Risk-model calibration (模型校准) by PD decile: the evaluable scores whose outcome window ended at this month end (the same scores as model accuracy, AUC and KS: made horizon months earlier, customers not in default then), per model version, ranked by PD and cut into 10 equal-count groups (ntile; the first n mod 10 deciles hold one score more; tied PDs are split in customer order, so the cut is reproducible; fewer than 10 scores give fewer deciles).',
    'Per decile: scores, mean predicted PD, realised defaults and the observed default rate; a calibrated model has mean PD ≈ observed rate in every decile.',
    'calibration_gap = |Σ PD − defaults| = scores × |mean PD − observed rate|: the KPI model_calibration_error sums it over the deciles of the main version and divides by the scores.',
    'is_main_version marks the version the whole-book KPI reads in the month: the one with the most evaluable scores (ties: the higher version name). Aggregated; no personal data.',
  ].join(' '),
  columns: {
    as_of_month: 'Evaluation month end (score month + horizon): the KPI month.',
    model_version: 'Model version of the scores.',
    decile: 'PD decile, 1 = lowest PDs.',
    scores: 'Evaluable scores in the decile.',
    sum_pd: 'Sum of their PDs (DECIMAL, exact).',
    mean_pd: 'Mean predicted PD = sum_pd ÷ scores (DOUBLE).',
    min_pd: 'Lowest PD in the decile.',
    max_pd: 'Highest PD in the decile.',
    defaults: 'Of which defaulted within the horizon.',
    observed_default_rate: 'defaults ÷ scores (DOUBLE).',
    calibration_gap: '|sum_pd − defaults| = scores × |mean_pd − observed_default_rate| (DECIMAL, exact).',
    version_scores: 'Evaluable scores of the version in the month (all deciles).',
    is_main_version: 'The version the whole-book KPI reads in this month (most evaluable scores; ties: higher version name).',
  },
  tests: [
    { kind: 'expression', name: 'decile_in_range', sql: 'decile BETWEEN 1 AND 10 AND defaults <= scores AND min_pd <= max_pd' },
    { kind: 'expression', name: 'rates_in_range', sql: 'mean_pd BETWEEN 0 AND 1 AND observed_default_rate BETWEEN 0 AND 1' },
    {
      kind: 'query',
      name: 'deciles_ordered',
      sql: `SELECT as_of_month, model_version, decile FROM (
          SELECT *, lag(max_pd) OVER (PARTITION BY as_of_month, model_version ORDER BY decile) AS prev_max FROM marts.mart_model__calibration_deciles
        ) AS q WHERE prev_max > min_pd`,
    },
    {
      kind: 'query',
      name: 'one_main_version_per_month',
      sql: `SELECT as_of_month FROM marts.mart_model__calibration_deciles GROUP BY as_of_month
        HAVING count(DISTINCT model_version) FILTER (WHERE is_main_version) <> 1`,
    },
  ],
  query: () => sql`
    WITH e AS (
      SELECT as_of_month, model_version, customer_id, scored_on, pd, defaulted_within_horizon,
        ntile(10) OVER (PARTITION BY as_of_month, model_version ORDER BY pd, customer_id, scored_on) AS decile
      FROM core.fct_risk_score_outcomes
      WHERE is_evaluable
    ),
    d AS (
      SELECT as_of_month, model_version, CAST(decile AS INTEGER) AS decile, count(*) AS scores,
        sum(CAST(pd AS DECIMAL(18, 8))) AS sum_pd, min(pd) AS min_pd, max(pd) AS max_pd,
        count(*) FILTER (WHERE defaulted_within_horizon) AS defaults
      FROM e GROUP BY as_of_month, model_version, decile
    ),
    v AS (
      SELECT as_of_month, model_version, version_scores,
        row_number() OVER (PARTITION BY as_of_month ORDER BY version_scores DESC NULLS LAST, model_version DESC NULLS LAST) = 1 AS is_main_version
      FROM (SELECT as_of_month, model_version, CAST(sum(scores) AS BIGINT) AS version_scores FROM d GROUP BY as_of_month, model_version) AS q
    )
    SELECT d.as_of_month, d.model_version, d.decile, d.scores, d.sum_pd,
      CAST(d.sum_pd AS DOUBLE PRECISION) / d.scores AS mean_pd, d.min_pd, d.max_pd, d.defaults,
      CAST(d.defaults AS DOUBLE PRECISION) / d.scores AS observed_default_rate,
      abs(d.sum_pd - d.defaults) AS calibration_gap,
      v.version_scores, v.is_main_version
    FROM d JOIN v ON v.as_of_month = d.as_of_month AND v.model_version = d.model_version`,
});
