import {
  DuckDBArrayValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { csvField } from '../../lib/csv.js';

/**
 * Text forms of DuckDB values for the console's outputs. Exact types stay exact: DECIMAL
 * and BIGINT / HUGEINT are written digit for digit (never through a float), dates as
 * `YYYY-MM-DD`, timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]` (DuckDB's text); FLOAT / DOUBLE
 * in JavaScript's shortest round-trip form (`50`, `0.1`).
 */

const NUMERIC_TYPES: ReadonlySet<DuckDBTypeId> = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
]);

/** True for number types (right-aligned in the table, bare in JSON). @example isNumericType(DOUBLE) // true */
export function isNumericType(type: DuckDBType): boolean {
  return NUMERIC_TYPES.has(type.typeId);
}

/** Column names that hold identifiers, codes, years or periods: numbers shown without thousands separators. */
const UNGROUPED_NAME = /(^|_)(id|code|year|yr|yyyymm|yyyymmdd|period|date)$/i;

/**
 * Whether the terminal table shows a column's numbers with thousands separators: only number
 * types, and not identifiers, codes, years or periods by their name (`branch_id`, `product_code`,
 * `vintage_year`). Dates are not number types, so never grouped. CSV, JSON, Parquet and Arrow
 * always carry the raw value.
 *
 * @example
 * groupsThousands('outstanding_principal', DOUBLE); // true
 * groupsThousands('loan_id', BIGINT); // false
 */
export function groupsThousands(name: string, type: DuckDBType): boolean {
  return isNumericType(type) && !UNGROUPED_NAME.test(name);
}

/**
 * A number's text with a comma between each group of three integer digits; the sign, the
 * fraction and its digits stay as they are. Text that is not a plain decimal number
 * (`1e+300`, `nan`, `inf`) is returned unchanged.
 *
 * @example
 * groupThousands('1234567.89'); // '1,234,567.89'
 * groupThousands('-1000'); // '-1,000'
 * groupThousands('0.000123'); // '0.000123'
 */
export function groupThousands(text: string): string {
  const m = /^([-+]?)(\d+)(\.\d+)?$/.exec(text);
  if (!m) return text;
  return `${m[1]}${m[2]!.replace(/\B(?=(\d{3})+$)/g, ',')}${m[3] ?? ''}`;
}

function numberText(v: number): string {
  if (Number.isFinite(v)) return String(v);
  return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
}

/**
 * DuckDB's text of a non-NULL value.
 *
 * @example
 * valueText(new DuckDBDecimalValue(177500000n, 18, 2)); // '1775000.00'
 */
export function valueText(v: Exclude<DuckDBValue, null>): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      return numberText(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return String(v);
  }
}

/**
 * A JSON value: numbers (incl. DECIMAL and 64/128-bit integers, written exactly) bare,
 * NaN / ±Infinity as null, lists as arrays, structs and maps as objects, everything else
 * (dates, timestamps, intervals, UUIDs, blobs) as DuckDB's text in a string.
 *
 * @example
 * jsonText(new DuckDBDecimalValue(12345n, 18, 2)); // '123.45'
 */
export function jsonText(v: DuckDBValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : 'null';
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (v instanceof DuckDBDecimalValue) return v.toString();
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return `[${v.items.map(jsonText).join(',')}]`;
  if (v instanceof DuckDBStructValue) return `{${Object.entries(v.entries).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  if (v instanceof DuckDBMapValue) return `{${v.entries.map((e) => `${JSON.stringify(e.key === null ? 'null' : valueText(e.key))}:${jsonText(e.value)}`).join(',')}}`;
  return JSON.stringify(String(v));
}

/**
 * A value as a CSV field ({@link csvField} of lib/csv.ts: RFC 4180 quoting and, for text values,
 * the spreadsheet formula-injection guard): NULL → empty, empty string → `""`, text a spreadsheet
 * would run as a formula → prefixed with `'`; numbers, dates and other typed values as DuckDB's text.
 *
 * @example
 * csvValue('a,b'); // '"a,b"'
 * csvValue('=1+1'); // "'=1+1"
 * csvValue(-5); // '-5'
 */
export function csvValue(v: DuckDBValue): string {
  if (v === null) return '';
  const s = valueText(v);
  if (s === '') return '""';
  return csvField(s, typeof v === 'string');
}
