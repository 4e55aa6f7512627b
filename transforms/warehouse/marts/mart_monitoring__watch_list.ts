import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_monitoring__watch_list',
  layer: 'marts',
  grain: 'one row per warning rule per loan on (or just cleared from) the watch-list per month end',
  primaryKey: ['as_of_month', 'rule_id', 'loan_id'],
  description:
    "The watch-list (贷后监控名单) of each month end: every loan a warning rule flags (status 'new' when it was not flagged by that rule at the previous reporting month end, else 'still'), and every loan the rule flagged at the previous reporting month end and no longer flags ('cleared', listed once, with the values of its last flag). first_flagged_on is the first month end of the unbroken run of reporting months the rule has flagged the loan; days_on_list counts the days from it to this month end (cleared: to the last month end flagged). Severity and owner come from the rule. Ids only (the release masks them); never shown on the site, which reads mart_monitoring__watch_list_summary. Month-incremental: a night reads the hits from the month before it and takes the first-flagged date of a continuing run from that month's list.",
  inherits: ['marts.mart_monitoring__rule_hits', 'core.dim_warning_rules'],
  columns: {
    status: "new, still or cleared (against the previous reporting month end).",
    first_flagged_on: 'First month end of the unbroken run of reporting months in which the rule flagged the loan.',
    last_flagged_on: 'Latest month end the rule flagged the loan (= as_of_month unless cleared).',
    days_on_list: 'Days from first_flagged_on to last_flagged_on.',
    balance: 'Outstanding principal at last_flagged_on, CNY.',
    evidence: 'The signal values of the flag at last_flagged_on.',
  },
  tests: [
    { kind: 'accepted_values', column: 'status', values: ['new', 'still', 'cleared'] },
    { kind: 'expression', name: 'days_on_list_not_negative', sql: 'days_on_list >= 0' },
    { kind: 'expression', name: 'new_is_first_day', sql: "(status = 'new') = (first_flagged_on = as_of_month)" },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => {
    // A night (since = its first month) reads the hits from the reporting month before since on; a run
    // the rule already flagged then keeps the first-flagged date the list gave it that month.
    const before = since ? `(SELECT max(as_of_month) FROM core.dim_months WHERE as_of_month < DATE '${since}')` : undefined;
    return sql`
    WITH m AS (SELECT as_of_month, month_index FROM core.dim_months),
    h AS (
      SELECT h.*, m.month_index,
        m.month_index - row_number() OVER (PARTITION BY h.rule_id, h.loan_id ORDER BY m.month_index) AS island
      FROM marts.mart_monitoring__rule_hits h JOIN m USING (as_of_month)
      ${sql.raw(before ? `WHERE h.as_of_month >= coalesce(${before}, DATE '${since}')` : '')}
    ),
    islands AS (
      SELECT *, min(as_of_month) OVER (PARTITION BY rule_id, loan_id, island) AS run_first,
        max(month_index) OVER (PARTITION BY rule_id, loan_id, island) AS last_index
      FROM h
    ),
    runs AS (
      ${sql.raw(
        before
          ? `SELECT i.*, CASE WHEN i.run_first = ${before} THEN coalesce(c.first_flagged_on, i.run_first) ELSE i.run_first END AS first_flagged_on
      FROM islands i LEFT JOIN marts.mart_monitoring__watch_list c
        ON c.as_of_month = ${before} AND c.status <> 'cleared' AND c.rule_id = i.rule_id AND c.loan_id = i.loan_id`
          : 'SELECT *, run_first AS first_flagged_on FROM islands',
      )}
    ),
    listed AS (
      SELECT as_of_month, rule_id, loan_id, customer_id, branch_id, product_id,
        CASE WHEN as_of_month = first_flagged_on THEN 'new' ELSE 'still' END AS status,
        first_flagged_on, as_of_month AS last_flagged_on, balance, evidence
      FROM runs
      UNION ALL
      SELECT n.as_of_month, r.rule_id, r.loan_id, r.customer_id, r.branch_id, r.product_id, 'cleared',
        r.first_flagged_on, r.as_of_month, r.balance, r.evidence
      FROM runs r JOIN m n ON n.month_index = r.month_index + 1
      WHERE r.month_index = r.last_index
    )
    SELECT l.as_of_month, l.rule_id, d.severity, d.owner_role, l.loan_id, l.customer_id, l.branch_id, l.product_id, l.status,
      l.first_flagged_on, l.last_flagged_on, CAST(date_diff('day', l.first_flagged_on, l.last_flagged_on) AS INTEGER) AS days_on_list,
      l.balance, l.evidence
    FROM listed l JOIN core.dim_warning_rules d USING (rule_id)`;
  },
});
