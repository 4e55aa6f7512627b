import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { literalLine } from '../../helpers/extract-rows.js';
import { miniBalance, miniLoan, writeMiniExtract } from '../../helpers/mini-extract.js';

/**
 * The analyst-console fixture: the hand-written mini extract (test/helpers/mini-extract.ts)
 * for 2026-09-30 plus one more month, loaded and built into a real warehouse file.
 *
 * Changes to the mini rows, so every expectation can be worked out by hand:
 * - 2026-09-30 adds loan L004 (C001, BJ01, car, 100,000.00, disbursed 2026-09-05; balance
 *   100,000.00, 0 dpd, 正常) and two customer rows that are REJECTED and carry personal data in
 *   ops.rejected_rows: C004 王芳 (onboarded_on 2020-13-01, invalid date) and a malformed line "赵,六".
 * - 2026-10-31 delivers the branch / product lists again and month-end balances only:
 *   L001 949,000.00 0 dpd 正常 (current → current); L002 24,000.00 75 dpd 次级 (31-60 → 61-90,
 *   new NPL); L003 800,000.00 150 dpd 次级 (90+ → 90+); L004 98,000.00 95 dpd 次级 (current → 90+,
 *   new NPL). Warning W002 (C002, customer-level, income_drop, raised 2026-08-20) precedes L002's
 *   NPL by 72 days; C001 has no warning.
 */
export const FIXTURE_DATES = ['2026-09-30', '2026-10-31'] as const;

/** Personal data in the fixture that must never reach a masked analyst. */
export const FIXTURE_PII = [
  '张伟',
  '李娜',
  '杭州明远贸易有限公司',
  '王芳',
  '赵,六',
  '110101199003074514',
  '310101198512120029',
  '91330100MA27XL0E2K',
  '110101199912120000',
  '13800138000',
  '13900139000',
  '13700137000',
] as const;

/**
 * Writes the fixture extracts, loads and builds them into `path` (created).
 *
 * @example
 * await buildSqlFixture('/tmp/x/warehouse.duckdb');
 */
export async function buildSqlFixture(path: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'cq-sql-extract-'));
  try {
    writeMiniExtract(
      (r) => {
        r.loans.push(miniLoan({ loan_id: 'L004', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', annual_rate: '0.0600', disbursed_on: '2026-09-05', maturity_on: '2029-09-05' }));
        r.loan_balances.push(miniBalance({ as_of_date: '2026-09-30', loan_id: 'L004', outstanding_principal: '100000.00', days_past_due: '0', recorded_class: '正常', provision_amount: '1000.00' }));
        r.customers.push({ customer_id: 'C004', customer_type: 'individual', name: '王芳', id_number: '110101199912120000', phone: '13700137000', branch_id: 'BJ01', onboarded_on: '2020-13-01', grade: 'A', graded_on: '2026-01-01' });
        r.customers.push(literalLine('C005,individual,"赵,六",1101,137,BJ01')); // malformed on purpose: too few fields
      },
      { dir, date: FIXTURE_DATES[0] },
    );
    writeMiniExtract(
      (r) => {
        for (const k of ['customers', 'loans', 'repayment_schedule', 'repayments', 'warnings', 'risk_scores', 'verifications', 'surveys'] as const) r[k] = [];
        const d = '2026-10-31';
        r.loan_balances = [
          miniBalance({ as_of_date: d, loan_id: 'L001', outstanding_principal: '949000.00', days_past_due: '0', recorded_class: '正常', provision_amount: '14235.00' }),
          miniBalance({ as_of_date: d, loan_id: 'L002', outstanding_principal: '24000.00', overdue_principal: '4166.66', overdue_interest: '500.00', days_past_due: '75', recorded_class: '次级', provision_amount: '7200.00' }),
          miniBalance({ as_of_date: d, loan_id: 'L003', outstanding_principal: '800000.00', overdue_principal: '100000.00', overdue_interest: '11000.00', days_past_due: '150', recorded_class: '次级', provision_amount: '240000.00' }),
          miniBalance({ as_of_date: d, loan_id: 'L004', outstanding_principal: '98000.00', overdue_principal: '2000.00', overdue_interest: '500.00', days_past_due: '95', recorded_class: '次级', provision_amount: '29400.00' }),
        ];
      },
      { dir, date: FIXTURE_DATES[1] },
    );
    const wh = await openWarehouse(path);
    try {
      await loadExtracts(wh, dir);
      await buildWarehouse(wh, { runTests: false });
    } finally {
      await wh.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let cached: Promise<string> | undefined;

/**
 * A fixture warehouse built once per test file (in its own temp dir); copy it before changing it.
 *
 * @example
 * const wh = await sharedFixture();
 */
export function sharedFixture(): Promise<string> {
  cached ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cq-sql-fixture-'));
    const path = join(dir, 'warehouse.duckdb');
    await buildSqlFixture(path);
    return path;
  })();
  return cached;
}

/** Copies the shared fixture to `dest`. @example await copyFixture(join(dir, 'w.duckdb')) */
export async function copyFixture(dest: string): Promise<string> {
  copyFileSync(await sharedFixture(), dest);
  return dest;
}
