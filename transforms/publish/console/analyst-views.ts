import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent as q } from '../../lib/duckdb.js';
import { maskedSelectList, piiColumnsOf, type MaskKind } from '../../ingest/contract/pii-masking.js';

/** A relation analysts can query: a view in the console's in-memory catalog over the warehouse. */
export interface AnalystRelation {
  schema: string;
  name: string;
  /** What it is in the warehouse. */
  kind: 'table' | 'view';
  columns: { name: string; type: string }[];
  /** Personal-data columns and how they are masked (empty when unmasked or none). */
  masked: Map<string, MaskKind>;
}

const SKIP_SCHEMAS = new Set(['information_schema', 'pg_catalog']);

/**
 * Creates, in the connection's default (in-memory) catalog, one view per table and view of
 * the attached warehouse catalog `alias`, with the same schema and name, so analysts write
 * `staging.stg_lender__customers` as usual. With `masked`, personal-data columns are
 * replaced by their masked form (see pii-masking.ts); the attached catalog itself is
 * refused by the query guard, so these views are the only way to the data.
 *
 * @example
 * await conn.run(`ATTACH 'wh.duckdb' AS w (READ_ONLY)`);
 * const relations = await createAnalystViews(conn, 'w', true);
 */
export async function createAnalystViews(conn: DuckDBConnection, alias: string, masked: boolean): Promise<AnalystRelation[]> {
  const rels = (
    await conn.runAndReadAll(
      `SELECT schema_name, table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE database_name = $1 AND NOT internal
       UNION ALL
       SELECT schema_name, view_name, 'view' FROM duckdb_views() WHERE database_name = $1 AND NOT internal
       ORDER BY 1, 2`,
      [alias],
    )
  ).getRowObjectsJS() as { schema_name: string; name: string; kind: 'table' | 'view' }[];
  const cols = (
    await conn.runAndReadAll(
      `SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = $1 ORDER BY schema_name, table_name, column_index`,
      [alias],
    )
  ).getRowObjectsJS() as { schema_name: string; table_name: string; column_name: string; data_type: string }[];
  const columnsOf = new Map<string, { name: string; type: string }[]>();
  for (const c of cols) {
    const key = `${c.schema_name}.${c.table_name}`;
    (columnsOf.get(key) ?? columnsOf.set(key, []).get(key)!).push({ name: c.column_name, type: c.data_type });
  }
  const relations: AnalystRelation[] = [];
  const ddl: string[] = [];
  const schemas = new Set<string>();
  for (const r of rels) {
    if (SKIP_SCHEMAS.has(r.schema_name)) continue;
    const columns = columnsOf.get(`${r.schema_name}.${r.name}`) ?? [];
    const pii = piiColumnsOf(r.schema_name, r.name, columns.map((c) => c.name));
    const maskedCols = masked ? pii : new Map<string, MaskKind>();
    if (!schemas.has(r.schema_name)) {
      schemas.add(r.schema_name);
      ddl.push(`CREATE SCHEMA IF NOT EXISTS memory.${q(r.schema_name)};`);
    }
    ddl.push(
      `CREATE VIEW memory.${q(r.schema_name)}.${q(r.name)} AS SELECT ${maskedSelectList(maskedCols)} FROM ${q(alias)}.${q(r.schema_name)}.${q(r.name)};`,
    );
    relations.push({ schema: r.schema_name, name: r.name, kind: r.kind, columns, masked: maskedCols });
  }
  if (ddl.length) await conn.run(ddl.join('\n'));
  return relations;
}
