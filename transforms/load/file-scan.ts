import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { CqError } from '../lib/errors.js';
import type { ExtractEncoding } from './extract-files.js';

/** What one streaming pass over an extract file learned. */
export interface FileScan {
  sha256: string;
  bytes: number;
  /** True when the file is non-empty and does not end with a newline (last line may be truncated). */
  missingFinalNewline: boolean;
  /** The header line (CSV), decoded. */
  headerLine: string;
  /** Path DuckDB should read: the file itself, or a UTF-8 transcoded temp copy. */
  readPath: string;
}

/**
 * Reads a CSV extract once: SHA-256 and size of the original bytes, header line, final-newline
 * check, and encoding: UTF-8 files are validated (invalid bytes are a structural error naming
 * line and column); GB18030 files are transcoded to `utf8Copy` for DuckDB.
 *
 * @example
 * const scan = await scanCsvFile('x/2026-10-31/customers.csv', 'gb18030', '/tmp/customers.utf8.csv');
 */
export async function scanCsvFile(path: string, encoding: ExtractEncoding, utf8Copy: string): Promise<FileScan> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lastByte = -1;
  let headerBytes: Buffer[] = [];
  let headerDone = false;
  let newlinesSeen = 0;
  const utf8 = encoding === 'utf-8';
  // UTF-8 is validated line-aligned (a newline byte never sits inside a multi-byte character),
  // with the SIMD validator behind buffer.isUtf8 — no string is built for the file's bytes.
  let carry: Buffer = Buffer.alloc(0);
  const gbDecoder = encoding === 'gb18030' ? iconv.getDecoder('gb18030') : undefined;
  const out = gbDecoder ? createWriteStream(utf8Copy) : undefined;
  let decodedLine = 1;
  let pendingLine = '';

  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    lastByte = chunk[chunk.length - 1] ?? lastByte;
    if (!headerDone) {
      const nl = chunk.indexOf(0x0a);
      headerBytes.push(nl >= 0 ? chunk.subarray(0, nl) : chunk);
      if (nl >= 0) headerDone = true;
    }
    if (utf8) {
      const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const cut = data.lastIndexOf(0x0a) + 1;
      const whole = data.subarray(0, cut);
      if (!isUtf8(whole)) throw encodingError(path, 'utf-8', ...locateBadUtf8(whole, newlinesSeen));
      newlinesSeen += countNewlines(whole);
      carry = Buffer.from(data.subarray(cut));
    } else if (gbDecoder && out) {
      const text = gbDecoder.write(chunk);
      const bad = text.indexOf('\uFFFD');
      if (bad >= 0) {
        const before = pendingLine + text.slice(0, bad);
        const lines = before.split('\n');
        throw encodingError(path, 'gb18030', decodedLine + lines.length - 1, (lines[lines.length - 1] ?? '').split(',').length);
      }
      const lastNl = text.lastIndexOf('\n');
      if (lastNl >= 0) {
        decodedLine += countChar(text, '\n');
        pendingLine = text.slice(lastNl + 1);
      } else pendingLine += text;
      if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  if (utf8 && carry.length && !isUtf8(carry)) throw encodingError(path, 'utf-8', ...locateBadUtf8(carry, newlinesSeen));
  if (gbDecoder && out) {
    const tail = gbDecoder.end() ?? '';
    if (tail.includes('\uFFFD')) throw encodingError(path, 'gb18030', decodedLine, 1);
    out.end(tail);
    await finished(out);
  }
  let headerLine = Buffer.concat(headerBytes).toString('utf8');
  if (encoding === 'gb18030') headerLine = iconv.decode(Buffer.concat(headerBytes), 'gb18030');
  headerLine = headerLine.replace(/^\uFEFF/, '').replace(/\r$/, '');
  headerBytes = [];
  return {
    sha256: hash.digest('hex'),
    bytes,
    missingFinalNewline: bytes > 0 && lastByte !== 0x0a,
    headerLine,
    readPath: gbDecoder ? utf8Copy : path,
  };
}

/** SHA-256 and size of any file (Parquet extracts, mapping sources). */
export async function hashFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

function encodingError(path: string, encoding: ExtractEncoding, line: number, field: number): CqError {
  const hint =
    encoding === 'utf-8'
      ? 'the file is not valid UTF-8 (Chinese core-banking systems often emit GB18030). Fix: if it is GB18030, add {"encoding": "gb18030"} to manifest.json in the business-date folder; otherwise re-export it as UTF-8.'
      : 'the bytes are not valid GB18030. Fix: check the export encoding; if the file is UTF-8, remove the gb18030 entry from manifest.json.';
  return new CqError('EXTRACT_ENCODING', `${path}: line ${line}, field ${field}: ${hint}`, { file: path, line });
}

function countNewlines(chunk: Buffer): number {
  let n = 0;
  let i = chunk.indexOf(0x0a);
  while (i >= 0) {
    n++;
    i = chunk.indexOf(0x0a, i + 1);
  }
  return n;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** Finds the line (1-based, file-wide) and comma-separated field of the first invalid UTF-8 byte in a chunk. */
function locateBadUtf8(chunk: Buffer, newlinesBefore: number): [number, number] {
  let start = 0;
  let line = newlinesBefore + 1;
  while (start <= chunk.length) {
    const nl = chunk.indexOf(0x0a, start);
    const end = nl >= 0 ? nl : chunk.length;
    const segment = chunk.subarray(start, end);
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(segment);
    } catch {
      const field = countFieldsBeforeInvalid(segment);
      return [line, field];
    }
    if (nl < 0) break;
    start = nl + 1;
    line++;
  }
  return [line, 1];
}

/** 1-based comma-separated field holding the first byte that is not valid UTF-8. */
function countFieldsBeforeInvalid(segment: Buffer): number {
  let fields = 1;
  for (let i = 0; i < segment.length; i++) {
    const b = segment[i]!;
    if (b === 0x2c) fields++;
    if (b >= 0x80) {
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
      const seq = segment.subarray(i, i + Math.max(len, 1));
      try {
        if (len === 0) throw new Error('continuation byte');
        new TextDecoder('utf-8', { fatal: true }).decode(seq);
        i += len - 1;
      } catch {
        return fields;
      }
    }
  }
  return fields;
}
