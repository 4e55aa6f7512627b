import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import type { BusinessDateLoad } from '../../transforms/ingest/load/load-business-date.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';

/**
 * The two real public data sets (datasets/public, with their provenance and licences) loaded through
 * policy/mappings/lending-club.yaml and policy/mappings/uci-credit-card.yaml, then the KPI build. Counts are
 * pinned; KPI values are checked against figures computed here, in plain JS, from the raw CSV.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const PUBLIC = resolve(repoRoot, 'datasets/public');
const LC_CSV = resolve(PUBLIC, 'loans_full_schema.csv');
const UCI_CSV = resolve(PUBLIC, 'UCI_Credit_Card.csv');

/** RFC 4180 CSV (quotes, doubled quotes, CRLF) → header-keyed records. */
function readCsv(path: string): Record<string, string>[] {
  const text = readFileSync(path, 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\n') row.push(field.replace(/\r$/, '')), rows.push(row), (row = []), (field = '');
    else field += ch;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  const [header, ...data] = rows;
  return data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

/** Cents of a decimal text (at most 2 decimals, or exponent form), exactly. */
function cents(text: string): bigint {
  const n = Number(text);
  if (/e/i.test(text) || Number.isInteger(n)) return BigInt(Math.round(n)) * 100n;
  const [int, frac = ''] = text.split('.');
  const sign = int!.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(int!.replace('-', '')) * 100n + BigInt(frac.padEnd(2, '0')));
}

/** USD cents × 6.6166 (the lending-club mapping's fx_rates row) in CNY cents, rounded half away from zero, as core.fct_loan_month_ends converts each loan. */
function usdToCnyCents(usdCents: bigint): bigint {
  const scaled = usdCents * 66_166n; // CNY cents × 10,000
  const abs = scaled < 0n ? -scaled : scaled;
  const rounded = (abs + 5_000n) / 10_000n;
  return scaled < 0n ? -rounded : rounded;
}

/** Whole NT$ × 0.2547 in CNY cents, rounded half away from zero (the mapping's conversion). */
function twdToCnyCents(text: string): bigint {
  const twd = BigInt(Math.round(Number(text)));
  const scaled = twd * 2547n; // cents × 100
  const abs = scaled < 0n ? -scaled : scaled;
  const rounded = (abs + 50n) / 100n;
  return scaled < 0n ? -rounded : rounded;
}

const sha256Sums = () =>
  Object.fromEntries(
    readFileSync(resolve(PUBLIC, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/).reverse() as [string, string]),
  );

async function kpi(wh: WarehouseHandle, metric: string, month: string, slice = 'all', sliceValue = 'ALL') {
  const [row] = await wh.all<{ value: number | null; numerator: number; denominator: number }>(
    `SELECT value, numerator, denominator FROM metrics.kpi_values WHERE metric_id = $1 AND as_of_month = CAST($2 AS DATE) AND slice = $3 AND slice_value = $4`,
    [metric, month, slice, sliceValue],
  );
  expect(row, `${metric} ${month} ${slice}=${sliceValue}`).toBeDefined();
  return row!;
}

const perEntity = (load: BusinessDateLoad) => Object.fromEntries(load.files.map((f) => [f.entity, [f.rowsRead, f.rowsLoaded, f.rowsRejected]]));

beforeAll(() => {
  if (!existsSync(LC_CSV) || !existsSync(UCI_CSV)) {
    throw new Error(`public data sets not found in ${PUBLIC}: they are part of the repository (datasets/public); is this a complete clone?`);
  }
});

describe('Lending Club (loans_full_schema.csv) through policy/mappings/lending-club.yaml', () => {
  let wh: WarehouseHandle;
  let loads: BusinessDateLoad[];
  const csv = readCsv(LC_CSV);
  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    loads = await loadExtracts(wh, PUBLIC, { mapping: 'lending-club' });
    await buildWarehouse(wh);
  });
  afterAll(async () => wh?.close());

  it('loads one business date with pinned counts; read = loaded + rejected for every file', async () => {
    expect(csv.length).toBe(10_000);
    expect(loads.map((l) => l.businessDate)).toEqual(['2018-06-30']);
    // [read, loaded, rejected]: 50 states with loans; 3 products; one customer, loan and balance per row.
    expect(perEntity(loads[0]!)).toEqual({
      branches: [50, 50, 0],
      products: [3, 3, 0],
      customers: [10_000, 10_000, 0],
      loans: [10_000, 10_000, 0],
      loan_balances: [10_000, 10_000, 0],
      repayment_schedule: [0, 0, 0],
      repayments: [0, 0, 0],
      warnings: [0, 0, 0],
      risk_scores: [0, 0, 0],
      verifications: [0, 0, 0],
      surveys: [0, 0, 0],
      fx_rates: [1, 1, 0], // the mapping's constant USD rate (assumption 5)
    });
    const [bad] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ops.load_audit WHERE rows_read <> rows_loaded + rows_rejected`);
    expect(bad!.n).toBe(0n);
    const [rej] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ops.rejected_rows`);
    expect(rej!.n).toBe(0n);
  });

  it('audits the source file (SHA-256 as published) and the mapping; lineage points at source lines', async () => {
    const audit = await wh.all<{ entity: string; path: string; sha256: string; mapping: string; format: string }>(
      `SELECT entity, path, sha256, mapping, format FROM ops.load_audit WHERE entity IN ('loans', 'products') ORDER BY entity`,
    );
    expect(audit[0]).toMatchObject({ entity: 'loans', path: LC_CSV, sha256: sha256Sums()['loans_full_schema.csv'], mapping: 'lending-club', format: 'csv' });
    expect(audit[1]).toMatchObject({ entity: 'products', path: resolve(repoRoot, 'policy/mappings/lending-club.yaml'), mapping: 'lending-club', format: 'mapping' });
    // Data row 1234 is on line 1235; its synthesised ids carry the row number.
    const [l] = await wh.all<{ loan_id: string; customer_id: string; principal: string; annual_rate: number; disbursed_on: string; maturity_on: string }>(
      `SELECT loan_id, customer_id, principal::VARCHAR AS principal, annual_rate, disbursed_on::VARCHAR AS disbursed_on, maturity_on::VARCHAR AS maturity_on
       FROM raw.loans WHERE _source_line = 1235`,
    );
    const src = csv[1233]!;
    expect(l).toEqual({
      loan_id: 'LC-L01234',
      customer_id: 'LC-C01234',
      principal: `${src.loan_amount}.00`,
      annual_rate: Number(src.interest_rate) / 100,
      disbursed_on: `${{ 'Jan-2018': '2018-01', 'Feb-2018': '2018-02', 'Mar-2018': '2018-03' }[src.issue_month!]}-01`,
      maturity_on: expect.stringMatching(src.term === '36' ? /^2021-0[123]-01$/ : /^2023-0[123]-01$/),
    });
  });

  it('translates every loan_status into days past due, five-category class and balance status (count per status = CSV)', async () => {
    const bySource: Record<string, number> = {};
    for (const r of csv) bySource[r.loan_status!] = (bySource[r.loan_status!] ?? 0) + 1;
    expect(bySource).toEqual({ Current: 9375, 'Fully Paid': 447, 'In Grace Period': 67, 'Late (31-120 days)': 66, 'Late (16-30 days)': 38, 'Charged Off': 7 });
    const rows = await wh.all<{ dpd: number; cls: string; status: string; n: bigint }>(
      `SELECT days_past_due AS dpd, recorded_class AS cls, status, count(*) AS n FROM raw.loan_balances GROUP BY ALL ORDER BY dpd, status`,
    );
    expect(rows.map((r) => [r.dpd, r.cls, r.status, Number(r.n)])).toEqual([
      [0, '正常', 'active', bySource.Current],
      [0, '正常', 'settled', bySource['Fully Paid']],
      [8, '关注', 'active', bySource['In Grace Period']],
      [23, '关注', 'active', bySource['Late (16-30 days)']],
      [75, '关注', 'active', bySource['Late (31-120 days)']],
      [150, '损失', 'written_off', bySource['Charged Off']],
    ]);
    const grades = await wh.all<{ grade: string; n: bigint }>(`SELECT grade, count(*) AS n FROM raw.customers GROUP BY ALL ORDER BY grade`);
    const count = (gs: string[]) => csv.filter((r) => gs.includes(r.grade!)).length;
    expect(grades.map((g) => [g.grade, Number(g.n)])).toEqual([
      ['A', count(['A', 'B'])],
      ['B', count(['C', 'D'])],
      ['C', count(['E', 'F', 'G'])],
    ]);
    const products = await wh.all<{ product_id: string; n: bigint }>(`SELECT product_id, count(*) AS n FROM raw.loans GROUP BY ALL ORDER BY 1`);
    expect(products.map((p) => [p.product_id, Number(p.n)])).toEqual([
      ['business', csv.filter((r) => r.loan_purpose === 'small_business').length],
      ['car', csv.filter((r) => r.loan_purpose === 'car').length],
      ['consumer_instalment', csv.filter((r) => !['small_business', 'car'].includes(r.loan_purpose!)).length],
    ]);
  });

  it('records every default in ops.mapping_defaults with the rows that carry it', async () => {
    const rows = await wh.all<{ entity: string; column_name: string | null; kind: string; default_value: string | null; rows_defaulted: bigint }>(
      `SELECT entity, column_name, kind, default_value, rows_defaulted FROM ops.mapping_defaults ORDER BY entity, column_name`,
    );
    expect(rows.map((r) => [r.entity, r.column_name, r.kind, r.default_value, Number(r.rows_defaulted)])).toEqual([
      ['customers', 'id_number', 'missing_in_source', '(not provided)', 10_000],
      ['customers', 'name', 'missing_in_source', '(not provided)', 10_000],
      ['loan_balances', 'overdue_interest', 'missing_in_source', '0.00', 10_000],
      ['loan_balances', 'overdue_principal', 'missing_in_source', '0.00', 10_000],
      ['loan_balances', 'provision_amount', 'missing_in_source', '0.00', 10_000],
      ['loans', 'restructured', 'missing_in_source', 'false', 10_000],
      ['repayment_schedule', null, 'entity_absent', null, 0],
      ['repayments', null, 'entity_absent', null, 0],
      ['risk_scores', null, 'entity_absent', null, 0],
      ['surveys', null, 'entity_absent', null, 0],
      ['verifications', null, 'entity_absent', null, 0],
      ['warnings', null, 'entity_absent', null, 0],
    ]);
  });

  it('KPI build: NPL, overdue and high-risk figures equal an independent computation on the CSV', async () => {
    const onBook = csv.filter((r) => !['Fully Paid', 'Charged Off'].includes(r.loan_status!));
    const overdue = onBook.filter((r) => r.loan_status !== 'Current');
    // KPI amounts are CNY: every loan's USD balance converted at 6.6166 and rounded to the fen, then summed.
    const sum = (rs: typeof csv) => rs.reduce((a, r) => a + usdToCnyCents(cents(r.balance!)), 0n);
    const month = '2018-06-30';

    const count = await kpi(wh, 'npl_ratio_count', month);
    expect([count.numerator, count.denominator]).toEqual([0, onBook.length]); // 9,546 on-book loans, none 次级 or worse
    const npl = await kpi(wh, 'npl_ratio', month);
    expect(npl.numerator).toBe(0);
    expect(Math.round(npl.denominator * 100)).toBe(Number(sum(onBook)));
    const od = await kpi(wh, 'overdue_ratio', month);
    expect(Math.round(od.numerator * 100)).toBe(Number(sum(overdue)));
    expect(od.value).toBeCloseTo(Number(sum(overdue)) / Number(sum(onBook)), 12);
    const hr = await kpi(wh, 'high_risk_share', month);
    expect([hr.numerator, hr.denominator]).toEqual([csv.filter((r) => ['E', 'F', 'G'].includes(r.grade!)).length, 10_000]);

    // Per branch (= state): overdue ratio of every state.
    const states = [...new Set(csv.map((r) => r.state!))].sort();
    for (const st of states) {
      const ob = onBook.filter((r) => r.state === st);
      const k = await kpi(wh, 'overdue_ratio', month, 'branch', `US-${st}`);
      expect(Math.round(k.denominator * 100), st).toBe(Number(sum(ob)));
      expect(Math.round(k.numerator * 100), st).toBe(Number(sum(ob.filter((r) => r.loan_status !== 'Current'))));
    }
  });
});

describe('Taiwan card accounts (UCI_Credit_Card.csv) through policy/mappings/uci-credit-card.yaml', () => {
  let wh: WarehouseHandle;
  let loads: BusinessDateLoad[];
  const csv = readCsv(UCI_CSV);
  // Business date → the month's status and bill columns (PAY_0 / BILL_AMT1 = September 2005).
  const months: [string, string, string][] = [
    ['2005-04-30', 'PAY_6', 'BILL_AMT6'],
    ['2005-05-31', 'PAY_5', 'BILL_AMT5'],
    ['2005-06-30', 'PAY_4', 'BILL_AMT4'],
    ['2005-07-31', 'PAY_3', 'BILL_AMT3'],
    ['2005-08-31', 'PAY_2', 'BILL_AMT2'],
    ['2005-09-30', 'PAY_0', 'BILL_AMT1'],
  ];
  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    loads = await loadExtracts(wh, PUBLIC, { mapping: 'uci-credit-card' });
    await buildWarehouse(wh);
  });
  afterAll(async () => wh?.close());

  it('loads six month ends with pinned counts; negative bills are rejected, naming the source column', async () => {
    expect(csv.length).toBe(30_000);
    expect(loads.map((l) => l.businessDate)).toEqual(months.map((m) => m[0]));
    const balances = loads.map((l) => perEntity(l).loan_balances);
    // Rejected = accounts with a negative bill (credit balance) that month.
    expect(balances).toEqual([
      [30_000, 29_312, 688],
      [30_000, 29_345, 655],
      [30_000, 29_325, 675],
      [30_000, 29_345, 655],
      [30_000, 29_331, 669],
      [30_000, 29_410, 590],
    ]);
    months.forEach(([, , bill], i) => expect(balances[i]![2]).toBe(csv.filter((r) => Number(r[bill]) < 0).length));
    expect(perEntity(loads[0]!)).toMatchObject({ branches: [1, 1, 0], products: [1, 1, 0], customers: [30_000, 30_000, 0], loans: [30_000, 30_000, 0], risk_scores: [0, 0, 0] });
    expect(perEntity(loads[5]!)).toMatchObject({ branches: [1, 1, 0], customers: [0, 0, 0], loans: [0, 0, 0], risk_scores: [30_000, 30_000, 0] });
    const [bad] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ops.load_audit WHERE rows_read <> rows_loaded + rows_rejected`);
    expect(bad!.n).toBe(0n);
    const [audited] = await wh.all<{ n: bigint }>(`SELECT sum(rows_rejected) AS n FROM ops.load_audit`);
    const reasons = await wh.all<{ business_date: string; column_name: string; reason_code: string; n: bigint; reason: string }>(
      `SELECT business_date::VARCHAR AS business_date, column_name, reason_code, count(*) AS n, min(reason) AS reason
       FROM ops.rejected_rows GROUP BY ALL ORDER BY business_date`,
    );
    expect(Number(audited!.n)).toBe(3_932);
    expect(reasons.reduce((a, r) => a + Number(r.n), 0)).toBe(3_932);
    for (const [i, r] of reasons.entries()) {
      expect(r).toMatchObject({ business_date: months[i]![0], column_name: 'outstanding_principal', reason_code: 'negative_amount' });
      expect(r.reason).toContain(`column outstanding_principal (from source column ${months[i]![2]} × 0.2547): `);
      expect(r.reason).toContain('is negative');
    }
    // The rejected row's raw record is the source row as delivered.
    const [rec] = await wh.all<{ line: bigint; raw_record: string }>(
      `SELECT line, raw_record FROM ops.rejected_rows WHERE business_date = DATE '2005-09-30' ORDER BY line LIMIT 1`,
    );
    const src = csv[Number(rec!.line) - 2]!;
    expect(JSON.parse(rec!.raw_record)).toEqual(src);
    expect(Number(src.BILL_AMT1)).toBeLessThan(0);
  });

  it('converts TWD to CNY cents exactly as documented (incl. exponent-form limits) and maps status to dpd', async () => {
    const [t] = await wh.all<{ principal: string; bal: string }>(
      `SELECT sum(l.principal)::VARCHAR AS principal,
              (SELECT sum(outstanding_principal) FROM raw.loan_balances WHERE as_of_date = DATE '2005-09-30')::VARCHAR AS bal
       FROM raw.loans l`,
    );
    const fmt = (c: bigint) => `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
    expect(t!.principal).toBe(fmt(csv.reduce((a, r) => a + twdToCnyCents(r.LIMIT_BAL!), 0n)));
    expect(t!.bal).toBe(fmt(csv.filter((r) => Number(r.BILL_AMT1) >= 0).reduce((a, r) => a + twdToCnyCents(r.BILL_AMT1!), 0n)));
    const dpd = await wh.all<{ dpd: number; cls: string; n: bigint }>(
      `SELECT days_past_due AS dpd, recorded_class AS cls, count(*) AS n FROM raw.loan_balances WHERE as_of_date = DATE '2005-09-30' GROUP BY ALL ORDER BY dpd`,
    );
    const ok = csv.filter((r) => Number(r.BILL_AMT1) >= 0);
    const expected = new Map<number, number>();
    for (const r of ok) {
      const d = Math.max(0, Number(r.PAY_0)) * 30;
      expected.set(d, (expected.get(d) ?? 0) + 1);
    }
    expect(dpd.map((r) => [r.dpd, r.cls, Number(r.n)])).toEqual(
      [...expected].sort((a, b) => a[0] - b[0]).map(([d, n]) => [d, d === 0 ? '正常' : d <= 90 ? '关注' : '次级', n]),
    );
  });

  it('KPI build: share of accounts 90+ days late and NPL ratios per month equal an independent computation', async () => {
    for (const [month, pay, bill] of months) {
      const ok = csv.filter((r) => Number(r[bill]) >= 0);
      const late90 = ok.filter((r) => Number(r[pay]) >= 4); // 4+ months of delay = 120+ dpd: > 90 days, 次级
      const count = await kpi(wh, 'npl_ratio_count', month);
      expect([count.numerator, count.denominator], month).toEqual([late90.length, ok.length]);
      const sum = (rs: typeof csv) => rs.reduce((a, r) => a + twdToCnyCents(r[bill]!), 0n);
      for (const metric of ['npl_ratio', 'overdue_90_ratio']) {
        const k = await kpi(wh, metric, month);
        expect(Math.round(k.numerator * 100), `${metric} ${month}`).toBe(Number(sum(late90)));
        expect(Math.round(k.denominator * 100), `${metric} ${month}`).toBe(Number(sum(ok)));
      }
      const od = await kpi(wh, 'overdue_ratio', month);
      expect(Math.round(od.numerator * 100), `overdue_ratio ${month}`).toBe(Number(sum(ok.filter((r) => Number(r[pay]) >= 1))));
    }
    // The last month, pinned: 141 of 29,410 accounts are more than 90 days late.
    const sep = await kpi(wh, 'npl_ratio_count', '2005-09-30');
    expect([sep.numerator, sep.denominator]).toEqual([141, 29_410]);
  });

  it('keeps the realised outcome beside the rule score, so prediction accuracy can be measured in the warehouse', async () => {
    const [w] = await wh.all<{ scores: bigint; correct: bigint; realised: bigint }>(`
      SELECT count(*) AS scores, count(*) FILTER (WHERE r.predicted_default = (v.value = '1')) AS correct, count(*) FILTER (WHERE v.value = '1') AS realised
      FROM raw.risk_scores r
      JOIN ops.mapping_source_values v ON v.load_id = r._load_id AND v.entity = 'risk_scores' AND v.source_line = r._source_line AND v.name = 'realised_default'`);
    const predicted = (r: Record<string, string>) => Number(r.PAY_0) >= 2;
    const realised = (r: Record<string, string>) => r['default.payment.next.month'] === '1';
    expect(Number(w!.scores)).toBe(30_000);
    expect(Number(w!.realised)).toBe(csv.filter(realised).length); // 6,636
    expect(Number(w!.correct)).toBe(csv.filter((r) => predicted(r) === realised(r)).length);
    const defaults = await wh.all<{ entity: string; column_name: string; n: bigint }>(
      `SELECT entity, column_name, sum(rows_defaulted) AS n FROM ops.mapping_defaults WHERE kind = 'missing_in_source' GROUP BY ALL ORDER BY 1, 2`,
    );
    expect(defaults.map((d) => [d.entity, d.column_name, Number(d.n)])).toEqual([
      ['customers', 'id_number', 30_000],
      ['customers', 'name', 30_000],
      ['customers', 'onboarded_on', 30_000],
      ['loan_balances', 'overdue_interest', 176_068],
      ['loan_balances', 'overdue_principal', 176_068],
      ['loan_balances', 'provision_amount', 176_068],
      ['loans', 'annual_rate', 30_000],
      ['loans', 'disbursed_on', 30_000],
      ['loans', 'maturity_on', 30_000],
      ['loans', 'repayment_method', 30_000],
      ['loans', 'restructured', 30_000],
      ['loans', 'term_months', 30_000],
    ]);
  });
});
