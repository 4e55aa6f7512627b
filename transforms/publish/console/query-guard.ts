import type { DuckDBConnection } from '@duckdb/node-api';
import { CqError } from '../../lib/errors.js';
import { WAREHOUSE_ALIAS } from './sql-session.js';
import { firstKeyword, isBlankSql, normalizeSqlText, splitExplain } from './sql-text.js';

/** What the guard found in an accepted query. */
export interface CheckedQuery {
  kind: 'select' | 'explain';
  /**
   * The text to run: the analyst's statement (line ends normalised), or for EXPLAIN the
   * prefix joined to the checked statement by the console itself.
   */
  sql: string;
  /** Tables / views referenced, as written (`catalog` is '' unless given). */
  tables: { catalog: string; schema: string; table: string }[];
  /** Table functions called (lower case). */
  tableFunctions: string[];
}

/**
 * Table functions analysts may call: generators and catalog metadata. Everything else is
 * refused: file readers (also blocked by DuckDB with external access off), and functions that
 * run SQL given as a string (`query`, `query_table`), which the guard could not inspect.
 */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'range',
  'generate_series',
  'unnest',
  'repeat',
  'json_each',
  'json_tree',
  'duckdb_columns',
  'duckdb_constraints',
  'duckdb_databases',
  'duckdb_dependencies',
  'duckdb_functions',
  'duckdb_indexes',
  'duckdb_keywords',
  'duckdb_schemas',
  'duckdb_sequences',
  'duckdb_settings',
  'duckdb_tables',
  'duckdb_types',
  'duckdb_views',
  'pragma_table_info',
  'table_info',
  'pragma_show',
  'pragma_version',
  'pragma_platform',
  'pragma_database_size',
  'sql_auto_complete',
  'summary',
]);

const DYNAMIC_SQL_FUNCTIONS = new Set(['query', 'query_table', 'json_execute_serialized_sql']);
const FILE_FUNCTION = /^(read_|parquet_|sniff_csv$|glob$|iceberg_|delta_|sqlite_|postgres_|mysql_|excel|st_read|csv_|ducklake_|tpch|tpcds|load_)/;
const FILE_LIKE_TABLE = /[/\\:]|\.(csv|tsv|txt|parquet|json|jsonl|ndjson|gz|zst|xlsx?|duckdb|db|sqlite|arrow|feather)$/i;
const DENIED_SCALARS = new Set(['getenv']);
const OK_CATALOGS = new Set(['', 'memory', 'system', 'temp']);

const READ_ONLY_HINT = 'Only read-only queries run in the analyst console (SELECT / WITH / FROM / VALUES / DESCRIBE / SHOW / SUMMARIZE / EXPLAIN).';
const EXPORT_HINT = 'To export a result use --out FILE --format csv|json|ndjson|parquet|arrow.';

const STATEMENT_REASONS: Record<string, string> = {
  COPY: `COPY reads or writes files on the host, which the console never does. ${EXPORT_HINT}`,
  EXPORT: `EXPORT DATABASE writes files on the host. ${EXPORT_HINT}`,
  IMPORT: 'IMPORT DATABASE reads files on the host.',
  EXPLAIN: 'write EXPLAIN [ANALYZE] at the very start of the statement, with no comment before it.',
  ATTACH: 'the console only queries the published warehouse; it cannot open other database files.',
  DETACH: 'the console only queries the published warehouse.',
  USE: 'the console only queries the published warehouse.',
  INSTALL: 'extensions cannot be installed in the analyst console.',
  FORCE: 'extensions cannot be installed in the analyst console.',
  LOAD: 'extensions cannot be loaded in the analyst console.',
  SET: "the console's configuration is locked.",
  RESET: "the console's configuration is locked.",
  PRAGMA: "PRAGMA changes or inspects settings; the console's configuration is locked (use .schema NAME or DESCRIBE for table info).",
  CALL: 'use SELECT * FROM function(...) with an allowed function.',
  PREPARE: 'pass parameters with --param NAME=VALUE and write $NAME in the query.',
  EXECUTE: 'pass parameters with --param NAME=VALUE and write $NAME in the query.',
  DEALLOCATE: 'pass parameters with --param NAME=VALUE and write $NAME in the query.',
  BEGIN: 'transactions are not needed: every query reads one consistent snapshot of the warehouse.',
  START: 'transactions are not needed: every query reads one consistent snapshot of the warehouse.',
  COMMIT: 'transactions are not needed.',
  ROLLBACK: 'transactions are not needed.',
  ABORT: 'transactions are not needed.',
  PIVOT: "a PIVOT statement without an explicit IN list cannot be checked; list the values (PIVOT t ON col IN ('a', 'b') USING sum(x)).",
  UNPIVOT: 'write it as SELECT * FROM (UNPIVOT …).',
};

/** The `SQL_FORBIDDEN` error for a statement kind. */
function forbiddenStatement(keyword: string): CqError {
  const kw = keyword || 'this';
  const reason = STATEMENT_REASONS[kw] ?? 'the warehouse is read-only for analysts.';
  return new CqError('SQL_FORBIDDEN', `refused: ${kw} statements are not allowed — ${reason} ${READ_ONLY_HINT}`);
}

/**
 * Checks one analyst statement before it runs and throws `SQL_FORBIDDEN` (nothing has run)
 * unless it is exactly one plain query. Every decision is taken on DuckDB's own reading of the
 * text, never on a hand-written scan of comments and quotes:
 * 1. control characters other than tab and newline are refused ({@link normalizeSqlText});
 * 2. DuckDB splits the text into statements (`extractStatements`): more than one is an error;
 * 3. DuckDB serialises the statement's parse tree (`json_serialize_sql`), which succeeds only
 *    for a query (SELECT, WITH, FROM, VALUES, PIVOT … IN, DESCRIBE, SHOW, SUMMARIZE); COPY,
 *    ATTACH, INSTALL, LOAD, SET, PRAGMA, IMPORT, CREATE, INSERT, … are refused;
 * 4. the tree is walked: the internal warehouse catalog (the only way around the masked
 *    views), any other catalog, file paths as tables, table functions outside
 *    {@link ALLOWED_TABLE_FUNCTIONS} (file readers, SQL-from-string) and getenv() are refused.
 * `EXPLAIN [ANALYZE]` is accepted only as the very first word: the statement after it is checked
 * as above and the console runs `prefix + ' ' + statement`, text it built (`CheckedQuery.sql`).
 * A syntax error gives `SQL_ERROR`. Run it on the locked session connection: DuckDB's parser opens
 * files for IMPORT DATABASE, and there the file system is switched off (sql-session.ts).
 *
 * @example
 * await checkQuery(session.conn, 'select * from core.dim_loans'); // { kind: 'select', sql: 'select * from core.dim_loans', … }
 * await checkQuery(session.conn, "copy core.dim_loans to '/tmp/x.csv'"); // throws SQL_FORBIDDEN
 */
export async function checkQuery(conn: DuckDBConnection, sql: string, alias: string = WAREHOUSE_ALIAS): Promise<CheckedQuery> {
  const text = normalizeSqlText(sql);
  const { prefix, target } = splitExplain(text);
  if (isBlankSql(target)) throw new CqError('SQL_ERROR', 'the query is empty.');
  const count = await statementCount(conn, target);
  if (count > 1) throw new CqError('SQL_ERROR', `found ${count} statements; run one statement at a time.`);
  if (count === 0) throw new CqError('SQL_ERROR', 'the query is empty.');
  let json: string;
  try {
    const reader = await conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS j', [target]);
    json = String(reader.getRowObjectsJS()[0]!.j);
  } catch (e) {
    // DuckDB's parser itself failed (e.g. IMPORT DATABASE tried to open its files, which the session forbids).
    throw forbiddenStatement(firstKeyword(target));
  }
  const parsed = JSON.parse(json) as {
    error: boolean;
    error_type?: string;
    error_message?: string;
    statements?: { node: unknown }[];
  };
  if (parsed.error) {
    if (parsed.error_type === 'parser') throw new CqError('SQL_ERROR', `syntax error: ${parsed.error_message}`);
    throw forbiddenStatement(firstKeyword(target));
  }
  if ((parsed.statements ?? []).length !== 1) throw new CqError('SQL_ERROR', 'run exactly one query at a time.');
  const checked: CheckedQuery = { kind: prefix ? 'explain' : 'select', sql: prefix ? `${prefix} ${target}` : target, tables: [], tableFunctions: [] };
  const aliasLc = alias.toLowerCase();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) walk(n);
      return;
    }
    if (typeof node === 'string') {
      if (node.toLowerCase().includes(aliasLc)) throw aliasRefused(alias);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.type === 'BASE_TABLE') {
      const ref = { catalog: String(o.catalog_name ?? ''), schema: String(o.schema_name ?? ''), table: String(o.table_name ?? '') };
      checkTable(ref, aliasLc, alias);
      checked.tables.push(ref);
    } else if (o.type === 'TABLE_FUNCTION') {
      const fn = o.function as Record<string, unknown> | undefined;
      const name = String(fn?.function_name ?? '').toLowerCase();
      checkTableFunction(name, String(fn?.schema ?? ''));
      checked.tableFunctions.push(name);
    } else if (o.class === 'FUNCTION' && DENIED_SCALARS.has(String(o.function_name ?? '').toLowerCase())) {
      throw new CqError('SQL_FORBIDDEN', `refused: ${String(o.function_name)}() reads the host environment. ${READ_ONLY_HINT}`);
    }
    for (const v of Object.values(o)) walk(v);
  };
  for (const st of parsed.statements ?? []) walk(st.node);
  return checked;
}

/** How many statements DuckDB's parser finds in `sql` (a parse failure is `SQL_ERROR`, or `SQL_FORBIDDEN` when the parser was refused a file). */
async function statementCount(conn: DuckDBConnection, sql: string): Promise<number> {
  try {
    return (await conn.extractStatements(sql)).count;
  } catch (e) {
    const message = (e as Error).message.replace(/^Failed to extract statements: /, '');
    if (/Permission Error|disabled by configuration/i.test(message)) throw forbiddenStatement(firstKeyword(sql));
    throw new CqError('SQL_ERROR', message, {}, { cause: e });
  }
}

function aliasRefused(alias: string): CqError {
  return new CqError(
    'SQL_FORBIDDEN',
    `refused: ${alias} is the console's internal handle on the warehouse file and cannot be queried directly. Query the schemas as usual (raw, staging, core, marts, metrics, ops); personal data in them is masked unless the console was started with --unmasked (which is logged).`,
  );
}

function checkTable(ref: { catalog: string; schema: string; table: string }, aliasLc: string, alias: string): void {
  if (ref.catalog.toLowerCase() === aliasLc || ref.schema.toLowerCase() === aliasLc) throw aliasRefused(alias);
  if (!OK_CATALOGS.has(ref.catalog.toLowerCase())) {
    throw new CqError('SQL_FORBIDDEN', `refused: catalog "${ref.catalog}" — only the warehouse's schemas (raw, staging, core, marts, metrics, ops) can be queried.`);
  }
  if (FILE_LIKE_TABLE.test(ref.table)) {
    throw new CqError(
      'SQL_FORBIDDEN',
      `refused: '${ref.table}' is a file on the host, not a warehouse table; the analyst console cannot read files (external file access is disabled). ${READ_ONLY_HINT}`,
    );
  }
}

function checkTableFunction(name: string, schema: string): void {
  if (ALLOWED_TABLE_FUNCTIONS.has(name) && (schema === '' || schema === 'main')) return;
  if (DYNAMIC_SQL_FUNCTIONS.has(name)) {
    throw new CqError('SQL_FORBIDDEN', `refused: ${name}() runs SQL given as a string, which the console cannot check. Write the query directly.`);
  }
  if (FILE_FUNCTION.test(name)) {
    throw new CqError(
      'SQL_FORBIDDEN',
      `refused: ${name}() reads files on the host; the analyst console only queries the published warehouse (external file access is disabled). ${READ_ONLY_HINT}`,
    );
  }
  throw new CqError(
    'SQL_FORBIDDEN',
    `refused: table function ${name}() is not available in the analyst console. Allowed: ${[...ALLOWED_TABLE_FUNCTIONS].map((f) => `${f}()`).join(', ')}.`,
  );
}
