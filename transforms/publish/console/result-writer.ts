import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';

/** A result column: its (de-duplicated) name and DuckDB type. */
export interface ResultColumn {
  name: string;
  type: DuckDBType;
}

/**
 * Receives a streamed result: `begin` once with the columns, `rows` per DuckDB data chunk
 * (only the first `count` rows of the chunk belong to the result), `end` after the last.
 * Writers never hold more than one chunk (2,048 rows) except the terminal table, which is
 * bounded by the row limit.
 */
export interface ResultWriter {
  begin(columns: readonly ResultColumn[]): Promise<void>;
  rows(chunk: DuckDBDataChunk, count: number): Promise<void>;
  end(): Promise<void>;
  /** Called instead of `end` when the query failed or was cut off: release what `begin` took. */
  abort?(): void;
}

/**
 * Reads rows [0, count) of a chunk column-wise: `values[c][r]`.
 *
 * @example
 * const cols = chunkColumns(chunk, chunk.rowCount);
 */
export function chunkColumns(chunk: DuckDBDataChunk, count: number): ReturnType<ReturnType<DuckDBDataChunk['getColumnVector']>['getItem']>[][] {
  const out = [];
  for (let c = 0; c < chunk.columnCount; c++) {
    const v = chunk.getColumnVector(c);
    const col = new Array(count);
    for (let r = 0; r < count; r++) col[r] = v.getItem(r);
    out.push(col);
  }
  return out;
}

/** A writer that only counts (benchmarks, `--format none`). */
export function discardWriter(): ResultWriter {
  return { async begin() {}, async rows() {}, async end() {} };
}
