import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import { CqError } from '../lib/errors.js';
import { formatCsvLine, parseCsvLine } from './csv-line.js';
import { FAULT_NAMES, type FaultName } from './fault-names.js';
import { MANIFEST_FILE, transcodeFile } from './write-extract.js';

export { FAULT_NAMES, isFaultName, type FaultName } from './fault-names.js';

/** What one injected fault changed. */
export interface FaultResult {
  fault: FaultName;
  /** The file changed or removed, relative to the extract root, e.g. `2026-10-31/loans.csv`. */
  file: string;
  /** Data rows affected: added, changed or cut; every data row for `missing-column`; 0 for whole-file faults. */
  rowsAffected: number;
  /** 1-based physical line numbers affected (line 1 is the header); empty for whole-file faults. */
  lines: number[];
  description: string;
}

/** Loan id used by `orphan-loan`; never generated (loan numbers stay below 10 digits of 16M×10). */
export const ORPHAN_LOAN_ID = 'L9999999999';
/** Customer id used by `orphan-loan`; never generated. */
export const ORPHAN_CUSTOMER_ID = 'C999999999';
/** Loan id used by `orphan-balance`; never generated and different from ORPHAN_LOAN_ID. */
export const ORPHAN_BALANCE_LOAN_ID = 'L9999999998';

const DATE_DIR = /^\d{4}-\d{2}-\d{2}$/;

/** The date folder a fault applies to: `dir` itself when it is a date folder, else its latest date folder. */
async function targetDateDir(dir: string): Promise<string> {
  if (DATE_DIR.test(basename(dir))) return dir;
  const dates = (await readdir(dir)).filter((n) => DATE_DIR.test(n)).sort();
  const last = dates[dates.length - 1];
  if (!last) throw new CqError('CLI_USAGE', `cannot inject a fault: ${dir} holds no YYYY-MM-DD extract folders.`);
  return join(dir, last);
}

async function fileEncoding(dateDir: string): Promise<string> {
  const text = await readFile(join(dateDir, MANIFEST_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return 'utf-8';
  const parsed = JSON.parse(text) as { encoding?: unknown };
  return typeof parsed.encoding === 'string' ? parsed.encoding : 'utf-8';
}

async function requireFile(path: string, fault: FaultName): Promise<void> {
  const s = await stat(path).catch(() => undefined);
  if (!s?.isFile()) throw new CqError('CLI_USAGE', `cannot inject fault ${fault}: ${path} does not exist (CSV extracts only).`);
}

/**
 * Rewrites a CSV file line by line (streaming, in the file's encoding). `edit` gets the header and
 * each data row (1-based data row number) and returns the fields to write; `append` returns rows
 * to add at the end given the first data row (or undefined when the file has no data row).
 */
async function rewriteCsv(
  path: string,
  encoding: string,
  edit: (fields: string[], header: string[], dataRow: number) => string[],
  append: (header: string[], firstRow: string[] | undefined) => string[][] = () => [],
): Promise<{ header: string[]; dataRows: number }> {
  const tmp = `${path}.fault.tmp`;
  const input: Readable = createReadStream(path).pipe(iconv.decodeStream(encoding)) as unknown as Readable;
  const encoder = iconv.encodeStream(encoding);
  const output = createWriteStream(tmp);
  const done = new Promise<void>((resolve, reject) => {
    output.on('finish', resolve);
    output.on('error', reject);
    encoder.on('error', reject);
  });
  encoder.pipe(output);
  const write = async (fields: string[]) => {
    if (!encoder.write(`${formatCsvLine(fields)}\n`)) await once(encoder, 'drain');
  };
  let header: string[] = [];
  let first: string[] | undefined;
  let row = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const fields = parseCsvLine(line);
    if (row === 0) header = fields;
    else first ??= [...fields];
    await write(edit(fields, header, row));
    row++;
  }
  for (const extra of append(header, first)) await write(extra);
  encoder.end();
  await done;
  await rename(tmp, path);
  return { header, dataRows: Math.max(row - 1, 0) };
}

function columnIndex(header: string[], column: string, path: string, fault: FaultName): number {
  const i = header.indexOf(column);
  if (i < 0) throw new CqError('CLI_USAGE', `cannot inject fault ${fault}: ${path} has no column "${column}".`);
  return i;
}

/** Replaces `column` in the first `count` data rows; fails unless the file has that many rows. */
async function replaceInFirstRows(
  path: string,
  encoding: string,
  fault: FaultName,
  column: string,
  count: number,
  value: string,
): Promise<number[]> {
  const { dataRows } = await rewriteCsv(path, encoding, (fields, header, row) => {
    if (row >= 1 && row <= count) fields[columnIndex(header, column, path, fault)] = value;
    return fields;
  });
  if (dataRows < count)
    throw new CqError('CLI_USAGE', `cannot inject fault ${fault}: ${path} has ${dataRows} data rows, needs ${count}. Generate more customers.`);
  return Array.from({ length: count }, (_, i) => i + 2);
}

/** Appends one row built from the first data row; fails when there is none. */
async function appendFromFirstRow(
  path: string,
  encoding: string,
  fault: FaultName,
  build: (first: string[], header: string[]) => string[],
): Promise<number[]> {
  let missing = false;
  const { dataRows } = await rewriteCsv(
    path,
    encoding,
    (f) => f,
    (header, first) => {
      if (!first) {
        missing = true;
        return [];
      }
      return [build([...first], header)];
    },
  );
  if (missing) throw new CqError('CLI_USAGE', `cannot inject fault ${fault}: ${path} has no data rows. Generate more customers.`);
  return [dataRows + 2];
}

/** Cuts the last line of a file in the middle (inside its leading ASCII part) and drops the final newline. */
async function truncateLastLine(path: string): Promise<number> {
  const size = (await stat(path)).size;
  const tailSize = Math.min(size, 64 * 1024);
  const fh = await open(path, 'r+');
  try {
    const tail = Buffer.alloc(tailSize);
    await fh.read(tail, 0, tailSize, size - tailSize);
    const end = tail[tail.length - 1] === 0x0a ? tail.length - 1 : tail.length;
    const start = tail.lastIndexOf(0x0a, end - 1) + 1;
    if (start === 0 && tailSize === size) {
      // a single line (header only) is not a data row
      throw new CqError('CLI_USAGE', `cannot inject fault truncated-line: ${path} has no data rows.`);
    }
    const line = tail.subarray(start, end);
    let ascii = line.findIndex((b) => b >= 0x80);
    if (ascii < 0) ascii = line.length;
    const keep = Math.max(1, Math.min(Math.floor(line.length / 2), ascii));
    await fh.truncate(size - tailSize + start + keep);
  } finally {
    await fh.close();
  }
  let lines = 1;
  for await (const chunk of createReadStream(path)) for (const b of chunk as Buffer) if (b === 0x0a) lines++;
  return lines;
}

/**
 * Injects one extract fault into the latest business date under `dir` (or into `dir` itself when
 * it is a `YYYY-MM-DD` folder), so that loader tests can prove each problem is caught. CSV only.
 * Deterministic: the same files give the same result. Faults compose (applied in this order when
 * several are requested by `generateSample`).
 *
 * | fault            | file                | what happens                                                               | rows affected |
 * |------------------|---------------------|----------------------------------------------------------------------------|---------------|
 * | `missing-column` | loans.csv           | column `principal` removed from header and every row                        | every row     |
 * | `wrong-type`     | loan_balances.csv   | `days_past_due` = `abc` in data rows 1–3 (lines 2–4)                        | 3             |
 * | `bad-date`       | loans.csv           | `disbursed_on` = `2026-13-45` in data rows 1–2 (lines 2–3)                  | 2             |
 * | `negative-amount`| repayments.csv      | `principal_paid` = `-100.00` in data rows 1–2 (lines 2–3)                   | 2             |
 * | `duplicate-key`  | loans.csv           | data row 1 appended again at the end (same loan_id twice)                  | 1             |
 * | `orphan-loan`    | loans.csv           | copy of data row 1 appended with loan_id L9999999999, customer_id C999999999 (no such customer) | 1 |
 * | `orphan-balance` | loan_balances.csv   | copy of data row 1 appended with loan_id L9999999998 (no such loan)         | 1             |
 * | `truncated-line` | loan_balances.csv   | last line cut in the middle (within its ASCII prefix), no trailing newline  | 1             |
 * | `wrong-encoding` | customers.csv       | re-encoded UTF-8 → GB18030 without a manifest; if the folder already is GB18030, its manifest.json is deleted instead | 0 (file) |
 * | `missing-file`   | repayments.csv      | file deleted                                                               | 0 (file)      |
 *
 * @example
 * await generateSample({ customers: 200, months: 2, seed: 1, out: 'tmp/x' });
 * const r = await injectFault('tmp/x', 'bad-date'); // r.file === '2024-12-31/loans.csv', r.lines === [2, 3]
 */
export async function injectFault(dir: string, name: FaultName): Promise<FaultResult> {
  if (!(FAULT_NAMES as readonly string[]).includes(name))
    throw new CqError('CLI_USAGE', `unknown fault "${name}"; known: ${FAULT_NAMES.join(', ')}.`);
  const dateDir = await targetDateDir(dir);
  const date = basename(dateDir);
  const encoding = await fileEncoding(dateDir);
  const file = (entity: string) => join(dateDir, `${entity}.csv`);
  const rel = (entity: string) => `${date}/${entity}.csv`;
  const result = (entity: string, rowsAffected: number, lines: number[], description: string): FaultResult => ({
    fault: name,
    file: rel(entity),
    rowsAffected,
    lines,
    description,
  });

  switch (name) {
    case 'missing-file': {
      await requireFile(file('repayments'), name);
      await rm(file('repayments'));
      return result('repayments', 0, [], 'repayments.csv deleted');
    }
    case 'missing-column': {
      const path = file('loans');
      await requireFile(path, name);
      let index = -1;
      const { dataRows } = await rewriteCsv(path, encoding, (fields, header) => {
        if (index < 0) index = columnIndex(header, 'principal', path, name);
        return fields.filter((_, i) => i !== index);
      });
      return result('loans', dataRows, [], 'column "principal" removed from loans.csv');
    }
    case 'wrong-type': {
      const path = file('loan_balances');
      await requireFile(path, name);
      const lines = await replaceInFirstRows(path, encoding, name, 'days_past_due', 3, 'abc');
      return result('loan_balances', 3, lines, "days_past_due = 'abc' in 3 rows");
    }
    case 'bad-date': {
      const path = file('loans');
      await requireFile(path, name);
      const lines = await replaceInFirstRows(path, encoding, name, 'disbursed_on', 2, '2026-13-45');
      return result('loans', 2, lines, "disbursed_on = '2026-13-45' in 2 rows");
    }
    case 'negative-amount': {
      const path = file('repayments');
      await requireFile(path, name);
      const lines = await replaceInFirstRows(path, encoding, name, 'principal_paid', 2, '-100.00');
      return result('repayments', 2, lines, 'principal_paid = -100.00 in 2 rows');
    }
    case 'duplicate-key': {
      const path = file('loans');
      await requireFile(path, name);
      const lines = await appendFromFirstRow(path, encoding, name, (first) => first);
      return result('loans', 1, lines, 'first loan row appended again (duplicate loan_id)');
    }
    case 'orphan-loan': {
      const path = file('loans');
      await requireFile(path, name);
      const lines = await appendFromFirstRow(path, encoding, name, (row, header) => {
        row[columnIndex(header, 'loan_id', path, name)] = ORPHAN_LOAN_ID;
        row[columnIndex(header, 'customer_id', path, name)] = ORPHAN_CUSTOMER_ID;
        return row;
      });
      return result('loans', 1, lines, `loan ${ORPHAN_LOAN_ID} of unknown customer ${ORPHAN_CUSTOMER_ID} appended`);
    }
    case 'orphan-balance': {
      const path = file('loan_balances');
      await requireFile(path, name);
      const lines = await appendFromFirstRow(path, encoding, name, (row, header) => {
        row[columnIndex(header, 'loan_id', path, name)] = ORPHAN_BALANCE_LOAN_ID;
        return row;
      });
      return result('loan_balances', 1, lines, `balance of unknown loan ${ORPHAN_BALANCE_LOAN_ID} appended`);
    }
    case 'truncated-line': {
      const path = file('loan_balances');
      await requireFile(path, name);
      const line = await truncateLastLine(path);
      return result('loan_balances', 1, [line], 'last line cut in the middle, no trailing newline');
    }
    case 'wrong-encoding': {
      const path = file('customers');
      await requireFile(path, name);
      if (encoding !== 'utf-8') {
        await rm(join(dateDir, MANIFEST_FILE));
        return result('customers', 0, [], `${MANIFEST_FILE} deleted: files are ${encoding} but nothing says so`);
      }
      const tmp = `${path}.fault.tmp`;
      await transcodeFile(path, tmp, 'gb18030');
      await rename(tmp, path);
      return result('customers', 0, [], 'customers.csv re-encoded to GB18030 without a manifest');
    }
  }
}
