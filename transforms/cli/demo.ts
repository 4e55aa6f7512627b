import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from '../lib/chromium.js';
import { cqProcessArgs } from '../lib/cli.js';
import { CqError } from '../lib/errors.js';
import { defineCommand, runAsMain } from './command.js';

/** Runs `cq <subcommand> …` in a child process (the nightly's Evidence build needs the memory of a process of its own). */
function step(label: string, subcommand: string, args: string[]): void {
  console.log(`\n== ${label}`);
  const r = spawnSync(process.execPath, cqProcessArgs(subcommand, args), { stdio: 'inherit' });
  if (r.status !== 0) throw new CqError('RUN_FAILED', `${label} failed (exit ${r.status}); see the output above.`);
}

/**
 * `cq demo`: builds the sample data set end to end, exactly as a lender's night would run:
 * generate sample extracts → `cq nightly` (load, models, KPIs, data tests, exports, site, publish).
 *
 * Writes DIR/extracts/<date>/… and DIR/data/{warehouse.duckdb, site, …} (see docs/operations.md);
 * with `--out .` (what `npm run demo` passes) the extracts go to data/extracts/. Re-running with the
 * same options reuses existing extracts (the generator is deterministic).
 *
 * The regulator PDF needs Chromium: when it is missing, Chromium is installed the way the tests do
 * it (scripts/install-browser.sh, as root or with password-less sudo). The night runs with
 * `--pdf-optional`, so on a machine where that is not possible the site and the XLSX/CSV package
 * are still published, and the demo ends with a warning that the PDF was skipped and the one
 * command that adds it (from the run's status.json). A production night (`cq nightly`) keeps
 * failing without its PDF.
 */
export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'generate sample extracts and run a whole night on them (warehouse, KPIs, exports, site)',
  flags: {
    out: { kind: 'string', value: 'DIR', help: 'where DIR/extracts and DIR/data go (default .: data/extracts and data/)' },
    customers: { kind: 'string', value: 'N', help: 'sample customers (default 3000)' },
    months: { kind: 'string', value: 'M', help: 'sample months (default 24)' },
    seed: { kind: 'string', value: 'S', help: 'sample seed (default 42)' },
    'no-site': { kind: 'boolean', help: 'do not build the Evidence site' },
  },
  notes: 'The night is run as `cq nightly --extracts DIR/extracts --data DIR/data --pdf-optional` with the same --config.',
  examples: ['cq demo --out .', 'cq demo --out sample-small --customers 150 --months 2 --no-site'],
  async run({ flags, context }) {
    const out = flags.out ?? '.';
    const extracts = join(out, out === '.' ? 'data/extracts' : 'extracts');
    const data = join(out, 'data');
    const customers = flags.customers ?? '3000';
    const months = flags.months ?? '24';
    const seed = flags.seed ?? '42';
    if (!existsSync(extracts)) {
      step(`generate ${customers} customers × ${months} months (seed ${seed})`, 'generate', ['--customers', customers, '--months', months, '--seed', seed, '--out', extracts]);
    } else console.log(`\n== using existing extracts in ${extracts}`);
    console.log('\n== browser for the regulator PDF');
    const browser = ensureChromium();
    if (browser.available) console.log(`${browser.path}: Chromium ${browser.installed ? 'installed' : 'present'}`);
    else console.warn(`warning: ${browser.warning}`);
    step('nightly', 'nightly', [
      '--extracts', extracts, '--data', data, '--pdf-optional',
      ...(flags['no-site'] ? ['--no-site'] : []),
      ...(context.configGiven ? ['--config', context.configFile] : []),
    ]);
    const warehouse = join(data, 'warehouse.duckdb');
    console.log(`\nDone. Warehouse: ${warehouse}  Site: ${join(data, 'site')}`);
    console.log(`View the site:  npm run site:serve -- ${join(data, 'site')}`);
    console.log(`Query it:       npm run sql -- --warehouse ${warehouse} "select * from metrics.kpi_values limit 10"`);
    for (const s of pdfSkipped(data)) {
      console.warn(`\nWARNING: the regulator PDF of ${s.month} was skipped: ${s.reason}`);
      console.warn(`         ${flags['no-site'] ? 'The XLSX/CSV export package was' : 'The site and the XLSX/CSV export package were'} published. Add the PDF with:\n\n  ${s.fix}\n`);
    }
  },
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

runAsMain(import.meta.url, demoCommand);
