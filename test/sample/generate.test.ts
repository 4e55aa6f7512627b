import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLUMN_TYPES, ENTITIES, type EntityContract } from '../../transforms/ingest/contract/index.js';
import { openWarehouse, quoteIdent, quoteLiteral } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { isCqError } from '../../transforms/lib/errors.js';
import { FAULT_NAMES, type FaultName } from '../../transforms/sample/fault-names.js';
import { injectFault, ORPHAN_BALANCE_LOAN_ID, ORPHAN_LOAN_ID } from '../../transforms/sample/faults.js';
import { generateSample, type GenerateSummary } from '../../transforms/sample/generate-sample.js';
import type { GenerateOptions } from '../../transforms/sample/options.js';

const CUSTOMERS = 600;
const MONTHS = 4;
const SEED = 20241130;

let root: string;
let base: string;
let baseSummary: GenerateSummary;
let wh: WarehouseHandle;

/** SHA-256 of every file under `dir`, keyed by relative path. */
async function fingerprint(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) await walk(join(d, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = createHash('sha256').update(await readFile(join(d, e.name))).digest('hex');
    }
  };
  await walk(dir, '');
  return out;
}

function gen(out: string, extra: Partial<GenerateOptions> = {}): Promise<GenerateSummary> {
  return generateSample({ customers: CUSTOMERS, months: MONTHS, seed: SEED, out, ...extra });
}

async function count(sql: string): Promise<number> {
  const rows = await wh.all<{ n: bigint | number }>(`SELECT (${sql})::BIGINT AS n`);
  return Number(rows[0]!.n);
}

async function lines(path: string, encoding = 'utf-8'): Promise<string[]> {
  return iconv.decode(await readFile(path), encoding).split('\n');
}

/** Loads every entity's CSVs under `dir` as table `<prefix><entity>` (all VARCHAR) with `_date`. */
async function loadCsvs(dir: string, prefix: string): Promise<void> {
  for (const e of ENTITIES) {
    const glob = quoteLiteral(join(dir, '*', `${e.name}.csv`));
    await wh.exec(`CREATE OR REPLACE TABLE ${prefix}${e.name} AS
      SELECT * EXCLUDE (filename), regexp_extract(filename, '(\\d{4}-\\d{2}-\\d{2})', 1) AS _date
      FROM read_csv(${glob}, header = true, all_varchar = true, filename = true, union_by_name = true)`);
  }
}

/** Problems of one loaded entity against its contract (types, required, values, bounds, rules, PK). */
async function contractProblems(e: EntityContract, table: string): Promise<string[]> {
  const problems: string[] = [];
  const t = quoteIdent(table);
  for (const c of e.columns) {
    const col = quoteIdent(c.name);
    const typed = `TRY_CAST(${col} AS ${COLUMN_TYPES[c.type]})`;
    if (c.required) {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${col} IS NULL OR trim(${col}) = ''`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} empty required values`);
    }
    const bad = await count(`SELECT count(*) FROM ${t} WHERE ${col} IS NOT NULL AND ${typed} IS NULL`);
    if (bad) problems.push(`${e.name}.${c.name}: ${bad} values not ${c.type}`);
    if (c.values) {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${col} IS NOT NULL AND ${col} NOT IN (${c.values.map(quoteLiteral).join(', ')})`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} values outside ${c.values.join('/')}`);
    }
    if (c.min !== undefined) {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${typed} < ${c.min}`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} values below ${c.min}`);
    }
    if (c.max !== undefined) {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${typed} > ${c.max}`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} values above ${c.max}`);
    }
    if (c.type === 'money') {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${col} IS NOT NULL AND NOT regexp_full_match(${col}, '-?\\d+\\.\\d{2}')`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} money values without exactly 2 decimals`);
    }
    if (c.type === 'rate') {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${col} IS NOT NULL AND NOT regexp_full_match(${col}, '\\d+(\\.\\d{1,6})?')`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} rates not plain decimals with up to 6 decimals`);
    }
    if (c.type === 'timestamp') {
      const n = await count(`SELECT count(*) FROM ${t} WHERE ${col} IS NOT NULL AND NOT regexp_full_match(${col}, '\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}')`);
      if (n) problems.push(`${e.name}.${c.name}: ${n} timestamps not YYYY-MM-DD HH:MM:SS`);
    }
  }
  const typedCols = e.columns.map((c) => `TRY_CAST(${quoteIdent(c.name)} AS ${COLUMN_TYPES[c.type]}) AS ${quoteIdent(c.name)}`).join(', ');
  for (const r of e.rules ?? []) {
    const n = await count(`SELECT count(*) FROM (SELECT ${typedCols} FROM ${t}) WHERE NOT coalesce(${r.sql}, false)`);
    if (n) problems.push(`${e.name} rule ${r.id}: ${n} rows`);
  }
  const pk = e.primaryKey.map(quoteIdent).join(', ');
  const dupPerFile = await count(`SELECT count(*) FROM (SELECT _date, ${pk} FROM ${t} GROUP BY ALL HAVING count(*) > 1)`);
  if (dupPerFile) problems.push(`${e.name}: ${dupPerFile} duplicate keys within a file`);
  if (e.history === 'events' || e.name === 'warnings') {
    const dupAcross = await count(`SELECT count(*) FROM (SELECT ${pk} FROM ${t} GROUP BY ALL HAVING count(*) > 1)`);
    if (dupAcross) problems.push(`${e.name}: ${dupAcross} event keys repeated across dates`);
  }
  return problems;
}

/** References whose target does not exist in the same or an earlier date's file. */
async function orphanCounts(prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const e of ENTITIES)
    for (const r of e.references) {
      out[`${e.name}.${r.column}`] = await count(`SELECT count(*) FROM ${prefix}${e.name} s
        WHERE s.${quoteIdent(r.column)} IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM ${prefix}${r.entity} t WHERE t.${quoteIdent(r.entityColumn)} = s.${quoteIdent(r.column)} AND t._date <= s._date)`);
    }
  return out;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cq-generate-test-'));
  base = join(root, 'base');
  baseSummary = await gen(base);
  wh = await openWarehouse(':memory:');
  await loadCsvs(base, 'b_');
}, 120_000);

afterAll(async () => {
  await wh?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('generateSample layout', () => {
  it('writes one folder per month end with all 12 entity files (fx_rates included) and the contract header', async () => {
    expect(baseSummary.dates).toEqual(['2024-11-30', '2024-12-31', '2025-01-31', '2025-02-28']);
    expect((await readdir(base)).sort()).toEqual(baseSummary.dates);
    for (const date of baseSummary.dates) {
      expect((await readdir(join(base, date))).sort()).toEqual(ENTITIES.map((e) => `${e.name}.csv`).sort());
      for (const e of ENTITIES) {
        const text = await readFile(join(base, date, `${e.name}.csv`), 'utf8');
        expect(text.split('\n')[0]).toBe(e.columns.map((c) => c.name).join(','));
        expect(text.endsWith('\n')).toBe(true);
        expect(text).not.toContain('\r');
        const dataRows = text.split('\n').length - 2;
        expect(dataRows).toBe(baseSummary.rows[e.name][date]);
      }
    }
  });

  it('fills every entity with data over the window and the reference lists on every date', () => {
    for (const e of ENTITIES) expect(baseSummary.totals[e.name], e.name).toBeGreaterThan(0);
    for (const date of baseSummary.dates) {
      expect(baseSummary.rows.branches[date]).toBe(20);
      expect(baseSummary.rows.products[date]).toBe(5);
    }
    // the first date carries the existing book, later dates only new or changed records
    const [first, second] = baseSummary.dates as [string, string];
    expect(baseSummary.rows.customers[first]!).toBeGreaterThan(5 * baseSummary.rows.customers[second]!);
  });

  it('every row satisfies the contract: types, required, codes, bounds, rules, unique keys', async () => {
    const problems: string[] = [];
    for (const e of ENTITIES) problems.push(...(await contractProblems(e, `b_${e.name}`)));
    expect(problems).toEqual([]);
  });

  it('every reference resolves to the same or an earlier date', async () => {
    const orphans = await orphanCounts('b_');
    expect(Object.keys(orphans).length).toBeGreaterThanOrEqual(8);
    for (const [ref, n] of Object.entries(orphans)) expect(n, ref).toBe(0);
  });
});

describe('generated book', () => {
  it('balances reconcile with repayments: outstanding = principal − principal repaid', async () => {
    // loans disbursed after the first date: their whole repayment history is in the files
    const newLoans = `SELECT loan_id, max(principal)::DECIMAL(18,2) AS p FROM b_loans
      WHERE disbursed_on > '${baseSummary.dates[0]}' GROUP BY 1`;
    const sql = (cmp: string) => `
      WITH bal AS (
        SELECT b.loan_id, b._date, b.outstanding_principal::DECIMAL(18,2) AS o, l.p
        FROM b_loan_balances b JOIN (${newLoans}) l USING (loan_id)
        WHERE b.status IN ('active', 'settled')
      ), paid AS (
        SELECT bal.loan_id, bal._date, coalesce(sum(r.principal_paid::DECIMAL(18,2)), 0) AS s
        FROM bal LEFT JOIN b_repayments r ON r.loan_id = bal.loan_id AND r._date <= bal._date
        GROUP BY ALL
      )
      SELECT count(*) FROM bal JOIN paid USING (loan_id, _date) WHERE bal.o ${cmp} bal.p - paid.s`;
    expect(await count(sql('='))).toBeGreaterThan(10);
    expect(await count(sql('<>'))).toBe(0);
    // and for one loan with several repayments, by hand
    const last = baseSummary.dates[3]!;
    const [loan] = await wh.all<{ loan_id: string }>(`SELECT r.loan_id FROM b_repayments r
      JOIN (${newLoans}) l USING (loan_id)
      JOIN b_loan_balances b ON b.loan_id = r.loan_id AND b._date = '${last}' AND b.status = 'active'
      GROUP BY 1 HAVING count(*) >= 2 ORDER BY 1 LIMIT 1`);
    expect(loan).toBeDefined();
    const id = loan!.loan_id;
    const outstanding = await wh.all<{ v: string }>(`SELECT outstanding_principal AS v FROM b_loan_balances WHERE loan_id = '${id}' AND _date = '${last}'`);
    const principal = await wh.all<{ v: string }>(`SELECT DISTINCT principal AS v FROM b_loans WHERE loan_id = '${id}'`);
    const paid = await wh.all<{ v: string }>(`SELECT principal_paid AS v FROM b_repayments WHERE loan_id = '${id}'`);
    const cents = (v: string) => Math.round(Number(v) * 100);
    expect(principal).toHaveLength(1);
    expect(paid.length).toBeGreaterThanOrEqual(2);
    expect(cents(principal[0]!.v) - paid.reduce((s, r) => s + cents(r.v), 0)).toBe(cents(outstanding[0]!.v));
  });

  it('month-on-month balance changes equal the principal repaid in the month, for every loan', async () => {
    const [d0, d1, d2, d3] = baseSummary.dates as [string, string, string, string];
    let compared = 0;
    for (const [prev, cur] of [[d0, d1], [d1, d2], [d2, d3]] as const) {
      const base = `
        FROM b_loan_balances a JOIN b_loan_balances b ON b.loan_id = a.loan_id AND a._date = '${prev}' AND b._date = '${cur}'
        LEFT JOIN (SELECT loan_id, sum(principal_paid::DECIMAL(18,2)) AS s FROM b_repayments WHERE _date = '${cur}' GROUP BY 1) r
          ON r.loan_id = a.loan_id
        WHERE a.status = 'active' AND b.status IN ('active', 'settled')`;
      compared += await count(`SELECT count(*) ${base}`);
      expect(await count(`SELECT count(*) ${base}
        AND a.outstanding_principal::DECIMAL(18,2) - b.outstanding_principal::DECIMAL(18,2) <> coalesce(r.s, 0)`)).toBe(0);
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('overdue amounts and class follow days past due, and provisions follow the class', async () => {
    expect(await count(`SELECT count(*) FROM b_loan_balances WHERE days_past_due::INT = 0
      AND (overdue_principal::DECIMAL(18,2) <> 0 OR overdue_interest::DECIMAL(18,2) <> 0)`)).toBe(0);
    expect(await count(`SELECT count(*) FROM b_loan_balances WHERE status = 'active' AND days_past_due::INT > 0
      AND overdue_principal::DECIMAL(18,2) + overdue_interest::DECIMAL(18,2) = 0`)).toBe(0);
    expect(await count(`SELECT count(*) FROM b_loan_balances WHERE days_past_due::INT > 0`)).toBeGreaterThan(0);
    // provisions are balance × class rate, to the cent
    expect(await count(`SELECT count(*) FROM b_loan_balances WHERE provision_amount::DECIMAL(18,2) <>
      round(outstanding_principal::DECIMAL(18,2) * CASE recorded_class WHEN '正常' THEN 0.015 WHEN '关注' THEN 0.03
        WHEN '次级' THEN 0.3 WHEN '可疑' THEN 0.6 ELSE 1 END, 2)`)).toBe(0);
    // the class is never harsher than the rule (except restructured loans' floor), at most one class milder
    const rule = `CASE WHEN days_past_due::INT = 0 THEN 0 WHEN days_past_due::INT <= 90 THEN 1 WHEN days_past_due::INT <= 270 THEN 2
      WHEN days_past_due::INT <= 360 THEN 3 ELSE 4 END`;
    const cls = `list_position(['正常','关注','次级','可疑','损失'], recorded_class) - 1`;
    expect(await count(`SELECT count(*) FROM b_loan_balances b WHERE status = 'active' AND ${cls} < ${rule} - 1`)).toBe(0);
    const total = await count(`SELECT count(*) FROM b_loan_balances WHERE status = 'active'`);
    const matching = await count(`SELECT count(*) FROM b_loan_balances WHERE status = 'active' AND ${cls} = ${rule}`);
    expect(matching / total).toBeGreaterThan(0.95);
  });

  it('repayment schedules come from the repayment method and add up to the principal', async () => {
    // a regular payment pays exactly the instalment that fell due
    const joined = `FROM b_repayments r JOIN b_repayment_schedule s ON s.loan_id = r.loan_id AND s.instalment_no = r.instalment_no
      AND s._date = r._date`;
    expect(await count(`SELECT count(*) ${joined}`)).toBeGreaterThan(100);
    // (a prepayment pays more principal than due, never less)
    expect(await count(`SELECT count(*) ${joined} WHERE r.interest_paid <> s.interest_due
      OR r.principal_paid::DECIMAL(18,2) < s.principal_due::DECIMAL(18,2)`)).toBe(0);
    // interest_first loans pay no principal before the last instalment
    const plain = `SELECT DISTINCT loan_id, repayment_method, term_months::INT AS n FROM b_loans
      WHERE loan_id NOT IN (SELECT loan_id FROM b_loans WHERE restructured = 'true')`;
    expect(await count(`SELECT count(*) FROM b_repayment_schedule s JOIN (${plain}) l USING (loan_id)
      WHERE l.repayment_method = 'interest_first' AND s.instalment_no::INT < l.n AND s.principal_due::DECIMAL(18,2) <> 0`)).toBe(0);
    expect(await count(`SELECT count(*) FROM b_repayment_schedule s JOIN (${plain}) l USING (loan_id)
      WHERE l.repayment_method = 'interest_first' AND s.instalment_no::INT = l.n AND s.principal_due::DECIMAL(18,2) > 0`)).toBeGreaterThan(0);
  });

  it('customers look real: valid ID check characters, mobile numbers, Chinese names', async () => {
    const ids = await wh.all<{ id_number: string; customer_type: string; name: string; phone: string | null }>(
      `SELECT DISTINCT id_number, customer_type, name, phone FROM b_customers`,
    );
    const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const charset = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    let businesses = 0;
    for (const c of ids) {
      expect(c.id_number).toHaveLength(18);
      if (c.customer_type === 'individual') {
        const sum = [...c.id_number.slice(0, 17)].reduce((s, ch, i) => s + Number(ch) * weights[i]!, 0);
        expect(c.id_number[17]).toBe('10X98765432'[sum % 11]);
        expect(c.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
      } else {
        businesses++;
        const sum = [...c.id_number.slice(0, 17)].reduce((s, ch, i) => s + charset.indexOf(ch) * usccWeights[i]!, 0);
        expect(c.id_number[17]).toBe(charset[(31 - (sum % 31)) % 31]);
        expect(c.name).toMatch(/^[\u4e00-\u9fff]+(有限公司|有限责任公司|商行)$/);
      }
      if (c.phone !== null) expect(c.phone).toMatch(/^1[3-9]\d{9}$/);
    }
    expect(businesses / ids.length).toBeGreaterThan(0.08);
    expect(businesses / ids.length).toBeLessThan(0.25);
    expect(new Set(ids.map((c) => c.id_number)).size).toBe(ids.length);
  });

  it('credit-file updates: dated on or before their business date, of known customers, mostly on cycle with some late and some never delivered', async () => {
    expect(await count(`SELECT count(*) FROM b_credit_file_updates WHERE updated_on::DATE > _date::DATE`)).toBe(0);
    expect(await count(`SELECT count(*) FROM b_credit_file_updates u ANTI JOIN (SELECT DISTINCT customer_id FROM b_customers) c USING (customer_id)`)).toBe(0);
    // The first file carries the latest update of every element kept (individuals 2, small businesses 5).
    const first = `(SELECT min(_date) FROM b_credit_file_updates)`;
    const perCustomer = await wh.all<{ t: string; k: number }>(
      `SELECT c.customer_type AS t, avg(n)::DOUBLE AS k FROM (SELECT customer_id, count(*) AS n FROM b_credit_file_updates WHERE _date = ${first} GROUP BY 1) u
       JOIN (SELECT DISTINCT customer_id, customer_type FROM b_customers) c USING (customer_id) GROUP BY 1 ORDER BY 1`,
    );
    expect(perCustomer.map((r) => r.t)).toEqual(['individual', 'small_business']);
    expect(perCustomer[0]!.k).toBeGreaterThan(1.9); // ≈ 2 × (1 − 1.5 % never delivered)
    expect(perCustomer[0]!.k).toBeLessThanOrEqual(2);
    expect(perCustomer[1]!.k).toBeGreaterThan(4.5); // ≈ 5 × (1 − 1.5 %)
    // Gaps between successive updates of an element: a cycle less 3–20 days (on time) or plus 15–90 days (late, ~10 %).
    const gaps = await wh.all<{ late: number; n: number }>(
      `WITH u AS (SELECT customer_id, file_element, updated_on::DATE AS d, lag(updated_on::DATE) OVER (PARTITION BY customer_id, file_element ORDER BY updated_on) AS p FROM b_credit_file_updates)
       SELECT count(*) FILTER (WHERE d > CAST(p + to_months(CASE file_element WHEN 'financial_statements' THEN 3 WHEN 'site_visit' THEN 3 ELSE 6 END) AS DATE) + 10 AND file_element IN ('financial_statements', 'site_visit'))::INTEGER AS late,
              count(*) FILTER (WHERE file_element IN ('financial_statements', 'site_visit'))::INTEGER AS n
       FROM u WHERE p IS NOT NULL`,
    );
    // (4 months of a 600-customer book see few quarterly gaps, and a late update often falls past the window.)
    expect(gaps[0]!.n).toBeGreaterThan(50);
    expect(gaps[0]!.late).toBeGreaterThan(0);
    expect(gaps[0]!.late / gaps[0]!.n).toBeLessThan(0.2);
  });

  it('warnings are raised on or after their signal and verifications complete after submission', async () => {
    expect(await count(`SELECT count(*) FROM b_warnings WHERE raised_at::TIMESTAMP::DATE < signal_on::DATE`)).toBe(0);
    expect(await count(`SELECT count(*) FROM b_verifications WHERE result = 'pending' AND verified_at IS NOT NULL`)).toBe(0);
    expect(await count(`SELECT count(*) FROM b_verifications WHERE result <> 'pending' AND verified_at IS NULL`)).toBe(0);
  });
});

describe('determinism', () => {
  it('same options give byte-identical files; another seed gives different files', async () => {
    const again = join(root, 'again');
    await gen(again);
    const [a, b] = [await fingerprint(base), await fingerprint(again)];
    expect(Object.keys(a).length).toBe(4 * ENTITIES.length); // 4 month ends × every entity (the sample delivers the optional ones too)
    expect(b).toEqual(a);
    const other = join(root, 'other-seed');
    await gen(other, { seed: SEED + 1 });
    const c = await fingerprint(other);
    expect(Object.keys(c)).toEqual(Object.keys(a));
    expect(c['2024-11-30/customers.csv']).not.toBe(a['2024-11-30/customers.csv']);
    expect(c['2024-11-30/loan_balances.csv']).not.toBe(a['2024-11-30/loan_balances.csv']);
    // reference lists do not depend on the seed
    expect(c['2024-11-30/branches.csv']).toBe(a['2024-11-30/branches.csv']);
  }, 120_000);
});

describe('encodings and formats', () => {
  it('GB18030 output decodes to exactly the UTF-8 output and is declared in manifest.json', async () => {
    const dir = join(root, 'gb');
    await gen(dir, { encoding: 'gb18030' });
    for (const date of baseSummary.dates) {
      expect(await readFile(join(dir, date, 'manifest.json'), 'utf8')).toBe('{"encoding":"gb18030"}\n');
      await expect(stat(join(base, date, 'manifest.json'))).rejects.toThrow();
      for (const e of ENTITIES) {
        const gbBytes = await readFile(join(dir, date, `${e.name}.csv`));
        const utf8 = await readFile(join(base, date, `${e.name}.csv`), 'utf8');
        expect(iconv.decode(gbBytes, 'gb18030'), `${date}/${e.name}`).toBe(utf8);
      }
      const customers = await readFile(join(dir, date, 'customers.csv'));
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(customers)).toThrow();
    }
  }, 60_000);

  it('Parquet output holds the same rows with contract types', async () => {
    const dir = join(root, 'parquet');
    const s = await gen(dir, { format: 'parquet' });
    expect(s.rows).toEqual(baseSummary.rows);
    const last = baseSummary.dates[3]!;
    expect((await readdir(join(dir, last))).sort()).toEqual(ENTITIES.map((e) => `${e.name}.parquet`).sort());
    const types = await wh.all<{ column_name: string; column_type: string }>(
      `DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(join(dir, last, 'loans.parquet'))})`,
    );
    // Every contract column, in contract order, with the contract's type (e.g. principal:DECIMAL(18,2), annual_rate:DOUBLE).
    const loansContract = ENTITIES.find((e) => e.name === 'loans')!;
    expect(types.map((t) => `${t.column_name}:${t.column_type}`)).toEqual(loansContract.columns.map((c) => `${c.name}:${COLUMN_TYPES[c.type]}`));
    expect(types.map((t) => t.column_name).slice(0, 5)).toEqual(['loan_id', 'customer_id', 'branch_id', 'product_id', 'principal']);
    expect(types.find((t) => t.column_name === 'principal')?.column_type).toBe('DECIMAL(18,2)');
    const diff = await count(`SELECT count(*) FROM (
      SELECT loan_id, principal::VARCHAR, annual_rate::DOUBLE, disbursed_on::VARCHAR FROM read_parquet(${quoteLiteral(join(dir, last, 'loans.parquet'))})
      EXCEPT SELECT loan_id, principal, annual_rate::DOUBLE, disbursed_on FROM b_loans WHERE _date = '${last}')`);
    expect(diff).toBe(0);
  }, 60_000);
});

describe('options', () => {
  it('rejects bad options with CLI_USAGE and refuses to overwrite extracts', async () => {
    const bad: Partial<GenerateOptions>[] = [
      { customers: 0 },
      { months: 0 },
      { seed: -1 },
      { startMonth: '2024-13' },
      { encoding: 'latin1' as never },
      { format: 'xlsx' as never },
      { faults: ['no-such-fault' as FaultName] },
      { format: 'parquet', faults: ['missing-file'] },
    ];
    for (const b of bad) {
      const err = await gen(join(root, 'never'), b).catch((e: unknown) => e);
      expect(isCqError(err, 'CLI_USAGE'), JSON.stringify(b)).toBe(true);
    }
    const err = await gen(base).catch((e: unknown) => e);
    expect(isCqError(err, 'CLI_USAGE')).toBe(true);
  });

  it('--start-month moves the window; --overwrite replaces earlier extracts', async () => {
    const dir = join(root, 'start-month');
    const s = await generateSample({ customers: 40, months: 2, seed: 1, out: dir, startMonth: '2028-01' });
    expect(s.dates).toEqual(['2028-01-31', '2028-02-29']);
    const again = await generateSample({ customers: 40, months: 1, seed: 1, out: dir, startMonth: '2025-06', overwrite: true });
    expect((await readdir(dir)).sort()).toEqual(again.dates);
  });

  it('the CLI prints what it wrote and reports usage errors with exit code 1', async () => {
    const run = promisify(execFile);
    const cli = join(process.cwd(), 'transforms/cli/generate.ts');
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const out = join(root, 'cli');
    const { stdout } = await run(tsx, [cli, '--customers', '50', '--months', '2', '--seed', '3', '--out', out, '--quiet', '--fault', 'missing-file']);
    expect(stdout).toMatch(new RegExp(`wrote ${2 * ENTITIES.length - 1} files`)); // 2 dates × every entity, less the one the fault removed
    expect(stdout).toMatch(/loan_balances\s+[\d,]+ rows/);
    expect(stdout).toMatch(/fault missing-file: 2024-12-31\/repayments\.csv/);
    expect(stdout).toMatch(/peak RSS \d+ MiB/);
    const err = await run(tsx, [cli, '--customers', 'many', '--months', '2', '--seed', '3', '--out', out]).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 1 });
    expect((err as { stderr: string }).stderr).toMatch(/error \[CLI_USAGE\]: --customers must be a whole number/);
  }, 60_000);
});

describe('fault injection', () => {
  const last = () => baseSummary.dates[baseSummary.dates.length - 1]!;
  const copyBase = async (name: string) => {
    const dir = join(root, `fault-${name}`);
    await cp(base, dir, { recursive: true });
    return dir;
  };
  /** Lines (without the empty string after a final newline) of the base and the faulted file, how many differ, how many were added. */
  const diff = async (dir: string, entity: string, encoding = 'utf-8') => {
    const trim = (l: string[]) => (l[l.length - 1] === '' ? l.slice(0, -1) : l);
    const a = trim(await lines(join(base, last(), `${entity}.csv`)));
    const b = trim(await lines(join(dir, last(), `${entity}.csv`), encoding));
    let changed = 0;
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) changed++;
    return { a, b, changed, added: b.length - a.length };
  };
  const untouched = async (dir: string, except: string[]) => {
    const a = await fingerprint(base);
    const b = await fingerprint(dir);
    for (const k of Object.keys(a)) if (!except.includes(k)) expect(b[k], k).toBe(a[k]);
  };

  it('covers every documented fault', () => {
    expect([...FAULT_NAMES].sort()).toEqual(
      ['bad-date', 'duplicate-key', 'missing-column', 'missing-file', 'negative-amount', 'orphan-balance', 'orphan-loan',
        'truncated-line', 'wrong-encoding', 'wrong-type'].sort(),
    );
  });

  it('missing-file deletes the last date’s repayments.csv only', async () => {
    const dir = await copyBase('missing-file');
    const r = await injectFault(dir, 'missing-file');
    expect(r.file).toBe(`${last()}/repayments.csv`);
    await expect(stat(join(dir, last(), 'repayments.csv'))).rejects.toThrow();
    await stat(join(dir, baseSummary.dates[2]!, 'repayments.csv'));
    await untouched(dir, [`${last()}/repayments.csv`]);
  });

  it('missing-column drops principal from loans.csv', async () => {
    const dir = await copyBase('missing-column');
    const r = await injectFault(dir, 'missing-column');
    const { a, b } = await diff(dir, 'loans');
    expect(b[0]).toBe(a[0]!.replace(',principal', ''));
    expect(b.length).toBe(a.length);
    expect(r.rowsAffected).toBe(a.length - 1);
    // Every line keeps the contract's other columns: one field fewer than the contract.
    const loanColumns = ENTITIES.find((e) => e.name === 'loans')!.columns.length;
    for (const line of b) expect(line.split(',')).toHaveLength(loanColumns - 1);
    await untouched(dir, [`${last()}/loans.csv`]);
  });

  it('wrong-type puts abc into days_past_due of 3 balance rows', async () => {
    const dir = await copyBase('wrong-type');
    const r = await injectFault(dir, 'wrong-type');
    const { b, changed, added } = await diff(dir, 'loan_balances');
    expect([changed, added, r.rowsAffected]).toEqual([3, 0, 3]);
    expect(r.lines).toEqual([2, 3, 4]);
    for (const l of r.lines) expect(b[l - 1]!.split(',')[5]).toBe('abc');
  });

  it('bad-date puts 2026-13-45 into disbursed_on of 2 loans', async () => {
    const dir = await copyBase('bad-date');
    const r = await injectFault(dir, 'bad-date');
    const { b, changed, added } = await diff(dir, 'loans');
    expect([changed, added, r.rowsAffected]).toEqual([2, 0, 2]);
    expect(b.filter((l) => l.split(',')[10] === '2026-13-45')).toHaveLength(2);
  });

  it('negative-amount sets principal_paid to -100.00 in 2 repayments', async () => {
    const dir = await copyBase('negative-amount');
    const r = await injectFault(dir, 'negative-amount');
    const { b, changed, added } = await diff(dir, 'repayments');
    expect([changed, added, r.rowsAffected]).toEqual([2, 0, 2]);
    expect(b.filter((l) => l.split(',')[4] === '-100.00')).toHaveLength(2);
  });

  it('duplicate-key repeats one loan row', async () => {
    const dir = await copyBase('duplicate-key');
    const r = await injectFault(dir, 'duplicate-key');
    const { a, b, changed, added } = await diff(dir, 'loans');
    expect([changed, added, r.rowsAffected]).toEqual([0, 1, 1]);
    expect(b[b.length - 1]).toBe(a[1]);
  });

  it('orphan-loan adds exactly one loan whose customer exists nowhere', async () => {
    const dir = await copyBase('orphan-loan');
    const r = await injectFault(dir, 'orphan-loan');
    const { added } = await diff(dir, 'loans');
    expect([added, r.rowsAffected]).toEqual([1, 1]);
    await loadCsvs(dir, 'f_');
    const orphans = await orphanCounts('f_');
    expect(orphans['loans.customer_id']).toBe(1);
    expect(Object.values(orphans).reduce((s, n) => s + n, 0)).toBe(1);
    expect(await count(`SELECT count(*) FROM f_loans WHERE loan_id = '${ORPHAN_LOAN_ID}'`)).toBe(1);
  });

  it('orphan-balance adds exactly one balance row for an unknown loan', async () => {
    const dir = await copyBase('orphan-balance');
    const r = await injectFault(dir, 'orphan-balance');
    expect(r.rowsAffected).toBe(1);
    await loadCsvs(dir, 'f_');
    const orphans = await orphanCounts('f_');
    expect(orphans['loan_balances.loan_id']).toBe(1);
    expect(Object.values(orphans).reduce((s, n) => s + n, 0)).toBe(1);
    expect(await count(`SELECT count(*) FROM f_loan_balances WHERE loan_id = '${ORPHAN_BALANCE_LOAN_ID}'`)).toBe(1);
  });

  it('truncated-line cuts the last balance line in the middle without a newline', async () => {
    const dir = await copyBase('truncated-line');
    const r = await injectFault(dir, 'truncated-line');
    const { a, b, changed, added } = await diff(dir, 'loan_balances');
    expect([changed, added, r.rowsAffected]).toEqual([1, 0, 1]);
    const cut = b[b.length - 1]!;
    const original = a[a.length - 1]!;
    expect(original.startsWith(cut)).toBe(true);
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(original.length);
    expect(r.lines).toEqual([a.length]);
    expect((await readFile(join(dir, last(), 'loan_balances.csv'))).at(-1)).not.toBe(0x0a);
  });

  it('wrong-encoding writes customers.csv in GB18030 without a manifest', async () => {
    const dir = await copyBase('wrong-encoding');
    await injectFault(dir, 'wrong-encoding');
    const bytes = await readFile(join(dir, last(), 'customers.csv'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(iconv.decode(bytes, 'gb18030')).toBe(await readFile(join(base, last(), 'customers.csv'), 'utf8'));
    await expect(stat(join(dir, last(), 'manifest.json'))).rejects.toThrow();
    await untouched(dir, [`${last()}/customers.csv`]);
  });

  it('faults requested from generateSample are applied to the last date, in canonical order', async () => {
    const dir = join(root, 'faulted');
    const s = await gen(dir, { faults: ['missing-file', 'bad-date', 'wrong-type'] });
    expect(s.faults.map((f) => f.fault)).toEqual(['wrong-type', 'bad-date', 'missing-file']);
    expect(s.faults.every((f) => f.file.startsWith(`${last()}/`))).toBe(true);
    await expect(stat(join(dir, last(), 'repayments.csv'))).rejects.toThrow();
    const { changed } = await diff(dir, 'loans');
    expect(changed).toBe(2);
  }, 60_000);
});
