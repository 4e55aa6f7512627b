-- KPI definitions (one row per metric, written by the KPI engine from metrics/*.ts): names in
-- Chinese and English, formula in words, target, RAG rule, policy source, and what the KPI needs
-- to be measured (inputs, prior month, minimum observations: docs/kpis.md "Availability"). Drives the glossary and
-- every KPI label on the site, how each value is formatted (display_format percent | number,
-- display_decimals, display_suffix), the target in words (target_text, derived from the rule
-- values; target_kind prior_year: the row's own target varies) and which topic page shows the KPI
-- (page, e.g. '/npl/': a topic page selects `where c.page = '/npl/'`, never a list of metric ids).
-- Aggregate-only: metrics schema.
select
  metric_id,
  name_zh,
  name_en,
  description,
  formula_kind,
  formula_text,
  numerator_text,
  denominator_text,
  unit,
  direction,
  target,
  target_op,
  target_text,
  tolerance,
  tolerance_text,
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
  page
from metrics.metric_catalog
order by sort_order
