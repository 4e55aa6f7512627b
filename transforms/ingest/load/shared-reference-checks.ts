import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import type { StagedFile } from './load-entity-file.js';
import { referenceCheckSql, type ReferencingColumn } from './validation-sql.js';

/** Reference checks of one business date's files, shared per parent key (see {@link sharedReferenceChecks}). */
export interface SharedReferenceChecks {
  /**
   * For file `index` (its position in the staged files), the references already checked, by their
   * index in the entity's `references`: a relation (`_line`, `_key`) of the file's unknown
   * references. Computes the shared check of a parent the first time one of its children asks.
   */
  forFile(index: number): Promise<ReadonlyMap<number, string>>;
  /** Drops the temp tables. */
  drop(): Promise<void>;
}

/**
 * Reference checks shared by a business date's files. Files are loaded in contract order, parents
 * first; when the first file that references a parent (e.g. loans) is loaded, the parent's rows of
 * this date are already in `raw`, so one anti-join answers the check for that file and every later
 * file pointing at the same parent key (balances, schedule, repayments, warnings): the parent's
 * hash table is built once per date, not once per file. The result equals the per-file check.
 * A reference to the file's own entity, or to a parent whose file comes later in the order, is left
 * to the per-file check.
 *
 * @example
 * const refs = sharedReferenceChecks(wh, staged);
 * const checked = await refs.forFile(4); // Map { 0 => '(SELECT _line, _key FROM _refchk_0 WHERE …)' }
 */
export function sharedReferenceChecks(wh: WarehouseHandle, staged: readonly StagedFile[]): SharedReferenceChecks {
  const computed = new Map<string, string>();
  const tables: string[] = [];
  const entityOf = (i: number) => staged[i]!.prepared.file.entity;
  return {
    async forFile(index) {
      const entity = entityOf(index);
      const checked = new Map<number, string>();
      for (const [refIndex, ref] of entity.references.entries()) {
        if (ref.entity === entity.name) continue;
        const parentPos = staged.findIndex((s) => s.prepared.file.entity.name === ref.entity);
        if (parentPos > index) continue;
        const parentKey = `${ref.entity}.${ref.entityColumn}`;
        let table = computed.get(parentKey);
        if (!table) {
          const columns: ReferencingColumn[] = [];
          for (let k = index; k < staged.length; k++) {
            const child = entityOf(k);
            child.references.forEach((r, j) => {
              if (r.entity === ref.entity && r.entityColumn === ref.entityColumn && r.entity !== child.name) {
                columns.push({ file: k, ref: j, rows: staged[k]!.rows, column: r.column });
              }
            });
          }
          table = `_refchk_${tables.length}`;
          await wh.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS ${referenceCheckSql({ entity: ref.entity, column: ref.entityColumn }, columns)}`);
          tables.push(table);
          computed.set(parentKey, table);
        }
        checked.set(refIndex, `(SELECT _line, _key FROM ${table} WHERE _file = ${index} AND _ref = ${refIndex})`);
      }
      return checked;
    },
    async drop() {
      for (const t of tables) await wh.exec(`DROP TABLE IF EXISTS ${t}`);
      tables.length = 0;
      computed.clear();
    },
  };
}
