import type { ByteSink } from './output-sink.js';
import { chunkColumns, type ResultColumn, type ResultWriter } from './result-writer.js';
import { csvField } from '../../lib/csv.js';
import { csvValue, jsonText } from './value-format.js';

/**
 * CSV (RFC 4180, UTF-8, header row, `\n` line ends; NULL is an empty field, an empty
 * string is `""`; text that a spreadsheet would run as a formula, in a value or a column name,
 * starts with `'`: see lib/csv.ts), streamed one chunk at a time.
 *
 * @example
 * await executeQuery(session, sql, csvWriter(fileSink('out.csv')));
 */
export function csvWriter(sink: ByteSink): ResultWriter {
  return {
    async begin(columns) {
      await sink.write(`${columns.map((c) => csvField(c.name, true)).join(',')}\n`);
    },
    async rows(chunk, count) {
      const cols = chunkColumns(chunk, count);
      const lines: string[] = new Array(count);
      for (let r = 0; r < count; r++) lines[r] = cols.map((col) => csvValue(col[r]!)).join(',');
      if (count) await sink.write(`${lines.join('\n')}\n`);
    },
    async end() {},
  };
}

function objectWriter(sink: ByteSink, mode: 'json' | 'ndjson'): ResultWriter {
  let keys: string[] = [];
  let first = true;
  return {
    async begin(columns: readonly ResultColumn[]) {
      keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
      if (mode === 'json') await sink.write('[');
    },
    async rows(chunk, count) {
      const cols = chunkColumns(chunk, count);
      const parts: string[] = new Array(count);
      for (let r = 0; r < count; r++) parts[r] = `{${keys.map((k, c) => k + jsonText(cols[c]![r]!)).join(',')}}`;
      if (!count) return;
      if (mode === 'ndjson') await sink.write(`${parts.join('\n')}\n`);
      else {
        await sink.write(`${first ? '\n' : ',\n'}${parts.join(',\n')}`);
        first = false;
      }
    },
    async end() {
      if (mode === 'json') await sink.write(first ? ']\n' : '\n]\n');
    },
  };
}

/**
 * JSON: one array of row objects (keys = column names). DECIMAL and 64/128-bit integers
 * are written as exact JSON numbers; dates and timestamps as strings.
 *
 * @example
 * await executeQuery(session, sql, jsonWriter(streamSink(process.stdout)));
 */
export function jsonWriter(sink: ByteSink): ResultWriter {
  return objectWriter(sink, 'json');
}

/** NDJSON: one JSON object per line, same value rules as {@link jsonWriter}. @example ndjsonWriter(fileSink('x.ndjson')) */
export function ndjsonWriter(sink: ByteSink): ResultWriter {
  return objectWriter(sink, 'ndjson');
}
