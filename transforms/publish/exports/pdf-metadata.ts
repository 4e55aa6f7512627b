import { createHash } from 'node:crypto';
import { CqError } from '../../lib/errors.js';

/** Producer written into every PDF the product prints (instead of Chromium's `Skia/PDF m<version>`). */
export const PDF_PRODUCER = 'credit-quality-analytics (headless Chromium)';
/** Creator written into every PDF the product prints (instead of the browser's user agent). */
export const PDF_CREATOR = 'credit-quality-analytics';

/** Options of {@link normalisePdf}. */
export interface NormalisePdfOptions {
  /** ISO timestamp written as `/CreationDate` and `/ModDate` (the run's as-of, never the clock). */
  date: string;
  /** `/Producer`; default {@link PDF_PRODUCER}. */
  producer?: string;
  /** `/Creator`; default {@link PDF_CREATOR}. */
  creator?: string;
}

/** `D:YYYYMMDDHHmmSS+00'00'` of an ISO timestamp (UTC). @example pdfDate('2026-11-01T02:13:05Z') // "D:20261101021305+00'00'" */
export function pdfDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) throw new CqError('EXPORT_FAILED', `PDF date "${iso}" is not an ISO timestamp.`);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

/** A PDF literal string: ASCII text with `\`, `(` and `)` escaped. */
function literal(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?')})`;
}

/**
 * Makes a PDF printed by headless Chromium byte-reproducible: rewrites its document information
 * dictionary (`/Info`: the title is kept; `/Creator` — Chromium's user agent —, `/Producer` —
 * `Skia/PDF m<version>` — and the clock's `/CreationDate` / `/ModDate` are replaced by fixed texts
 * and `options.date`), shifts every later offset of the cross-reference table and `startxref` by the
 * change in length (so the file stays valid), and replaces a trailer `/ID` (Chromium writes none
 * today) by hex digits of the same length hashed from the rest of the file. Chromium's font subset
 * tags (`AAAAAA+`, `BAAAAA+`, … in the order fonts are first used) and object numbers are already
 * deterministic for the same HTML, Chromium build and fonts, so nothing else differs between two
 * prints (see docs/report-book.md, "Determinism").
 *
 * Throws EXPORT_FAILED when the file is not laid out as Chromium writes it (one classic `xref`
 * table, an `/Info` reference in the trailer), rather than write a PDF with broken offsets.
 *
 * @example
 * const pdf = normalisePdf(await printPdf(html, templates), { date: '2026-11-01T02:13:05Z' });
 * // 1 0 obj <</Title <FEFF…> /Creator (credit-quality-analytics) /Producer (…) /CreationDate (D:20261101021305+00'00') …>>
 */
export function normalisePdf(pdf: Buffer, options: NormalisePdfOptions): Buffer {
  const text = pdf.toString('latin1');
  const fail = (what: string) => new CqError('EXPORT_FAILED', `the printed PDF is not laid out as expected (${what}), so its metadata cannot be made reproducible. Fix: print with the Debian chromium package (scripts/install-browser.sh).`);
  const startxrefAt = text.lastIndexOf('startxref');
  if (startxrefAt < 0) throw fail('no startxref');
  const xrefAt = Number(/^startxref\s+(\d+)/.exec(text.slice(startxrefAt))?.[1] ?? NaN);
  if (!Number.isInteger(xrefAt) || !text.startsWith('xref', xrefAt)) throw fail('no classic xref table');
  if (text.indexOf('xref', xrefAt + 4) !== text.indexOf('xref', startxrefAt) || text.slice(0, xrefAt).includes('\nxref\n')) throw fail('more than one xref section');
  const trailerAt = text.indexOf('trailer', xrefAt);
  if (trailerAt < 0) throw fail('no trailer');
  const infoNo = Number(/\/Info\s+(\d+)\s+0\s+R/.exec(text.slice(trailerAt, startxrefAt))?.[1] ?? NaN);
  if (!Number.isInteger(infoNo)) throw fail('no /Info in the trailer');

  // The xref table: "xref\n0 N\n" then N entries of exactly 20 bytes "oooooooooo ggggg n \n".
  const head = /^xref\r?\n(\d+) (\d+)\r?\n/.exec(text.slice(xrefAt));
  if (!head || head[1] !== '0') throw fail('xref table not starting at object 0');
  const count = Number(head[2]);
  const entriesAt = xrefAt + head[0].length;
  const entries: { offset: number; gen: string; kind: string }[] = [];
  for (let i = 0; i < count; i++) {
    const e = text.slice(entriesAt + i * 20, entriesAt + (i + 1) * 20);
    const m = /^(\d{10}) (\d{5}) ([nf])/.exec(e);
    if (!m) throw fail(`xref entry ${i}`);
    entries.push({ offset: Number(m[1]), gen: m[2]!, kind: m[3]! });
  }
  const infoAt = entries[infoNo]?.offset ?? -1;
  if (!text.startsWith(`${infoNo} 0 obj`, infoAt)) throw fail('the /Info object is not where the xref table says');
  const infoEnd = text.indexOf('endobj', infoAt);
  const oldInfo = text.slice(infoAt, infoEnd);
  const title = /\/Title\s*(<[0-9A-Fa-f]*>|\((?:\\.|[^\\)])*\))/.exec(oldInfo)?.[1];
  const date = pdfDate(options.date);
  const newInfo = `${infoNo} 0 obj\n<<${title ? `/Title ${title}\n` : ''}/Creator ${literal(options.creator ?? PDF_CREATOR)}\n/Producer ${literal(options.producer ?? PDF_PRODUCER)}\n/CreationDate (${date})\n/ModDate (${date})>>\n`;
  const delta = newInfo.length - oldInfo.length;
  const shift = (offset: number) => (offset > infoAt ? offset + delta : offset);

  const table = entries.map((e) => `${String(e.kind === 'n' ? shift(e.offset) : e.offset).padStart(10, '0')} ${e.gen} ${e.kind} \n`).join('');
  let trailer = text.slice(trailerAt, startxrefAt);
  const body = text.slice(0, infoAt) + newInfo + text.slice(infoEnd, xrefAt);
  // A document /ID (two hex strings) derived from the content, same length as before.
  trailer = trailer.replace(/\/ID\s*\[\s*<([0-9A-Fa-f]*)>\s*<([0-9A-Fa-f]*)>\s*\]/, (all, a: string, b: string) => {
    const h = createHash('sha256').update(body, 'latin1').digest('hex').toUpperCase().repeat(4);
    return all.replace(`<${a}>`, `<${h.slice(0, a.length)}>`).replace(`<${b}>`, `<${h.slice(0, b.length)}>`);
  });
  const out = `${body}${text.slice(xrefAt, entriesAt)}${table}${text.slice(entriesAt + count * 20, trailerAt)}${trailer}startxref\n${xrefAt + delta}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * Checks that every in-use entry of a PDF's cross-reference table points at `N G obj` (what a PDF
 * reader needs to find each object). Returns the object numbers whose offset is wrong (empty = valid).
 *
 * @example
 * brokenXrefEntries(readFileSync('book.pdf')); // []
 */
export function brokenXrefEntries(pdf: Buffer): number[] {
  const text = pdf.toString('latin1');
  const xrefAt = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1] ?? NaN);
  const head = /^xref\r?\n(\d+) (\d+)\r?\n/.exec(text.slice(xrefAt));
  if (!head) return [-1];
  const bad: number[] = [];
  for (let i = 0; i < Number(head[2]); i++) {
    const at = xrefAt + head[0].length + i * 20;
    const m = /^(\d{10}) (\d{5}) n/.exec(text.slice(at, at + 20));
    if (m && !text.startsWith(`${Number(head[1]) + i} ${Number(m[2])} obj`, Number(m[1]))) bad.push(Number(head[1]) + i);
  }
  return bad;
}
