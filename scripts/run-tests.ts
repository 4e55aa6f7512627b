/**
 * `npm test`: the whole test suite, as CI runs it.
 *   1. unit + integration tests (vitest, real DuckDB) — `npm run test:unit` runs only these;
 *   2. site tests: builds the sample warehouse and the Evidence site once, then opens every page
 *      in headless Chromium (test/publish/site/), unless `--unit` is given.
 * Ends with the plain line `N passed, N failed` (summed over the stages) and exits non-zero on
 * any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const RESULTS = 'test-results';
rmSync(join(RESULTS, 'summary.txt'), { force: true });
mkdirSync(RESULTS, { recursive: true });

function vitest(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Counts {
  const out = join(RESULTS, `${name}.json`);
  console.log(`\n=== ${name}: vitest ${args.join(' ')}`);
  const r = spawnSync('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  if (!existsSync(out)) {
    console.error(`${name}: vitest wrote no results (exit ${r.status}); counting the stage as one failure`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  const j = JSON.parse(readFileSync(out, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; testResults: { status: string }[] };
  // A suite that fails to load has no tests but a failed file: count it.
  const brokenFiles = j.testResults.filter((t) => t.status === 'failed').length;
  const failed = Math.max(j.numFailedTests, j.numFailedTests === 0 && r.status !== 0 ? Math.max(1, brokenFiles) : 0);
  return { passed: j.numPassedTests, failed, skipped: j.numPendingTests + j.numTodoTests };
}

function run(label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): boolean {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) console.error(`${label} failed (exit ${r.status})`);
  return r.status === 0;
}

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const add = (c: Counts) => {
  total.passed += c.passed;
  total.failed += c.failed;
  total.skipped += c.skipped;
};

// Debian's chromium and poppler-utils: the export tests print PDFs, the site tests drive a browser.
if (!run('browser', 'bash', ['scripts/install-browser.sh'])) add({ passed: 0, failed: 1, skipped: 0 });

add(vitest('unit', []));

const siteConfig = 'test/publish/site/vitest.site.config.ts';
if (!process.argv.includes('--unit') && existsSync(siteConfig)) {
  // One end-to-end night on generated sample data: generate → nightly (load, KPIs, exports,
  // Evidence build, publish). The browser tests then read the published site.
  const sample = join(RESULTS, 'sample');
  rmSync(sample, { recursive: true, force: true });
  const ok =
    run('sample night', process.execPath, ['--import', 'tsx', 'transforms/cli/cq.ts', 'demo', '--out', sample]);
  if (ok) add(vitest('site', ['-c', siteConfig], { SITE_DIR: join(sample, 'data', 'site'), SAMPLE_DIR: sample }));
  else add({ passed: 0, failed: 1, skipped: 0 });
}

const summary = `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`;
writeFileSync(join(RESULTS, 'summary.txt'), `${summary}\n`);
console.log(`\n${summary}`);
process.exit(total.failed > 0 ? 1 : 0);
