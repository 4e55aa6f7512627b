import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cqProcessArgs } from '../../transforms/lib/cli.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import { runCommand } from '../../transforms/cli/command.js';
import { COMMANDS } from '../../transforms/cli/commands.js';
import { writeMiniExtract } from '../helpers/mini-extract.js';

/**
 * One config for every command (issue 16): with `dataDir` and `extractsDir` of cq.config.json set
 * to folders of their own, `cq load`, `transform`, `sql`, `export` and `nightly` — run as operators
 * run them, child processes in that working folder, with no path flags — all use
 * `<dataDir>/warehouse.duckdb`, and nothing appears at the built-in default `data/warehouse.duckdb`.
 * Real DuckDB on the mini extract (test/helpers/mini-extract.ts, business date 2026-09-30).
 */

let cwd: string;

beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'cq-same-warehouse-'));
  // No exports in the night (they would need Chromium for the PDF); `cq export` is run on its own.
  writeFileSync(join(cwd, 'cq.config.json'), JSON.stringify({ dataDir: 'lake', extractsDir: 'incoming', buildExports: false }));
  writeMiniExtract(undefined, { dir: join(cwd, 'incoming') });
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

/** `cq <subcommand> …args` in the temp working folder (absolute paths to tsx and cq.ts). */
function cq(subcommand: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cqProcessArgs(subcommand, args), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** KPI rows of a warehouse file, read directly (not through the CLI). */
async function kpiRows(file: string): Promise<number> {
  const wh = await openWarehouse(file, { readOnly: true });
  try {
    const [r] = await wh.all<{ n: bigint }>('SELECT count(*) AS n FROM metrics.kpi_values');
    return Number(r!.n);
  } finally {
    await wh.close();
  }
}

describe('one config: every command finds <dataDir>/warehouse.duckdb', { timeout: 600_000 }, () => {
  const warehouse = () => join(cwd, 'lake', 'warehouse.duckdb');

  it('load → transform → sql → export → nightly, with no path flags', async () => {
    const load = await cq('load');
    expect(load.code, load.stdout + load.stderr).toBe(0);
    expect(load.stdout).toMatch(/^2026-09-30 {2}read \d+/m);
    expect(lstatSync(warehouse()).isFile()).toBe(true);

    const transform = await cq('transform');
    expect(transform.code, transform.stdout + transform.stderr).toBe(0);
    expect(transform.stdout).toContain(`building ${join('lake', 'warehouse.duckdb')}`);
    const kpis = await kpiRows(warehouse());
    expect(kpis).toBeGreaterThan(0);

    // The console reads the KPI rows the transform wrote there.
    const sql = await cq('sql', ['--format', 'csv', 'select count(*) as n from metrics.kpi_values']);
    expect(sql.code, sql.stderr).toBe(0);
    expect(sql.stdout).toBe(`n\n${kpis}\n`);

    // The export package is written from it.
    const exported = await cq('export', ['--month', '2026-09', '--no-pdf', '--quiet', '--out', 'packages']);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(cwd, 'packages', '2026-09', 'manifest.json'), 'utf8')) as { files: { path: string }[] };
    expect(manifest.files.length).toBeGreaterThan(0);

    // The night publishes into the same data folder: <dataDir>/warehouse.duckdb becomes the link to its release…
    const night = await cq('nightly', ['--no-site']);
    expect(night.code, night.stdout + night.stderr).toBe(0);
    expect(night.stdout).toMatch(/published .*lake\/releases\//);
    expect(lstatSync(warehouse()).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(join(cwd, 'lake', 'status.json'), 'utf8'))).toMatchObject({ status: 'succeeded', business_dates: ['2026-09-30'] });
    // … (the warehouse built by hand before is kept aside, not overwritten) …
    expect(readdirSync(join(cwd, 'lake')).filter((f) => f.startsWith('warehouse.duckdb.pre-release-'))).toHaveLength(1);
    // … and the console, still without flags, now reads the night's warehouse (its run is in ops.runs).
    const runs = await cq('sql', ['--format', 'csv', "select status from ops.runs where status = 'succeeded'"]);
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout.trim().split('\n')).toEqual(['status', 'succeeded']);
    expect(await kpiRows(warehouse())).toBe(kpis);

    // Nothing went to the built-in defaults.
    expect(existsSync(join(cwd, 'data'))).toBe(false);
    expect(existsSync(join(cwd, 'exports'))).toBe(false);
  });

  it('--config FILE names another configuration for any subcommand; --warehouse still wins', async () => {
    writeFileSync(join(cwd, 'elsewhere.json'), JSON.stringify({ dataDir: 'elsewhere' }));
    const other = await cq('sql', ['--config', 'elsewhere.json', 'select 1']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/error \[WAREHOUSE_MISSING\]: .*elsewhere\/warehouse\.duckdb/);
    const flag = await cq('sql', ['--config', 'elsewhere.json', '--warehouse', warehouse(), '--format', 'csv', 'select 42 as answer']);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toBe('answer\n42\n');
    const missing = await cq('transform', ['--config', 'nope.json']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error [CLI_USAGE]: --config nope.json: no such file. Fix: give the path of the configuration file');
  });
});

describe('cq command line', { timeout: 300_000 }, () => {
  it('every subcommand has --help: usage, options (with --config) and an example', async () => {
    const names = COMMANDS.map((c) => c.name);
    expect(names).toEqual(['generate', 'load', 'policy:check', 'transform', 'export', 'report', 'sql', 'site:build', 'site:serve', 'nightly', 'close', 'schedule', 'docs', 'demo']);
    // In this process through the same runner as `cq <subcommand> --help` (a process each would take minutes here) …
    for (const entry of COMMANDS) {
      const printed: string[] = [];
      const log = console.log;
      console.log = (line: string) => void printed.push(line);
      try {
        await runCommand(await entry.load(), ['--help']);
      } finally {
        console.log = log;
      }
      const text = printed.join('\n');
      expect(text).toContain(`Usage: cq ${entry.name} [options]`);
      expect(text).toContain(`npm run ${entry.name} -- [options]`);
      expect(text).toMatch(/\n {2}--config FILE +configuration file/);
      expect(text).toMatch(new RegExp(`\\nExamples?:\\n {2}cq ${entry.name}`));
    }
    // … and as processes: exit 0.
    const [load, all] = await Promise.all([cq('load', ['--help']), cq('--help')]);
    expect(load.code, load.stderr).toBe(0);
    expect(load.stdout).toContain('Usage: cq load [options]');
    expect(load.stdout).toMatch(/--extracts DIR +folder of business-date extract folders/);
    expect(all.code, all.stderr).toBe(0);
    for (const n of names) expect(all.stdout).toMatch(new RegExp(`\\n {2}${n} +\\S`));
  });

  it('an unknown flag or subcommand exits 1 with CLI_USAGE naming the fix', async () => {
    const flag = await cq('load', ['--extract', 'incoming']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('error [CLI_USAGE]: unknown option --extract. Fix: did you mean --extracts? Otherwise leave it out, or use one of --extracts, --warehouse, --date, --mapping, --config, --debug, --help.');
    expect(flag.stderr).toContain('`cq load --help` explains each option');
    const sub = await cq('lod');
    expect(sub.code).toBe(1);
    expect(sub.stderr).toContain('error [CLI_USAGE]: unknown subcommand "lod". Fix: did you mean cq load?');
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });
});
