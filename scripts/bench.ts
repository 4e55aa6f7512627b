/**
 * `npm run bench -- [--customers 1000000] [--months 24] [--seed 7] [--dir /tmp/cq-bench] [--keep] [--steps generate,load,...]`
 *
 * Runs each step of the pipeline as its own process on a generated sample and prints elapsed
 * time and peak memory (max RSS of the process, which includes DuckDB's native memory).
 * Performance targets are checked here, never in timed unit tests.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags, runCli } from '../transforms/lib/cli.js';

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
}

interface Ctx {
  dir: string;
  extracts: string;
  warehouse: string;
  customers: number;
  months: number;
  seed: number;
}

const tsx = (script: string, ...args: string[]) => ['node', '--import', 'tsx', script, ...args];

const STEPS: Step[] = [
  {
    name: 'generate',
    available: () => existsSync('transforms/cli/generate.ts'),
    args: (c) => tsx('transforms/cli/generate.ts', '--customers', String(c.customers), '--months', String(c.months), '--seed', String(c.seed), '--out', c.extracts),
  },
  {
    name: 'load',
    available: () => existsSync('transforms/cli/load.ts'),
    args: (c) => tsx('transforms/cli/load.ts', '--extracts', c.extracts, '--warehouse', c.warehouse),
  },
  {
    name: 'build models + KPIs',
    available: () => existsSync('transforms/cli/build.ts'),
    args: (c) => tsx('transforms/cli/build.ts', '--warehouse', c.warehouse),
  },
  {
    name: 'analyst query (balance by branch, full history)',
    available: () => existsSync('transforms/sql/run-query.ts'),
    args: (c) => tsx('scripts/bench-query.ts', c.warehouse),
  },
];

function runStep(step: Step, ctx: Ctx): StepResult {
  const args = step.args(ctx);
  const started = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'BENCH_MAXRSS_KB=%M', ...args], { encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, FORCE_COLOR: '0' } });
  const seconds = (performance.now() - started) / 1000;
  const rss = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr ?? '');
  const ok = r.status === 0;
  const out = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').filter((l) => !l.startsWith('BENCH_MAXRSS') && !l.includes('nodedir'));
  if (!ok) console.error(out.slice(-20).join('\n'));
  return { step: step.name, seconds, peakMb: rss ? Number(rss[1]) / 1024 : NaN, ok, note: ok ? (out.at(-1) ?? '') : `exit ${r.status}` };
}

function dirSizeMb(path: string): number {
  const r = spawnSync('du', ['-sm', path], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

runCli(async (argv) => {
  const { flags } = parseFlags(argv, { customers: 'string', months: 'string', seed: 'string', dir: 'string', keep: 'boolean', steps: 'string' });
  const dir = resolve(flags.dir ?? '/tmp/cq-bench');
  const ctx: Ctx = {
    dir,
    extracts: join(dir, 'extracts'),
    warehouse: join(dir, 'warehouse.duckdb'),
    customers: Number(flags.customers ?? 100000),
    months: Number(flags.months ?? 24),
    seed: Number(flags.seed ?? 7),
  };
  const wanted = flags.steps?.split(',');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`bench: ${ctx.customers.toLocaleString('en')} customers × ${ctx.months} months, seed ${ctx.seed}, in ${dir} (${process.env.CI ? 'CI' : 'local'}, ${(await import('node:os')).cpus().length} cores)`);
  const results: StepResult[] = [];
  for (const step of STEPS) {
    if (wanted && !wanted.some((w) => step.name.startsWith(w))) continue;
    if (!step.available()) {
      console.log(`  ${step.name.padEnd(48)} (not available yet)`);
      continue;
    }
    const r = runStep(step, ctx);
    results.push(r);
    console.log(`  ${r.step.padEnd(48)} ${r.seconds.toFixed(1).padStart(7)} s  peak ${r.peakMb.toFixed(0).padStart(6)} MB  ${r.ok ? 'ok' : 'FAILED'}  ${r.note.slice(0, 80)}`);
    if (!r.ok) break;
    if (r.step === 'generate') console.log(`  ${''.padEnd(48)} extracts: ${dirSizeMb(ctx.extracts)} MB`);
    if (r.step === 'load') console.log(`  ${''.padEnd(48)} warehouse: ${(statSync(ctx.warehouse).size / 2 ** 20).toFixed(0)} MB`);
  }
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(join('bench-results', `bench-${ctx.customers}x${ctx.months}.json`), JSON.stringify({ ...ctx, results }, null, 2));
  if (!flags.keep) rmSync(dir, { recursive: true, force: true });
  if (results.some((r) => !r.ok)) process.exitCode = 1;
});
