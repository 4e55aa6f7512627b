import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, type DuckDbWarehouse } from '../../../transforms/lib/duckdb.js';
import { openPostgresWarehouse, type PostgresWarehouse } from '../../../transforms/lib/postgres.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { copyDatesToPostgres } from '../../../transforms/ingest/load/postgres-sink.js';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { exportPackage } from '../../../transforms/publish/exports/export-package.js';
import { toPostgres } from '../../../transforms/lib/postgres-translate.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { generateSample } from '../../../transforms/sample/generate-sample.js';
import { buildSite } from '../../../transforms/publish/site/build-site.js';
import { recordTransformRun } from '../../../transforms/operations/record-transform-run.js';
import { citusUrl, resetPostgresWarehouse, SKIP_REASON } from '../../helpers/postgres-warehouse.js';

/**
 * The same warehouse on both engines: a generated sample (300 customers × 14 months) with faulty
 * rows planted in its last business date, loaded into DuckDB — which is also the Citus engine's
 * checking front end — and copied date by date to PostgreSQL/Citus by the product's own Citus load
 * (copyDatesToPostgres); then every staging → core → marts model and every KPI (metrics.kpi_*,
 * kpi_values, the catalogue, contributions, commentary) built on each, with the data tests. Every
 * raw, ops (rejects, audit) and model table must hold the same rows (same JS values, as sorted rows),
 * and the regulator packages of two months must be the same bytes.
 */
const url = citusUrl();
let root: string;
let duck: DuckDbWarehouse;
let pg: PostgresWarehouse;
let lastDate: string;

/**
 * Faulty rows in the last business date (each is rejected, with its reason, by the contract checks):
 *   loan_balances.csv + the first balance again                  → duplicate key (the repeat)
 *   loan_balances.csv + a balance of loan L9999999999            → unknown loan (reference)
 *   loan_balances.csv + outstanding_principal "12x.00"           → not a number
 *   repayments.csv    + a line of 3 fields                       → malformed line
 * 4 rejected rows of a few hundred: under the 5 % limit, so the month still exports.
 */
function plantFaults(extracts: string): string {
  const date = readdirSync(extracts).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d)).sort().at(-1)!;
  const dir = join(extracts, date);
  const lines = (f: string) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n');
  const [header, balance] = lines('loan_balances.csv') as [string, string];
  appendFileSync(join(dir, 'loan_balances.csv'), `${balance}\n`);
  const at = (name: string) => header.split(',').indexOf(name);
  const withField = (line: string, i: number, v: string) => line.split(',').map((x, k) => (k === i ? v : x)).join(',');
  appendFileSync(join(dir, 'loan_balances.csv'), `${withField(balance, at('loan_id'), 'L9999999999')}\n${withField(withField(balance, at('loan_id'), 'L9999999998'), at('outstanding_principal'), '12x.00')}\n`);
  appendFileSync(join(dir, 'repayments.csv'), 'R-bad,L0000000001,1\n');
  return date;
}

/**
 * A row as canonical text, bigint and Date spelled out. Doubles are written to 12 significant
 * digits: a sum of doubles depends on the order the engine adds them in (both add in parallel), so
 * a PSI can differ in its 16th digit between engines and between runs of one engine; every other
 * value must be identical.
 */
function canonical(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v: unknown) =>
    typeof v === 'bigint' ? `${v}n` : typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(12)) : v,
  );
}

async function rowsOf(wh: WarehouseHandle, table: string): Promise<string[]> {
  return (await wh.all<Record<string, unknown>>(`SELECT * FROM ${table}`)).map(canonical).sort();
}

describe.skipIf(!url)(`the warehouse (models and KPIs) on DuckDB and PostgreSQL/Citus${url ? '' : ` (${SKIP_REASON})`}`, () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cq-engines-'));
    await generateSample({ customers: 300, months: 14, seed: 11, out: join(root, 'extracts') });
    lastDate = plantFaults(join(root, 'extracts'));
    // A file: Evidence's DuckDB source reads a copy of it in the site test.
    duck = await openWarehouse(join(root, 'warehouse.duckdb'));
    const loads = await loadExtracts(duck, join(root, 'extracts'));
    pg = await openPostgresWarehouse(url!);
    await resetPostgresWarehouse(pg);
    // The Citus engine's load: DuckDB checked the dates; each is copied in one PostgreSQL transaction.
    await copyDatesToPostgres(duck, pg, loads.map((l) => l.businessDate));
    await buildWarehouse(duck);
    await buildWarehouse(pg);
  }, 900_000);

  afterAll(async () => {
    await duck?.close();
    await pg?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('loads the same raw rows, rejects and audit (a faulty extract)', async () => {
    const tables = (
      await duck.all<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema = 'raw' OR table_name IN ('load_audit', 'rejected_rows') ORDER BY 1`)
    ).map((r) => r.t);
    expect(tables).toContain('ops.rejected_rows');
    // On the Citus cluster the raw tables are distributed as CITUS_PLACEMENT says (h = hash by the column, n = reference).
    const placed = await pg.all<{ t: string; method: string; col: string | null }>(
      `SELECT logicalrelid::regclass::text AS t, partmethod AS method, CASE WHEN partmethod = 'h' THEN column_to_column_name(logicalrelid, partkey) END AS col FROM pg_dist_partition WHERE logicalrelid::regclass::text LIKE 'raw.%' ORDER BY 1`,
    );
    expect(placed.map((p) => `${p.t}:${p.method}:${p.col ?? ''}`)).toEqual(
      expect.arrayContaining(['raw.loans:h:loan_id', 'raw.loan_balances:h:loan_id', 'raw.repayments:h:loan_id', 'raw.customers:h:customer_id', 'raw.branches:n:']),
    );
    const [colocated] = await pg.all<{ n: bigint }>(
      `SELECT count(DISTINCT colocationid) AS n FROM pg_dist_partition WHERE logicalrelid::regclass::text IN ('raw.loans', 'raw.loan_balances', 'raw.repayment_schedule', 'raw.repayments')`,
    );
    expect(Number(colocated!.n), 'the loan-grain raw tables share one co-location group').toBe(1);
    for (const t of tables) expect(await rowsOf(pg, t), t).toEqual(await rowsOf(duck, t));
    // The planted faults are there, each with its reason (so the comparison above compared something).
    const reasons = await pg.all<{ entity: string; reason_code: string; n: bigint }>(
      `SELECT entity, reason_code, count(*) AS n FROM ops.rejected_rows WHERE business_date = DATE '${lastDate}' GROUP BY entity, reason_code ORDER BY entity, reason_code`,
    );
    expect(reasons.map((r) => `${r.entity}:${r.reason_code}:${r.n}`)).toEqual(expect.arrayContaining(['repayments:malformed_line:1']));
    expect(reasons.filter((r) => r.entity === 'loan_balances').reduce((a, r) => a + Number(r.n), 0)).toBe(3);
    const [audit] = await pg.all<{ read: bigint; loaded: bigint; rejected: bigint }>(
      `SELECT CAST(sum(rows_read) AS BIGINT) AS read, CAST(sum(rows_loaded) AS BIGINT) AS loaded, CAST(sum(rows_rejected) AS BIGINT) AS rejected FROM ops.load_audit WHERE business_date = DATE '${lastDate}'`,
    );
    expect(audit!.read).toBe(audit!.loaded + audit!.rejected);
    expect(audit!.rejected).toBe(4n);
  });

  it('writes byte-identical regulator packages', async () => {
    const months = [lastDate.slice(0, 7), `${Number(lastDate.slice(0, 4)) - 1}-12`];
    const fixed = { pdf: false, runId: 'R-engines', generatedAt: '2026-01-01T00:00:00Z', submittedOn: '2026-01-05' } as const;
    for (const month of months) {
      const a = await exportPackage(duck, { month, outDir: join(root, 'exports-duckdb'), ...fixed });
      const b = await exportPackage(pg, { month, outDir: join(root, 'exports-citus'), ...fixed });
      const files = readdirSync(a.dir).sort();
      expect(files.length, month).toBeGreaterThan(5);
      expect(readdirSync(b.dir).sort(), month).toEqual(files);
      for (const f of files) expect(readFileSync(join(b.dir, f)).equals(readFileSync(join(a.dir, f))), `${month}/${f}`).toBe(true);
    }
  });

  it("runs the site's source queries (sources/warehouse/*.sql) unchanged on both engines, with the same rows", async () => {
    const dir = 'sources/warehouse';
    const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
    const compared: string[] = [];
    const absent: string[] = [];
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      // Evidence's PostgreSQL connector sends the text as it is: nothing may need the translator.
      expect(toPostgres(text).sql, `${f} needs a DuckDB-only spelling`).toBe(text);
      // Evidence writes every number to the site's parquet as a double: a count that is a BIGINT on one
      // engine and a NUMERIC on the other (sum of BIGINTs) is the same figure on the page.
      // dq_tests ships when each data test ran (tested_at): the two builds ran at different times.
      const asShipped = (row: Record<string, unknown>) =>
        canonical(Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'tested_at').map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
      let duckRows: string[];
      try {
        duckRows = (await duck.all<Record<string, unknown>>(text)).map(asShipped).sort();
      } catch (e) {
        // ops.runs, ops.run_steps and ops.month_closes exist only after a nightly (this warehouse had none).
        expect(String((e as Error).message), f).toMatch(/Table with name (runs|run_steps|month_closes) does not exist/);
        absent.push(f);
        continue;
      }
      const pgRows = (await pg.all<Record<string, unknown>>(text)).map(asShipped).sort();
      expect(pgRows.length, f).toBe(duckRows.length);
      expect(pgRows, f).toEqual(duckRows);
      compared.push(f);
    }
    expect(compared.length, `compared ${compared.join(', ')}; absent tables: ${absent.join(', ')}`).toBeGreaterThanOrEqual(files.length - 3);
  });

  it('builds the same tables, with the same rows', async () => {
    // The large core facts are distributed too, co-located with their raw anchors.
    const [core] = await pg.all<{ n: bigint; tables: bigint }>(
      `SELECT count(DISTINCT colocationid) AS n, count(*) AS tables FROM pg_dist_partition WHERE logicalrelid::regclass::text IN ('raw.loans', 'core.dim_loans', 'core.fct_loan_month_ends', 'core.fct_loan_month_signals')`,
    );
    expect([Number(core!.tables), Number(core!.n)], 'core loan facts distributed, co-located with raw.loans').toEqual([4, 1]);
    const tables = async (wh: WarehouseHandle) =>
      (
        await wh.all<{ t: string }>(
          `SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema IN ('staging', 'core', 'marts', 'metrics') ORDER BY 1`,
        )
      ).map((r) => r.t);
    const names = await tables(duck);
    expect(await tables(pg)).toEqual(names);
    const differing: string[] = [];
    for (const t of names) {
      const [a, b] = [await rowsOf(duck, t), await rowsOf(pg, t)];
      if (a.length !== b.length || a.some((r, i) => r !== b[i])) {
        const i = a.findIndex((r, k) => r !== b[k]);
        differing.push(`${t}: ${a.length} vs ${b.length} rows; first difference:\n  duckdb   ${a[i] ?? '(none)'}\n  postgres ${b[i] ?? '(none)'}`);
      }
    }
    expect(differing.join('\n')).toBe('');
  });
  it("ships the same site data from Evidence's Postgres source as from its DuckDB source", async () => {
    // The run both warehouses record (cq transform does on Citus; same process, so the same run id).
    const run = { startedAt: new Date('2026-01-05T01:00:00Z'), finishedAt: new Date('2026-01-05T01:30:00Z'), mode: 'full', steps: [{ step: 'build', seconds: 60, cpuSeconds: 50, rows: 7 }] } as const;
    expect(await recordTransformRun(pg, run)).toBe(await recordTransformRun(duck, run));
    await duck.exec('CHECKPOINT');
    copyFileSync(join(root, 'warehouse.duckdb'), join(root, 'site.duckdb'));
    const quiet = { sourcesOnly: true, log: () => {} } as const;
    await buildSite({ warehouse: join(root, 'site.duckdb'), out: join(root, 'site-duckdb'), ...quiet });
    await buildSite({ warehouse: { citusUrl: url! }, out: join(root, 'site-citus'), ...quiet });
    const parquet = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet')).sort();
    const files = parquet(join(root, 'site-duckdb'));
    expect(files.length, 'one Parquet file per source query').toBe(readdirSync('sources/warehouse').filter((f) => f.endsWith('.sql')).length);
    expect(parquet(join(root, 'site-citus'))).toEqual(files);
    const reader = await openWarehouse(':memory:');
    try {
      // Columns and types as the browser sees them, then the rows (dq_tests: without tested_at, the time each build ran its tests).
      const shipped = async (file: string) => ({
        columns: (await reader.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).map((c) => `${c.column_name} ${c.column_type}`),
        rows: (await reader.all<Record<string, unknown>>(`SELECT * EXCLUDE (${file.includes('dq_tests') ? 'tested_at' : 'nothing_excluded'}) FROM (SELECT *, 0 AS nothing_excluded FROM read_parquet('${file}'))`)).map(canonical).sort(),
      });
      for (const f of files) {
        const [a, b] = [await shipped(join(root, 'site-duckdb', f)), await shipped(join(root, 'site-citus', f))];
        expect(b.columns, f).toEqual(a.columns);
        expect(b.rows.length, f).toBe(a.rows.length);
        expect(b.rows, f).toEqual(a.rows);
      }
    } finally {
      await reader.close();
    }
  });
});
