import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { mappingError } from './mapping-errors.js';
import type { MappingSpec } from './mapping-types.js';

/**
 * Scalar functions a mapping expression may call (DuckDB names, lower case). Pure functions of
 * their arguments only: text, numbers, dates. Nothing that reads files or the environment
 * (read_text, read_csv, getenv, …), runs SQL (query), lists or makes tables, aggregates, windows,
 * or depends on the clock or chance. Operators (`+`, `||`, LIKE, …) are in {@link ALLOWED_OPERATORS}.
 */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  // text
  'length', 'char_length', 'character_length', 'strlen', 'lower', 'upper', 'lcase', 'ucase',
  'trim', 'ltrim', 'rtrim', 'substr', 'substring', 'left', 'right', 'lpad', 'rpad', 'replace',
  'reverse', 'concat', 'concat_ws', 'contains', 'starts_with', 'ends_with', 'prefix', 'suffix',
  'instr', 'strpos', 'position', 'split_part', 'translate', 'format', 'printf', 'nullif', 'ifnull',
  'regexp_matches', 'regexp_full_match', 'regexp_extract', 'regexp_replace', 'md5', 'sha256',
  // numbers
  'abs', 'round', 'round_even', 'ceil', 'ceiling', 'floor', 'trunc', 'sign', 'greatest', 'least',
  'power', 'pow', 'sqrt', 'ln', 'log', 'log10', 'log2', 'exp', 'mod',
  // dates
  'strptime', 'try_strptime', 'strftime', 'date_trunc', 'datetrunc', 'date_part', 'datepart',
  'date_diff', 'datediff', 'date_sub', 'datesub', 'make_date', 'make_timestamp', 'last_day',
  'year', 'month', 'day', 'quarter', 'dayofweek', 'dayofmonth', 'dayofyear', 'week', 'weekofyear',
  'to_days', 'to_weeks', 'to_months', 'to_years',
]);

/** Operators (DuckDB parses them as functions with these names): arithmetic, `||`, LIKE / ILIKE / GLOB and their negations. */
export const ALLOWED_OPERATORS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '//', '%', '^', '**', '||', '~~', '!~~', '~~*', '!~~*', '~~~', '!~~~']);

/** Non-function operator nodes allowed: NOT, IS [NOT] NULL, COALESCE, [NOT] IN (a list), TRY(…), `x[i]`, `x[a:b]`. */
const ALLOWED_OPERATOR_NODES = new Set(['OPERATOR_NOT', 'OPERATOR_IS_NULL', 'OPERATOR_IS_NOT_NULL', 'OPERATOR_COALESCE', 'COMPARE_IN', 'COMPARE_NOT_IN', 'OPERATOR_TRY', 'ARRAY_EXTRACT', 'ARRAY_SLICE']);

/** A parsed expression node as `json_serialize_sql` writes it (only the fields the walk reads). */
interface Node {
  readonly class: string;
  readonly type: string;
  readonly alias?: string;
  readonly [field: string]: unknown;
}

/** Runs SQL; the mapping sandbox (or any DuckDB connection: parsing executes nothing). */
export type SqlRunner = Pick<WarehouseHandle, 'all'>;

/**
 * Vets one mapping expression (after `${var}` and `{COLUMN}` substitution, so every source
 * column is `s."name"`) against the expression grammar and returns DuckDB's own rendering of
 * it, which is what the caller puts into the query (comments dropped, parentheses balanced by
 * construction: the text cannot close the surrounding query early). DuckDB's parser reads
 * `SELECT <expr>` (`json_serialize_sql`); the tree must be one SELECT of one expression, without
 * FROM, WHERE, DISTINCT or any other clause, built only from: source columns (`s.<column>`),
 * constants, the operators in {@link ALLOWED_OPERATORS}, comparisons, AND / OR / NOT, IS NULL,
 * IN (list), BETWEEN, CASE, CAST / TRY_CAST, and calls of the scalar functions in
 * {@link ALLOWED_FUNCTIONS}. No subquery, table function, aggregate, window, lambda, `*`,
 * parameter, alias, or function not on the list. A violation is MAPPING_FORBIDDEN naming the
 * mapping file, the key and its line; text that does not parse is MAPPING_INVALID.
 *
 * @example
 * await vetExpression(sandbox, spec, 'entities.customers.columns.branch_id.expr', `'US-' || s."state"`);
 * // → `('US-' || s.state)`
 * await vetExpression(sandbox, spec, key, `read_text('/etc/hostname')`);
 * // throws MAPPING_FORBIDDEN: "… calls read_text(), which is not an allowed mapping function …"
 * // SQL it runs: SELECT json_serialize_sql($1::VARCHAR), $1 = SELECT <expr>
 * //              SELECT json_deserialize_sql($1::VARCHAR::JSON)
 */
export async function vetExpression(runner: SqlRunner, spec: Pick<MappingSpec, 'path' | 'lineOf'>, key: string, expr: string, alias = 's'): Promise<string> {
  const first = await checkedTree(runner, spec, key, expr, alias);
  const [row] = await runner.all<{ sql: string }>(`SELECT json_deserialize_sql($1::VARCHAR::JSON) AS sql`, [first]);
  const rendered = row?.sql ?? '';
  if (!rendered.startsWith('SELECT ')) throw mappingError('MAPPING_FORBIDDEN', spec, key, `the expression cannot be rendered back as one SQL expression. ${FIX}`);
  const canonical = rendered.slice('SELECT '.length);
  // What goes into the query is the rendering: it must pass the same walk.
  await checkedTree(runner, spec, key, canonical, alias);
  return canonical;
}

const FIX =
  'Nothing was loaded. Fix: write the expression with source columns ({COLUMN}), constants, operators, CASE, CAST / TRY_CAST and the scalar functions listed in docs/mappings.md ("Expressions"); anything else (file or environment access, subqueries, tables, aggregates) is not possible in a mapping.';

/** Parses `SELECT <expr>`, walks the tree, and returns its JSON. */
async function checkedTree(runner: SqlRunner, spec: Pick<MappingSpec, 'path' | 'lineOf'>, key: string, expr: string, alias: string): Promise<string> {
  const [row] = await runner.all<{ tree: string }>(`SELECT json_serialize_sql($1::VARCHAR) AS tree`, [`SELECT ${expr}`]);
  const json = row?.tree ?? '';
  const parsed = JSON.parse(json) as { error: boolean; error_message?: string; statements?: { node: Record<string, unknown> }[] };
  if (parsed.error) {
    throw mappingError('MAPPING_INVALID', spec, key, `the expression does not parse: ${parsed.error_message ?? 'syntax error'}. Nothing was loaded. Fix: correct the expression (one SQL expression, no trailing ";").`);
  }
  const forbid = (what: string): never => {
    throw mappingError('MAPPING_FORBIDDEN', spec, key, `${what}. ${FIX}`);
  };
  const statements = parsed.statements ?? [];
  if (statements.length !== 1) forbid('the expression holds more than one SQL statement');
  const node = statements[0]!.node;
  const from = node.from_table as { type?: string } | null;
  if (
    node.type !== 'SELECT_NODE' ||
    (node.modifiers as unknown[]).length ||
    ((node.cte_map as { map?: unknown[] } | undefined)?.map ?? []).length ||
    from?.type !== 'EMPTY' ||
    node.where_clause ||
    (node.group_expressions as unknown[]).length ||
    node.having ||
    node.qualify ||
    node.sample ||
    (node.select_list as unknown[]).length !== 1
  ) {
    forbid('the text is more than one expression (a FROM, WHERE, GROUP BY, DISTINCT, a second column or another clause)');
  }
  walk((node.select_list as Node[])[0]!, alias, forbid);
  return json;
}

/** Checks one node and its children against the grammar; calls `forbid` with what is not allowed. */
function walk(n: Node, alias: string, forbid: (what: string) => never): void {
  if (n.alias) forbid(`the expression names a value ("${n.alias}"): aliases and named arguments are not allowed`);
  const kids = (...xs: unknown[]) => {
    for (const x of xs) if (x) walk(x as Node, alias, forbid);
  };
  switch (n.class) {
    case 'CONSTANT':
      return;
    case 'COLUMN_REF': {
      const names = n.column_names as string[];
      if (names.length !== 2 || names[0] !== alias) {
        forbid(`"${names.join('.')}" is not a source column: write source columns as {COLUMN}`);
      }
      return;
    }
    case 'FUNCTION': {
      const name = String(n.function_name).toLowerCase();
      const allowed = n.is_operator ? ALLOWED_OPERATORS.has(name) : ALLOWED_FUNCTIONS.has(name);
      if (!allowed) forbid(n.is_operator ? `the operator ${name} is not allowed in a mapping expression` : `the expression calls ${name}(), which is not an allowed mapping function`);
      if (n.catalog || !['', 'main'].includes(String(n.schema ?? ''))) forbid(`the expression calls ${[n.catalog, n.schema, name].filter(Boolean).join('.')}(): functions may not be qualified with a catalog or schema`);
      if (n.filter || n.distinct || n.export_state || ((n.order_bys as { orders?: unknown[] } | undefined)?.orders ?? []).length) {
        forbid(`${name}() is called as an aggregate (FILTER, DISTINCT or ORDER BY): only scalar functions are allowed`);
      }
      kids(...(n.children as Node[]));
      return;
    }
    case 'OPERATOR':
      if (!ALLOWED_OPERATOR_NODES.has(n.type)) forbid(`the operator ${n.type} is not allowed in a mapping expression`);
      kids(...(n.children as Node[]));
      return;
    case 'COMPARISON':
      kids(n.left, n.right);
      return;
    case 'CONJUNCTION':
      kids(...(n.children as Node[]));
      return;
    case 'BETWEEN':
      kids(n.input, n.lower, n.upper);
      return;
    case 'CASE':
      for (const c of n.case_checks as { when_expr: Node; then_expr: Node }[]) kids(c.when_expr, c.then_expr);
      kids(n.else_expr);
      return;
    case 'CAST':
      kids(n.child);
      return;
    case 'SUBQUERY':
      return forbid('the expression holds a subquery (SELECT …, EXISTS, IN (SELECT …)): a mapping expression reads only the current source row');
    case 'WINDOW':
      return forbid(`the expression uses the window function ${String(n.function_name)}() … OVER: a mapping expression reads only the current source row`);
    case 'STAR':
      return forbid('the expression uses * or COLUMNS(…): name source columns as {COLUMN}');
    case 'LAMBDA':
    case 'LAMBDA_REF':
      return forbid('the expression uses a lambda (x -> …), which is not allowed');
    case 'PARAMETER':
      return forbid('the expression uses a parameter ($1, ?), which is not allowed');
    default:
      return forbid(`the expression uses ${n.class} (${n.type}), which is not allowed in a mapping expression`);
  }
}
