import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityName } from '../../transforms/ingest/contract/index.js';
import { contractHeader, writeExtractCsv, type ExtractLine } from './extract-rows.js';
import { BRANCH_ROWS, PRODUCT_ROWS } from './reference-rows.js';

/**
 * Rows of a mini extract: entity name → data rows (by column name; see test/helpers/extract-rows.ts).
 * The optional fx_rates and credit_file_updates are absent (no file) unless a test sets them.
 */
export type MiniRows = Omit<Record<EntityName, ExtractLine[]>, 'fx_rates' | 'credit_file_updates'> & { fx_rates?: ExtractLine[]; credit_file_updates?: ExtractLine[] };

/**
 * A tiny valid extract for one business date (2026-09-30), written by hand so each loader
 * test can break one thing and count exactly what must be rejected.
 * Counts: branches 2, products 5, customers 3, loans 3, loan_balances 3, repayment_schedule 3,
 * repayments 3, warnings 2, risk_scores 2, verifications 2, surveys 2.
 */
export function miniRows(): MiniRows {
  const d = '2026-09-30';
  return {
    branches: [...BRANCH_ROWS],
    products: [...PRODUCT_ROWS],
    customers: [
      { customer_id: 'C001', customer_type: 'individual', name: '张伟', id_number: '110101199003074514', phone: '13800138000', branch_id: 'BJ01', onboarded_on: '2020-01-15', grade: 'A', graded_on: '2026-01-01' },
      { customer_id: 'C002', customer_type: 'individual', name: '李娜', id_number: '310101198512120029', phone: '13900139000', branch_id: 'SH01', onboarded_on: '2021-06-01', grade: 'B', graded_on: '2026-01-01' },
      { customer_id: 'C003', customer_type: 'small_business', name: '杭州明远贸易有限公司', id_number: '91330100MA27XL0E2K', branch_id: 'SH01', industry: 'F', onboarded_on: '2019-03-20', grade: 'C', graded_on: '2026-03-01' },
    ],
    loans: [
      miniLoan({ loan_id: 'L001', customer_id: 'C001', branch_id: 'BJ01', product_id: 'mortgage', principal: '1000000.00', annual_rate: '0.0410', term_months: '360', repayment_method: 'equal_instalment', guarantee_type: 'mortgage', disbursed_on: '2022-01-10', maturity_on: '2052-01-10' }),
      miniLoan({ loan_id: 'L002', customer_id: 'C002', branch_id: 'SH01', product_id: 'consumer_instalment', principal: '50000.00', annual_rate: '0.1200', term_months: '24', repayment_method: 'equal_principal', guarantee_type: 'credit', disbursed_on: '2025-10-01', maturity_on: '2027-10-01' }),
      miniLoan({ loan_id: 'L003', customer_id: 'C003', branch_id: 'SH01', product_id: 'business', principal: '800000.00', annual_rate: '0.0550', term_months: '36', repayment_method: 'interest_first', guarantee_type: 'guarantee', disbursed_on: '2024-05-01', maturity_on: '2027-05-01', restructured: 'true', restructured_on: '2026-06-15' }),
    ],
    loan_balances: [
      miniBalance({ as_of_date: d, loan_id: 'L001', outstanding_principal: '950000.00', days_past_due: '0', recorded_class: '正常', provision_amount: '14250.00' }),
      miniBalance({ as_of_date: d, loan_id: 'L002', outstanding_principal: '25000.00', overdue_principal: '2083.33', overdue_interest: '250.00', days_past_due: '45', recorded_class: '关注', provision_amount: '750.00' }),
      miniBalance({ as_of_date: d, loan_id: 'L003', outstanding_principal: '800000.00', overdue_principal: '100000.00', overdue_interest: '11000.00', days_past_due: '120', recorded_class: '次级', provision_amount: '240000.00' }),
    ],
    repayment_schedule: [
      { loan_id: 'L001', instalment_no: '57', due_on: '2026-09-10', principal_due: '1500.00', interest_due: '3300.00' },
      { loan_id: 'L002', instalment_no: '12', due_on: '2026-09-01', principal_due: '2083.33', interest_due: '250.00' },
      { loan_id: 'L003', instalment_no: '29', due_on: '2026-09-01', principal_due: '0.00', interest_due: '3666.67' },
    ],
    repayments: [
      { repayment_id: 'R001', loan_id: 'L001', instalment_no: '57', paid_on: '2026-09-10', principal_paid: '1500.00', interest_paid: '3300.00' },
      { repayment_id: 'R002', loan_id: 'L002', instalment_no: '11', paid_on: '2026-09-05', principal_paid: '2083.33', interest_paid: '270.83' },
      { repayment_id: 'R003', loan_id: 'L003', instalment_no: '28', paid_on: '2026-08-02', principal_paid: '0.00', interest_paid: '3666.67' },
    ],
    warnings: [
      { warning_id: 'W001', customer_id: 'C003', loan_id: 'L003', signal_type: 'court_case', signal_on: '2026-05-01', raised_at: '2026-05-02 09:00:00', severity: 'high' },
      { warning_id: 'W002', customer_id: 'C002', signal_type: 'income_drop', signal_on: '2026-08-10', raised_at: '2026-08-20 10:30:00', severity: 'medium', closed_at: '2026-09-01 12:00:00' },
    ],
    risk_scores: [
      { customer_id: 'C001', scored_on: d, model_version: 'pd-2.3', pd: '0.010000', predicted_default: 'false' },
      { customer_id: 'C003', scored_on: d, model_version: 'pd-2.3', pd: '0.450000', predicted_default: 'true' },
    ],
    verifications: [
      { verification_id: 'V001', customer_id: 'C001', submitted_at: '2026-09-01 09:00:00', verified_at: '2026-09-01 15:00:00', result: 'pass', audit_outcome: 'correct' },
      { verification_id: 'V002', customer_id: 'C002', submitted_at: '2026-09-02 09:00:00', result: 'pending' },
    ],
    surveys: [
      { survey_id: 'S001', customer_id: 'C001', surveyed_on: '2026-09-15', channel: 'app', score: '90' },
      { survey_id: 'S002', customer_id: 'C002', surveyed_on: '2026-09-16', channel: 'branch', score: '70' },
    ],
  };
}

/**
 * A loans row: a CNY loan, not restructured, unless `values` says otherwise.
 *
 * @example
 * miniLoan({ loan_id: 'L004', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' });
 */
export function miniLoan(values: Readonly<Record<string, string>>): Record<string, string> {
  return { currency: 'CNY', annual_rate: '0.06', term_months: '36', repayment_method: 'equal_instalment', guarantee_type: 'credit', restructured: 'false', ...values };
}

/**
 * A loan_balances row: active, nothing overdue, unless `values` says otherwise.
 *
 * @example
 * miniBalance({ as_of_date: '2026-09-30', loan_id: 'L004', outstanding_principal: '1.00', days_past_due: '0', recorded_class: '正常', provision_amount: '0.02' });
 */
export function miniBalance(values: Readonly<Record<string, string>>): Record<string, string> {
  return { overdue_principal: '0.00', overdue_interest: '0.00', status: 'active', ...values };
}

/**
 * Writes mini rows as an extract folder `<dir>/<date>/<entity>.csv` with contract headers.
 * `edit` may change rows or headers of any entity before writing; each row is written under the
 * (possibly edited) header by column name, columns it does not give left empty.
 *
 * @example
 * const dir = writeMiniExtract((r) => { r.loans.push(miniLoan({ loan_id: 'L009', customer_id: 'NOPE', ... })); });
 */
export function writeMiniExtract(
  edit: (rows: MiniRows, headers: Record<string, string>) => void = () => {},
  opts: { dir?: string; date?: string } = {},
): { dir: string; dateDir: string; date: string } {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cq-extract-'));
  const date = opts.date ?? '2026-09-30';
  const rows = miniRows();
  const headers: Record<string, string> = Object.fromEntries(ENTITIES.map((e) => [e.name, contractHeader(e.name)]));
  edit(rows, headers);
  const dateDir = join(dir, date);
  mkdirSync(dateDir, { recursive: true });
  for (const e of ENTITIES) {
    const lines = (rows as Partial<MiniRows>)[e.name];
    if (lines === undefined) continue; // deleted by the edit: a missing file
    writeExtractCsv(join(dateDir, `${e.name}.csv`), e.name, lines, headers[e.name]);
  }
  return { dir, dateDir, date };
}
