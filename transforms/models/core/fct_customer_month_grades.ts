import { sql } from 'kysely';
import { activeRules } from '../../../metrics/rules/index.js';
import { ruleGradeSql } from '../../metrics-engine/rules-sql.js';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'fct_customer_month_grades',
  layer: 'core',
  grain: 'one row per customer per month end at which the relationship is open',
  primaryKey: ['as_of_month', 'customer_id'],
  description:
    "The rule grade of each active customer at each month end (metrics/rules/customer-grading.ts, docs/grading.md) beside the grade the lender recorded. Inputs: the customer's loan-months (worst recorded class, maximum days past due, write-offs in the month) and the latest risk score known at the month end (ASOF join on the date the score became known, max age configurable).",
  columns: {
    as_of_month: 'Month end.',
    customer_id: 'Customer number.',
    branch_id: 'Servicing branch as of the month end.',
    customer_type: 'individual or small_business.',
    grade: "Recorded grade or 'ungraded' (the grade dimension).",
    recorded_grade: 'Grade recorded by the lender (NULL: not graded).',
    loans_in_month: 'Loan-month rows of the customer (on book, or settled / written off in the month).',
    loans_on_book: 'Loans on book at the month end.',
    on_book_balance: 'Outstanding principal on book, DECIMAL.',
    max_class_rank: 'Worst recorded class rank among the loan-months (NULL: none).',
    max_dpd: 'Maximum days past due (NULL: no loans).',
    has_written_off: 'A loan was written off in the month.',
    pd: 'Latest probability of default known at the month end and not older than the configured max age (NULL: none).',
    pd_scored_on: 'Score date of that PD.',
    rule_grade: 'Grade the rules give: A, B or C.',
    is_graded: 'The lender recorded a grade.',
    is_misgraded: 'Graded and the recorded grade differs from the rule grade.',
  },
  tests: [
    { kind: 'accepted_values', column: 'rule_grade', values: ['A', 'B', 'C'] },
    { kind: 'expression', name: 'misgraded_only_if_graded', sql: 'NOT is_misgraded OR is_graded' },
  ],
  query: () => {
    const { grading } = activeRules();
    const gradeExpr = ruleGradeSql({ maxClassRank: 'la.max_class_rank', maxDpd: 'la.max_dpd', pd: 'p.pd', hasWrittenOff: 'la.has_written_off' }, grading);
    const maxAge = Math.trunc(grading.pdMaxAgeMonths);
    return sql`
    WITH la AS (
      SELECT as_of_month, customer_id,
        CAST(count(*) AS INTEGER) AS loans_in_month,
        CAST(count(*) FILTER (WHERE is_on_book) AS INTEGER) AS loans_on_book,
        sum(on_book_balance) AS on_book_balance,
        max(recorded_class_rank) AS max_class_rank,
        max(days_past_due) AS max_dpd,
        bool_or(loan_status = 'written_off') AS has_written_off
      FROM core.fct_loan_month_ends
      GROUP BY as_of_month, customer_id
    ),
    scores AS (
      SELECT customer_id, greatest(scored_on, business_date) AS known_on,
        arg_max(probability_of_default, (scored_on, model_version)) AS pd,
        max(scored_on) AS scored_on
      FROM staging.stg_lender__risk_scores
      GROUP BY customer_id, greatest(scored_on, business_date)
    ),
    cm AS (SELECT * FROM core.fct_customer_month_ends WHERE is_active_end),
    p AS (
      SELECT cm.as_of_month, cm.customer_id, s.pd, s.scored_on
      FROM cm ASOF JOIN scores s ON cm.customer_id = s.customer_id AND cm.as_of_month >= s.known_on
      WHERE s.scored_on > cm.as_of_month - INTERVAL ${sql.raw(String(maxAge))} MONTH
    )
    SELECT cm.as_of_month, cm.customer_id, cm.branch_id, cm.customer_type, cm.grade, cm.recorded_grade,
      coalesce(la.loans_in_month, 0) AS loans_in_month,
      coalesce(la.loans_on_book, 0) AS loans_on_book,
      coalesce(la.on_book_balance, CAST(0 AS DECIMAL(18,2))) AS on_book_balance,
      la.max_class_rank, la.max_dpd, coalesce(la.has_written_off, false) AS has_written_off,
      p.pd, p.scored_on AS pd_scored_on,
      ${sql.raw(gradeExpr)} AS rule_grade,
      cm.recorded_grade IS NOT NULL AS is_graded,
      coalesce(cm.recorded_grade <> ${sql.raw(gradeExpr)}, false) AS is_misgraded
    FROM cm
    LEFT JOIN la ON la.as_of_month = cm.as_of_month AND la.customer_id = cm.customer_id
    LEFT JOIN p ON p.as_of_month = cm.as_of_month AND p.customer_id = cm.customer_id`;
  },
});
