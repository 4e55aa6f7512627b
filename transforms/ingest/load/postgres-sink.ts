import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityContract } from '../contract/index.js';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import { CqError } from '../../lib/errors.js';
import { OPS_TABLE_NAMES, opsTableDdl, type OpsTableName } from '../../lib/ops-tables.js';
import type { PostgresWarehouse } from '../../lib/postgres.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { ensureRawSchema } from './raw-schema.js';

/** What one business date put into the PostgreSQL/Citus warehouse: rows per table. */
export interface CopiedDate {
  businessDate: string;
  tables: { table: string; rows: number }[];
  seconds: number;
}

/**
 * The character PostgreSQL text cannot hold (NUL) is written as U+FFFD; every other character is
 * copied as it is. NUL can only reach the warehouse in a rejected row's text (`raw_record`): the
 * contract's patterns refuse it in loaded values.
 */
const NUL_REPLACEMENT = '\uFFFD';

/**
 * The load on a PostgreSQL/Citus warehouse (engine `citus`): the DuckDB front end (`front`, the
 * landing file) has loaded and checked the business dates — contract checks, key checks against
 * every earlier date, rejects, audit, reconciliation, exactly as on the DuckDB engine — and this
 * copies each date's rows to the server, **one PostgreSQL transaction per business date**: delete
 * the date from every `raw` table, `ops.rejected_rows`, `ops.load_audit` and the mapping records
 * (`ops.mapping_*`), then `COPY` the front end's rows of that date. The rejects and the audit are
 * therefore the same rows on both engines by construction, and a failed copy leaves the server's
 * date as it was (re-running the load repairs it: the front end re-loads the date and copies it again).
 *
 * @example
 * await loadExtracts(landing, 'data/extracts');
 * await copyDatesToPostgres(landing, pg, ['2026-10-31']);
 * // per date: BEGIN; DELETE FROM raw.loans WHERE _business_date = DATE '2026-10-31'; …
 * //           COPY raw.loans (…) FROM STDIN (FORMAT csv); … COMMIT
 */
export async function copyDatesToPostgres(
  front: WarehouseHandle,
  pg: PostgresWarehouse,
  businessDates: readonly string[],
  options: { entities?: readonly EntityContract[]; onDate?: (copied: CopiedDate) => void } = {},
): Promise<CopiedDate[]> {
  if (front.engine !== 'duckdb') throw new CqError('INTERNAL', `copyDatesToPostgres: the front end must be a DuckDB warehouse, got ${front.engine}. This is a bug.`);
  const entities = options.entities ?? ENTITIES;
  await ensureRawSchema(pg, entities);
  // Tables keyed by business date on the front end: raw (by _business_date), the load's ops tables and a mapping's records.
  const opsTables = (
    await front.all<{ t: string }>(
      `SELECT DISTINCT table_name AS t FROM information_schema.columns WHERE table_schema = 'ops' AND column_name = 'business_date' AND (table_name IN ('load_audit', 'rejected_rows') OR starts_with(table_name, 'mapping_')) ORDER BY 1`,
    )
  ).map((r) => r.t);
  const mappingTables = opsTables.filter((t): t is OpsTableName => t.startsWith('mapping_') && (OPS_TABLE_NAMES as readonly string[]).includes(t));
  if (mappingTables.length) await pg.exec(opsTableDdl(...mappingTables));
  const tables = [
    ...entities.map((e) => ({ table: `raw.${e.name}`, dateColumn: '_business_date' })),
    ...opsTables.map((t) => ({ table: `ops.${t}`, dateColumn: 'business_date' })),
  ];
  const columnsOf = new Map<string, { name: string; text: boolean }[]>();
  for (const { table } of tables) {
    const [schema, name] = table.split('.') as [string, string];
    const cols = await front.all<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
      [schema, name],
    );
    columnsOf.set(table, cols.map((c) => ({ name: c.column_name, text: c.data_type === 'VARCHAR' })));
  }
  const dir = mkdtempSync(join(tmpdir(), 'cq-pg-copy-'));
  const done: CopiedDate[] = [];
  try {
    for (const businessDate of [...businessDates].sort()) {
      const started = performance.now();
      const dateLit = `DATE ${lit(businessDate)}`;
      const copied: CopiedDate['tables'] = [];
      await pg.exec('BEGIN');
      try {
        for (const { table, dateColumn } of [...tables].reverse()) await pg.exec(`DELETE FROM ${table} WHERE ${dateColumn} = ${dateLit}`);
        for (const { table, dateColumn } of tables) {
          const cols = columnsOf.get(table)!;
          const file = join(dir, `${table}.csv`);
          const select = cols.map((c) => (c.text ? `replace(${q(c.name)}, chr(0), ${lit(NUL_REPLACEMENT)}) AS ${q(c.name)}` : q(c.name))).join(', ');
          // Row order of the front end (rowid): the server's table reads back in the order of the files.
          await front.exec(`COPY (SELECT ${select} FROM ${table} WHERE ${dateColumn} = ${dateLit} ORDER BY rowid) TO ${lit(file)} (FORMAT csv, HEADER false)`);
          const rows = await pg.copyFromCsv(table, cols.map((c) => c.name), file);
          copied.push({ table, rows });
          rmSync(file, { force: true });
        }
        await pg.exec('COMMIT');
      } catch (e) {
        await pg.exec('ROLLBACK').catch(() => undefined);
        throw new CqError('WAREHOUSE_COPY_FAILED', `${pg.path}: copying business date ${businessDate} to the PostgreSQL/Citus warehouse failed (${(e as Error).message}); the server's ${businessDate} is unchanged. Fix: check the server, then run the load of that date again.`, {}, { cause: e });
      }
      const result = { businessDate, tables: copied, seconds: (performance.now() - started) / 1000 };
      done.push(result);
      options.onDate?.(result);
    }
    await pg.exec(tables.map((t) => `ANALYZE ${t.table}`).join('; '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return done;
}
