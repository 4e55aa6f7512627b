import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import type { ExtractFile } from './extract-files.js';
import { hashFile, scanCsvFile, type LineEnd } from './file-scan.js';
import { keyCheckSql, truncatedReasonSql, typedCheckSql, typedInputColumn } from './validation-sql.js';

/** Per-file outcome, written to `ops.load_audit`. */
export interface FileLoadResult {
  entity: string;
  path: string;
  sha256: string;
  bytes: number;
  encoding: string;
  format: string;
  mapping: string | null;
  extraColumns: string[];
  rowsRead: number;
  rowsLoaded: number;
  rowsRejected: number;
  startedAt: Date;
  finishedAt: Date;
}

/** A file checked for structure (header, encoding) and ready to be read by DuckDB. */
export interface PreparedFile {
  file: ExtractFile;
  sha256: string;
  bytes: number;
  /**
   * SQL relation with one column per contract column (and `_rn` when `rowNumber` is 'relation'):
   * VARCHAR, except the columns in `typedColumns`.
   */
  relationSql: string;
  /** Columns the relation delivers already in the contract's type (Parquet), checked as typed values. */
  typedColumns?: readonly string[];
  /**
   * Where a row's number comes from: 'order' (default) — the file's own row order, kept by
   * DuckDB's order-preserving insert; 'relation' — a 1-based `_rn` column of the relation
   * (mapped files, whose rows are assembled from several source rows).
   */
  rowNumber?: 'order' | 'relation';
  /** CSV parse failures DuckDB collected (rejects table), if any. */
  csvRejectsTable: string | null;
  /**
   * Native CSV files: the file read (a link's resolved path), its header's size in bytes and its
   * line ends, so that a file with data after the header of which no row was read is refused
   * (see stageFile) instead of loading 0 rows.
   */
  csvSource?: { path: string; headerBytes: number; lineEnd: LineEnd };
  extraColumns: string[];
  missingFinalNewline: boolean;
  mapping: string | null;
  /**
   * Mapped files only: where each contract column came from (e.g. `source column BILL_AMT1`),
   * appended to rejection messages so they name the lender's own column.
   */
  columnSources?: Readonly<Record<string, string>>;
  /**
   * Mapped files only: SQL expression (may use `c._line`, the source line) giving
   * `ops.rejected_rows.raw_record`, e.g. the whole source row as JSON. Default: the contract columns.
   */
  rawRecordSql?: string;
}

/**
 * Structural checks of one extract file before anything is written: encoding (transcoding
 * GB18030 into `tempDir`; a UTF-8 file declared GB18030 is refused), line ends (`\n`, `\r\n`,
 * `\r`, or mixed: read from a `\n` copy), header names unique and holding every contract column.
 * Failures throw `CqError` naming the file, line 1 and the column; they never quote the file's
 * content beyond column names (see checkColumns).
 *
 * @example
 * const prepared = await prepareFile(wh, file, '/tmp/load-x', 0);
 */
export async function prepareFile(wh: WarehouseHandle, file: ExtractFile, tempDir: string, index: number): Promise<PreparedFile> {
  const wanted = file.entity.columns.map((c) => c.name);
  // Read the resolved path the locator checked (a link swapped since is not followed); messages name file.path.
  const source = file.realPath ?? file.path;
  if (file.format === 'parquet') {
    const { sha256, bytes } = await hashFile(source);
    let described: { column_name: string; column_type: string }[];
    try {
      described = await wh.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${lit(source)})`);
    } catch (e) {
      throw new CqError('EXTRACT_UNREADABLE', `${file.path}: not a readable Parquet file (${engineProblem(e)}). Fix: re-deliver the file.`, { file: file.path }, { cause: e });
    }
    const present = described.map((r) => r.column_name);
    checkColumns(file, present);
    // Columns stored in the contract's own type skip the text round trip (see typedInputColumn).
    const typedColumns = file.entity.columns
      .filter((c) => typedInputColumn(c, described.find((d) => d.column_name === c.name)!.column_type))
      .map((c) => c.name);
    const cols = wanted.map((c) => (typedColumns.includes(c) ? q(c) : `CAST(${q(c)} AS VARCHAR) AS ${q(c)}`)).join(', ');
    return {
      file,
      sha256,
      bytes,
      relationSql: `(SELECT ${cols} FROM read_parquet(${lit(source)}))`,
      typedColumns,
      csvRejectsTable: null,
      extraColumns: present.filter((c) => !wanted.includes(c)),
      missingFinalNewline: false,
      mapping: null,
    };
  }
  const scan = await scanCsvFile(source, file.encoding, join(tempDir, `${index}-${file.entity.name}.utf8.csv`), file.path);
  if (scan.bytes === 0 || scan.headerLine.trim() === '') {
    throw new CqError('EXTRACT_MISSING_COLUMN', `${file.path}: the file is empty (no header line). Fix: deliver at least the header row: ${wanted.join(',')}.`, { file: file.path, line: 1 });
  }
  const header = parseHeader(scan.headerLine);
  checkHeaderNames(file, header);
  checkColumns(file, header);
  const rejects = `_rej_${index}`;
  const columns = `{${header.map((h) => `${lit(h)}: 'VARCHAR'`).join(', ')}}`;
  // The file's own line ends (counted by the scan): with any other new_line, DuckDB's strict parser
  // reads a CRLF file as one header line and 0 rows, without an error.
  const read = `read_csv(${lit(scan.readPath)}, header = true, auto_detect = false, columns = ${columns}, delim = ',', quote = '"', escape = '"', new_line = ${lit(scan.newLine)}, store_rejects = true, rejects_table = ${lit(`${rejects}_err`)}, rejects_scan = ${lit(`${rejects}_scan`)}, max_line_size = 1048576)`;
  const cols = wanted.map((c) => q(c)).join(', ');
  return {
    file,
    sha256: scan.sha256,
    bytes: scan.bytes,
    relationSql: `(SELECT ${cols} FROM ${read})`,
    csvRejectsTable: `${rejects}_err`,
    csvSource: { path: source, headerBytes: scan.headerBytes, lineEnd: scan.lineEnd },
    extraColumns: header.filter((c) => !wanted.includes(c)),
    missingFinalNewline: scan.missingFinalNewline,
    mapping: null,
  };
}

function parseHeader(line: string): string[] {
  return line.split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1').trim());
}

/**
 * Header names must be non-empty and unique: DuckDB column names ignore case, so `loan_id` and
 * `LOAN_ID` are the same column (and would fail inside DuckDB with a Binder error).
 */
function checkHeaderNames(file: ExtractFile, header: string[]): void {
  const seen = new Map<string, number>();
  for (const [i, name] of header.entries()) {
    if (name === '') {
      throw new CqError(
        'EXTRACT_STRUCTURE',
        `${file.path}: line 1 (header): field ${i + 1} of ${header.length} has no column name. Fix: name every column of the header (a trailing comma makes an empty one), see docs/extracts.md (${file.entity.name}).`,
        { file: file.path, line: 1 },
      );
    }
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      const expected = file.entity.columns.some((c) => c.name.toLowerCase() === key);
      const shown = expected || looksLikeColumnName(name) ? `"${name}"` : `in field ${i + 1}`;
      throw new CqError(
        'EXTRACT_STRUCTURE',
        `${file.path}: line 1 (header): column ${shown} appears twice (fields ${first + 1} and ${i + 1}${header[first] !== name ? ', names compared ignoring case' : ''}). Fix: re-deliver the file with each column once, see docs/extracts.md (${file.entity.name}).`,
        { file: file.path, line: 1, column: name },
      );
    }
    seen.set(key, i);
  }
}

/** A header field that reads like a column name (so quoting it cannot echo the content of some other file). */
function looksLikeColumnName(name: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_ .-]{0,63}$/u.test(name);
}

/**
 * Every contract column must be in the header. The message names the missing contract columns; it
 * quotes a header field only when the header has some of the contract's columns and the field
 * reads like a column name (a renamed column): a file that is not this extract at all (e.g. a
 * text file delivered under the extract's name) is never echoed into errors, logs and status files.
 */
function checkColumns(file: ExtractFile, present: string[]): void {
  const missing = file.entity.columns.filter((c) => !present.includes(c.name)).map((c) => c.name);
  if (missing.length === 0) return;
  const unknown = present.filter((p) => !file.entity.columns.some((c) => c.name === p));
  const known = present.length - unknown.length;
  const nameable = known > 0 ? unknown.filter(looksLikeColumnName) : [];
  let guess = '';
  if (known === 0) guess = ` The header has none of the ${file.entity.name} columns: is this the right file?`;
  else if (nameable.length) guess = ` The file has unexpected column(s) ${nameable.map((u) => `"${u}"`).join(', ')}${nameable.length < unknown.length ? ` and ${unknown.length - nameable.length} other(s)` : ''}: renamed?`;
  else if (unknown.length) guess = ` The file has ${unknown.length} unexpected column(s): renamed?`;
  throw new CqError(
    'EXTRACT_MISSING_COLUMN',
    `${file.path}: line 1 (header): required column(s) ${missing.map((m) => `"${m}"`).join(', ')} missing.${guess} Fix: deliver the columns named in docs/extracts.md (${file.entity.name}), or describe the layout in a mapping.`,
    { file: file.path, line: 1, column: missing[0]! },
  );
}

/** A prepared file typed and checked into a temp table, ready to be inserted. */
export interface StagedFile {
  prepared: PreparedFile;
  /** Temp view: `_line` (physical line) + typed columns + `_reason` + `_raw`. */
  rows: string;
  /** Temp table behind `rows`. */
  table: string;
  parsedRows: number;
  parseRejects: { line: number; error_type: string; column_name: string | null; csv_line: string; error_message: string }[];
  lastLine: number;
  startedAt: Date;
}

/**
 * Phase 1 of loading a file, before the business date's transaction: one order-preserving,
 * parallel pass from the file to a temp table of typed values, checked against every column
 * and row rule of the contract (`typedCheckSql`). It runs outside the transaction so that a
 * native file's row k (0-based) is the table's committed rowid k: DuckDB's insert keeps the
 * file's order, and numbering rows in SQL (a window) would make the whole pass single-threaded.
 * `businessDate` is the date of the file's folder: columns the contract ties to it (`businessDate`,
 * e.g. loan_balances.as_of_date) must equal it. A CSV file of which DuckDB reads no row although
 * it holds more than its header is a structural error (EXTRACT_STRUCTURE), never 0 rows.
 *
 * @example
 * const staged = await stageFile(wh, prepared, 0, '2026-10-31');
 */
export async function stageFile(wh: WarehouseHandle, prepared: PreparedFile, index: number, businessDate: string): Promise<StagedFile> {
  const startedAt = new Date();
  const { file } = prepared;
  const entity = file.entity;
  const lineOffset = file.format === 'parquet' ? 0 : 1;
  const hasRowNumber = prepared.rowNumber === 'relation';
  const table = `_typed_${index}`;
  const rows = `_rows_${index}`;
  // Row order = file order relies on this setting (DuckDB's default); never let a session turn it off here.
  await wh.exec('SET preserve_insertion_order = true');
  const checks = typedCheckSql(entity, prepared.relationSql, {
    hasRowNumber,
    keepAllText: prepared.missingFinalNewline,
    businessDate,
    ...(prepared.typedColumns ? { typedColumns: prepared.typedColumns } : {}),
  });
  try {
    await wh.exec(`CREATE OR REPLACE TEMP TABLE ${table} AS ${checks}`);
  } catch (e) {
    // DuckDB's reader stops on a file it cannot parse at all; its message may quote the file's
    // lines, so only the kind of problem is shown (the full error is the cause, for --debug).
    if (prepared.mapping !== null || !/^(Invalid Input|Conversion) Error/.test((e as Error).message ?? '')) throw e;
    const parquet = file.format === 'parquet';
    throw new CqError(
      parquet ? 'EXTRACT_UNREADABLE' : 'EXTRACT_STRUCTURE',
      `${file.path}: the ${parquet ? 'Parquet' : 'CSV'} file cannot be read (${engineProblem(e)}). Fix: re-deliver the file${parquet ? '' : ' as comma-separated UTF-8 (or GB18030, declared in manifest.json) with RFC 4180 quoting, see docs/extracts.md'}.`,
      { file: file.path },
      { cause: e },
    );
  }
  const [ids] = await wh.all<{ n: bigint; lo: bigint | null; hi: bigint | null }>(`SELECT count(*) AS n, min(rowid) AS lo, max(rowid) AS hi FROM ${table}`);
  const parsedRows = Number(ids?.n ?? 0);
  if (!hasRowNumber && parsedRows > 0 && (Number(ids?.lo) !== 0 || Number(ids?.hi) !== parsedRows - 1)) {
    throw new CqError('INTERNAL', `${file.path}: staged rows are not numbered 0..${parsedRows - 1} (rowid ${ids?.lo}..${ids?.hi}); stageFile must run outside a transaction. This is a bug.`, { file: file.path });
  }
  // Lines DuckDB could not parse are absent from the table: map row numbers back to physical lines.
  let parseRejects: StagedFile['parseRejects'] = [];
  if (prepared.csvRejectsTable) {
    parseRejects = (
      await wh.all<{ line: bigint; error_type: string; column_name: string | null; csv_line: string; error_message: string }>(
        `SELECT line, first(error_type ORDER BY column_idx) AS error_type, first(column_name ORDER BY column_idx) AS column_name,
                first(csv_line) AS csv_line, first(error_message ORDER BY column_idx) AS error_message
         FROM ${prepared.csvRejectsTable} GROUP BY line ORDER BY line`,
      )
    ).map((r) => ({ ...r, line: Number(r.line), csv_line: r.csv_line.replace(/^[\r\n]+/, '') }));
    await wh.exec(`DROP TABLE IF EXISTS ${prepared.csvRejectsTable}; DROP TABLE IF EXISTS ${prepared.csvRejectsTable.replace(/_err$/, '_scan')};`);
  }
  if (prepared.csvSource && parsedRows + parseRejects.length === 0) assertNoRowsLost(prepared, prepared.csvSource);
  const rn = hasRowNumber ? '_rn' : '(rowid + 1)';
  let lineSql = `${rn} + ${lineOffset}`;
  if (parseRejects.length > 0) {
    // Valid row k (1-based) sits on line k + 1 + #{rejected lines j (1-based, sorted): r_j - 1 - j < k}.
    const thresholds = parseRejects.map((r, j) => r.line - 1 - (j + 1));
    lineSql = `${rn} + ${lineOffset} + CAST(len(list_filter([${thresholds.join(',')}]::BIGINT[], t -> t < ${rn})) AS BIGINT)`;
  }
  await wh.exec(`CREATE OR REPLACE TEMP VIEW ${rows} AS SELECT ${lineSql} AS _line, * ${hasRowNumber ? 'EXCLUDE (_rn) ' : ''}FROM ${table}`);
  const lastLine = Math.max(parsedRows + parseRejects.length + 1, ...parseRejects.map((r) => r.line));
  if (prepared.missingFinalNewline && !parseRejects.some((r) => r.line === lastLine) && parsedRows > 0) {
    // No final newline: the last line is probably cut off even though it parsed.
    await wh.exec(`UPDATE ${table} SET _reason = ${truncatedReasonSql(lastLine)} WHERE ${rn} = (SELECT max(${rn}) FROM ${table})`);
  }
  return { prepared, rows, table, parsedRows, parseRejects, lastLine, startedAt };
}

/**
 * A CSV file of which no row was read must hold nothing but its header (and blank lines): any
 * other byte after the header means rows were lost (e.g. line ends the reader did not recognise).
 * Reads at most 64 KiB after the header; a longer remainder is refused without reading it.
 */
function assertNoRowsLost(prepared: PreparedFile, source: NonNullable<PreparedFile['csvSource']>): void {
  const rest = prepared.bytes - source.headerBytes;
  if (rest <= 0) return;
  let data = rest > 65536;
  if (!data) {
    const buf = Buffer.alloc(rest);
    const fd = openSync(source.path, 'r');
    try {
      readSync(fd, buf, 0, rest, source.headerBytes);
    } finally {
      closeSync(fd);
    }
    data = buf.some((b) => b !== 0x0a && b !== 0x0d && b !== 0x20 && b !== 0x09);
  }
  if (!data) return;
  const path = prepared.file.path;
  throw new CqError(
    'EXTRACT_STRUCTURE',
    `${path}: ${prepared.bytes} bytes, of which the header line is ${source.headerBytes}, but no row after line 1 could be read (line ends: ${source.lineEnd}). Nothing of the business date was loaded. Fix: re-deliver the file as CSV with one header line and one line per row (line ends \\n or \\r\\n), see docs/extracts.md.`,
    { file: path, line: 2 },
  );
}

/** The kind of problem a DuckDB error reports: its first line, without quoted text (which may come from the file). */
function engineProblem(e: unknown): string {
  const first = String((e as Error)?.message ?? e).split('\n')[0] ?? '';
  return first.replace(/'[^']*'|"[^"]*"/g, '…').slice(0, 160);
}

/** Drops a staged file's temp objects. */
export async function dropStaged(wh: WarehouseHandle, staged: StagedFile): Promise<void> {
  await wh.exec(`DROP VIEW IF EXISTS ${staged.rows}; DROP TABLE IF EXISTS ${staged.table};`);
}

/**
 * Phase 2, inside the business date's transaction: checks the keys in the staged file
 * (duplicates, earlier dates, references — parents loaded earlier in the same transaction
 * count; `ctx.checkedReferences`: references already checked for the whole date, see
 * sharedReferenceChecks), inserts valid rows into `raw.<entity>` with lineage and writes every other row to
 * `ops.rejected_rows` with its reason and its text. Returns counts that reconcile:
 * read = loaded + rejected (checked; a mismatch is an internal error).
 */
export async function loadStagedFile(
  wh: WarehouseHandle,
  staged: StagedFile,
  ctx: { businessDate: string; loadId: string; checkedReferences?: ReadonlyMap<number, string> },
): Promise<FileLoadResult> {
  const { prepared, parsedRows, parseRejects, lastLine, startedAt } = staged;
  const { file } = prepared;
  const entity = file.entity;
  const name = entity.name;
  const pathLit = lit(file.path);
  const dateLit = `DATE ${lit(ctx.businessDate)}`;
  await wh.exec(`CREATE OR REPLACE TEMP TABLE _key_rejects AS ${keyCheckSql(entity, staged.rows, { crossDateUnique: entity.history === 'events', businessDate: ctx.businessDate, ...(ctx.checkedReferences ? { checkedReferences: ctx.checkedReferences } : {}) })}`);

  const keyRejects = Number((await wh.all<{ n: bigint }>('SELECT count(*) AS n FROM _key_rejects'))[0]?.n ?? 0);
  const cols = entity.columns.map((c) => q(c.name)).join(', ');
  const [inserted] = await wh.all<{ Count: bigint }>(
    `INSERT INTO raw.${name} (${cols}, _business_date, _source_file, _source_line, _load_id)
     SELECT ${cols}, ${dateLit}, ${pathLit}, _line, ${lit(ctx.loadId)} FROM ${staged.rows} t
     WHERE _reason IS NULL${keyRejects > 0 ? ' AND NOT EXISTS (SELECT 1 FROM _key_rejects k WHERE k._line = t._line)' : ''}`,
  );
  const typedText = `CAST(json_object(${entity.columns.map((col) => `${lit(col.name)}, CAST(c.${q(col.name)} AS VARCHAR)`).join(', ')}) AS VARCHAR)`;
  const record = prepared.rawRecordSql ?? `coalesce(c._raw, ${typedText})`;
  const origins = Object.entries(prepared.columnSources ?? {});
  const origin = origins.length
    ? ` || coalesce(' (from ' || CASE c._reason.column_name ${origins.map(([col, from]) => `WHEN ${lit(col)} THEN ${lit(from)}`).join(' ')} END || ')', '')`
    : '';
  const bad = Number((await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${staged.table} WHERE _reason IS NOT NULL`))[0]?.n ?? 0);
  // Rejected rows are rare: skip the pass over the staged rows when there are none.
  if (bad + keyRejects > 0) {
    await wh.exec(
      `INSERT INTO ops.rejected_rows
       SELECT ${lit(ctx.loadId)}, ${dateLit}, ${lit(name)}, ${pathLit}, c._line, c._reason.column_name, c._reason.code,
              ${pathLit} || ': line ' || c._line || coalesce(', column ' || c._reason.column_name, '')${origin} || ': ' || c._reason.message, ${record}
       FROM (
         SELECT * FROM ${staged.rows} WHERE _reason IS NOT NULL
         UNION ALL
         SELECT t.* REPLACE (k._reason AS _reason) FROM ${staged.rows} t JOIN _key_rejects k USING (_line)
       ) c ORDER BY c._line`,
    );
  }
  for (const r of parseRejects) {
    const truncated = prepared.missingFinalNewline && r.line === lastLine;
    const code = truncated ? 'truncated_line' : 'malformed_line';
    const message = truncated
      ? `line ${r.line} is the last line and the file does not end with a newline: the line is cut off (${r.error_message}). Fix: re-deliver the complete file.`
      : `${r.error_type.toLowerCase()}: ${r.error_message}. Fix: correct the CSV quoting / field count of this line.`;
    await wh.run(`INSERT INTO ops.rejected_rows VALUES ($1, ${dateLit}, $2, $3, $4, $5, $6, $7, $8)`, [
      ctx.loadId,
      name,
      file.path,
      r.line,
      r.column_name,
      code,
      `${file.path}: line ${r.line}${r.column_name ? `, column ${r.column_name}` : ''}: ${message}`,
      r.csv_line,
    ] as never);
  }
  const rowsRejected = bad + keyRejects + parseRejects.length;
  const rowsLoaded = parsedRows - bad - keyRejects;
  const rowsRead = parsedRows + parseRejects.length;
  // The insert's own row count (no re-scan of the raw table).
  const landed = Number(inserted?.Count ?? -1);
  if (rowsRead !== rowsLoaded + rowsRejected || landed !== rowsLoaded) {
    throw new CqError(
      'INTERNAL',
      `${file.path}: rows read ${rowsRead} ≠ loaded ${rowsLoaded} (${landed} inserted into raw.${name}) + rejected ${rowsRejected}. This is a bug; please report it with the file.`,
      { file: file.path },
    );
  }
  await wh.exec('DROP TABLE IF EXISTS _key_rejects');
  return {
    entity: name,
    path: file.path,
    sha256: prepared.sha256,
    bytes: prepared.bytes,
    encoding: file.format === 'parquet' ? 'binary' : file.encoding,
    format: file.format,
    mapping: prepared.mapping,
    extraColumns: prepared.extraColumns,
    rowsRead,
    rowsLoaded,
    rowsRejected,
    startedAt,
    finishedAt: new Date(),
  };
}
