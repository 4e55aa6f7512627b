import { createReadStream, createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import iconv from 'iconv-lite';
import type { SampleEncoding, SampleFormat } from './options.js';
import { quoteLiteral, type DuckDbWarehouse } from '../lib/duckdb.js';

/** How extract files are written. */
export interface ExtractFileFormat {
  readonly format: SampleFormat;
  readonly encoding: SampleEncoding;
}

/** Name of the per-date manifest that declares a non-UTF-8 encoding. */
export const MANIFEST_FILE = 'manifest.json';

/**
 * File name of an entity's extract, e.g. `loans.csv`.
 *
 * @example
 * extractFileName('loans', 'parquet'); // 'loans.parquet'
 */
export function extractFileName(entity: string, format: SampleFormat): string {
  return `${entity}.${format}`;
}

/**
 * Writes one extract file from a SELECT with DuckDB `COPY` and returns its row count.
 * CSV: header, comma, RFC 4180 quoting, `\n`, empty field for NULL. GB18030: DuckDB writes UTF-8
 * to a temporary file that is transcoded by streaming through iconv-lite (constant memory).
 *
 * @example
 * const rows = await writeExtractFile(wh, 'SELECT 1 AS a', 'out/2024-11-30/x.csv', { format: 'csv', encoding: 'utf-8' });
 */
export async function writeExtractFile(
  wh: DuckDbWarehouse,
  selectSql: string,
  path: string,
  how: ExtractFileFormat,
): Promise<number> {
  const options = how.format === 'parquet' ? '(FORMAT parquet)' : "(FORMAT csv, HEADER, DELIMITER ',', QUOTE '\"')";
  const target = how.format === 'csv' && how.encoding === 'gb18030' ? `${path}.utf8.tmp` : path;
  const result = await wh.conn.runAndReadAll(`COPY (${selectSql}) TO ${quoteLiteral(target)} ${options}`);
  const count = Number(result.getRows()[0]?.[0] ?? 0);
  if (target !== path) {
    await transcodeFile(target, path, 'gb18030');
    await rm(target);
  }
  return count;
}

/**
 * Streams a UTF-8 file into `encoding` (constant memory, any size).
 *
 * @example
 * await transcodeFile('a.utf8.csv', 'a.csv', 'gb18030');
 */
export async function transcodeFile(from: string, to: string, encoding: string): Promise<void> {
  await pipeline(createReadStream(from), iconv.decodeStream('utf-8'), iconv.encodeStream(encoding), createWriteStream(to));
}

/**
 * Writes `<dateDir>/manifest.json` declaring the files' encoding: `{"encoding":"gb18030"}`.
 *
 * @example
 * await writeManifest('out/2024-11-30', 'gb18030');
 */
export async function writeManifest(dateDir: string, encoding: SampleEncoding): Promise<void> {
  await writeFile(join(dateDir, MANIFEST_FILE), `${JSON.stringify({ encoding })}\n`);
}
