import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresWarehouse } from '../../../transforms/lib/postgres.js';
import { generateSample } from '../../../transforms/sample/generate-sample.js';
import { citusUrl, resetPostgresWarehouse, SKIP_REASON } from '../../helpers/postgres-warehouse.js';
import { runProcess } from '../../helpers/run-process.js';

/**
 * The engine is chosen in the one config: with `"engine": "citus"` the same commands a DuckDB
 * lender runs — `cq load`, `cq transform`, `cq export` — work on the cluster (the load checks in the
 * DuckDB front end `<dataDir>/landing.duckdb` and copies each date in one transaction); commands
 * not on Citus yet refuse with ENGINE_UNSUPPORTED. The same extracts through the DuckDB engine
 * give the same package bytes.
 */
const url = citusUrl();
const CQ = ['--import', 'tsx', 'transforms/cli/cq.ts'];
let root: string;

const cq = (config: string, ...args: string[]) => runProcess(process.execPath, [...CQ, ...args, '--config', config]);

describe.skipIf(!url)(`cq on a Citus warehouse (engine "citus" in cq.config.json)${url ? '' : ` (${SKIP_REASON})`}`, () => {
  let citusConfig: string;
  let duckConfig: string;
  let month: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cq-cli-citus-'));
    await generateSample({ customers: 120, months: 3, seed: 5, out: join(root, 'extracts') });
    month = readdirSync(join(root, 'extracts')).sort().at(-1)!.slice(0, 7);
    const pg = await openPostgresWarehouse(url!);
    await resetPostgresWarehouse(pg);
    await pg.close();
    citusConfig = join(root, 'citus.json');
    duckConfig = join(root, 'duckdb.json');
    const common = { extractsDir: join(root, 'extracts'), exportPdf: 'optional' };
    writeFileSync(citusConfig, JSON.stringify({ ...common, dataDir: join(root, 'citus-data'), engine: 'citus', citusUrl: url }));
    writeFileSync(duckConfig, JSON.stringify({ ...common, dataDir: join(root, 'duck-data') }));
  }, 600_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('loads, builds and exports on the cluster; the package is the DuckDB engine\'s, byte for byte', async () => {
    const load = await cq(citusConfig, 'load');
    expect(load.status, load.stderr).toBe(0);
    // Three business dates, each copied in its own transaction; the landing file is the front end.
    expect(load.stdout.match(/copied to postgres:\/\/.* in one transaction/g)?.length).toBe(3);
    expect(existsSync(join(root, 'citus-data', 'landing.duckdb'))).toBe(true);
    expect(existsSync(join(root, 'citus-data', 'warehouse.duckdb'))).toBe(false);
    const build = await cq(citusConfig, 'transform');
    expect(build.status, build.stderr).toBe(0);
    expect(build.stdout).toContain('(PostgreSQL/Citus)');
    const fixed = ['--month', month, '--no-pdf', '--run-id', 'R1', '--generated-at', '2026-01-01T00:00:00Z', '--submitted-on', '2026-01-05', '--quiet'];
    const a = await cq(citusConfig, 'export', ...fixed, '--out', join(root, 'exp-citus'));
    expect(a.status, a.stderr).toBe(0);

    for (const step of [['load'], ['transform']]) {
      const r = await cq(duckConfig, ...step);
      expect(r.status, r.stderr).toBe(0);
    }
    const b = await cq(duckConfig, 'export', ...fixed, '--out', join(root, 'exp-duck'));
    expect(b.status, b.stderr).toBe(0);
    const files = readdirSync(join(root, 'exp-duck', month)).sort();
    expect(files.length).toBeGreaterThan(5);
    expect(readdirSync(join(root, 'exp-citus', month)).sort()).toEqual(files);
    for (const f of files.filter((x) => x !== 'manifest.json')) expect(readFileSync(join(root, 'exp-citus', month, f)).equals(readFileSync(join(root, 'exp-duck', month, f))), f).toBe(true);
    // The manifests differ only in the ids of the two loads (each names the minute it ran).
    const manifest = (dir: string) => readFileSync(join(root, dir, month, 'manifest.json'), 'utf8').replace(/"load_id": "L\d{8}-\d{8}T\d{6}"/g, '"load_id": "L"');
    expect(manifest('exp-citus')).toBe(manifest('exp-duck'));
  });

  it('refuses the commands that do not run on Citus yet, and a password in the config', async () => {
    const nightly = await cq(citusConfig, 'nightly');
    expect(nightly.status).toBe(1);
    expect(nightly.stderr).toContain('ENGINE_UNSUPPORTED');
    expect(nightly.stderr).toContain('cq nightly does not run on the Citus engine yet');
    const secret = join(root, 'secret.json');
    writeFileSync(secret, JSON.stringify({ engine: 'citus', citusUrl: 'postgres://cq:hunter2@db01:5432/cq' }));
    const r = await cq(secret, 'transform');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('citusUrl holds a password');
    expect(r.stderr).not.toContain('hunter2');
  });
});
