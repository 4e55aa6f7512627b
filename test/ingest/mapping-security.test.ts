import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError, type CqErrorCode } from '../../transforms/lib/errors.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { ALLOWED_FUNCTIONS } from '../../transforms/ingest/mapping/expression-grammar.js';
import { openMappingSandbox } from '../../transforms/ingest/mapping/mapping-sandbox.js';
import { LEDGER_HEADER, LEDGER_ROWS, ledgerMapping, writeLedger } from '../helpers/mapping-ledger.js';

/**
 * A delivery must not be able to read host files (security issue: a delivered manifest named a
 * mapping inside the delivery whose `expr:` read /etc/hostname into raw.customers.industry).
 * Three independent barriers, each tested here with the ledger of test/helpers/mapping-ledger.ts:
 * 1. a manifest names only a mapping installed in the mappings folder, by name (MAPPING_FORBIDDEN);
 * 2. a mapping reads only source files inside the delivery folder, links resolved (EXTRACT_OUTSIDE_DELIVERY);
 * 3. expressions pass a vetted grammar (MAPPING_FORBIDDEN), and run in a DuckDB without file access.
 * Every refusal leaves the warehouse without a single loaded row.
 */

/** A secret outside every delivery; its text must never appear in a message or the warehouse. */
const SECRET = 'TOP-SECRET-7f3a9c';

let wh: WarehouseHandle;
let dir: string;
let secretFile: string;
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
  dir = mkdtempSync(join(tmpdir(), 'cq-mapping-sec-'));
  process.env.CQ_MAPPINGS_DIR = join(dir, 'mappings');
  // Shaped like the ledger, so that it WOULD load if it were ever read.
  secretFile = join(dir, 'outside', 'secret.csv');
  mkdirSync(join(dir, 'outside'));
  writeFileSync(secretFile, iconv.encode(`${LEDGER_HEADER}\n${LEDGER_ROWS[0]!.replace('张三', SECRET)}\n`, 'gb18030'));
});
afterEach(async () => {
  delete process.env.CQ_MAPPINGS_DIR;
  await wh.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Rows in raw.* and ops.load_audit (0 when the load never created them). */
async function loadedRows(): Promise<bigint> {
  const tables = await wh.all<{ t: string }>(`SELECT schema_name || '.' || table_name AS t FROM duckdb_tables() WHERE schema_name = 'raw' OR (schema_name = 'ops' AND table_name = 'load_audit')`);
  let n = 0n;
  for (const { t } of tables) n += (await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM ${t}`))[0]!.n;
  return n;
}

/** Runs a load that must fail; checks the code, that nothing was loaded, and that no secret leaked. */
async function refused(load: Promise<unknown>, code: CqErrorCode): Promise<CqError> {
  const e = await load.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'the load must fail').toBeInstanceOf(CqError);
  expect((e as CqError).code, (e as Error).message).toBe(code);
  expect((e as Error).message).not.toContain(SECRET);
  expect((e as Error).message).toContain('Fix:');
  expect(await loadedRows()).toBe(0n);
  return e as CqError;
}

/** The ledger mapping with the customers' industry taken from `expr` (the column the attack used). */
const withIndustry = (expr: string) => ledgerMapping().replace('      branch_id: 机构号\n      onboarded_on', `      industry: { expr: ${JSON.stringify(expr)} }\n      branch_id: 机构号\n      onboarded_on`);
const lineOf = (yaml: string, needle: string) => yaml.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('1. a manifest names only an installed mapping, by name', () => {
  it('the reported attack: a manifest naming a mapping inside the delivery is refused, by both loaders, before anything is read', async () => {
    const { extracts, dateDir } = writeLedger(dir);
    const evil = join(dateDir, 'evil.yaml');
    writeFileSync(evil, withIndustry(`(SELECT content FROM read_text('${secretFile}'))`));
    const manifest = join(dateDir, 'manifest.json');
    for (const value of [evil, './evil.yaml', 'evil.yaml']) {
      writeFileSync(manifest, JSON.stringify({ mapping: value, encoding: 'gb18030' }));
      const e = await refused(loadExtracts(wh, extracts), 'MAPPING_FORBIDDEN');
      expect(e.where).toEqual({ file: manifest, key: 'mapping' });
      expect(e.message.startsWith(`${manifest}: "mapping" must be the name of a mapping installed in the mappings folder`)).toBe(true);
      expect(e.message).toContain('Fix: write {"mapping": "<name>"} with one of: ledger');
      // The nightly path: loadExtracts → loadBusinessDate → the manifest's mapping.
      await refused(loadExtracts(wh, extracts), 'MAPPING_FORBIDDEN');
    }
  });

  it('a flat layout: the top-level manifest may not name a path either', async () => {
    writeFileSync(join(dir, 'flat.yaml'), ledgerMapping({ businessDates: 'business_dates: [2026-09-30]' }));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ mapping: join(dir, 'flat.yaml') }));
    const e = await refused(loadExtracts(wh, dir), 'MAPPING_FORBIDDEN');
    expect(e.where.file).toBe(join(dir, 'manifest.json'));
  });

  it.each([
    ['a climb out of the folder', '../x'],
    ['a climb hidden in a name', 'ledger/../../x/2026-09-30/evil'],
    ['an absolute path', '/etc/hostname'],
    ['a Windows path', 'C:\\mappings\\ledger'],
    ['a file name with extension', 'ledger.yaml'],
    ['a hidden-file name', '.ledger'],
  ])('%s (%s) is refused', async (_what, value) => {
    const { extracts, dateDir } = writeLedger(dir, { manifest: {} });
    writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ mapping: value, encoding: 'gb18030' }));
    const e = await refused(loadExtracts(wh, extracts), 'MAPPING_FORBIDDEN');
    expect(e.message).toContain(`got ${JSON.stringify(value)}: a delivery may not name a mapping file by path`);
  });

  it('a name no installed mapping has is refused, listing the installed ones', async () => {
    const { extracts, dateDir } = writeLedger(dir, { manifest: { mapping: 'ledger-v2', encoding: 'gb18030' } });
    const e = await refused(loadExtracts(wh, extracts), 'MAPPING_FORBIDDEN');
    expect(e.message).toBe(
      `${join(dateDir, 'manifest.json')}: "mapping": no mapping named "ledger-v2" is installed in the mappings folder ${join(dir, 'mappings')} (installed: ledger). Nothing was loaded. Fix: the lender names one of the installed mappings in manifest.json; a new layout needs its mapping installed in the mappings folder by the operator first (docs/mappings.md).`,
    );
  });

  it('an installed name that is a link leading out of the mappings folder is refused', async () => {
    const { extracts, dateDir } = writeLedger(dir, { manifest: { mapping: 'planted', encoding: 'gb18030' } });
    writeFileSync(join(dateDir, 'evil.yaml'), withIndustry("'x'"));
    symlinkSync(join(dateDir, 'evil.yaml'), join(dir, 'mappings', 'planted.yaml'));
    const e = await refused(loadExtracts(wh, extracts), 'MAPPING_FORBIDDEN');
    expect(e.message).toMatch(/planted\.yaml: the mapping file is a symbolic link that leads outside the mappings folder/);
  });

  it('--mapping (the operator) may still name a file by path, but a manifest naming a path is refused even then', async () => {
    const { extracts, dateDir, mappingPath } = writeLedger(dir, { manifest: { encoding: 'gb18030' } });
    const [load] = await loadExtracts(wh, extracts, { mapping: mappingPath });
    expect(load!.files.find((f) => f.entity === 'loans')).toMatchObject({ mapping: 'ledger', rowsLoaded: 4 });
    await wh.exec('DROP SCHEMA raw CASCADE; DELETE FROM ops.load_audit;');
    // repo-self-contained: allow — a manifest climbing out of its delivery, which must be refused
    writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify({ mapping: '../../policy/mappings/ledger', encoding: 'gb18030' }));
    await refused(loadExtracts(wh, extracts, { mapping: mappingPath }), 'MAPPING_FORBIDDEN');
  });

  it('the control: a manifest naming an installed mapping loads (4 loans from 4 ledger lines)', async () => {
    const { extracts } = writeLedger(dir);
    const [load] = await loadExtracts(wh, extracts);
    expect(load!.files.find((f) => f.entity === 'loans')).toMatchObject({ mapping: 'ledger', rowsRead: 4, rowsLoaded: 4 });
  });
});

describe('2. a mapping reads only files inside the delivery folder', () => {
  it.each([
    ['a climb out with ../', '../../outside/secret.csv'], // repo-self-contained: allow — traversal the loader must refuse
    ['the reported path', '../../etc/hostname'], // repo-self-contained: allow — traversal the loader must refuse
    ['an absolute path', '/etc/hostname'],
  ])('%s (%s) is refused before the file is opened', async (_what, file) => {
    const yaml = ledgerMapping().replace('file: 贷款台账.csv', `file: '${file}'`);
    const { extracts, dateDir, mappingPath } = writeLedger(dir, { mapping: yaml });
    const e = await refused(loadExtracts(wh, extracts), 'EXTRACT_OUTSIDE_DELIVERY');
    expect(e.where).toEqual({ file: mappingPath, key: 'sources.book.file', line: lineOf(yaml, 'file: ') });
    expect(e.message).toContain(`ledger.yaml: sources.book.file (line ${lineOf(yaml, 'file: ')}): ${JSON.stringify(file)} is outside the delivery folder ${dateDir}; it is not read.`);
    expect(e.message).not.toContain(readFileSync('/etc/hostname', 'utf8').trim());
  });

  it('a delivered file that is a symbolic link to a file outside is refused without showing its content', async () => {
    const { extracts, dateDir } = writeLedger(dir);
    rmSync(join(dateDir, '贷款台账.csv'));
    symlinkSync(secretFile, join(dateDir, '贷款台账.csv'));
    const e = await refused(loadExtracts(wh, extracts), 'EXTRACT_OUTSIDE_DELIVERY');
    expect(e.message).toContain('"贷款台账.csv" goes through a symbolic link that does not lead to a file inside the delivery folder');
    expect(e.message).not.toContain(secretFile); // nor where the link points
    // Same through the nightly path (loadExtracts → loadBusinessDate → the manifest's mapping).
    await refused(loadExtracts(wh, extracts), 'EXTRACT_OUTSIDE_DELIVERY');
  });

  it('a link to a missing target is refused like one leading out (no hint whether a file exists elsewhere)', async () => {
    const { extracts, dateDir } = writeLedger(dir);
    rmSync(join(dateDir, '贷款台账.csv'));
    symlinkSync('/nonexistent/secret.csv', join(dateDir, '贷款台账.csv'));
    await refused(loadExtracts(wh, extracts), 'EXTRACT_OUTSIDE_DELIVERY');
  });

  it('a business-date folder that is a link to a folder outside the extracts folder is refused', async () => {
    const { extracts, dateDir } = writeLedger(dir);
    rmSync(join(dateDir, 'manifest.json')); // the mapping comes from --mapping: the source file is the first thing read
    renameSync(dateDir, join(dir, 'outside', 'elsewhere'));
    symlinkSync(join(dir, 'outside', 'elsewhere'), dateDir);
    const e = await refused(loadExtracts(wh, extracts, { mapping: 'ledger' }), 'EXTRACT_OUTSIDE_DELIVERY');
    expect(e.message).toContain(`sources.book.file (line ${lineOf(ledgerMapping(), 'file: ')}): the business-date folder ${dateDir} is a symbolic link that leads outside the extracts folder ${extracts}; it is not read.`);
  });

  it('decided: a link that stays inside the delivery is followed; lineage names the delivered path', async () => {
    const { extracts, dateDir } = writeLedger(dir);
    mkdirSync(join(dateDir, 'data'));
    renameSync(join(dateDir, '贷款台账.csv'), join(dateDir, 'data', 'ledger-gb.csv'));
    symlinkSync(join('data', 'ledger-gb.csv'), join(dateDir, '贷款台账.csv'));
    const [load] = await loadExtracts(wh, extracts);
    expect(load!.files.find((f) => f.entity === 'loans')).toMatchObject({ rowsRead: 4, rowsLoaded: 4 });
    expect(await wh.all(`SELECT DISTINCT _source_file AS f FROM raw.loans`)).toEqual([{ f: join(dateDir, '贷款台账.csv') }]);
  });
});

describe('3. expressions: a vetted grammar, evaluated without file access', () => {
  const forbidden: [string, string, RegExp][] = [
    ['read_text in a subquery (the reported attack)', "(SELECT content FROM read_text('/etc/hostname'))", /holds a subquery/],
    ['read_text as a function', "read_text('/etc/hostname')", /calls read_text\(\), which is not an allowed mapping function/],
    ['read_csv', "read_csv('/etc/passwd')", /calls read_csv\(\)/],
    ['getenv', "getenv('HOME')", /calls getenv\(\)/],
    ['query', "query('SELECT 1')", /calls query\(\)/],
    ['a scalar subquery', "{机构号} || (SELECT 'x')", /holds a subquery/],
    ['IN (SELECT …)', "CASE WHEN {机构号} IN (SELECT 'BJ01') THEN 'A' END", /holds a subquery/],
    ['an unknown function', "no_such_function({机构号})", /calls no_such_function\(\), which is not an allowed mapping function/],
    ['an aggregate', "max({机构号})", /calls max\(\)/],
    ['a window', "CAST(row_number() OVER () AS VARCHAR)", /window function row_number/],
    ['a catalog-qualified function', "system.main.upper({机构号})", /may not be qualified/],
    ['a bare identifier instead of {COLUMN}', "upper(industry)", /"industry" is not a source column: write source columns as \{COLUMN\}/],
    ['a FROM clause', "1 FROM read_text('/etc/hostname')", /more than one expression/],
    ['a second statement', "'x'; SELECT 1", /more than one SQL statement/],
  ];
  it.each(forbidden)('%s is refused with MAPPING_FORBIDDEN naming file, key and line', async (_what, expr, message) => {
    const yaml = withIndustry(expr);
    const { extracts, mappingPath } = writeLedger(dir, { mapping: yaml });
    const e = await refused(loadExtracts(wh, extracts), 'MAPPING_FORBIDDEN');
    const line = lineOf(yaml, 'industry: { expr:');
    expect(e.where).toEqual({ file: mappingPath, key: 'entities.customers.columns.industry.expr', line });
    expect(e.message).toContain(`ledger.yaml: entities.customers.columns.industry.expr (line ${line}): `);
    expect(e.message).toMatch(message);
    expect(e.message).toContain('Fix: write the expression with source columns ({COLUMN}), constants, operators, CASE, CAST / TRY_CAST and the scalar functions listed in docs/mappings.md');
  });

  it('text that tries to close the surrounding SQL does not parse as one expression and is refused', async () => {
    const expr = `'x') AS VARCHAR)), '') AS industry, (SELECT content FROM read_text('/etc/hostname')`;
    const { extracts } = writeLedger(dir, { mapping: withIndustry(expr) });
    const e = await refused(loadExtracts(wh, extracts), 'MAPPING_INVALID');
    expect(e.message).toMatch(/industry\.expr \(line \d+\): the expression does not parse: syntax error/);
  });

  it('allowed expressions work (hand-worked values), and only their parsed rendering runs: a trailing comment cannot swallow the SQL around it', async () => {
    const yaml = withIndustry("CASE WHEN {证件号码} LIKE '9%' THEN 'F' ELSE NULL END -- business customers: wholesale")
      .replace('      name: 客户名称', "      name: { expr: \"lower({借据号}) || '-' || lpad(CAST({_line} AS VARCHAR), 3, '0')\" }")
      .replace("onboarded_on: { source: 放款日期, date_format: '%Y%m%d' }", "onboarded_on: { expr: \"strftime(date_trunc('month', strptime({放款日期}, '%Y%m%d')), '%Y-%m-%d')\" }")
      .replace('annual_rate: { source: 年利率(%), scale: 0.01 }', 'annual_rate: { expr: "round(TRY_CAST({年利率(%)} AS DECIMAL(9,4)) / 100, 4)" }');
    const { extracts } = writeLedger(dir, { mapping: yaml });
    await loadExtracts(wh, extracts);
    // Customers: one per customer id, first line wins — C1 line 2 (L1), C2 line 3 (L2), C3 line 5 (L4).
    // name = lower(借据号) || '-' || line padded to 3; industry 'F' only for the 91… credit code (C3);
    // onboarded_on = first of the month of 放款日期: 20240115 → 2024-01-01, 20230301 → 2023-03-01, 20240601 → 2024-06-01.
    expect(await wh.all(`SELECT customer_id, name, industry, onboarded_on::VARCHAR AS o FROM raw.customers ORDER BY 1`)).toEqual([
      { customer_id: 'C1', name: 'l1-002', industry: null, o: '2024-01-01' },
      { customer_id: 'C2', name: 'l2-003', industry: null, o: '2023-03-01' },
      { customer_id: 'C3', name: 'l4-005', industry: 'F', o: '2024-06-01' },
    ]);
    // annual_rate = 年利率(%) / 100 rounded to 4 places: 4.35 → 0.0435, 12 → 0.12, 6 → 0.06, 5.5 → 0.055.
    expect(await wh.all(`SELECT loan_id, annual_rate FROM raw.loans ORDER BY 1`)).toEqual([
      { loan_id: 'L1', annual_rate: 0.0435 },
      { loan_id: 'L2', annual_rate: 0.12 },
      { loan_id: 'L3', annual_rate: 0.06 },
      { loan_id: 'L4', annual_rate: 0.055 },
    ]);
  });

  it('mapping expressions are evaluated in the locked sandbox, not in the warehouse', async () => {
    // current_setting is not on the allow-list; added for this test only, to read where the expression runs.
    const allowed = ALLOWED_FUNCTIONS as Set<string>;
    allowed.add('current_setting');
    try {
      const yaml = ledgerMapping().replace('      name: 客户名称', `      name: { expr: "current_setting('enable_external_access') || '/' || current_setting('lock_configuration')" }`);
      const { extracts } = writeLedger(dir, { mapping: yaml });
      await loadExtracts(wh, extracts);
      // The warehouse itself still has external access (it reads native extracts); the expression saw the sandbox's settings.
      expect(await wh.all(`SELECT current_setting('enable_external_access') AS w`)).toEqual([{ w: true }]);
      expect(await wh.all(`SELECT DISTINCT name FROM raw.customers`)).toEqual([{ name: 'false/true' }]);
    } finally {
      allowed.delete('current_setting');
    }
  });

  it('the sandbox the expressions run in has no file access outside its own folder, and it cannot be turned back on', async () => {
    const box = await openMappingSandbox(join(dir, 'sandbox'), wh);
    try {
      const fails = async (sql: string) => box.exec(sql).then(() => 'ran', (e: Error) => e.message);
      // What a hole in the grammar would lead to: each is refused by DuckDB itself.
      expect(await fails(`SELECT * FROM read_text('${secretFile}')`)).toMatch(/Permission Error: Cannot access file .* file system operations are disabled by configuration/);
      expect(await fails(`SELECT * FROM read_csv('/etc/hostname')`)).toMatch(/Permission Error/);
      expect(await fails(`COPY (SELECT 1) TO '${join(dir, 'outside', 'x.csv')}'`)).toMatch(/Permission Error/);
      expect(await fails(`ATTACH '${join(dir, 'outside', 'x.duckdb')}'`)).toMatch(/Permission Error/);
      expect(await fails('SET enable_external_access = true')).toMatch(/the configuration has been locked/);
      expect(await fails(`SET allowed_directories = ['/']`)).toMatch(/the configuration has been locked/);
      expect(await fails('SET lock_configuration = false')).toMatch(/the configuration has been locked/);
      // Its own folder (where the loader exchanges Parquet files with it) still works.
      const out = await box.copyToParquet(`SELECT 'l' || 1 AS x`, 'probe');
      expect(await box.all(`SELECT x FROM read_parquet('${out}')`)).toEqual([{ x: 'l1' }]);
    } finally {
      box.close();
    }
  });
});
