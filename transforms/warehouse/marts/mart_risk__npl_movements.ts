import { sql } from 'kysely';
import { REPORTING_CURRENCY } from '../../ingest/contract/index.js';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';

const g = sliceGrouping(['as_of_month', 'movement'], ['branch_id', 'product_id']);

/** Movements in roll-forward order with their sign in the reconciliation. */
const MOVEMENTS: readonly [string, number, number][] = [
  ['opening', 1, 0],
  ['new_npl', 2, 1],
  ['cured', 3, -1],
  ['written_off', 4, -1],
  ['recovered', 5, -1],
  ['exited_unreported', 6, -1],
  ['paydown', 7, -1],
  ['closing', 8, 0],
  ['cash_collected', 9, 0],
];
const orderSql = `CASE movement ${MOVEMENTS.map(([m, o]) => `WHEN '${m}' THEN ${o}`).join(' ')} END`;
const signSql = `CASE movement ${MOVEMENTS.map(([m, , s]) => `WHEN '${m}' THEN ${s}`).join(' ')} END`;

export default defineModel({
  name: 'mart_risk__npl_movements',
  layer: 'marts',
  grain: 'one row per month end × slice (all / branch / product) × movement',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'movement'],
  description:
    "Non-performing loan movements in the month (不良贷款变动), a roll-forward that reconciles: opening (NPL balance at the previous month end) + new_npl (balance now of loans that became NPL) − cured (back to 正常/关注, previous balance) − written_off (核销, previous balance) − recovered (NPL settled in full, previous balance) − exited_unreported (NPL without a snapshot this month) − paydown (balance reduction of loans NPL at both month ends; amounts are CNY, so for a loan in another currency it includes the change of its CNY value from the FX rate) = closing. cash_collected (principal repaid in the month on loans NPL at the previous month end, from core.fct_repayments, converted at the loan's FX rate of the month) is shown beside it. Only months whose previous month is reported. Aggregated; no personal data.",
  inherits: ['core.dim_months'],
  columns: {
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL' or the code (the loan's at this month end; at the previous month end for opening and unreported exits).",
    movement: 'opening, new_npl, cured, written_off, recovered, exited_unreported, paydown, closing, cash_collected.',
    movement_order: 'Display order.',
    sign: '+1 adds to NPL, −1 reduces it, 0 for stocks (opening / closing) and cash_collected.',
    loans: 'Loans in the movement.',
    balance: 'Amount (positive), DECIMAL.',
  },
  tests: [
    {
      kind: 'query',
      name: 'roll_forward_reconciles',
      sql: `SELECT as_of_month, slice_value FROM marts.mart_risk__npl_movements WHERE slice = 'all'
            GROUP BY ALL HAVING sum(CASE WHEN movement = 'opening' THEN balance WHEN movement = 'closing' THEN -balance ELSE sign * balance END) <> 0`,
    },
  ],
  query: () => sql`
    WITH cur AS (
      SELECT f.* FROM core.fct_loan_month_ends f JOIN core.dim_months m USING (as_of_month) WHERE m.has_prev_month
    ),
    prev AS (
      SELECT CAST(last_day(f.as_of_month + INTERVAL 1 MONTH) AS DATE) AS to_month, f.*
      FROM core.fct_loan_month_ends f
      JOIN core.dim_months nm ON nm.as_of_month = CAST(last_day(f.as_of_month + INTERVAL 1 MONTH) AS DATE)
      WHERE f.is_npl
    ),
    -- Repayments are in the loan currency: a foreign-currency loan's are converted at its rate of
    -- the month of payment (core.fct_loan_month_ends; the previous month's when it has no snapshot then).
    cash AS (
      SELECT p.to_month AS as_of_month, p.loan_id, p.branch_id, p.product_id,
        CASE WHEN p.currency = '${sql.raw(REPORTING_CURRENCY)}' THEN sum(r.principal_paid)
             ELSE CAST(round(CAST(sum(r.principal_paid) AS DECIMAL(38,2)) * any_value(coalesce(c.fx_rate, p.fx_rate)), 2) AS DECIMAL(18,2)) END AS principal_paid
      FROM prev p JOIN core.fct_repayments r ON r.loan_id = p.loan_id AND r.paid_month = p.to_month
      LEFT JOIN core.fct_loan_month_ends c ON p.currency <> '${sql.raw(REPORTING_CURRENCY)}' AND c.loan_id = p.loan_id AND c.as_of_month = p.to_month
      WHERE r.business_date <= r.paid_month
      GROUP BY p.to_month, p.loan_id, p.branch_id, p.product_id, p.currency
    ),
    ev AS (
      SELECT to_month AS as_of_month, branch_id, product_id, 'opening' AS movement, on_book_balance AS balance FROM prev
      UNION ALL
      SELECT to_month, branch_id, product_id, 'exited_unreported', on_book_balance FROM prev WHERE next_snapshot_missing
      UNION ALL
      SELECT as_of_month, branch_id, product_id, 'cash_collected', principal_paid FROM cash
      UNION ALL
      SELECT as_of_month, branch_id, product_id,
        CASE WHEN is_new_npl THEN 'new_npl'
             WHEN prev_is_npl AND is_npl THEN 'paydown'
             WHEN prev_is_npl AND loan_status = 'written_off' THEN 'written_off'
             WHEN prev_is_npl AND loan_status = 'settled' THEN 'recovered'
             WHEN prev_is_npl AND is_on_book THEN 'cured' END,
        CASE WHEN is_new_npl THEN on_book_balance
             WHEN prev_is_npl AND is_npl THEN prev_balance - on_book_balance
             ELSE prev_balance END
      FROM cur WHERE is_new_npl OR prev_is_npl
      UNION ALL
      SELECT as_of_month, branch_id, product_id, 'closing', on_book_balance FROM cur WHERE is_npl
    ),
    a AS (
      SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value, movement,
        count(*) AS loans, sum(balance) AS balance
      FROM ev GROUP BY ${sql.raw(g.groupBy)}
    ),
    frame AS (
      SELECT DISTINCT a.as_of_month, a.slice, a.slice_value, mv.movement
      FROM a, (SELECT unnest([${sql.raw(MOVEMENTS.map(([m]) => `'${m}'`).join(', '))}]) AS movement) mv
    )
    SELECT f.as_of_month, f.slice, f.slice_value, f.movement,
      ${sql.raw(orderSql.replaceAll('movement', 'f.movement'))} AS movement_order,
      ${sql.raw(signSql.replaceAll('movement', 'f.movement'))} AS sign,
      coalesce(a.loans, 0) AS loans, CAST(coalesce(a.balance, 0) AS DECIMAL(38, 2)) AS balance
    FROM frame f LEFT JOIN a USING (as_of_month, slice, slice_value, movement)`,
});
