/**
 * A small but REAL warehouse for building and browser-testing the report site quickly: the
 * sample generator (300 customers × 14 months, seed 7, with two row-level extract faults so the
 * data-quality page has rejected rows) → the nightly pipeline without the site step → a copy of
 * the published warehouse. Every table the site reads (metrics.*, marts.*, ops.*) has exactly the
 * shape the KPI engine and the loader produce, because they produced it. ~1 minute.
 *
 * It then plants {@link FIXTURE_PII_NEEDLES} into `raw.customers` (a schema the site never
 * reads): the PII scan of a site built from this fixture must find none of them (and the sample's
 * own names/ID numbers/phones: use PII_WAREHOUSE=<this file>).
 *
 * @example
 * // npx tsx test/publish/site/fixture-warehouse.ts /tmp/fixture.duckdb
 * await createFixtureWarehouse('/tmp/fixture.duckdb');
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openWarehouse, quoteLiteral } from '../../../transforms/lib/duckdb.js';
import { runProcess } from '../../helpers/run-process.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Generator options of the fixture. */
export const FIXTURE_SAMPLE = { customers: 300, months: 14, seed: 7, faults: ['bad-date', 'negative-amount'] } as const;

/**
 * Customer-level values planted in `raw.customers`. None of them may appear anywhere in a built
 * site (html, js, json, parquet/arrow strings). Chosen to be unlikely to occur by chance.
 */
export const FIXTURE_PII_NEEDLES = [
  '欧阳测试甲',
  '司马测试乙',
  '110101199001011234',
  '320102198512127658',
  '13800138000',
  '13912345678',
] as const;

async function run(label: string, args: string[]): Promise<void> {
  const r = await runProcess(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(`fixture warehouse: ${label} failed (exit ${r.status}):\n${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-20).join('\n')}`);
  }
}

/** Creates (replacing any existing file) the fixture warehouse at `path`. */
export async function createFixtureWarehouse(path: string): Promise<void> {
  const out = resolve(path);
  const work = mkdtempSync(join(tmpdir(), 'cq-site-fixture-'));
  try {
    const extracts = join(work, 'extracts');
    const data = join(work, 'data');
    await run('generate', [
      'transforms/cli/generate.ts',
      '--customers', String(FIXTURE_SAMPLE.customers),
      '--months', String(FIXTURE_SAMPLE.months),
      '--seed', String(FIXTURE_SAMPLE.seed),
      ...FIXTURE_SAMPLE.faults.flatMap((f) => ['--fault', f]),
      '--out', extracts,
      '--quiet',
    ]);
    // The planted faults reject 2 of the last date's 9 loans (22 %): above the default fail limit
    // of the publish gate (5 %). The fixture wants those rejects on the data-quality page, so its
    // configuration accepts up to 25 % for loans (every other entity keeps the default limits).
    const config = join(work, 'cq.config.json');
    writeFileSync(config, JSON.stringify({ rejectLimits: { perEntity: { loans: { fail: 0.25 } } } }));
    await run('nightly', ['transforms/cli/nightly.ts', '--extracts', extracts, '--data', data, '--no-site', '--config', config]);
    for (const p of [out, `${out}.wal`]) if (existsSync(p)) rmSync(p);
    copyFileSync(join(data, 'warehouse.duckdb'), out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const wh = await openWarehouse(out);
  try {
    const [n1, n2, id1, id2, p1, p2] = FIXTURE_PII_NEEDLES;
    const ids = await wh.all<{ customer_id: string }>('SELECT DISTINCT customer_id FROM raw.customers ORDER BY customer_id LIMIT 2');
    for (const [i, { customer_id }] of ids.entries()) {
      await wh.exec(
        `UPDATE raw.customers SET name = ${quoteLiteral(i === 0 ? n1 : n2)}, id_number = ${quoteLiteral(i === 0 ? id1 : id2)},
           phone = ${quoteLiteral(i === 0 ? p1 : p2)} WHERE customer_id = ${quoteLiteral(customer_id)}`,
      );
    }
    await wh.exec('CHECKPOINT');
  } finally {
    await wh.close();
  }
}

// CLI: npx tsx test/publish/site/fixture-warehouse.ts OUT.duckdb
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: tsx test/publish/site/fixture-warehouse.ts OUT.duckdb');
    process.exit(2);
  }
  await createFixtureWarehouse(out);
  console.log(`fixture warehouse written to ${out}`);
}
