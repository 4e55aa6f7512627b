import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_monitoring__watch_list_summary',
  layer: 'marts',
  grain: 'one row per month end per branch per warning rule with a watch-list entry',
  primaryKey: ['as_of_month', 'branch_id', 'rule_id'],
  description:
    'The watch-list in numbers, for the site: per month end, branch and rule, the loans on the list (new and still), new, still and cleared entries, the customers on the list and the balance on the list. Counts only; the site never shows watch-list rows. Sum over branches and rules for totals (a loan flagged by two rules counts once per rule; customers_on_list is distinct within the row only).',
  inherits: ['marts.mart_monitoring__watch_list'],
  columns: {
    loans_on_list: 'Loans the rule flags at the month end (new + still).',
    new_loans: "Entries with status 'new'.",
    still_loans: "Entries with status 'still'.",
    cleared_loans: "Entries with status 'cleared' (flagged at the previous reporting month end, no longer).",
    customers_on_list: 'Distinct customers of the loans on the list.',
    balance_on_list: 'Outstanding principal of the loans on the list, CNY.',
  },
  tests: [{ kind: 'expression', name: 'on_list_is_new_plus_still', sql: 'loans_on_list = new_loans + still_loans' }],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT as_of_month, branch_id, rule_id, min(severity) AS severity,
      CAST(count(*) FILTER (WHERE status <> 'cleared') AS INTEGER) AS loans_on_list,
      CAST(count(*) FILTER (WHERE status = 'new') AS INTEGER) AS new_loans,
      CAST(count(*) FILTER (WHERE status = 'still') AS INTEGER) AS still_loans,
      CAST(count(*) FILTER (WHERE status = 'cleared') AS INTEGER) AS cleared_loans,
      CAST(count(DISTINCT customer_id) FILTER (WHERE status <> 'cleared') AS INTEGER) AS customers_on_list,
      CAST(coalesce(sum(balance) FILTER (WHERE status <> 'cleared'), 0) AS DECIMAL(18,2)) AS balance_on_list
    FROM marts.mart_monitoring__watch_list
    WHERE true ${sinceSql(since)}
    GROUP BY as_of_month, branch_id, rule_id`,
});
