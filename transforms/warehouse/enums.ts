import { customers, loanBalances, loans } from '../ingest/contract/index.js';
import { FIVE_CLASSES } from '../policy/five-category.js';
import type { FloorRules } from '../policy/classification-floor.js';
import { quoteLiteral } from '../lib/duckdb.js';
import { DELINQUENCY_BUCKETS } from './rules-sql.js';

/**
 * DuckDB ENUM types for the low-cardinality codes of the big facts. An ENUM is stored as a
 * one-byte code, so the month-end facts (15–20 million rows on a large book) are written and
 * grouped several times faster than with VARCHAR; it compares, filters and prints like text.
 * The code lists come from the extract contract and the rules, so they cannot drift.
 */

/** `ENUM('a', 'b', …)` type literal. @example enumType(['A', 'B']) // "ENUM('A', 'B')" */
export function enumType(values: readonly string[]): string {
  return `ENUM(${[...new Set(values)].map(quoteLiteral).join(', ')})`;
}

/** `CAST(expr AS ENUM(...))`. @example asEnum('recorded_class', FIVE_CLASS_ENUM) */
export function asEnum(expr: string, type: string): string {
  return `CAST(${expr} AS ${type})`;
}

function contractValues(entity: { columns: readonly { name: string; values?: readonly string[] }[] }, column: string): readonly string[] {
  const values = entity.columns.find((c) => c.name === column)?.values;
  if (!values) throw new Error(`contract column ${column} has no value list`);
  return values;
}

export const FIVE_CLASS_ENUM = enumType(FIVE_CLASSES);
export const LOAN_STATUS_ENUM = enumType(contractValues(loanBalances, 'status'));
export const BUCKET_ENUM = enumType(DELINQUENCY_BUCKETS);
export const PRODUCT_ENUM = enumType(contractValues(loans, 'product_id'));
export const CURRENCY_ENUM = enumType(contractValues(loans, 'currency'));
export const CUSTOMER_TYPE_ENUM = enumType([...contractValues(customers, 'customer_type'), 'unknown']);
export const RECORDED_GRADE_ENUM = enumType(contractValues(customers, 'grade'));
export const GRADE_ENUM = enumType([...contractValues(customers, 'grade'), 'ungraded']);

/** Floor-rule labels for the given rules: 'none', 'restructured', 'dpd>N'. */
export function floorRuleEnum(rules: FloorRules): string {
  return enumType(['none', 'restructured', ...rules.dpd.map((r) => `dpd>${Math.trunc(r.overDays)}`)]);
}
