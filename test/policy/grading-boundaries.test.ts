import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTITIES, type EntityName } from '../../transforms/ingest/contract/index.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import { buildModelsAndKpis } from '../../transforms/operations/pipeline-steps.js';
import { pdUsableSql, ruleGradeSql } from '../../transforms/warehouse/rules-sql.js';
import { loadPolicy, SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { csvLine } from '../helpers/csv-line.js';

/**
 * Every boundary of docs/grading.md (and the floor boundaries of docs/classification.md), with the
 * shipped policy (policy/*.yaml, read through the loader): a case exactly at each threshold and one
 * step across, first on the SQL expressions, then through load + build on hand-made customers.
 */
const SHIPPED = loadPolicy();

let mem: WarehouseHandle;
beforeAll(async () => {
  mem = await openWarehouse(':memory:');
});
afterAll(async () => {
  await mem?.close();
});

describe('rule grade thresholds (ruleGradeSql, policy/customer-grading.yaml)', () => {
  /** [worst recorded class rank, max dpd, usable PD, written off in the month] → grade. */
  const grade = async (rows: [number | null, number | null, number | null, boolean][]) => {
    const values = rows.map(([c, d, p, w], k) => `(${k}, ${c ?? 'NULL::INTEGER'}, ${d ?? 'NULL::INTEGER'}, ${p ?? 'NULL::DOUBLE'}, ${w})`).join(', ');
    const expr = ruleGradeSql({ maxClassRank: 'c', maxDpd: 'd', pd: 'p', hasWrittenOff: 'w' }, SHIPPED.grading);
    return (await mem.all<{ g: string }>(`SELECT ${expr} AS g FROM (VALUES ${values}) AS t(k, c, d, p, w) ORDER BY k`)).map((r) => r.g);
  };

  it('days past due: C is "more than 90" (90 → B, 91 → C); B is "more than 0" (0 → A, 1 → B)', async () => {
    expect(await grade([[1, 90, null, false], [1, 91, null, false], [1, 0, null, false], [1, 1, null, false]])).toEqual(['B', 'C', 'A', 'B']);
  });

  it('PD: "at least" — 0.2 → C, 0.1999 → B; 0.05 → B, 0.0499 → A (DOUBLE and DECIMAL PDs alike)', async () => {
    expect(await grade([[null, null, 0.2, false], [null, null, 0.1999, false], [null, null, 0.05, false], [null, null, 0.0499, false]])).toEqual(['C', 'B', 'B', 'A']);
    // PDs as delivered are DECIMAL(7,6) in staging: 0.200000 must compare equal to 0.2.
    const expr = ruleGradeSql({ maxClassRank: 'NULL', maxDpd: 'NULL', pd: 'p', hasWrittenOff: 'false' }, SHIPPED.grading);
    const rows = await mem.all<{ g: string }>(`SELECT ${expr} AS g FROM (VALUES (1, 0.200000::DECIMAL(7,6)), (2, 0.050000::DECIMAL(7,6)), (3, 0.049999::DECIMAL(7,6))) t(k, p) ORDER BY k`);
    expect(rows.map((r) => r.g)).toEqual(['C', 'B', 'A']);
  });

  it('class: C from 次级 (rank 3), B from 关注 (rank 2); 正常 → A', async () => {
    expect(await grade([[3, 0, null, false], [2, 0, null, false], [1, 0, null, false], [5, 0, null, false]])).toEqual(['C', 'B', 'A', 'C']);
  });

  it('write-off in the month → C; none → A', async () => {
    expect(await grade([[1, 0, null, true], [1, 0, null, false]])).toEqual(['C', 'A']);
  });
});

describe('score age (pdUsableSql): used when scored on or after the same day pd_max_age_months before the month end', () => {
  const usable = async (cases: [scoredOn: string, asOf: string, months: number][]) => {
    const out: boolean[] = [];
    for (const [scoredOn, asOf, months] of cases) {
      const sql = pdUsableSql(`DATE '${scoredOn}'`, `DATE '${asOf}'`, { ...SHIPPED.grading, pdMaxAgeMonths: months });
      out.push((await mem.all<{ u: boolean }>(`SELECT ${sql} AS u`))[0]!.u);
    }
    return out;
  };

  it('12 months at 2026-10-31: 2025-10-31 used (exactly 12 months), 2025-10-30 ignored (12 months and a day)', async () => {
    expect(await usable([['2025-10-31', '2026-10-31', 12], ['2025-10-30', '2026-10-31', 12], ['2026-10-31', '2026-10-31', 12]])).toEqual([true, false, true]);
  });

  it('shorter months clamp to their last day: 2024-02-29 − 12 months = 2023-02-28; 2026-09-30 − 6 = 2026-03-30', async () => {
    expect(
      await usable([
        ['2023-02-28', '2024-02-29', 12], // the cut-off itself: used
        ['2023-02-27', '2024-02-29', 12], // a day before: ignored
        ['2026-03-30', '2026-09-30', 6], // cut-off 2026-03-30: used
        ['2026-03-31', '2026-09-30', 6], // after the cut-off: used
        ['2026-03-29', '2026-09-30', 6], // ignored
        ['2026-02-28', '2026-03-31', 1], // 2026-03-31 − 1 month = 2026-02-28: used
        ['2026-02-27', '2026-03-31', 1], // ignored
      ]),
    ).toEqual([true, false, true, true, false, true, false]);
  });
});

// ---------------------------------------------------------------------------------------------
// Through load and build: customers G01…G18, one boundary each.
//
// Business dates (one folder each): P = 2026-09-30 (M−1), M = 2026-10-31.
// Every customer is individual, branch BJ01, onboarded 2020-01-01. Loans are CNY consumer
// instalments of 10,000 with a snapshot of 10,000 outstanding on each date (unless noted).
//
//   cust  loan(s) at M                         score(s) known at M           rule grade at M
//   G01   dpd 90, 正常                           —                             B (90 is not > 90; > 0)
//   G02   dpd 91, 正常                           —                             C (91 > 90)
//   G03   dpd 0,  正常                           —                             A
//   G04   dpd 1,  正常                           —                             B (1 > 0)
//   G05   dpd 0,  次级                           —                             C (次级 or worse)
//   G06   dpd 0,  关注                           —                             B (关注 or worse)
//   G07   dpd 0,  正常                           2026-10-15 PD 0.200000       C (PD ≥ 0.2)
//   G08   dpd 0,  正常                           2026-10-15 PD 0.199900       B (PD ≥ 0.05, < 0.2)
//   G09   dpd 0,  正常                           2026-10-15 PD 0.050000       B (PD ≥ 0.05)
//   G10   dpd 0,  正常                           2026-10-15 PD 0.049900       A
//   G11   dpd 0,  正常                           2025-10-31 PD 0.500000       C (exactly 12 months: used)
//   G12   dpd 0,  正常                           2025-10-30 PD 0.500000       A (12 months and a day: ignored)
//   G13   written off in M (status written_off)  —                             C
//   G14   written off in P (no snapshot at M)    —                             A at M (C at P)
//   G16   dpd 0,  正常                           2026-03-31 PD 0.5, latest 2026-09-15 PD 0.01   A (only the latest counts)
//   G17   dpd 270 / 271 / 360 / 361, 次级…损失   —                             C (floors below)
//   G18   restructured 2025-10-31 and 2025-11-01, dpd 0, 正常   —             A (grades use the RECORDED class)
//
// Floors at M (docs/classification.md): G01 dpd 90 → 关注; G02 91 → 次级; G03 0 → 正常; G04 1 → 关注;
// G17: 270 → 次级, 271 → 可疑, 360 → 可疑, 361 → 损失; G18: restructured 2025-10-31 → 正常 (its 12
// months ended on 2026-10-31), restructured 2025-11-01 → 次级 (in its period until 2026-11-01).
// At P (2026-09-30) the loan restructured 2025-10-31 is still in its period → 次级.
const P = '2026-09-30';
const M = '2026-10-31';

type Loan = { id: string; cust: string; restructuredOn?: string; snaps: { date: string; dpd: number; cls: string; status?: string }[] };
const LOANS: Loan[] = [
  { id: 'L01', cust: 'G01', snaps: [{ date: P, dpd: 60, cls: '正常' }, { date: M, dpd: 90, cls: '正常' }] },
  { id: 'L02', cust: 'G02', snaps: [{ date: P, dpd: 61, cls: '正常' }, { date: M, dpd: 91, cls: '正常' }] },
  { id: 'L03', cust: 'G03', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '正常' }] },
  { id: 'L04', cust: 'G04', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 1, cls: '正常' }] },
  { id: 'L05', cust: 'G05', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '次级' }] },
  { id: 'L06', cust: 'G06', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '关注' }] },
  ...['G07', 'G08', 'G09', 'G10', 'G11', 'G12', 'G16'].map((c) => ({ id: `L${c.slice(1)}`, cust: c, snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '正常' }] })),
  { id: 'L13', cust: 'G13', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '正常', status: 'written_off' }] },
  { id: 'L14', cust: 'G14', snaps: [{ date: P, dpd: 0, cls: '正常', status: 'written_off' }] },
  { id: 'L17A', cust: 'G17', snaps: [{ date: P, dpd: 240, cls: '次级' }, { date: M, dpd: 270, cls: '次级' }] },
  { id: 'L17B', cust: 'G17', snaps: [{ date: P, dpd: 241, cls: '次级' }, { date: M, dpd: 271, cls: '可疑' }] },
  { id: 'L17C', cust: 'G17', snaps: [{ date: P, dpd: 330, cls: '可疑' }, { date: M, dpd: 360, cls: '可疑' }] },
  { id: 'L17D', cust: 'G17', snaps: [{ date: P, dpd: 331, cls: '可疑' }, { date: M, dpd: 361, cls: '损失' }] },
  { id: 'L18A', cust: 'G18', restructuredOn: '2025-10-31', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '正常' }] },
  { id: 'L18B', cust: 'G18', restructuredOn: '2025-11-01', snaps: [{ date: P, dpd: 0, cls: '正常' }, { date: M, dpd: 0, cls: '正常' }] },
];
/** Scores: customer, score date, PD, business date that delivers it. */
const SCORES: [string, string, string, string][] = [
  ['G07', '2026-10-15', '0.200000', M],
  ['G08', '2026-10-15', '0.199900', M],
  ['G09', '2026-10-15', '0.050000', M],
  ['G10', '2026-10-15', '0.049900', M],
  ['G11', '2025-10-31', '0.500000', P],
  ['G12', '2025-10-30', '0.500000', P],
  ['G16', '2026-03-31', '0.500000', P],
  ['G16', '2026-09-15', '0.010000', P],
];
const CUSTOMERS = [...new Set([...LOANS.map((l) => l.cust), ...SCORES.map((s) => s[0])])].sort();

function writeBoundaryExtracts(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cq-grade-bounds-'));
  for (const date of [P, M]) {
    const rows: Partial<Record<EntityName, string[]>> = {
      branches: [csvLine('branches', { branch_id: 'BJ01', name_zh: '北京分行', name_en: 'Beijing Branch', region: '华北' })],
      products: [csvLine('products', { product_id: 'consumer_instalment', name_zh: '个人消费分期', name_en: 'Consumer instalment', segment: 'retail' })],
      customers:
        date === P
          ? CUSTOMERS.map((c) =>
              csvLine('customers', { customer_id: c, customer_type: 'individual', name: `测试${c}`, id_number: `ID${c}X`, branch_id: 'BJ01', onboarded_on: '2020-01-01', grade: 'A', graded_on: '2025-01-01' }),
            )
          : [],
      loans:
        date === P
          ? LOANS.map((l) =>
              csvLine('loans', {
                loan_id: l.id, customer_id: l.cust, branch_id: 'BJ01', product_id: 'consumer_instalment', principal: '10000.00', currency: 'CNY',
                annual_rate: '0.0500', term_months: '36', repayment_method: 'equal_instalment', guarantee_type: 'credit',
                disbursed_on: '2024-01-01', maturity_on: '2027-01-01', restructured: l.restructuredOn ? 'true' : 'false', restructured_on: l.restructuredOn ?? '',
              }),
            )
          : [],
      loan_balances: LOANS.flatMap((l) =>
        l.snaps
          .filter((s) => s.date === date)
          .map((s) => {
            const off = s.status === 'written_off';
            return csvLine('loan_balances', {
              as_of_date: date, loan_id: l.id, outstanding_principal: off ? '0.00' : '10000.00', overdue_principal: s.dpd > 0 ? '500.00' : '0.00',
              overdue_interest: '0.00', days_past_due: String(s.dpd), recorded_class: s.cls, provision_amount: off ? '0.00' : '100.00', status: s.status ?? 'active',
            });
          }),
      ),
      risk_scores: SCORES.filter((s) => s[3] === date).map(([c, on, pd]) =>
        csvLine('risk_scores', { customer_id: c, scored_on: on, model_version: 'pd-2.3', pd, predicted_default: Number(pd) >= 0.2 ? 'true' : 'false' }),
      ),
    };
    mkdirSync(join(dir, date), { recursive: true });
    for (const e of ENTITIES) {
      if (e.name === 'fx_rates') continue; // optional; every loan is in CNY
      writeFileSync(join(dir, date, `${e.name}.csv`), [e.columns.map((c) => c.name).join(','), ...(rows[e.name] ?? [])].join('\n') + '\n');
    }
  }
  return dir;
}

describe('grade and floor boundaries through load and build (core.fct_customer_month_ends, core.fct_loan_month_ends)', () => {
  let wh: WarehouseHandle;
  const dir = writeBoundaryExtracts();
  const grades = async (w: WarehouseHandle, month: string) =>
    Object.fromEntries(
      (await w.all<{ customer_id: string; rule_grade: string }>(`SELECT customer_id, CAST(rule_grade AS VARCHAR) AS rule_grade FROM core.fct_customer_month_ends WHERE as_of_month = DATE '${month}' ORDER BY 1`)).map((r) => [
        r.customer_id,
        r.rule_grade,
      ]),
    );
  const floors = async (w: WarehouseHandle, month: string) =>
    Object.fromEntries(
      (await w.all<{ loan_id: string; floor_class: string }>(`SELECT loan_id, CAST(floor_class AS VARCHAR) AS floor_class FROM core.fct_loan_month_ends WHERE as_of_month = DATE '${month}' ORDER BY 1`)).map((r) => [
        r.loan_id,
        r.floor_class,
      ]),
    );

  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    const loads = await loadExtracts(wh, dir);
    const rejects = loads.flatMap((l) => l.files.filter((f) => f.rowsRejected > 0).map((f) => `${l.businessDate} ${f.entity}`));
    expect(rejects).toEqual([]); // every row is a valid boundary case
    await buildWarehouse(wh);
  }, 180_000);
  afterAll(async () => {
    await wh?.close();
  });

  it('rule grades at M = 2026-10-31 are as worked out in the table above', async () => {
    expect(await grades(wh, M)).toEqual({
      G01: 'B', G02: 'C', G03: 'A', G04: 'B', G05: 'C', G06: 'B', G07: 'C', G08: 'B', G09: 'B', G10: 'A',
      G11: 'C', G12: 'A', G13: 'C', G14: 'A', G16: 'A', G17: 'C', G18: 'A',
    });
  });

  it('a write-off counts in its own month only (G14: C at P, A at M); the 12-month score of 2025-10-31 is used at P too', async () => {
    const atP = await grades(wh, P);
    expect(atP.G14).toBe('C'); // written off in 2026-09
    expect(atP.G11).toBe('C'); // 2025-10-31 ≥ 2025-09-30 (P − 12 months)
    expect(atP.G12).toBe('C'); // 2025-10-30 ≥ 2025-09-30: used at P, ignored a month later
    const [pd] = await wh.all<{ pd: number | null; pd_scored_on: string | null }>(
      `SELECT pd::DOUBLE AS pd, pd_scored_on::VARCHAR AS pd_scored_on FROM core.fct_customer_month_ends WHERE customer_id = 'G11' AND as_of_month = DATE '${M}'`,
    );
    expect(pd).toEqual({ pd: 0.5, pd_scored_on: '2025-10-31' });
  });

  it('floors at M and P: dpd "more than" and the restructuring period [restructured_on, + 12 months)', async () => {
    expect(await floors(wh, M)).toMatchObject({
      L01: '关注', // 90 days: not > 90
      L02: '次级', // 91
      L03: '正常', // 0
      L04: '关注', // 1
      L17A: '次级', // 270: not > 270
      L17B: '可疑', // 271
      L17C: '可疑', // 360: not > 360
      L17D: '损失', // 361
      L18A: '正常', // restructured 2025-10-31: period ended on 2026-10-31
      L18B: '次级', // restructured 2025-11-01: in its period until 2026-11-01
    });
    expect((await floors(wh, P)).L18A).toBe('次级'); // 2026-09-30 < 2026-10-31
  });

  it('records the shipped policy files in ops.policy_files (path, SHA-256, text, rules in force)', async () => {
    const rows = await wh.all<{ policy: string; file: string; sha256: string; content: string; rules_json: string; overridden: boolean }>(
      'SELECT policy, file, sha256, content, rules_json, overridden FROM ops.policy_files ORDER BY policy',
    );
    const sha = (f: string) => createHash('sha256').update(readFileSync(join(SHIPPED_POLICY_DIR, f))).digest('hex');
    expect(rows.map((r) => [r.policy, r.file, r.sha256, r.overridden])).toEqual([
      ['classification-floor', 'policy/classification-floor.yaml', sha('classification-floor.yaml'), false],
      ['credit-file-cycles', 'policy/credit-file-cycles.yaml', sha('credit-file-cycles.yaml'), false],
      ['customer-grading', 'policy/customer-grading.yaml', sha('customer-grading.yaml'), false],
      ['kpi-rules', 'policy/kpi-rules.yaml', sha('kpi-rules.yaml'), false],
      ['kpi-targets', 'policy/kpi-targets.yaml', sha('kpi-targets.yaml'), false],
      ['warning-rules', 'policy/warning-rules.yaml', sha('warning-rules.yaml'), false],
    ]);
    const rec = (policy: string) => rows.find((r) => r.policy === policy)!;
    expect(rec('customer-grading').content).toBe(readFileSync(join(SHIPPED_POLICY_DIR, 'customer-grading.yaml'), 'utf8'));
    expect(JSON.parse(rec('customer-grading').rules_json)).toEqual(SHIPPED.grading);
    expect(JSON.parse(rec('kpi-rules').rules_json)).toEqual(SHIPPED.kpi); // the KPI rules in force
    expect(JSON.parse(rec('kpi-targets').rules_json)).toEqual({}); // no KPI target overrides (policy/kpi-targets.yaml: examples in comments only)
    // The credit-file cycles in force, in the file's form.
    expect(JSON.parse(rec('credit-file-cycles').rules_json).elements.site_visit).toEqual({ individual: { required: false }, small_business: { required: true, cycle_months: 3 } });
  });

  it("an operator's policy folder (C over 60 days, scores 6 months) regrades every month, even in a month-incremental build", async () => {
    const op = mkdtempSync(join(tmpdir(), 'cq-policy-op-'));
    cpSync(SHIPPED_POLICY_DIR, op, { recursive: true });
    const gradingFile = join(op, 'customer-grading.yaml');
    const text = readFileSync(gradingFile, 'utf8');
    writeFileSync(gradingFile, text.replace('loan_dpd_over: 90', 'loan_dpd_over: 60').replace('pd_max_age_months: 12', 'pd_max_age_months: 6'));
    // Same warehouse, incremental from M, as a nightly does (policyDir of cq.config.json): the changed
    // policy changes the SQL, so the model is rebuilt in full; the step detail names the files used.
    const { detail } = await buildModelsAndKpis(wh, { policyDir: op, since: M });
    const sha12 = createHash('sha256').update(readFileSync(gradingFile)).digest('hex').slice(0, 12);
    expect(detail).toContain(`policy ${join(op, 'customer-grading.yaml')} sha256 ${sha12}, ${join(op, 'classification-floor.yaml')} sha256 `);
    const atM = await grades(wh, M);
    expect(atM.G01).toBe('C'); // 90 > 60
    expect(atM.G11).toBe('A'); // 2025-10-31 < 2026-04-30 (M − 6 months): ignored
    const atP = await grades(wh, P);
    expect(atP.G01).toBe('B'); // 60 days at P: not > 60
    expect(atP.G02).toBe('C'); // 61 > 60 — a month before `since`, rebuilt with the new policy
    expect(atP.G11).toBe('A'); // 2025-10-31 < 2026-03-30 (P − 6 months)
    const [mode] = await wh.all<{ mode: string }>(`SELECT mode FROM ops.model_builds WHERE model = 'core.fct_customer_month_ends'`);
    expect(mode!.mode).toBe('full');
    const [rec] = await wh.all<{ file: string; sha256: string; rules_json: string }>(`SELECT file, sha256, rules_json FROM ops.policy_files WHERE policy = 'customer-grading'`);
    expect(rec!.file).toBe(gradingFile); // outside the project: the absolute path
    expect(rec!.sha256).toBe(createHash('sha256').update(readFileSync(gradingFile)).digest('hex'));
    expect(JSON.parse(rec!.rules_json).pdMaxAgeMonths).toBe(6);
  }, 180_000);
});
