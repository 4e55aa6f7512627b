/**
 * Writes transforms/lib/warehouse-types.generated.ts, the Kysely `Database` of the warehouse
 * (one row interface per table or view, keyed `schema.table`), from the same empty warehouse the
 * data dictionary is built from (transforms/publish/console/warehouse-dictionary.ts): column
 * names and DuckDB types from `information_schema`, so the types cannot drift from the models,
 * the contract, the metrics or the ops DDL. test/publish/docs/warehouse-docs.test.ts fails when
 * the file is stale.
 * Run (with docs/warehouse.md): npm run docs
 */
import { writeFileSync } from 'node:fs';
import { KPI_SUMMARY_TABLES } from '../../kpi/contributions.js';
import { ENTITIES, LINEAGE_COLUMN_DOCS } from '../../ingest/contract/index.js';
import { CqError } from '../../lib/errors.js';
import { qualifiedName } from '../../warehouse/model.js';
import { discoverModels } from '../../warehouse/registry.js';
import type { DictionaryTable } from '../console/warehouse-dictionary.js';

/** Where the generated types are written (relative to the repository root). */
export const WAREHOUSE_TYPES_FILE = 'transforms/lib/warehouse-types.generated.ts';

/**
 * The TypeScript type of a DuckDB column as the Kysely dialect returns it
 * (transforms/lib/kysely-duckdb-dialect.ts reads rows with `getRowObjectsJS()`): BIGINT and
 * HUGEINT are `bigint`, DECIMAL, INTEGER and DOUBLE are `number`, DATE and TIMESTAMP are `Date`,
 * an ENUM is the union of its values. An unknown type is an error, so a new type gets a decision.
 *
 * @example
 * duckDbTsType("ENUM('A', 'B')"); // "'A' | 'B'"
 * duckDbTsType('DECIMAL(18,2)'); // 'number'
 */
export function duckDbTsType(dataType: string): string {
  const enumMatch = /^ENUM\((.*)\)$/s.exec(dataType);
  if (enumMatch) {
    const values = [...enumMatch[1]!.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'"));
    return values.map((v) => `'${v.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`).join(' | ');
  }
  if (/^DECIMAL\(\d+,\d+\)$/.test(dataType)) return 'number';
  if (/^(TINYINT|SMALLINT|INTEGER|UTINYINT|USMALLINT|UINTEGER|FLOAT|DOUBLE)$/.test(dataType)) return 'number';
  if (/^(BIGINT|HUGEINT|UBIGINT|UHUGEINT)$/.test(dataType)) return 'bigint';
  if (/^(DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE)$/.test(dataType)) return 'Date';
  if (dataType === 'VARCHAR') return 'string';
  if (dataType === 'BOOLEAN') return 'boolean';
  throw new CqError(
    'MODEL_INVALID',
    `warehouse types: no TypeScript type for DuckDB type ${dataType}. Fix: add it to duckDbTsType in transforms/publish/docs/warehouse-types.ts (as the DuckDB dialect returns it).`,
  );
}

/**
 * Columns that are never NULL by definition although the catalog allows it (a view or a
 * `CREATE TABLE … AS` keeps no NOT NULL): raw columns the contract requires (the loader rejects
 * empty ones) and the lineage columns; a model's primary key and columns of its error-severity
 * `not_null` tests (a build fails otherwise). Keyed `schema.table`.
 *
 * @example
 * (await notNullByDefinition()).get('raw.loans')?.has('loan_id'); // true
 */
export async function notNullByDefinition(): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const e of ENTITIES) {
    out.set(`raw.${e.name}`, new Set([...e.columns.filter((c) => c.required).map((c) => c.name), ...Object.keys(LINEAGE_COLUMN_DOCS)]));
  }
  for (const m of await discoverModels()) {
    const cols = new Set(m.primaryKey);
    for (const t of m.tests ?? []) if (t.kind === 'not_null' && (t.severity ?? 'error') === 'error') for (const c of t.columns) cols.add(c);
    out.set(qualifiedName(m), cols);
  }
  return out;
}

const pascal = (s: string) =>
  s
    .split(/_+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** `core.fct_loan_month_ends` → `CoreFctLoanMonthEndsRow`. */
function rowTypeName(t: Pick<DictionaryTable, 'schema' | 'name'>): string {
  return `${pascal(t.schema)}${pascal(t.name)}Row`;
}

function jsdoc(text: string, indent: string): string {
  const clean = text.replace(/\s*\n\s*/g, ' ').replaceAll('*/', '*\\/');
  return `${indent}/** ${clean} */`;
}

const isKpiTable = (t: Pick<DictionaryTable, 'schema' | 'name'>) => t.schema === 'metrics' && /^kpi_/.test(t.name) && !KPI_SUMMARY_TABLES.includes(t.name);

/** ENUMs longer than this get a named type (`Enum<Column>`), declared once. */
const LONG_ENUM = 12;

function rowInterface(
  name: string,
  doc: string,
  t: DictionaryTable,
  notNull: ReadonlySet<string>,
  enums: Map<string, string>,
  describeColumns = true,
): string {
  const fields = t.columns.map((c) => {
    let ts = duckDbTsType(c.type ?? '');
    if (ts.split(' | ').length > LONG_ENUM) {
      let alias = enums.get(ts);
      if (!alias) {
        const base = `Enum${pascal(c.name)}`;
        const taken = new Set(enums.values());
        alias = base;
        for (let i = 2; taken.has(alias); i++) alias = `${base}${i}`;
        enums.set(ts, alias);
      }
      ts = alias;
    }
    const nullable = c.nullable !== false && !notNull.has(c.name);
    const duck = c.type?.startsWith('ENUM') ? 'ENUM' : c.type;
    return `${jsdoc(describeColumns ? `${c.description} (${duck})` : `${duck}`, '  ')}\n  ${c.name}: ${nullable ? `${ts} | null` : ts};`;
  });
  return `${jsdoc(doc, '')}\nexport interface ${name} {\n${fields.join('\n')}\n}\n`;
}

/**
 * Renders the generated types file from the dictionary of an empty built warehouse. The per-KPI
 * tables `metrics.kpi_<id>` share one row type {@link KpiRow} and are not listed one by one (so
 * adding a KPI stays a one-file change): query them with `db.selectFrom('metrics.kpi_npl_ratio' as never)`
 * or through `metrics.kpi_values`. Throws when two KPI tables differ in shape.
 *
 * @example
 * renderWarehouseTypes(await buildDictionary(), await notNullByDefinition()).includes("'core.dim_loans': CoreDimLoansRow;"); // true
 */
export function renderWarehouseTypes(tables: readonly DictionaryTable[], notNull: ReadonlyMap<string, ReadonlySet<string>>): string {
  const out: string[] = [
    `// Generated by transforms/publish/docs/warehouse-types.ts from the information_schema of an empty
// warehouse built by the nightly's own code (contract, models, metrics, ops DDL). Do not edit:
// change the definition and run \`npm run docs\`
// (test/publish/docs/warehouse-docs.test.ts fails when this file is stale).
//
// Types are what the DuckDB Kysely dialect returns: BIGINT / HUGEINT → bigint; DECIMAL, INTEGER,
// DOUBLE → number; DATE / TIMESTAMP → Date; ENUM → the union of its values. A column is nullable
// unless the DDL says NOT NULL, the contract requires it (raw), or it is a model's primary key or
// has an error-severity not_null test.
`,
  ];
  const enums = new Map<string, string>();
  const kpis = tables.filter(isKpiTable);
  const shape = (t: DictionaryTable) => t.columns.map((c) => `${c.name} ${c.type} ${c.nullable}`).join(', ');
  const first = kpis[0];
  if (first) {
    const odd = kpis.find((k) => shape(k) !== shape(first));
    if (odd) {
      throw new CqError(
        'MODEL_INVALID',
        `warehouse types: metrics.${odd.name} has other columns than metrics.${first.name} (${shape(odd)} vs ${shape(first)}). Fix: every KPI table must have the KPI row shape (transforms/kpi/compile-metric.ts).`,
      );
    }
    out.push(
      rowInterface(
        'KpiRow',
        `One row of any \`metrics.kpi_<id>\` table (one per file in metrics/): per month end, the whole book (all dimensions NULL) or one dimension value. Column meanings per KPI: docs/warehouse.md.`,
        first,
        notNull.get(`metrics.${first.name}`) ?? new Set(),
        enums,
        false,
      ),
    );
  }
  const listed = tables.filter((t) => !isKpiTable(t));
  for (const t of listed) {
    const key = `${t.schema}.${t.name}`;
    out.push(rowInterface(rowTypeName(t), `\`${key}\` (${t.kind}): ${t.description}`, t, notNull.get(key) ?? new Set(), enums));
  }
  for (const [union, alias] of enums) out.push(`/** A DuckDB ENUM of ${union.split(' | ').length} values. */\nexport type ${alias} =\n  | ${union.split(' | ').join('\n  | ')};\n`);
  out.push(`/** The warehouse for Kysely: every table and view by \`schema.table\` (the per-KPI tables use {@link KpiRow}). */
export interface Database {
${listed.map((t) => `  '${t.schema}.${t.name}': ${rowTypeName(t)};`).join('\n')}
}

/** The typed warehouse (\`Kysely<Warehouse>\`); the same as {@link Database}. */
export type Warehouse = Database;
`);
  return out.join('\n');
}

/** Regenerates the warehouse types. @example await writeWarehouseTypes(await buildDictionary()); */
export async function writeWarehouseTypes(tables: readonly DictionaryTable[], path = WAREHOUSE_TYPES_FILE): Promise<void> {
  writeFileSync(path, renderWarehouseTypes(tables, await notNullByDefinition()));
}
