import { buildWarehouse, type BuildStep } from '../kpi/build-warehouse.js';
import { openEngineWarehouse } from '../config/engine-warehouse.js';
import { recordTransformRun } from '../operations/record-transform-run.js';
import { defineCommand, runAsMain, usageError } from './command.js';

export { buildWarehouse } from '../kpi/build-warehouse.js';
export type { BuildStep, BuildWarehouseOptions, BuildWarehouseResult } from '../kpi/build-warehouse.js';

function fmtStep(s: BuildStep): string {
  const rows = s.rows >= 0 ? `${s.rows.toLocaleString('en')} rows` : '';
  return `  ${s.step.padEnd(52)} ${s.seconds.toFixed(2).padStart(7)} s  ${s.cpuSeconds.toFixed(1).padStart(6)} cpu-s  ${rows}`;
}

/**
 * `cq transform`: build all models and KPIs of a loaded warehouse, printing each step with its
 * time. `--since` (a month end) rebuilds month-incremental models only from that month (docs/operations.md).
 * The lender policy (grade rules, classification floor) comes from `--policy DIR`, else `policyDir`
 * of the config (as the nightly does), else the shipped `policy/`; the files used are printed
 * with their SHA-256 and recorded in ops.policy_files.
 */
export const transformCommand = defineCommand({
  name: 'transform',
  summary: 'build staging → core → marts → metrics of a loaded warehouse and run the data tests',
  flags: {
    warehouse: { kind: 'string', value: 'FILE', help: 'DuckDB warehouse to build (default: <dataDir of the config>/warehouse.duckdb, or the Citus server of engine "citus")' },
    policy: { kind: 'string', value: 'DIR', help: 'lender policy folder (default: policyDir of the config, else the shipped policy/)' },
    since: { kind: 'string', value: 'YYYY-MM-DD', help: 'rebuild month-incremental models only from this month end' },
    threads: { kind: 'string', value: 'N', help: 'DuckDB threads (default: threads of the config, else all cores)' },
    'memory-limit': { kind: 'string', value: 'SIZE', help: 'DuckDB memory limit; beyond it DuckDB spills to disk (default: memoryLimit of the config, 1.5GB)' },
    'skip-tests': { kind: 'boolean', help: 'do not run the data tests' },
  },
  examples: ['cq transform', 'cq transform --warehouse other.duckdb --policy policy-bank'],
  async run({ flags, context }) {
    if (flags.since && !/^\d{4}-\d{2}-\d{2}$/.test(flags.since)) throw usageError(transformCommand, `--since must be a month end YYYY-MM-DD, got ${flags.since}.`);
    const config = context.config();
    // The same policy the nightly would use: --policy, else policyDir of the config file.
    const policyDir = flags.policy ?? config.policyDir;
    const wh = await openEngineWarehouse(config, {
      warehouse: flags.warehouse,
      memoryLimit: flags['memory-limit'],
      threads: flags.threads ? Number(flags.threads) : undefined,
    });
    // On Citus (no nightly there yet) the run is recorded in the warehouse's own ledger.
    const startedAt = new Date();
    const steps: BuildStep[] = [];
    const ledger = async (failed?: { step: string; error: string }) => {
      if (wh.engine !== 'postgres') return;
      const runId = await recordTransformRun(wh, { startedAt, finishedAt: new Date(), mode: flags.since ? 'incremental' : 'full', since: flags.since, steps, failed });
      console.log(`run ${runId} recorded in ops.runs`);
    };
    try {
      console.log(`building ${wh.path}${wh.engine === 'postgres' ? ' (PostgreSQL/Citus)' : ''}`);
      let result;
      try {
        result = await buildWarehouse(wh, {
          runTests: !flags['skip-tests'],
          ...(flags.since ? { since: flags.since } : {}),
          ...(policyDir ? { policyDir } : {}),
          onStep: (s) => {
            steps.push(s);
            console.log(fmtStep(s));
          },
        });
      } catch (e) {
        await ledger({ step: 'cq transform', error: (e as Error).message }).catch(() => {});
        throw e;
      }
      await ledger();
      const warned = result.tests.filter((t) => t.status === 'warn');
      for (const w of warned) console.log(`  warning: ${w.model}: ${w.test} — ${w.failures} row(s)`);
      const cpu = result.steps.reduce((a, s) => a + s.cpuSeconds, 0);
      for (const f of result.policy.files) console.log(`  policy ${f.file} sha256 ${f.sha256}`);
      console.log(`done: ${result.steps.length} steps, ${result.tests.length} data tests (${warned.length} warnings) in ${result.seconds.toFixed(1)} s (${cpu.toFixed(0)} cpu-s)`);
    } finally {
      await wh.close();
    }
  },
});

runAsMain(import.meta.url, transformCommand);
