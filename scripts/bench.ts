/**
 * `npm run bench -- [--customers 1000000] [--months 24] [--seed 7] [--format csv|parquet] [--dir /tmp/cq-bench] [--extracts DIR] [--keep] [--site] [--steps generate,load,...]`
 *
 * Runs each step of the pipeline as its own process on a generated sample and prints elapsed
 * time and peak memory (max RSS of the process, which includes DuckDB's native memory).
 * Steps: generate → load → build models + KPIs → analyst query → monitoring (one night's watch-list, the
 * backtest, the branch workbooks) → report book of the latest month → nightly catch-up of all dates
 * but the last (a full night: load, models, KPIs, data tests, exports; the Evidence build only
 * with --site) → nightly of the one new date (the incremental night) → with --site, the Evidence
 * site alone and the site with every branch's audience site, side by side on the nightly's
 * warehouse (docs/report-site.md, "Audience sites") → with --site, the published
 * home page in headless Chromium (data shipped, time to interactive; scripts/bench-site.ts).
 * `--format parquet` generates the same data set as Parquet extracts (the contract takes both;
 * typed Parquet columns skip the text checks, see docs/extracts.md). Default: CSV.
 * `--extracts DIR` reuses extracts generated earlier (skips generate; DIR is left untouched).
 * `--citus URL` runs the load, the build and the export of the latest month on a PostgreSQL/Citus
 * warehouse instead (a cq.config.json with `"engine": "citus"`; the load checks in its DuckDB front
 * end and copies each date to the server); its peak memory adds the server's: the largest sum of
 * PSS of every `postgres` process, sampled each second (the cluster's own memory, shared buffers
 * counted once). The other steps need the DuckDB engine and are skipped.
 * Performance targets are checked here, never in timed unit tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFlags, runCli } from '../transforms/lib/cli.js';
import { chromiumMissing } from '../transforms/lib/chromium.js';
import { CqError } from '../transforms/lib/errors.js';

interface StepResult {
  step: string;
  seconds: number;
  peakMb: number;
  ok: boolean;
  note: string;
}

/** One benchmark step: a command line run under /usr/bin/time to capture max RSS. */
interface Step {
  name: string;
  available: () => boolean;
  args: (ctx: Ctx) => string[];
  /** Why the step does not run with these flags (null: it runs). */
  skip?: (ctx: Ctx) => string | null;
  /** The output line to show (default: the last one). */
  note?: (lines: string[]) => string | undefined;
}

interface Ctx {
  dir: string;
  /** `--citus URL`: the config file of a Citus warehouse (engine citus); null: the DuckDB engine. */
  citusConfig: string | null;
  /** `--citus`: pids of the cluster's postmasters (coordinator and workers), for the memory sampler. */
  postmasters: number[];
  extracts: string;
  /** Folder of symlinks to all business dates but the last (the nightly catch-up). */
  nightlyExtracts: string;
  site: boolean;
  warehouse: string;
  customers: number;
  months: number;
  seed: number;
  format: 'csv' | 'parquet';
}

const tsx = (script: string, ...args: string[]) => ['node', '--import', 'tsx', script, ...args];

const STEPS: Step[] = [
  {
    name: 'generate',
    available: () => existsSync('transforms/cli/generate.ts'),
    args: (c) =>
      tsx('transforms/cli/generate.ts', '--customers', String(c.customers), '--months', String(c.months), '--seed', String(c.seed), '--format', c.format, '--out', c.extracts),
  },
  {
    name: 'load',
    available: () => existsSync('transforms/cli/load.ts'),
    args: (c) =>
      c.citusConfig
        ? tsx('transforms/cli/cq.ts', 'load', '--config', c.citusConfig)
        : tsx('transforms/cli/load.ts', '--extracts', c.extracts, '--warehouse', c.warehouse),
  },
  {
    name: 'build models + KPIs',
    available: () => existsSync('transforms/cli/transform.ts'),
    args: (c) => (c.citusConfig ? tsx('transforms/cli/cq.ts', 'transform', '--config', c.citusConfig) : tsx('transforms/cli/transform.ts', '--warehouse', c.warehouse)),
  },
  {
    name: 'export of the latest month (no PDF)',
    available: () => existsSync('transforms/cli/export.ts'),
    args: (c) => {
      const month = readdirSync(c.extracts).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().at(-1)!.slice(0, 7);
      const where = c.citusConfig ? ['--config', c.citusConfig] : ['--warehouse', c.warehouse];
      return tsx('transforms/cli/cq.ts', 'export', '--month', month, '--no-pdf', '--quiet', '--out', join(c.dir, 'exports'), ...where);
    },
  },
  {
    name: 'analyst query (balance by branch, full history)',
    available: () => existsSync('transforms/publish/console/run-query.ts'),
    args: (c) => tsx('scripts/bench-query.ts', c.warehouse),
  },
  ...(['watch-list', 'backtest', 'lists'] as const).map(
    (part): Step => ({
      // Post-loan monitoring (docs/monitoring.md): targets at 1M customers: watch-list < 10 s a night, backtest < 60 s.
      name: { 'watch-list': 'monitoring: one night of watch-list', backtest: 'monitoring: backtest, whole history', lists: 'monitoring: branch watch-list workbooks' }[part],
      available: () => existsSync('scripts/bench-monitoring.ts'),
      args: (c) => tsx('scripts/bench-monitoring.ts', c.warehouse, '--part', part),
      note: (lines) => lines.filter((l) => !l.includes('CHECKPOINT')).at(-1),
    }),
  ),
  {
    // The monthly report book (信贷资产质量月报) of the latest month: target < 30 s at 1M customers.
    name: 'report book (latest month, A4 PDF)',
    available: () => existsSync('transforms/cli/report.ts') && !chromiumMissing(),
    args: (c) => {
      const month = readdirSync(c.extracts).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().at(-1)!.slice(0, 7);
      return tsx('transforms/cli/report.ts', '--month', month, '--warehouse', c.warehouse, '--out', join(c.dir, 'report-book'), '--quiet');
    },
  },
  {
    name: 'nightly: catch-up of all dates but the last',
    available: () => existsSync('transforms/cli/nightly.ts'),
    args: (c) => {
      // The catch-up night sees every business date but the last; the next step adds the last one.
      const dates = readdirSync(c.extracts).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort();
      rmSync(c.nightlyExtracts, { recursive: true, force: true });
      mkdirSync(c.nightlyExtracts, { recursive: true });
      for (const d of dates.slice(0, -1)) linkFolder(join(c.extracts, d), join(c.nightlyExtracts, d));
      return tsx('transforms/cli/nightly.ts', '--extracts', c.nightlyExtracts, '--data', join(c.dir, 'nightly'), ...(c.site ? [] : ['--no-site']));
    },
  },
  {
    name: 'nightly: one new business date (incremental)',
    available: () => existsSync('transforms/cli/nightly.ts'),
    args: (c) => {
      const last = readdirSync(c.extracts).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().at(-1)!;
      if (!existsSync(join(c.nightlyExtracts, last))) linkFolder(join(c.extracts, last), join(c.nightlyExtracts, last));
      return tsx('transforms/cli/nightly.ts', '--extracts', c.nightlyExtracts, '--data', join(c.dir, 'nightly'), ...(c.site ? [] : ['--no-site']));
    },
  },
  ...([false, true] as const).map(
    (audiences): Step => ({
      // Issue 20: every audience site (head office + one per branch) within 2× the single site's build,
      // peak ≤ 3 GB. The two steps run side by side in one bench run (the machine is shared), on the
      // warehouse the nightly published (the site reads the run ledger's tables too).
      name: audiences ? 'site: head office + every branch site' : 'site: one site (head office only)',
      available: () => existsSync('transforms/cli/site-build.ts'),
      skip: (c) => (c.site ? null : 'needs --site'),
      args: (c) =>
        tsx('transforms/cli/site-build.ts', '--warehouse', join(c.dir, 'nightly', 'warehouse.duckdb'), '--out', join(c.dir, audiences ? 'sites' : 'site-one', 'site'), ...(audiences ? ['--audience-sites', join(c.dir, 'sites', 'audience-sites')] : [])),
      note: (lines) => [lines.find((l) => l.startsWith('[build-site] elapsed')), lines.find((l) => l.startsWith('[audience-sites] OK'))].filter(Boolean).join(' · ') || undefined,
    }),
  ),
  {
    // Issue 4's page targets: data shipped to the home page and time to interactive (median of 9
    // cold-cache loads in headless Chromium, scripts/bench-site.ts) on the site the nightly published.
    name: 'site: home page in headless Chromium',
    available: () => existsSync('scripts/bench-site.ts') && !chromiumMissing(),
    skip: (c) => (c.site ? null : 'needs --site'),
    args: (c) => tsx('scripts/bench-site.ts', join(c.dir, 'nightly', 'site'), '--runs', '9'),
    note: (lines) => lines.find((l) => l.startsWith('median of')),
  },
];

/**
 * A business-date folder of the nightly's extracts: a real folder whose files are hard links to the
 * generated ones (the load refuses a date folder that is a symbolic link leading outside the
 * extracts folder; copying 3 GB would take minutes). Copies when the two are on different disks.
 */
function linkFolder(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const e of readdirSync(from, { withFileTypes: true })) {
    if (e.isDirectory()) linkFolder(join(from, e.name), join(to, e.name));
    else {
      try {
        linkSync(join(from, e.name), join(to, e.name));
      } catch {
        copyFileSync(join(from, e.name), join(to, e.name));
      }
    }
  }
}

/**
 * Samples, each second until stopped, the sum of PSS of the cluster's processes — its postmasters
 * (`postmasters`: the pids listening on the coordinator's and workers' ports) and their children —
 * (shared buffers counted once), keeping the largest in `file`. Other PostgreSQL servers on the
 * machine (a CI run's cluster) are not counted.
 */
const samplers = new Set<ChildProcess>();
// A bench stopped by a signal stops its sampler too (it would loop forever).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    for (const c of samplers) c.kill();
    process.exit(1);
  });
}

function startServerSampler(file: string, postmasters: readonly number[]): ChildProcess {
  const pids = postmasters.join(' ');
  // The loop also ends when the bench is gone (killed without a chance to stop it).
  const script = `max=0; while kill -0 ${process.pid} 2>/dev/null; do s=0; for p in ${pids} $(for m in ${pids}; do pgrep -P $m; done); do v=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup 2>/dev/null); s=$((s + \${v:-0})); done; [ $s -gt $max ] && max=$s && echo $max > ${file}; sleep 1; done`;
  const child = spawn('bash', ['-c', script], { stdio: 'ignore' });
  samplers.add(child);
  child.on('exit', () => samplers.delete(child));
  return child;
}

function runStep(step: Step, ctx: Ctx): StepResult {
  const args = step.args(ctx);
  const started = performance.now();
  const samples = join(ctx.dir, 'server-pss.kb');
  rmSync(samples, { force: true });
  const sampler = ctx.citusConfig && step.name !== 'generate' ? startServerSampler(samples, ctx.postmasters) : null;
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, FORCE_COLOR: '0' } });
  sampler?.kill();
  const seconds = (performance.now() - started) / 1000;
  const serverKb = existsSync(samples) ? Number(readFileSync(samples, 'utf8').trim()) : 0;
  const clientRss = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr ?? '');
  const rss = clientRss ? [clientRss[0], String(Number(clientRss[1]) + serverKb)] : null;
  const ok = r.status === 0;
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('BENCH_MAXRSS') && !l.includes('nodedir'));
  if (!ok) console.error(out.slice(-20).join('\n'));
  const server = ctx.citusConfig ? `[server ${(serverKb / 1024).toFixed(0)} MB + client ${(Number(clientRss?.[1] ?? 0) / 1024).toFixed(0)} MB] ` : '';
  return { step: step.name, seconds, peakMb: rss ? Number(rss[1]) / 1024 : NaN, ok, note: ok ? `${server}${step.note?.(out) ?? out.at(-1) ?? ''}` : `exit ${r.status}` };
}

function psql(url: string, sql: string): string {
  const r = spawnSync('psql', ['-X', '-q', '-tA', '-v', 'ON_ERROR_STOP=1', url, '-c', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new CqError('CLI_USAGE', `psql ${url}: ${r.stderr.trim()}. Fix: start the cluster (scripts/citus-cluster.sh start DIR) or pass its URL to --citus.`);
  return r.stdout.trim();
}

function dirSizeMb(path: string): number {
  const r = spawnSync('du', ['-sm', path], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

runCli(async (argv) => {
  const { flags } = parseFlags(argv, { customers: 'string', months: 'string', seed: 'string', dir: 'string', keep: 'boolean', steps: 'string', extracts: 'string', site: 'boolean', format: 'string', citus: 'string' });
  const format = flags.format ?? 'csv';
  if (format !== 'csv' && format !== 'parquet') throw new CqError('CLI_USAGE', `--format must be csv or parquet, got "${format}".`);
  const dir = resolve(flags.dir ?? join(tmpdir(), 'cq-bench'));
  const ctx: Ctx = {
    dir,
    citusConfig: flags.citus ? join(dir, 'cq.config.json') : null,
    postmasters: [],
    extracts: flags.extracts ? resolve(flags.extracts) : join(dir, 'extracts'),
    nightlyExtracts: join(dir, 'nightly-extracts'),
    site: !!flags.site,
    warehouse: join(dir, 'warehouse.duckdb'),
    customers: Number(flags.customers ?? 100000),
    months: Number(flags.months ?? 24),
    seed: Number(flags.seed ?? 7),
    format,
  };
  const wanted = flags.steps?.split(',');
  if (flags.extracts && ctx.extracts.startsWith(`${dir}/`)) throw new CqError('CLI_USAGE', '--extracts must lie outside --dir (the bench clears --dir). Fix: pass another --dir.');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (ctx.citusConfig) {
    // The Citus warehouse of the bench: the server's schemas are replaced by the load.
    writeFileSync(ctx.citusConfig, JSON.stringify({ engine: 'citus', citusUrl: flags.citus, extractsDir: ctx.extracts, dataDir: join(dir, 'data') }, null, 2));
    psql(flags.citus!, 'DROP SCHEMA IF EXISTS metrics, marts, core, staging, raw, ops CASCADE');
    // The cluster's nodes on this machine: the pid listening on each node's port.
    const ports = psql(flags.citus!, `SELECT string_agg(DISTINCT nodeport::text, ' ') FROM pg_dist_node WHERE nodename IN ('127.0.0.1', 'localhost')`).split(' ');
    for (const port of ports) {
      const pid = /pid=(\d+)/.exec(spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }).stdout ?? '')?.[1];
      if (pid) ctx.postmasters.push(Number(pid));
    }
    console.log(`  Citus cluster: ${ports.length} node(s) on ports ${ports.join(', ')}; memory = client RSS + PSS of postmasters ${ctx.postmasters.join(', ')} and their children`);
  }
  console.log(`bench: ${ctx.customers.toLocaleString('en')} customers × ${ctx.months} months, seed ${ctx.seed}, ${flags.extracts ? `extracts ${ctx.extracts}` : `${format.toUpperCase()} extracts`}, in ${dir} (${process.env.CI ? 'CI' : 'local'}, ${(await import('node:os')).cpus().length} cores)`);
  const results: StepResult[] = [];
  for (const step of STEPS) {
    if (wanted && !wanted.some((w) => step.name.startsWith(w))) continue;
    if (step.name === 'generate' && flags.extracts) continue;
    if (!step.available()) {
      console.log(`  ${step.name.padEnd(48)} (not available: its script or /usr/bin/chromium is missing)`);
      continue;
    }
    const skipped = ctx.citusConfig && !['generate', 'load', 'build models + KPIs', 'export of the latest month (no PDF)'].includes(step.name) ? 'needs the DuckDB engine' : step.skip?.(ctx);
    if (skipped) {
      console.log(`  ${step.name.padEnd(48)} (skipped: ${skipped})`);
      continue;
    }
    const r = runStep(step, ctx);
    results.push(r);
    console.log(`  ${r.step.padEnd(48)} ${r.seconds.toFixed(1).padStart(7)} s  peak ${r.peakMb.toFixed(0).padStart(6)} MB  ${r.ok ? 'ok' : 'FAILED'}  ${r.note.slice(0, r.step.startsWith('site') ? 300 : 80)}`);
    if (!r.ok) break;
    if (r.step === 'generate') console.log(`  ${''.padEnd(48)} extracts: ${dirSizeMb(ctx.extracts)} MB`);
    if ((r.step === 'load' || r.step === 'build models + KPIs') && ctx.citusConfig) {
      // Coordinator and workers together.
      const bytes = psql(flags.citus!, "SELECT pg_database_size(current_database()) + coalesce((SELECT sum(result::bigint) FROM run_command_on_workers('SELECT pg_database_size(current_database())')), 0)");
      console.log(`  ${''.padEnd(48)} warehouse (coordinator + workers): ${(Number(bytes) / 2 ** 20).toFixed(0)} MB`);
    }
    if ((r.step === 'load' || r.step === 'build models + KPIs') && !ctx.citusConfig) console.log(`  ${''.padEnd(48)} warehouse: ${(statSync(ctx.warehouse).size / 2 ** 20).toFixed(0)} MB`);
  }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(join('bench-results', `bench-${ctx.customers}x${ctx.months}${format === 'csv' ? '' : `-${format}`}${ctx.citusConfig ? '-citus' : ''}.json`), JSON.stringify({ ...ctx, results }, null, 2));
  if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  if (results.some((r) => !r.ok)) process.exitCode = 1;
});
