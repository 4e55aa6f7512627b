import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entity, ENTITIES, type EntityName } from '../../transforms/ingest/contract/index.js';
import { generateSample } from '../../transforms/sample/generate-sample.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError } from '../../transforms/lib/errors.js';
import { locateExtractFiles } from '../../transforms/ingest/load/extract-files.js';
import { prepareFile, stageFile } from '../../transforms/ingest/load/load-entity-file.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { ensureRawSchema } from '../../transforms/ingest/load/raw-schema.js';
import { csvLine } from '../helpers/csv-line.js';
import type { ExtractRow } from '../helpers/extract-rows.js';
import { writeMiniExtract, type MiniRows } from '../helpers/mini-extract.js';

/**
 * What the loader refuses or rejects on hostile or odd deliveries: line ends, snapshot dates tied
 * to their folder, symbolic links out of the delivery, duplicate header names, UTF-8 declared
 * GB18030, control characters in text. Built on the mini extract (test/helpers/mini-extract.ts:
 * business date 2026-09-30; loans L001–L003; customers C001–C003; every file's data starts on line 2).
 */

let wh: WarehouseHandle;
const dirs: string[] = [];
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
});
afterEach(async () => {
  await wh.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

function extract(edit?: (rows: MiniRows, headers: Record<string, string>) => void, opts: { dir?: string; date?: string } = {}) {
  const x = writeMiniExtract(edit, opts);
  if (!opts.dir) dirs.push(x.dir);
  return x;
}

const header = (name: EntityName) => entity(name).columns.map((c) => c.name).join(',');

/** A loan_balances row by column name; a current, unprovisioned-looking 1000.00 balance unless overridden. */
const balanceRow = (values: Record<string, string>): ExtractRow => ({
  as_of_date: '2026-09-30',
  outstanding_principal: '1000.00',
  overdue_principal: '0.00',
  overdue_interest: '0.00',
  days_past_due: '0',
  recorded_class: '正常',
  provision_amount: '10.00',
  status: 'active',
  ...values,
});

/** The CSV line of {@link balanceRow}. */
const balance = (values: Record<string, string>) => csvLine('loan_balances', balanceRow(values));

/** A customers row by column name (an individual of branch BJ01, not graded, unless overridden). */
const customerRow = (values: Record<string, string>): ExtractRow => ({
  customer_type: 'individual',
  id_number: 'ID0000',
  branch_id: 'BJ01',
  onboarded_on: '2020-01-01',
  ...values,
});

/** Writes `<dateDir>/<name>.csv` from lines, each followed by its own line end (`ends[i]`, or the last one given). */
function writeLines(dateDir: string, name: string, lines: string[], ends: string[], encoding: 'utf-8' | 'gb18030' = 'utf-8'): string {
  const text = lines.map((l, i) => l + (ends[i] ?? ends[ends.length - 1]!)).join('');
  const path = join(dateDir, `${name}.csv`);
  writeFileSync(path, encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : text);
  return path;
}

async function audit(name: string) {
  const [row] = await wh.all<{ rows_read: bigint; rows_loaded: bigint; rows_rejected: bigint }>(
    `SELECT rows_read, rows_loaded, rows_rejected FROM ops.load_audit WHERE entity = '${name}'`,
  );
  return { read: Number(row!.rows_read), loaded: Number(row!.rows_loaded), rejected: Number(row!.rows_rejected) };
}

async function rejected(name: string) {
  return wh.all<{ line: bigint; column_name: string | null; reason_code: string; reason: string; raw_record: string }>(
    `SELECT line, column_name, reason_code, reason, raw_record FROM ops.rejected_rows WHERE entity = '${name}' ORDER BY line`,
  );
}

async function count(sql: string): Promise<number> {
  return Number((await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${sql}`))[0]!.n);
}

async function loadError(dir: string): Promise<CqError> {
  const e = await loadExtracts(wh, dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CqError);
  return e as CqError;
}

/** Rows in the warehouse (the schema exists before the load, so a refused load must leave all of these at 0). */
async function written() {
  return (await count('ops.load_audit')) + (await count('ops.rejected_rows')) + (await count('raw.loans')) + (await count('raw.loan_balances'));
}

describe('line ends: CRLF, lone CR and mixed files load every row', () => {
  it('every file of a delivery with CRLF line ends loads exactly the rows of the LF delivery', async () => {
    const { dir, dateDir } = extract();
    for (const e of ENTITIES) {
      const p = join(dateDir, `${e.name}.csv`);
      if (entity(e.name).optional) continue; // fx_rates: the mini extract does not deliver it
      // customers.csv also starts with a byte-order mark, as Windows tools write it.
      writeFileSync(p, (e.name === 'customers' ? '\uFEFF' : '') + readFileSync(p, 'utf8').replaceAll('\n', '\r\n'));
    }
    const [load] = await loadExtracts(wh, dir);
    // Mini counts: branches 2, products 5, customers 3, loans 3, balances 3, schedule 3, repayments 3,
    // warnings 2, scores 2, verifications 2, surveys 2 — none rejected (a CR left on a value would fail
    // e.g. status 'active\r' as invalid_code, or relationship_closed_on '\r' as invalid_date).
    expect(Object.fromEntries(load!.files.map((f) => [f.entity, [f.rowsRead, f.rowsLoaded, f.rowsRejected]]))).toEqual({
      branches: [2, 2, 0], products: [5, 5, 0], customers: [3, 3, 0], loans: [3, 3, 0], loan_balances: [3, 3, 0],
      repayment_schedule: [3, 3, 0], repayments: [3, 3, 0], warnings: [2, 2, 0], risk_scores: [2, 2, 0],
      verifications: [2, 2, 0], surveys: [2, 2, 0],
    });
    // 950000 + 25000 + 800000, exact to the cent; L002 is on line 3.
    expect((await wh.all<{ s: string }>(`SELECT sum(outstanding_principal)::VARCHAR AS s FROM raw.loan_balances`))[0]!.s).toBe('1775000.00');
    expect((await wh.all<{ l: bigint }>(`SELECT _source_line AS l FROM raw.loans WHERE loan_id = 'L002'`))[0]!.l).toBe(3n);
  });

  // Header + 4 rows: L001, L002, L003 valid; line 5 (L001 again) has days_past_due 'abc'.
  // read 4 = loaded 3 + rejected 1 (line 5, invalid_type) — its line number proves every line end was counted once.
  const rows = [
    header('loan_balances'),
    balance({ loan_id: 'L001' }),
    balance({ loan_id: 'L002', recorded_class: '关注' }),
    balance({ loan_id: 'L003', recorded_class: '次级' }),
    balance({ loan_id: 'L001', days_past_due: 'abc' }),
  ];
  const layouts = {
    'lone CR': ['\r'],
    mixed: ['\r\n', '\n', '\r', '\r\n', '\n'],
    'CRLF, last line without line end': ['\r\n', '\r\n', '\r\n', '\r\n', ''],
  };
  for (const encoding of ['utf-8', 'gb18030'] as const) {
    for (const [layout, ends] of Object.entries(layouts)) {
      it(`${encoding}, ${layout}: every row read, true line numbers`, async () => {
        const { dir, dateDir } = extract();
        writeLines(dateDir, 'loan_balances', rows, ends, encoding);
        if (encoding === 'gb18030') writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ encoding: { 'loan_balances.csv': 'gb18030' } }));
        await loadExtracts(wh, dir);
        const truncated = layout.includes('without');
        // Without a final line end, the last line is also flagged as maybe cut off: still 4 read.
        expect(await audit('loan_balances')).toEqual({ read: 4, loaded: 3, rejected: 1 });
        const [r] = await rejected('loan_balances');
        expect({ line: r!.line, code: r!.reason_code }).toEqual({ line: 5n, code: truncated ? 'truncated_line' : 'invalid_type' });
        // The classes decode to the same characters in both encodings; L003 sits on line 4.
        expect(await wh.all(`SELECT loan_id, recorded_class, _source_line::INTEGER AS line FROM raw.loan_balances ORDER BY loan_id`)).toEqual([
          { loan_id: 'L001', recorded_class: '正常', line: 2 },
          { loan_id: 'L002', recorded_class: '关注', line: 3 },
          { loan_id: 'L003', recorded_class: '次级', line: 4 },
        ]);
      });
    }
  }

  it('CRLF file with a malformed line: rejected on its true line, its text without the line break', async () => {
    const { dir, dateDir } = extract();
    // Line 3 has one field too many; lines 2, 4, 5 are L001, L002, L003. read 4 = loaded 3 + rejected 1.
    const bad = `${balance({ loan_id: 'L009' })},extra`;
    writeLines(dateDir, 'loan_balances', [header('loan_balances'), balance({ loan_id: 'L001' }), bad, balance({ loan_id: 'L002' }), balance({ loan_id: 'L003' })], ['\r\n']);
    await loadExtracts(wh, dir);
    expect(await audit('loan_balances')).toEqual({ read: 4, loaded: 3, rejected: 1 });
    const [r] = await rejected('loan_balances');
    expect(r).toMatchObject({ line: 3n, reason_code: 'malformed_line' });
    expect(r!.raw_record.replace(/\r?\n?$/, '')).toBe(bad);
    expect(await wh.all(`SELECT loan_id, _source_line::INTEGER AS line FROM raw.loan_balances ORDER BY line`)).toEqual([
      { loan_id: 'L001', line: 2 },
      { loan_id: 'L002', line: 4 },
      { loan_id: 'L003', line: 5 },
    ]);
  });

  it('a header followed only by blank lines is a file with 0 rows, not an error', async () => {
    const { dir, dateDir } = extract();
    writeFileSync(join(dateDir, 'loan_balances.csv'), `${header('loan_balances')}\r\n\r\n\r\n`);
    await loadExtracts(wh, dir);
    expect(await audit('loan_balances')).toEqual({ read: 0, loaded: 0, rejected: 0 });
  });

  for (const encoding of ['utf-8', 'gb18030'] as const) {
    it(`${encoding}: a file with rows of which the reader reads none is EXTRACT_STRUCTURE, never 0 rows`, async () => {
      // The reader as it was before line ends were detected: new_line '\n' on a CRLF file reads 0 rows
      // and reports no error (DuckDB's strict parser takes the whole file for the header).
      const { dateDir } = extract();
      writeLines(dateDir, 'loan_balances', [header('loan_balances'), balance({ loan_id: 'L001' }), balance({ loan_id: 'L002' }), balance({ loan_id: 'L003' })], ['\r\n'], encoding);
      if (encoding === 'gb18030') writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ encoding: 'gb18030' }));
      const file = locateExtractFiles(dateDir).find((f) => f.entity.name === 'loan_balances')!;
      const prepared = await prepareFile(wh, file, tempDir('cq-prep-'), 0);
      expect(prepared.relationSql).toContain(`new_line = '\\r\\n'`);
      const oldReader = { ...prepared, relationSql: prepared.relationSql.replace(`new_line = '\\r\\n'`, `new_line = '\\n'`) };
      const e = await stageFile(wh, oldReader, 0, '2026-09-30').then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(CqError);
      expect((e as CqError).code).toBe('EXTRACT_STRUCTURE');
      expect((e as CqError).message).toMatch(/loan_balances\.csv: \d+ bytes, of which the header line is \d+, but no row after line 1 could be read.*Fix:/);
      // The same prepared file with the detected line ends: 3 rows.
      expect((await stageFile(wh, prepared, 0, '2026-09-30')).parsedRows).toBe(3);
    });
  }

  it('a file the CSV reader gives up on is EXTRACT_STRUCTURE naming the file, without its content', async () => {
    // LF header, one CRLF row: mixed, so the loader reads a copy with LF only. Reading the original
    // with new_line '\n' makes DuckDB's strict parser fail outright.
    const { dateDir } = extract();
    const path = writeLines(dateDir, 'loan_balances', [header('loan_balances'), balance({ loan_id: 'L001' }), balance({ loan_id: 'L002' }), balance({ loan_id: 'L003' })], ['\n', '\r\n', '\n']);
    const file = locateExtractFiles(dateDir).find((f) => f.entity.name === 'loan_balances')!;
    const prepared = await prepareFile(wh, file, tempDir('cq-prep-'), 0);
    const copy = /read_csv\('([^']+)'/.exec(prepared.relationSql)![1]!;
    expect(copy).toMatch(/\.lf\.csv$/);
    const original = { ...prepared, relationSql: prepared.relationSql.replace(copy, file.realPath!) };
    const e = await stageFile(wh, original, 0, '2026-09-30').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(CqError);
    expect((e as CqError).code).toBe('EXTRACT_STRUCTURE');
    expect((e as CqError).message).toContain(`${path}: the CSV file cannot be read`);
    expect((e as CqError).message).not.toContain('L00');
  });
});

describe('snapshot dates must be the business date of their folder', () => {
  it('loan_balances rows dated 2099-12-31 and 2023-06-30 in the 2024-12-31 folder are rejected, naming the folder date and the fix', async () => {
    const { dir } = extract(
      (r) => {
        r.loan_balances = [
          balanceRow({ as_of_date: '2024-12-31', loan_id: 'L001' }),
          balanceRow({ as_of_date: '2099-12-31', loan_id: 'L002' }),
          balanceRow({ as_of_date: '2023-06-30', loan_id: 'L003' }),
        ];
      },
      { date: '2024-12-31' },
    );
    await loadExtracts(wh, dir);
    // read 3 = loaded 1 (L001) + rejected 2 (lines 3 and 4).
    expect(await audit('loan_balances')).toEqual({ read: 3, loaded: 1, rejected: 2 });
    const rej = await rejected('loan_balances');
    expect(rej.map((r) => [r.line, r.column_name, r.reason_code])).toEqual([
      [3n, 'as_of_date', 'wrong_business_date'],
      [4n, 'as_of_date', 'wrong_business_date'],
    ]);
    expect(rej[0]!.reason).toMatch(/loan_balances\.csv: line 3, column as_of_date: '2099-12-31' is not the business date 2024-12-31 of the folder .*Fix: correct as_of_date to 2024-12-31/);
    expect(rej[1]!.reason).toContain(`'2023-06-30' is not the business date 2024-12-31`);
    expect(await wh.all(`SELECT loan_id FROM raw.loan_balances`)).toEqual([{ loan_id: 'L001' }]);
    // Only snapshot dates are tied to the folder: the scores (scored_on 2026-09-30) load in this folder.
    expect(await audit('risk_scores')).toEqual({ read: 2, loaded: 2, rejected: 0 });
  });

  it('a Parquet file with as_of_date stored as DATE is checked the same way', async () => {
    const { dir, dateDir } = extract(
      (r) => {
        r.loan_balances = [
          balanceRow({ as_of_date: '2024-12-31', loan_id: 'L001' }),
          balanceRow({ as_of_date: '2099-12-31', loan_id: 'L002' }),
          balanceRow({ as_of_date: '2024-12-30', loan_id: 'L003' }),
        ];
      },
      { date: '2024-12-31' },
    );
    const csv = join(dateDir, 'loan_balances.csv');
    await wh.exec(
      `COPY (SELECT * REPLACE (CAST(as_of_date AS DATE) AS as_of_date) FROM read_csv('${csv}', all_varchar = true)) TO '${join(dateDir, 'loan_balances.parquet')}' (FORMAT parquet)`,
    );
    expect((await wh.all<{ t: string }>(`SELECT typeof(as_of_date) AS t FROM read_parquet('${join(dateDir, 'loan_balances.parquet')}') LIMIT 1`))[0]!.t).toBe('DATE');
    unlinkSync(csv);
    await loadExtracts(wh, dir);
    // Parquet rows 2 and 3 (1-based) are off the folder date: read 3 = loaded 1 + rejected 2.
    expect(await audit('loan_balances')).toEqual({ read: 3, loaded: 1, rejected: 2 });
    expect((await rejected('loan_balances')).map((r) => [r.line, r.reason_code])).toEqual([
      [2n, 'wrong_business_date'],
      [3n, 'wrong_business_date'],
    ]);
  });
});

describe('symbolic links out of the delivery are refused; nothing of the target is quoted', () => {
  const SECRET = 'root:x:0:0:SECRET-TOKEN-8842:/root:/bin/bash';

  async function refused(dir: string, code: CqError['code'] = 'EXTRACT_OUTSIDE_DELIVERY'): Promise<CqError> {
    await ensureRawSchema(wh);
    const e = await loadError(dir);
    expect(e.code).toBe(code);
    expect(await written()).toBe(0);
    return e;
  }

  it('an extract file linked to a file outside the extracts folder', async () => {
    const { dir, dateDir } = extract();
    const outside = join(tempDir('cq-outside-'), 'passwd');
    writeFileSync(outside, `${SECRET}\nnobody:x:65534\n`);
    unlinkSync(join(dateDir, 'loan_balances.csv'));
    symlinkSync(outside, join(dateDir, 'loan_balances.csv'));
    const e = await refused(dir);
    expect(e.message).toMatch(/2026-09-30\/loan_balances\.csv: the file is a symbolic link that leads outside the extracts folder .*Fix:/);
    expect(e.message).not.toContain('SECRET');
    expect(e.message).not.toContain('root:x');
    expect(e.message).not.toContain(outside);
  });

  it('an extract file linked to /etc/passwd', async () => {
    if (!existsSync('/etc/passwd')) return;
    const { dir, dateDir } = extract();
    unlinkSync(join(dateDir, 'customers.csv'));
    symlinkSync('/etc/passwd', join(dateDir, 'customers.csv'));
    const e = await refused(dir);
    const firstLine = readFileSync('/etc/passwd', 'utf8').split('\n')[0]!;
    expect(e.message).not.toContain(firstLine.split(':')[0]! + ':');
    expect(e.message).toContain('customers.csv');
  });

  it('a link to a valid extract elsewhere does not load', async () => {
    const { dir, dateDir } = extract();
    const { dateDir: elsewhere } = extract();
    unlinkSync(join(dateDir, 'loan_balances.csv'));
    symlinkSync(join(elsewhere, 'loan_balances.csv'), join(dateDir, 'loan_balances.csv'));
    await refused(dir);
  });

  it('a business-date folder linked to a folder outside', async () => {
    const dir = tempDir('cq-extract-');
    const { dateDir: elsewhere } = extract();
    symlinkSync(elsewhere, join(dir, '2026-09-30'));
    const e = await refused(dir);
    expect(e.message).toMatch(/2026-09-30: the business-date folder is a symbolic link that leads outside the extracts folder/);
  });

  it('a manifest.json linked outside', async () => {
    const { dir, dateDir } = extract();
    const outside = join(tempDir('cq-outside-'), 'manifest.json');
    writeFileSync(outside, SECRET);
    symlinkSync(outside, join(dateDir, 'manifest.json'));
    const e = await refused(dir);
    expect(e.message).toContain('manifest.json: the manifest is a symbolic link that leads outside');
    expect(e.message).not.toContain('SECRET');
  });

  it('a link that stays inside the extracts folder is followed', async () => {
    const { dir, dateDir } = extract();
    mkdirSync(join(dir, 'common'));
    writeFileSync(join(dir, 'common', 'balances.csv'), readFileSync(join(dateDir, 'loan_balances.csv')));
    unlinkSync(join(dateDir, 'loan_balances.csv'));
    symlinkSync('../common/balances.csv', join(dateDir, 'loan_balances.csv'));
    await loadExtracts(wh, dir);
    // The mini's 3 balances, lineage naming the delivered path.
    expect(await audit('loan_balances')).toEqual({ read: 3, loaded: 3, rejected: 0 });
    expect((await wh.all<{ f: string }>(`SELECT DISTINCT _source_file AS f FROM raw.loan_balances`))[0]!.f).toMatch(/2026-09-30\/loan_balances\.csv$/);
  });

  it('a file that is not the extract (no contract column in its first line) is not quoted in the error', async () => {
    const { dir, dateDir } = extract();
    writeFileSync(join(dateDir, 'loans.csv'), `${SECRET}\nbin:x:1:1\n`);
    const e = await refused(dir, 'EXTRACT_MISSING_COLUMN');
    expect(e.message).toMatch(/loans\.csv: line 1 \(header\): required column\(s\) "loan_id", .* missing\. The header has none of the loans columns: is this the right file\?/);
    expect(e.message).not.toContain('SECRET');
    expect(e.message).not.toContain('root:x');
  });

  it('a renamed column is named only when it reads like a column name', async () => {
    const { dir } = extract((_r, h) => (h.loans = h.loans!.replace(',principal,', ',token=SECRET/42,')));
    const e = await refused(dir, 'EXTRACT_MISSING_COLUMN');
    expect(e.message).toContain('required column(s) "principal" missing. The file has 1 unexpected column(s): renamed?');
    expect(e.message).not.toContain('SECRET');
  });

  it('a Parquet file that is not Parquet is EXTRACT_UNREADABLE without its content', async () => {
    const { dir, dateDir } = extract();
    unlinkSync(join(dateDir, 'loans.csv'));
    writeFileSync(join(dateDir, 'loans.parquet'), `${SECRET}\n`.repeat(20));
    const e = await refused(dir, 'EXTRACT_UNREADABLE');
    expect(e.message).toMatch(/loans\.parquet: not a readable Parquet file/);
    expect(e.message).not.toContain('SECRET');
  });
});

describe('duplicate header names', () => {
  /** The loans header as a literal line (14 columns), so the field numbers below are the file's, whatever the contract adds. */
  const LOANS_HEADER_14 =
    'loan_id,customer_id,branch_id,product_id,principal,currency,annual_rate,term_months,repayment_method,guarantee_type,disbursed_on,maturity_on,restructured,restructured_on';

  it('a column twice is EXTRACT_STRUCTURE naming file, line 1, the column and the fix', async () => {
    // A literal header (the file a lender writes, not the contract's list): 14 loans columns, principal is
    // field 5, the repeat is field 15. Each row is written under this header: field 15 repeats its principal.
    const { dir } = extract((_r, h) => {
      h.loans = `${LOANS_HEADER_14},principal`;
    });
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_STRUCTURE');
    expect(e.message).toMatch(/2026-09-30\/loans\.csv: line 1 \(header\): column "principal" appears twice \(fields 5 and 15\)\. Fix: re-deliver the file with each column once/);
    expect(e.where).toMatchObject({ line: 1, column: 'principal' });
  });

  it('names that differ only in case are the same column', async () => {
    const { dir } = extract((_r, h) => {
      h.loans = `${LOANS_HEADER_14},LOAN_ID`; // field 15 of each row is empty
    });
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_STRUCTURE');
    expect(e.message).toContain('column "LOAN_ID" appears twice (fields 1 and 15, names compared ignoring case)');
  });

  it('an empty column name (trailing comma) is EXTRACT_STRUCTURE', async () => {
    const { dir } = extract((_r, h) => {
      h.surveys = 'survey_id,customer_id,surveyed_on,channel,score,'; // literal: 5 columns and an empty 6th name; field 6 of each row is empty too
    });
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_STRUCTURE');
    expect(e.message).toMatch(/surveys\.csv: line 1 \(header\): field 6 of 6 has no column name\. Fix:/);
  });
});

describe('a UTF-8 file declared GB18030', () => {
  it('is refused with EXTRACT_ENCODING naming the first non-ASCII text and the fix', async () => {
    const { dir, dateDir } = extract();
    writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ encoding: { 'customers.csv': 'gb18030' } }));
    await ensureRawSchema(wh);
    const e = await loadError(dir);
    expect(e.code).toBe('EXTRACT_ENCODING');
    // Line 2 is C001, field 3 its name 张伟.
    expect(e.message).toMatch(/customers\.csv: manifest\.json declares gb18030, but the file is UTF-8 text \(line 2, field 3 is the first non-ASCII text\).*Fix: remove the gb18030 entry/);
    expect(await written()).toBe(0);
  });

  it('an ASCII-only file declared GB18030 loads (both readings are the same)', async () => {
    const { dir, dateDir } = extract();
    writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ encoding: { 'surveys.csv': 'gb18030' } }));
    await loadExtracts(wh, dir);
    expect(await audit('surveys')).toEqual({ read: 2, loaded: 2, rejected: 0 });
  });

  it('the generator\'s GB18030 extracts load, with the text of its UTF-8 extracts', async () => {
    const names: unknown[] = [];
    for (const encoding of ['utf-8', 'gb18030'] as const) {
      const out = tempDir('cq-gen-');
      await generateSample({ customers: 40, months: 2, seed: 7, out, encoding });
      const w = await openWarehouse(':memory:');
      try {
        await loadExtracts(w, out);
        names.push(await w.all(`SELECT customer_id, name, _business_date::VARCHAR AS d FROM raw.customers ORDER BY ALL`));
      } finally {
        await w.close();
      }
    }
    expect((names[0] as unknown[]).length).toBeGreaterThan(0);
    expect(JSON.stringify(names[0])).toMatch(/[\u4e00-\u9fff]/);
    expect(names[1]).toEqual(names[0]);
  });
});

describe('control characters in text values', () => {
  it('NUL, ESC and a line break in a text value reject the row naming column, line and character; a tab is allowed', async () => {
    const { dir } = extract((r) => {
      r.customers.push(
        customerRow({ customer_id: 'C004', name: 'Zhang\u0000Wei' }), // line 5: NUL at character 6 of name
        customerRow({ customer_id: 'C005', name: '王芳', id_number: 'ID\u001b005' }), // line 6: ESC at character 3 of id_number
        customerRow({ customer_id: 'C006', name: 'Li\tNa' }), // line 7: tab, loads
        customerRow({ customer_id: 'C007', name: '王\n芳' }), // line 8 (quoted, runs onto line 9): LF at character 2 of name
      );
    });
    await loadExtracts(wh, dir);
    // read 3 + 4 = 7 = loaded 3 + 1 (C006) + rejected 3.
    expect(await audit('customers')).toEqual({ read: 7, loaded: 4, rejected: 3 });
    const rej = await rejected('customers');
    expect(rej.map((r) => [r.line, r.column_name, r.reason_code])).toEqual([
      [5n, 'name', 'control_character'],
      [6n, 'id_number', 'control_character'],
      [8n, 'name', 'control_character'],
    ]);
    expect(rej[0]!.reason).toMatch(/customers\.csv: line 5, column name: name holds control character U\+0000 at character 6\. Fix: remove control characters/);
    expect(rej[1]!.reason).toContain('id_number holds control character U+001B at character 3');
    expect(rej[2]!.reason).toContain('name holds control character U+000A at character 2');
    for (const r of rej) expect(r.reason).not.toMatch(/[\u0000-\u0008\u000a-\u001f]/);
    expect(rej[0]!.raw_record).toContain('Zhang\\u0000Wei');
    expect(await wh.all(`SELECT customer_id, name FROM raw.customers WHERE customer_id = 'C006'`)).toEqual([{ customer_id: 'C006', name: 'Li\tNa' }]);
  });
});
