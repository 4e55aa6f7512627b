import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openWarehouse } from '../lib/duckdb.js';
import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { buildWarehouse, type BuildStep } from '../kpi/build-warehouse.js';
import { loadConfig } from '../config/config.js';

export { buildWarehouse } from '../kpi/build-warehouse.js';
export type { BuildStep, BuildWarehouseOptions, BuildWarehouseResult } from '../kpi/build-warehouse.js';

const USAGE =
  'npm run transform -- [--warehouse data/warehouse.duckdb] [--policy DIR] [--config cq.config.json] [--since YYYY-MM-DD] [--threads N] [--memory-limit 3GB] [--skip-tests] [--debug]';

function fmtStep(s: BuildStep): string {
  const rows = s.rows >= 0 ? `${s.rows.toLocaleString('en')} rows` : '';
  return `  ${s.step.padEnd(52)} ${s.seconds.toFixed(2).padStart(7)} s  ${s.cpuSeconds.toFixed(1).padStart(6)} cpu-s  ${rows}`;
}

/**
 * `npm run transform`: build all models and KPIs of a loaded warehouse, printing each step with its
 * time. `--since` (a month end) rebuilds month-incremental models only from that month (docs/operations.md).
 * The lender policy (grade rules, classification floor) comes from `--policy DIR`, else `policyDir`
 * of the config file (as the nightly does), else the shipped `policy/`; the files used are printed
 * with their SHA-256 and recorded in ops.policy_files.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runCli(async (argv) => {
    const { flags } = parseFlags(argv, { warehouse: 'string', policy: 'string', config: 'string', since: 'string', threads: 'string', 'memory-limit': 'string', 'skip-tests': 'boolean' }, USAGE);
    if (flags.since && !/^\d{4}-\d{2}-\d{2}$/.test(flags.since)) throw new CqError('CLI_USAGE', `--since must be a month end YYYY-MM-DD, got ${flags.since}. Usage: ${USAGE}`);
    const path = flags.warehouse ?? 'data/warehouse.duckdb';
    // The same policy the nightly would use: --policy, else policyDir of the config file.
    const policyDir = flags.policy ?? loadConfig({}, flags.config ?? 'cq.config.json').policyDir;
    const wh = await openWarehouse(path, {
      ...(flags.threads ? { threads: Number(flags.threads) } : {}),
      ...(flags['memory-limit'] ? { memoryLimit: flags['memory-limit'] } : {}),
    });
    try {
      console.log(`building ${path}`);
      const result = await buildWarehouse(wh, {
        runTests: !flags['skip-tests'],
        ...(flags.since ? { since: flags.since } : {}),
        ...(policyDir ? { policyDir } : {}),
        onStep: (s) => console.log(fmtStep(s)),
      });
      const warned = result.tests.filter((t) => t.status === 'warn');
      for (const w of warned) console.log(`  warning: ${w.model}: ${w.test} — ${w.failures} row(s)`);
      const cpu = result.steps.reduce((a, s) => a + s.cpuSeconds, 0);
      for (const f of result.policy.files) console.log(`  policy ${f.file} sha256 ${f.sha256}`);
      console.log(`done: ${result.steps.length} steps, ${result.tests.length} data tests (${warned.length} warnings) in ${result.seconds.toFixed(1)} s (${cpu.toFixed(0)} cpu-s)`);
    } finally {
      await wh.close();
    }
  });
}
