import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { pdUsableSql, ruleGradeSql } from '../rules-sql.js';
import { asEnum, CUSTOMER_TYPE_ENUM, enumType, GRADE_ENUM, RECORDED_GRADE_ENUM } from '../enums.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'fct_customer_month_ends',
  layer: 'core',
  grain: 'one row per customer per reporting month in which the relationship was open at some point (customer-month activity)',
  primaryKey: ['as_of_month', 'customer_id'],
  description:
    "Customer state at each month end — the latest customer version with business_date <= the month end, expanded over the months it was valid (set-based: each version is range-joined to the months of core.dim_months it was valid at) — with activity flags (churn, new), and the customer's rule grade (policy/customer-grading.yaml, docs/grading.md) beside the recorded grade. Rule-grade inputs: the customer's loan-months with a risk signal (worst recorded class, maximum days past due, write-offs in the month) and the latest risk score known at the month end (validity intervals of the date the score became known; used while scored on or after the same day pd_max_age_months before the month end). Rows exist from the onboarding month to the month the relationship closed.",
  inherits: ['core.dim_months', 'staging.stg_lender__customers'],
  columns: {
    customer_type: 'individual or small_business (as of the month end).',
    branch_id: 'Servicing branch (as of the month end).',
    relationship_closed_on: 'Relationship end as known at the month end.',
    recorded_grade: 'Grade recorded by the lender as of the month end (NULL: not graded).',
    grade: "Grade dimension: recorded grade, or 'ungraded'.",
    is_active_start: 'Relationship open at the start of the month (onboarded before the 1st, not closed before the 1st).',
    is_active_end: 'Relationship open at the month end.',
    is_new_in_month: 'Onboarded in the month.',
    churned_in_month: 'Active at the start of the month and relationship closed in the month (客户流失).',
    signal_loans: "Loans of the customer with a risk signal in the month: recorded 关注 or worse, days past due > 0, or written off (only these can move the rule grade).",
    max_class_rank: 'Worst recorded class rank among those loans (NULL: no loan with a risk signal).',
    max_dpd: 'Maximum days past due among those loans (NULL: none).',
    has_written_off: 'A loan was written off in the month.',
    pd: 'Latest probability of default known at the month end, when scored on or after the same day pd_max_age_months (policy/customer-grading.yaml) before the month end (NULL: none usable).',
    pd_scored_on: 'Score date of that PD.',
    rule_grade: 'Grade the rules give: A, B or C.',
    is_graded: 'Active at the month end with a recorded grade (the classification_error_rate population).',
    is_misgraded: 'Graded and the recorded grade differs from the rule grade.',
    version_business_date: 'Business date of the customer version used.',
  },
  tests: [
    { kind: 'accepted_values', column: 'grade', values: ['A', 'B', 'C', 'ungraded'] },
    { kind: 'accepted_values', column: 'rule_grade', values: ['A', 'B', 'C'] },
    { kind: 'expression', name: 'churn_needs_active_start', sql: 'NOT churned_in_month OR is_active_start' },
    { kind: 'expression', name: 'misgraded_only_if_graded', sql: 'NOT is_misgraded OR is_graded' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => {
    const { grading } = activeRules();
    // Incremental: only months >= since are expanded and aggregated (a month's row reads only that month).
    const sinceStart = since ? `date_trunc('month', DATE '${since}')` : undefined;
    const fresh = pdUsableSql('si.scored_on', 'cm.as_of_month', grading);
    const pdExpr = `CASE WHEN ${fresh} THEN si.pd END`;
    const gradeExpr = ruleGradeSql({ maxClassRank: 'la.max_class_rank', maxDpd: 'la.max_dpd', pd: pdExpr, hasWrittenOff: 'la.has_written_off' }, grading);
    return sql`
    WITH v AS (
      SELECT customer_id, customer_type, branch_id, onboarded_on, recorded_grade, graded_on, relationship_closed_on,
        business_date AS valid_from,
        lead(business_date) OVER (PARTITION BY customer_id ORDER BY business_date) AS valid_to
      FROM staging.stg_lender__customers
    ),
    -- Each version joined to the months it is valid at the month end (a range join to the small
    -- month dimension). Not a lateral generate_series over the version's dates: Citus cannot push
    -- a function call over a distributed table's columns to the workers and would compute the
    -- whole statement on the coordinator (docs/operations.md, "A Citus warehouse").
    expanded AS (
      SELECT v.*, m.as_of_month
      FROM v
      JOIN core.dim_months m ON m.as_of_month >= v.valid_from AND m.as_of_month < coalesce(v.valid_to, DATE '9999-12-31')
      ${sql.raw(sinceStart ? `WHERE m.month_start >= ${sinceStart}` : '')}
    ),
    cm AS (
      SELECT e.as_of_month, e.customer_id, ${sql.raw(asEnum('e.customer_type', CUSTOMER_TYPE_ENUM))} AS customer_type, e.branch_id,
        e.onboarded_on, e.relationship_closed_on,
        ${sql.raw(asEnum('e.recorded_grade', RECORDED_GRADE_ENUM))} AS recorded_grade,
        ${sql.raw(asEnum("coalesce(e.recorded_grade, 'ungraded')", GRADE_ENUM))} AS grade, e.graded_on,
        (e.onboarded_on < m.month_start AND (e.relationship_closed_on IS NULL OR e.relationship_closed_on >= m.month_start)) AS is_active_start,
        (e.relationship_closed_on IS NULL OR e.relationship_closed_on > e.as_of_month) AS is_active_end,
        (e.onboarded_on >= m.month_start) AS is_new_in_month,
        coalesce(e.onboarded_on < m.month_start AND e.relationship_closed_on BETWEEN m.month_start AND e.as_of_month, false) AS churned_in_month,
        e.valid_from AS version_business_date
      FROM expanded e
      JOIN core.dim_months m ON m.as_of_month = e.as_of_month
      WHERE e.as_of_month >= e.valid_from
        AND (e.valid_to IS NULL OR e.as_of_month < e.valid_to)
        AND e.onboarded_on <= e.as_of_month
        AND (e.relationship_closed_on IS NULL OR e.relationship_closed_on >= m.month_start)
    ),
    -- Only loan-months with a risk signal can move a rule grade (the rules compare against 关注 or
    -- worse, dpd > 0, write-offs), so only those are aggregated: a few percent of the loan-months.
    la AS (
      SELECT as_of_month, customer_id,
        CAST(count(*) AS INTEGER) AS signal_loans,
        max(recorded_class_rank) AS max_class_rank,
        max(days_past_due) AS max_dpd,
        bool_or(loan_status = 'written_off') AS has_written_off
      FROM core.fct_loan_month_ends
      WHERE (recorded_class_rank >= 2 OR days_past_due > 0 OR loan_status = 'written_off') ${sinceSql(since)}
      GROUP BY as_of_month, customer_id
    ),
    -- The latest score known at a month end: scores as validity intervals [known_on, next known_on),
    -- joined by hash on the customer (cheaper than an ASOF join over the wide customer-month rows).
    scores AS (
      SELECT customer_id, greatest(scored_on, business_date) AS known_on,
        arg_max(probability_of_default, (scored_on, model_version)) AS pd,
        max(scored_on) AS scored_on
      FROM staging.stg_lender__risk_scores
      GROUP BY customer_id, greatest(scored_on, business_date)
    ),
    si AS (
      SELECT customer_id, pd, scored_on, known_on,
        coalesce(lead(known_on) OVER (PARTITION BY customer_id ORDER BY known_on), DATE '9999-12-31') AS known_until
      FROM scores
    )
    SELECT cm.*,
      coalesce(la.signal_loans, 0) AS signal_loans,
      la.max_class_rank, la.max_dpd, coalesce(la.has_written_off, false) AS has_written_off,
      ${sql.raw(pdExpr)} AS pd, CASE WHEN ${sql.raw(fresh)} THEN si.scored_on END AS pd_scored_on,
      ${sql.raw(asEnum(gradeExpr, enumType(['A', 'B', 'C'])))} AS rule_grade,
      (cm.is_active_end AND cm.recorded_grade IS NOT NULL) AS is_graded,
      coalesce(cm.is_active_end AND CAST(cm.recorded_grade AS VARCHAR) <> ${sql.raw(gradeExpr)}, false) AS is_misgraded
    FROM cm
    LEFT JOIN la ON la.as_of_month = cm.as_of_month AND la.customer_id = cm.customer_id
    LEFT JOIN si ON si.customer_id = cm.customer_id AND cm.as_of_month >= si.known_on AND cm.as_of_month < si.known_until`;
  },
});
