/**
 * Builds the sample data set end to end, exactly as a lender's night would run:
 * generate sample extracts → `nightly` (load, models, KPIs, data tests, exports, site, publish).
 *
 *   npx tsx scripts/build-sample.ts --out DIR [--customers 3000] [--months 24] [--seed 42] [--no-site]
 *
 * Writes DIR/extracts/<date>/… and DIR/data/{warehouse.duckdb, site, …} (see docs/operations.md).
 * Re-running with the same options reuses existing extracts (the generator is deterministic).
 * `npm run demo` runs this with --out . (so data/ holds everything).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags, runCli } from '../transforms/lib/cli.js';
import { CqError } from '../transforms/lib/errors.js';

function step(label: string, args: string[]): void {
  console.log(`\n== ${label}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
  if (r.status !== 0) throw new CqError('RUN_FAILED', `${label} failed (exit ${r.status}); see the output above.`);
}

runCli(async (argv) => {
  const { flags } = parseFlags(argv, { out: 'string', customers: 'string', months: 'string', seed: 'string', 'no-site': 'boolean' });
  const out = flags.out ?? '.';
  const extracts = join(out, out === '.' ? 'data/extracts' : 'extracts');
  const data = join(out, out === '.' ? 'data' : 'data');
  const customers = flags.customers ?? '3000';
  const months = flags.months ?? '24';
  const seed = flags.seed ?? '42';
  if (!existsSync(extracts)) {
    step(`generate ${customers} customers × ${months} months (seed ${seed})`, [
      'transforms/cli/generate.ts', '--customers', customers, '--months', months, '--seed', seed, '--out', extracts,
    ]);
  } else console.log(`\n== using existing extracts in ${extracts}`);
  step('nightly', ['transforms/cli/nightly.ts', '--extracts', extracts, '--data', data, ...(flags['no-site'] ? ['--no-site'] : [])]);
  console.log(`\nDone. Warehouse: ${join(data, 'warehouse.duckdb')}  Site: ${join(data, 'site')}`);
  console.log(`View the site:  npx tsx scripts/serve-site.ts ${join(data, 'site')}`);
  console.log(`Query it:       npm run sql -- --warehouse ${join(data, 'warehouse.duckdb')} "select * from metrics.kpi_values limit 10"`);
});
