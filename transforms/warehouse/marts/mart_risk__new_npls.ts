import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_risk__new_npls',
  layer: 'marts',
  grain: 'one row per loan that became non-performing in the month',
  primaryKey: ['as_of_month', 'loan_id'],
  description:
    "Loans that became NPL (recorded 次级 or worse) at this month end, with the early warnings known at the month end that preceded them: loan-specific warnings of the loan and customer-level warnings of the borrower, raised on or before the month end and within the look-back window (default 365 days). The NPL date is the month end. had_warning_lead = a warning raised at least the lead days (default 30) before. Feeds warning_coverage and warning_lead_time_median; no personal data (loan ids only). No rows for a month whose previous month is not reported (the first month loaded, or after a gap): whether a loan became NPL there is unknown (core.fct_loan_month_ends.is_new_npl NULL), and the two KPIs are no_data 'no prior month'.",
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    as_of_month: 'Month end the loan became NPL (the NPL date).',
    balance: 'Outstanding principal, DECIMAL.',
    warnings_before: 'Warnings raised on or before the NPL date (within the look-back).',
    first_warning_on: 'Earliest such warning date.',
    lead_days: 'Days from the earliest warning to the NPL date (NULL: no warning).',
    had_warning_lead: 'A warning was raised at least the configured lead days before the NPL date.',
  },
  query: () => {
    const w = activeRules().kpi.warnings;
    return sql`
    WITH n AS (
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, customer_type, grade, recorded_class, on_book_balance AS balance
      FROM core.fct_loan_month_ends WHERE is_new_npl
    ),
    hits AS (
      SELECT n.as_of_month, n.loan_id, count(*) AS warnings_before, min(w.raised_on) AS first_warning_on,
        bool_or(date_diff('day', w.raised_on, n.as_of_month) >= ${sql.raw(String(Math.trunc(w.coverageLeadDays)))}) AS had_warning_lead
      FROM n JOIN core.fct_warnings w
        ON w.customer_id = n.customer_id AND (w.loan_id IS NULL OR w.loan_id = n.loan_id)
       AND w.valid_from <= n.as_of_month AND (w.valid_to IS NULL OR w.valid_to > n.as_of_month)
       AND w.raised_on <= n.as_of_month
       AND date_diff('day', w.raised_on, n.as_of_month) <= ${sql.raw(String(Math.trunc(w.lookbackDays)))}
      GROUP BY n.as_of_month, n.loan_id
    )
    SELECT n.as_of_month, n.loan_id, n.branch_id, n.product_id, n.customer_type, n.grade, n.recorded_class, n.balance,
      coalesce(h.warnings_before, 0) AS warnings_before, h.first_warning_on,
      CAST(date_diff('day', h.first_warning_on, n.as_of_month) AS INTEGER) AS lead_days,
      coalesce(h.had_warning_lead, false) AS had_warning_lead
    FROM n LEFT JOIN hits h USING (as_of_month, loan_id)`;
  },
});
