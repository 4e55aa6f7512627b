import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import { readRuns } from '../../transforms/operations/ledger.js';
import { withColumns, type ExtractRow } from '../helpers/extract-rows.js';
import { writeMiniExtract, type MiniRows } from '../helpers/mini-extract.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * The nightly job end to end, as operators run it (a child process per run), on the mini
 * extract: 2026-08-31 is published first; 2026-09-30 is the "new night". The site step is off
 * here (it is exercised once by the site test stage); everything else is real.
 */

const CLI = ['--import', 'tsx', 'transforms/cli/nightly.ts'];
/** Tests about loading, locking, reading and rebuilding skip the regulator packages and the report book (minutes of PDF printing in all). */
const NO_EXPORTS = ['--no-exports'];
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cq-nightly-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function setup(name: string) {
  const dir = join(root, name);
  const extracts = join(dir, 'extracts');
  const data = join(dir, 'data');
  // Balances are a month-end snapshot dated the folder's business date (the loader rejects others).
  writeMiniExtract((r) => (r.loan_balances = r.loan_balances.map((l) => withColumns(l, { as_of_date: '2026-08-31' }))), {
    dir: extracts,
    date: '2026-08-31',
  });
  return { dir, extracts, data };
}

/**
 * A later night's delivery of the mini extract: balances dated its folder, and only new events
 * (event keys are unique across business dates: re-sending the first night's risk scores and
 * surveys would reject every row of those files, which the publish gate refuses).
 */
function laterNight(date: string, repayment: ExtractRow): (r: MiniRows) => void {
  return (r) => {
    r.loan_balances = r.loan_balances.map((l) => withColumns(l, { as_of_date: date }));
    r.repayments = [repayment];
    r.risk_scores = r.risk_scores.map((l) => withColumns(l, { scored_on: date }));
    r.surveys = r.surveys.map((l) => withColumns(l, (row) => ({ survey_id: row.survey_id!.replace(/^S(\d+)/, `S${date.replaceAll('-', '')}$1`) })));
  };
}

function addSecondDate(extracts: string, edit?: Parameters<typeof writeMiniExtract>[0]) {
  writeMiniExtract(edit ?? laterNight('2026-10-31', { repayment_id: 'R101', loan_id: 'L001', instalment_no: '58', paid_on: '2026-10-10', principal_paid: '1505.00', interest_paid: '3295.00' }), { dir: extracts, date: '2026-10-31' });
}

function nightly(extracts: string, data: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return runProcess(process.execPath, [...CLI, '--extracts', extracts, '--data', data, '--no-site', ...extra], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

function startNightly(extracts: string, data: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []): ChildProcess & { out: string[] } {
  const child = spawn(process.execPath, [...CLI, '--extracts', extracts, '--data', data, '--no-site', ...extra], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  }) as ChildProcess & { out: string[] };
  child.out = [];
  child.stdout!.on('data', (d: Buffer) => child.out.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => child.out.push(d.toString()));
  return child;
}

async function waitFor(cond: () => boolean, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SHA-256 over every file of the live release (warehouse and site), by relative path. */
function publishedFingerprint(data: string): string {
  const h = createHash('sha256');
  const current = join(data, 'current');
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, `${rel}/${e}`);
      else h.update(`${rel}/${e}\0`).update(readFileSync(p));
    }
  };
  walk(current, '');
  return h.digest('hex');
}

async function kpiFingerprint(warehouse: string): Promise<Record<string, string>> {
  const wh = await openWarehouse(warehouse, { readOnly: true });
  try {
    const tables = await wh.all<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('metrics', 'marts', 'core') AND table_type = 'BASE TABLE' ORDER BY 1, 2`,
    );
    const out: Record<string, string> = {};
    for (const { s, t } of tables) {
      const rows = await wh.all(`SELECT * FROM ${s}.${t} ORDER BY ALL`);
      out[`${s}.${t}`] = createHash('sha256').update(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).digest('hex');
    }
    return out;
  } finally {
    await wh.close();
  }
}

describe('nightly', { timeout: 600_000 }, () => {
  it('publishes a first night, then adds only the new business date; re-running is a no-op', async () => {
    const { extracts, data } = setup('basic');
    const first = await nightly(extracts, data);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain('business date(s) 2026-08-31');
    addSecondDate(extracts);
    const second = await nightly(extracts, data);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toContain('incremental, business date(s) 2026-10-31');
    expect(second.stdout).not.toContain('load 2026-08-31');
    expect(existsSync(join(data, 'current', 'report-book', 'report-book-2026-10.pdf')), 'the report book of the night\'s month is in the release').toBe(true);
    const lists = readdirSync(join(data, 'current', 'branch-lists', 'watch-list'));
    expect(lists.length, 'one watch-list workbook per branch').toBeGreaterThan(0);
    expect(lists.every((f) => /^watch-list-.+-2026-10\.xlsx$/.test(f)), lists.join(', ')).toBe(true);
    const again = await nightly(extracts, data);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    const wh = await openWarehouse(join(data, 'warehouse.duckdb'), { readOnly: true });
    try {
      const runs = await wh.all<{ status: string; business_dates: string }>(`SELECT status, business_dates FROM ops.runs ORDER BY started_at`);
      expect(runs).toEqual([
        { status: 'succeeded', business_dates: '2026-08-31' },
        { status: 'succeeded', business_dates: '2026-10-31' },
      ]);
      const steps = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ops.run_steps WHERE status = 'succeeded'`);
      expect(Number(steps[0]!.n)).toBeGreaterThan(8);
    } finally {
      await wh.close();
    }
    expect(JSON.parse(readFileSync(join(data, 'status.json'), 'utf8'))).toMatchObject({ status: 'succeeded', business_dates: ['2026-10-31'] });
  });

  it('SIGKILL at each step leaves the published warehouse and site byte-identical; the ledger shows the failure; the next run succeeds', { timeout: 1_200_000 }, async () => {
    const { extracts, data } = setup('kill');
    expect((await nightly(extracts, data)).status).toBe(0);
    addSecondDate(extracts);
    const before = publishedFingerprint(data);
    const steps = ['prepare warehouse', 'load 2026-10-31', 'build models and KPIs', 'record run ledger', 'checkpoint warehouse', 'regulator exports', 'publish'];
    for (const step of steps) {
      const child = startNightly(extracts, data, { CQ_NIGHTLY_HANG_AT: step });
      const ledger = join(data, 'runs', 'ledger.ndjson');
      await waitFor(() => {
        try {
          const last = JSON.parse(readFileSync(ledger, 'utf8').trim().split('\n').at(-1)!) as { type: string; step?: string };
          return last.type === 'step_started' && last.step === step;
        } catch {
          return false; // ledger not there yet, or a line being written
        }
      }, 300_000); // reaching 'publish' runs load, build, exports and the report book first: minutes on a busy 2-core machine
      child.kill('SIGKILL');
      await new Promise((r) => child.on('close', r));
      expect(publishedFingerprint(data), `after kill at ${step}`).toBe(before);
      const [last] = readRuns(ledger);
      expect(last).toMatchObject({ status: 'failed', failed_step: step });
      expect(last!.error).toContain('interrupted');
    }
    const next = await nightly(extracts, data);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(publishedFingerprint(data)).not.toBe(before);
    const wh = await openWarehouse(join(data, 'warehouse.duckdb'), { readOnly: true });
    try {
      const failed = await wh.all<{ failed_step: string }>(`SELECT failed_step FROM ops.runs WHERE status = 'failed' ORDER BY started_at`);
      expect(failed.map((f) => f.failed_step)).toEqual(steps);
    } finally {
      await wh.close();
    }
    expect(readdirSync(join(data, 'releases')).filter((d) => d.endsWith('.partial'))).toEqual([]);
  });

  it('a structurally bad extract fails the run naming file and column; the published release is unchanged', async () => {
    const { extracts, data } = setup('bad');
    expect((await nightly(extracts, data, NO_EXPORTS)).status).toBe(0);
    const before = publishedFingerprint(data);
    addSecondDate(extracts, (r, h) => {
      h.loans = h.loans!.replace(',principal,', ',principal_amt,');
    });
    const run = await nightly(extracts, data, NO_EXPORTS);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/2026-10-31\/loans\.csv: line 1 \(header\): required column\(s\) "principal" missing/);
    expect(publishedFingerprint(data)).toBe(before);
    const status = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as Record<string, string>;
    expect(status).toMatchObject({ status: 'failed', failed_step: 'load 2026-10-31', error_code: 'EXTRACT_MISSING_COLUMN' });
    expect(status.what_to_do).toContain('re-deliver');
  });

  it('two runs started at once: exactly one runs, the other says it is already running', async () => {
    const { extracts, data } = setup('twice');
    const a = startNightly(extracts, data, { CQ_NIGHTLY_HANG_AT: 'build models and KPIs' }, NO_EXPORTS);
    const b = startNightly(extracts, data, { CQ_NIGHTLY_HANG_AT: 'build models and KPIs' }, NO_EXPORTS);
    const exited = await Promise.race([a, b].map((c) => new Promise<ChildProcess & { out: string[] }>((r) => c.on('close', () => r(c)))));
    const other = exited === a ? b : a;
    expect(exited.exitCode).toBe(1);
    expect(exited.out.join('')).toMatch(/nightly is already running \(pid \d+/);
    expect(other.exitCode).toBe(null); // still running (holding the lock)
    other.kill('SIGKILL');
    await new Promise((r) => other.on('close', r));
    // The lock of the killed run is stale: the next run takes it over.
    const next = await nightly(extracts, data, NO_EXPORTS);
    expect(next.status, next.stderr).toBe(0);
    expect(next.stdout).toContain('took over a stale lock');
  });

  it('an analyst reading the published warehouse during a run is never blocked and sees the previous state', async () => {
    const { extracts, data } = setup('reader');
    expect((await nightly(extracts, data, NO_EXPORTS)).status).toBe(0);
    addSecondDate(extracts);
    const reader = await openWarehouse(join(data, 'warehouse.duckdb'), { readOnly: true });
    try {
      const q = `SELECT count(*)::INTEGER AS n FROM raw.loan_balances`;
      expect(await reader.all(q)).toEqual([{ n: 3 }]);
      const run = await nightly(extracts, data, NO_EXPORTS); // runs to completion while the reader holds the file open
      expect(run.status, run.stderr).toBe(0);
      expect(await reader.all(q)).toEqual([{ n: 3 }]);
    } finally {
      await reader.close();
    }
    const fresh = await openWarehouse(join(data, 'warehouse.duckdb'), { readOnly: true });
    expect(await fresh.all(`SELECT count(*)::INTEGER AS n FROM raw.loan_balances`)).toEqual([{ n: 6 }]);
    await fresh.close();
  });

  it('incremental nights and a --full rebuild produce identical KPI, mart and core tables', async () => {
    const inc = setup('inc');
    expect((await nightly(inc.extracts, inc.data, NO_EXPORTS)).status).toBe(0);
    addSecondDate(inc.extracts);
    expect((await nightly(inc.extracts, inc.data, NO_EXPORTS)).status).toBe(0);
    // Two more months, one night each. The last night (2026-12-31) rebuilds the month-incremental
    // facts from 2026-11 only, reading October for November's previous-month columns; October's
    // rows stay as the night before built them. Reporting months are the business dates' months
    // (2026-08, -10, -11, -12), each with its balances snapshot.
    for (const [date, paid, id] of [['2026-11-30', '2026-11-10', 'R102'], ['2026-12-31', '2026-12-10', 'R103']] as const) {
      writeMiniExtract(laterNight(date, { repayment_id: id, loan_id: 'L001', instalment_no: '59', paid_on: paid, principal_paid: '1512.00', interest_paid: '3288.00' }), { dir: inc.extracts, date });
      expect((await nightly(inc.extracts, inc.data, NO_EXPORTS)).status).toBe(0);
    }
    const published = await openWarehouse(join(inc.data, 'warehouse.duckdb'), { readOnly: true });
    const modes = await published.all<{ model: string; mode: string; since: string | null }>(
      `SELECT model, mode, strftime(since, '%Y-%m-%d') AS since FROM ops.model_builds WHERE model LIKE 'core.fct_%_month_ends' ORDER BY model`,
    );
    const months = await published.all<{ m: string }>(`SELECT DISTINCT strftime(as_of_month, '%Y-%m') AS m FROM core.fct_loan_month_ends ORDER BY 1`);
    await published.close();
    expect(modes).toEqual([
      { model: 'core.fct_credit_file_month_ends', mode: 'incremental', since: '2026-11-30' },
      { model: 'core.fct_customer_month_ends', mode: 'incremental', since: '2026-11-30' },
      { model: 'core.fct_loan_month_ends', mode: 'incremental', since: '2026-11-30' },
    ]);
    expect(months.map((x) => x.m)).toEqual(['2026-08', '2026-10', '2026-11', '2026-12']);
    const full = await nightly(inc.extracts, join(inc.dir, 'data-full'), ['--full', ...NO_EXPORTS]);
    expect(full.status, full.stderr).toBe(0);
    const a = await kpiFingerprint(join(inc.data, 'warehouse.duckdb'));
    const b = await kpiFingerprint(join(inc.dir, 'data-full', 'warehouse.duckdb'));
    expect(Object.keys(a).length).toBeGreaterThan(0);
    expect(a).toEqual(b);
  });

  it('a failed run calls the configured webhook with what failed and what to do', async () => {
    const { dir, extracts, data } = setup('hook');
    const received: unknown[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const config = join(dir, 'cq.config.json');
    writeFileSync(config, JSON.stringify({ webhookUrl: `http://127.0.0.1:${port}/hook` }));
    addSecondDate(extracts, (r) => delete (r as Partial<typeof r>).surveys);
    const run = await new Promise<{ code: number | null }>((resolve) => {
      const c = startNightly(extracts, data, {}, ['--config', config, ...NO_EXPORTS]);
      c.on('close', (code) => resolve({ code }));
    });
    server.close();
    expect(run.code).toBe(1);
    expect(received).toEqual([
      expect.objectContaining({ status: 'failed', error_code: 'EXTRACT_MISSING_FILE', failed_step: 'load 2026-10-31', what_to_do: expect.stringContaining('re-deliver') }),
    ]);
    expect(existsSync(join(data, 'current'))).toBe(false);
  });
});
