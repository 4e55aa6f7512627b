import type { ColumnContract } from '../contract/index.js';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import { mappingError } from './mapping-errors.js';
import type { ColumnSpec, MappingSpec } from './mapping-types.js';

/** What a column spec needs to become SQL for one business date. */
export interface ColumnSqlContext {
  readonly spec: MappingSpec;
  /** Per-date variables, including `business_date`. */
  readonly vars: Readonly<Record<string, string>>;
  /** Alias of the staged source table (columns: `_line` + source columns as read). */
  readonly alias: string;
  /** Source texts that mean "no value", besides ''. */
  readonly nullValues: readonly string[];
  /**
   * Vets an expanded `expr` (expression-grammar.ts) and returns the text to put into the query;
   * throws MAPPING_FORBIDDEN for anything outside the expression grammar. No `expr` reaches the
   * SQL without passing through it.
   */
  readonly vet: (expr: string, key: string) => Promise<string>;
}

/** A contract column as SQL over the staged source. */
export interface ColumnSql {
  /** VARCHAR expression giving the contract column's text (the loader then checks and types it). */
  readonly value: string;
  /** BOOLEAN expression: true when `default` filled the value; null when the spec has no default. */
  readonly defaulted: string | null;
  /** The value fed to `translate` (for the untranslatable-code check before loading), if any. */
  readonly translateInput: string | null;
  /** Source columns the value reads, each with the mapping key that names it. */
  readonly sourceColumns: readonly { readonly column: string; readonly key: string }[];
  /** Human description for reject messages, e.g. `source column loan_status via code table status_class`. */
  readonly origin: string;
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const PLACEHOLDER = /\{([^{}'"\n]+)\}/g;

/**
 * Replaces `${name}` with the business date's variables; an unknown name is a `MAPPING_INVALID` error.
 *
 * @example
 * substituteVars('BILL_AMT${n}', { n: '1' }, spec, 'entities.loan_balances.columns.outstanding_principal.source'); // 'BILL_AMT1'
 */
export function substituteVars(text: string, vars: Readonly<Record<string, string>>, spec: MappingSpec, key: string): string {
  return text.replace(VAR, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      throw mappingError('MAPPING_INVALID', spec, key, `unknown variable \${${name}}. Known: ${Object.keys(vars).map((k) => `\${${k}}`).join(', ')} (define variables per date under business_dates).`);
    }
    return v;
  });
}

/**
 * A source column as a trimmed text where '' and the source's null values are NULL.
 *
 * @example
 * sourceRef('balance', 's', ['NA']); // CASE WHEN trim(s."balance") IN ('', 'NA') THEN NULL ELSE trim(s."balance") END
 */
export function sourceRef(column: string, alias: string, nullValues: readonly string[]): string {
  if (column === '_line') return `${alias}._line`;
  const v = `trim(${alias}.${q(column)})`;
  return `CASE WHEN ${v} IN (${['', ...nullValues].map(lit).join(', ')}) THEN NULL ELSE ${v} END`;
}

/**
 * Compiles one column spec for one business date into SQL over the staged source, following the
 * order value → translate → date_format → scale/numeric → default (see docs/mappings.md). Only an
 * `expr` is SQL text from the mapping: it is expanded (`${var}`, `{COLUMN}`), vetted by `ctx.vet`
 * and spliced as DuckDB's rendering of it; every other value enters as a quoted literal or
 * identifier.
 *
 * @example
 * (await columnSql(loans.columns[6], { source: 'interest_rate', scale: 0.01, … }, ctx)).value;
 * // text of interest_rate × 0.01 as a DOUBLE, e.g. '0.1407'
 * (await columnSql(branchId, { expr: "'US-' || {state}", … }, ctx)).value;
 * // nullif(trim(CAST((('US-' || CASE WHEN ((main."trim"(s.state) IN ('', 'NA'))) THEN (NULL) ELSE main."trim"(s.state) END)) AS VARCHAR)), '')
 */
export async function columnSql(col: ColumnContract, cs: ColumnSpec, ctx: ColumnSqlContext): Promise<ColumnSql> {
  const sub = (text: string, k: string) => substituteVars(text, ctx.vars, ctx.spec, `${cs.key}.${k}`);
  const sourceColumns: { column: string; key: string }[] = [];
  const origin: string[] = [];
  let v: string;
  if (cs.source !== null) {
    const column = sub(cs.source, 'source');
    sourceColumns.push({ column, key: `${cs.key}.source` });
    v = sourceRef(column, ctx.alias, ctx.nullValues);
    origin.push(`source column ${column}`);
  } else if (cs.expr !== null) {
    const expr = sub(cs.expr, 'expr').replace(PLACEHOLDER, (_m, name: string) => {
      const column = name.trim();
      if (column !== '_line') sourceColumns.push({ column, key: `${cs.key}.expr` });
      return sourceRef(column, ctx.alias, ctx.nullValues);
    });
    v = `nullif(trim(CAST((${await ctx.vet(expr, `${cs.key}.expr`)}) AS VARCHAR)), '')`;
    const cols = [...new Set(sourceColumns.map((s) => s.column))];
    origin.push(cols.length ? `expression over source column${cols.length > 1 ? 's' : ''} ${cols.join(', ')}` : 'mapping expression');
  } else if (cs.const !== null) {
    v = lit(sub(cs.const, 'const'));
    origin.push('mapping constant');
  } else {
    v = lit(sub(cs.default!, 'default'));
    origin.push('mapping default: the source lacks this field');
    return { value: v, defaulted: 'true', translateInput: null, sourceColumns, origin: origin.join('') };
  }

  let translateInput: string | null = null;
  if (cs.translate) {
    const table = ctx.spec.codeTables[cs.translate.table]!;
    const idx = cs.translate.column === null ? 0 : table.columns!.indexOf(cs.translate.column);
    translateInput = v;
    const whens = [...table.rows].map(([code, vals]) => `WHEN ${lit(code)} THEN ${lit(vals[idx]!)}`).join(' ');
    const otherwise = cs.otherwise === null ? 'NULL' : lit(sub(cs.otherwise, 'otherwise'));
    v = `(CASE WHEN ${v} IS NULL THEN NULL ELSE (CASE ${v} ${whens} ELSE ${otherwise} END) END)`;
    origin.push(` via code table ${cs.translate.table}${cs.translate.column ? `.${cs.translate.column}` : ''}`);
  }
  if (cs.dateFormat !== null) {
    const fmt = sub(cs.dateFormat, 'date_format');
    const out = col.type === 'timestamp' ? '%Y-%m-%d %H:%M:%S' : '%Y-%m-%d';
    v = `coalesce(strftime(try_strptime(${v}, ${lit(fmt)}), ${lit(out)}), ${v})`;
    origin.push(` read as ${fmt}`);
  }
  if (cs.scale !== null || cs.numeric) {
    v = numericSql(v, col, cs.scale);
    if (cs.scale !== null) origin.push(` × ${cs.scale}`);
  }
  let defaulted: string | null = null;
  if (cs.default !== null) {
    defaulted = `(${v} IS NULL)`;
    v = `coalesce(${v}, ${lit(sub(cs.default, 'default'))})`;
    origin.push(`, default ${cs.default} when empty`);
  }
  return { value: v, defaulted, translateInput, sourceColumns, origin: origin.join('') };
}

/**
 * Numeric normalisation (and unit conversion when `scale` is set). A value that is not a
 * number stays as it was, so the contract check rejects it and shows it. Money after scaling
 * is rounded half away from zero to the cent; without scaling it is never rounded (a plain
 * amount passes through as delivered). Text is parsed via DECIMAL(18,6) first: DuckDB parses
 * wider decimals from text very slowly, so DECIMAL(38,6) is only the fallback for huge values.
 */
function numericSql(v: string, col: ColumnContract, scale: number | null): string {
  const x = `CAST(coalesce(TRY_CAST(${v} AS DECIMAL(18,6)), TRY_CAST(${v} AS DECIMAL(38,6))) AS DECIMAL(38,6))`;
  const y = scale === null ? x : `(${x} * CAST(${scale} AS DECIMAL(18,8)))`;
  const tidy = (d: string) => `regexp_replace(regexp_replace(CAST(${d} AS VARCHAR), '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '')`;
  let out: string;
  switch (col.type) {
    case 'money':
      out =
        scale === null
          ? `CASE WHEN regexp_full_match(${v}, '-?[0-9]{1,16}(\\.[0-9]{1,2})?') THEN ${v} WHEN ${y} = round(${y}, 2) THEN CAST(CAST(${y} AS DECIMAL(18,2)) AS VARCHAR) ELSE ${v} END`
          : `CAST(CAST(round(${y}, 2) AS DECIMAL(18,2)) AS VARCHAR)`;
      break;
    case 'integer':
      out = `CASE WHEN ${y} = trunc(${y}) THEN CAST(CAST(${y} AS HUGEINT) AS VARCHAR) ELSE ${tidy(y)} END`;
      break;
    case 'rate':
      out = `CAST(CAST(${y} AS DOUBLE) AS VARCHAR)`;
      break;
    default:
      out = tidy(y);
  }
  return `(CASE WHEN ${x} IS NULL THEN ${v} ELSE ${out} END)`;
}
