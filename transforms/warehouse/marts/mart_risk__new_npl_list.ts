import { sql } from 'kysely';
import { maskIdentifierSql } from '../../lib/identifier-masks.js';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'mart_risk__new_npl_list',
  layer: 'marts',
  grain: 'one row per loan that became non-performing in the month (masked: the list the report site shows behind a branch NPL change)',
  primaryKey: ['as_of_month', 'branch_id', 'list_seq'],
  description:
    "The new NPL loans of marts.mart_risk__new_npls as the report site may show them: the loan id masked with the ID-number mask of transforms/lib/identifier-masks.ts (only the last characters visible; the length is kept), no customer id, no name, no ID number. Numbered per month end and branch, largest balance first. It is what the branch page lists behind the month's NPL change.",
  inherits: ['marts.mart_risk__new_npls'],
  columns: {
    list_seq: 'Position in the month and branch, 1 = largest balance (ties by loan id).',
    loan_ref: 'The loan id masked like an ID number (e.g. L0000026310 → *********10): enough to quote to the branch, not to identify the loan outside the bank.',
  },
  tests: [
    { kind: 'not_null', columns: ['loan_ref', 'balance', 'product_id'] },
    { kind: 'expression', name: 'loan_ref_is_masked', sql: "loan_ref LIKE '%*%'" },
    {
      kind: 'query',
      name: 'one_row_per_new_npl',
      sql: `SELECT as_of_month FROM marts.mart_risk__new_npl_list GROUP BY as_of_month
            HAVING count(*) <> (SELECT count(*) FROM marts.mart_risk__new_npls n WHERE n.as_of_month = mart_risk__new_npl_list.as_of_month)`,
    },
  ],
  query: () => sql`
    SELECT as_of_month, branch_id,
      CAST(row_number() OVER (PARTITION BY as_of_month, branch_id ORDER BY balance DESC NULLS LAST, loan_id) AS INTEGER) AS list_seq,
      ${sql.raw(maskIdentifierSql('id_number', 'loan_id'))} AS loan_ref,
      product_id, customer_type, grade, recorded_class, balance, warnings_before, lead_days, had_warning_lead
    FROM marts.mart_risk__new_npls`,
});
