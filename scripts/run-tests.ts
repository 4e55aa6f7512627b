/**
 * `npm test`: the whole test suite, as CI runs it.
 *   1. unit + integration tests (vitest, real DuckDB) — `npm run test:unit` runs only these;
 *   2. engine equivalence (test/lib/engines/): the same pipeline on DuckDB and on a PostgreSQL/Citus
 *      server. When PostgreSQL 15 with Citus is installed, a local cluster (coordinator + 2 workers,
 *      scripts/citus-cluster.sh) is started in a temp folder for the stage and stopped after it;
 *      `CQ_CITUS_URL` points the suite at an existing server instead. Without either the stage is
 *      skipped with one line saying how to enable it — a failure instead when `CQ_REQUIRE_CITUS=1`
 *      (CI, which installs Citus first);
 *   3. site tests: builds the sample warehouse and the Evidence site once, then opens every page
 *      in headless Chromium (test/publish/site/), unless `--unit` is given.
 * Ends with the plain line `N passed, N failed` (summed over the stages) and exits non-zero on
 * any failure.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

const RESULTS = 'test-results';
const suiteStarted = Date.now();
rmSync(join(RESULTS, 'summary.txt'), { force: true });
mkdirSync(RESULTS, { recursive: true });

/** Whole seconds since `started` (a Date.now() value): each stage prints its time, to keep CI under budget. */
const seconds = (started: number): string => ((Date.now() - started) / 1000).toFixed(0);

function vitest(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Counts {
  const out = join(RESULTS, `${name}.json`);
  console.log(`\n=== ${name}: vitest ${args.join(' ')}`);
  const started = Date.now();
  const r = spawnSync('npx', ['vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], {
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  console.log(`=== ${name}: ${seconds(started)} s`);
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
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: ${seconds(started)} s`);
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

/** Whether a TCP port on 127.0.0.1 is free. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A coordinator port whose two successors are free too (another run or a developer's cluster may hold 55432). */
async function clusterPort(): Promise<number> {
  for (let base = 55432 + (process.pid % 500) * 3, tries = 0; tries < 200; base += 3, tries++) {
    if ((await portFree(base)) && (await portFree(base + 1)) && (await portFree(base + 2))) return base;
  }
  throw new Error('no three free ports for the local Citus cluster');
}

// Engine equivalence on PostgreSQL/Citus.
const CITUS_INSTALLED = existsSync('/usr/lib/postgresql/15/lib/citus.so') && existsSync('/usr/lib/postgresql/15/bin/initdb');
const enginesConfig = 'test/lib/engines/vitest.engines.config.ts';
if (process.env.CQ_CITUS_URL) {
  add(vitest('engines', ['-c', enginesConfig]));
} else if (CITUS_INSTALLED) {
  const dir = mkdtempSync(join(tmpdir(), 'cq-citus-'));
  console.log(`\n=== engines: local Citus cluster in ${dir}`);
  const port = String(await clusterPort());
  const started = spawnSync('bash', ['scripts/citus-cluster.sh', 'start', dir, port], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = started.stdout.trim().split('\n').pop() ?? '';
  try {
    if (started.status === 0 && url.startsWith('postgres://')) add(vitest('engines', ['-c', enginesConfig], { CQ_CITUS_URL: url }));
    else {
      console.error(`engines: the local Citus cluster did not start (exit ${started.status}); logs in ${dir}`);
      add({ passed: 0, failed: 1, skipped: 0 });
    }
  } finally {
    spawnSync('bash', ['scripts/citus-cluster.sh', 'stop', dir, port], { stdio: 'inherit' });
    if (started.status === 0) rmSync(dir, { recursive: true, force: true });
  }
} else {
  console.log(
    '\n=== engines: skipped — PostgreSQL 15 with Citus 13 is not installed (to enable: install it as docs/operations.md "A Citus warehouse" describes, or set CQ_CITUS_URL to a cluster)',
  );
  if (process.env.CQ_REQUIRE_CITUS === '1') add({ passed: 0, failed: 1, skipped: 0 });
}

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

console.log(`\n=== all stages: ${seconds(suiteStarted)} s`);
const summary = `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`;
writeFileSync(join(RESULTS, 'summary.txt'), `${summary}\n`);
console.log(`\n${summary}`);
process.exit(total.failed > 0 ? 1 : 0);
