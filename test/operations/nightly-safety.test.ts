import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import { isCqError } from '../../transforms/lib/errors.js';
import { readRuns } from '../../transforms/operations/ledger.js';
import { acquireLock } from '../../transforms/operations/lock.js';
import { currentBootId, processIdentity } from '../../transforms/operations/process-identity.js';
import { withColumns } from '../helpers/extract-rows.js';
import { writeMiniExtract } from '../helpers/mini-extract.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * Operational safety of the nightly (docs/operations.md: Locking, Interrupted runs, Permissions):
 * a stale lock whose PID was reused is taken over; a SIGKILLed run is recorded as failed and
 * alerted by the next run; everything published is owner-only (or group-readable when
 * configured). Real processes, files and DuckDB; nightlies run as child processes without the
 * Evidence site build (`--no-site`), like test/operations/nightly.test.ts.
 */

const CLI = ['--import', 'tsx', 'transforms/cli/nightly.ts'];
let root: string;
const sleepers: ChildProcess[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cq-nightly-safety-'));
});
afterAll(() => {
  for (const s of sleepers) s.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** A live process that is not a nightly (its PID stands in for a reused one). */
function liveProcess(): number {
  const child = spawn('sleep', ['300'], { stdio: 'ignore' });
  sleepers.push(child);
  return child.pid!;
}

function setup(name: string) {
  const dir = join(root, name);
  const extracts = join(dir, 'extracts');
  const data = join(dir, 'data');
  // Balances are a snapshot dated the folder's business date (others are rejected, and a file
  // with every row rejected fails the publish gate).
  writeMiniExtract((r) => (r.loan_balances = r.loan_balances.map((l) => withColumns(l, { as_of_date: '2026-08-31' }))), { dir: extracts, date: '2026-08-31' });
  return { dir, extracts, data };
}

/** The second night: balances dated 2026-10-31, and only new events (event keys are unique across dates). */
function addSecondDate(extracts: string) {
  writeMiniExtract(
    (r) => {
      r.loan_balances = r.loan_balances.map((l) => withColumns(l, { as_of_date: '2026-10-31' }));
      r.repayments = [{ repayment_id: 'R101', loan_id: 'L001', instalment_no: '58', paid_on: '2026-10-10', principal_paid: '1505.00', interest_paid: '3295.00' }];
      r.risk_scores = r.risk_scores.map((l) => withColumns(l, { scored_on: '2026-10-31' }));
      r.surveys = r.surveys.map((l) => withColumns(l, (row) => ({ survey_id: row.survey_id!.replace(/^S(\d+)/, 'S20261031$1') })));
    },
    { dir: extracts, date: '2026-10-31' },
  );
}

/** A nightly run as a child process, awaited without blocking this process's event loop (the test's webhook server must answer meanwhile). */
function nightly(extracts: string, data: string, extra: string[] = []) {
  return runProcess(process.execPath, [...CLI, '--extracts', extracts, '--data', data, '--no-site', ...extra], { encoding: 'utf8' });
}

function startNightly(extracts: string, data: string, hangAt: string, extra: string[] = []): ChildProcess {
  return spawn(process.execPath, [...CLI, '--extracts', extracts, '--data', data, '--no-site', ...extra], {
    env: { ...process.env, CQ_NIGHTLY_HANG_AT: hangAt },
    stdio: 'ignore',
  });
}

/** Waits until the ledger's last line says `step` started (the run hangs there, see CQ_NIGHTLY_HANG_AT). */
async function waitForStep(data: string, step: string, ms = 240_000): Promise<void> {
  const ledger = join(data, 'runs', 'ledger.ndjson');
  const until = Date.now() + ms;
  for (;;) {
    try {
      const last = JSON.parse(readFileSync(ledger, 'utf8').trim().split('\n').at(-1)!) as { type: string; step?: string };
      if (last.type === 'step_started' && last.step === step) return;
    } catch {
      // no ledger yet, or a line being written
    }
    if (Date.now() > until) throw new Error(`timed out waiting for step "${step}"`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(child: ChildProcess): Promise<void> {
  const closed = new Promise((r) => child.on('close', r));
  child.kill('SIGKILL');
  await closed;
}

function ledgerEvents(data: string): Record<string, unknown>[] {
  return readFileSync(join(data, 'runs', 'ledger.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function status(data: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as Record<string, unknown>;
}

/** Every file and folder under `dir` (symlinks excluded), with its permission bits and group. */
function modes(dir: string): { path: string; dir: boolean; mode: number; gid: number }[] {
  const out: { path: string; dir: boolean; mode: number; gid: number }[] = [];
  const walk = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    out.push({ path: p, dir: st.isDirectory(), mode: st.mode & 0o7777, gid: st.gid });
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(dir);
  return out;
}

/** Paths whose mode is not the expected one (so a failing assertion names them). */
function wrongModes(dir: string, fileMode: number, dirMode: number): string[] {
  return modes(dir)
    .filter((m) => m.mode !== (m.dir ? dirMode : fileMode))
    .map((m) => `${m.path} ${m.mode.toString(8)}`);
}

describe('nightly lock: PID + process start time + boot id', () => {
  it('a lock whose live PID has another start time (a reused PID) is taken over; the real holder is respected', () => {
    const dir = join(root, 'lock');
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'nightly.lock');
    const pid = liveProcess();
    const id = processIdentity(pid)!;
    expect(id.startTime).toBeGreaterThan(0);
    expect(id.bootId).toBe(currentBootId());

    // Same PID, other start time: the process that wrote the lock is gone and its PID reused.
    writeFileSync(lock, JSON.stringify({ pid, startTime: id.startTime! - 1, bootId: id.bootId, startedAt: new Date().toISOString(), runId: 'Rold' }));
    const taken = acquireLock(lock, { runId: 'Rnew' });
    expect(taken.takeover).toMatchObject({ reason: 'pid-reused', holder: { pid, runId: 'Rold' } });
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, runId: 'Rnew', bootId: currentBootId() });
    taken.release();
    expect(() => statSync(lock)).toThrow();

    // The right PID and start time: a running nightly, respected.
    const holder = { pid, startTime: id.startTime, bootId: id.bootId, startedAt: new Date().toISOString(), runId: 'Rlive' };
    writeFileSync(lock, JSON.stringify(holder));
    let refused: unknown;
    try {
      acquireLock(lock, { runId: 'Rnew' });
    } catch (e) {
      refused = e;
    }
    expect(isCqError(refused, 'RUN_ALREADY_RUNNING'), String(refused)).toBe(true);
    expect((refused as Error).message).toMatch(new RegExp(`nightly is already running \\(pid ${pid}, run Rlive`));
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toEqual(holder); // untouched

    // The same PID and start time from before a reboot (another boot id): stale.
    writeFileSync(lock, JSON.stringify({ ...holder, bootId: '00000000-0000-0000-0000-000000000000' }));
    const afterReboot = acquireLock(lock);
    expect(afterReboot.takeover?.reason).toBe('rebooted');
    afterReboot.release();
  });

  it('locks without a start time (older versions) and systems without /proc still tell a reused PID', () => {
    const dir = join(root, 'lock-fallback');
    mkdirSync(dir, { recursive: true });
    const lock = join(dir, 'nightly.lock');
    const pid = liveProcess();

    // Old lock format { pid, startedAt }: the live process started after the lock was written → another process.
    writeFileSync(lock, JSON.stringify({ pid, startedAt: new Date(Date.now() - 3_600_000).toISOString() }));
    const legacy = acquireLock(lock);
    expect(legacy.takeover).toMatchObject({ reason: 'pid-reused', holder: { pid } });
    legacy.release();
    writeFileSync(lock, JSON.stringify({ pid, startedAt: new Date(Date.now() + 60_000).toISOString() }));
    expect(() => acquireLock(lock)).toThrow(/already running/);

    // No /proc (macOS, BSD): identity from `ps -o lstart=`.
    const noProc = join(dir, 'no-proc');
    const viaPs = processIdentity(pid, noProc)!;
    expect(viaPs.psStart).toMatch(/\d{4}$/);
    rmSync(lock);
    const mine = acquireLock(lock, { procRoot: noProc });
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, psStart: expect.any(String) });
    mine.release();
    writeFileSync(lock, JSON.stringify({ pid, psStart: 'Thu Jan  1 00:00:00 1970', startedAt: new Date().toISOString() }));
    expect(acquireLock(lock, { procRoot: noProc }).takeover?.reason).toBe('pid-reused');
    writeFileSync(lock, JSON.stringify({ pid, psStart: viaPs.psStart, startedAt: new Date().toISOString() }));
    expect(() => acquireLock(lock, { procRoot: noProc })).toThrow(/already running/);
  });

  it('the ledger reports a run as interrupted when its PID was reused (not "running" forever)', () => {
    const dir = join(root, 'ledger-reuse');
    mkdirSync(dir, { recursive: true });
    const ledger = join(dir, 'ledger.ndjson');
    const pid = liveProcess();
    const id = processIdentity(pid)!;
    const at = new Date().toISOString();
    const lines = [
      { type: 'run_started', run_id: 'Rreused', at, pid, pid_identity: { ...id, startTime: id.startTime! + 7 }, mode: 'incremental', business_dates: ['2026-10-31'] },
      { type: 'step_started', run_id: 'Rreused', at, step: 'load 2026-10-31' },
      { type: 'run_started', run_id: 'Ralive', at, pid, pid_identity: id, mode: 'incremental', business_dates: ['2026-10-31'] },
    ];
    writeFileSync(ledger, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const runs = Object.fromEntries(readRuns(ledger).map((r) => [r.run_id, r]));
    expect(runs.Rreused).toMatchObject({ status: 'failed', failed_step: 'load 2026-10-31' });
    expect(runs.Rreused!.error).toContain('interrupted: the process (pid');
    expect(runs.Rreused!.steps[0]!.status).toBe('interrupted');
    expect(runs.Ralive!.status).toBe('running');
  });

  it('a nightly finding a reused-PID lock takes it over, records the takeover and the run that never started', async () => {
    const { extracts, data } = setup('cli-reused');
    mkdirSync(data, { recursive: true });
    const pid = liveProcess();
    const id = processIdentity(pid)!;
    const oldRun = 'R20261030T023000-99999';
    writeFileSync(join(data, 'nightly.lock'), JSON.stringify({ pid, startTime: id.startTime! + 1, bootId: id.bootId, startedAt: '2026-10-30T02:30:00.000Z', runId: oldRun }));
    const run = await nightly(extracts, data, ['--no-exports']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`took over a stale lock of pid ${pid}, run ${oldRun}: its PID now belongs to another process`);
    const started = ledgerEvents(data).find((e) => e.type === 'run_started' && e.run_id !== oldRun)!;
    expect(started.took_over_lock).toEqual({ pid, run_id: oldRun, reason: 'pid-reused' });
    const old = readRuns(join(data, 'runs', 'ledger.ndjson')).find((r) => r.run_id === oldRun)!;
    expect(old).toMatchObject({ status: 'failed', failed_step: null });
    expect(old.error).toContain('before its first step');
    expect(() => statSync(join(data, 'nightly.lock'))).toThrow(); // released
  });
});

describe('a SIGKILLed nightly', { timeout: 900_000 }, () => {
  let server: Server;
  const alerts: Record<string, unknown>[] = [];
  let hookUrl: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        alerts.push(JSON.parse(body) as Record<string, unknown>);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    hookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  });
  afterAll(() => server.close());

  it('never leaves "succeeded" behind; the next run records it as failed (interrupted, with its step) and alerts once', async () => {
    const { dir, extracts, data } = setup('killed');
    const config = join(dir, 'cq.config.json');
    writeFileSync(config, JSON.stringify({ webhookUrl: hookUrl }));
    const args = ['--no-exports', '--config', config];
    const first = await nightly(extracts, data, args);
    expect(first.status, first.stdout + first.stderr).toBe(0);
    expect(status(data)).toMatchObject({ status: 'succeeded' });

    addSecondDate(extracts);
    const step = 'build models and KPIs';
    const child = startNightly(extracts, data, step, args);
    await waitForStep(data, step);
    const running = status(data);
    expect(running).toMatchObject({ status: 'running', pid: child.pid, previous: { status: 'succeeded', business_dates: ['2026-08-31'] } });
    const killedRun = running.run_id as string;
    await kill(child);
    expect(status(data).status).toBe('running'); // what the kill leaves: not the previous run's "succeeded"
    expect(alerts).toEqual([]);

    // The next run (here one with nothing to do) finds the killed run before anything else.
    const next = await nightly(extracts, data, [...args, '--date', '2026-08-31']);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain(`took over a stale lock of pid ${child.pid}, run ${killedRun}: its process is gone`);
    expect(next.stdout).toContain(`previous nightly ${killedRun} was interrupted during step "${step}"`);
    expect(next.stdout).toContain('nothing to do');
    const expected = {
      run_id: killedRun,
      status: 'failed',
      error_code: 'RUN_INTERRUPTED',
      failed_step: step,
      business_dates: ['2026-10-31'],
      error: expect.stringContaining(`interrupted: the process (pid ${child.pid}) ended without finishing (killed or machine stopped) during step "${step}"`),
      what_to_do: expect.stringContaining('npm run nightly'),
      published: expect.stringContaining('unchanged'),
    };
    expect(alerts).toEqual([expect.objectContaining(expected)]);
    expect(status(data)).toMatchObject(expected); // the no-op run left the last outcome: the interrupted run
    const finished = ledgerEvents(data).filter((e) => e.type === 'run_finished' && e.run_id === killedRun);
    expect(finished).toEqual([expect.objectContaining({ status: 'failed', failed_step: step, interrupted_found_by: expect.stringMatching(/^R/) })]);
    expect(finished[0]!.error).toMatch(/^interrupted: .*during step "build models and KPIs"/);

    // A further run publishes; the interrupted run is alerted only once and is in ops.runs as failed.
    const last = await nightly(extracts, data, args);
    expect(last.status, last.stdout + last.stderr).toBe(0);
    expect(last.stdout).not.toContain('was interrupted');
    expect(alerts).toHaveLength(1);
    expect(status(data)).toMatchObject({ status: 'succeeded', business_dates: ['2026-10-31'] });
    const wh = await openWarehouse(join(data, 'warehouse.duckdb'), { readOnly: true });
    try {
      expect(await wh.all(`SELECT status, failed_step FROM ops.runs WHERE run_id = '${killedRun}'`)).toEqual([{ status: 'failed', failed_step: step }]);
      expect(await wh.all(`SELECT status FROM ops.run_steps WHERE run_id = '${killedRun}' AND step = '${step}'`)).toEqual([{ status: 'interrupted' }]);
    } finally {
      await wh.close();
    }
  });
});

describe('permissions of what the nightly publishes', { timeout: 900_000 }, () => {
  it('owner-only by default: release, warehouse, exports, status, ledger, logs (also files of older versions and copies)', async () => {
    const { extracts, data } = setup('modes');
    // What an older version left: a world-readable data folder (the operator's: left alone) and log.
    mkdirSync(join(data, 'logs'), { recursive: true, mode: 0o755 });
    chmodSync(data, 0o755);
    chmodSync(join(data, 'logs'), 0o755);
    writeFileSync(join(data, 'logs', 'old.log'), 'x', { mode: 0o644 });
    chmodSync(join(data, 'logs', 'old.log'), 0o644);

    // A first night killed mid-build: the warehouse DuckDB created itself is owner-only already (umask).
    const hung = startNightly(extracts, data, 'build models and KPIs', ['--no-exports']);
    await waitForStep(data, 'build models and KPIs');
    const partial = readdirSync(join(data, 'releases')).find((d) => d.endsWith('.partial'))!;
    const created = modes(join(data, 'releases', partial));
    expect(created.map((m) => m.path)).toContain(join(data, 'releases', partial, 'warehouse.duckdb'));
    expect(created.filter((m) => (m.mode & 0o077) !== 0).map((m) => m.path)).toEqual([]);
    await kill(hung);

    const run = await nightly(extracts, data); // with the regulator exports
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const release = realpathSync(join(data, 'current'));
    expect(readdirSync(release).sort()).toEqual(expect.arrayContaining(['exports', 'warehouse.duckdb']));
    expect(modes(join(release, 'exports')).filter((m) => !m.dir).length).toBeGreaterThan(3);
    expect(wrongModes(data, 0o600, 0o700)).toEqual([`${data} 755`]);
    expect(statSync(join(data, 'warehouse.duckdb')).mode & 0o777).toBe(0o600); // through the symlink

    // An older release's warehouse that is world-readable is copied for the next night: the copy is not.
    chmodSync(join(release, 'warehouse.duckdb'), 0o644);
    addSecondDate(extracts);
    const second = await nightly(extracts, data, ['--no-exports']);
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(realpathSync(join(data, 'current'))).not.toBe(release);
    expect(statSync(join(data, 'warehouse.duckdb')).mode & 0o777).toBe(0o600);
    expect(wrongModes(realpathSync(join(data, 'current')), 0o600, 0o700)).toEqual([]);
  });

  it('with publishGroup: files 0640 and folders 0750 of that group; an unknown group is refused naming the config file', async () => {
    const { dir, extracts, data } = setup('group');
    const group = (await runProcess('id', ['-gn'], { encoding: 'utf8' })).stdout.trim();
    const gid = Number((await runProcess('id', ['-g'], { encoding: 'utf8' })).stdout.trim());
    const config = join(dir, 'cq.config.json');
    writeFileSync(config, JSON.stringify({ publishGroup: group }));
    const run = await nightly(extracts, data, ['--config', config, '--no-exports']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const all = modes(data);
    expect(all.map((m) => m.path)).toEqual(expect.arrayContaining([join(data, 'status.json'), join(data, 'runs', 'ledger.ndjson'), join(realpathSync(join(data, 'current')), 'warehouse.duckdb')]));
    expect(wrongModes(data, 0o640, 0o750)).toEqual([]);
    expect(all.filter((m) => m.gid !== gid).map((m) => m.path)).toEqual([]);

    const bad = join(dir, 'bad.config.json');
    writeFileSync(bad, JSON.stringify({ publishGroup: 'cq-no-such-group-4711' }));
    const refused = await nightly(extracts, join(dir, 'data-bad'), ['--config', bad, '--no-exports']);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`${bad}: publishGroup "cq-no-such-group-4711" is not a group on this machine`);
    expect(refused.stderr).toContain('groupadd cq-no-such-group-4711');
  });
});
