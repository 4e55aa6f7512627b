import { renameSync, rmSync } from 'node:fs';
import { CqError } from '../../lib/errors.js';
import { arrowWriter } from './arrow-writer.js';
import { executeQuery } from './execute-query.js';
import { fileSink, streamSink, type ByteSink } from './output-sink.js';
import { parquetWriter } from './parquet-export.js';
import { resultSummary, type QueryRequest, type RunQueryResult } from './query-request.js';
import { discardWriter, type ResultWriter } from './result-writer.js';
import type { SqlSession } from './sql-session.js';
import { renderResult, tableCollector } from './table-output.js';
import { csvWriter, jsonWriter, ndjsonWriter } from './text-writers.js';

/**
 * Runs one checked query on an open session and writes its result: the part of
 * `runQuery` (run-query.ts) that happens inside the query process (sql-worker.ts).
 *
 * @example
 * const r = await runRequestOnSession(session, { sql: 'select 1', params: {}, format: 'csv' }, process.stdout);
 */
export async function runRequestOnSession(session: SqlSession, req: QueryRequest, stdout: NodeJS.WritableStream): Promise<RunQueryResult> {
  const { format, out, partial } = req;
  const exec = { params: req.params, ...(req.timeoutSeconds !== undefined ? { timeoutSeconds: req.timeoutSeconds } : {}), ...(req.limit !== undefined ? { maxRows: req.limit } : {}) };
  if (format === 'parquet') {
    const r = await executeQuery(session, req.sql, parquetWriter(partial!), exec);
    if (r.checked.kind !== 'select') {
      rmSync(partial!, { force: true });
      throw new CqError('CLI_USAGE', 'EXPLAIN output cannot be written as Parquet; use --format table or csv.');
    }
    renameSync(partial!, out!);
    const summary = resultSummary(r.rowCount, r.truncated, r.elapsedMs, format, out);
    return { columns: r.columns.map((c) => ({ name: c.name, type: c.type.toString() })), rowCount: r.rowCount, truncated: r.truncated, elapsedMs: r.elapsedMs, format, out: out!, summary };
  }
  const sink: ByteSink = out ? fileSink(out, partial) : streamSink(stdout);
  try {
    const table = format === 'table' ? tableCollector() : undefined;
    let writer: ResultWriter;
    if (table) writer = table;
    else if (format === 'csv') writer = csvWriter(sink);
    else if (format === 'json') writer = jsonWriter(sink);
    else if (format === 'ndjson') writer = ndjsonWriter(sink);
    else if (format === 'arrow') writer = arrowWriter(sink);
    else writer = discardWriter();
    const r = await executeQuery(session, req.sql, writer, exec);
    let rendered: string | undefined;
    let layout: 'table' | 'vertical' | undefined;
    const summary = resultSummary(r.rowCount, r.truncated, r.elapsedMs, format, out);
    if (table) {
      ({ text: rendered, layout } = renderResult(table.grid, req.display));
      await sink.write(rendered);
      await sink.write(`${summary}\n`);
    }
    await sink.finish();
    return {
      columns: r.columns.map((c) => ({ name: c.name, type: c.type.toString() })),
      rowCount: r.rowCount,
      truncated: r.truncated,
      elapsedMs: r.elapsedMs,
      format,
      ...(out ? { out } : {}),
      ...(rendered !== undefined ? { table: rendered, layout: layout! } : {}),
      summary,
    };
  } catch (e) {
    sink.abort();
    throw e;
  }
}
