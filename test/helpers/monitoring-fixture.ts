import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES } from '../../transforms/ingest/contract/index.js';
import { writeExtractCsv, type ExtractRow } from './extract-rows.js';
import { BRANCH_ROWS, PRODUCT_ROWS } from './reference-rows.js';

/**
 * Post-loan monitoring on a hand-worked book, through the real loader, models and the shipped
 * policy/warning-rules.yaml. Seven month ends M1 … M7 (2026-01-31 … 2026-07-31); every loan
 * 10,000.00 CNY; days past due per month end (class: 正常 at 0, 关注 at 1–90, 次级 at 91–180, 可疑 above):
 *
 *   loan  branch  M1   M2   M3   M4   M5    M6    M7     what it shows
 *   W1    BJ01     0   15   45   75   105   135   165    walks up: dpd_over_0 → dpd_over_30 → dpd_over_60 → NPL at M5
 *   W2    BJ01     0   20    0    0    10     0     0    flagged, cleared, flagged again (a new run)
 *   W3    BJ01     0    0   35    0     0     0     0    one month over 30 days, never NPL
 *   W4    SH01     0    0    0    0     0    95   125    NPL at M6 with no flag before (a miss)
 *   W5    SH01     5    8   12   40     0     0     0    3 months on dpd_over_0, then dpd_over_30, then cured
 *   W6    SH01     0    0    0    0     0     0     0    never flagged
 *
 * The shipped dpd rules: dpd_over_0 = 1–30 days, dpd_over_30 = 31–60, dpd_over_60 = over 60 and not NPL.
 * No scores, schedules, warnings or verifications are delivered, so no other rule fires (their signals are empty).
 */
export const MONITORING_MONTHS = ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31'] as const;
const DPD: Readonly<Record<string, readonly [string, readonly number[]]>> = {
  W1: ['BJ01', [0, 15, 45, 75, 105, 135, 165]],
  W2: ['BJ01', [0, 20, 0, 0, 10, 0, 0]],
  W3: ['BJ01', [0, 0, 35, 0, 0, 0, 0]],
  W4: ['SH01', [0, 0, 0, 0, 0, 95, 125]],
  W5: ['SH01', [5, 8, 12, 40, 0, 0, 0]],
  W6: ['SH01', [0, 0, 0, 0, 0, 0, 0]],
};
const classOf = (dpd: number) => (dpd === 0 ? '正常' : dpd <= 90 ? '关注' : dpd <= 180 ? '次级' : '可疑');

/**
 * Writes the fixture (one folder per month end, every entity) into `dir`; customers are named
 * 测试客户W1 … with ID numbers IDW1X … (values the lists must never show).
 *
 * @example
 * writeMonitoringFixture(mkdtempSync(join(tmpdir(), 'cq-monitoring-')));
 */
export function writeMonitoringFixture(dir: string): void {
  MONITORING_MONTHS.forEach((date, i) => {
    const rows: Record<string, ExtractRow[]> = { customers: [], loans: [], loan_balances: [] };
    for (const [id, [branch, dpd]] of Object.entries(DPD)) {
      if (i === 0) {
        rows.customers!.push({ customer_id: `C${id}`, customer_type: 'individual', name: `测试客户${id}`, id_number: `ID${id}X`, branch_id: branch, onboarded_on: '2020-01-01', grade: 'A', graded_on: '2025-01-01' });
        rows.loans!.push({
          loan_id: id, customer_id: `C${id}`, branch_id: branch, product_id: 'car', principal: '20000.00', currency: 'CNY', annual_rate: '0.0500', term_months: '60',
          repayment_method: 'equal_instalment', guarantee_type: 'credit', disbursed_on: '2025-01-10', maturity_on: '2030-01-10', restructured: 'false',
        });
      }
      const d = dpd[i]!;
      rows.loan_balances!.push({
        as_of_date: date, loan_id: id, outstanding_principal: '10000.00', overdue_principal: d > 0 ? '500.00' : '0.00', overdue_interest: '0.00',
        days_past_due: String(d), recorded_class: classOf(d), provision_amount: '0.00', status: 'active',
      });
    }
    const dateDir = join(dir, date);
    mkdirSync(dateDir, { recursive: true });
    for (const e of ENTITIES) {
      if (e.name === 'fx_rates') continue;
      writeExtractCsv(join(dateDir, `${e.name}.csv`), e.name, e.name === 'branches' ? BRANCH_ROWS : e.name === 'products' ? PRODUCT_ROWS : (rows[e.name] ?? []));
    }
  });
}

