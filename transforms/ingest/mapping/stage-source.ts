import { join } from 'node:path';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import type { ExtractEncoding } from '../load/extract-files.js';
import { scanCsvFile } from '../load/file-scan.js';
import type { LocatedSource } from './mapping-location.js';
import type { SourceSpec } from './mapping-types.js';

/** A source file read once into a temp table `table`: `_k` (parsed row number), `_line` (physical line), source columns as text. */
export interface StagedSource {
  readonly source: SourceSpec;
  readonly path: string;
  readonly table: string;
  /** Temp table of CSV lines DuckDB could not parse (copied per entity for the loader), or null when there are none. */
  readonly rejectsTable: string | null;
  readonly header: readonly string[];
  readonly sha256: string;
  readonly bytes: number;
  readonly encoding: ExtractEncoding;
  readonly missingFinalNewline: boolean;
  /** Parsed rows + unparseable lines = data lines of the file. */
  readonly rowsParsed: number;
  readonly linesRejected: number;
}

/**
 * Reads a mapping's source CSV into a temp table of the warehouse, once per load: encoding
 * checked (GB18030 transcoded), CRLF line ends accepted, every value kept as text exactly as
 * delivered, and the physical line of every row (so lineage and rejects point at the lender's own
 * file). Lines DuckDB cannot parse are kept in a rejects table, to be reported by every entity
 * the row feeds. `file` comes from locateSourceFile (inside the delivery); the checked real path
 * is what is read. Only loader SQL runs here: no mapping expression.
 *
 * @example
 * const file = locateSourceFile(spec, spec.sources.lc!, 'datasets/public', 'datasets/public');
 * const staged = await stageSource(wh, spec.sources.lc!, file, 'utf-8', tmp, 0);
 * staged.header.length; // 55
 */
export async function stageSource(
  wh: WarehouseHandle,
  source: SourceSpec,
  file: LocatedSource,
  encoding: ExtractEncoding,
  tempDir: string,
  index: number,
): Promise<StagedSource> {
  const path = file.path;
  const scan = await scanCsvFile(file.realPath, encoding, join(tempDir, `map-${index}.utf8.csv`));
  if (scan.bytes === 0 || scan.headerLine.trim() === '') {
    throw new CqError('EXTRACT_MISSING_COLUMN', `${path}: the file is empty (no header line). Fix: deliver the file with its header row.`, { file: path, line: 1 });
  }
  const header = scan.headerLine.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1').trim());
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup !== undefined) {
    throw new CqError('EXTRACT_UNREADABLE', `${path}: line 1 (header): column "${dup}" appears twice. Fix: re-deliver the file with unique column names.`, { file: path, line: 1, column: dup });
  }
  const table = `_map_src_${index}`;
  const err = `${table}_err`;
  const columns = `{${header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}`;
  // The file's own line ends, counted on its bytes by the scan (a mixed file is read from its LF copy):
  // told any other new_line, DuckDB would read a lone-CR file as one header line and 0 rows.
  const read = `read_csv(${lit(scan.readPath)}, header = true, auto_detect = false, columns = ${columns}, delim = ',', quote = '"', escape = '"', new_line = ${lit(scan.newLine)}, store_rejects = true, rejects_table = ${lit(err)}, rejects_scan = ${lit(`${table}_scan`)}, max_line_size = 1048576)`;
  const cols = header.map((h) => q(h)).join(', ');
  await wh.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS SELECT _k, _k + 1 AS _line, ${cols} FROM (SELECT row_number() OVER () AS _k, * FROM ${read}); DROP TABLE IF EXISTS ${table}_scan;`);
  const rejected = (await wh.all<{ line: bigint }>(`SELECT DISTINCT line FROM ${err} ORDER BY line`)).map((r) => Number(r.line));
  if (rejected.length) {
    // Parsed row k sits on line k + 1 + #{unparseable lines r_j (1-based j, sorted): r_j - 1 - j < k} (as in the loader).
    const thresholds = rejected.map((r, j) => r - 1 - (j + 1));
    await wh.exec(
      `CREATE OR REPLACE TEMP TABLE ${table}_lines AS SELECT _k, _k + 1 + len(list_filter([${thresholds.join(',')}]::BIGINT[], t -> t < _k)) AS _line, ${cols} FROM ${table};
       DROP TABLE ${table}; ALTER TABLE ${table}_lines RENAME TO ${table};`,
    );
  }
  if (rejected.length === 0) await wh.exec(`DROP TABLE IF EXISTS ${err}`);
  const [n] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
  const parsed = Number(n?.n ?? 0);
  const headerEnd = scan.headerBytes + (scan.lineEnd === 'crlf' ? 2 : 1);
  if (parsed + rejected.length === 0 && scan.bytes > headerEnd) {
    throw new CqError(
      'EXTRACT_STRUCTURE',
      `${path}: ${scan.bytes} bytes, of which the header line is ${scan.headerBytes}, but no row after line 1 could be read (line ends: ${scan.lineEnd}). Nothing of the business date was loaded. Fix: re-deliver the file as CSV with one header line and one line per row, see docs/mappings.md.`,
      { file: path, line: 2 },
    );
  }
  return {
    source,
    path,
    table,
    rejectsTable: rejected.length ? err : null,
    header,
    sha256: scan.sha256,
    bytes: scan.bytes,
    encoding,
    missingFinalNewline: scan.missingFinalNewline,
    rowsParsed: parsed,
    linesRejected: rejected.length,
  };
}

/** Drops the temp tables of staged sources. @example await dropStaged(wh, [staged]); */
export async function dropStaged(wh: WarehouseHandle, staged: Iterable<StagedSource>): Promise<void> {
  for (const s of staged) await wh.exec(`DROP TABLE IF EXISTS ${s.table}; DROP TABLE IF EXISTS ${s.table}_err;`);
}
