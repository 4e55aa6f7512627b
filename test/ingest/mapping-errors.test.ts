import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError, type CqErrorCode } from '../../transforms/lib/errors.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { MAPPINGS_DIR } from '../../transforms/ingest/mapping/mapping-location.js';
import { LEDGER_ROWS, ledgerMapping, writeLedger } from '../helpers/mapping-ledger.js';

/**
 * Mapping errors are reported with the mapping file, the key (and its line) and the source column,
 * BEFORE any row is loaded: the warehouse is unchanged. Each test breaks one thing in the ledger
 * mapping of test/helpers/mapping-ledger.ts.
 */

let wh: WarehouseHandle;
let dir: string;
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
  dir = mkdtempSync(join(tmpdir(), 'cq-mapping-err-'));
  // The ledger's manifests name the mapping `ledger`, installed in this test's own mappings folder.
  process.env.CQ_MAPPINGS_DIR = join(dir, 'mappings');
});
afterEach(async () => {
  delete process.env.CQ_MAPPINGS_DIR;
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Loads with a broken mapping and returns the error; asserts nothing at all was loaded. */
async function failure(mapping: string, code: CqErrorCode, rows = LEDGER_ROWS): Promise<CqError & { where: { file?: string; key?: string; column?: string; line?: number } }> {
  const { extracts, mappingPath } = writeLedger(dir, { mapping, rows });
  const e = await loadExtracts(wh, extracts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(CqError);
  expect((e as CqError).code, (e as Error).message).toBe(code);
  expect((e as CqError).where.file).toBe(mappingPath);
  expect((e as Error).message.startsWith(`${mappingPath}: `) || (e as Error).message.includes('ledger.yaml: ')).toBe(true);
  const [audit] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'raw'`);
  if (audit!.n > 0n) {
    const [n] = await wh.all<{ n: bigint }>(`SELECT (SELECT count(*) FROM raw.loans) + (SELECT count(*) FROM raw.loan_balances) + (SELECT count(*) FROM ops.load_audit) AS n`);
    expect(n!.n).toBe(0n);
  }
  return e as never;
}

const lineOf = (yaml: string, needle: string) => yaml.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('MAPPING_UNKNOWN_COLUMN: a source column the file does not have', () => {
  it('in a column source: names file, key, line and column, and guesses the intended one', async () => {
    const yaml = ledgerMapping().replace('principal: { source: 贷款金额(万元)', 'principal: { source: 贷款金额');
    const e = await failure(yaml, 'MAPPING_UNKNOWN_COLUMN');
    expect(e.where).toMatchObject({ key: 'entities.loans.columns.principal.source', column: '贷款金额', line: lineOf(yaml, 'principal: { source: 贷款金额') });
    expect(e.message).toContain(`ledger.yaml: entities.loans.columns.principal.source (line ${e.where.line}): source column "贷款金额" is not in the header of`);
    expect(e.message).toContain('Did you mean "贷款金额(万元)"?');
  });

  it('inside an expression ({column})', async () => {
    const yaml = ledgerMapping().replace("regexp_extract({逾期状态}", "regexp_extract({逾期天数}");
    const e = await failure(yaml, 'MAPPING_UNKNOWN_COLUMN');
    expect(e.where).toMatchObject({ key: 'entities.loan_balances.columns.days_past_due.expr', column: '逾期天数' });
  });

  it('in retain', async () => {
    const e = await failure(ledgerMapping().replace('default_flag: 违约标志', 'default_flag: 违约'), 'MAPPING_UNKNOWN_COLUMN');
    expect(e.where).toMatchObject({ key: 'entities.loan_balances.retain.default_flag', column: '违约' });
  });
});

describe('MAPPING_UNTRANSLATABLE_CODE: a source code the code table does not list', () => {
  it('names the key, the source column, the code, its first line and count', async () => {
    const yaml = ledgerMapping({ codes: `    '10': 正常\n    '20': 关注` });
    const e = await failure(yaml, 'MAPPING_UNTRANSLATABLE_CODE');
    expect(e.where).toMatchObject({ key: 'entities.loan_balances.columns.recorded_class.translate', column: '五级分类' });
    expect(e.message).toContain("source column 五级分类 of");
    expect(e.message).toContain("has code(s) '30' (line 4, 1 row) that code table five_class does not translate");
    expect(e.message).toContain('Fix: add the code(s) to code_tables.five_class, or give an otherwise value.');
  });

  it('otherwise: maps unlisted codes instead of failing', async () => {
    const yaml = ledgerMapping({ codes: `    '10': 正常\n    '20': 关注` }).replace('recorded_class: { source: 五级分类, translate: five_class }', 'recorded_class: { source: 五级分类, translate: five_class, otherwise: 次级 }');
    const { extracts } = writeLedger(dir, { mapping: yaml });
    await loadExtracts(wh, extracts);
    expect(await wh.all(`SELECT loan_id, recorded_class FROM raw.loan_balances ORDER BY 1`)).toEqual([
      { loan_id: 'L1', recorded_class: '正常' },
      { loan_id: 'L2', recorded_class: '关注' },
      { loan_id: 'L3', recorded_class: '次级' },
    ]);
  });

  it('a bad code on a later business date stops the load before the first date is written', async () => {
    writeFileSync(join(dir, 'cards.csv'), 'acct,st_jan,st_feb\n1,0,0\n2,1,7\n');
    const yaml = `
business_dates:
  2026-01-31: { m: jan }
  2026-02-28: { m: feb }
sources:
  s: { file: cards.csv }
code_tables:
  dpd: { '0': 0, '1': 30 }
entities:
  loan_balances:
    from: s
    columns:
      as_of_date: { const: '\${business_date}' }
      loan_id: acct
      outstanding_principal: { const: '1.00' }
      overdue_principal: { const: '0' }
      overdue_interest: { const: '0' }
      days_past_due: { source: 'st_\${m}', translate: dpd }
      recorded_class: { const: 正常 }
      provision_amount: { const: '0' }
      status: { const: active }
`;
    const path = join(dir, 'cards.yaml');
    writeFileSync(path, yaml);
    const e = (await loadExtracts(wh, dir, { mapping: path }).catch((err: unknown) => err)) as CqError;
    expect(e.code).toBe('MAPPING_UNTRANSLATABLE_CODE');
    expect(e.where).toMatchObject({ file: path, key: 'entities.loan_balances.columns.days_past_due.translate', column: 'st_feb' });
    expect(e.message).toContain("'7' (line 3, 1 row)");
    const [t] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'raw'`);
    expect(t!.n).toBe(0n); // nothing created, nothing loaded
  });
});

describe('MAPPING_INVALID: the mapping itself is wrong', () => {
  const cases: [string, (y: string) => string, string, RegExp][] = [
    ['a misspelt key', (y) => y.replace('principal: { source:', 'principal: { sorce:'), 'entities.loans.columns.principal.sorce', /unknown key "sorce"\. Allowed here: source, expr, const, default/],
    ['a required contract column left out', (y) => y.replace('      currency: { const: CNY }\n', ''), 'entities.loans.columns', /required contract column currency \(text\) is not mapped/],
    ['a default without a note', (y) => y.replace(`, note: "The ledger does not say; the bank's standard." }`, ' }'), 'entities.loans.columns.repayment_method', /a default needs a note/],
    ['an entity the contract does not have', (y) => y.replace('  loans:\n', '  loan:\n'), 'entities.loan', /"loan" is not a contract entity/],
    ['a column the entity does not have', (y) => y.replace('      currency: { const: CNY }', '      currency: { const: CNY }\n      ccy: { const: CNY }'), 'entities.loans.columns.ccy', /"ccy" is not a column of loans/],
    ['a translation naming no code table', (y) => y.replace('translate: product }', 'translate: products }'), 'entities.loans.columns.product_id.translate', /no code table "products"/],
    ['an unknown variable', (y) => y.replace("as_of_date: { const: '${business_date}' }", "as_of_date: { const: '${month_end}' }"), 'entities.loan_balances.columns.as_of_date.const', /unknown variable \$\{month_end\}/],
    ['a source and a const at once', (y) => y.replace('currency: { const: CNY }', 'currency: { const: CNY, source: 产品 }'), 'entities.loans.columns.currency', /give one of source, expr or const, not source and const/],
    ['an expression DuckDB cannot bind (an allowed function with a wrong argument)', (y) => y.replace("date_diff('month'", "date_diff('month', 'x'"), 'entities.loans.columns.term_months', /the SQL for loans\.term_months fails on .*贷款台账\.csv/],
    ['an expression that fails on the data', (y) => y.replace('restructured: { const: \'false\' }', "restructured: { expr: \"CAST({产品} AS BOOLEAN)\" }"), 'entities.loans.columns.restructured', /the SQL for loans\.restructured fails on .*: Conversion Error/],
  ];
  for (const [what, edit, key, message] of cases) {
    it(what, async () => {
      const yaml = edit(ledgerMapping());
      expect(yaml).not.toBe(ledgerMapping());
      const e = await failure(yaml, 'MAPPING_INVALID');
      expect(e.where.key).toBe(key);
      expect(e.message).toMatch(message);
      expect(e.message).toContain(`ledger.yaml: ${key}`);
    });
  }

  it('YAML that does not parse names the line', async () => {
    const e = await failure(ledgerMapping().replace('  book:\n', '  book:\n   - broken: [\n'), 'MAPPING_INVALID');
    expect(e.message).toMatch(/not valid YAML\/JSON/);
    expect(e.where.line).toBeGreaterThan(0);
  });

  it('an unknown mapping name lists the known ones', async () => {
    const { extracts } = writeLedger(dir);
    const e = (await loadExtracts(wh, extracts, { mapping: 'no-such-lender', mappingsDir: MAPPINGS_DIR }).catch((err: unknown) => err)) as CqError;
    expect(e.code).toBe('MAPPING_INVALID');
    expect(e.message).toMatch(/no mapping "no-such-lender"\. Known mappings: .*lending-club.*uci-credit-card/);
  });

  it('a manifest whose mapping is not a name', async () => {
    const { extracts } = writeLedger(dir, { manifest: { mapping: 42 } });
    const e = (await loadExtracts(wh, extracts).catch((err: unknown) => err)) as CqError;
    expect(e.code).toBe('EXTRACT_MANIFEST');
    expect(e.where.key).toBe('mapping');
  });
});

describe('a mapping error leaves earlier loads untouched', () => {
  it('a good date stays as it was when the next date has an untranslatable code', async () => {
    const good = writeLedger(dir, { date: '2026-08-31' });
    await loadExtracts(wh, good.extracts);
    const before = await wh.all(`SELECT * FROM ops.load_audit ORDER BY entity`);
    writeLedger(dir, { date: '2026-09-30', rows: [...LEDGER_ROWS, 'L5,C1,张三,110101199003074514,BJ01,经营,1,4,20240115,20270115,60,正常,1.00,0'] });
    const e = (await loadExtracts(wh, good.extracts).catch((err: unknown) => err)) as CqError;
    expect(e.code).toBe('MAPPING_UNTRANSLATABLE_CODE');
    expect(e.message).toContain("'60' (line 6, 1 row)");
    expect(await wh.all(`SELECT * FROM ops.load_audit ORDER BY entity`)).toEqual(before);
    expect(await wh.all(`SELECT DISTINCT _business_date::VARCHAR AS d FROM raw.loans`)).toEqual([{ d: '2026-08-31' }]);
  });
});
