import { sql } from 'kysely';
import { defineModel } from '../model.js';
import { NPL_MOVEMENTS, nplMovementCaseSql } from '../npl-movements.js';

/** NPL balance of the KPI tables per month end and slice (whole bank, branch, product). */
const KPI_NPL_BALANCE = `
  SELECT as_of_month, 'all' AS slice, 'ALL' AS slice_value, sum(npl_balance) AS npl_balance FROM marts.mart_credit__portfolio_monthly GROUP BY as_of_month
  UNION ALL SELECT as_of_month, 'branch', branch_id, sum(npl_balance) FROM marts.mart_credit__portfolio_monthly GROUP BY as_of_month, branch_id
  UNION ALL SELECT as_of_month, 'product', CAST(product_id AS VARCHAR), sum(npl_balance) FROM marts.mart_credit__portfolio_monthly GROUP BY as_of_month, product_id`;

export default defineModel({
  name: 'mart_risk__npl_movements',
  layer: 'marts',
  grain: 'one row per month end × slice (all / branch / product) × movement',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'movement'],
  description:
    'Why NPL moved (不良贷款变动瀑布): the NPL movement waterfall of each month whose previous month is reported, for the whole bank, each branch and each product: opening NPL balance + new NPLs (downgrades into 次级/可疑/损失) − upgrades out (cured to 正常/关注) − repayments and collections (settled in full + paydown of loans NPL at both month ends) − write-offs (核销) − transfers and disposals (转让/处置) − exits without a snapshot (kept as their own line) ± moves between branches / products = closing NPL balance, to the fen. ' +
    'The sum of marts.mart_risk__npl_movement_loans (which lists the loans behind every line and defines each one); memo lines (new NPLs by their class a month ago, the two parts of repayments, principal collected) have sign 0. ' +
    'Closing equals the NPL balance of the KPI tables (marts.mart_credit__portfolio_monthly npl_balance, the numerator of metrics.kpi_npl_ratio) and opening equals it at the previous month end, for every month and slice (data tests). Aggregated; no personal data.',
  inherits: ['marts.mart_risk__npl_movement_loans'],
  columns: {
    slice_value: "'ALL' or the branch / product code.",
    line_type: "'stock' (opening, closing), 'flow' (a bar of the waterfall, sign ±1) or 'memo' (sign 0: detail of a bar, or principal collected).",
    parent_movement: 'The bar a memo line details (new_npl, repaid); NULL otherwise.',
    loans: 'Loans in the line.',
    balance: 'Amount of the line (CNY, DECIMAL); 0 when no loan.',
  },
  tests: [
    {
      kind: 'query',
      name: 'roll_forward_reconciles',
      sql: `SELECT as_of_month, slice, slice_value FROM marts.mart_risk__npl_movements
            GROUP BY as_of_month, slice, slice_value HAVING sum(CASE WHEN movement = 'opening' THEN balance WHEN movement = 'closing' THEN -balance ELSE sign * balance END) <> 0`,
    },
    {
      kind: 'query',
      name: 'closing_is_kpi_npl_balance',
      sql: `WITH k AS (${KPI_NPL_BALANCE}),
              m AS (SELECT as_of_month, slice, slice_value, balance FROM marts.mart_risk__npl_movements WHERE movement = 'closing')
            SELECT * FROM k FULL JOIN m USING (as_of_month, slice, slice_value)
            WHERE as_of_month IN (SELECT as_of_month FROM core.dim_months WHERE has_prev_month)
              AND coalesce(k.npl_balance, 0) <> coalesce(m.balance, 0)`,
    },
    {
      kind: 'query',
      name: 'opening_is_previous_kpi_npl_balance',
      sql: `WITH k AS (${KPI_NPL_BALANCE}),
              kp AS (SELECT d.as_of_month, k.slice, k.slice_value, k.npl_balance FROM k JOIN core.dim_months d ON d.prev_month_end = k.as_of_month AND d.has_prev_month),
              m AS (SELECT as_of_month, slice, slice_value, balance FROM marts.mart_risk__npl_movements WHERE movement = 'opening')
            SELECT * FROM kp FULL JOIN m USING (as_of_month, slice, slice_value)
            WHERE coalesce(kp.npl_balance, 0) <> coalesce(m.balance, 0)`,
    },
  ],
  query: () => sql`
    WITH a AS (
      SELECT as_of_month, slice, slice_value, movement, count(*) AS loans, sum(balance) AS balance
      FROM marts.mart_risk__npl_movement_loans GROUP BY as_of_month, slice, slice_value, movement
    ),
    frame AS (
      SELECT DISTINCT a.as_of_month, a.slice, a.slice_value, mv.movement
      FROM a, (SELECT unnest(ARRAY[${sql.raw(NPL_MOVEMENTS.map((m) => `'${m}'`).join(', '))}]) AS movement) mv
      WHERE a.slice <> 'all' OR mv.movement NOT IN ('moved_in', 'moved_out')
    )
    SELECT f.as_of_month, f.slice, f.slice_value, f.movement,
      ${sql.raw(nplMovementCaseSql('f.movement', 'order'))} AS movement_order,
      ${sql.raw(nplMovementCaseSql('f.movement', 'sign'))} AS sign,
      ${sql.raw(nplMovementCaseSql('f.movement', 'lineType'))} AS line_type,
      ${sql.raw(nplMovementCaseSql('f.movement', 'parent'))} AS parent_movement,
      coalesce(a.loans, 0) AS loans, CAST(coalesce(a.balance, 0) AS DECIMAL(38, 2)) AS balance
    FROM frame f LEFT JOIN a USING (as_of_month, slice, slice_value, movement)`,
});
