import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runQuery } from '../../../transforms/publish/console/run-query.js';
import { listSavedQueries, parseSavedQuery, resolveParams } from '../../../transforms/publish/console/saved-queries.js';
import { copyFixture, FIXTURE_PII } from './sql-fixture.js';

/**
 * Saved queries (queries/*.sql): header format, parameters, and the worked example analyses
 * on the fixture warehouse, with expectations worked out by hand from test/publish/console/sql-fixture.ts.
 */

let dir: string;
let warehouse: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cq-sql-queries-'));
  warehouse = await copyFixture(join(dir, 'warehouse.duckdb'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rows(savedQuery: string, params: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const out = join(dir, `${savedQuery}.json`);
  await runQuery({ warehouse, savedQuery, params, format: 'json', out });
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>[];
}

describe('saved query files', () => {
  it('every file in queries/ has a valid header', () => {
    const qs = listSavedQueries();
    expect(qs.map((q) => q.name)).toEqual(expect.arrayContaining(['npl-movement-loans', 'roll-rates-by-branch', 'vintage-by-product', 'warning-lead-time-by-signal']));
    for (const q of qs) {
      expect(q.title, q.file).not.toBe('');
      expect(q.author, q.file).not.toBe('');
      expect(q.description.length, q.file).toBeGreaterThan(40);
      expect(q.examples.length, q.file).toBeGreaterThan(0);
    }
    expect(qs.find((q) => q.name === 'vintage-by-product')!.params).toEqual([
      { name: 'product', required: false, description: 'Product code, e.g. consumer_instalment (default: all products).' },
      { name: 'basis', required: false, description: 'balance (default: share of principal) or count (share of loans).' },
    ]);
  });

  it('parses title, author, multi-line description and parameters', () => {
    const q = parseSavedQuery(
      'queries/x.sql',
      `-- title: Balances
-- author: Risk team
-- description: Balance per branch
--   for one month.
-- param month: required. Month, YYYY-MM.
-- param branch: optional Branch code.
select $month, $branch, '$not_a_param' -- $nor_this
`,
    );
    expect(q).toMatchObject({
      name: 'x',
      title: 'Balances',
      author: 'Risk team',
      description: 'Balance per branch for one month.',
      params: [
        { name: 'month', required: true, description: 'Month, YYYY-MM.' },
        { name: 'branch', required: false, description: 'Branch code.' },
      ],
    });
    expect(resolveParams(q, { month: '2026-10' })).toEqual({ month: '2026-10', branch: null });
    expect(() => resolveParams(q, {})).toThrow(/needs --param month=VALUE/);
    expect(() => resolveParams(q, { month: '2026-10', mnth: 'x' })).toThrow(/has no parameter "mnth". It takes: --param month=… --param branch=… \(optional\)/);
  });

  it.each([
    ['-- author: a\nselect 1', /needs "-- title: …"/],
    ['-- title: t\nselect 1', /needs "-- author: …"/],
    ['-- title: t\n-- author: a\nselect $month', /uses \$month without declaring it/],
    ['-- title: t\n-- author: a\n-- param month: optional. m\nselect 1', /declares param month but the SQL never uses \$month/],
    ['-- title: t\n-- author: a\n-- param month: maybe. m\nselect $month', /must say "required" or "optional" first/],
    ['-- title: t\n-- author: a\n-- owner: b\nselect 1', /unknown header key "owner"/],
  ])('rejects a bad header: %s', (text, message) => {
    expect(() => parseSavedQuery('queries/bad.sql', text)).toThrow(message);
  });

  it('unknown saved query names the ones that exist', async () => {
    await expect(runQuery({ warehouse, savedQuery: 'roll-rate-by-branch' })).rejects.toMatchObject({
      code: 'CLI_USAGE',
      message: expect.stringMatching(/no saved query "roll-rate-by-branch".*roll-rates-by-branch/),
    });
  });

  it('a saved query from a path, with a required parameter', async () => {
    const file = join(dir, 'balance.sql');
    writeFileSync(file, '-- title: t\n-- author: a\n-- param loan: required. Loan id.\nselect on_book_balance::VARCHAR as b from core.fct_loan_month_ends where loan_id = $loan order by as_of_month;\n');
    const out = join(dir, 'balance.json');
    await runQuery({ warehouse, savedQuery: file, params: { loan: 'L002' }, format: 'json', out });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual([{ b: '25000.00' }, { b: '24000.00' }]);
    await expect(runQuery({ warehouse, savedQuery: file })).rejects.toMatchObject({ code: 'CLI_USAGE', message: expect.stringMatching(/needs --param loan=VALUE/) });
  });
});

describe('worked example analyses on the fixture', () => {
  it('roll rates by branch, 2026-10: BJ01 current → 50% current / 50% 90+; SH01 31-60 → 61-90 and 90+ → 90+', async () => {
    const expected = [
      { as_of_month: '2026-10-31', branch_id: 'BJ01', branch_name: '北京分行', from_bucket: 'current', loans: 2, '→current %': 50, '→1-30 %': 0, '→31-60 %': 0, '→61-90 %': 0, '→90+ %': 50, '→written off %': 0, '→closed %': 0 },
      { as_of_month: '2026-10-31', branch_id: 'SH01', branch_name: '上海分行', from_bucket: '31-60', loans: 1, '→current %': 0, '→1-30 %': 0, '→31-60 %': 0, '→61-90 %': 100, '→90+ %': 0, '→written off %': 0, '→closed %': 0 },
      { as_of_month: '2026-10-31', branch_id: 'SH01', branch_name: '上海分行', from_bucket: '90+', loans: 1, '→current %': 0, '→1-30 %': 0, '→31-60 %': 0, '→61-90 %': 0, '→90+ %': 100, '→written off %': 0, '→closed %': 0 },
    ];
    expect(await rows('roll-rates-by-branch', { month: '2026-10' })).toEqual(expected);
    // Default: the latest month in the mart (2026-10; 2026-09 has no previous month to roll from).
    expect(await rows('roll-rates-by-branch')).toEqual(expected);
    expect(await rows('roll-rates-by-branch', { month: '2026-09' })).toEqual([]);
  });

  it('roll rates: a malformed month is a clear error', async () => {
    await expect(runQuery({ warehouse, savedQuery: 'roll-rates-by-branch', params: { month: 'October' }, format: 'none' })).rejects.toMatchObject({
      code: 'SQL_ERROR',
      message: expect.stringMatching(/month must be YYYY-MM, got October/),
    });
  });

  it('vintage by product: the only cohort (car, 2026-09, L004) is 98% bad by balance and 100% by count at month 1', async () => {
    const row = { product_id: 'car', product_name: '个人汽车贷款', cohort_month: '2026-09-30', cohort_loans: 1, cohort_principal: 100000.0, 'mob3 %': null, 'mob6 %': null, 'mob12 %': null, 'mob24 %': null, latest_mob: 1 };
    // L004 first reached 90+ at 2026-10-31 with 98,000.00 outstanding of 100,000.00 principal.
    expect(await rows('vintage-by-product')).toEqual([{ ...row, 'mob1 %': 98, 'latest %': 98 }]);
    expect(await rows('vintage-by-product', { basis: 'count', product: 'car' })).toEqual([{ ...row, 'mob1 %': 100, 'latest %': 100 }]);
    expect(await rows('vintage-by-product', { product: 'mortgage' })).toEqual([]);
  });

  it('warning lead time by signal type', async () => {
    // New NPLs: L002 (2026-10, C002; W002 income_drop raised 2026-08-20 → 72 days), L004 (2026-10, C001; no warning).
    // L003 turned NPL in 2026-09, the fixture's first reported month: with no previous month nothing
    // there is known to be "new" (marts.mart_risk__new_npls has no rows for it), so W001 court_case
    // (151 days ahead of L003) no longer counts. 1 of 2 caught = 50 %.
    const common = { '≥30 days ahead %': 100 };
    const october = [
      { signal_type: 'income_drop', new_npls_warned: 1, new_npls: 2, 'caught %': 50, median_lead_days: 72, p25_lead_days: 72, p75_lead_days: 72, ...common },
      { signal_type: '(any signal)', new_npls_warned: 1, new_npls: 2, 'caught %': 50, median_lead_days: 72, p25_lead_days: 72, p75_lead_days: 72, ...common },
    ];
    expect(await rows('warning-lead-time-by-signal')).toEqual(october);
    // October only; and a 60-day look-back drops the 72-day income_drop warning.
    expect(await rows('warning-lead-time-by-signal', { from_month: '2026-10', to_month: '2026-10' })).toEqual(october);
    expect(await rows('warning-lead-time-by-signal', { from_month: '2026-10', lookback_days: '60' })).toEqual([]);
  });
});

describe('loans behind an NPL movement (npl-movement-loans)', () => {
  it('the rows of a line add up to its bar of marts.mart_risk__npl_movements (whole bank and branch lines of 2026-10)', async () => {
    const { openWarehouse } = await import('../../../transforms/lib/duckdb.js');
    const w = await openWarehouse(warehouse, { readOnly: true });
    const bars = await w.all<{ slice: string; slice_value: string; movement: string; loans: number; fen: number }>(
      `SELECT slice, slice_value, movement, loans::INTEGER AS loans, CAST(balance * 100 AS INTEGER) AS fen FROM marts.mart_risk__npl_movements
       WHERE as_of_month = DATE '2026-10-31' AND slice IN ('all', 'branch') AND loans > 0 ORDER BY slice, slice_value, movement_order`,
    );
    await w.close();
    // Hand count (sql-fixture.ts): opening L003 800,000.00 (SH01); new L002 24,000.00 (SH01, from 关注) + L004 98,000.00 (BJ01, from 正常);
    // L003 unchanged (no paydown); closing 922,000.00.
    expect(bars.filter((b) => b.slice === 'all').map((b) => [b.movement, b.loans, b.fen])).toEqual([
      ['opening', 1, 80_000_000],
      ['new_npl', 2, 12_200_000],
      ['new_npl_from_normal', 1, 9_800_000],
      ['new_npl_from_special_mention', 1, 2_400_000],
      ['closing', 3, 92_200_000],
    ]);
    // Each saved-query run starts a query process (seconds on a slow machine): three lines, whole bank and branch.
    const pick = (slice: string, value: string, movement: string) => bars.find((b) => b.slice === slice && b.slice_value === value && b.movement === movement)!;
    for (const b of [pick('all', 'ALL', 'new_npl'), pick('all', 'ALL', 'closing'), pick('branch', 'SH01', 'opening')]) {
      const got = await rows('npl-movement-loans', { month: '2026-10', movement: b.movement, slice: b.slice, slice_value: b.slice_value });
      expect(got.length, `${b.slice_value} ${b.movement}`).toBe(b.loans);
      expect(Math.round(got.reduce((a, r) => a + Number(r.balance) * 100, 0)), `${b.slice_value} ${b.movement}`).toBe(b.fen);
      for (const r of got) expect(Object.keys(r)).not.toContain('customer_name');
    }
    const bj = await rows('npl-movement-loans', { month: '2026-10', movement: 'new_npl', slice: 'branch', slice_value: 'BJ01' });
    expect(bj).toMatchObject([{ loan_id: 'L004', customer_id: 'C001', movement: '新增不良（下迁） New NPLs (downgrades)', prev_class: '正常', recorded_class: '次级', balance: 98000 }]);
    expect(JSON.stringify(bj)).not.toMatch(new RegExp(FIXTURE_PII.join('|')));
  });

  it('a movement that does not exist is a clear error naming the ones that do', async () => {
    await expect(runQuery({ warehouse, savedQuery: 'npl-movement-loans', params: { month: '2026-10', movement: 'recovered' }, format: 'none' })).rejects.toMatchObject({
      code: 'SQL_ERROR',
      message: expect.stringMatching(/movement must be one of opening, new_npl, .*transferred.*, got recovered/),
    });
  });
});

describe('runQuery for the benchmark', () => {
  it('returns the elapsed time of the query alone', async () => {
    const r = await runQuery({ warehouse, sql: 'select branch_id, sum(outstanding_principal) as balance from core.fct_loan_month_ends group by 1 order by 1', format: 'none' });
    expect(r.rowCount).toBe(2);
    expect(r.elapsedMs).toBeGreaterThan(0);
    expect(r.elapsedMs).toBeLessThan(10_000);
  });
});
