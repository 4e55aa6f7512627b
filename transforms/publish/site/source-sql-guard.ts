/**
 * The guard on the Evidence source queries (`sources/warehouse/*.sql`): their results become
 * Parquet files shipped to every browser, so they may read aggregates only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Schemas a source query may read: aggregates only (ops: only {@link ALLOWED_OPS_TABLES}). */
export const ALLOWED_SOURCE_SCHEMAS = ['metrics', 'marts', 'ops'] as const;

/**
 * Operational tables the data-quality page may read (`ops.<table>`), and `month_closes` for the
 * 已重述 Restated marker of the month selector (its source ships months and counts, never who or
 * why). Other ops tables (e.g. the mapping tables, which hold source values) are refused.
 */
export const ALLOWED_OPS_TABLES = ['load_audit', 'rejected_rows', 'data_test_results', 'runs', 'run_steps', 'month_closes'] as const;

/**
 * Reference tables of the core schema a source query may read: labels of codes, branches and
 * products, and the post-loan warning rules in force (no customer or loan in them), so every page
 * shows the same label for a code or a rule.
 */
export const ALLOWED_REFERENCE_TABLES = ['core.dim_code_labels', 'core.dim_warning_rules'] as const;

/**
 * Tables with one row per loan / check / rejected record: a source query may read them only
 * AGGREGATED (it must have a GROUP BY), so no loan id or record leaves the warehouse.
 */
export const ROW_LEVEL_TABLES = [
  'ops.rejected_rows',
  'marts.mart_risk__new_npls',
  'marts.mart_risk__npl_movement_loans',
  'marts.mart_ops__verification_audits',
  'marts.mart_ops__verification_submissions',
  'marts.mart_customer__overdue_credit_files',
] as const;

/** Schemas that hold customer/loan-level data: named in the guard's message. */
const FORBIDDEN_SCHEMAS = ['raw', 'staging', 'core'];

/**
 * Returns problems (empty = fine) with the source queries of `sourceDir`. Every query must:
 * - select only from schema-qualified `metrics.*`, `marts.*`, `ops.<ALLOWED_OPS_TABLES>` or the
 *   reference tables of {@link ALLOWED_REFERENCE_TABLES} (or its own CTEs) — never `raw`,
 *   `staging`, other `core` tables or another database;
 * - not use file/extension functions (`read_parquet`, `attach`, …) or `initialize.sql`;
 * - never mention the column `raw_record` (ops.rejected_rows keeps the rejected source record);
 * - list its columns: no `*` projection (`select *`, `t.*`, `* exclude`) nor `columns(…)`, which
 *   would silently ship a column added later (`count(*)` is fine);
 * - read the row-level tables of {@link ROW_LEVEL_TABLES} only with a GROUP BY.
 * A regex guard, not a SQL parser: the PII scan of the built site (test/publish/site/pii-scan.test.ts) is
 * the second line of defence.
 *
 * @example
 * checkSourceSql('sources/warehouse'); // [] when every query is fine
 * // a file holding `select name from raw.customers` gives
 * // ['q.sql: reads "raw.customers" (raw holds customer/loan-level data); only metrics.* / marts.* / ops.{…} may be shipped to the browser']
 */
export function checkSourceSql(sourceDir: string): string[] {
  const problems: string[] = [];
  const files = readdirSync(sourceDir).filter((f) => f.endsWith('.sql'));
  for (const file of files) {
    if (file === 'initialize.sql') {
      problems.push(`${file}: initialize.sql runs arbitrary SQL before every source query; not allowed`);
      continue;
    }
    const raw = readFileSync(join(sourceDir, file), 'utf8');
    const sql = raw
      .replace(/--[^\n]*/g, ' ')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/'(?:[^']|'')*'/g, "''");
    const lower = sql.toLowerCase();
    const noComments = raw.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').toLowerCase();
    if (noComments.includes('raw_record')) {
      problems.push(`${file}: mentions raw_record; the rejected source record never leaves the warehouse (ship counts by reason instead)`);
    }
    // `*` as a projection: after select/distinct/a comma/a dot (t.*), or followed by exclude/replace.
    const withoutCountStar = lower.replace(/\bcount\s*\(\s*\*\s*\)/g, 'count(1)');
    if (/(?:\bselect|\bdistinct|,|\.)\s*\*|\*\s*(?:exclude|replace)\b/.test(withoutCountStar) || /\bcolumns\s*\(/.test(lower)) {
      problems.push(`${file}: uses a * projection or columns(); list the columns (a column added to a table later must not reach the browser unnoticed)`);
    }
    for (const fn of ['read_parquet', 'read_csv', 'read_json', 'parquet_scan', 'attach', 'glob(', 'read_text', 'read_blob', 'copy ', 'install ', 'load ']) {
      if (lower.includes(fn)) problems.push(`${file}: uses "${fn.trim()}"; source queries may only select from tables`);
    }
    // CTE names are allowed as unqualified relations.
    const ctes = new Set([...sql.matchAll(/(?:with|,)\s+(?:recursive\s+)?("?[\w]+"?)\s+as\s*\(/gi)].map((m) => unquote(m[1]!)));
    for (const m of sql.matchAll(/\b(?:from|join)\s+(?!\()("?[\w$]+"?(?:\s*\.\s*"?[\w$]+"?){0,2})/gi)) {
      const parts = m[1]!.split('.').map((p) => unquote(p.trim()));
      if (parts.length === 1) {
        if (!ctes.has(parts[0]!)) problems.push(`${file}: "${m[1]}" is not schema-qualified; use metrics.<table> or marts.<table>`);
        continue;
      }
      const schema = (parts.length === 3 ? parts[1]! : parts[0]!).toLowerCase();
      const table = parts.at(-1)!.toLowerCase();
      if ((ALLOWED_REFERENCE_TABLES as readonly string[]).includes(`${schema}.${table}`)) continue;
      if (!(ALLOWED_SOURCE_SCHEMAS as readonly string[]).includes(schema)) {
        const why = FORBIDDEN_SCHEMAS.includes(schema) ? ` (${schema} holds customer/loan-level data)` : '';
        problems.push(
          `${file}: reads "${m[1]}"${why}; only metrics.* / marts.* / ops.{${ALLOWED_OPS_TABLES.join(',')}} may be shipped to the browser`,
        );
        continue;
      }
      if (schema === 'ops' && !(ALLOWED_OPS_TABLES as readonly string[]).includes(table)) {
        problems.push(`${file}: reads "${m[1]}"; of the ops schema only ${ALLOWED_OPS_TABLES.map((t) => `ops.${t}`).join(', ')} may be shipped`);
      }
      if ((ROW_LEVEL_TABLES as readonly string[]).includes(`${schema}.${table}`) && !/\bgroup\s+by\b/.test(lower)) {
        problems.push(`${file}: reads the row-level table ${schema}.${table} without GROUP BY; ship it aggregated only`);
      }
    }
  }
  if (files.length === 0) problems.push(`${sourceDir}: no .sql source queries`);
  return problems;
}

function unquote(s: string): string {
  return s.replace(/^"|"$/g, '');
}
