import type { EntityContract } from '../contract/index.js';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import type { ExtractFile } from '../load/extract-files.js';
import type { PreparedFile } from '../load/load-entity-file.js';
import { columnSql, substituteVars } from './column-sql.js';
import type { EntityMapping, MappingSpec } from './mapping-types.js';
import type { StagedSource } from './stage-source.js';

/** A default the mapping applies to one entity on one date, for `ops.mapping_defaults`. */
export interface DefaultRule {
  readonly entity: string;
  /** null for `entity_absent`. */
  readonly column: string | null;
  readonly kind: 'missing_in_source' | 'empty_in_source' | 'entity_absent';
  readonly value: string | null;
  readonly note: string;
  /** Hidden BOOLEAN column of the entity relation that marks defaulted rows (`empty_in_source`). */
  readonly flagColumn: string | null;
}

/** One contract entity of one business date, compiled from the mapping. */
export interface CompiledEntity {
  readonly entity: EntityContract;
  readonly mapping: EntityMapping | null;
  /** How the rows are produced on this date. */
  readonly kind: 'source' | 'rows' | 'absent' | 'not_this_date';
  readonly staged: StagedSource | null;
  /** SELECT giving `_rn`, `_src_line`, one VARCHAR per contract column, hidden `_dflt__*` flags. */
  readonly sql: string;
  readonly columnSources: Readonly<Record<string, string>>;
  readonly defaults: readonly DefaultRule[];
  /** Code translations to check before loading: input SQL, codes, key, source column. */
  readonly codeChecks: readonly { readonly input: string; readonly codes: readonly string[]; readonly key: string; readonly table: string; readonly sourceColumn: string | null }[];
  /** Source columns read, with the key naming each. */
  readonly sourceColumns: readonly { readonly column: string; readonly key: string }[];
  /** Value SQL per contract column (for locating expression errors). */
  readonly columnValues: readonly { readonly column: string; readonly sql: string; readonly key: string }[];
  /** `retain`: name → source column, kept in ops.mapping_source_values. */
  readonly retain: Readonly<Record<string, string>>;
}

/** Alias of the staged source table in compiled SQL. */
export const ALIAS = 's';

/**
 * Compiles how one contract entity is produced on one business date: from a staged source
 * (one row per source row, or per distinct `one_row_per`), from constant rows in the mapping,
 * or empty (the source lacks the entity, or delivers it on other dates only). Every `expr` goes
 * through `vet` (the expression grammar); the SQL is meant to run in the mapping sandbox.
 *
 * @example
 * const c = await compileEntity(spec, loans, '2018-06-30', { business_date: '2018-06-30' }, stagedByName, vet);
 * c.sql; // SELECT s._k AS _rn, s._line AS _src_line, … AS "loan_id", … FROM _map_src_0 s
 */
export async function compileEntity(
  spec: MappingSpec,
  entity: EntityContract,
  businessDate: string,
  vars: Readonly<Record<string, string>>,
  stagedBySource: ReadonlyMap<string, StagedSource>,
  vet: (expr: string, key: string) => Promise<string>,
): Promise<CompiledEntity> {
  const em = spec.entities[entity.name] ?? null;
  const base = { entity, mapping: em, staged: null, columnSources: {}, codeChecks: [], sourceColumns: [], columnValues: [], retain: {} };
  if (!em) {
    const note = `${spec.name} has no ${entity.name}: the source does not provide them, so the warehouse has none for this date.`;
    return { ...base, kind: 'absent', sql: emptySql(entity), defaults: [{ entity: entity.name, column: null, kind: 'entity_absent', value: null, note, flagColumn: null }] };
  }
  if (em.dates && !em.dates.includes(businessDate)) return { ...base, kind: 'not_this_date', sql: emptySql(entity), defaults: [] };
  if (em.kind === 'rows') {
    const tuples = em.rows.map((r, i) => {
      const vals = entity.columns.map((c) => {
        const v = r.values[c.name];
        return v === null || v === undefined ? 'CAST(NULL AS VARCHAR)' : lit(substituteVars(v, vars, spec, `${em.key}.rows.${i}.${c.name}`));
      });
      return `(${r.line - 1}, ${r.line}, ${vals.join(', ')})`;
    });
    const sql = `SELECT * FROM (VALUES ${tuples.join(', ')}) t(_rn, _src_line, ${entity.columns.map((c) => q(c.name)).join(', ')})`;
    const columnSources = Object.fromEntries(entity.columns.map((c) => [c.name, `constant row in ${spec.name}`]));
    return { ...base, kind: 'rows', sql, columnSources, defaults: [] };
  }
  const staged = stagedBySource.get(em.from!)!;
  const ctx = { spec, vars, alias: ALIAS, nullValues: staged.source.nullValues, vet };
  const selects: string[] = [];
  const columnSources: Record<string, string> = {};
  const defaults: DefaultRule[] = [];
  const codeChecks: CompiledEntity['codeChecks'][number][] = [];
  const sourceColumns: { column: string; key: string }[] = [];
  const columnValues: { column: string; sql: string; key: string }[] = [];
  for (const col of entity.columns) {
    const cs = em.columns[col.name];
    if (!cs) {
      selects.push(`CAST(NULL AS VARCHAR) AS ${q(col.name)}`);
      continue;
    }
    const c = await columnSql(col, cs, ctx);
    selects.push(`${c.value} AS ${q(col.name)}`);
    columnValues.push({ column: col.name, sql: c.value, key: cs.key });
    columnSources[col.name] = c.origin;
    sourceColumns.push(...c.sourceColumns);
    if (cs.default !== null) {
      const flagColumn = c.defaulted === 'true' ? null : `_dflt__${col.name}`;
      if (flagColumn) selects.push(`${c.defaulted} AS ${q(flagColumn)}`);
      defaults.push({
        entity: entity.name,
        column: col.name,
        kind: flagColumn ? 'empty_in_source' : 'missing_in_source',
        value: substituteVars(cs.default, vars, spec, `${cs.key}.default`),
        note: cs.note!,
        flagColumn,
      });
    }
    if (cs.translate && cs.otherwise === null && c.translateInput) {
      const table = spec.codeTables[cs.translate.table]!;
      codeChecks.push({ input: c.translateInput, codes: [...table.rows.keys()], key: `${cs.key}.translate`, table: table.name, sourceColumn: c.sourceColumns[0]?.column ?? null });
    }
  }
  for (const [name, column] of Object.entries(em.retain)) sourceColumns.push({ column, key: `${em.key}.retain.${name}` });
  const inner = `SELECT ${ALIAS}._k AS _rn, ${ALIAS}._line AS _src_line, ${selects.join(', ')} FROM ${staged.table} ${ALIAS}`;
  const sql = em.oneRowPer.length
    ? `SELECT _src_line - 1 AS _rn, * EXCLUDE (_rn, _dup) FROM (SELECT *, row_number() OVER (PARTITION BY ${em.oneRowPer.map(q).join(', ')} ORDER BY _src_line) AS _dup FROM (${inner})) WHERE _dup = 1`
    : inner;
  return { ...base, kind: 'source', staged, sql, columnSources, defaults, codeChecks, sourceColumns, columnValues, retain: em.retain };
}

/**
 * Reads the rows of a compiled entity, evaluated in the mapping sandbox and written to the
 * Parquet file `rowsParquet` (see checkCompiledEntity), into warehouse temp table `table`, and
 * describes it to the loader as a `PreparedFile` (source file, hash, rejects table for
 * unparseable source lines, column origins). The warehouse runs no mapping SQL here.
 *
 * @example
 * const prepared = await prepareCompiledEntity(wh, spec, compiled, file, '_map_rel_0_3', mappingHash, '/tmp/cq-map-x/sandbox/rel-0-3.parquet');
 * // CREATE OR REPLACE TEMP TABLE _map_rel_0_3 AS SELECT * FROM read_parquet('/tmp/cq-map-x/sandbox/rel-0-3.parquet')
 */
export async function prepareCompiledEntity(
  wh: WarehouseHandle,
  spec: MappingSpec,
  c: CompiledEntity,
  file: ExtractFile,
  table: string,
  mappingHash: { sha256: string; bytes: number },
  rowsParquet: string,
): Promise<PreparedFile> {
  await wh.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT * FROM read_parquet(${lit(rowsParquet)})`);
  const common = { file, relationSql: `(SELECT * FROM ${table})`, rowNumber: 'relation' as const, extraColumns: [] as string[], mapping: spec.name, columnSources: c.columnSources };
  if (c.kind !== 'source' || !c.staged) {
    return { ...common, ...mappingHash, csvRejectsTable: null, missingFinalNewline: false };
  }
  const oneToOne = c.mapping!.oneRowPer.length === 0;
  let csvRejectsTable: string | null = null;
  if (oneToOne && c.staged.rejectsTable) {
    csvRejectsTable = `${table}_rej_err`;
    await wh.exec(`CREATE OR REPLACE TEMP TABLE ${csvRejectsTable} AS SELECT * FROM ${c.staged.rejectsTable}`);
  }
  const record = `json_object(${c.staged.header.map((h) => `${lit(h)}, x.${q(h)}`).join(', ')})`;
  return {
    ...common,
    sha256: c.staged.sha256,
    bytes: c.staged.bytes,
    csvRejectsTable,
    missingFinalNewline: oneToOne && c.staged.missingFinalNewline,
    rawRecordSql: `(SELECT CAST(${record} AS VARCHAR) FROM ${c.staged.table} x WHERE x._line = c._line)`,
  };
}

function emptySql(entity: EntityContract): string {
  return `SELECT CAST(NULL AS BIGINT) AS _rn, CAST(NULL AS BIGINT) AS _src_line, ${entity.columns.map((c) => `CAST(NULL AS VARCHAR) AS ${q(c.name)}`).join(', ')} WHERE false`;
}

