import { entity, type EntityName } from '../../transforms/ingest/contract/index.js';

/**
 * One CSV data line of an extract, built by column name in the contract's column order
 * (columns not given are empty). A field holding a comma, quote or line break is quoted (RFC 4180).
 *
 * @example
 * csvLine('loan_balances', { as_of_date: '2026-09-30', loan_id: 'L001', status: 'active' });
 * // '2026-09-30,L001,,,,,,,active'
 */
export function csvLine(name: EntityName, values: Readonly<Record<string, string>>): string {
  const columns = entity(name).columns.map((c) => c.name);
  const unknown = Object.keys(values).filter((k) => !columns.includes(k));
  if (unknown.length) throw new Error(`csvLine: ${name} has no column(s) ${unknown.join(', ')}`);
  return columns
    .map((c) => {
      const v = values[c] ?? '';
      return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
    })
    .join(',');
}
