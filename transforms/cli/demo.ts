/**
 * Builds the sample data set end to end, exactly as a lender's night would run:
 * generate sample extracts → `nightly` (load, models, KPIs, data tests, exports, site, publish).
 *
 *   npx tsx transforms/cli/demo.ts --out DIR [--customers 3000] [--months 24] [--seed 42] [--no-site]
 *
 * Writes DIR/extracts/<date>/… and DIR/data/{warehouse.duckdb, site, …} (see docs/operations.md).
 * Re-running with the same options reuses existing extracts (the generator is deterministic).
 * `npm run demo` runs this with --out . (so data/ holds everything).
 *
 * The regulator PDF needs Chromium: when it is missing, Chromium is installed the way the tests do
 * it (scripts/install-browser.sh, as root or with password-less sudo). The night runs with
 * `--pdf-optional`, so on a machine where that is not possible the site and the XLSX/CSV package
 * are still published, and the demo ends with a warning that the PDF was skipped and the one
 * command that adds it (from the run's status.json). A production night (`npm run nightly`) keeps
 * failing without its PDF.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from '../lib/chromium.js';
import { parseFlags, runCli } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';

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
  console.log('\n== browser for the regulator PDF');
  const browser = ensureChromium();
  if (browser.available) console.log(`${browser.path}: Chromium ${browser.installed ? 'installed' : 'present'}`);
  else console.warn(`warning: ${browser.warning}`);
  step('nightly', ['transforms/cli/nightly.ts', '--extracts', extracts, '--data', data, '--pdf-optional', ...(flags['no-site'] ? ['--no-site'] : [])]);
  console.log(`\nDone. Warehouse: ${join(data, 'warehouse.duckdb')}  Site: ${join(data, 'site')}`);
  console.log(`View the site:  npx tsx transforms/publish/site/serve-site.ts ${join(data, 'site')}`);
  console.log(`Query it:       npm run sql -- --warehouse ${join(data, 'warehouse.duckdb')} "select * from metrics.kpi_values limit 10"`);
  for (const s of pdfSkipped(data)) {
    console.warn(`\nWARNING: the regulator PDF of ${s.month} was skipped: ${s.reason}`);
    console.warn(`         ${flags['no-site'] ? 'The XLSX/CSV export package was' : 'The site and the XLSX/CSV export package were'} published. Add the PDF with:\n\n  ${s.fix}\n`);
  }
});

/** The packages of the published run whose PDF was skipped (status.json `pdf_skipped`). */
function pdfSkipped(data: string): { month: string; reason: string; fix: string }[] {
  try {
    const status = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as { pdf_skipped?: { month: string; reason: string; fix: string }[] };
    return status.pdf_skipped ?? [];
  } catch {
    return [];
  }
}
