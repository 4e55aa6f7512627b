import { createHash } from 'node:crypto';
import { COMPAT_SCHEMA } from './postgres-compat.js';

/**
 * The few DuckDB spellings in the product's SQL that no PostgreSQL function can stand in for,
 * rewritten for PostgreSQL just before a statement is sent (by the PostgreSQL warehouse handle,
 * so models, KPI engine and exports keep one SQL text). Everything else is either in the subset
 * both engines accept or a compat function (`transforms/lib/postgres-compat.ts`).
 *
 * | DuckDB | PostgreSQL |
 * |---|---|
 * | `ENUM('a', 'b')` type literal | a named enum type `cq_compat.enum_<hash>` (same declared-order sorting) |
 * | `TINYINT` | `SMALLINT` |
 * | `DOUBLE` (type name in DDL: the contract's and ops tables' declared types) | `DOUBLE PRECISION` |
 * | `arg_max(v, k)` / `arg_min(v, k)` | `(array_agg(v ORDER BY k DESC|ASC) FILTER (WHERE v IS NOT NULL AND k IS NOT NULL))[1]` |
 * | `median(x)` | `percentile_cont(0.5) WITHIN GROUP (ORDER BY (x)::float8)` |
 * | `WITH w AS (…)` in a statement with `GROUPING SETS` | `WITH w AS MATERIALIZED (…)`: Citus cannot group by sets over distributed tables (a multi-shard query gave wrong rows), so the inputs are computed first and grouped on the coordinator |
 */
export interface PostgresStatement {
  /** The statement text for PostgreSQL. */
  readonly sql: string;
  /** Enum types the statement uses: name → values (the handle creates them once, before it runs). */
  readonly enums: ReadonlyMap<string, readonly string[]>;
}

/**
 * Rewrites a DuckDB-flavoured statement for PostgreSQL (see {@link PostgresStatement}).
 *
 * @example
 * toPostgres("SELECT arg_max(grade, scored_on) AS g, CAST(c AS ENUM('a', 'b')) AS e FROM t").sql
 * // SELECT (array_agg(grade ORDER BY scored_on DESC) FILTER (WHERE (grade) IS NOT NULL AND (scored_on) IS NOT NULL))[1] AS g,
 * //        CAST(c AS cq_compat.enum_5b4c0e2a1f) AS e FROM t
 */
export function toPostgres(text: string): PostgresStatement {
  const enums = new Map<string, readonly string[]>();
  let sql = rewriteCalls(text, 'arg_max', ([v, k], filter) => argAgg(v!, k!, 'DESC', filter));
  sql = rewriteCalls(sql, 'arg_min', ([v, k], filter) => argAgg(v!, k!, 'ASC', filter));
  sql = rewriteCalls(sql, 'median', ([x], filter) => `percentile_cont(0.5) WITHIN GROUP (ORDER BY (${x!.trim()})::float8)${filter ? ` FILTER (WHERE ${filter})` : ''}`);
  sql = sql.replace(/\bENUM\s*\(((?:\s*'(?:[^']|'')*'\s*,?)+)\)/g, (_all, list: string) => {
    const values = [...list.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replaceAll("''", "'"));
    const name = `${COMPAT_SCHEMA}.enum_${createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 10)}`;
    enums.set(name, values);
    return name;
  });
  if (inCode(sql, /\bGROUPING\s+SETS\b/gi)) sql = replaceInCode(sql, /\bAS\s+\((?=\s*SELECT\b)/gi, 'AS MATERIALIZED (');
  sql = replaceInCode(sql, /\bTINYINT\b/gi, 'SMALLINT');
  sql = replaceInCode(sql, /\bDOUBLE\b(?!\s+PRECISION)/gi, 'DOUBLE PRECISION');
  return { sql, enums };
}

/**
 * A statement that fills a distributed table on Citus, with every CTE inlined where it is used
 * (`AS NOT MATERIALIZED`) unless the model asks for `AS MATERIALIZED`. PostgreSQL materialises a
 * CTE used twice, and Citus turns a materialised CTE into an intermediate result computed through
 * the coordinator and shipped back to every shard; inlined, the CTE runs on the workers, next to
 * the rows it reads (a CTE over loan-grain rows is computed once per shard of the loan). A CTE that
 * cannot run on the shards of its consumer (a regrouping by another key) is still planned as an
 * intermediate result by Citus itself. DuckDB is unaffected (it never sees this text).
 *
 * @example
 * inlineCtes('WITH a AS (SELECT 1 AS x), b AS MATERIALIZED (SELECT 2 AS y) SELECT * FROM a, b')
 * // WITH a AS NOT MATERIALIZED (SELECT 1 AS x), b AS MATERIALIZED (SELECT 2 AS y) SELECT * FROM a, b
 */
export function inlineCtes(sql: string): string {
  return replaceInCode(sql, /\bAS\s+\((?=\s*SELECT\b)/gi, 'AS NOT MATERIALIZED (');
}

/**
 * The statement that creates an enum type if it does not exist yet.
 *
 * @example
 * createEnumSql('cq_compat.enum_ab', ['正常', '关注'])
 * // DO $$ BEGIN CREATE TYPE cq_compat.enum_ab AS ENUM ('正常', '关注'); EXCEPTION WHEN duplicate_object THEN NULL; END $$
 */
export function createEnumSql(name: string, values: readonly string[]): string {
  const list = values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
  return `DO $$ BEGIN CREATE TYPE ${name} AS ENUM (${list}); EXCEPTION WHEN duplicate_object THEN NULL; END $$`;
}

function argAgg(value: string, key: string, order: 'ASC' | 'DESC', filter: string | undefined): string {
  const v = value.trim();
  const k = key.trim();
  const also = filter ? ` AND (${filter})` : '';
  return `(array_agg(${v} ORDER BY ${k} ${order}) FILTER (WHERE (${v}) IS NOT NULL AND (${k}) IS NOT NULL${also}))[1]`;
}

/**
 * Replaces every call `name(args…)` (not `x.name(`, not inside a string or a comment) using
 * `make(args, filter)`; an aggregate's trailing `FILTER (WHERE cond)` is consumed and passed as `filter`.
 */
function rewriteCalls(sql: string, name: string, make: (args: string[], filter?: string) => string): string {
  const code = codeMask(sql);
  const re = new RegExp(`(?<![\\w."])${name}\\s*\\(`, 'gi');
  let out = '';
  let from = 0;
  for (;;) {
    re.lastIndex = from;
    const m = re.exec(sql);
    if (!m) break;
    const open = m.index + m[0].length;
    if (!code[m.index]) {
      out += sql.slice(from, open);
      from = open;
      continue;
    }
    const { args, end } = splitArgs(sql, open, code);
    const inner = args.map((a) => rewriteCalls(a, name, make));
    const f = /^\s*FILTER\s*\(\s*WHERE\b/i.exec(sql.slice(end + 1));
    if (f) {
      const clause = splitArgs(sql, end + 1 + f[0].length, code);
      out += sql.slice(from, m.index) + make(inner, rewriteCalls(clause.args.join(','), name, make).trim());
      from = clause.end + 1;
    } else {
      out += sql.slice(from, m.index) + make(inner);
      from = end + 1;
    }
  }
  return out + sql.slice(from);
}

/** True when `re` (global) matches outside strings and comments. */
function inCode(sql: string, re: RegExp): boolean {
  const code = codeMask(sql);
  return [...sql.matchAll(re)].some((m) => code[m.index] === 1);
}

/** `sql.replace(re, to)` outside string literals and comments. */
function replaceInCode(sql: string, re: RegExp, to: string): string {
  const code = codeMask(sql);
  return sql.replace(re, (match: string, ...rest: unknown[]) => {
    const at = rest.find((x) => typeof x === 'number') as number;
    return code[at] ? to : match;
  });
}

/** Top-level comma-separated arguments from just after `(` to the matching `)`. */
function splitArgs(sql: string, start: number, code: Uint8Array): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let argStart = start;
  for (let i = start; i < sql.length; i++) {
    if (!code[i]) continue;
    const c = sql[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        args.push(sql.slice(argStart, i));
        return { args, end: i };
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(sql.slice(argStart, i));
      argStart = i + 1;
    }
  }
  throw new Error(`unbalanced parentheses after position ${start} in: ${sql.slice(Math.max(0, start - 40), start + 40)}`);
}

/** 1 for each character of SQL code, 0 inside a '…' string literal or a -- comment. */
function codeMask(sql: string): Uint8Array {
  const mask = new Uint8Array(sql.length);
  let state: 'code' | 'string' | 'comment' = 'code';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (state === 'code') {
      if (c === "'") state = 'string';
      else if (c === '-' && sql[i + 1] === '-') state = 'comment';
      else mask[i] = 1;
    } else if (state === 'string') {
      if (c === "'") {
        if (sql[i + 1] === "'") i++;
        else state = 'code';
      }
    } else if (c === '\n') state = 'code';
  }
  return mask;
}
