import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import type { ExtractRow } from '../helpers/extract-rows.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * The NPL movement waterfall (marts.mart_risk__npl_movements, "why NPL moved") and the loans behind
 * it (marts.mart_risk__npl_movement_loans), worked by hand to the fen on the KPI fixture
 * (test/helpers/kpi-fixture.ts) with six loans added, at M = 2026-10-31 (previous month end
 * M−1 = 2026-09-30).
 *
 * The fixture's own NPLs (CNY): at M−1 L05 BJ01 working_capital 200,000.00 次级; L07 SH01 business
 * 100,000.00 次级; L09 BJ01 consumer_instalment 20,000.00 损失; L11 BJ01 business 150,000.00 可疑;
 * L13 SH01 consumer_instalment 10,000.00 可疑 (480,000.00). At M: L07 cured (正常), L09 written off,
 * L05 / L11 / L13 unchanged, new from 关注: L03 SH01 business 300,000.00, L12 BJ01 car 20,000.00,
 * L14 SH01 car 25,000.00.
 *
 * Added here (M−1 → M):
 *   loan cust branch        product              M−1                         M
 *   L31  C05  BJ01          car                  45,678.90 次级 120 dpd      settled; repays 45,678.90 on 2026-10-15
 *   L32  C03  SH01          business             123,456.78 可疑 300 dpd     transferred (转让) at 330 dpd
 *   L33  C02  BJ01          consumer_instalment  40,000.00 次级 150 dpd      35,500.50 次级 120 dpd; repays 4,499.50 on 2026-10-20
 *   L34  C01  BJ01          mortgage             250,000.01 正常 0 dpd       249,000.01 次级 31 dpd (downgraded from pass)
 *   L35  C04  SH01          car                  18,000.25 次级 100 dpd      no snapshot (left the book unreported)
 *   L36  C03  SH01 → BJ01   working_capital      80,000.00 可疑 200 dpd      79,000.00 可疑 230 dpd, booked in BJ01 from M
 */
const added = {
  loan: (loan_id: string, customer_id: string, branch_id: string, product_id: string, principal: string, disbursed_on: string): ExtractRow => ({
    loan_id,
    customer_id,
    branch_id,
    product_id,
    principal,
    currency: 'CNY',
    annual_rate: '0.0600',
    term_months: '36',
    repayment_method: 'equal_instalment',
    guarantee_type: 'credit',
    disbursed_on,
    maturity_on: `${Number(disbursed_on.slice(0, 4)) + 3}${disbursed_on.slice(4)}`,
    restructured: 'false',
  }),
  balance: (as_of_date: string, loan_id: string, outstanding: string, dpd: string, recorded_class: string, status = 'active'): ExtractRow => ({
    as_of_date,
    loan_id,
    outstanding_principal: outstanding,
    overdue_principal: status === 'active' && dpd !== '0' ? '1000.00' : '0.00',
    overdue_interest: '0.00',
    days_past_due: dpd,
    recorded_class,
    provision_amount: '0.00',
    status,
  }),
  repayment: (repayment_id: string, loan_id: string, paid_on: string, principal_paid: string): ExtractRow => ({
    repayment_id,
    loan_id,
    instalment_no: '1',
    paid_on,
    principal_paid,
    interest_paid: '0.00',
  }),
};

const PREV = '2026-09-30';

let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse((rows) => {
    const { loan, balance: b, repayment } = added;
    const L36 = loan('L36', 'C03', 'SH01', 'working_capital', '100000.00', '2025-02-01');
    rows[PREV].loans!.push(
      loan('L31', 'C05', 'BJ01', 'car', '60000.00', '2025-01-10'),
      loan('L32', 'C03', 'SH01', 'business', '200000.00', '2024-12-01'),
      loan('L33', 'C02', 'BJ01', 'consumer_instalment', '50000.00', '2025-03-15'),
      loan('L34', 'C01', 'BJ01', 'mortgage', '300000.00', '2023-06-01'),
      loan('L35', 'C04', 'SH01', 'car', '30000.00', '2025-04-20'),
      L36,
    );
    rows[PREV].loan_balances!.push(
      b(PREV, 'L31', '45678.90', '120', '次级'),
      b(PREV, 'L32', '123456.78', '300', '可疑'),
      b(PREV, 'L33', '40000.00', '150', '次级'),
      b(PREV, 'L34', '250000.01', '0', '正常'),
      b(PREV, 'L35', '18000.25', '100', '次级'),
      b(PREV, 'L36', '80000.00', '200', '可疑'),
    );
    // L36 is rebooked to the Beijing branch in M (a new version of the loan).
    rows[M].loans!.push({ ...L36, branch_id: 'BJ01' });
    rows[M].loan_balances!.push(
      b(M, 'L31', '0.00', '0', '次级', 'settled'),
      b(M, 'L32', '0.00', '330', '可疑', 'transferred'),
      b(M, 'L33', '35500.50', '120', '次级'),
      b(M, 'L34', '249000.01', '31', '次级'),
      b(M, 'L36', '79000.00', '230', '可疑'),
    );
    rows[M].repayments!.push(repayment('R31', 'L31', '2026-10-15', '45678.90'), repayment('R33', 'L33', '2026-10-20', '4499.50'));
  });
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

/** The waterfall of one slice at M: movement → [loans, balance in fen]. */
async function waterfall(slice: string, sliceValue: string): Promise<Record<string, [number, number]>> {
  const rows = await wh.all<{ movement: string; loans: bigint; fen: bigint }>(
    `SELECT movement, loans, CAST(balance * 100 AS BIGINT) AS fen FROM marts.mart_risk__npl_movements
     WHERE as_of_month = DATE '${M}' AND slice = '${slice}' AND slice_value = '${sliceValue}' ORDER BY movement_order`,
  );
  return Object.fromEntries(rows.map((r) => [r.movement, [Number(r.loans), Number(r.fen)]]));
}

describe('NPL movement waterfall, worked by hand (M = 2026-10-31)', () => {
  it('whole bank: every line to the fen', async () => {
    expect(await waterfall('all', 'ALL')).toEqual({
      // 480,000.00 + L31 45,678.90 + L32 123,456.78 + L33 40,000.00 + L35 18,000.25 + L36 80,000.00 = 787,135.93 (10 loans)
      opening: [10, 78_713_593],
      // L03 300,000 + L12 20,000 + L14 25,000 (from 关注) + L34 249,000.01 (from 正常) = 594,000.01
      new_npl: [4, 59_400_001],
      new_npl_from_normal: [1, 24_900_001],
      new_npl_from_special_mention: [3, 34_500_000],
      new_npl_not_on_book: [0, 0],
      // L07 back to 正常 at its previous balance
      cured: [1, 10_000_000],
      // L31 settled 45,678.90 + paydown L33 (40,000.00 − 35,500.50 = 4,499.50) + L36 (80,000.00 − 79,000.00 = 1,000.00) = 51,178.40;
      // L05, L11, L13 did not move and are not listed
      repaid: [3, 5_117_840],
      repaid_settled: [1, 4_567_890],
      repaid_paydown: [2, 549_950],
      written_off: [1, 2_000_000], // L09
      transferred: [1, 12_345_678], // L32
      exited_unreported: [1, 1_800_025], // L35
      // 705,000.00 + L33 35,500.50 + L34 249,000.01 + L36 79,000.00 = 1,068,500.51
      // = 787,135.93 + 594,000.01 − 100,000.00 − 51,178.40 − 20,000.00 − 123,456.78 − 18,000.25
      closing: [9, 106_850_051],
      // principal repaid in M on loans NPL at M−1: L31 45,678.90 + L33 4,499.50 = 50,178.40
      cash_collected: [2, 5_017_840],
    });
  });

  it('one branch (BJ01, 北京分行): every line to the fen, with a loan moved in from Shanghai', async () => {
    expect(await waterfall('branch', 'BJ01')).toEqual({
      // L05 200,000.00 + L09 20,000.00 + L11 150,000.00 + L31 45,678.90 + L33 40,000.00 = 455,678.90 (L36 was in SH01)
      opening: [5, 45_567_890],
      // L12 20,000.00 (from 关注) + L34 249,000.01 (from 正常) = 269,000.01
      new_npl: [2, 26_900_001],
      new_npl_from_normal: [1, 24_900_001],
      new_npl_from_special_mention: [1, 2_000_000],
      new_npl_not_on_book: [0, 0],
      cured: [0, 0],
      // L31 45,678.90 + L33 4,499.50 + L36 1,000.00 (its paydown counts where it is booked now) = 51,178.40
      repaid: [3, 5_117_840],
      repaid_settled: [1, 4_567_890],
      repaid_paydown: [2, 549_950],
      written_off: [1, 2_000_000],
      transferred: [0, 0],
      exited_unreported: [0, 0],
      moved_in: [1, 8_000_000], // L36 at its previous balance 80,000.00
      moved_out: [0, 0],
      // L05 200,000 + L11 150,000 + L12 20,000 + L33 35,500.50 + L34 249,000.01 + L36 79,000.00 = 733,500.51
      // = 455,678.90 + 269,000.01 − 51,178.40 − 20,000.00 + 80,000.00
      closing: [6, 73_350_051],
      cash_collected: [2, 5_017_840],
    });
  });

  it('the other branch (SH01) rolls forward too: L36 moves out at 80,000.00', async () => {
    const w = await waterfall('branch', 'SH01');
    // opening L07 100,000 + L13 10,000 + L32 123,456.78 + L35 18,000.25 + L36 80,000 = 331,457.03;
    // + new 325,000 (L03, L14) − cured 100,000 − transferred 123,456.78 − unreported 18,000.25 − moved out 80,000 = 335,000.00
    expect(w.opening).toEqual([5, 33_145_703]);
    expect(w.moved_out).toEqual([1, 8_000_000]);
    expect(w.moved_in).toEqual([0, 0]);
    expect(w.closing).toEqual([3, 33_500_000]);
  });

  it('closing is the NPL balance of the KPI tables and opening the previous one, for every month and slice', async () => {
    const off = await wh.all(`
      WITH k AS (
        SELECT as_of_month, slice, slice_value, CAST(round(numerator * 100) AS BIGINT) AS fen
        FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND slice IN ('all', 'branch', 'product')
      ), m AS (
        SELECT n.as_of_month, n.slice, n.slice_value, d.prev_month_end,
          CAST(sum(n.balance) FILTER (WHERE n.movement = 'opening') * 100 AS BIGINT) AS opening,
          CAST(sum(n.balance) FILTER (WHERE n.movement = 'closing') * 100 AS BIGINT) AS closing
        FROM marts.mart_risk__npl_movements n JOIN core.dim_months d USING (as_of_month) GROUP BY ALL
      )
      SELECT m.*, kc.fen AS kpi_now, kp.fen AS kpi_prev FROM m
      LEFT JOIN k kc ON kc.as_of_month = m.as_of_month AND kc.slice = m.slice AND kc.slice_value = m.slice_value
      LEFT JOIN k kp ON kp.as_of_month = m.prev_month_end AND kp.slice = m.slice AND kp.slice_value = m.slice_value
      WHERE m.closing <> coalesce(kc.fen, 0) OR m.opening <> coalesce(kp.fen, 0)`);
    expect(off).toEqual([]);
    const [n] = await wh.all<{ n: bigint }>(`SELECT count(DISTINCT as_of_month) AS n FROM marts.mart_risk__npl_movements`);
    expect(n!.n).toBe(2n); // 2025-10 and 2026-10 (their previous months are reported)
  });

  it('the loans behind a bar add up to it, and the data tests that reconcile the mart ran and passed', async () => {
    const loans = await wh.all<{ loan_id: string; balance: number; prev_class: string; loan_status: string }>(
      `SELECT loan_id, CAST(balance AS DOUBLE) AS balance, prev_class, loan_status FROM marts.mart_risk__npl_movement_loans
       WHERE as_of_month = DATE '${M}' AND slice = 'branch' AND slice_value = 'BJ01' AND movement = 'repaid' ORDER BY loan_id`,
    );
    expect(loans).toEqual([
      { loan_id: 'L31', balance: 45_678.9, prev_class: '次级', loan_status: 'settled' },
      { loan_id: 'L33', balance: 4_499.5, prev_class: '次级', loan_status: 'active' },
      { loan_id: 'L36', balance: 1_000, prev_class: '可疑', loan_status: 'active' },
    ]);
    const tests = await wh.all<{ test_name: string; failures: number }>(
      `SELECT test AS test_name, failures FROM ops.data_test_results WHERE model = 'marts.mart_risk__npl_movements' AND test IN ('roll_forward_reconciles', 'closing_is_kpi_npl_balance', 'opening_is_previous_kpi_npl_balance') ORDER BY test_name`,
    );
    expect(tests.map((t) => [t.test_name, Number(t.failures)])).toEqual([
      ['closing_is_kpi_npl_balance', 0],
      ['opening_is_previous_kpi_npl_balance', 0],
      ['roll_forward_reconciles', 0],
    ]);
  });
});
