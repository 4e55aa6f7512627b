import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { KPI_FIXTURE_DATES, M } from '../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../helpers/kpi-warehouse.js';

/**
 * Credit-file freshness and completeness on the hand-worked KPI fixture (test/helpers/kpi-fixture.ts,
 * table "Credit-file updates"): the boundary day of each cycle, completeness, late deliveries, the
 * marts, and a lender that never delivers the optional extract credit_file_updates.
 *
 * The rule (policy/credit-file-cycles.yaml, docs): an element updated on D with a cycle of c months is
 * due on D + c months (DuckDB: the same day, or the last day of a shorter month) and current at a
 * month end while the month end ≤ the due date; overdue from the next day.
 */
const M1 = '2026-09-30';

interface FileRow {
  customer_id: string;
  file_element: string;
  cycle_months: number;
  last: string | null;
  due: string | null;
  is_current: boolean;
  is_missing: boolean;
  days_overdue: number | null;
}

async function files(wh: WarehouseHandle, month: string): Promise<Map<string, FileRow>> {
  const rows = await wh.all<FileRow>(
    `SELECT customer_id, CAST(file_element AS VARCHAR) AS file_element, cycle_months,
       strftime(last_updated_on, '%Y-%m-%d') AS last, strftime(due_on, '%Y-%m-%d') AS due, is_current, is_missing, days_overdue
     FROM core.fct_credit_file_month_ends WHERE as_of_month = DATE '${month}'`,
  );
  return new Map(rows.map((r) => [`${r.customer_id} ${r.file_element}`, r]));
}

describe('credit files on the KPI fixture', () => {
  let wh: WarehouseHandle;
  beforeAll(async () => {
    wh = await kpiFixtureWarehouse();
  }, 180_000);
  afterAll(async () => wh?.close());

  it('population: customers active at the month end with an on-book loan, each with the elements its type requires', async () => {
    // M: individuals C01 C02 C04 C06 C08 × 2 elements = 10; small businesses C03 C05 × 5 = 10 → 20 rows.
    // (C07 closed on 2026-10-15; C09, C10 closed earlier; C06's site visit is not required of individuals.)
    const m = await files(wh, M);
    expect([...m.keys()].map((k) => k.split(' ')[0]).filter((c, i, a) => a.indexOf(c) === i).sort()).toEqual(['C01', 'C02', 'C03', 'C04', 'C05', 'C06', 'C08']);
    expect(m.size).toBe(20);
    expect(m.has('C06 site_visit')).toBe(false);
    // M−1: C01..C07 (C08 onboarded in October): 5 individuals × 2 + 2 small businesses × 5 = 20.
    const m1 = await files(wh, M1);
    expect(m1.size).toBe(20);
    expect(m1.has('C07 credit_report') && !m1.has('C08 credit_report')).toBe(true);
  });

  it('3-month cycle: updated 2026-07-31 is due 2026-10-31 and current at M (the boundary day); updated 2026-07-30 is 1 day overdue', async () => {
    const m = await files(wh, M);
    expect(m.get('C03 financial_statements')).toMatchObject({ cycle_months: 3, last: '2026-07-31', due: '2026-10-31', is_current: true, days_overdue: 0 });
    expect(m.get('C03 site_visit')).toMatchObject({ cycle_months: 3, last: '2026-07-30', due: '2026-10-30', is_current: false, is_missing: false, days_overdue: 1 });
    // 2026-06-30 + 3 months = 2026-09-30 = M−1: current then.
    expect((await files(wh, M1)).get('C05 financial_statements')).toMatchObject({ last: '2026-06-30', due: '2026-09-30', is_current: true, days_overdue: 0 });
  });

  it('6-month cycle: updated 2026-03-31 is due 2026-09-30 (September has no 31st) and current at M−1, 31 days overdue at M; updated 2026-03-29 is 1 day overdue at M−1', async () => {
    const m1 = await files(wh, M1);
    expect(m1.get('C03 credit_report')).toMatchObject({ cycle_months: 6, last: '2026-03-31', due: '2026-09-30', is_current: true, days_overdue: 0 });
    expect(m1.get('C05 credit_report')).toMatchObject({ cycle_months: 6, last: '2026-03-29', due: '2026-09-29', is_current: false, days_overdue: 1 });
    // 2026-10-31 − 2026-09-30 = 31 days.
    expect((await files(wh, M)).get('C03 credit_report')).toMatchObject({ due: '2026-09-30', is_current: false, days_overdue: 31 });
  });

  it('12-month cycle: updated 2025-10-31 is due 2026-10-31 and current at M; updated 2025-10-30 is 1 day overdue at M (current at M−1)', async () => {
    const m = await files(wh, M);
    expect(m.get('C01 credit_report')).toMatchObject({ cycle_months: 12, last: '2025-10-31', due: '2026-10-31', is_current: true, days_overdue: 0 });
    expect(m.get('C05 collateral_valuation')).toMatchObject({ cycle_months: 12, due: '2026-10-31', is_current: true });
    expect(m.get('C02 credit_report')).toMatchObject({ cycle_months: 12, last: '2025-10-30', due: '2026-10-30', is_current: false, days_overdue: 1 });
    expect((await files(wh, M1)).get('C02 credit_report')).toMatchObject({ is_current: true, days_overdue: 0 });
  });

  it('only updates delivered by the month end count, and a late-delivered older update never replaces a newer one', async () => {
    // C05 financial statements of 2026-09-25 arrive in the October file: M−1 still sees 2026-06-30.
    expect((await files(wh, M1)).get('C05 financial_statements')!.last).toBe('2026-06-30');
    expect((await files(wh, M)).get('C05 financial_statements')).toMatchObject({ last: '2026-09-25', due: '2026-12-25', is_current: true });
    // C01 KYC: 2026-03-01 (D2), then 2025-12-01 delivered in D3 → still 2026-03-01.
    expect((await files(wh, M)).get('C01 kyc_documents')!.last).toBe('2026-03-01');
  });

  it('an element never delivered is missing: not current, no due date, no days overdue', async () => {
    expect((await files(wh, M)).get('C04 kyc_documents')).toMatchObject({ last: null, due: null, is_current: false, is_missing: true, days_overdue: null });
    // C07 at M−1: credit report 2025-09-15 → due 2026-09-15, 15 days overdue; KYC missing.
    const m1 = await files(wh, M1);
    expect(m1.get('C07 credit_report')).toMatchObject({ due: '2026-09-15', days_overdue: 15 });
    expect(m1.get('C07 kyc_documents')!.is_missing).toBe(true);
  });

  it('mart_customer__credit_file_monthly: customers current / complete by branch and type (the KPI inputs)', async () => {
    const rows = await wh.all<Record<string, unknown>>(
      `SELECT branch_id, CAST(customer_type AS VARCHAR) AS customer_type, customers::INTEGER AS customers, customers_current::INTEGER AS cur,
         customers_complete::INTEGER AS complete, customers_with_overdue::INTEGER AS overdue, customers_with_missing::INTEGER AS missing,
         required_files::INTEGER AS req, current_files::INTEGER AS cf, overdue_files::INTEGER AS of, missing_files::INTEGER AS mf
       FROM marts.mart_customer__credit_file_monthly WHERE as_of_month = DATE '${M}' ORDER BY 1, 2`,
    );
    expect(rows).toEqual([
      // BJ01 individuals C01 (all current), C02 (credit 1 day overdue): 4 files, 3 current, 1 overdue.
      { branch_id: 'BJ01', customer_type: 'individual', customers: 2, cur: 1, complete: 2, overdue: 1, missing: 0, req: 4, cf: 3, of: 1, mf: 0 },
      // BJ01 small business C05: visit 16 days overdue → 5 files, 4 current.
      { branch_id: 'BJ01', customer_type: 'small_business', customers: 1, cur: 0, complete: 1, overdue: 1, missing: 0, req: 5, cf: 4, of: 1, mf: 0 },
      // SH01 individuals C04 (kyc missing), C06, C08 (all current): 6 files, 5 current, 1 missing.
      { branch_id: 'SH01', customer_type: 'individual', customers: 3, cur: 2, complete: 2, overdue: 0, missing: 1, req: 6, cf: 5, of: 0, mf: 1 },
      // SH01 small business C03: credit 31 days and visit 1 day overdue → 5 files, 3 current.
      { branch_id: 'SH01', customer_type: 'small_business', customers: 1, cur: 0, complete: 1, overdue: 1, missing: 0, req: 5, cf: 3, of: 2, mf: 0 },
    ]);
  });

  it('mart_customer__overdue_credit_files: one row per overdue or missing element, customer id only, with what a branch list needs', async () => {
    const rows = await wh.all<Record<string, unknown>>(
      `SELECT branch_id, customer_id, CAST(file_element AS VARCHAR) AS element, CAST(file_status AS VARCHAR) AS status,
         strftime(last_updated_on, '%Y-%m-%d') AS last, strftime(due_on, '%Y-%m-%d') AS due, days_overdue
       FROM marts.mart_customer__overdue_credit_files WHERE as_of_month = DATE '${M}' ORDER BY branch_id, customer_id, element`,
    );
    expect(rows).toEqual([
      { branch_id: 'BJ01', customer_id: 'C02', element: 'credit_report', status: 'overdue', last: '2025-10-30', due: '2026-10-30', days_overdue: 1 },
      { branch_id: 'BJ01', customer_id: 'C05', element: 'site_visit', status: 'overdue', last: '2026-07-15', due: '2026-10-15', days_overdue: 16 },
      { branch_id: 'SH01', customer_id: 'C03', element: 'credit_report', status: 'overdue', last: '2026-03-31', due: '2026-09-30', days_overdue: 31 },
      { branch_id: 'SH01', customer_id: 'C03', element: 'site_visit', status: 'overdue', last: '2026-07-30', due: '2026-10-30', days_overdue: 1 },
      { branch_id: 'SH01', customer_id: 'C04', element: 'kyc_documents', status: 'missing', last: null, due: null, days_overdue: null },
    ]);
    const cols = (await wh.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'mart_customer__overdue_credit_files'`)).map((r) => r.column_name);
    expect(cols).not.toContain('name');
    expect(cols).not.toContain('id_number');
  });

  it('a month-incremental rebuild gives the same rows as the full build', async () => {
    const snapshot = async () =>
      wh.all(`SELECT * FROM core.fct_credit_file_month_ends ORDER BY as_of_month, customer_id, file_element`).then((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    const before = await snapshot();
    await buildWarehouse(wh, { since: M });
    expect(await snapshot()).toBe(before);
  }, 120_000);

  it('the site source credit_file_elements sums the elements of the whole bank per month', async () => {
    const rows = await wh.all<Record<string, unknown>>(readFileSync(join('sources/warehouse', 'credit_file_elements.sql'), 'utf8'));
    const atM = rows.filter((r) => r.month === '2026-10').map((r) => [r.file_element, Number(r.required_files), Number(r.current_files), Number(r.overdue_files), Number(r.missing_files)]);
    // credit report: 5 individuals + 2 small businesses = 7; overdue C02, C03 → 5 current. KYC: 7, C04 missing.
    expect(atM).toEqual([
      ['financial_statements', 2, 2, 0, 0],
      ['credit_report', 7, 5, 2, 0],
      ['collateral_valuation', 2, 2, 0, 0],
      ['site_visit', 2, 0, 2, 0],
      ['kyc_documents', 7, 6, 0, 1],
    ]);
  });
});

describe('a lender that never delivers credit_file_updates', () => {
  let wh: WarehouseHandle;
  beforeAll(async () => {
    wh = await kpiFixtureWarehouse((rows) => {
      for (const d of KPI_FIXTURE_DATES) delete rows[d].credit_file_updates;
    });
  }, 180_000);
  afterAll(async () => wh?.close());

  it('the credit-file KPIs are no_data "input never delivered" in every month and slice — never 0 %', async () => {
    for (const id of ['credit_file_current_share', 'credit_file_complete_share']) {
      const rows = await wh.all<Record<string, unknown>>(
        `SELECT status, reason_code, reason_en, rag, count(*)::INTEGER AS n, (count(value) + count(numerator) + count(denominator))::INTEGER AS known FROM metrics.kpi_${id} GROUP BY ALL`,
      );
      expect(rows, id).toEqual([{ status: 'no_data', reason_code: 'input_not_delivered', reason_en: 'Input never delivered up to this month: credit_file_updates', rag: 'none', n: rows[0]!.n, known: 0 }]);
    }
  });

  it('the site source still has a row per month and element (counts 0), so the page builds', async () => {
    const rows = await wh.all<Record<string, unknown>>(readFileSync(join('sources/warehouse', 'credit_file_elements.sql'), 'utf8'));
    expect(rows).toHaveLength(KPI_FIXTURE_DATES.length * 5);
    expect(rows.every((r) => Number(r.required_files) === 0)).toBe(true);
  });
});
