import { COLUMN_TYPES, ENTITIES, type EntityContract } from '../contract/index.js';
import { quoteIdent as q } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { opsTableDdl } from '../../lib/ops-tables.js';
import { placeTables } from '../../lib/citus-placement.js';

/** DDL of a raw table: contract columns typed, plus lineage columns. */
export function rawTableDdl(entity: EntityContract): string {
  const cols = entity.columns.map((c) => `${q(c.name)} ${COLUMN_TYPES[c.type]}`);
  cols.push('_business_date DATE NOT NULL', '_source_file VARCHAR NOT NULL', '_source_line BIGINT NOT NULL', '_load_id VARCHAR NOT NULL');
  return `CREATE TABLE IF NOT EXISTS raw.${entity.name} (\n  ${cols.join(',\n  ')}\n)`;
}

/**
 * Creates the `raw` and `ops` schemas and tables if missing, and adds columns that the
 * contract gained since the warehouse was created (so adding an extract column is a
 * one-file change to the contract). On a Citus cluster, new raw tables are distributed while
 * still empty (by loan or customer, or as reference tables: `CITUS_PLACEMENT`).
 *
 * @example
 * await ensureRawSchema(wh);
 */
export async function ensureRawSchema(wh: WarehouseHandle, entities: readonly EntityContract[] = ENTITIES): Promise<void> {
  await wh.exec('CREATE SCHEMA IF NOT EXISTS raw; CREATE SCHEMA IF NOT EXISTS ops;');
  // One catalog query for every raw table (this runs once per business date loaded).
  const existing = new Set(
    (await wh.all<{ c: string }>(`SELECT table_name || '.' || column_name AS c FROM information_schema.columns WHERE table_catalog = current_database() AND table_schema = 'raw'`)).map((r) => r.c),
  );
  for (const entity of entities) {
    if (!existing.has(`${entity.name}._load_id`)) await wh.exec(rawTableDdl(entity));
    else {
      for (const c of entity.columns) {
        if (!existing.has(`${entity.name}.${c.name}`)) await wh.exec(`ALTER TABLE raw.${entity.name} ADD COLUMN ${q(c.name)} ${COLUMN_TYPES[c.type]}`);
      }
    }
  }
  await wh.exec(opsTableDdl('load_audit', 'rejected_rows'));
  if (wh.engine === 'postgres') await placeTables(wh, entities.map((e) => `raw.${e.name}`));
}
