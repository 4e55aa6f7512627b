import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CqError } from '../../../transforms/lib/errors.js';
import { runQuery } from '../../../transforms/publish/console/run-query.js';
import { openSqlSession, WAREHOUSE_ALIAS, type SqlSession } from '../../../transforms/publish/console/sql-session.js';
import { checkQuery } from '../../../transforms/publish/console/query-guard.js';
import { csvWriter } from '../../../transforms/publish/console/text-writers.js';
import { executeQuery } from '../../../transforms/publish/console/execute-query.js';
import { discardWriter } from '../../../transforms/publish/console/result-writer.js';
import { streamSink } from '../../../transforms/publish/console/output-sink.js';
import { copyFixture, FIXTURE_PII } from './sql-fixture.js';
import { PassThrough } from 'node:stream';

/**
 * Safety of the analyst console on the fixture warehouse (test/publish/console/sql-fixture.ts): every
 * forbidden operation is refused with SQL_FORBIDDEN and a message that says why, nothing on
 * disk changes, DuckDB's own locks hold even without the guard, personal data is masked in
 * every relation unless --unmasked, and unmasked access is audited.
 */

let dir: string;
let warehouse: string;
let auditLog: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-safety-'));
  warehouse = await copyFixture(join(dir, 'warehouse.duckdb'));
  auditLog = join(dir, 'logs', 'audit.ndjson');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` with size, mtime and (for the warehouse) content hash. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        out[p] = `${s.size}:${s.mtimeMs}${p === warehouse ? `:${createHash('sha256').update(readFileSync(p)).digest('hex')}` : ''}`;
      }
    }
  };
  walk(root);
  return out;
}

async function refusal(sql: string, extra: Parameters<typeof runQuery>[0] = {}): Promise<CqError> {
  const e = await runQuery({ warehouse, sql, auditLog, format: 'none', ...extra }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, sql).toBeInstanceOf(CqError);
  return e as CqError;
}

describe('forbidden operations are refused with a clear message and change nothing on disk', () => {
  const target = () => join(dir, 'stolen');
  const cases: [string, () => string, RegExp][] = [
    ['read a host file with read_csv', () => `select * from read_csv('/etc/passwd')`, /read_csv\(\) reads files on the host/],
    ['read a host file by path', () => `select * from '/etc/passwd'`, /'\/etc\/passwd' is a file on the host/],
    ['read a host file with read_text', () => `select content from read_text('/etc/hostname')`, /read_text\(\) reads files/],
    ['list host files with glob', () => `select * from glob('/etc/*')`, /glob\(\) reads files/],
    ['COPY a table to a file', () => `copy (select * from raw.customers) to '${target()}.csv'`, /COPY statements are not allowed.*--out FILE/],
    ['COPY to Parquet', () => `copy core.dim_loans to '${target()}.parquet' (format parquet)`, /COPY statements are not allowed/],
    ['COPY from a file', () => `copy core.dim_loans from '/etc/passwd'`, /COPY statements are not allowed/],
    ['ATTACH another database', () => `attach '${target()}.duckdb' as stolen`, /ATTACH statements are not allowed/],
    ['INSTALL an extension', () => `install httpfs`, /INSTALL statements are not allowed — extensions cannot be installed/],
    ['LOAD an extension', () => `load httpfs`, /LOAD statements are not allowed — extensions cannot be loaded/],
    ['re-enable external access', () => `set enable_external_access = true`, /SET statements are not allowed — the console's configuration is locked/],
    ['unlock the configuration', () => `reset lock_configuration`, /RESET statements are not allowed/],
    ['PRAGMA', () => `pragma enable_profiling`, /PRAGMA statements are not allowed/],
    ['EXPORT DATABASE', () => `export database '${target()}'`, /EXPORT statements are not allowed/],
    ['CREATE a table', () => `create table stolen as select * from raw.customers`, /CREATE statements are not allowed — the warehouse is read-only/],
    ['DROP a view', () => `drop view staging.stg_lender__customers`, /DROP statements are not allowed/],
    ['DETACH the warehouse', () => `detach ${WAREHOUSE_ALIAS}`, /DETACH statements are not allowed/],
    ['the unmasked base tables', () => `select name, id_number from ${WAREHOUSE_ALIAS}.raw.customers`, /internal handle on the warehouse file/],
    ['the base tables through a two-part name', () => `select * from "${WAREHOUSE_ALIAS.toUpperCase()}".customers`, /internal handle/],
    ['the base tables in a subquery', () => `select * from core.dim_loans where customer_id in (select customer_id from ${WAREHOUSE_ALIAS}.raw.customers where name like '张%')`, /internal handle/],
    ['the base tables via query_table()', () => `select * from query_table('${WAREHOUSE_ALIAS}.raw.customers')`, /internal handle|query_table\(\) runs SQL/],
    ['SQL from a string via query()', () => `select * from query('select 1')`, /query\(\) runs SQL given as a string/],
    ['DESCRIBE the base tables', () => `summarize ${WAREHOUSE_ALIAS}.raw.customers`, /internal handle/],
    ['a table function outside the allow-list', () => `select * from pragma_storage_info('raw.customers')`, /table function pragma_storage_info\(\) is not available/],
    ['a forbidden statement after a query', () => `select 1; copy (select 1) to '${target()}.csv'`, /2 statements; run one statement at a time/],
  ];

  it.each(cases)('%s', async (_label, sql, message) => {
    const before = snapshot(dir);
    const e = await refusal(sql());
    expect(e.code).toBe(/statements; run one/.test(message.source) ? 'SQL_ERROR' : 'SQL_FORBIDDEN');
    expect(e.message).toMatch(message);
    expect(existsSync(`${target()}.csv`) || existsSync(`${target()}.parquet`) || existsSync(`${target()}.duckdb`) || existsSync(target())).toBe(false);
    // The only change on disk is the audit record of the refusal.
    const after = snapshot(dir);
    delete after[auditLog];
    delete before[auditLog];
    expect(after).toEqual(before);
  });

  it('refusals are audited with who, when and the query', () => {
    const lines = readFileSync(auditLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const copy = lines.find((l) => l.event === 'refused' && String(l.query).startsWith('copy (select * from raw.customers)'));
    expect(copy).toMatchObject({ unmasked: false, warehouse, user: expect.any(String), at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(String(copy!.message)).toMatch(/^refused: COPY/);
  });

  it('installs nothing into ~/.duckdb', async () => {
    const ext = join(homedir(), '.duckdb', 'extensions');
    const before = existsSync(ext) ? readdirSync(ext, { recursive: true }).length : -1;
    await refusal('install spatial');
    expect(existsSync(ext) ? readdirSync(ext, { recursive: true }).length : -1).toBe(before);
  });
});

describe("DuckDB's own locks hold behind the guard", () => {
  let s: SqlSession;
  beforeAll(async () => {
    s = await openSqlSession({ warehouse });
  });
  afterAll(() => s.close());

  // These bypass checkQuery and talk to the locked connection directly.
  it.each([
    [`copy (select 1) to '${join(tmpdir(), 'cq-never.csv')}'`, /Permission Error/],
    [`select * from read_csv('/etc/passwd')`, /Permission Error|disabled by configuration/],
    [`attach '${join(tmpdir(), 'cq-never.duckdb')}' as x`, /Permission Error/],
    [`install httpfs`, /Permission Error|disabled/],
    [`set enable_external_access = true`, /configuration has been locked/],
    [`set lock_configuration = false`, /configuration has been locked/],
    [`set allowed_paths = ['/etc/passwd']`, /configuration has been locked/],
    [`create table ${WAREHOUSE_ALIAS}.raw.x as select 1`, /read-only/i],
  ])('%s', async (sql, message) => {
    await expect(s.conn.run(sql)).rejects.toThrow(message);
    expect(existsSync(join(tmpdir(), 'cq-never.csv'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'cq-never.duckdb'))).toBe(false);
  });

  it('the guard accepts ordinary analysis', async () => {
    for (const sql of [
      'select branch_id, sum(on_book_balance) from core.fct_loan_month_ends group by all',
      'with x as (select * from marts.mart_risk__roll_rates) from x limit 1',
      'describe raw.customers',
      'summarize core.dim_loans',
      'explain select count(*) from staging.stg_lender__loans',
      "select * from duckdb_columns() where schema_name = 'core'",
      'select * from range(3)',
      "pivot core.fct_loan_month_ends on delinquency_bucket in ('current', '90+') using count(*) group by branch_id",
    ]) {
      await expect(checkQuery(s.conn, sql), sql).resolves.toBeTruthy();
    }
  });
});

describe('personal data is masked unless --unmasked, which is logged', () => {
  /** Every value of every analyst-visible relation, as text. */
  async function everything(unmasked: boolean): Promise<string> {
    const s = await openSqlSession({ warehouse, unmasked });
    try {
      expect(s.relations.length).toBeGreaterThan(60);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      for (const r of s.relations) {
        await executeQuery(s, `select * from "${r.schema}"."${r.name}"`, csvWriter(streamSink(out)));
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      s.close();
    }
  }

  it('no relation of any layer shows a name, ID number or phone of the fixture (masked session)', async () => {
    const text = await everything(false);
    for (const pii of FIXTURE_PII) expect(text, pii).not.toContain(pii);
    // …while the masked forms are there.
    expect(text).toContain('张**');
    expect(text).toContain('**************4514');
    expect(text).toContain('138****8000');
    expect(text).toContain('(masked: contains personal data; see --unmasked)');
  });

  it('the same scan finds all of them unmasked (so the scan itself works)', async () => {
    const text = await everything(true);
    for (const pii of FIXTURE_PII) expect(text, pii).toContain(pii);
  });

  it('masks name, ID number and phone as specified', async () => {
    const s = await openSqlSession({ warehouse });
    try {
      const rows = (await s.conn.runAndReadAll(`select customer_id, customer_name, id_number, phone from staging.stg_lender__customers order by 1`)).getRowObjectsJS();
      expect(rows).toEqual([
        { customer_id: 'C001', customer_name: '张**', id_number: '**************4514', phone: '138****8000' },
        { customer_id: 'C002', customer_name: '李**', id_number: '**************0029', phone: '139****9000' },
        { customer_id: 'C003', customer_name: '杭**', id_number: '**************0E2K', phone: null },
      ]);
      expect(s.relations.find((r) => r.schema === 'raw' && r.name === 'customers')!.masked).toEqual(
        new Map([
          ['name', 'name'],
          ['id_number', 'id_number'],
          ['phone', 'phone'],
        ]),
      );
    } finally {
      s.close();
    }
  });

  it('--unmasked shows the data and appends who / when / query / flag to the audit log before running', async () => {
    const log = join(dir, 'unmasked-audit.ndjson');
    const out = join(dir, 'unmasked.json');
    await runQuery({ warehouse, sql: `select name, phone from raw.customers where customer_id = 'C001'`, unmasked: true, auditLog: log, format: 'json', out });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([{ name: '张伟', phone: '13800138000' }]);
    const [rec, ...rest] = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rest).toEqual([]);
    expect(rec).toMatchObject({
      event: 'unmasked_query',
      unmasked: true,
      warehouse,
      query: `select name, phone from raw.customers where customer_id = 'C001'`,
      user: expect.any(String),
      host: expect.any(String),
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d/),
    });
    // A masked query writes no audit record.
    await runQuery({ warehouse, sql: `select name from raw.customers`, auditLog: log, format: 'none' });
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('refuses unmasked access when the audit log cannot be written', async () => {
    const e = await refusal(`select name from raw.customers`, { unmasked: true, auditLog: join(warehouse, 'audit.ndjson') /* parent is a file */ });
    expect(e.code).toBe('AUDIT_FAILED');
    expect(e.message).toMatch(/cannot write the audit log .*unmasked access is only allowed when it is logged/);
  });
});

describe('statement timeout', () => {
  it('interrupts a runaway query with SQL_TIMEOUT', async () => {
    const started = performance.now();
    const e = await refusal(`select count(*) from range(10000000000) a, range(10) b where a.range + b.range < 0`, { timeoutSeconds: 1 });
    expect(e.code).toBe('SQL_TIMEOUT');
    expect(e.message).toMatch(/ran longer than 1 s and was interrupted.*--timeout/);
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('interrupts a result that is still streaming into a file, and leaves no file behind', async () => {
    const out = join(dir, 'runaway.csv');
    const e = await refusal(`select a.range as i, repeat('x', 200) as pad from range(100000000000) a`, { timeoutSeconds: 1, format: 'csv', out });
    expect(e.code).toBe('SQL_TIMEOUT');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
  });

  it('the session stays usable after a timeout', async () => {
    const s = await openSqlSession({ warehouse });
    try {
      const w = discardWriter();
      await expect(executeQuery(s, 'select count(*) from range(10000000000) a, range(10) b where a.range + b.range < 0', w, { timeoutSeconds: 0.5 })).rejects.toMatchObject({ code: 'SQL_TIMEOUT' });
      const r = await executeQuery(s, 'select 42 as x', w, { timeoutSeconds: 5 });
      expect(r.rowCount).toBe(1);
    } finally {
      s.close();
    }
  });
});
