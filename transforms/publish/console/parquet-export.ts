import { DuckDBInstance, DuckDBTypeId, type DuckDBAppender, type DuckDBConnection, type DuckDBDataChunk } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import type { ResultColumn, ResultWriter } from './result-writer.js';

/**
 * A result writer that writes Parquet (ZSTD) with DuckDB's own writer, without the analyst
 * session ever opening a file: the analyst session has no file system at all
 * (sql-session.ts), so the result's chunks are appended, as they stream, to a table in a
 * second, private DuckDB (a database file in a fresh 0700 temp folder, so a large result
 * goes to disk, not memory), which then runs `COPY r TO 'partial' (FORMAT parquet)`. That
 * DuckDB never sees analyst SQL: only the fixed statements below. HUGEINT columns (e.g. `sum()`
 * of integers) are written as DECIMAL(38,0), since Parquet has no 128-bit integer. Row order is
 * kept. The caller renames `partial` into place.
 *
 * SQL it runs on the private DuckDB, for a result (id VARCHAR, n HUGEINT):
 * ```sql
 * CREATE TABLE r ("id" VARCHAR, "n" HUGEINT);
 * -- appender: one data chunk per streamed chunk
 * COPY (SELECT * REPLACE (CAST("n" AS DECIMAL(38,0)) AS "n") FROM r) TO '/out/.x.parquet.partial-1-ab' (FORMAT parquet, COMPRESSION zstd);
 * ```
 *
 * @example
 * const w = parquetWriter('/out/.x.parquet.partial-1-ab');
 * await executeQuery(session, 'select * from marts.mart_risk__vintages', w);
 */
export function parquetWriter(partial: string): ResultWriter {
  let dir: string | undefined;
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  let appender: DuckDBAppender | undefined;
  let columns: readonly ResultColumn[] = [];
  const cleanup = () => {
    appender?.closeSync();
    conn?.closeSync();
    instance?.closeSync();
    appender = undefined;
    conn = undefined;
    instance = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  };
  return {
    async begin(cols) {
      columns = cols;
      dir = mkdtempSync(join(tmpdir(), 'cq-parquet-'));
      instance = await DuckDBInstance.create(join(dir, 'result.duckdb'), {
        autoinstall_known_extensions: 'false',
        autoload_known_extensions: 'false',
        temp_directory: join(dir, 'tmp'),
      });
      conn = await instance.connect();
      await conn.run(`CREATE TABLE r (${cols.map((c) => `${q(c.name)} ${c.type.toString()}`).join(', ')})`);
      appender = await conn.createAppender('r');
    },
    async rows(chunk: DuckDBDataChunk, count: number) {
      if (count < chunk.rowCount) chunk.rowCount = count;
      appender!.appendDataChunk(chunk);
    },
    async end() {
      try {
        appender!.flushSync();
        const huge = columns.filter((c) => c.type.typeId === DuckDBTypeId.HUGEINT);
        const select = huge.length ? `SELECT * REPLACE (${huge.map((c) => `CAST(${q(c.name)} AS DECIMAL(38,0)) AS ${q(c.name)}`).join(', ')}) FROM r` : 'SELECT * FROM r';
        await conn!.run(`COPY (${select}) TO ${lit(partial)} (FORMAT parquet, COMPRESSION zstd)`);
      } finally {
        cleanup();
      }
    },
    abort() {
      cleanup();
    },
  } as ResultWriter & { abort(): void };
}
