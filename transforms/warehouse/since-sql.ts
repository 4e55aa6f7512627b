import { sql, type RawBuilder } from 'kysely';

/**
 * The row filter of a month-incremental model (see `ModelDefinition.incremental`): empty for a
 * full build, else `AND <column> >= DATE 'since'` (or `WHERE …`).
 *
 * @example
 * sql`SELECT … FROM core.fct_loan_month_ends WHERE is_on_book ${sinceSql(since)}`
 */
export function sinceSql(since: string | undefined, options: { column?: string; keyword?: 'AND' | 'WHERE' } = {}): RawBuilder<unknown> {
  if (!since) return sql.raw('');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new Error(`since must be YYYY-MM-DD, got ${since}`);
  return sql.raw(`${options.keyword ?? 'AND'} ${options.column ?? 'as_of_month'} >= DATE '${since}'`);
}
