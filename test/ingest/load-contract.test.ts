import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError } from '../../transforms/lib/errors.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { normalisedText, typedInputColumn } from '../../transforms/ingest/load/validation-sql.js';
import { ENTITIES } from '../../transforms/ingest/contract/index.js';
import { literalLine } from '../helpers/extract-rows.js';
import { miniBalance, miniLoan, writeMiniExtract, type MiniRows } from '../helpers/mini-extract.js';

/**
 * Contract enforcement on the hand-written mini extract (test/helpers/mini-extract.ts).
 * Each fault test breaks exactly one thing; expected counts follow from the mini rows:
 * e.g. loans has 3 valid data lines on lines 2–4, so an appended bad loan sits on line 5.
 */

let wh: WarehouseHandle;
const dirs: string[] = [];
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
});
afterEach(async () => {
  await wh.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function extract(edit?: (rows: MiniRows, headers: Record<string, string>) => void, opts: { dir?: string; date?: string } = {}) {
  const x = writeMiniExtract(edit, opts);
  if (!opts.dir) dirs.push(x.dir);
  return x;
}

async function rejected(entity?: string) {
  return wh.all<{ line: bigint; column_name: string | null; reason_code: string; reason: string }>(
    `SELECT line, column_name, reason_code, reason FROM ops.rejected_rows ${entity ? `WHERE entity = '${entity}'` : ''} ORDER BY entity, line`,
  );
}

async function audit(entity: string) {
  const [row] = await wh.all<{ rows_read: bigint; rows_loaded: bigint; rows_rejected: bigint }>(
    `SELECT rows_read, rows_loaded, rows_rejected FROM ops.load_audit WHERE entity = '${entity}'`,
  );
  return { read: Number(row!.rows_read), loaded: Number(row!.rows_loaded), rejected: Number(row!.rows_rejected) };
}

async function count(table: string) {
  return Number((await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

async function loadError(dir: string): Promise<CqError> {
  const e = await loadExtracts(wh, dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CqError);
  return e as CqError;
}

describe('valid extract', () => {
  it('loads every row and reconciles read = loaded + rejected per file', async () => {
    const { dir } = extract();
    const [load] = await loadExtracts(wh, dir);
    // Mini counts: branches 2, products 5, customers 3, loans 3, balances 3, schedule 3, repayments 3,
    // warnings 2, scores 2, verifications 2, surveys 2.
    expect(Object.fromEntries(load!.files.map((f) => [f.entity, f.rowsLoaded]))).toEqual({
      branches: 2, products: 5, customers: 3, loans: 3, loan_balances: 3, repayment_schedule: 3,
      repayments: 3, warnings: 2, risk_scores: 2, verifications: 2, surveys: 2,
    });
    const bad = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ops.load_audit WHERE rows_read <> rows_loaded + rows_rejected OR rows_rejected <> 0`);
    expect(Number(bad[0]!.n)).toBe(0);
    expect(await count('ops.load_audit')).toBe(11);
    expect(await count('raw.loans')).toBe(3);
    // Lineage: L002 came from loans.csv line 3.
    const [l2] = await wh.all<{ _source_line: bigint; _source_file: string }>(`SELECT _source_line, _source_file FROM raw.loans WHERE loan_id = 'L002'`);
    expect(Number(l2!._source_line)).toBe(3);
    expect(l2!._source_file).toMatch(/2026-09-30\/loans\.csv$/);
    // Money is exact to the cent.
    const [sum] = await wh.all<{ s: string }>(`SELECT sum(outstanding_principal)::VARCHAR AS s FROM raw.loan_balances`);
    expect(sum!.s).toBe('1775000.00');
  });

  it('records SHA-256 and size of each file', async () => {
    const { dateDir } = extract();
    await loadExtracts(wh, join(dateDir, '..'));
    const [row] = await wh.all<{ sha256: string; bytes: bigint }>(`SELECT sha256, bytes FROM ops.load_audit WHERE entity = 'loans'`);
    const bytes = readFileSync(join(dateDir, 'loans.csv'));
    const { createHash } = await import('node:crypto');
    expect(row!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Number(row!.bytes)).toBe(bytes.length);
  });
});

describe('row-level faults are rejected with file, line, column and reason', () => {
  it('wrong type: days_past_due "abc"', async () => {
    const { dir } = extract((r) => r.loan_balances.push(miniBalance({ as_of_date: '2026-09-30', loan_id: 'L001', outstanding_principal: '1.00', days_past_due: 'abc', recorded_class: '正常', provision_amount: '0.00' })));
    // The new row duplicates (L001, 2026-09-30) too, but the column check comes first.
    await loadExtracts(wh, dir);
    expect(await rejected()).toEqual([
      expect.objectContaining({ line: 5n, column_name: 'days_past_due', reason_code: 'invalid_type', reason: expect.stringMatching(/loan_balances\.csv: line 5, column days_past_due: 'abc' is not a whole number/) }),
    ]);
    expect(await audit('loan_balances')).toEqual({ read: 4, loaded: 3, rejected: 1 });
  });

  it('unparseable date: disbursed_on 2026-13-45 and 2026-02-30', async () => {
    const { dir } = extract((r) => {
      r.loans.push(miniLoan({ loan_id: 'L004', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-13-45', maturity_on: '2029-01-01' }));
      r.loans.push(miniLoan({ loan_id: 'L005', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-02-30', maturity_on: '2029-01-01' }));
    });
    await loadExtracts(wh, dir);
    const rows = await rejected('loans');
    expect(rows.map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([
      [5, 'disbursed_on', 'invalid_date'],
      [6, 'disbursed_on', 'invalid_date'],
    ]);
    expect(rows[0]!.reason).toContain("'2026-13-45' is not a valid date (YYYY-MM-DD)");
    expect(await audit('loans')).toEqual({ read: 5, loaded: 3, rejected: 2 });
  });

  it('negative amount: principal_paid -100.00', async () => {
    const { dir } = extract((r) => r.repayments.push({ repayment_id: 'R004', loan_id: 'L001', instalment_no: '58', paid_on: '2026-09-30', principal_paid: '-100.00', interest_paid: '0.00' }));
    await loadExtracts(wh, dir);
    expect((await rejected()).map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([[5, 'principal_paid', 'negative_amount']]);
    expect(await audit('repayments')).toEqual({ read: 4, loaded: 3, rejected: 1 });
  });

  it('spaces around values (ASCII, full-width U+3000, no-break U+00A0) are trimmed; a tab is not a space', async () => {
    const { dir } = extract((r) => {
      // Line 5: ' 2026-09-30' and '正常　' (full-width space) and '\u00a0active' → loads as clean values.
      r.loan_balances.push(miniBalance({ as_of_date: ' 2026-09-30', loan_id: 'L004 ', outstanding_principal: '1.00', days_past_due: '0', recorded_class: '正常\u3000', provision_amount: '0.00', status: '\u00a0active' }));
      // Line 6: a tab before the code is kept, so the code is unknown.
      r.loan_balances.push(miniBalance({ as_of_date: '2026-09-30', loan_id: 'L005', outstanding_principal: '1.00', days_past_due: '0', recorded_class: '\t正常', provision_amount: '0.00' }));
      // Line 7: a value of only full-width spaces is empty → required value missing.
      r.loan_balances.push(miniBalance({ as_of_date: '2026-09-30', loan_id: 'L006', outstanding_principal: '1.00', days_past_due: '0', recorded_class: '\u3000\u3000', provision_amount: '0.00' }));
      r.loans.push(miniLoan({ loan_id: 'L004', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' }));
      r.loans.push(miniLoan({ loan_id: 'L005', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' }));
      r.loans.push(miniLoan({ loan_id: 'L006', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' }));
    });
    await loadExtracts(wh, dir);
    expect((await rejected('loan_balances')).map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([
      [6, 'recorded_class', 'invalid_code'],
      [7, 'recorded_class', 'missing_value'],
    ]);
    const [l4] = await wh.all<{ as_of_date: string; loan_id: string; recorded_class: string; status: string }>(
      `SELECT as_of_date::VARCHAR AS as_of_date, loan_id, recorded_class, status FROM raw.loan_balances WHERE _source_line = 5`,
    );
    expect(l4).toEqual({ as_of_date: '2026-09-30', loan_id: 'L004', recorded_class: '正常', status: 'active' });
    expect(await audit('loan_balances')).toEqual({ read: 6, loaded: 4, rejected: 2 });
  });

  it('the trim fast path gives exactly nullif(trim(v), \'\') for every Unicode code point at either end', async () => {
    // 1,112,063 code points (no surrogates) × 4 shapes: c+x+c, c+x, x+c, c alone. Fails if DuckDB's trim
    // starts removing a character the fast path's pre-check does not look for.
    const [r] = await wh.all<{ n: bigint; diff: bigint; first: number | null }>(
      `WITH cps AS (SELECT i::INTEGER AS cp FROM range(1, 1114112) t(i) WHERE i NOT BETWEEN 55296 AND 57343),
       vals AS (SELECT cp, unnest([chr(cp) || 'x' || chr(cp), chr(cp) || 'x', 'x' || chr(cp), chr(cp)]) AS v FROM cps)
       SELECT count(*) AS n, count(*) FILTER (WHERE d) AS diff, min(cp) FILTER (WHERE d) AS first
       FROM (SELECT cp, nullif(trim(v), '') IS DISTINCT FROM (${normalisedText('v')}) AS d FROM vals)`,
    );
    expect(Number(r!.n)).toBe(1_112_063 * 4);
    expect({ diff: Number(r!.diff), first: r!.first }).toEqual({ diff: 0, first: null });
  });

  it('amount with more than 2 decimals is rejected, not rounded', async () => {
    const { dir } = extract((r) => r.repayments.push({ repayment_id: 'R004', loan_id: 'L001', instalment_no: '58', paid_on: '2026-09-30', principal_paid: '100.005', interest_paid: '0.00' }));
    await loadExtracts(wh, dir);
    expect((await rejected()).map((r) => r.reason_code)).toEqual(['invalid_type']);
  });

  it('duplicate key: the first occurrence is kept, the repeat is rejected naming the first line', async () => {
    const { dir } = extract((r) => r.loans.push(r.loans[1]!));
    await loadExtracts(wh, dir);
    const rows = await rejected();
    expect(rows.map((r) => [Number(r.line), r.reason_code])).toEqual([[5, 'duplicate_key']]);
    expect(rows[0]!.reason).toContain('(loan_id) = (L002) repeats line 3');
    expect(await count('raw.loans')).toBe(3);
  });

  it('loan whose customer does not exist', async () => {
    const { dir } = extract((r) => r.loans.push(miniLoan({ loan_id: 'L004', customer_id: 'C999', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' })));
    await loadExtracts(wh, dir);
    const rows = await rejected();
    expect(rows.map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([[5, 'customer_id', 'unknown_reference']]);
    expect(rows[0]!.reason).toContain("customer_id 'C999' does not exist in customers");
  });

  it('balance row for an unknown loan', async () => {
    const { dir } = extract((r) => r.loan_balances.push(miniBalance({ as_of_date: '2026-09-30', loan_id: 'L404', outstanding_principal: '1.00', days_past_due: '0', recorded_class: '正常', provision_amount: '0.02' })));
    await loadExtracts(wh, dir);
    expect((await rejected()).map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([[5, 'loan_id', 'unknown_reference']]);
    expect(await audit('loan_balances')).toEqual({ read: 4, loaded: 3, rejected: 1 });
  });

  it('rows that reference a rejected parent are rejected too (nothing dangles)', async () => {
    // The loan is rejected (bad product code), so its balance row has no loan to attach to.
    const { dir } = extract((r) => {
      r.loans.push(miniLoan({ loan_id: 'L004', customer_id: 'C001', branch_id: 'BJ01', product_id: 'yacht', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' }));
      r.loan_balances.push(miniBalance({ as_of_date: '2026-09-30', loan_id: 'L004', outstanding_principal: '1.00', days_past_due: '0', recorded_class: '正常', provision_amount: '0.02' }));
    });
    await loadExtracts(wh, dir);
    expect((await rejected()).map((r) => [r.reason_code, r.column_name])).toEqual([
      ['unknown_reference', 'loan_id'],
      ['invalid_code', 'product_id'],
    ]);
  });

  it('references from several files to one parent: each unknown one is rejected in its own file, parents of this and earlier dates count', async () => {
    // Date 1 is the mini extract (loans L001–L003, customers C001–C003). Date 2 re-delivers L001,
    // adds L005 (new, valid) and L004 (customer C999 unknown → rejected, so nothing may point at it).
    // The files of date 2 pointing at loans and customers are checked together, after the loans file:
    //   loan_balances  L001 ok, L002 ok (loaded on date 1 only), L005 ok (new today), L004 ✗ line 5, L404 ✗ line 6
    //   schedule       L002 ok, L777 ✗ line 3
    //   repayments     R101 → L003 ok, R102 → L404 ✗ line 3
    //   warnings       W003 (C003, L404) ✗ loan_id line 2; W004 (C999, L404) ✗ customer_id line 3 (first reference wins)
    //   risk_scores    C001 ok, C999 ✗ line 3
    // = 1 loan + 2 + 1 + 1 + 2 + 1 = 8 rejected on date 2.
    const { dir } = extract();
    extract(
      (r) => {
        r.loans = [
          r.loans[0]!,
          miniLoan({ loan_id: 'L004', customer_id: 'C999', branch_id: 'BJ01', product_id: 'car', principal: '100000.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' }),
          miniLoan({ loan_id: 'L005', customer_id: 'C001', branch_id: 'BJ01', product_id: 'car', principal: '90000.00', annual_rate: '0.05', disbursed_on: '2026-10-10', maturity_on: '2029-10-10' }),
        ];
        r.loan_balances = ['L001', 'L002', 'L005', 'L004', 'L404'].map((l) =>
          miniBalance({ as_of_date: '2026-10-31', loan_id: l, outstanding_principal: '1000.00', days_past_due: '0', recorded_class: '正常', provision_amount: '10.00' }),
        );
        r.repayment_schedule = [
          { loan_id: 'L002', instalment_no: '13', due_on: '2026-10-01', principal_due: '2083.33', interest_due: '250.00' },
          { loan_id: 'L777', instalment_no: '1', due_on: '2026-10-01', principal_due: '1.00', interest_due: '1.00' },
        ];
        r.repayments = [
          { repayment_id: 'R101', loan_id: 'L003', instalment_no: '29', paid_on: '2026-10-02', principal_paid: '0.00', interest_paid: '3666.67' },
          { repayment_id: 'R102', loan_id: 'L404', instalment_no: '1', paid_on: '2026-10-02', principal_paid: '1.00', interest_paid: '1.00' },
        ];
        const warning = { signal_type: 'court_case', signal_on: '2026-10-01', raised_at: '2026-10-02 09:00:00', severity: 'high' };
        r.warnings = [
          { warning_id: 'W003', customer_id: 'C003', loan_id: 'L404', ...warning },
          { warning_id: 'W004', customer_id: 'C999', loan_id: 'L404', ...warning },
        ];
        r.risk_scores = [
          { customer_id: 'C001', scored_on: '2026-10-31', model_version: 'pd-2.3', pd: '0.010000', predicted_default: 'false' },
          { customer_id: 'C999', scored_on: '2026-10-31', model_version: 'pd-2.3', pd: '0.200000', predicted_default: 'false' },
        ];
        r.surveys = [];
      },
      { dir, date: '2026-10-31' },
    );
    await loadExtracts(wh, dir);
    const rows = await wh.all<{ entity: string; line: bigint; column_name: string; reason_code: string; reason: string }>(
      `SELECT entity, line, column_name, reason_code, reason FROM ops.rejected_rows WHERE business_date = DATE '2026-10-31' ORDER BY entity, line`,
    );
    expect(rows.map((r) => [r.entity, Number(r.line), r.column_name, r.reason_code])).toEqual([
      ['loan_balances', 5, 'loan_id', 'unknown_reference'],
      ['loan_balances', 6, 'loan_id', 'unknown_reference'],
      ['loans', 3, 'customer_id', 'unknown_reference'],
      ['repayment_schedule', 3, 'loan_id', 'unknown_reference'],
      ['repayments', 3, 'loan_id', 'unknown_reference'],
      ['risk_scores', 3, 'customer_id', 'unknown_reference'],
      ['warnings', 2, 'loan_id', 'unknown_reference'],
      ['warnings', 3, 'customer_id', 'unknown_reference'],
    ]);
    expect(rows[1]!.reason).toContain("line 6, column loan_id: loan_id 'L404' does not exist in loans (this or any earlier business date)");
    expect(rows[7]!.reason).toContain("customer_id 'C999' does not exist in customers");
    const loaded = await wh.all<{ loan_id: string }>(`SELECT loan_id FROM raw.loan_balances WHERE _business_date = DATE '2026-10-31' ORDER BY loan_id`);
    expect(loaded.map((r) => r.loan_id)).toEqual(['L001', 'L002', 'L005']);
  });

  it('a contract rule: warning raised before its signal', async () => {
    const { dir } = extract((r) => r.warnings.push({ warning_id: 'W003', customer_id: 'C001', signal_type: 'court_case', signal_on: '2026-09-10', raised_at: '2026-09-09 10:00:00', severity: 'low' }));
    await loadExtracts(wh, dir);
    const rows = await rejected();
    expect(rows.map((r) => [Number(r.line), r.reason_code])).toEqual([[4, 'rule_violation']]);
    expect(rows[0]!.reason).toContain('raised_at is before signal_on');
  });

  it('truncated last line (cut inside the last field, no final newline)', async () => {
    const { dateDir, dir } = extract();
    const path = join(dateDir, 'loan_balances.csv');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 'tive\n'.length)); // "...,ac" — still 9 fields
    await loadExtracts(wh, dir);
    expect((await rejected()).map((r) => [Number(r.line), r.reason_code])).toEqual([[4, 'truncated_line']]);
    expect(await audit('loan_balances')).toEqual({ read: 3, loaded: 2, rejected: 1 });
  });

  it('truncated last line (cut mid-row: too few fields)', async () => {
    const { dateDir, dir } = extract();
    const path = join(dateDir, 'loan_balances.csv');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.lastIndexOf(',0,次级'))); // "2026-09-30,L003,800000.00,100000.00,11000.00"
    await loadExtracts(wh, dir);
    const rows = await rejected();
    expect(rows.map((r) => [Number(r.line), r.reason_code])).toEqual([[4, 'truncated_line']]);
    expect(await audit('loan_balances')).toEqual({ read: 3, loaded: 2, rejected: 1 });
  });

  it('malformed line in the middle: later lines keep their true line numbers', async () => {
    const { dir } = extract((r) => {
      r.surveys.splice(1, 0, literalLine('S009,C001,2026-09-15,app')); // line 3: too few fields
      r.surveys.push({ survey_id: 'S010', customer_id: 'C001', surveyed_on: '2026-09-20', channel: 'web', score: '101' }); // line 5: out of range
    });
    await loadExtracts(wh, dir);
    expect((await rejected()).map((r) => [Number(r.line), r.reason_code, r.column_name])).toEqual([
      [3, 'malformed_line', 'score'], // DuckDB names the first missing field
      [5, 'out_of_range', 'score'],
    ]);
    const lines = await wh.all<{ survey_id: string; l: number }>(`SELECT survey_id, _source_line::INTEGER AS l FROM raw.surveys ORDER BY l`);
    expect(lines).toEqual([
      { survey_id: 'S001', l: 2 },
      { survey_id: 'S002', l: 4 },
    ]);
    expect(await audit('surveys')).toEqual({ read: 4, loaded: 2, rejected: 2 });
  });
  it('a file large enough for the parallel CSV reader keeps every true line number', async () => {
    // 299,999 survey rows (~9 MB, several 2 MB scan ranges) on lines 2..300,000; the row on line n has
    // survey_id 'S<n>'. Line 100,000 is malformed (4 fields: not parsed) and line 299,990 has score
    // 101 (> 100). So read 299,999 = loaded 299,997 + rejected 2, and every loaded row's
    // _source_line equals the number in its survey_id.
    const { dir } = extract((r) => {
      r.surveys = Array.from({ length: 299_999 }, (_, i) => {
        const line = i + 2;
        if (line === 100_000) return literalLine(`S${line},C001,2026-09-15,app`);
        return { survey_id: `S${line}`, customer_id: `C00${1 + (i % 3)}`, surveyed_on: '2026-09-15', channel: 'app', score: String(line === 299_990 ? 101 : 80) };
      });
    });
    await loadExtracts(wh, dir);
    expect((await rejected('surveys')).map((r) => [Number(r.line), r.reason_code])).toEqual([
      [100_000, 'malformed_line'],
      [299_990, 'out_of_range'],
    ]);
    const [m] = await wh.all<{ n: bigint; wrong: bigint }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE _source_line <> CAST(substr(survey_id, 2) AS BIGINT)) AS wrong FROM raw.surveys`,
    );
    expect(Number(m!.n)).toBe(299_997);
    expect(Number(m!.wrong)).toBe(0);
    expect(await audit('surveys')).toEqual({ read: 299_999, loaded: 299_997, rejected: 2 });
  });
});

describe('structural faults fail the load and leave the warehouse untouched', () => {
  async function loadGoodFirstDate(): Promise<string> {
    const { dir } = extract(undefined, { date: '2026-08-31' });
    await loadExtracts(wh, dir);
    return dir;
  }

  async function snapshot() {
    return wh.all(`SELECT (SELECT count(*) FROM raw.loans) AS loans, (SELECT count(*) FROM ops.load_audit) AS audit, (SELECT count(*) FROM ops.rejected_rows) AS rej`);
  }

  it('missing file', async () => {
    const dir = await loadGoodFirstDate();
    const before = await snapshot();
    extract((r) => delete (r as Partial<MiniRows>).repayments, { dir, date: '2026-09-30' });
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_MISSING_FILE');
    expect(e.message).toMatch(/2026-09-30\/repayments\.csv: missing/);
    expect(await snapshot()).toEqual(before);
  });

  it('missing column', async () => {
    const dir = await loadGoodFirstDate();
    const before = await snapshot();
    extract((r, h) => {
      h.loans = h.loans!.replace(',principal', ''); // rows are written under the header: no principal field either
    }, { dir, date: '2026-09-30' });
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_MISSING_COLUMN');
    expect(e.message).toMatch(/loans\.csv: line 1 \(header\): required column\(s\) "principal" missing/);
    expect(e.where.column).toBe('principal');
    expect(await snapshot()).toEqual(before);
  });

  it('renamed column is reported with the unexpected name', async () => {
    const { dir } = extract((_r, h) => (h.loans = h.loans!.replace(',principal,', ',principal_amt,')));
    const e = await loadError(dir);
    expect(e.message).toContain('"principal" missing. The file has unexpected column(s) "principal_amt": renamed?');
  });

  it('wrong encoding: GB18030 bytes in a file declared UTF-8', async () => {
    const dir = await loadGoodFirstDate();
    const before = await snapshot();
    const { dateDir } = extract(undefined, { dir, date: '2026-09-30' });
    const path = join(dateDir, 'customers.csv');
    writeFileSync(path, iconv.encode(readFileSync(path, 'utf8'), 'gb18030'));
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_ENCODING');
    // Line 2 is the first data line (张伟), field 3 is the name.
    expect(e.message).toMatch(/customers\.csv: line 2, field 3: the file is not valid UTF-8.*gb18030/s);
    expect(await snapshot()).toEqual(before);
  });

  it('a failure while loading rolls back every file of the date', async () => {
    const dir = await loadGoodFirstDate();
    const before = await snapshot();
    extract(undefined, { dir, date: '2026-09-30' });
    // Sabotage mid-transaction: a column type the loader cannot insert into.
    await wh.exec(`ALTER TABLE raw.surveys ALTER score TYPE VARCHAR; ALTER TABLE raw.surveys ADD CONSTRAINT chk CHECK (false)`).catch(async () => {
      await wh.exec(`DROP TABLE raw.surveys; CREATE TABLE raw.surveys (x INTEGER)`);
    });
    await expect(loadExtracts(wh, dir, { dates: ['2026-09-30'] })).rejects.toThrow();
    expect(await snapshot()).toEqual(before);
  });
});

describe('encodings, formats and idempotence', () => {
  it('GB18030 declared in manifest.json loads the same text as UTF-8', async () => {
    const { dir: utfDir } = extract();
    await loadExtracts(wh, utfDir);
    const utf = await wh.all(`SELECT customer_id, name FROM raw.customers ORDER BY 1`);
    const wh2 = await openWarehouse(':memory:');
    try {
      const { dir, dateDir } = extract();
      for (const f of ['customers.csv', 'branches.csv', 'products.csv', 'loan_balances.csv']) {
        const p = join(dateDir, f);
        writeFileSync(p, iconv.encode(readFileSync(p, 'utf8'), 'gb18030'));
      }
      writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ encoding: { 'customers.csv': 'gb18030', 'branches.csv': 'gb18030', 'products.csv': 'gb18030', 'loan_balances.csv': 'gb18030' } }));
      const [load] = await loadExtracts(wh2, dir);
      expect(await wh2.all(`SELECT customer_id, name FROM raw.customers ORDER BY 1`)).toEqual(utf);
      expect(utf).toContainEqual({ customer_id: 'C003', name: '杭州明远贸易有限公司' });
      expect(load!.files.find((f) => f.entity === 'customers')!.encoding).toBe('gb18030');
      expect(await wh2.all(`SELECT DISTINCT recorded_class FROM raw.loan_balances ORDER BY 1`)).toHaveLength(3);
    } finally {
      await wh2.close();
    }
  });

  it('invalid GB18030 bytes are reported with line', async () => {
    const { dir, dateDir } = extract();
    const p = join(dateDir, 'surveys.csv');
    writeFileSync(p, Buffer.concat([readFileSync(p), Buffer.from([0x53, 0x30, 0x30, 0x33, 0x2c, 0xff, 0x0a])]));
    writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ encoding: 'gb18030' }));
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_ENCODING');
    expect(e.message).toMatch(/surveys\.csv: line 4, field 2: the bytes are not valid GB18030/);
  });

  it('Parquet extracts load like CSV', async () => {
    const { dir, dateDir } = extract();
    // Convert the loans CSV to Parquet with typed columns, then remove the CSV.
    await wh.exec(`COPY (SELECT * FROM read_csv('${join(dateDir, 'loans.csv')}', header = true, all_varchar = true)) TO '${join(dateDir, 'loans.parquet')}' (FORMAT parquet)`);
    rmSync(join(dateDir, 'loans.csv'));
    const [load] = await loadExtracts(wh, dir);
    expect(load!.files.find((f) => f.entity === 'loans')).toMatchObject({ format: 'parquet', rowsRead: 3, rowsLoaded: 3, rowsRejected: 0 });
    expect(await wh.all(`SELECT loan_id, principal::VARCHAR AS p FROM raw.loans ORDER BY 1`)).toEqual([
      { loan_id: 'L001', p: '1000000.00' },
      { loan_id: 'L002', p: '50000.00' },
      { loan_id: 'L003', p: '800000.00' },
    ]);
  });

  it('typed Parquet columns are checked on their values: the same rows fail with the same codes as in CSV', async () => {
    // Repayments lines 5-8 (mini rows are lines 2-4), each breaking one rule:
    //   5: principal_paid -100.00            → negative_amount
    //   6: instalment_no 10000000000 (11 digits; the text rule allows 9; BIGINT in Parquet) → invalid_type
    //   7: instalment_no 0 (min 1)           → out_of_range
    //   8: paid_on empty                     → missing_value
    const repayment = (repayment_id: string, instalment_no: string, paid_on: string, principal_paid: string) =>
      ({ repayment_id, loan_id: 'L001', instalment_no, paid_on, principal_paid, interest_paid: '0.00' });
    const bad = [
      repayment('R004', '58', '2026-09-30', '-100.00'),
      repayment('R005', '10000000000', '2026-09-30', '1.00'),
      repayment('R006', '0', '2026-09-30', '1.00'),
      repayment('R007', '59', '', '1.00'),
    ];
    const expected = [
      [5, 'principal_paid', 'negative_amount'],
      [6, 'instalment_no', 'invalid_type'],
      [7, 'instalment_no', 'out_of_range'],
      [8, 'paid_on', 'missing_value'],
    ];
    const shape = async () => (await rejected('repayments')).map((r) => [Number(r.line), r.column_name, r.reason_code]);
    const csv = extract((r) => r.repayments.push(...bad));
    await loadExtracts(wh, csv.dir);
    expect(await shape()).toEqual(expected);
    const loadedRows = () => wh.all(`SELECT * EXCLUDE (_source_file, _load_id, _source_line) FROM raw.repayments ORDER BY repayment_id`);
    const csvRaw = await loadedRows();

    // The same rows as Parquet in the contract's types (Parquet has no line 1: row k is line k, so lines shift by -1).
    const pq = extract((r) => r.repayments.push(...bad));
    const csvPath = join(pq.dateDir, 'repayments.csv');
    await wh.exec(`COPY (SELECT repayment_id, loan_id, instalment_no::BIGINT AS instalment_no, paid_on::DATE AS paid_on,
        principal_paid::DECIMAL(18,2) AS principal_paid, interest_paid::DECIMAL(18,2) AS interest_paid
      FROM read_csv('${csvPath}', header = true, all_varchar = true)) TO '${join(pq.dateDir, 'repayments.parquet')}' (FORMAT parquet)`);
    rmSync(csvPath);
    const { prepareFile } = await import('../../transforms/ingest/load/load-entity-file.js');
    const { locateExtractFiles } = await import('../../transforms/ingest/load/extract-files.js');
    const file = locateExtractFiles(pq.dateDir, ENTITIES).find((f) => f.entity.name === 'repayments')!;
    expect((await prepareFile(wh, file, pq.dir, 0)).typedColumns).toEqual(['instalment_no', 'paid_on', 'principal_paid', 'interest_paid']);
    await loadExtracts(wh, pq.dir);
    expect(await shape()).toEqual(expected.map(([line, col, code]) => [(line as number) - 1, col, code]));
    const rows = await rejected('repayments');
    expect(rows[0]!.reason).toContain("'-100.00' is negative");
    expect(rows[1]!.reason).toContain("'10000000000' is not a whole number");
    expect(await audit('repayments')).toEqual({ read: 7, loaded: 3, rejected: 4 });
    // Loaded rows are identical, value for value (lineage aside).
    expect(csvRaw).toHaveLength(3);
    expect(await loadedRows()).toEqual(csvRaw);
  });

  it('a Parquet amount stored as DOUBLE is checked as text: fractions of a cent are rejected, not rounded', async () => {
    const { dir, dateDir } = extract((r) => r.repayments.push({ repayment_id: 'R004', loan_id: 'L001', instalment_no: '58', paid_on: '2026-09-30', principal_paid: '100.005', interest_paid: '0.00' }));
    const csvPath = join(dateDir, 'repayments.csv');
    await wh.exec(`COPY (SELECT repayment_id, loan_id, instalment_no::INTEGER AS instalment_no, paid_on::DATE AS paid_on,
        principal_paid::DOUBLE AS principal_paid, interest_paid::DOUBLE AS interest_paid
      FROM read_csv('${csvPath}', header = true, all_varchar = true)) TO '${join(dateDir, 'repayments.parquet')}' (FORMAT parquet)`);
    rmSync(csvPath);
    await loadExtracts(wh, dir);
    // Row 4 of the Parquet file = line 4; 100.005 as DOUBLE prints as '100.005' → more than 2 decimals.
    expect((await rejected('repayments')).map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([[4, 'principal_paid', 'invalid_type']]);
    // 1500.00 as DOUBLE prints as '1500.0' and loads as 1500.00.
    expect(await wh.all(`SELECT principal_paid::VARCHAR AS p FROM raw.repayments WHERE repayment_id = 'R001'`)).toEqual([{ p: '1500.00' }]);
  });

  it('re-loading a business date replaces it and never duplicates', async () => {
    const { dir } = extract((r) => r.loans.push(miniLoan({ loan_id: 'L004', customer_id: 'C999', branch_id: 'BJ01', product_id: 'car', principal: '1.00', disbursed_on: '2026-01-01', maturity_on: '2029-01-01' })));
    await loadExtracts(wh, dir);
    await loadExtracts(wh, dir);
    expect(await count('raw.loans')).toBe(3);
    expect(await count('raw.loan_balances')).toBe(3);
    expect(await count('ops.rejected_rows')).toBe(1);
    expect(await count('ops.load_audit')).toBe(11);
    // Events keep their key across dates: a repayment re-sent on a later date is a duplicate.
    extract((r) => (r.repayments = [r.repayments[0]!]), { dir, date: '2026-10-31' });
    await loadExtracts(wh, dir, { dates: ['2026-10-31'] });
    const rows = await wh.all<{ reason_code: string; reason: string }>(`SELECT reason_code, reason FROM ops.rejected_rows WHERE business_date = DATE '2026-10-31' AND entity = 'repayments'`);
    expect(rows).toEqual([{ reason_code: 'duplicate_key', reason: expect.stringContaining('already loaded for business date 2026-09-30') }]);
  });
});

describe('load mechanics', () => {
  it('typed Parquet input is used only where every value has a text form the contract accepts', () => {
    const col = (entity: string, name: string) => ENTITIES.find((e) => e.name === entity)!.columns.find((c) => c.name === name)!;
    const principal = col('loans', 'principal');
    // Money: whole numbers and decimals with at most 2 places; DOUBLE may hold fractions of a cent.
    expect(['DECIMAL(18,2)', 'DECIMAL(12,1)', 'INTEGER', 'BIGINT', 'DECIMAL(18,3)', 'DOUBLE', 'VARCHAR', 'HUGEINT'].map((t) => typedInputColumn(principal, t))).toEqual([
      true, true, true, true, false, false, false, false,
    ]);
    expect(typedInputColumn(col('loans', 'disbursed_on'), 'DATE')).toBe(true);
    expect(typedInputColumn(col('loans', 'disbursed_on'), 'TIMESTAMP')).toBe(false);
    expect(typedInputColumn(col('loans', 'annual_rate'), 'DOUBLE')).toBe(true);
    // Coded and text columns always go through the text checks (trimming, code lists).
    expect(typedInputColumn(col('loans', 'product_id'), 'VARCHAR')).toBe(false);
    expect(typedInputColumn(col('loans', 'restructured'), 'BOOLEAN')).toBe(true);
  });

  it('a raw table created before the contract gained a column gets the column on the next load', async () => {
    const { ensureRawSchema, rawTableDdl } = await import('../../transforms/ingest/load/raw-schema.js');
    const loans = ENTITIES.find((e) => e.name === 'loans')!;
    await wh.exec('CREATE SCHEMA raw');
    // An older warehouse: raw.loans without restructured_on.
    await wh.exec(rawTableDdl({ ...loans, columns: loans.columns.filter((c) => c.name !== 'restructured_on') }));
    await ensureRawSchema(wh);
    const cols = await wh.all<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = 'loans'`);
    expect(cols.map((c) => c.column_name)).toContain('restructured_on');
    expect(await count('raw.loan_balances')).toBe(0); // missing tables are created
    const { dir } = extract();
    await loadExtracts(wh, dir);
    // The mini loans: 3 rows, one of them restructured (restructured_on set) — the added column is filled.
    expect(await count('raw.loans')).toBe(3);
    expect(await count('raw.loans WHERE restructured_on IS NOT NULL')).toBe(1);
  });

  it('a load runs without row-group merging (several dates: checkpoint threshold raised) and restores both settings, also when a date fails', async () => {
    // DuckDB's defaults: 16 MiB and 100 vacuum tasks; during a load 0 tasks, and with several dates
    // loadCheckpointThreshold() = 256MB (DuckDB reports it as 244.1 MiB).
    const settings = async () =>
      (await wh.all<{ t: string; v: string }>(`SELECT current_setting('checkpoint_threshold') AS t, CAST(current_setting('max_vacuum_tasks') AS VARCHAR) AS v`))[0]!;
    const before = await settings();
    expect(before.v).toBe('100');
    const { dir } = extract();
    extract(undefined, { dir, date: '2026-10-31' });
    const during: { t: string; v: string }[] = [];
    const loads = await loadExtracts(wh, dir, { onDate: () => void settings().then((s) => during.push(s)) });
    expect(loads.map((l) => l.businessDate)).toEqual(['2026-09-30', '2026-10-31']);
    await new Promise((r) => setTimeout(r, 10));
    expect(during[0]).toEqual({ t: '244.1 MiB', v: '0' });
    expect(await settings()).toEqual(before);
    // One date: no merging, the threshold stays DuckDB's.
    during.length = 0;
    await loadExtracts(wh, dir, { dates: ['2026-10-31'], onDate: () => void settings().then((s) => during.push(s)) });
    await new Promise((r) => setTimeout(r, 10));
    expect(during[0]).toEqual({ t: before.t, v: '0' });
    expect(await settings()).toEqual(before);
    // Second date broken structurally: the first stays loaded, the settings are restored.
    extract((_r, h) => (h.loans = h.loans!.replace('principal', 'amount')), { dir, date: '2026-11-30' });
    await expect(loadExtracts(wh, dir, { dates: ['2026-10-31', '2026-11-30'] })).rejects.toThrow(/principal/);
    expect(await settings()).toEqual(before);
    expect(await count("ops.load_audit WHERE business_date = DATE '2026-10-31'")).toBe(11);
  });
});
