-- The backtest of the post-loan warning rules and of the source system's own warnings over the
-- whole loaded history (marts.mart_monitoring__rule_backtest_summary): precision within 3, 6 and 12
-- months (sums of counts over the month ends whose horizon is observed), recall of new NPLs and the
-- median lead time. Aggregates only. Severity labels from core.dim_code_labels.
select
  s.rule_id,
  s.label as rule_label,
  r.name_zh as rule_zh,
  s.sort_order as rule_order,
  s.is_policy_rule,
  coalesce(v.label, '—') as severity_label,
  s.months,
  cast(s.flagged_loans as double precision) as flagged_loans,
  cast(s.flagged_observed_3m as double precision) as flagged_observed_3m,
  cast(s.npl_within_3m as double precision) as npl_within_3m,
  s.precision_3m,
  cast(s.flagged_observed_6m as double precision) as flagged_observed_6m,
  s.precision_6m,
  cast(s.flagged_observed_12m as double precision) as flagged_observed_12m,
  s.precision_12m,
  cast(s.new_npls as double precision) as new_npls,
  cast(s.new_npls_flagged as double precision) as new_npls_flagged,
  s.recall,
  s.lead_days_median
from marts.mart_monitoring__rule_backtest_summary s
join core.dim_warning_rules r on r.rule_id = s.rule_id
left join core.dim_code_labels v on v.kind = 'warning_severity' and v.code = s.severity
order by s.sort_order
