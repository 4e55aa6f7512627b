import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import { runConsole } from '../../../transforms/publish/console/sql-console.js';
import { copyFixture } from './sql-fixture.js';

/**
 * The interactive console (driven through streams, as a terminal would) and the
 * `npm run sql` command line (run as a real process) on the fixture warehouse.
 */

const run = promisify(execFile);
let dir: string;
let warehouse: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-console-'));
  warehouse = await copyFixture(join(dir, 'warehouse.duckdb'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A console session fed line by line; `until` waits for the output to match. */
function drive(options: Parameters<typeof runConsole>[0] = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = '';
  output.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const done = runConsole({ warehouse, input, output, terminal: false, historyFile: join(dir, 'history'), auditLog: join(dir, 'audit.ndjson'), ...options });
  return {
    done,
    get text() {
      return text;
    },
    send(lines: string) {
      input.write(`${lines}\n`);
    },
    end() {
      input.end();
    },
    async until(re: RegExp, ms = 20_000) {
      const started = Date.now();
      while (!re.test(text)) {
        if (Date.now() - started > ms) throw new Error(`timed out waiting for ${re}; output so far:\n${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('interactive console', () => {
  it('multi-line statements, dot commands, refusals, row limit, history', async () => {
    const c = drive();
    c.send('.tables stg_lender__cust');
    c.send('.schema raw.customers');
    c.send('select customer_id,\n  customer_name   -- masked\nfrom staging.stg_lender__customers\norder by 1;');
    c.send(`copy (select 1) to '${join(dir, 'stolen.csv')}';`);
    c.send('.limit 2');
    c.send('select * from range(5);');
    c.send('.metrics');
    c.send('.run roll-rates-by-branch month=2026-10');
    c.send('.quit');
    c.send('select 1 as never_runs;');
    await c.done;
    const t = c.text;
    expect(t).toMatch(/personal data masked\)/);
    // .tables: the filter, kind, column count and the masked columns.
    expect(t).toMatch(/staging\.stg_lender__customers │ view │ +14 │ customer_name, id_number, phone/);
    // .schema: description and grain from the contract, types, masking, column descriptions.
    expect(t).toMatch(/raw\.customers \(table\)\n {2}Customers \(客户\)/);
    expect(t).toMatch(/grain: one row per customer_id version/);
    expect(t).toMatch(/ name +│ VARCHAR +│ masked \(name\) +│ Customer name\./);
    // The multi-line query ran once, masked.
    expect(t).toMatch(/ C001 +│ 张\*\*\n C002 +│ 李\*\*\n C003 +│ 杭\*\*\n3 rows/);
    expect(t).toMatch(/error \[SQL_FORBIDDEN\]: refused: COPY statements are not allowed/);
    expect(existsSync(join(dir, 'stolen.csv'))).toBe(false);
    expect(t).toMatch(/limit: 2 rows/);
    expect(t).toMatch(/first 2 rows .*more rows were not fetched/);
    // .metrics and the 12-column saved query are wider than 120 columns (the width when the
    // output is not a terminal): one field per line.
    expect(t).toMatch(/-\[ RECORD 1 \]-+\n metric_id +│ npl_ratio\n name_zh +│ 不良贷款率\n/);
    expect(t).toMatch(/ branch_id +│ BJ01\n branch_name +│ 北京分行\n from_bucket +│ current\n/);
    expect(t).not.toMatch(/never_runs/);
    const history = readFileSync(join(dir, 'history'), 'utf8').trim().split('\n');
    expect(history).toContain('select customer_id, customer_name   -- masked from staging.stg_lender__customers order by 1;');
    expect(history).toContain('.quit');
  });

  it('notices a republished warehouse and switches with .reopen', async () => {
    const path = join(dir, 'republished.duckdb');
    await copyFixture(path);
    const c = drive({ warehouse: path });
    c.send(`select count(*) as loans from core.dim_loans;`);
    await c.until(/1 row/);
    // The nightly job publishes a warehouse with one loan fewer.
    await copyFixture(`${path}.new`);
    const wh = await openWarehouse(`${path}.new`);
    await wh.exec(`DELETE FROM core.dim_loans WHERE loan_id = 'L004'; CHECKPOINT;`);
    await wh.close();
    renameSync(`${path}.new`, path);
    c.send(`select count(*) as loans from core.dim_loans;`);
    await c.until(/note: the nightly job has published a new warehouse[\s\S]*1 row/);
    c.send('.reopen');
    c.send(`select count(*) as loans from core.dim_loans;`);
    c.end();
    await c.done;
    const counts = [...c.text.matchAll(/─\n +(\d+)\n1 row/g)].map((m) => Number(m[1]));
    expect(counts).toEqual([4, 4, 3]);
  });

  it('--unmasked consoles log the session and every statement', async () => {
    const log = join(dir, 'console-audit.ndjson');
    const c = drive({ unmasked: true, auditLog: log });
    c.send(`select name from raw.customers where customer_id = 'C002';`);
    c.send(`select 2`);
    c.end(); // a final statement without ';' still runs when the input ends
    await c.done;
    expect(c.text).toMatch(/personal data UNMASKED — every statement is logged/);
    expect(c.text).toMatch(/ 李娜\n1 row/);
    const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; query?: string });
    expect(events.map((e) => [e.event, e.query])).toEqual([
      ['unmasked_session', undefined],
      ['unmasked_query', `select name from raw.customers where customer_id = 'C002';`],
      ['unmasked_query', 'select 2'],
    ]);
  });
});

describe('npm run sql (command line)', () => {
  const cli = (args: string[], input?: string) => {
    const p = run(process.execPath, ['--import', 'tsx', 'transforms/cli/sql.ts', ...args], { maxBuffer: 1 << 24 });
    if (input !== undefined) {
      p.child.stdin!.end(input);
    }
    return p.then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  };

  it('one query: aligned table with row count and time', async () => {
    const r = await cli(['--warehouse', warehouse, 'select branch_id, count(*) as loans from core.dim_loans group by 1 order by 1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ branch_id │ loans\n───────────┼───────\n/);
    expect(r.stdout).toMatch(/ BJ01 +│ +2\n SH01 +│ +2\n2 rows \(\d+\.\d{3} s\)\n$/);
  });

  it('a forbidden statement exits 1 with error [SQL_FORBIDDEN] and the reason', async () => {
    const r = await cli(['--warehouse', warehouse, `copy core.dim_loans to '${join(dir, 'x.csv')}'`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error \[SQL_FORBIDDEN\]: refused: COPY statements are not allowed — COPY reads or writes files on the host/);
    expect(existsSync(join(dir, 'x.csv'))).toBe(false);
  });

  it('saved query with a parameter as CSV on stdout; the summary goes to stderr', async () => {
    const r = await cli(['--warehouse', warehouse, '--query', 'roll-rates-by-branch', '--param', 'month=2026-10', '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('as_of_month,branch_id,branch_name,from_bucket,loans,→current %,→1-30 %,→31-60 %,→61-90 %,→90+ %,→written off %,→closed %');
    expect(r.stdout.split('\n')[1]).toBe('2026-10-31,BJ01,北京分行,current,2,50,0,0,0,50,0,0');
    expect(r.stderr).toMatch(/3 rows \(/);
  });

  it('Parquet to a file', async () => {
    const out = join(dir, 'cli.parquet');
    const r = await cli(['--warehouse', warehouse, '--format', 'parquet', '--out', out, 'select * from core.fct_loan_month_ends']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`8 rows written to ${out} \\(parquet\\)`));
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('PAR1');
  });

  it('a missing warehouse and bad flags are usage errors', async () => {
    const missing = await cli(['--warehouse', join(dir, 'nope.duckdb'), 'select 1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error \[WAREHOUSE_MISSING\]: .*nope\.duckdb: no warehouse file/);
    const bad = await cli(['--warehouse', warehouse, '--format', 'xml', 'select 1']);
    expect(bad.stderr).toMatch(/error \[CLI_USAGE\]: --format must be one of table, csv, json, ndjson, parquet, arrow/);
    const both = await cli(['--warehouse', warehouse, '--query', 'vintage-by-product', 'select 1']);
    expect(both.stderr).toMatch(/error \[CLI_USAGE\]: give one of "SQL", --query NAME or --file PATH/);
  });

  it('statements piped on stdin run through the console', async () => {
    const r = await cli(['--warehouse', warehouse], 'select 42 as answer;\nselect 7 as b\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ answer\n─{8}\n {5}42\n1 row/);
    expect(r.stdout).toMatch(/ b\n─{3}\n 7\n1 row/);
  });

  it('--list-queries', async () => {
    const r = await cli(['--list-queries']);
    expect(r.stdout).toMatch(/warning-lead-time-by-signal +│ Warning lead time by signal type/);
  });
});
