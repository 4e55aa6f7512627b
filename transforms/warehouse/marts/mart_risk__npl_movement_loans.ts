import { sql } from 'kysely';
import { REPORTING_CURRENCY } from '../../ingest/contract/index.js';
import { defineModel } from '../model.js';
import { NPL_MOVEMENTS, nplMovementCaseSql } from '../npl-movements.js';

const CNY = REPORTING_CURRENCY;

/** The columns every row carries, in order (the slice expansion repeats them). */
const COLS = 'as_of_month, loan_id, customer_id, branch_id, product_id, movement, balance, prev_class, recorded_class, loan_status, prev_balance, balance_now';

export default defineModel({
  name: 'mart_risk__npl_movement_loans',
  layer: 'marts',
  grain: 'one row per month end × slice (all / branch / product) × slice value × movement × loan',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'movement', 'loan_id'],
  description:
    'The loans behind each line of the NPL movement waterfall (不良贷款变动明细): for every month whose previous month is reported, every loan NPL (recorded 次级/可疑/损失, on book) at the previous month end or at this month end, with the movement it makes, once per slice it counts in. ' +
    'Lines (transforms/warehouse/npl-movements.ts): opening (NPL at the previous month end, its balance then); new_npl (NPL now and not then, its balance now; of which by its class at the previous month end: from 正常, from 关注, or not on book then — disbursed or first reported this month, or off book then); cured (on book now in 正常/关注, previous balance); repaid = settled in full (previous balance) + paydown of loans NPL at both month ends whose balance changed (previous − current balance; negative when the balance grew, e.g. from the FX rate of a foreign-currency loan); written_off (核销, previous balance); transferred (转让/处置, status transferred, previous balance); exited_unreported (NPL at the previous month end with no snapshot this month: an unexplained exit kept as its own line, not counted as a disposal); moved_in / moved_out (a loan NPL at both month ends whose branch or product changed: its previous balance leaves the old slice and enters the new one; never for the whole bank); closing (NPL now). cash_collected (memo): principal repaid in the month on loans NPL at the previous month end (core.fct_repayments, converted at the loan\'s FX rate of the month). ' +
    'A loan counts in the slice of its previous month end for opening, exits (cured, settled, written off, transferred, unreported) and cash collected, and in the slice of this month end for new NPLs, paydown and closing. marts.mart_risk__npl_movements is the sum of these rows, so a bar and its loans come from the same rows. Loan and customer codes only: no names, ID numbers or phones.',
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL', the branch code or the product code the row counts in.",
    movement: `Waterfall line: ${NPL_MOVEMENTS.join(', ')}.`,
    movement_order: 'Display order of the line (1 = opening).',
    sign: '+1 adds to the NPL balance, −1 reduces it, 0 for opening / closing and memo lines.',
    branch_id: 'Branch the row is attributed to (previous month end for opening, exits and cash collected; this month end otherwise; old branch for moved_out).',
    product_id: 'Product the row is attributed to (same rule as branch_id).',
    balance: 'Amount of the loan in the line (CNY, DECIMAL); positive except a paydown of a loan whose balance grew.',
    prev_class: 'Recorded class at the previous month end (NULL: no on-book snapshot then).',
    recorded_class: 'Recorded class at this month end (NULL: no snapshot this month, or an opening / unreported-exit / cash row).',
    loan_status: 'Status of this month end snapshot (active, settled, written_off, transferred); NULL when none or on opening / unreported-exit / cash rows.',
    prev_balance: 'On-book balance at the previous month end (CNY).',
    balance_now: 'On-book balance at this month end (CNY; 0 when off book; NULL when no snapshot or on opening / unreported-exit / cash rows).',
  },
  tests: [
    { kind: 'accepted_values', column: 'movement', values: NPL_MOVEMENTS },
    { kind: 'accepted_values', column: 'slice', values: ['all', 'branch', 'product'] },
    { kind: 'not_null', columns: ['customer_id', 'branch_id', 'product_id', 'movement_order', 'sign'] },
    {
      kind: 'query',
      name: 'no_moves_in_the_whole_bank',
      sql: `SELECT * FROM marts.mart_risk__npl_movement_loans WHERE slice = 'all' AND movement IN ('moved_in', 'moved_out')`,
    },
  ],
  query: () => sql`
    WITH months AS (SELECT as_of_month, prev_month_end FROM core.dim_months WHERE has_prev_month),
    -- Loans NPL at the previous month end of a month with movements (the opening stock).
    p AS (
      SELECT m.as_of_month, f.loan_id, f.customer_id, f.branch_id, CAST(f.product_id AS VARCHAR) AS product_id,
        CAST(f.recorded_class AS VARCHAR) AS prev_class, f.on_book_balance AS prev_balance,
        -- currency as text: Citus cannot aggregate an enum (min(currency) below) in a distributed query.
        f.next_snapshot_missing, CAST(f.currency AS VARCHAR) AS currency, f.fx_rate
      FROM core.fct_loan_month_ends f JOIN months m ON m.prev_month_end = f.as_of_month
      WHERE f.is_npl
    ),
    -- This month's snapshot of loans NPL now or then, with the previous snapshot beside it.
    c AS (
      SELECT f.as_of_month, f.loan_id, f.customer_id, f.branch_id, CAST(f.product_id AS VARCHAR) AS product_id,
        CAST(f.recorded_class AS VARCHAR) AS recorded_class, CAST(f.loan_status AS VARCHAR) AS loan_status,
        f.is_on_book, f.is_npl, coalesce(f.prev_is_npl, false) AS prev_is_npl, f.on_book_balance AS balance_now,
        pf.branch_id AS prev_branch_id, CAST(pf.product_id AS VARCHAR) AS prev_product_id,
        CASE WHEN pf.is_on_book THEN CAST(pf.recorded_class AS VARCHAR) END AS prev_class, pf.on_book_balance AS prev_balance
      FROM core.fct_loan_month_ends f
      JOIN months m ON m.as_of_month = f.as_of_month
      LEFT JOIN core.fct_loan_month_ends pf ON pf.loan_id = f.loan_id AND pf.as_of_month = m.prev_month_end
      WHERE f.is_npl OR f.prev_is_npl
    ),
    -- Repayments are in the loan currency: a foreign-currency loan's are converted at its rate of
    -- the month of payment (core.fct_loan_month_ends; the previous month's when it has no snapshot then).
    cash AS (
      -- p and cf hold one row per (as_of_month, loan_id), so min() just reads that row's value.
      SELECT p.as_of_month, p.loan_id, min(p.customer_id) AS customer_id, min(p.branch_id) AS branch_id,
        min(p.product_id) AS product_id, min(p.prev_class) AS prev_class, min(p.prev_balance) AS prev_balance,
        CASE WHEN min(p.currency) = '${sql.raw(CNY)}' THEN sum(r.principal_paid)
             ELSE CAST(round(CAST(sum(r.principal_paid) AS DECIMAL(38,2)) * min(coalesce(cf.fx_rate, p.fx_rate)), 2) AS DECIMAL(18,2)) END AS principal_paid
      FROM p JOIN core.fct_repayments r ON r.loan_id = p.loan_id AND r.paid_month = p.as_of_month
      -- Plain equi-join (the currency test lives in the CASE above): a non-equality term in this ON
      -- clause made DuckDB loop (11.8 s instead of 0.09 s at 100k customers; more than 30 min at 1M).
      LEFT JOIN core.fct_loan_month_ends cf ON cf.loan_id = p.loan_id AND cf.as_of_month = p.as_of_month
      WHERE r.business_date <= r.paid_month
      GROUP BY p.as_of_month, p.loan_id
    ),
    ev AS (
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, 'opening' AS movement, prev_balance AS balance,
        prev_class, CAST(NULL AS VARCHAR) AS recorded_class, CAST(NULL AS VARCHAR) AS loan_status, prev_balance, CAST(NULL AS DECIMAL(18,2)) AS balance_now
      FROM p
      UNION ALL
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, 'exited_unreported', prev_balance, prev_class, NULL, NULL, prev_balance, NULL
      FROM p WHERE next_snapshot_missing
      UNION ALL
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, 'cash_collected', principal_paid, prev_class, NULL, NULL, prev_balance, NULL
      FROM cash
      UNION ALL
      -- New NPLs, in the slice of this month end, once as the bar and once by their class a month ago.
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, unnest(ARRAY['new_npl',
          CASE prev_class WHEN '正常' THEN 'new_npl_from_normal' WHEN '关注' THEN 'new_npl_from_special_mention' ELSE 'new_npl_not_on_book' END]),
        balance_now, prev_class, recorded_class, loan_status, prev_balance, balance_now
      FROM c WHERE is_npl AND NOT prev_is_npl
      UNION ALL
      -- Exits of loans NPL a month ago, in the slice of the previous month end, at the previous balance.
      SELECT as_of_month, loan_id, customer_id, prev_branch_id, prev_product_id, unnest(CASE
          WHEN is_on_book THEN ARRAY['cured']
          WHEN loan_status = 'settled' THEN ARRAY['repaid', 'repaid_settled']
          WHEN loan_status = 'written_off' THEN ARRAY['written_off']
          WHEN loan_status = 'transferred' THEN ARRAY['transferred'] END),
        prev_balance, prev_class, recorded_class, loan_status, prev_balance, balance_now
      FROM c WHERE prev_is_npl AND NOT is_npl
      UNION ALL
      -- Loans NPL at both month ends whose balance changed: the reduction, in the slice of this month end.
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, unnest(ARRAY['repaid', 'repaid_paydown']),
        prev_balance - balance_now, prev_class, recorded_class, loan_status, prev_balance, balance_now
      FROM c WHERE prev_is_npl AND is_npl AND prev_balance IS DISTINCT FROM balance_now
      UNION ALL
      SELECT as_of_month, loan_id, customer_id, branch_id, product_id, 'closing', balance_now, prev_class, recorded_class, loan_status, prev_balance, balance_now
      FROM c WHERE is_npl
    ),
    -- A loan NPL at both month ends that changed branch (product): its previous balance leaves the
    -- old slice (moved_out) and enters the new one (moved_in), so every slice rolls forward.
    moved AS (
      SELECT as_of_month, 'branch' AS slice, loan_id, customer_id, prev_branch_id AS branch_id, prev_product_id AS product_id, 'moved_out' AS movement,
        prev_balance AS balance, prev_class, recorded_class, loan_status, prev_balance, balance_now, prev_branch_id AS slice_value
      FROM c WHERE prev_is_npl AND is_npl AND prev_branch_id <> branch_id
      UNION ALL
      SELECT as_of_month, 'branch', loan_id, customer_id, branch_id, product_id, 'moved_in', prev_balance, prev_class, recorded_class, loan_status, prev_balance, balance_now, branch_id
      FROM c WHERE prev_is_npl AND is_npl AND prev_branch_id <> branch_id
      UNION ALL
      SELECT as_of_month, 'product', loan_id, customer_id, prev_branch_id, prev_product_id, 'moved_out', prev_balance, prev_class, recorded_class, loan_status, prev_balance, balance_now, prev_product_id
      FROM c WHERE prev_is_npl AND is_npl AND prev_product_id <> product_id
      UNION ALL
      SELECT as_of_month, 'product', loan_id, customer_id, branch_id, product_id, 'moved_in', prev_balance, prev_class, recorded_class, loan_status, prev_balance, balance_now, product_id
      FROM c WHERE prev_is_npl AND is_npl AND prev_product_id <> product_id
    ),
    sliced AS (
      SELECT 'all' AS slice, 'ALL' AS slice_value, ${sql.raw(COLS)} FROM ev
      UNION ALL SELECT 'branch', branch_id, ${sql.raw(COLS)} FROM ev
      UNION ALL SELECT 'product', product_id, ${sql.raw(COLS)} FROM ev
      UNION ALL SELECT slice, slice_value, ${sql.raw(COLS)} FROM moved
    )
    SELECT as_of_month, slice, slice_value, movement,
      ${sql.raw(nplMovementCaseSql('movement', 'order'))} AS movement_order,
      ${sql.raw(nplMovementCaseSql('movement', 'sign'))} AS sign,
      loan_id, customer_id, branch_id, product_id, CAST(balance AS DECIMAL(18,2)) AS balance,
      prev_class, recorded_class, loan_status, CAST(prev_balance AS DECIMAL(18,2)) AS prev_balance, CAST(balance_now AS DECIMAL(18,2)) AS balance_now
    FROM sliced`,
});
