import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { opsTableDdl } from '../../lib/ops-tables.js';
import type { FileLoadResult } from '../load/load-entity-file.js';
import type { CompiledEntity } from './entity-relation.js';
import type { MappingSpec } from './mapping-types.js';

/**
 * DDL of the warehouse records a mapped load keeps besides the loader's own (`ops.load_audit`
 * names the mapping per file):
 * - `ops.mapping_defaults`: every value the mapping supplied because the source lacks it
 *   (`missing_in_source`: the whole column; `empty_in_source`: rows whose source value was empty;
 *   `entity_absent`: an entity the source does not have at all), with the default, the mapping's
 *   note, and how many loaded rows carry it. Nothing is invented silently.
 * - `ops.mapping_source_values`: source columns a mapping `retain`s verbatim (e.g. a realised
 *   outcome the contract has no column for), per source line, for every row read.
 * Both are keyed by business date and replaced when the date is re-loaded.
 *
 * @example
 * await wh.exec(MAPPING_RECORDS_DDL);
 * await wh.all(`SELECT entity, column_name, kind, rows_defaulted FROM ops.mapping_defaults`);
 */
export const MAPPING_RECORDS_DDL = opsTableDdl('mapping_defaults', 'mapping_source_values');

/**
 * Writes a mapped date's defaults and retained source values (inside the date's load transaction).
 * `tables` maps entity name → the temp table its rows were materialised in.
 *
 * @example
 * await writeMappingRecords(wh, spec, load, compiled, tables);
 */
export async function writeMappingRecords(
  wh: WarehouseHandle,
  spec: MappingSpec,
  load: { businessDate: string; loadId: string; files: FileLoadResult[] },
  compiled: readonly CompiledEntity[],
  tables: ReadonlyMap<string, string>,
): Promise<void> {
  await wh.exec(MAPPING_RECORDS_DDL);
  const dateLit = `DATE ${lit(load.businessDate)}`;
  for (const c of compiled) {
    const loaded = load.files.find((f) => f.entity === c.entity.name)?.rowsLoaded ?? 0;
    for (const d of c.defaults) {
      let n = d.kind === 'missing_in_source' ? loaded : 0;
      if (d.flagColumn) {
        const [row] = await wh.all<{ n: bigint }>(
          `SELECT count(*) AS n FROM raw.${c.entity.name} r JOIN ${tables.get(c.entity.name)} m ON r._source_line = m._src_line
           WHERE r._load_id = $1 AND r._business_date = ${dateLit} AND m.${q(d.flagColumn)}`,
          [load.loadId],
        );
        n = Number(row?.n ?? 0);
      }
      await wh.run(`INSERT INTO ops.mapping_defaults VALUES ($1, ${dateLit}, $2, $3, $4, $5, $6, $7, $8, $9)`, [
        load.loadId,
        spec.name,
        spec.path,
        d.entity,
        d.column,
        d.kind,
        d.value,
        n,
        d.note,
      ] as never);
    }
    if (c.kind === 'source' && c.staged) {
      for (const [name, column] of Object.entries(c.retain)) {
        await wh.exec(
          `INSERT INTO ops.mapping_source_values
           SELECT ${lit(load.loadId)}, ${dateLit}, ${lit(spec.name)}, ${lit(c.entity.name)}, ${lit(c.staged.path)}, x._line, ${lit(name)}, ${lit(column)}, x.${q(column)}
           FROM ${c.staged.table} x ORDER BY x._line`,
        );
      }
    }
  }
}
