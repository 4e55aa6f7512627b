import { sql } from 'kysely';
import { quoteLiteral } from '../../lib/duckdb.js';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';
import { ruleConditionSql, ruleEvidenceSql } from '../warning-rules-sql.js';

export default defineModel({
  name: 'mart_monitoring__rule_hits',
  layer: 'marts',
  grain: 'one row per warning rule per on-book loan it flags per month end',
  primaryKey: ['as_of_month', 'rule_id', 'loan_id'],
  description:
    "The on-book loans each post-loan warning rule (policy/warning-rules.yaml) flags at each month end, with the values of the signals the rule reads (evidence). A rule flags a loan when its condition over core.fct_loan_month_signals is true (an empty previous-month value makes a comparison unknown: no flag). All rules are checked in one pass over the month's signals. Feeds the watch-list and the backtest; loan and customer ids only, no names. Month-incremental.",
  inherits: ['core.fct_loan_month_signals'],
  columns: {
    rule_id: 'Rule that flagged the loan (core.dim_warning_rules).',
    evidence: "The values of the signals the rule reads, e.g. 'days_past_due=45; prev_days_past_due=20' (— : empty).",
  },
  tests: [{ kind: 'relationships', column: 'rule_id', to: 'core.dim_warning_rules', field: 'rule_id' }],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => {
    const rules = activeRules().warnings.rules;
    // fired_<i>: the id of rule i when it flags the row, else NULL.
    const fired = rules.map((_r, i) => `fired_${i + 1}`).join(', ');
    const flags = rules.map((r, i) => `CASE WHEN ${ruleConditionSql(r)} THEN ${quoteLiteral(r.id)} END AS fired_${i + 1}`).join(',\n        ');
    const evidence = rules.map((r) => `WHEN ${quoteLiteral(r.id)} THEN ${ruleEvidenceSql(r)}`).join('\n        ');
    // A row some rule flags is unnested into one row per rule; the rules that do not flag it leave a NULL rule_id.
    return sql`
    WITH f AS (
      SELECT *,
        ${sql.raw(flags)}
      FROM core.fct_loan_month_signals
      WHERE true ${sinceSql(since)}
    ),
    u AS (
      SELECT unnest(ARRAY[${sql.raw(fired)}]) AS rule_id, * FROM f WHERE coalesce(${sql.raw(fired)}) IS NOT NULL
    )
    SELECT as_of_month, rule_id, loan_id, customer_id, branch_id, product_id, balance, is_npl,
      CASE rule_id
        ${sql.raw(evidence)}
      END AS evidence
    FROM u
    WHERE rule_id IS NOT NULL`;
  },
});
