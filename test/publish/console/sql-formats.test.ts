import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { tableFromIPC, Type, type Decimal as ArrowDecimal, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../../../transforms/publish/console/display-width.js';
import { runQuery } from '../../../transforms/publish/console/run-query.js';
import { copyFixture } from './sql-fixture.js';

/**
 * Output formats of the analyst console on the fixture warehouse: Parquet and Arrow read back
 * to the same rows and types, CSV / JSON / NDJSON text is exact (hand-written expectations),
 * results stream into files atomically, and the terminal table lines up Chinese text.
 */

let dir: string;
let warehouse: string;
let oracle: DuckDBConnection;
let oracleInstance: DuckDBInstance;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-formats-'));
  warehouse = await copyFixture(join(dir, 'warehouse.duckdb'));
  // An unrestricted DuckDB to read the outputs back and to compute the expected rows.
  oracleInstance = await DuckDBInstance.create(':memory:');
  oracle = await oracleInstance.connect();
  await oracle.run(`ATTACH '${warehouse}' AS w (READ_ONLY)`);
});
afterAll(() => {
  oracle.closeSync();
  oracleInstance.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

/** Every DuckDB type the warehouse uses, plus the awkward ones; row 2 is all NULL. */
const TYPES_SQL = `
SELECT * FROM (VALUES
  (1::TINYINT, 2::SMALLINT, 3::INTEGER, 9007199254740993::BIGINT, 18446744073709551615::UBIGINT, 1.5::FLOAT, 0.1::DOUBLE,
   1234567.89::DECIMAL(18,2), 12345678901234567890123456789012345678::HUGEINT, DATE '2026-10-31', TIMESTAMP '2026-05-02 09:00:00.123456',
   TIME '12:34:56.5', true, '张伟, "quoted"' || chr(10) || 'next line', [1, 2]::INTEGER[], {'a': 1}, INTERVAL 3 DAY),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (-1::TINYINT, -2::SMALLINT, -3::INTEGER, -4::BIGINT, 0::UBIGINT, -0.5::FLOAT, -1e300::DOUBLE,
   -0.01::DECIMAL(18,2), -99999999999999999999999999999999999999::HUGEINT, DATE '1969-12-31', TIMESTAMP '1969-12-31 23:59:59.999999',
   TIME '00:00:00', false, '', []::INTEGER[], {'a': NULL}, INTERVAL 1 MONTH)
) t(ti, si, i, bi, ub, f, d, money, huge, dt, ts, tm, bo, txt, lst, st, iv)`;

const KINDS: Record<string, string> = {
  ti: 'TINYINT', si: 'SMALLINT', i: 'INTEGER', bi: 'BIGINT', ub: 'UBIGINT', f: 'FLOAT', d: 'DOUBLE', money: 'DECIMAL(18,2)',
  huge: 'HUGEINT', dt: 'DATE', ts: 'TIMESTAMP', tm: 'TIME', bo: 'BOOLEAN', txt: 'VARCHAR', lst: 'INTEGER[]', st: 'STRUCT(a INTEGER)', iv: 'INTERVAL',
};

async function describeTypes(sql: string): Promise<Record<string, string>> {
  const rows = (await oracle.runAndReadAll(`DESCRIBE ${sql}`)).getRowObjectsJS() as { column_name: string; column_type: string }[];
  return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
}

async function count(sql: string): Promise<number> {
  return Number((await oracle.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRows()[0]![0]);
}

describe('Parquet round-trips rows and types', () => {
  it('every type: the file reads back to the same rows, HUGEINT as exact DECIMAL(38,0)', async () => {
    const out = join(dir, 'types.parquet');
    const r = await runQuery({ warehouse, sql: TYPES_SQL, format: 'parquet', out });
    expect(r.rowCount).toBe(3);
    const back = `SELECT * FROM read_parquet('${out}')`;
    expect(await describeTypes(back)).toEqual({ ...KINDS, huge: 'DECIMAL(38,0)' });
    const expected = `SELECT * REPLACE (CAST(huge AS DECIMAL(38,0)) AS huge) FROM (${TYPES_SQL})`;
    expect(await count(`${back} EXCEPT ALL ${expected}`)).toBe(0);
    expect(await count(`${expected} EXCEPT ALL ${back}`)).toBe(0);
  });

  it('a warehouse table: same rows and types as in the warehouse', async () => {
    const out = join(dir, 'loans.parquet');
    const r = await runQuery({ warehouse, sql: 'select * from core.fct_loan_month_ends order by as_of_month, loan_id', format: 'parquet', out });
    expect(r.rowCount).toBe(8);
    const back = `SELECT * FROM read_parquet('${out}')`;
    // Parquet has no ENUM type: the fact's ENUM code columns (product_id, grade, …) come back
    // as VARCHAR with the same values; every other type is unchanged.
    const inWarehouse = await describeTypes('SELECT * FROM w.core.fct_loan_month_ends');
    expect(Object.values(inWarehouse).some((t) => t.startsWith('ENUM('))).toBe(true);
    const expected = Object.fromEntries(Object.entries(inWarehouse).map(([c, t]) => [c, t.startsWith('ENUM(') ? 'VARCHAR' : t]));
    expect(await describeTypes(back)).toEqual(expected);
    expect(await count(`${back} EXCEPT ALL SELECT * FROM w.core.fct_loan_month_ends`)).toBe(0);
    expect(await count(`SELECT * FROM w.core.fct_loan_month_ends EXCEPT ALL ${back}`)).toBe(0);
    // Money stays exact: 1,875,000.00 + 1,871,000.00 (test/publish/console/sql-fixture.ts).
    expect(String((await oracle.runAndReadAll(`SELECT sum(on_book_balance)::VARCHAR FROM read_parquet('${out}')`)).getRows()[0]![0])).toBe('3746000.00');
  });

  it('masked columns stay masked in the file', async () => {
    const out = join(dir, 'customers.parquet');
    await runQuery({ warehouse, sql: 'select customer_name, phone from staging.stg_lender__customers order by customer_id', format: 'parquet', out });
    expect((await oracle.runAndReadAll(`SELECT * FROM read_parquet('${out}')`)).getRowsJS()).toEqual([
      ['张**', '138****8000'],
      ['李**', '139****9000'],
      ['杭**', null],
    ]);
  });
});

/** Raw fixed-width values of a column of an Arrow table (exact: bigint / typed numbers). */
function rawValues(t: Table, name: string): unknown[] {
  const col = t.getChild(name)!;
  const out: unknown[] = [];
  for (const data of col.data) {
    const stride = data.type.typeId === Type.Decimal ? 4 : 1;
    for (let k = 0; k < data.length; k++) {
      if (!data.getValid(k)) {
        out.push(null);
        continue;
      }
      if (data.type.typeId === Type.Decimal) {
        const words = data.values.subarray(k * stride, k * stride + 4) as Uint32Array;
        const view = new DataView(words.buffer, words.byteOffset, 16);
        out.push((view.getBigInt64(8, true) << 64n) | view.getBigUint64(0, true));
      } else out.push((data.values as ArrayLike<unknown>)[k]);
    }
  }
  return out;
}

describe('Arrow IPC round-trips rows and types', () => {
  it('every type: Arrow types, DuckDB type metadata and exact values', async () => {
    // (DuckDB names the struct field quoted in its type text.)
    const out = join(dir, 'types.arrow');
    const r = await runQuery({ warehouse, sql: TYPES_SQL, format: 'arrow', out });
    expect(r.rowCount).toBe(3);
    const t = tableFromIPC(readFileSync(out));
    expect(t.numRows).toBe(3);
    expect(Object.fromEntries(t.schema.fields.map((f) => [f.name, f.metadata.get('duckdb_type')]))).toEqual({ ...KINDS, st: 'STRUCT("a" INTEGER)' });
    expect(Object.fromEntries(t.schema.fields.map((f) => [f.name, Type[f.type.typeId]]))).toEqual({
      ti: 'Int', si: 'Int', i: 'Int', bi: 'Int', ub: 'Int', f: 'Float', d: 'Float', money: 'Decimal', huge: 'Decimal', dt: 'Date',
      ts: 'Timestamp', tm: 'Time', bo: 'Bool', txt: 'Utf8', lst: 'Utf8', st: 'Utf8', iv: 'Utf8',
    });
    const money = t.schema.fields.find((f) => f.name === 'money')!.type as ArrowDecimal;
    expect([money.precision, money.scale]).toEqual([18, 2]);
    expect(rawValues(t, 'ti')).toEqual([1, null, -1]);
    expect(rawValues(t, 'bi')).toEqual([9007199254740993n, null, -4n]);
    expect(rawValues(t, 'ub')).toEqual([18446744073709551615n, null, 0n]);
    expect(rawValues(t, 'f')).toEqual([1.5, null, -0.5]);
    expect(rawValues(t, 'd')).toEqual([0.1, null, -1e300]);
    expect(rawValues(t, 'money')).toEqual([123456789n, null, -1n]);
    expect(rawValues(t, 'huge')).toEqual([12345678901234567890123456789012345678n, null, -99999999999999999999999999999999999999n]);
    expect(rawValues(t, 'dt')).toEqual([20757, null, -1]); // days since 1970-01-01
    expect(rawValues(t, 'ts')).toEqual([1777712400123456n, null, -1n]); // µs since the epoch
    expect(rawValues(t, 'tm')).toEqual([45296500000n, null, 0n]); // µs since midnight
    expect([...t.getChild('bo')!]).toEqual([true, null, false]);
    expect([...t.getChild('txt')!]).toEqual(['张伟, "quoted"\nnext line', null, '']);
    expect([...t.getChild('lst')!]).toEqual(['[1, 2]', null, '[]']);
    expect([...t.getChild('iv')!]).toEqual(['3 days', null, '1 month']);
  });

  it('a warehouse table: same rows as DuckDB returns', async () => {
    const out = join(dir, 'loans.arrow');
    await runQuery({ warehouse, sql: 'select * from core.fct_loan_month_ends order by as_of_month, loan_id', format: 'arrow', out });
    const t = tableFromIPC(readFileSync(out));
    const expected = (await oracle.runAndReadAll('SELECT loan_id, on_book_balance, days_past_due, is_npl FROM w.core.fct_loan_month_ends ORDER BY as_of_month, loan_id')).getRows();
    expect(t.numRows).toBe(expected.length);
    expect([...t.getChild('loan_id')!]).toEqual(expected.map((r) => r[0]));
    expect(rawValues(t, 'on_book_balance')).toEqual(expected.map((r) => (r[1] as { value: bigint }).value));
    expect(rawValues(t, 'days_past_due')).toEqual(expected.map((r) => r[2]));
    expect([...t.getChild('is_npl')!]).toEqual(expected.map((r) => r[3]));
    expect(t.schema.fields.length).toBe(Object.keys(await describeTypes('SELECT * FROM w.core.fct_loan_month_ends')).length);
  });

  it('a large result streams in record batches of one DuckDB chunk', async () => {
    const out = join(dir, 'big.arrow');
    const r = await runQuery({ warehouse, sql: 'select range as i, range * 0.5 as half from range(100000)', format: 'arrow', out });
    expect(r.rowCount).toBe(100_000);
    const t = tableFromIPC(readFileSync(out));
    expect(t.numRows).toBe(100_000);
    expect(t.batches.length).toBeGreaterThan(40); // 2,048 rows per chunk
    expect(rawValues(t, 'i').at(-1)).toBe(99_999n);
  });
});

describe('text formats', () => {
  const SQL = `select 'C001' as id, '张伟, "quoted"' as name, NULL::VARCHAR as empty_null, '' as empty_text,
    1234567.89::DECIMAL(18,2) as money, 9007199254740993::BIGINT as big, 0.1::DOUBLE as d, DATE '2026-10-31' as day,
    TIMESTAMP '2026-05-02 09:00:00' as at, true as ok, [1, 2] as lst`;

  it('CSV: RFC 4180, NULL empty, empty string quoted, exact numbers', async () => {
    const out = join(dir, 'x.csv');
    await runQuery({ warehouse, sql: SQL, format: 'csv', out });
    expect(readFileSync(out, 'utf8')).toBe(
      'id,name,empty_null,empty_text,money,big,d,day,at,ok,lst\n' +
        'C001,"张伟, ""quoted""",,"",1234567.89,9007199254740993,0.1,2026-10-31,2026-05-02 09:00:00,true,"[1, 2]"\n',
    );
    // And DuckDB reads it back to the same values.
    const back = (await oracle.runAndReadAll(`SELECT name, empty_null, empty_text, money::VARCHAR, big FROM read_csv('${out}', allow_quoted_nulls = false, types = {'money': 'DECIMAL(18,2)', 'big': 'BIGINT'})`)).getRowsJS();
    expect(back).toEqual([['张伟, "quoted"', null, '', '1234567.89', 9007199254740993n]]);
  });

  it('CSV: text a spreadsheet would run as a formula starts with an apostrophe (values and column names); numbers do not', async () => {
    const out = join(dir, 'formulas.csv');
    await runQuery({
      warehouse,
      sql: `select '=HYPERLINK("http://x","y")' as f, '+1' as plus, '@SUM(A1)' as at, '-cmd' as minus, '-12.50' as neg_text,
        -5 as neg, -0.01::DECIMAL(18,2) as neg_money, ' padded' as pad, 'plain' as "=col"`,
      format: 'csv',
      out,
    });
    expect(readFileSync(out, 'utf8')).toBe(
      `f,plus,at,minus,neg_text,neg,neg_money,pad,'=col\n` +
        `"'=HYPERLINK(""http://x"",""y"")",'+1,'@SUM(A1),'-cmd,-12.50,-5,-0.01," padded",plain\n`,
    );
  });

  it('JSON: one array, exact numbers written digit for digit', async () => {
    const out = join(dir, 'x.json');
    await runQuery({ warehouse, sql: SQL, format: 'json', out });
    const text = readFileSync(out, 'utf8');
    expect(text).toBe(
      '[\n{"id":"C001","name":"张伟, \\"quoted\\"","empty_null":null,"empty_text":"","money":1234567.89,"big":9007199254740993,"d":0.1,' +
        '"day":"2026-10-31","at":"2026-05-02 09:00:00","ok":true,"lst":[1,2]}\n]\n',
    );
    expect(JSON.parse(text)).toHaveLength(1);
  });

  it('NDJSON: one object per line; an empty result is an empty file (JSON: [])', async () => {
    const out = join(dir, 'x.ndjson');
    await runQuery({ warehouse, sql: 'select loan_id, days_past_due from core.fct_loan_month_ends where as_of_month = DATE \'2026-10-31\' order by loan_id', format: 'ndjson', out });
    expect(readFileSync(out, 'utf8')).toBe(
      '{"loan_id":"L001","days_past_due":0}\n{"loan_id":"L002","days_past_due":75}\n{"loan_id":"L003","days_past_due":150}\n{"loan_id":"L004","days_past_due":95}\n',
    );
    await runQuery({ warehouse, sql: 'select 1 as x where false', format: 'ndjson', out });
    expect(readFileSync(out, 'utf8')).toBe('');
    await runQuery({ warehouse, sql: 'select 1 as x where false', format: 'json', out: join(dir, 'empty.json') });
    expect(JSON.parse(readFileSync(join(dir, 'empty.json'), 'utf8'))).toEqual([]);
  });

  it('to stdout when there is no --out', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    await runQuery({ warehouse, sql: 'select 1 as a, 2 as b', format: 'csv', stdout });
    expect(text).toBe('a,b\n1,2\n');
  });
});

describe('files are written atomically', () => {
  it('a failing query leaves the existing file untouched and no partial file', async () => {
    const out = join(dir, 'keep.csv');
    writeFileSync(out, 'old contents\n');
    await expect(runQuery({ warehouse, sql: `select range, case when range = 5000 then error('boom') end as x from range(10000)`, format: 'csv', out })).rejects.toMatchObject({ code: 'SQL_ERROR' });
    expect(readFileSync(out, 'utf8')).toBe('old contents\n');
    await expect(runQuery({ warehouse, sql: `select error('boom')`, format: 'parquet', out: join(dir, 'keep.parquet') })).rejects.toMatchObject({ code: 'SQL_ERROR' });
    expect(existsSync(join(dir, 'keep.parquet'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-') || f.startsWith('tmp_'))).toEqual([]);
  });

  it('usage errors: parquet needs --out, the warehouse itself is never an output', async () => {
    await expect(runQuery({ warehouse, sql: 'select 1', format: 'parquet' })).rejects.toMatchObject({ code: 'CLI_USAGE', message: expect.stringMatching(/needs --out/) });
    await expect(runQuery({ warehouse, sql: 'select 1', format: 'csv', out: warehouse })).rejects.toMatchObject({ code: 'CLI_USAGE', message: expect.stringMatching(/is the warehouse file itself/) });
    await expect(runQuery({ warehouse, sql: 'select 1', format: 'csv', out: join(dir, 'no-such-dir', 'x.csv') })).rejects.toMatchObject({ code: 'CLI_USAGE' });
  });
});

describe('terminal table', () => {
  it('lines up Chinese text, right-aligns numbers, and reports rows and time', async () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const r = await runQuery({ warehouse, sql: 'select branch_id, branch_name_zh, region from core.dim_branches order by 1', stdout, unmasked: false });
    const lines = text.trimEnd().split('\n');
    expect(lines).toEqual([
      ' branch_id │ branch_name_zh │ region',
      '───────────┼────────────────┼────────',
      ' BJ01      │ 北京分行       │ 华北',
      ' SH01      │ 上海分行       │ 华东',
      expect.stringMatching(/^2 rows \(\d+\.\d{3} s\)$/),
    ]);
    expect(r.summary).toMatch(/^2 rows/);
    // The column separators sit at the same terminal column on every line (张 counts two).
    const separatorColumns = (line: string) => line.split(/[│┼]/).slice(0, -1).map((_, k, parts) => displayWidth(parts.slice(0, k + 1).join('│')));
    for (const line of lines.slice(0, 4)) expect(separatorColumns(line)).toEqual(separatorColumns(lines[0]!));
  });

  it('stops at the default limit of 1,000 rows without fetching the rest', async () => {
    const stdout = new PassThrough();
    stdout.resume();
    const r = await runQuery({ warehouse, sql: 'select range from range(1000000)', stdout });
    expect(r.rowCount).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.summary).toMatch(/^first 1,000 rows .*more rows were not fetched/);
    const all = await runQuery({ warehouse, sql: 'select range from range(1000000)', format: 'none' });
    expect([all.rowCount, all.truncated]).toEqual([1_000_000, false]);
  });
});
