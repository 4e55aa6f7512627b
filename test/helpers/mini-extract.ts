import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityName } from '../../transforms/ingest/contract/index.js';

/**
 * Rows of a mini extract: entity name → CSV data lines (without header). The optional fx_rates is
 * absent (no file) unless a test sets it.
 */
export type MiniRows = Omit<Record<EntityName, string[]>, 'fx_rates'> & { fx_rates?: string[] };

/**
 * A tiny valid extract for one business date (2026-09-30), written by hand so each loader
 * test can break one thing and count exactly what must be rejected.
 * Counts: branches 2, products 5, customers 3, loans 3, loan_balances 3, repayment_schedule 3,
 * repayments 3, warnings 2, risk_scores 2, verifications 2, surveys 2.
 */
export function miniRows(): MiniRows {
  return {
    branches: ['BJ01,北京分行,Beijing Branch,华北', 'SH01,上海分行,Shanghai Branch,华东'],
    products: [
      'mortgage,个人住房贷款,Residential mortgage,retail',
      'car,个人汽车贷款,Car loan,retail',
      'consumer_instalment,个人消费分期,Consumer instalment,retail',
      'business,小微经营贷款,Small-business loan,small_business',
      'working_capital,流动资金贷款,Working-capital loan,small_business',
    ],
    customers: [
      'C001,individual,张伟,110101199003074514,13800138000,BJ01,,2020-01-15,A,2026-01-01,',
      'C002,individual,李娜,310101198512120029,13900139000,SH01,,2021-06-01,B,2026-01-01,',
      'C003,small_business,"杭州明远贸易有限公司",91330100MA27XL0E2K,,SH01,F,2019-03-20,C,2026-03-01,',
    ],
    loans: [
      'L001,C001,BJ01,mortgage,1000000.00,CNY,0.0410,360,equal_instalment,mortgage,2022-01-10,2052-01-10,false,',
      'L002,C002,SH01,consumer_instalment,50000.00,CNY,0.1200,24,equal_principal,credit,2025-10-01,2027-10-01,false,',
      'L003,C003,SH01,business,800000.00,CNY,0.0550,36,interest_first,guarantee,2024-05-01,2027-05-01,true,2026-06-15',
    ],
    loan_balances: [
      '2026-09-30,L001,950000.00,0.00,0.00,0,正常,14250.00,active',
      '2026-09-30,L002,25000.00,2083.33,250.00,45,关注,750.00,active',
      '2026-09-30,L003,800000.00,100000.00,11000.00,120,次级,240000.00,active',
    ],
    repayment_schedule: ['L001,57,2026-09-10,1500.00,3300.00', 'L002,12,2026-09-01,2083.33,250.00', 'L003,29,2026-09-01,0.00,3666.67'],
    repayments: ['R001,L001,57,2026-09-10,1500.00,3300.00', 'R002,L002,11,2026-09-05,2083.33,270.83', 'R003,L003,28,2026-08-02,0.00,3666.67'],
    warnings: [
      'W001,C003,L003,court_case,2026-05-01,2026-05-02 09:00:00,high,',
      'W002,C002,,income_drop,2026-08-10,2026-08-20 10:30:00,medium,2026-09-01 12:00:00',
    ],
    risk_scores: ['C001,2026-09-30,pd-2.3,0.010000,false', 'C003,2026-09-30,pd-2.3,0.450000,true'],
    verifications: [
      'V001,C001,2026-09-01 09:00:00,2026-09-01 15:00:00,pass,correct',
      'V002,C002,2026-09-02 09:00:00,,pending,',
    ],
    surveys: ['S001,C001,2026-09-15,app,90', 'S002,C002,2026-09-16,branch,70'],
  };
}

/**
 * Writes mini rows as an extract folder `<dir>/<date>/<entity>.csv` with contract headers.
 * `edit` may change rows or headers of any entity before writing.
 *
 * @example
 * const dir = writeMiniExtract((r) => { r.loans.push('L009,NOPE,...'); });
 */
export function writeMiniExtract(
  edit: (rows: MiniRows, headers: Record<string, string>) => void = () => {},
  opts: { dir?: string; date?: string } = {},
): { dir: string; dateDir: string; date: string } {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cq-extract-'));
  const date = opts.date ?? '2026-09-30';
  const rows = miniRows();
  const headers: Record<string, string> = Object.fromEntries(ENTITIES.map((e) => [e.name, e.columns.map((c) => c.name).join(',')]));
  edit(rows, headers);
  const dateDir = join(dir, date);
  mkdirSync(dateDir, { recursive: true });
  for (const e of ENTITIES) {
    const lines = (rows as Partial<MiniRows>)[e.name];
    if (lines === undefined) continue; // deleted by the edit: a missing file
    writeFileSync(join(dateDir, `${e.name}.csv`), [headers[e.name], ...lines].join('\n') + '\n');
  }
  return { dir, dateDir, date };
}
