import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import type { ExtractRow } from '../helpers/extract-rows.js';
import { M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * The risk marts the site shows (vintages.sql, warning_lead.sql) on the hand-worked KPI fixture
 * (test/helpers/kpi-fixture.ts), with three loans added so the vintage curves have cohorts to follow.
 *
 * Vintages take only cohorts from the first reporting month (2025-09) on. Of the fixture's loans only
 * L10 (disbursed 2026-10-10, SH01 mortgage, 800,000) is that young, so this file adds (borrowers of
 * the fixture; balances in thousand):
 *   loan cust branch product              principal disbursed    2025-09   2025-10   2026-09                    2026-10
 *   L21  C01  BJ01   car                  100       2025-09-05   100 正常  98 正常   60 dpd 100 次级 (90+)      60 dpd 130 次级
 *   L22  C04  SH01   consumer_instalment   20       2025-09-20   20 正常   19 正常   written off, 15 outstanding  —
 *   L23  C05  BJ01   business              50       2025-10-08   —         50 正常   45 正常                    44 正常
 * None of them becomes a new NPL in a month whose previous month is reported (L21 is NPL from
 * 2026-09, and 2026-08 is not reported), so marts.mart_risk__new_npls is the fixture's own.
 */
const added = {
  loans: (loan_id: string, customer_id: string, branch_id: string, product_id: string, principal: string, disbursed_on: string): ExtractRow => ({
    loan_id,
    customer_id,
    branch_id,
    product_id,
    principal,
    currency: 'CNY',
    annual_rate: '0.0500',
    term_months: '36',
    repayment_method: 'equal_instalment',
    guarantee_type: 'credit',
    disbursed_on,
    maturity_on: `${Number(disbursed_on.slice(0, 4)) + 3}${disbursed_on.slice(4)}`,
    restructured: 'false',
  }),
  balance: (as_of_date: string, loan_id: string, outstanding: string, overdue: string, dpd: string, recorded_class: string, provision: string, status = 'active'): ExtractRow => ({
    as_of_date,
    loan_id,
    outstanding_principal: outstanding,
    overdue_principal: overdue,
    overdue_interest: '0.00',
    days_past_due: dpd,
    recorded_class,
    provision_amount: provision,
    status,
  }),
};

let wh: WarehouseHandle;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse((rows) => {
    const b = added.balance;
    rows['2025-09-30'].loans!.push(added.loans('L21', 'C01', 'BJ01', 'car', '100000.00', '2025-09-05'), added.loans('L22', 'C04', 'SH01', 'consumer_instalment', '20000.00', '2025-09-20'));
    rows['2025-09-30'].loan_balances!.push(b('2025-09-30', 'L21', '100000.00', '0.00', '0', '正常', '1000.00'), b('2025-09-30', 'L22', '20000.00', '0.00', '0', '正常', '200.00'));
    rows['2025-10-31'].loans!.push(added.loans('L23', 'C05', 'BJ01', 'business', '50000.00', '2025-10-08'));
    rows['2025-10-31'].loan_balances!.push(
      b('2025-10-31', 'L21', '98000.00', '0.00', '0', '正常', '980.00'),
      b('2025-10-31', 'L22', '19000.00', '0.00', '0', '正常', '190.00'),
      b('2025-10-31', 'L23', '50000.00', '0.00', '0', '正常', '500.00'),
    );
    rows['2026-09-30'].loan_balances!.push(
      b('2026-09-30', 'L21', '60000.00', '20000.00', '100', '次级', '15000.00'),
      b('2026-09-30', 'L22', '15000.00', '15000.00', '200', '损失', '15000.00', 'written_off'),
      b('2026-09-30', 'L23', '45000.00', '0.00', '0', '正常', '450.00'),
    );
    rows['2026-10-31'].loan_balances!.push(b('2026-10-31', 'L21', '60000.00', '25000.00', '130', '次级', '15000.00'), b('2026-10-31', 'L23', '44000.00', '0.00', '0', '正常', '440.00'));
  });
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

interface VintagePoint {
  cohort: string;
  mob: number;
  month: string;
  loans: number;
  principal: number;
  bad: number;
  bad_balance: number;
  rate_count: number;
  rate_balance: number | null;
}

async function vintages(slice: string, sliceValue: string): Promise<VintagePoint[]> {
  return wh.all<VintagePoint>(
    `SELECT strftime(cohort_month, '%Y-%m') AS cohort, months_on_book AS mob, strftime(as_of_month, '%Y-%m') AS month,
       cohort_loans::INTEGER AS loans, CAST(cohort_principal AS DOUBLE) AS principal, bad_loans::INTEGER AS bad,
       CAST(bad_balance AS DOUBLE) AS bad_balance, cum_90_rate_count AS rate_count, cum_90_rate_balance AS rate_balance
     FROM marts.mart_risk__vintages WHERE slice = '${slice}' AND slice_value = '${sliceValue}' ORDER BY cohort_month, months_on_book`,
  );
}

describe('marts.mart_risk__vintages', () => {
  it('whole book: one curve per cohort from the first reporting month, cumulative 90+ / written-off share', async () => {
    // Reporting months: 2025-09, 2025-10, 2026-09, 2026-10 (a cohort has points only at reporting months).
    // Cohort 2025-09: L21 100 + L22 20 = 120 (2 loans). Bad first at 2026-09 (months on book 12): L21 90+
    //   (on-book balance 60) and L22 written off (outstanding 15) → 2 loans, 75 → 2/2 = 1 and 75/120 = 0.625.
    // Cohort 2025-10: L23 50, never bad. Cohort 2026-10: L10 800, month 0 only.
    // Older loans (L01–L09, L11–L15, disbursed before 2025-09) are in no cohort.
    const p = (cohort: string, mob: number, month: string, loans: number, principal: number, bad: number, badBalance: number) => ({
      cohort, mob, month, loans, principal, bad, bad_balance: badBalance, rate_count: bad / loans, rate_balance: badBalance / principal,
    });
    expect(await vintages('all', 'ALL')).toEqual([
      p('2025-09', 0, '2025-09', 2, 120_000, 0, 0),
      p('2025-09', 1, '2025-10', 2, 120_000, 0, 0),
      p('2025-09', 12, '2026-09', 2, 120_000, 2, 75_000),
      p('2025-09', 13, '2026-10', 2, 120_000, 2, 75_000),
      p('2025-10', 0, '2025-10', 1, 50_000, 0, 0),
      p('2025-10', 11, '2026-09', 1, 50_000, 0, 0),
      p('2025-10', 12, '2026-10', 1, 50_000, 0, 0),
      p('2026-10', 0, '2026-10', 1, 800_000, 0, 0),
    ]);
    const [whole] = (await vintages('all', 'ALL')).filter((v) => v.cohort === '2025-09' && v.mob === 12);
    expect([whole!.rate_count, whole!.rate_balance]).toEqual([1, 0.625]);
  });

  it('branch and product slices split the cohorts by the loan\'s branch and product', async () => {
    const shape = (vs: VintagePoint[]) => vs.map((v) => [v.cohort, v.mob, v.loans, v.principal, v.bad, v.bad_balance, v.rate_balance]);
    // BJ01: cohort 2025-09 = L21 (100; bad from 2026-09 at 60 → 0.6), cohort 2025-10 = L23 (50).
    expect(shape(await vintages('branch', 'BJ01'))).toEqual([
      ['2025-09', 0, 1, 100_000, 0, 0, 0],
      ['2025-09', 1, 1, 100_000, 0, 0, 0],
      ['2025-09', 12, 1, 100_000, 1, 60_000, 0.6],
      ['2025-09', 13, 1, 100_000, 1, 60_000, 0.6],
      ['2025-10', 0, 1, 50_000, 0, 0, 0],
      ['2025-10', 11, 1, 50_000, 0, 0, 0],
      ['2025-10', 12, 1, 50_000, 0, 0, 0],
    ]);
    // SH01: cohort 2025-09 = L22 (20; written off at 2026-09 with 15 outstanding → 0.75), cohort 2026-10 = L10 (800).
    expect(shape(await vintages('branch', 'SH01'))).toEqual([
      ['2025-09', 0, 1, 20_000, 0, 0, 0],
      ['2025-09', 1, 1, 20_000, 0, 0, 0],
      ['2025-09', 12, 1, 20_000, 1, 15_000, 0.75],
      ['2025-09', 13, 1, 20_000, 1, 15_000, 0.75],
      ['2026-10', 0, 1, 800_000, 0, 0, 0],
    ]);
    // car = L21 only; mortgage = L10 only.
    expect(shape(await vintages('product', 'car')).map((r) => r.slice(0, 6))).toEqual([
      ['2025-09', 0, 1, 100_000, 0, 0],
      ['2025-09', 1, 1, 100_000, 0, 0],
      ['2025-09', 12, 1, 100_000, 1, 60_000],
      ['2025-09', 13, 1, 100_000, 1, 60_000],
    ]);
    expect(shape(await vintages('product', 'mortgage'))).toEqual([['2026-10', 0, 1, 800_000, 0, 0, 0]]);
  });
});

describe('marts.mart_risk__new_npls', () => {
  async function newNpls(month: string) {
    return wh.all<Record<string, unknown>>(
      `SELECT loan_id, branch_id, CAST(product_id AS VARCHAR) AS product_id, CAST(customer_type AS VARCHAR) AS customer_type, CAST(grade AS VARCHAR) AS grade,
         CAST(recorded_class AS VARCHAR) AS recorded_class, CAST(balance AS DOUBLE) AS balance, warnings_before::INTEGER AS warnings_before,
         strftime(first_warning_on, '%Y-%m-%d') AS first_warning_on, lead_days, had_warning_lead
       FROM marts.mart_risk__new_npls WHERE as_of_month = DATE '${month}' ORDER BY loan_id`,
    );
  }

  it('at M: the loans NPL now and not at M−1, with the warnings that preceded them', async () => {
    // NPL at M and not at M−1 (关注 then): L03 (次级), L12 (次级), L14 (次级). L05, L11, L13 were NPL already;
    // L21 (added) is NPL at M−1 too.
    // Warnings valid at M, raised on or before M within 365 days, loan-specific for this loan or customer-level:
    //   L03 (C03): W06 (L03, 2026-08-20), W05 (customer, 10-01), W01 (L03, 10-03) → 3; first 08-20 → 72 days ≥ 30.
    //   L12 (C05): W07 (L12, 2026-09-01) → 1 (W04 is L11's); 60 days ≥ 30.
    //   L14 (C06): W08 (customer, 10-10) → 1 (W09, 2025-09-15, is 411 days back); 21 days < 30 → no lead.
    // Coverage 2 of 3 and median lead 60 are the warning_coverage and warning_lead_time_median KPIs.
    expect(await newNpls(M)).toEqual([
      { loan_id: 'L03', branch_id: 'SH01', product_id: 'business', customer_type: 'small_business', grade: 'C', recorded_class: '次级', balance: 300_000, warnings_before: 3, first_warning_on: '2026-08-20', lead_days: 72, had_warning_lead: true },
      { loan_id: 'L12', branch_id: 'BJ01', product_id: 'car', customer_type: 'small_business', grade: 'B', recorded_class: '次级', balance: 20_000, warnings_before: 1, first_warning_on: '2026-09-01', lead_days: 60, had_warning_lead: true },
      { loan_id: 'L14', branch_id: 'SH01', product_id: 'car', customer_type: 'individual', grade: 'ungraded', recorded_class: '次级', balance: 25_000, warnings_before: 1, first_warning_on: '2026-10-10', lead_days: 21, had_warning_lead: false },
    ]);
  });

  it('2025-10: L15 (关注 → 次级) without any warning; no rows where the previous month is not reported', async () => {
    // C10 (grade A, BJ01, individual) has no warning: warnings_before 0, no first warning, no lead.
    expect(await newNpls('2025-10-31')).toEqual([
      { loan_id: 'L15', branch_id: 'BJ01', product_id: 'car', customer_type: 'individual', grade: 'A', recorded_class: '次级', balance: 44_000, warnings_before: 0, first_warning_on: null, lead_days: null, had_warning_lead: false },
    ]);
    // 2025-09 is the first month; 2026-08 is not reported: whether a loan became NPL there is unknown.
    expect(await newNpls('2025-09-30')).toEqual([]);
    expect(await newNpls('2026-09-30')).toEqual([]);
  });
});
