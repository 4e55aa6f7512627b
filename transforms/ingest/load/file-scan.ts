import { isAscii, isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import iconv from 'iconv-lite';
import { CqError } from '../../lib/errors.js';
import type { ExtractEncoding } from './extract-files.js';

/**
 * How the lines of a CSV file end: `\n`, `\r\n`, a lone `\r` (old Mac), or a mixture (also a
 * quoted value holding a line break of another kind than the rows' own).
 */
export type LineEnd = 'lf' | 'crlf' | 'cr' | 'mixed';

/** What one streaming pass over an extract file learned. */
export interface FileScan {
  sha256: string;
  bytes: number;
  /** True when the file is non-empty and does not end with a line end (last line may be truncated). */
  missingFinalNewline: boolean;
  /** The header line (CSV), decoded; without BOM and line end. */
  headerLine: string;
  /** Bytes of the header line in the file, BOM included, line end excluded. */
  headerBytes: number;
  /** The line ends of the file (counted on its bytes: CR and LF never occur inside a UTF-8 or GB18030 character). */
  lineEnd: LineEnd;
  /**
   * The `new_line` option DuckDB's read_csv needs for `readPath`, as SQL string text
   * (`\n`, `\r\n` or `\r`). A `mixed` file is read from a copy with every line end made `\n`.
   */
  newLine: '\\n' | '\\r\\n' | '\\r';
  /** Path DuckDB should read: the file itself, or a temp copy (GB18030 transcoded to UTF-8; mixed line ends made `\n`). */
  readPath: string;
}

/** Longest header line kept in memory (DuckDB's max_line_size in the loader). */
const MAX_HEADER_BYTES = 1 << 20;

/**
 * Reads a CSV extract once: SHA-256 and size of the original bytes, header line, line ends,
 * final-newline check, and encoding. UTF-8 files are validated (invalid bytes are a structural
 * error naming line and field); GB18030 files are transcoded to `utf8Copy` for DuckDB, and refused
 * when they are in fact UTF-8 text (a UTF-8 file declared GB18030 would load as mojibake). A file
 * with mixed line ends is read from a second copy with `\n` everywhere (`<utf8Copy>.lf.csv`).
 * `shownPath` is the path messages name (default `path`; the loader reads a link's resolved path).
 *
 * @example
 * const scan = await scanCsvFile('x/2026-10-31/customers.csv', 'gb18030', '/tmp/customers.utf8.csv');
 * // scan.newLine === '\\r\\n' for a file written on Windows
 */
export async function scanCsvFile(path: string, encoding: ExtractEncoding, utf8Copy: string, shownPath: string = path): Promise<FileScan> {
  const hash = createHash('sha256');
  let bytes = 0;
  let lastByte = -1;
  const header: Buffer[] = [];
  let headerBytes = 0;
  let headerDone = false;
  const ends = new LineEndCounter();
  const gbDecoder = encoding === 'gb18030' ? iconv.getDecoder('gb18030') : undefined;
  const out = gbDecoder ? createWriteStream(utf8Copy) : undefined;
  // UTF-8 is validated with the SIMD validator behind buffer.isUtf8, cut at character starts
  // (the carry holds at most an incomplete character); no string is built for the file's bytes.
  // For a file declared GB18030 the same check runs until the first chunk that is not UTF-8:
  // a GB18030 file with Chinese text fails it at once, a UTF-8 file passes to the end.
  const utf8 = new Utf8Check();
  let firstNonAscii = -1;
  // GB18030: line / field of an undecodable byte are counted on the decoded text.
  let decodedBreaks = 0;
  let pendingLine = '';
  let prevTextCr = false;

  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (chunk.length === 0) continue;
    hash.update(chunk);
    const offset = bytes;
    bytes += chunk.length;
    lastByte = chunk[chunk.length - 1]!;
    ends.add(chunk);
    if (!headerDone) {
      const lf = chunk.indexOf(0x0a);
      const cr = chunk.indexOf(0x0d);
      const nl = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
      const part = nl >= 0 ? chunk.subarray(0, nl) : chunk;
      if (headerBytes < MAX_HEADER_BYTES) header.push(part.subarray(0, MAX_HEADER_BYTES - headerBytes));
      headerBytes += part.length;
      if (nl >= 0) headerDone = true;
    }
    if (!gbDecoder) {
      const bad = utf8.add(chunk, offset);
      if (bad >= 0) throw encodingError(shownPath, 'utf-8', ...(await locateOffset(path, bad)));
    } else if (out) {
      if (utf8.valid) {
        utf8.add(chunk, offset);
        if (utf8.valid && firstNonAscii < 0 && !isAscii(chunk)) firstNonAscii = offset + chunk.findIndex((b) => b >= 0x80);
      }
      const text = gbDecoder.write(chunk);
      const bad = text.indexOf('\uFFFD');
      if (bad >= 0) {
        let before = pendingLine + text.slice(0, bad);
        // A CR LF split between two decoded pieces ends one line, not two.
        if (pendingLine === '' && prevTextCr && before.startsWith('\n')) before = before.slice(1);
        out.destroy();
        const lines = before.split(/\r\n|\r|\n/);
        throw encodingError(shownPath, 'gb18030', decodedBreaks + lines.length, (lines[lines.length - 1] ?? '').split(',').length);
      }
      const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
      if (lastBreak >= 0) {
        decodedBreaks += countTextBreaks(text, prevTextCr);
        pendingLine = text.slice(lastBreak + 1);
      } else pendingLine += text;
      if (text.length) prevTextCr = text.endsWith('\r');
      if (!out.write(text)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  }
  if (!gbDecoder) {
    const bad = utf8.end(bytes);
    if (bad >= 0) throw encodingError(shownPath, 'utf-8', ...(await locateOffset(path, bad)));
  }
  let readPath = path;
  if (gbDecoder && out) {
    const tail = gbDecoder.end() ?? '';
    out.end(tail);
    await finished(out);
    if (tail.includes('\uFFFD')) throw encodingError(shownPath, 'gb18030', decodedBreaks + 1, 1);
    if (utf8.valid && utf8.end(bytes) < 0 && firstNonAscii >= 0) {
      const [line, field] = await locateOffset(path, firstNonAscii);
      throw new CqError(
        'EXTRACT_ENCODING',
        `${shownPath}: manifest.json declares gb18030, but the file is UTF-8 text (line ${line}, field ${field} is the first non-ASCII text): read as GB18030 it would load as garbled characters. Fix: remove the gb18030 entry for this file from manifest.json in the business-date folder (the file is UTF-8); if the export really is GB18030, re-export the file and check its encoding.`,
        { file: shownPath, line },
      );
    }
    readPath = utf8Copy;
  }
  const lineEnd = ends.lineEnd();
  if (lineEnd === 'mixed') {
    // Rare: rows ending in different ways. DuckDB reads one kind of line end, so read a copy with `\n` everywhere.
    const lfCopy = `${utf8Copy}.lf.csv`;
    await normaliseLineEnds(readPath, lfCopy);
    if (readPath === utf8Copy) rmSync(utf8Copy, { force: true });
    readPath = lfCopy;
  }
  let headerLine = encoding === 'gb18030' ? iconv.decode(Buffer.concat(header), 'gb18030') : Buffer.concat(header).toString('utf8');
  headerLine = headerLine.replace(/^\uFEFF/, '');
  return {
    sha256: hash.digest('hex'),
    bytes,
    missingFinalNewline: bytes > 0 && lastByte !== 0x0a && lastByte !== 0x0d,
    headerLine,
    headerBytes,
    lineEnd,
    newLine: lineEnd === 'crlf' ? '\\r\\n' : lineEnd === 'cr' ? '\\r' : '\\n',
    readPath,
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

/**
 * Counts LF, CR and CR LF bytes of a file chunk by chunk (a CR LF may straddle two chunks).
 * Files without CR cost one `indexOf` per chunk beyond the LF count.
 */
class LineEndCounter {
  lf = 0;
  cr = 0;
  crlf = 0;
  private prevCr = false;

  add(chunk: Buffer): void {
    if (this.prevCr && chunk[0] === 0x0a) this.crlf++;
    for (let i = chunk.indexOf(0x0d); i >= 0; i = chunk.indexOf(0x0d, i + 1)) {
      this.cr++;
      if (chunk[i + 1] === 0x0a) this.crlf++;
    }
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) this.lf++;
    this.prevCr = chunk[chunk.length - 1] === 0x0d;
  }

  lineEnd(): LineEnd {
    if (this.cr === 0) return 'lf';
    if (this.lf === 0) return 'cr';
    if (this.cr === this.lf && this.crlf === this.cr) return 'crlf';
    return 'mixed';
  }
}

/** Streaming UTF-8 validation cut at character starts; reports the file offset of the first invalid byte. */
class Utf8Check {
  valid = true;
  private carry: Buffer = Buffer.alloc(0);
  private carryOffset = 0;

  /** Validates `chunk` (at file offset `offset`); returns the offset of an invalid byte, or -1. */
  add(chunk: Buffer, offset: number): number {
    const data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    const start = this.carry.length ? this.carryOffset : offset;
    const cut = lastCharStart(data);
    const whole = data.subarray(0, cut);
    if (!isUtf8(whole)) {
      this.valid = false;
      return start + firstInvalidUtf8(whole);
    }
    this.carry = Buffer.from(data.subarray(cut));
    this.carryOffset = start + cut;
    return -1;
  }

  /** The end of the file (`bytes` long): an incomplete last character is invalid. */
  end(bytes: number): number {
    if (this.carry.length === 0 || isUtf8(this.carry)) return -1;
    this.valid = false;
    return Math.min(this.carryOffset, bytes);
  }
}

/** Index of the last byte that starts a character (within the last 4 bytes), or the length when the data ends with a whole ASCII byte. */
function lastCharStart(data: Buffer): number {
  for (let i = data.length - 1; i >= Math.max(0, data.length - 4); i--) {
    const b = data[i]!;
    if (b < 0x80) return i === data.length - 1 ? data.length : i + 1;
    if (b >= 0xc0) return i;
  }
  // No character start among the last 4 bytes: invalid anyway, validate everything.
  return data.length;
}

/** Offset of the first byte of `buf` that does not begin a valid UTF-8 character (buf is known to be invalid). */
function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    if (len === 0 || i + len > buf.length || !isUtf8(buf.subarray(i, i + len))) return i;
    i += len;
  }
  return buf.length;
}

/**
 * Line (1-based; LF, CR LF and a lone CR each end a line) and comma-separated field (1-based)
 * of the byte at `offset`, by reading the file up to it. Only runs when reporting an error.
 */
async function locateOffset(path: string, offset: number): Promise<[number, number]> {
  let line = 1;
  let field = 1;
  let prev = -1;
  if (offset > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: offset - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      for (const b of chunk) {
        if (b === 0x0a) {
          if (prev !== 0x0d) line++;
          field = 1;
        } else if (b === 0x0d) {
          line++;
          field = 1;
        } else if (b === 0x2c) field++;
        prev = b;
      }
    }
  }
  return [line, field];
}

/** Line ends in decoded text: LF, CR LF and lone CR count once each (`prevCr`: the previous text ended with CR). */
function countTextBreaks(text: string, prevCr: boolean): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (!(i === 0 ? prevCr : text[i - 1] === '\r')) n++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) n++;
  return n;
}

/** Copies `from` to `to` with every CR LF and lone CR turned into LF (byte-wise: safe for UTF-8). */
async function normaliseLineEnds(from: string, to: string): Promise<void> {
  const out = createWriteStream(to);
  let prevCr = false;
  for await (const raw of createReadStream(from, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const chunk = prevCr && raw[0] === 0x0a ? raw.subarray(1) : raw;
    if (raw.length) prevCr = raw[raw.length - 1] === 0x0d;
    const text = chunk.toString('latin1').replace(/\r\n?/g, '\n');
    if (!out.write(Buffer.from(text, 'latin1'))) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

function encodingError(path: string, encoding: ExtractEncoding, line: number, field: number): CqError {
  const hint =
    encoding === 'utf-8'
      ? 'the file is not valid UTF-8 (Chinese core-banking systems often emit GB18030). Fix: if it is GB18030, add {"encoding": "gb18030"} to manifest.json in the business-date folder; otherwise re-export it as UTF-8.'
      : 'the bytes are not valid GB18030. Fix: check the export encoding; if the file is UTF-8, remove the gb18030 entry from manifest.json.';
  return new CqError('EXTRACT_ENCODING', `${path}: line ${line}, field ${field}: ${hint}`, { file: path, line });
}
