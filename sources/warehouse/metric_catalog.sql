-- KPI definitions (one row per metric, written by the KPI engine from metrics/*.ts): names in
-- Chinese and English, formula in words, target, RAG rule, policy source, and what the KPI needs
-- to be measured (inputs, prior month, minimum observations: docs/kpis.md "Availability"). Drives the glossary and
-- every KPI label on the site, how each value is formatted (display_format percent | number,
-- display_decimals, display_suffix), the target in words (target_text, derived from the rule
-- values; target_kind prior_year: the row's own target varies) and which topic page shows the KPI
-- (page, e.g. '/npl/': a topic page selects `where c.page = '/npl/'`, never a list of metric ids).
-- How a value is judged and guarded: rag_digits (value and target rounded to the display precision
-- before the RAG), min_observations / min_sample_zh / min_sample_en / sample_text_zh / sample_text_en
-- (below the minimum: status too_few, n shown), display_cap / display_cap_text (a value above the
-- cap is shown '> 1,000%' with a cap marker), change_cap (a larger change is shown capped),
-- value_min / value_max (derived targets are clamped into this range).
-- Reader texts come in both languages (description_zh / description, formula_text / formula_text_en,
-- numerator_text_zh / numerator_text, denominator_text_zh / denominator_text, target_text / target_text_en,
-- tolerance_text_zh / tolerance_text) and name no table, column or file (test/kpi/kpi-texts.test.ts).
-- Aggregate-only: metrics schema.
select
  metric_id,
  name_zh,
  name_en,
  description,
  description_zh,
  formula_kind,
  formula_text,
  formula_text_en,
  numerator_text,
  numerator_text_zh,
  denominator_text,
  denominator_text_zh,
  unit,
  direction,
  target,
  target_op,
  target_text,
  target_text_en,
  tolerance,
  tolerance_text,
  tolerance_text_zh,
  policy_source,
  dimensions,
  sort_order,
  inputs,
  availability_zh,
  availability_en,
  target_kind,
  display_format,
  display_decimals,
  display_suffix,
  page,
  min_observations,
  min_sample_zh,
  min_sample_en,
  sample_text_zh,
  sample_text_en,
  rag_digits,
  value_min,
  value_max,
  display_cap,
  display_cap_text,
  change_cap
from metrics.metric_catalog
order by sort_order
