import type { EntityContract } from '../ingest/contract/index.js';
import type { SampleFormat } from './options.js';

/**
 * Builds the SELECT list of an extract file from per-column SQL expressions, in contract column
 * order and typed per the contract, so the written header and value formats follow the contract:
 * money as DECIMAL(18,2) (exactly two decimals), integers as INTEGER, dates as DATE, timestamps
 * to the second, booleans as true/false. Rates are rounded to 6 decimals; in CSV they are written
 * as text without trailing zeros (0.0435) because DuckDB would print tiny doubles in exponent
 * notation; Parquet keeps them DOUBLE.
 *
 * Throws when `exprs` does not name exactly the contract's columns — a generator bug, not a user error.
 *
 * @example
 * projectColumns(products, { product_id: 'id', name_zh: 'zh', name_en: 'en', segment: 'seg' }, 'csv');
 * // 'CAST(id AS VARCHAR) AS "product_id", …'
 */
export function projectColumns(entity: EntityContract, exprs: Readonly<Record<string, string>>, format: SampleFormat): string {
  const names = entity.columns.map((c) => c.name);
  const extra = Object.keys(exprs).filter((k) => !names.includes(k));
  const missing = names.filter((n) => !(n in exprs));
  if (extra.length > 0 || missing.length > 0)
    throw new Error(`generator columns of ${entity.name} disagree with the contract: missing [${missing.join(', ')}], extra [${extra.join(', ')}]`);
  return entity.columns
    .map((c) => {
      const e = exprs[c.name]!;
      let typed: string;
      switch (c.type) {
        case 'text':
          typed = `CAST(${e} AS VARCHAR)`;
          break;
        case 'integer':
          typed = `CAST(${e} AS INTEGER)`;
          break;
        case 'money':
          typed = `CAST(${e} AS DECIMAL(18,2))`;
          break;
        case 'rate':
          typed =
            format === 'csv'
              ? `regexp_replace(CAST(CAST(round(${e}, 6) AS DECIMAL(18,6)) AS VARCHAR), '\\.?0+$', '')`
              : `CAST(round(${e}, 6) AS DOUBLE)`;
          break;
        case 'date':
          typed = `CAST(${e} AS DATE)`;
          break;
        case 'timestamp':
          typed = `CAST(date_trunc('second', ${e}) AS TIMESTAMP)`;
          break;
        case 'boolean':
          typed = `CAST(${e} AS BOOLEAN)`;
          break;
      }
      return `${typed} AS "${c.name}"`;
    })
    .join(',\n  ');
}
