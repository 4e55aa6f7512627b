import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A minimal ZIP reader/writer for making XLSX files byte-reproducible. exceljs (through JSZip)
 * stamps every entry with the wall-clock time; {@link normalizeZip} rewrites an archive with one
 * fixed timestamp, no extra fields and no comments, keeping the entries' order and their
 * compressed bytes (CRC and sizes are re-checked), so the same workbook always gives the same
 * bytes. Only what XLSX needs: stored (0) or deflated (8) entries, no ZIP64, no encryption.
 */

/** One entry of a ZIP archive. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: number;
  crc32: number;
  uncompressedSize: number;
  /** The entry's bytes as stored in the archive (compressed when method = 8). */
  raw: Buffer;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ZIP polynomial). @example crc32(Buffer.from('abc')) // 0x352441c2 */
export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * Reads the entries of a ZIP archive from its central directory.
 *
 * @example
 * const names = readZip(readFileSync('report.xlsx')).map((e) => e.name);
 */
export function readZip(buf: Buffer): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`ZIP central directory entry ${i} is damaged`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString(flags & 0x800 ? 'utf8' : 'latin1');
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new Error(`ZIP local header of ${name} is damaged`);
    if (flags & 1) throw new Error(`ZIP entry ${name} is encrypted`);
    if (method !== 0 && method !== 8) throw new Error(`ZIP entry ${name} uses compression method ${method}`);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    entries.push({ name, method, crc32: crc, uncompressedSize: usize, raw: Buffer.from(buf.subarray(dataStart, dataStart + csize)) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** The uncompressed bytes of an entry. @example entryData(readZip(buf)[0]).toString('utf8') */
export function entryData(e: ZipEntry): Buffer {
  const data = e.method === 8 ? inflateRawSync(e.raw) : e.raw;
  if (data.length !== e.uncompressedSize || crc32(data) !== e.crc32) throw new Error(`ZIP entry ${e.name}: CRC or size mismatch`);
  return data;
}

/** DOS date and time fields of a UTC timestamp (2-second resolution; 1980 at the earliest). */
function dosDateTime(iso: string): { date: number; time: number } {
  const d = new Date(iso);
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

/**
 * Writes entries as a ZIP archive with every entry stamped `timestamp` (UTC), UTF-8 names, no
 * extra fields, no comments: the same entries and timestamp always give the same bytes.
 *
 * @example
 * writeZip([{ name: 'a.txt', ...deflateEntry('a.txt', Buffer.from('hi')) }], '2026-11-01T00:00:00Z');
 */
export function writeZip(entries: readonly ZipEntry[], timestamp: string): Buffer {
  const { date, time } = dosDateTime(timestamp);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const flags = /^[\x20-\x7e]*$/.test(e.name) ? 0 : 0x800;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(e.method, 8);
    lh.writeUInt16LE(time, 10);
    lh.writeUInt16LE(date, 12);
    lh.writeUInt32LE(e.crc32, 14);
    lh.writeUInt32LE(e.raw.length, 18);
    lh.writeUInt32LE(e.uncompressedSize, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4); // made by: MS-DOS, spec 2.0
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(e.method, 10);
    ch.writeUInt16LE(time, 12);
    ch.writeUInt16LE(date, 14);
    ch.writeUInt32LE(e.crc32, 16);
    ch.writeUInt32LE(e.raw.length, 20);
    ch.writeUInt32LE(e.uncompressedSize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, e.raw);
    centrals.push(ch, name);
    offset += lh.length + name.length + e.raw.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * Rewrites a ZIP archive deterministically: same entries in the same order, compressed bytes
 * kept (their CRC checked), every timestamp set to `timestamp`.
 *
 * @example
 * const stable = normalizeZip(await workbook.xlsx.writeBuffer() as Buffer, '2026-11-01T02:13:05Z');
 */
export function normalizeZip(buf: Buffer, timestamp: string): Buffer {
  const entries = readZip(buf);
  for (const e of entries) entryData(e); // verifies CRC and size
  return writeZip(entries, timestamp);
}

/** A deflated entry for {@link writeZip}. @example deflateEntry('a.txt', Buffer.from('hi')) */
export function deflateEntry(name: string, data: Buffer): ZipEntry {
  return { name, method: 8, crc32: crc32(data), uncompressedSize: data.length, raw: deflateRawSync(data, { level: 9 }) };
}
