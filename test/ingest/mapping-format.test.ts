import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { LEDGER_ROWS, ledgerMapping, writeLedger } from '../helpers/mapping-ledger.js';
import { writeMiniExtract } from '../helpers/mini-extract.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * Every feature of the mapping format on the hand-written ledger of test/helpers/mapping-ledger.ts
 * (Chinese headers, 万元, %, YYYYMMDD, 五级分类 codes, dpd in a status text, GB18030).
 * Expected values follow from its four rows.
 */

let wh: WarehouseHandle;
let dir: string;
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
  dir = mkdtempSync(join(tmpdir(), 'cq-mapping-'));
  // The ledger's manifests name the mapping `ledger`, installed in this test's own mappings folder.
  process.env.CQ_MAPPINGS_DIR = join(dir, 'mappings');
});
afterEach(async () => {
  delete process.env.CQ_MAPPINGS_DIR;
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows<T>(sql: string): Promise<T[]> {
  return wh.all<T>(sql);
}

describe('a mapping named in manifest.json (dated folders, GB18030, Chinese headers)', () => {
  it('renames, converts units and date formats, translates codes, derives fields, and loads through the contract', async () => {
    const { extracts } = writeLedger(dir);
    const [load] = await loadExtracts(wh, extracts);
    expect(Object.fromEntries(load!.files.filter((f) => f.rowsRead > 0).map((f) => [f.entity, [f.rowsRead, f.rowsLoaded, f.rowsRejected]]))).toEqual({
      branches: [2, 2, 0],
      products: [2, 2, 0],
      customers: [3, 3, 0],
      loans: [4, 4, 0],
      loan_balances: [4, 3, 1],
    });
    expect(
      await rows(
        `SELECT loan_id, customer_id, product_id, principal::VARCHAR AS principal, annual_rate, term_months, disbursed_on::VARCHAR AS d, maturity_on::VARCHAR AS m, repayment_method, _source_line AS line
         FROM raw.loans ORDER BY loan_id`,
      ),
    ).toEqual([
      { loan_id: 'L1', customer_id: 'C1', product_id: 'business', principal: '1000000.00', annual_rate: 0.0435, term_months: 36, d: '2024-01-15', m: '2027-01-15', repayment_method: 'equal_instalment', line: 2n },
      { loan_id: 'L2', customer_id: 'C2', product_id: 'consumer_instalment', principal: '55000.00', annual_rate: 0.12, term_months: 36, d: '2023-03-01', m: '2026-03-01', repayment_method: 'equal_instalment', line: 3n },
      { loan_id: 'L3', customer_id: 'C2', product_id: 'consumer_instalment', principal: '200000.00', annual_rate: 0.06, term_months: 36, d: '2022-06-01', m: '2025-06-01', repayment_method: 'equal_instalment', line: 4n },
      { loan_id: 'L4', customer_id: 'C3', product_id: 'business', principal: '500000.00', annual_rate: 0.055, term_months: 36, d: '2024-06-01', m: '2027-06-01', repayment_method: 'equal_instalment', line: 5n },
    ]);
    expect(await rows(`SELECT loan_id, outstanding_principal::VARCHAR AS bal, days_past_due AS dpd, recorded_class AS cls FROM raw.loan_balances ORDER BY loan_id`)).toEqual([
      { loan_id: 'L1', bal: '950000.00', dpd: 0, cls: '正常' },
      { loan_id: 'L2', bal: '30000.50', dpd: 35, cls: '关注' },
      { loan_id: 'L3', bal: '150000.00', dpd: 120, cls: '次级' },
    ]);
    // one_row_per: C2 appears on lines 3 and 4, the first wins; the business customer is recognised by its credit code.
    expect(await rows(`SELECT customer_id, customer_type, id_number, onboarded_on::VARCHAR AS o, _source_line AS line FROM raw.customers ORDER BY 1`)).toEqual([
      { customer_id: 'C1', customer_type: 'individual', id_number: '110101199003074514', o: '2024-01-15', line: 2n },
      { customer_id: 'C2', customer_type: 'individual', id_number: '(missing)', o: '2023-03-01', line: 3n },
      { customer_id: 'C3', customer_type: 'small_business', id_number: '91330100MA27XL0E2K', o: '2024-06-01', line: 5n },
    ]);
    expect(await rows(`SELECT branch_id, name_zh, region FROM raw.branches ORDER BY 1`)).toEqual([
      { branch_id: 'BJ01', name_zh: '北京分行', region: '华北' },
      { branch_id: 'SH01', name_zh: '上海分行', region: '华东' },
    ]);
    const [audit] = await rows<{ encoding: string; mapping: string; path: string }>(`SELECT encoding, mapping, path FROM ops.load_audit WHERE entity = 'loans'`);
    expect(audit).toMatchObject({ encoding: 'gb18030', mapping: 'ledger' });
    expect(audit!.path).toMatch(/2026-09-30\/贷款台账\.csv$/);
  });

  it('rejects a contract violation naming the source column, with the source row as raw record', async () => {
    const { extracts } = writeLedger(dir);
    await loadExtracts(wh, extracts);
    const rej = await rows<{ entity: string; line: bigint; column_name: string; reason_code: string; reason: string; raw_record: string }>(
      `SELECT entity, line, column_name, reason_code, reason, raw_record FROM ops.rejected_rows`,
    );
    expect(rej).toHaveLength(1);
    expect(rej[0]).toMatchObject({ entity: 'loan_balances', line: 5n, column_name: 'outstanding_principal', reason_code: 'negative_amount' });
    expect(rej[0]!.reason).toMatch(/贷款台账\.csv: line 5, column outstanding_principal \(from source column 余额\(元\)\): '-5\.00' is negative/);
    expect(JSON.parse(rej[0]!.raw_record)).toMatchObject({ 借据号: 'L4', '余额(元)': '-5.00', 客户名称: '杭州明远贸易有限公司' });
  });

  it('records defaults (whole column and empty values) and retained source values', async () => {
    const { extracts } = writeLedger(dir);
    await loadExtracts(wh, extracts);
    const d = await rows<{ entity: string; column_name: string | null; kind: string; rows_defaulted: bigint; note: string }>(
      `SELECT entity, column_name, kind, rows_defaulted, note FROM ops.mapping_defaults WHERE kind <> 'entity_absent' ORDER BY entity, column_name`,
    );
    expect(d.map((r) => [r.entity, r.column_name, r.kind, Number(r.rows_defaulted)])).toEqual([
      ['customers', 'id_number', 'empty_in_source', 1], // C2 (first line 3) has no ID number
      ['loan_balances', 'overdue_interest', 'missing_in_source', 3], // loaded rows only: L4 was rejected
      ['loan_balances', 'overdue_principal', 'missing_in_source', 3],
      ['loan_balances', 'provision_amount', 'missing_in_source', 3],
      ['loans', 'repayment_method', 'missing_in_source', 4],
    ]);
    expect(d[0]!.note).toBe('Some ledger rows lack the ID number.');
    const absent = await rows<{ entity: string }>(`SELECT entity FROM ops.mapping_defaults WHERE kind = 'entity_absent' ORDER BY 1`);
    expect(absent.map((a) => a.entity)).toEqual(['repayment_schedule', 'repayments', 'risk_scores', 'surveys', 'verifications', 'warnings']);
    const kept = await rows<{ source_line: bigint; value: string }>(`SELECT source_line, value FROM ops.mapping_source_values WHERE name = 'default_flag' ORDER BY 1`);
    expect(kept.map((k) => [Number(k.source_line), k.value])).toEqual([[2, '0'], [3, '0'], [4, '1'], [5, '0']]);
  });

  it('re-loading a date replaces its rows and its mapping records (no duplicates)', async () => {
    const { extracts } = writeLedger(dir);
    await loadExtracts(wh, extracts);
    await loadExtracts(wh, extracts);
    const [n] = await rows<{ loans: bigint; defaults: bigint; kept: bigint; audit: bigint }>(
      `SELECT (SELECT count(*) FROM raw.loans) AS loans, (SELECT count(*) FROM ops.mapping_defaults) AS defaults,
              (SELECT count(*) FROM ops.mapping_source_values) AS kept, (SELECT count(*) FROM ops.load_audit) AS audit`,
    );
    expect(n).toEqual({ loans: 4n, defaults: 11n, kept: 4n, audit: 11n });
  });

  it('a malformed source line is rejected by every entity it feeds, later lines keep their true numbers; CRLF is fine', async () => {
    const bad = [...LEDGER_ROWS.slice(0, 2), 'L9,C9,王五', LEDGER_ROWS[2]!]; // line 4 has 3 fields
    const { extracts } = writeLedger(dir, { rows: bad, crlf: true });
    const [load] = await loadExtracts(wh, extracts);
    const loans = load!.files.find((f) => f.entity === 'loans')!;
    expect([loans.rowsRead, loans.rowsLoaded, loans.rowsRejected]).toEqual([4, 3, 1]);
    const rej = await rows<{ entity: string; line: bigint; reason_code: string }>(`SELECT entity, line, reason_code FROM ops.rejected_rows ORDER BY entity`);
    expect(rej.map((r) => [r.entity, Number(r.line), r.reason_code])).toEqual([
      ['loan_balances', 4, 'malformed_line'],
      ['loans', 4, 'malformed_line'],
    ]);
    expect(await rows(`SELECT loan_id, _source_line AS line FROM raw.loans ORDER BY 1`)).toEqual([
      { loan_id: 'L1', line: 2n },
      { loan_id: 'L2', line: 3n },
      { loan_id: 'L3', line: 5n },
    ]);
    // Reference entities built with one_row_per do not re-report the line.
    expect(load!.files.find((f) => f.entity === 'customers')!.rowsRejected).toBe(0);
  });

  it('a mapped source with lone-CR line ends (old Mac / some core-banking exports) loads every row', async () => {
    // Before: the stager guessed \n from the header and DuckDB read 1 header line and 0 rows.
    const { extracts } = writeLedger(dir, { lineEnd: '\r' });
    const [load] = await loadExtracts(wh, extracts);
    const loans = load!.files.find((f) => f.entity === 'loans')!;
    expect([loans.rowsRead, loans.rowsLoaded, loans.rowsRejected]).toEqual([LEDGER_ROWS.length, LEDGER_ROWS.length, 0]);
    expect(await rows(`SELECT loan_id, _source_line AS line FROM raw.loans ORDER BY 1`)).toEqual(
      LEDGER_ROWS.map((_, i) => ({ loan_id: `L${i + 1}`, line: BigInt(i + 2) })),
    );
  });

  it('the plain loader (loadExtracts, used by the nightly run via loadBusinessDate) honours a manifest mapping too', async () => {
    const { extracts } = writeLedger(dir);
    const [load] = await loadExtracts(wh, extracts);
    expect(load!.files.find((f) => f.entity === 'loans')).toMatchObject({ rowsRead: 4, rowsLoaded: 4, mapping: 'ledger' });
  });

  it('a folder without a mapping loads natively beside a mapped one', async () => {
    const { extracts } = writeLedger(dir);
    writeMiniExtract(undefined, { dir: extracts, date: '2026-08-31' });
    const loads = await loadExtracts(wh, extracts);
    const loans = (l: (typeof loads)[number]) => l.files.find((f) => f.entity === 'loans')!;
    expect(loads.map((l) => [l.businessDate, loans(l).mapping, loans(l).rowsLoaded])).toEqual([
      ['2026-08-31', null, 3],
      ['2026-09-30', 'ledger', 4],
    ]);
  });

  it('--mapping applies to folders whose manifest names none; a mapping may be JSON', async () => {
    const { extracts } = writeLedger(dir, { manifest: { encoding: 'gb18030' } });
    const json = join(dir, 'ledger.json');
    writeFileSync(json, JSON.stringify(parseYaml(ledgerMapping()), null, 2));
    const loads = await loadExtracts(wh, extracts, { mapping: json });
    expect(loads[0]!.files.find((f) => f.entity === 'loans')).toMatchObject({ mapping: 'ledger', rowsLoaded: 4 });
  });
});

describe('a flat layout: the mapping declares business dates and per-date variables', () => {
  it('emits one snapshot per business date from columns chosen by variables', async () => {
    const header = 'acct,bal_jan,bal_feb,st_jan,st_feb';
    writeFileSync(join(dir, 'cards.csv'), `${header}\n1,100,200,0,2\n2,50,0,1,0\n`);
    const mapping = `
business_dates:
  2026-01-31: { m: jan }
  2026-02-28: { m: feb }
sources:
  s: { file: cards.csv }
code_tables:
  dpd: { '0': 0, '1': 30, '2': 60 }
entities:
  branches:
    rows: [{ branch_id: B1, name_zh: 总行, name_en: Head office, region: 华北 }]
  products:
    rows: [{ product_id: consumer_instalment, name_zh: 信用卡, name_en: Card, segment: retail }]
  customers:
    from: s
    dates: ['2026-01-31']
    columns:
      customer_id: acct
      customer_type: { const: individual }
      name: { default: '-', note: n }
      id_number: { default: '-', note: n }
      branch_id: { const: B1 }
      onboarded_on: { const: '2025-12-01' }
  loans:
    from: s
    dates: ['2026-01-31']
    columns:
      loan_id: acct
      customer_id: acct
      branch_id: { const: B1 }
      product_id: { const: consumer_instalment }
      principal: { const: '1000.00' }
      currency: { const: CNY }
      annual_rate: { const: '0.18' }
      term_months: { const: '12' }
      repayment_method: { const: interest_first }
      guarantee_type: { const: credit }
      disbursed_on: { const: '2025-12-01' }
      maturity_on: { const: '2026-12-01' }
      restructured: { const: 'false' }
  loan_balances:
    from: s
    columns:
      as_of_date: { const: '\${business_date}' }
      loan_id: acct
      outstanding_principal: { source: 'bal_\${m}', numeric: true }
      overdue_principal: { const: '0' }
      overdue_interest: { const: '0' }
      days_past_due: { source: 'st_\${m}', translate: dpd }
      recorded_class: { const: 正常 }
      provision_amount: { const: '0' }
      status: { const: active }
`;
    const mappingPath = join(dir, 'cards.yaml');
    writeFileSync(mappingPath, mapping);
    const loads = await loadExtracts(wh, dir, { mapping: mappingPath });
    expect(loads.map((l) => l.businessDate)).toEqual(['2026-01-31', '2026-02-28']);
    expect(await rows(`SELECT as_of_date::VARCHAR AS d, loan_id, outstanding_principal::VARCHAR AS bal, days_past_due AS dpd FROM raw.loan_balances ORDER BY 1, 2`)).toEqual([
      { d: '2026-01-31', loan_id: '1', bal: '100.00', dpd: 0 },
      { d: '2026-01-31', loan_id: '2', bal: '50.00', dpd: 30 },
      { d: '2026-02-28', loan_id: '1', bal: '200.00', dpd: 60 },
      { d: '2026-02-28', loan_id: '2', bal: '0.00', dpd: 0 },
    ]);
    // Loans are delivered on the first date only; the second date's balances still find them.
    expect(await rows(`SELECT entity, rows_read FROM ops.load_audit WHERE business_date = DATE '2026-02-28' AND entity IN ('loans', 'loan_balances') ORDER BY 1`)).toEqual([
      { entity: 'loan_balances', rows_read: 2n },
      { entity: 'loans', rows_read: 0n },
    ]);
  });
});

describe('npm run load -- --mapping', () => {
  it('loads through the CLI and reports; a mapping error exits 1 naming the mapping key', async () => {
    const { extracts, mappingPath } = writeLedger(dir, { manifest: { encoding: 'gb18030' } });
    const run = (args: string[]) =>
      runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/load.ts', '--extracts', extracts, '--warehouse', join(dir, 'wh.duckdb'), ...args], { encoding: 'utf8' });
    // The ledger's one rejected balance is 1 of 4 loan_balances rows (25 %): above the default
    // fail limit (5 %), so the publish gate fails the load, naming the file and the reason…
    const gated = await run(['--mapping', mappingPath]);
    expect(gated.status, gated.stdout + gated.stderr).toBe(1);
    expect(gated.stdout).toContain('2026-09-30  read 15  loaded 14  rejected 1  (mapping ledger)');
    expect(gated.stderr).toMatch(/error \[REJECT_LIMIT\]: .*\n {2}.*贷款台账\.csv \(loan_balances, 2026-09-30\): read 4, loaded 3, rejected 1 \(25\.0 %, above the fail limit 5\.0 %\)\n {4}\w+ in \w+: 1 row, e\.g\. line \d+: /);
    // … unless the operator accepts that share for balances (cq.config.json rejectLimits).
    const config = join(dir, 'lenient.config.json');
    writeFileSync(config, JSON.stringify({ rejectLimits: { perEntity: { loan_balances: { warn: 0.3, fail: 0.3 } } } }));
    const ok = await run(['--mapping', mappingPath, '--config', config]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('2026-09-30  read 15  loaded 14  rejected 1  (mapping ledger)');
    expect(ok.stderr).not.toContain('REJECT_LIMIT');
    writeFileSync(mappingPath, ledgerMapping().replace('loan_id: 借据号\n      customer_id', 'loan_id: 借据\n      customer_id'));
    const bad = await run(['--mapping', mappingPath]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/error \[MAPPING_UNKNOWN_COLUMN\]: .*ledger\.yaml: entities\.loans\.columns\.loan_id\.source \(line \d+\): source column "借据" is not in the header/);
  });
});
