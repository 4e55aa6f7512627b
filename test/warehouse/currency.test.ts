import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENCY_CODES, ENTITIES, entity, ISO_4217, type EntityName } from '../../transforms/ingest/contract/index.js';
import { exportPackage } from '../../transforms/publish/exports/export-package.js';
import type { Manifest } from '../../transforms/publish/exports/manifest.js';
import { parseCsv } from '../../transforms/lib/csv.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError, isCqError } from '../../transforms/lib/errors.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { csvLine } from '../helpers/csv-line.js';
import { ledgerMapping, writeLedger } from '../helpers/mapping-ledger.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * Currency and units are facts of the data: a book with loans in EUR is converted to CNY through
 * the optional fx_rates extract, once, in core.fct_loan_month_ends (rate and rate date on every
 * row), and every mart, KPI and export sums the CNY amounts; without the rate the regulator export
 * refuses, naming the currency, its loans and balance, the dates and the fix; a currency code that
 * is not ISO 4217 is rejected with a reason that names the code and the fix.
 *
 * The book (one business date, 2026-10-31), hand-worked at 7.8234 CNY per EUR, each amount rounded
 * half away from zero to the fen:
 *
 * | loan | ccy | principal  | outstanding | class | provision | outstanding in CNY                 | provision in CNY              |
 * |------|-----|------------|-------------|-------|-----------|------------------------------------|-------------------------------|
 * | L1   | CNY | 1000000.00 | 800000.00   | 正常  | 8000.00   | 800000.00 (no conversion)          | 8000.00                       |
 * | L2   | EUR | 200000.00  | 150000.00   | 次级  | 45000.00  | 150000 × 7.8234 = 1173510.00       | 45000 × 7.8234 = 352053.00    |
 * | L3   | EUR | 10000.00   | 3325.00     | 正常  | 33.33     | 3325 × 7.8234 = 26012.805 → 26012.81 (a tie: half away from zero) | 33.33 × 7.8234 = 260.753922 → 260.75 |
 *
 * Book in CNY: balance 800000.00 + 1173510.00 + 26012.81 = 1999522.81; NPL (L2) 1173510.00;
 * provisions 8000.00 + 352053.00 + 260.75 = 360313.75. Summed as delivered (the old, wrong way)
 * the balance would have been 800000 + 150000 + 3325 = 953325.00.
 */

const DATE = '2026-10-31';
const MONTH = '2026-10';
const RATE = '7.8234';

type Book = Partial<Record<EntityName, string[]>>;

/** The mixed CNY + EUR book above, rows built by column name. `fx` false: no fx_rates.csv. */
function book(opts: { fx?: boolean; currencies?: [string, string, string] } = {}): Book {
  const [c1, c2, c3] = opts.currencies ?? ['CNY', 'EUR', 'EUR'];
  const loan = (id: string, customer: string, product: string, principal: string, currency: string) =>
    csvLine('loans', {
      loan_id: id, customer_id: customer, branch_id: 'BJ01', product_id: product, principal, currency, annual_rate: '0.05', term_months: '36',
      repayment_method: 'equal_instalment', guarantee_type: 'credit', disbursed_on: '2025-01-15', maturity_on: '2028-01-15', restructured: 'false',
    });
  const balance = (id: string, outstanding: string, overdue: string, dpd: string, cls: string, provision: string) =>
    csvLine('loan_balances', {
      as_of_date: DATE, loan_id: id, outstanding_principal: outstanding, overdue_principal: overdue, overdue_interest: '0.00', days_past_due: dpd,
      recorded_class: cls, provision_amount: provision, status: 'active',
    });
  const customer = (id: string, type: string, name: string) =>
    csvLine('customers', { customer_id: id, customer_type: type, name, id_number: `ID${id}`, branch_id: 'BJ01', onboarded_on: '2024-01-01', industry: type === 'small_business' ? 'F' : '' });
  return {
    branches: [csvLine('branches', { branch_id: 'BJ01', name_zh: '北京分行', name_en: 'Beijing Branch', region: '华北' })],
    products: [
      csvLine('products', { product_id: 'mortgage', name_zh: '个人住房贷款', name_en: 'Residential mortgage', segment: 'retail' }),
      csvLine('products', { product_id: 'business', name_zh: '小微经营贷款', name_en: 'Small-business loan', segment: 'small_business' }),
      csvLine('products', { product_id: 'consumer_instalment', name_zh: '个人消费分期', name_en: 'Consumer instalment', segment: 'retail' }),
    ],
    customers: [customer('C1', 'individual', '张伟'), customer('C2', 'small_business', '欧元贸易有限公司'), customer('C3', 'individual', '李娜')],
    loans: [loan('L1', 'C1', 'mortgage', '1000000.00', c1), loan('L2', 'C2', 'business', '200000.00', c2), loan('L3', 'C3', 'consumer_instalment', '10000.00', c3)],
    loan_balances: [balance('L1', '800000.00', '0.00', '0', '正常', '8000.00'), balance('L2', '150000.00', '20000.00', '120', '次级', '45000.00'), balance('L3', '3325.00', '0.00', '0', '正常', '33.33')],
    ...(opts.fx === false ? {} : { fx_rates: [csvLine('fx_rates', { as_of_date: DATE, currency: 'EUR', cny_per_unit: RATE })] }),
  };
}

/** Writes a book as `<dir>/<DATE>/<entity>.csv` (contract headers; required entities without rows as header-only files). */
function writeBook(dir: string, rows: Book): string {
  const dateDir = join(dir, DATE);
  mkdirSync(dateDir, { recursive: true });
  for (const e of ENTITIES) {
    const lines = rows[e.name];
    if (lines === undefined && entity(e.name).optional) continue;
    writeFileSync(join(dateDir, `${e.name}.csv`), [entity(e.name).columns.map((c) => c.name).join(','), ...(lines ?? [])].join('\n') + '\n');
  }
  return dir;
}

/** Loads and builds a book into a fresh warehouse file. */
async function warehouseOf(root: string, name: string, rows: Book): Promise<WarehouseHandle> {
  const extracts = writeBook(join(root, name), rows);
  const wh = await openWarehouse(join(root, `${name}.duckdb`));
  await loadExtracts(wh, extracts);
  await buildWarehouse(wh);
  return wh;
}

/** Money columns of core.fct_loan_month_ends, read as exact text. */
const MONEY = ['principal', 'outstanding_principal', 'on_book_balance', 'overdue_principal', 'provision_amount', 'orig_principal', 'orig_outstanding_principal', 'orig_overdue_principal', 'orig_provision_amount'];

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

async function kpi(wh: WarehouseHandle, metric: string) {
  const [row] = await wh.all<{ value: number | null; numerator: number; denominator: number }>(
    `SELECT value, numerator, denominator FROM metrics.kpi_values WHERE metric_id = $1 AND as_of_month = DATE '${DATE}' AND slice = 'all'`,
    [metric],
  );
  expect(row, metric).toBeDefined();
  return row!;
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cq-currency-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('ISO 4217 as data', () => {
  it('ships the published list with its source; loans and rates accept every code but XTS / XXX', () => {
    expect(ISO_4217.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(ISO_4217.source).toContain('list_one.xml');
    const codes = ISO_4217.currencies.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of ['CNY', 'EUR', 'USD', 'HKD', 'GBP', 'JPY', 'TWD', 'MOP']) expect(CURRENCY_CODES, c).toContain(c);
    for (const c of ['RMB', 'EURO', 'XTS', 'XXX', 'eur']) expect(CURRENCY_CODES, c).not.toContain(c);
    expect(entity('loans').columns.find((c) => c.name === 'currency')!.values).toBe(CURRENCY_CODES);
    expect(entity('fx_rates').optional).toBe(true);
  });
});

describe('an EUR book converted through fx_rates (mixed with CNY)', () => {
  let wh: WarehouseHandle;
  beforeAll(async () => {
    wh = await warehouseOf(root, 'mixed', book());
  }, 120_000);
  afterAll(async () => {
    await wh.close();
  });

  it('core.fct_loan_month_ends converts once, to the fen, with the rate and its date on the row', async () => {
    const rows = await wh.all<Record<string, unknown>>(
      `SELECT loan_id, currency, CAST(fx_rate AS VARCHAR) AS fx_rate, fx_rate_date, ${MONEY.map((c) => `CAST(${c} AS VARCHAR) AS ${c}`).join(', ')}
       FROM core.fct_loan_month_ends ORDER BY loan_id`,
    );
    expect(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : str(v)])))).toEqual([
      // CNY: rate 1, no rate date, amounts unchanged
      { loan_id: 'L1', currency: 'CNY', fx_rate: '1.0000000000', fx_rate_date: null, principal: '1000000.00', outstanding_principal: '800000.00', on_book_balance: '800000.00', overdue_principal: '0.00', provision_amount: '8000.00', orig_principal: '1000000.00', orig_outstanding_principal: '800000.00', orig_overdue_principal: '0.00', orig_provision_amount: '8000.00' },
      // 200000 × 7.8234 = 1564680.00; 150000 × 7.8234 = 1173510.00; 20000 × 7.8234 = 156468.00; 45000 × 7.8234 = 352053.00
      { loan_id: 'L2', currency: 'EUR', fx_rate: '7.8234000000', fx_rate_date: DATE, principal: '1564680.00', outstanding_principal: '1173510.00', on_book_balance: '1173510.00', overdue_principal: '156468.00', provision_amount: '352053.00', orig_principal: '200000.00', orig_outstanding_principal: '150000.00', orig_overdue_principal: '20000.00', orig_provision_amount: '45000.00' },
      // 10000 × 7.8234 = 78234.00; 3325 × 7.8234 = 26012.805 → 26012.81; 33.33 × 7.8234 = 260.753922 → 260.75
      { loan_id: 'L3', currency: 'EUR', fx_rate: '7.8234000000', fx_rate_date: DATE, principal: '78234.00', outstanding_principal: '26012.81', on_book_balance: '26012.81', overdue_principal: '0.00', provision_amount: '260.75', orig_principal: '10000.00', orig_outstanding_principal: '3325.00', orig_overdue_principal: '0.00', orig_provision_amount: '33.33' },
    ]);
    const warn = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ops.data_test_results WHERE test LIKE '%amounts_converted%' AND failures > 0`);
    expect(warn[0]!.n).toBe(0n);
  });

  it('marts.mart_credit__currency_monthly shows each currency, its rate and both balances', async () => {
    const rows = await wh.all<Record<string, unknown>>(
      `SELECT currency, reporting_currency, on_book_loans, CAST(orig_balance AS VARCHAR) AS orig_balance, CAST(balance AS VARCHAR) AS balance,
              CAST(fx_rate AS VARCHAR) AS fx_rate, strftime(fx_rate_date, '%Y-%m-%d') AS fx_rate_date, unconverted_loans, missing_rate_dates
       FROM marts.mart_credit__currency_monthly ORDER BY currency`,
    );
    expect(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, str(v)])))).toEqual([
      { currency: 'CNY', reporting_currency: 'CNY', on_book_loans: '1', orig_balance: '800000.00', balance: '800000.00', fx_rate: '1.0000000000', fx_rate_date: null, unconverted_loans: '0', missing_rate_dates: null },
      // 150000 + 3325 = 153325.00 EUR; 1173510.00 + 26012.81 = 1199522.81 CNY
      { currency: 'EUR', reporting_currency: 'CNY', on_book_loans: '2', orig_balance: '153325.00', balance: '1199522.81', fx_rate: '7.8234000000', fx_rate_date: DATE, unconverted_loans: '0', missing_rate_dates: null },
    ]);
  });

  it('KPIs that are ratios of sums sum the CNY amounts', async () => {
    const npl = await kpi(wh, 'npl_ratio');
    // 1173510.00 / (800000.00 + 1173510.00 + 26012.81 = 1999522.81)
    expect([npl.numerator, npl.denominator]).toEqual([1173510, 1999522.81]);
    expect(npl.value).toBeCloseTo(1173510 / 1999522.81, 12);
    const cover = await kpi(wh, 'provision_coverage');
    // (8000.00 + 352053.00 + 260.75 = 360313.75) / 1173510.00
    expect([cover.numerator, cover.denominator]).toEqual([360313.75, 1173510]);
    const lpr = await kpi(wh, 'loan_provision_ratio');
    expect(lpr.value).toBeCloseTo(360313.75 / 1999522.81, 12);
  });

  it('the regulator export states CNY (万元) from the data, with CNY figures and the conversion in the manifest', async () => {
    const out = join(root, 'exports-mixed');
    const r = await exportPackage(wh, { month: MONTH, outDir: out, pdf: false, generatedAt: '2026-11-01T02:00:00Z', runId: 'fx' });
    const csv = parseCsv(readFileSync(join(r.dir, 'five-category.csv'), 'utf8'));
    const header = csv[0]!;
    const total = csv.find((row) => row[0] === '合计' || row[0]?.startsWith('合计'))!;
    const col = (zh: string) => header.findIndex((h) => h.startsWith(`${zh} /`));
    // 1999522.81 CNY = 199.952281 万元 → 199.95; NPL 1173510.00 = 117.351 万元 → 117.35;
    // 正常 800000.00 + 26012.81 = 826012.81 = 82.601281 万元 → 82.60 (82.60 + 117.35 = 199.95)
    expect(total[col('贷款余额合计')]).toBe('199.95');
    expect(total[col('不良贷款余额')]).toBe('117.35');
    expect(total[col('正常类余额')]).toBe('82.60');
    expect(total[col('次级类余额')]).toBe('117.35');
    expect(Number(total[col('不良贷款率')])).toBeCloseTo(1173510 / 1999522.81, 12);
    const large = parseCsv(readFileSync(join(r.dir, 'large-exposures.csv'), 'utf8'));
    expect(large.some((row) => row.includes('117.35'))).toBe(true); // C2's NPL balance in 万元
    const m = JSON.parse(readFileSync(join(r.dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(m.amounts).toEqual({
      currency: 'CNY',
      unit_zh: '万元',
      unit_en: 'CNY 10,000',
      conversions: [{ currency: 'EUR', loans: 2, fx_rate: '7.8234', fx_rate_date: DATE, fx_rates_used: 1, orig_balance: '153325.00', balance: '1199522.81' }],
    });
    // The notes' unit comes from the data through the template placeholders.
    const notes = readFileSync(join(r.dir, 'five-category.xlsx'));
    expect(notes.length).toBeGreaterThan(0);
    expect(readFileSync(join(r.dir, 'npl-provisioning.csv'), 'utf8')).not.toContain('{amount_unit');
  }, 300_000);
});

describe('an EUR book without fx_rates', () => {
  let wh: WarehouseHandle;
  beforeAll(async () => {
    wh = await warehouseOf(root, 'nofx', book({ fx: false }));
  }, 120_000);
  afterAll(async () => {
    await wh.close();
  });

  it('loads and builds: the EUR loans carry no rate and no CNY amount (never a wrong number), flagged by a warning data test', async () => {
    const audit = await wh.all<{ entity: string }>(`SELECT entity FROM ops.load_audit ORDER BY entity`);
    expect(audit.map((a) => a.entity)).not.toContain('fx_rates'); // optional: not delivered, not audited
    const rows = await wh.all<{ loan_id: string; fx_rate: unknown; on_book_balance: unknown; orig_outstanding_principal: unknown }>(
      `SELECT loan_id, CAST(fx_rate AS VARCHAR) AS fx_rate, CAST(on_book_balance AS VARCHAR) AS on_book_balance, CAST(orig_outstanding_principal AS VARCHAR) AS orig_outstanding_principal
       FROM core.fct_loan_month_ends ORDER BY loan_id`,
    );
    expect(rows.map((r) => [r.loan_id, str(r.fx_rate), str(r.on_book_balance), str(r.orig_outstanding_principal)])).toEqual([
      ['L1', '1.0000000000', '800000.00', '800000.00'],
      ['L2', null, null, '150000.00'],
      ['L3', null, null, '3325.00'],
    ]);
    const [t] = await wh.all<{ failures: bigint; severity: string }>(`SELECT failures, severity FROM ops.data_test_results WHERE test LIKE '%amounts_converted%'`);
    expect([Number(t!.failures), t!.severity]).toEqual([2, 'warn']);
  });

  it('the regulator export refuses with EXPORT_CURRENCY naming the currency, its loans and balance, the date and the fix; nothing is written', async () => {
    const out = join(root, 'exports-nofx');
    const e = await exportPackage(wh, { month: MONTH, outDir: out, pdf: false }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isCqError(e, 'EXPORT_CURRENCY'), String(e)).toBe(true);
    const msg = (e as CqError).message;
    // 2 EUR loans, 150000.00 + 3325.00 = 153,325.00 EUR on book
    expect(msg).toContain(`EUR: 2 loan(s) at ${DATE} with an on-book balance of EUR 153,325.00 as delivered`);
    expect(msg).toContain(`no EUR rate on ${DATE}`);
    expect(msg).toContain(`deliver fx_rates.csv with rates for EUR on ${DATE}`);
    expect(msg).toContain(`--date ${DATE}`);
    expect(msg).not.toContain('CNY:'); // the CNY loan needs no rate
    expect(() => readFileSync(join(out, MONTH, 'manifest.json'))).toThrow();
  });
});

describe('a currency code that is not ISO 4217', () => {
  let wh: WarehouseHandle;
  let dir: string;
  beforeAll(async () => {
    // L1 'RMB' (a name, not the code), L2 'eur' (lower case), L3 'XYZ' (nothing at all)
    dir = writeBook(join(root, 'badcode'), book({ currencies: ['RMB', 'eur', 'XYZ'] }));
    wh = await openWarehouse(join(root, 'badcode.duckdb'));
    await loadExtracts(wh, dir);
  }, 300_000);
  afterAll(async () => {
    await wh.close();
  });

  it('rejects each loan with a reason naming the code and the fix (and its balances as unknown loans)', async () => {
    const rejects = await wh.all<{ entity: string; line: bigint; column_name: string; reason_code: string; reason: string }>(
      `SELECT entity, line, column_name, reason_code, reason FROM ops.rejected_rows ORDER BY entity, line`,
    );
    const loans = rejects.filter((r) => r.entity === 'loans');
    expect(loans.map((r) => [Number(r.line), r.column_name, r.reason_code])).toEqual([
      [2, 'currency', 'invalid_code'],
      [3, 'currency', 'invalid_code'],
      [4, 'currency', 'invalid_code'],
    ]);
    expect(loans[0]!.reason).toBe(`${join(dir, DATE, 'loans.csv')}: line 2, column currency: 'RMB' is not an ISO 4217 currency code (transforms/ingest/contract/iso-4217.json). Fix: use CNY.`);
    expect(loans[1]!.reason).toBe(`${join(dir, DATE, 'loans.csv')}: line 3, column currency: 'eur' is not an ISO 4217 currency code (transforms/ingest/contract/iso-4217.json). Fix: write it in upper case: EUR.`);
    expect(loans[2]!.reason).toBe(
      `${join(dir, DATE, 'loans.csv')}: line 4, column currency: 'XYZ' is not an ISO 4217 currency code (transforms/ingest/contract/iso-4217.json). Fix: deliver an ISO 4217 currency code, e.g. CNY, EUR, USD; the list is in transforms/ingest/contract/iso-4217.json.`,
    );
    const balances = rejects.filter((r) => r.entity === 'loan_balances');
    expect(balances.map((r) => r.reason_code)).toEqual(['unknown_reference', 'unknown_reference', 'unknown_reference']);
    // The balance's reason leads to the cause: its loan was rejected in this same delivery.
    expect(balances[0]!.reason).toContain(
      "loan_id 'L1' does not exist in loans (this or any earlier business date): its loans row in this delivery (line 2) was rejected; fix that row first",
    );
  });

  it('npm run load prints the reason, not only a count', async () => {
    const r = await runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/load.ts', '--extracts', dir, '--warehouse', join(root, 'badcode-cli.duckdb')], { encoding: 'utf8' });
    const out = `${r.stdout}\n${r.stderr}`;
    // The file's reasons are printed with an example line (the first rejected loan, line 2: 'RMB').
    expect(out).toContain('loans.csv');
    expect(out).toMatch(/line 2.*'RMB' is not an ISO 4217 currency code \(transforms\/ingest\/contract\/iso-4217\.json\)\. Fix: use CNY\./);
  }, 300_000);

  it('a mapping whose constant currency is not ISO 4217 fails before loading, naming the key and the fix', async () => {
    const mdir = join(root, 'mapping-const');
    const { extracts, mappingPath } = writeLedger(mdir, { mapping: ledgerMapping().replace('currency: { const: CNY }', 'currency: { const: EURO }') });
    const mwh = await openWarehouse(':memory:');
    try {
      const e = (await loadExtracts(mwh, extracts, { mapping: mappingPath }).catch((err: unknown) => err)) as CqError;
      expect(e.code).toBe('MAPPING_INVALID');
      expect(e.where.key).toBe('entities.loans.columns.currency.const');
      expect(e.message).toContain('"EURO" is not an ISO 4217 currency code (transforms/ingest/contract/iso-4217.json): every row would be rejected at load');
      expect(e.message).toContain('Fix: write EUR.');
    } finally {
      await mwh.close();
    }
  });
});

describe('an EUR book onboarded through a mapping, with its FX rate as a constant row', () => {
  it('loads fx_rates from the mapping and converts the balances', async () => {
    const mdir = join(root, 'mapping-eur');
    const mapping = ledgerMapping({
      extraEntities: `  fx_rates:\n    rows:\n      - { as_of_date: '\${business_date}', currency: EUR, cny_per_unit: ${RATE} }\n`,
    }).replace('currency: { const: CNY }', 'currency: { const: EUR }');
    const { extracts, mappingPath } = writeLedger(mdir, { mapping });
    const wh = await openWarehouse(join(root, 'mapping-eur.duckdb'));
    try {
      await loadExtracts(wh, extracts, { mapping: mappingPath });
      const [fx] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM raw.fx_rates WHERE currency = 'EUR' AND cny_per_unit = ${RATE}`);
      expect(fx!.n).toBe(1n);
      await buildWarehouse(wh);
      const rows = await wh.all<{ loan_id: string; currency: string; on_book_balance: unknown }>(
        `SELECT loan_id, CAST(currency AS VARCHAR) AS currency, CAST(on_book_balance AS VARCHAR) AS on_book_balance FROM core.fct_loan_month_ends ORDER BY loan_id`,
      );
      // the ledger's L2 balance 30000.50 EUR × 7.8234 = 234702.00 + 3.9117 = 234705.9117 → 234705.91
      expect(rows.find((r) => r.loan_id === 'L2')).toMatchObject({ currency: 'EUR' });
      expect(str(rows.find((r) => r.loan_id === 'L2')!.on_book_balance)).toBe('234705.91');
    } finally {
      await wh.close();
    }
  }, 120_000);
});

describe('the fx_rates contract', () => {
  it('rejects a rate that is not positive, a non-ISO code, a repeated date+currency, a CNY rate other than 1 and a date off the folder', async () => {
    const rows = book();
    rows.fx_rates = [
      csvLine('fx_rates', { as_of_date: DATE, currency: 'EUR', cny_per_unit: RATE }), // line 2: kept
      csvLine('fx_rates', { as_of_date: DATE, currency: 'USD', cny_per_unit: '0' }), // line 3: not > 0
      csvLine('fx_rates', { as_of_date: DATE, currency: 'RMB', cny_per_unit: '1' }), // line 4: not ISO 4217
      csvLine('fx_rates', { as_of_date: DATE, currency: 'EUR', cny_per_unit: '7.9' }), // line 5: EUR twice
      csvLine('fx_rates', { as_of_date: DATE, currency: 'CNY', cny_per_unit: '1.01' }), // line 6: CNY must be 1
      csvLine('fx_rates', { as_of_date: '2026-10-30', currency: 'HKD', cny_per_unit: '0.91' }), // line 7: not the folder's date
      csvLine('fx_rates', { as_of_date: DATE, currency: 'CNY', cny_per_unit: '1' }), // line 8: kept (harmless)
    ];
    const dir = writeBook(join(root, 'fxcontract'), rows);
    const wh = await openWarehouse(':memory:');
    try {
      await loadExtracts(wh, dir);
      const rej = await wh.all<{ line: bigint; reason_code: string; reason: string }>(
        `SELECT line, reason_code, reason FROM ops.rejected_rows WHERE entity = 'fx_rates' ORDER BY line`,
      );
      expect(rej.map((r) => [Number(r.line), r.reason_code])).toEqual([
        [3, 'rule_violation'],
        [4, 'invalid_code'],
        [5, 'duplicate_key'],
        [6, 'rule_violation'],
        [7, 'wrong_business_date'],
      ]);
      expect(rej[0]!.reason).toContain('cny_per_unit is not greater than 0');
      expect(rej[1]!.reason).toContain("'RMB' is not an ISO 4217 currency code");
      expect(rej[2]!.reason).toContain('repeats line 2');
      expect(rej[3]!.reason).toContain('a CNY rate must be 1');
      const [a] = await wh.all<{ rows_read: bigint; rows_loaded: bigint; rows_rejected: bigint }>(`SELECT rows_read, rows_loaded, rows_rejected FROM ops.load_audit WHERE entity = 'fx_rates'`);
      expect([Number(a!.rows_read), Number(a!.rows_loaded), Number(a!.rows_rejected)]).toEqual([7, 2, 5]);
    } finally {
      await wh.close();
    }
  });
});
