import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CqError } from '../../../transforms/lib/errors.js';
import { maskIdentifier, maskIdentifierSql, visibleParts } from '../../../transforms/lib/identifier-masks.js';
import { runQuery } from '../../../transforms/publish/console/run-query.js';
import { runConsole } from '../../../transforms/publish/console/sql-console.js';
import { openSqlSession, WAREHOUSE_ALIAS, type SqlSession } from '../../../transforms/publish/console/sql-session.js';
import { copyFixture, FIXTURE_PII } from './sql-fixture.js';

/**
 * The security review's probes against the analyst console (issue "Security and silent loss"),
 * on the fixture warehouse: each is refused with a clear message, nothing on disk changes (a hash
 * of every file before and after), no unmasked value is printed, and the audit log has its line.
 * DuckDB itself is shown to refuse every file, the warehouse's own included, with the guard out
 * of the way; the statement timeout and the memory limit stop work inside DuckDB's planner; the
 * audit log cannot be switched off by the user; identifier masks never show a short value whole.
 */

const run = promisify(execFile);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SQL_CLI = resolve('transforms/cli/sql.ts');
const EXPORT_CLI = resolve('transforms/cli/export.ts');

let dir: string;
let warehouse: string;
let auditLog: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-security-'));
  warehouse = await copyFixture(join(dir, 'warehouse.duckdb'));
  auditLog = join(dir, 'audit.ndjson');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under `root` (and under /tmp's top level, names only) with its size and content hash. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && p !== auditLog) out[p] = `${statSync(p).size}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(root);
  return out;
}

/** Personal data of the fixture that must never be printed in a masked session (full names, ID numbers, phones). */
function leaked(text: string): string[] {
  return FIXTURE_PII.filter((v) => text.includes(v));
}

function auditLines(path = auditLog): Record<string, unknown>[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function failure(p: Promise<unknown>): Promise<CqError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CqError);
  return e as CqError;
}

/** The review's statement, verbatim but for what it ran: DuckDB ends `-- c` at the \r, a \n-only scanner does not. */
const bypass = (anything: string) => `-- c\rEXPLAIN ANALYZE ${anything} /*\nEXPLAIN SELECT 1 -- */`;

describe('the console guard bypass (-- comment ended by \\r)', () => {
  const stealers = () => [
    `SELECT name, id_number, phone FROM ${WAREHOUSE_ALIAS}.raw.customers`,
    `COPY (SELECT name, id_number, phone FROM ${WAREHOUSE_ALIAS}.raw.customers) TO '${join(dir, 'leak.csv')}'`,
    `COPY (SELECT 1) TO '${warehouse}' (FORMAT csv, USE_TMP_FILE false)`,
  ];

  it('is refused through runQuery, naming the control character, with nothing written and the refusal audited', async () => {
    for (const anything of stealers()) {
      const before = snapshot(dir);
      const auditBefore = auditLines().length;
      const out = new PassThrough();
      let printed = '';
      out.on('data', (c: Buffer) => (printed += c.toString()));
      const e = await failure(runQuery({ warehouse, sql: bypass(anything), auditLog, format: 'csv', stdout: out }));
      expect(e.code).toBe('SQL_FORBIDDEN');
      expect(e.message).toMatch(/control character U\+000D at line 1, column 5/);
      expect(leaked(printed + e.message)).toEqual([]);
      expect(snapshot(dir)).toEqual(before);
      const lines = auditLines();
      expect(lines).toHaveLength(auditBefore + 1);
      expect(lines.at(-1)).toMatchObject({ event: 'refused', query: bypass(anything) });
    }
  });

  it('is refused through npm run sql -- "…" and --file, exit 1, nothing printed but the reason', async () => {
    const file = join(dir, 'bypass.sql');
    writeFileSync(file, bypass(stealers()[0]!));
    const before = snapshot(dir);
    for (const args of [['--', bypass(stealers()[0]!)], ['--file', file], ['--format', 'csv', '--file', file]]) {
      const r = await run(process.execPath, ['--import', TSX, SQL_CLI, '--warehouse', warehouse, ...args]).then(
        (x) => ({ code: 0, ...x }),
        (x: { code: number; stdout: string; stderr: string }) => x,
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/error \[SQL_FORBIDDEN\]: refused: control character U\+000D/);
      expect(r.stdout).toBe('');
      expect(leaked(r.stdout + r.stderr)).toEqual([]);
    }
    rmSync(file);
    delete before[file];
    expect(snapshot(dir)).toEqual(before);
  });

  it('is refused through .run FILE in the interactive console, which goes on working', async () => {
    const file = join(dir, 'bypass-run.sql');
    writeFileSync(file, bypass(stealers()[0]!));
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString()));
    const done = runConsole({ warehouse, input, output, terminal: false, historyFile: '', auditLog });
    input.end(`.run ${file}\nselect count(*) as loans from core.dim_loans;\n`);
    await done;
    expect(text).toMatch(/error \[SQL_FORBIDDEN\]: .*bypass-run\.sql: refused: control character U\+000D/);
    expect(auditLines().at(-1)).toMatchObject({ event: 'refused', saved_query: file });
    expect(text).toMatch(/loans[\s\S]*\b4\b[\s\S]*1 row/); // the fixture has loans L001–L004
    expect(leaked(text)).toEqual([]);
    rmSync(file);
  });

  it('other shapes of the trick are refused too; a Windows line end and a real EXPLAIN still work', async () => {
    const refuse: [string, RegExp][] = [
      [`select 1 -- x\rselect name from ${WAREHOUSE_ALIAS}.raw.customers`, /control character U\+000D/],
      [`select 1 /* \u0000 */`, /control character U\+0000/],
      [`select 1\u2028`, /control character U\+2028/],
      [`-- note\nEXPLAIN ANALYZE SELECT 1`, /EXPLAIN statements are not allowed — write EXPLAIN \[ANALYZE\] at the very start/],
      [`EXPLAIN ANALYZE COPY (SELECT 1) TO '${join(dir, 'x.csv')}'`, /COPY statements are not allowed/],
      [`EXPLAIN SELECT 1; EXPLAIN ANALYZE SELECT * FROM ${WAREHOUSE_ALIAS}.raw.customers`, /found 2 statements/],
      [`EXPLAIN SELECT * FROM ${WAREHOUSE_ALIAS}.raw.customers`, /internal handle on the warehouse file/],
    ];
    for (const [sql, message] of refuse) {
      const e = await failure(runQuery({ warehouse, sql, auditLog, format: 'none' }));
      expect(e.message, JSON.stringify(sql)).toMatch(message);
    }
    const crlf = await runQuery({ warehouse, sql: 'select count(*) as n\r\nfrom core.dim_loans\r\n', auditLog, format: 'json', stdout: new PassThrough() });
    expect(crlf.rowCount).toBe(1);
    const explain = await runQuery({ warehouse, sql: 'EXPLAIN ANALYZE select count(*) from core.dim_loans', auditLog, format: 'none' });
    expect(explain.rowCount).toBe(1);
  });
});

describe("DuckDB itself refuses every file, the warehouse's own included, with the guard out of the way", () => {
  let s: SqlSession;
  beforeAll(async () => {
    s = await openSqlSession({ warehouse });
  });
  afterAll(() => s.close());

  it('duckdb_settings(): DuckDB put the warehouse files on allowed_paths, yet reading them is refused (no file system at all)', async () => {
    const rows = (
      await s.conn.runAndReadAll(`SELECT name, value FROM duckdb_settings() WHERE name IN ('allowed_paths', 'enable_external_access', 'lock_configuration', 'temp_directory')`)
    ).getRowObjectsJS() as { name: string; value: string }[];
    const settings = Object.fromEntries(rows.map((r) => [r.name, r.value]));
    expect(settings).toMatchObject({ enable_external_access: 'false', lock_configuration: 'true', temp_directory: '' });
    // DuckDB adds the attached file and its WAL to allowed_paths when external access is switched
    // off (the review's finding 2), so allowed_paths alone is no defence…
    expect(settings.allowed_paths).toContain(s.attachedFile);
    // …which is why the session switches the local file system off (DuckDB 1.5 reads the
    // disabled_filesystems setting back as '', so it is proven by what it refuses):
    await expect(s.conn.run(`SELECT * FROM read_duckdb('${s.attachedFile}', table_name = 'customers')`)).rejects.toThrow(/File system LocalFileSystem has been disabled by configuration/);
  });

  it('hostile statements run directly on the analyst connection are all refused, and no file changes', async () => {
    const importDir = join(dir, 'import-me');
    mkdirSync(importDir, { recursive: true });
    writeFileSync(join(importDir, 'schema.sql'), 'CREATE TABLE pwned AS SELECT 1 AS x;');
    writeFileSync(join(importDir, 'load.sql'), '');
    const before = snapshot(dir);
    const hostile = [
      `SELECT * FROM read_duckdb('${warehouse}', table_name = 'customers')`,
      `ATTACH '${warehouse}' AS stolen (READ_ONLY)`,
      `ATTACH '${warehouse}' AS stolen`,
      `COPY (SELECT 1) TO '${warehouse}.wal'`,
      `COPY (SELECT 1) TO '${warehouse}' (FORMAT csv, USE_TMP_FILE false)`,
      `SELECT * FROM read_text('${warehouse}')`,
      `SELECT * FROM read_blob('${warehouse}')`,
      `SELECT * FROM '${warehouse}'`,
      `SELECT * FROM read_csv('/etc/passwd')`,
      `SELECT * FROM read_text('/etc/hostname')`,
      `COPY (SELECT * FROM raw.customers) TO '${join(dir, 'leak.csv')}'`,
      `COPY (SELECT 1) TO '${join(tmpdir(), 'cq-security-never.csv')}'`,
      `IMPORT DATABASE '${importDir}'`,
      `PRAGMA import_database('${importDir}')`,
      `EXPORT DATABASE '${join(dir, 'exported')}'`,
      `SET disabled_filesystems = ''`,
      `SET enable_external_access = true`,
      `INSTALL httpfs`,
    ];
    for (const sql of hostile) {
      await expect(s.conn.run(sql), sql).rejects.toThrow(/Permission Error|disabled by configuration|configuration has been locked|Cannot (access|change)/);
    }
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(tmpdir(), 'cq-security-never.csv'))).toBe(false);
    expect(existsSync(join(dir, 'exported'))).toBe(false);
    const tables = (await s.conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE table_name = 'pwned'`)).getRowObjectsJS();
    expect(tables).toEqual([{ n: 0 }]);
    // …while the masked views still read the warehouse through the handle ATTACH opened.
    const masked = (await s.conn.runAndReadAll(`SELECT name FROM raw.customers ORDER BY customer_id LIMIT 1`)).getRowObjectsJS();
    expect(masked).toEqual([{ name: '张**' }]);
  });

  it('IMPORT DATABASE through the guard is refused before DuckDB runs its schema.sql', async () => {
    const importDir = join(dir, 'import-me-2');
    mkdirSync(importDir);
    writeFileSync(join(importDir, 'schema.sql'), `COPY (SELECT 1) TO '${join(dir, 'imported.csv')}';`);
    writeFileSync(join(importDir, 'load.sql'), '');
    for (const sql of [`IMPORT DATABASE '${importDir}'`, `PRAGMA import_database('${importDir}')`]) {
      const e = await failure(runQuery({ warehouse, sql, auditLog, format: 'none' }));
      expect(e.code).toBe('SQL_FORBIDDEN');
    }
    expect(existsSync(join(dir, 'imported.csv'))).toBe(false);
  });
});

describe("the statement timeout and the memory limit hold inside DuckDB's planner", () => {
  // Constant folding happens while the statement is prepared and DuckDB checks no interrupt
  // there: in one process, `repeat('x', 3e9)` ran 31 s under a 2 s interrupt and took 6 GB;
  // `len(range(3e8))` took 19 GB under a 1 GB memory_limit. The query process is killed instead.
  it('a planner-bound statement is stopped at --timeout 2 (SQL_TIMEOUT within seconds, not 30)', async () => {
    const started = performance.now();
    const e = await failure(runQuery({ warehouse, sql: `select length(repeat('x', 3000000000)) as n`, auditLog, format: 'none', timeoutSeconds: 2, memoryLimit: '16GB' }));
    expect(e.code).toBe('SQL_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('a statement that outgrows --memory-limit 1GB in the planner is stopped (SQL_MEMORY), the machine keeps its memory', async () => {
    const started = performance.now();
    const e = await failure(runQuery({ warehouse, sql: `select len(range(300000000)) as n`, auditLog, format: 'none', timeoutSeconds: 0, memoryLimit: '1GB' }));
    expect(e.code).toBe('SQL_MEMORY');
    expect(e.message).toMatch(/--memory-limit 1GB/);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('the interactive console restarts its query process after a kill and goes on', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let text = '';
    output.on('data', (c: Buffer) => (text += c.toString()));
    const done = runConsole({ warehouse, input, output, terminal: false, historyFile: '', auditLog, timeoutSeconds: 2 });
    input.end(`select length(repeat('x', 3000000000)) as n;\nselect 40 + 2 as answer;\n`);
    await done;
    expect(text).toMatch(/error \[SQL_TIMEOUT\]/);
    expect(text).toMatch(/answer[\s\S]*42[\s\S]*1 row/);
  });
});

describe('unmasked access is always audited, where the operator says', () => {
  /** A working folder with the operator's cq.config.json; the CLIs run there. */
  function operatorDir(sqlAuditLog: string): string {
    const d = mkdtempSync(join(dir, 'op-'));
    writeFileSync(join(d, 'cq.config.json'), JSON.stringify({ sqlAuditLog }));
    return d;
  }
  const cli = (cwd: string, script: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, ['--import', TSX, script, ...args], { cwd, env: { ...process.env, ...env } }).then(
      (x) => ({ code: 0, ...x }),
      (x: { code: number; stdout: string; stderr: string }) => x,
    );

  it('CQ_SQL_AUDIT_LOG=/dev/null changes nothing: the line goes to the configured log; --audit-log is no option', async () => {
    const cwd = operatorDir('audit/sql.ndjson');
    const r = await cli(cwd, SQL_CLI, ['--warehouse', warehouse, '--unmasked', 'select name from raw.customers order by customer_id limit 1'], { CQ_SQL_AUDIT_LOG: '/dev/null' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('张伟');
    expect(auditLines(join(cwd, 'audit', 'sql.ndjson'))).toMatchObject([{ event: 'unmasked_query', unmasked: true, query: 'select name from raw.customers order by customer_id limit 1' }]);
    const flag = await cli(cwd, SQL_CLI, ['--warehouse', warehouse, '--unmasked', '--audit-log', '/dev/null', 'select 1']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/unknown option --audit-log/);
  });

  it('an audit log that is not a regular file (/dev/null) refuses unmasked access before anything is shown', async () => {
    const cwd = operatorDir('/dev/null');
    const r = await cli(cwd, SQL_CLI, ['--warehouse', warehouse, '--unmasked', 'select name, id_number, phone from raw.customers']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[AUDIT_FAILED\]: refused: cannot write the audit log \/dev\/null \(it is not a regular file\)/);
    expect(leaked(r.stdout + r.stderr)).toEqual([]);
  });

  it('an --unmasked export package is audited before it is written, and refused when it cannot be', async () => {
    const cwd = operatorDir('audit/sql.ndjson');
    const ok = await cli(cwd, EXPORT_CLI, ['--warehouse', warehouse, '--month', '2026-10', '--unmasked', '--no-pdf', '--quiet', '--out', join(cwd, 'exports')]);
    expect(ok.stderr).toBe('');
    expect(auditLines(join(cwd, 'audit', 'sql.ndjson'))).toMatchObject([{ event: 'unmasked_export', unmasked: true, query: 'export --month 2026-10' }]);
    const refusedDir = operatorDir('/dev/null');
    const no = await cli(refusedDir, EXPORT_CLI, ['--warehouse', warehouse, '--month', '2026-10', '--unmasked', '--no-pdf', '--quiet', '--out', join(refusedDir, 'exports')]);
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/AUDIT_FAILED/);
    expect(existsSync(join(refusedDir, 'exports'))).toBe(false);
  });
});

describe('identifier masks keep at most the documented visible digits, for any length', () => {
  it('5551234 (7 digits) shows nothing; 11-digit phones show 3 + 4; 18-character IDs show 4', () => {
    expect(maskIdentifier('phone', '5551234')).toBe('*******');
    expect(maskIdentifier('phone', '13800138000')).toBe('138****8000');
    expect(maskIdentifier('phone', '02155512345')).toBe('021****2345');
    expect(maskIdentifier('phone', '55512345')).toBe('******45'); // 8 digits: last 2
    expect(maskIdentifier('id_number', '110101199003074514')).toBe('**************4514');
    expect(maskIdentifier('id_number', 'AB123456')).toBe('******56');
    expect(maskIdentifier('id_number', '1234')).toBe('****');
    expect(maskIdentifier('phone', null)).toBeNull();
  });

  it("the console's SQL mask and the exports' TypeScript mask agree for every length 0–25, and never more than 70 % shows", async () => {
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      for (const kind of ['phone', 'id_number'] as const) {
        const values = Array.from({ length: 26 }, (_, n) => '1234567890ABCDEFGHIJKLMNOP'.slice(0, n));
        const sql = `SELECT v, ${maskIdentifierSql(kind, 'v')} AS m FROM (SELECT unnest($1::VARCHAR[]) AS v)`;
        const rows = (await conn.runAndReadAll(sql.replace('$1::VARCHAR[]', `[${values.map((v) => `'${v}'`).join(', ')}]::VARCHAR[]`))).getRowObjectsJS() as { v: string; m: string }[];
        for (const { v, m } of rows) {
          expect(m, `${kind} ${v}`).toBe(maskIdentifier(kind, v));
          const { head, tail } = visibleParts(kind, v.length);
          expect(m.replace(/\*/g, '').length).toBe(head + tail);
          expect(head + tail).toBeLessThanOrEqual(Math.floor(v.length * 0.7));
          if (v.length > 0) expect(m).not.toBe(v);
        }
      }
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
