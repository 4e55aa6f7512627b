import { writeFileSync } from 'node:fs';
import { entity, type EntityName } from '../../transforms/ingest/contract/index.js';

/**
 * One data row of an extract, keyed by column name. A column the row does not give is written
 * empty (NULL), so a new nullable contract column needs no change to the tests that build rows.
 */
export type ExtractRow = Readonly<Record<string, string>>;

/**
 * A data line written exactly as given, for tests that deliberately break the file format
 * (too few fields, an extra field). Build it with {@link literalLine}; every other row is an {@link ExtractRow}.
 */
export class LiteralLine {
  constructor(readonly text: string) {}
}

/**
 * A line written as is (a deliberately malformed line: too few or too many fields).
 *
 * @example
 * rows.surveys.push(literalLine('S009,C001,2026-09-15,app')); // one field short
 */
export function literalLine(text: string): LiteralLine {
  return new LiteralLine(text);
}

/** A data line of an extract file: a row by column name, or a literal (malformed) line. */
export type ExtractLine = ExtractRow | LiteralLine;

/** The contract's header line of an entity (column names in contract order). @example contractHeader('surveys') // 'survey_id,customer_id,surveyed_on,channel,score' */
export function contractHeader(name: EntityName): string {
  return entity(name)
    .columns.map((c) => c.name)
    .join(',');
}

/** One CSV field: quoted when it holds a comma, quote or line break (RFC 4180). @example csvField('a,b') // '"a,b"' */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * One data line for `header` (a comma-separated list of column names; the contract's by default):
 * each header column takes the row's value of that name, or empty. A row key that is neither a
 * contract column nor in the header is an error (a misspelt column would otherwise vanish silently).
 *
 * @example
 * rowLine('surveys', { survey_id: 'S1', customer_id: 'C001', score: '80' });
 * // 'S1,C001,,,80'
 */
export function rowLine(name: EntityName, line: ExtractLine, header: string = contractHeader(name)): string {
  if (line instanceof LiteralLine) return line.text;
  const columns = header.split(',');
  const known = new Set([...entity(name).columns.map((c) => c.name), ...columns]);
  const unknown = Object.keys(line).filter((k) => !known.has(k));
  if (unknown.length) throw new Error(`${name}: no column(s) ${unknown.join(', ')} in the contract or the header`);
  return columns.map((c) => csvField(line[c] ?? '')).join(',');
}

/**
 * The text of an extract CSV file: `header` (the contract's by default) and one line per row, each
 * ending in '\n'.
 *
 * @example
 * extractCsv('branches', [{ branch_id: 'BJ01', name_zh: '北京分行', name_en: 'Beijing Branch', region: '华北' }]);
 * // 'branch_id,name_zh,name_en,region\nBJ01,北京分行,Beijing Branch,华北\n'
 */
export function extractCsv(name: EntityName, lines: readonly ExtractLine[], header: string = contractHeader(name)): string {
  return [header, ...lines.map((l) => rowLine(name, l, header))].join('\n') + '\n';
}

/**
 * Writes an extract CSV file (see {@link extractCsv}).
 *
 * @example
 * writeExtractCsv(join(dateDir, 'surveys.csv'), 'surveys', [{ survey_id: 'S1', customer_id: 'C001', surveyed_on: '2026-09-15', channel: 'app', score: '80' }]);
 */
export function writeExtractCsv(path: string, name: EntityName, lines: readonly ExtractLine[], header?: string): void {
  writeFileSync(path, extractCsv(name, lines, header));
}

/**
 * A copy of `line` with some columns replaced: `values` or, to derive them from the row, a function
 * of it. A literal line cannot be edited by column (an error).
 *
 * @example
 * r.loan_balances = r.loan_balances.map((l) => withColumns(l, { as_of_date: '2026-10-31' }));
 * r.surveys = r.surveys.map((l) => withColumns(l, (row) => ({ survey_id: `${row.survey_id}b` })));
 */
export function withColumns(line: ExtractLine, values: ExtractRow | ((row: ExtractRow) => ExtractRow)): ExtractRow {
  if (line instanceof LiteralLine) throw new Error(`withColumns: a literal line cannot be edited by column: ${line.text}`);
  return { ...line, ...(typeof values === 'function' ? values(line) : values) };
}
