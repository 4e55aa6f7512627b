import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { WARNING_SIGNALS } from '../../transforms/policy/warning-signals.js';
import { buildModels } from '../../transforms/warehouse/build-models.js';
import { discoverModels } from '../../transforms/warehouse/registry.js';
import { writeMonitoringFixture } from '../helpers/monitoring-fixture.js';

/**
 * Post-loan monitoring on the hand-worked book of test/helpers/monitoring-fixture.ts (loans W1 … W6,
 * month ends M1 … M7 = 2026-01-31 … 2026-07-31; the table of days past due is there).
 */
let wh: WarehouseHandle;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cq-monitoring-'));
  wh = await openWarehouse(':memory:');
  try {
    writeMonitoringFixture(dir);
    await loadExtracts(wh, dir);
    await buildWarehouse(wh);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

describe('core.fct_loan_month_signals', () => {
  it('a month-incremental rebuild (the nightly) gives the rows of the full build: signals, hits, the watch-list and its summary', async () => {
    const tables = ['core.fct_loan_month_signals', 'marts.mart_monitoring__rule_hits', 'marts.mart_monitoring__watch_list', 'marts.mart_monitoring__watch_list_summary'];
    const models = (await discoverModels()).filter((m) => tables.includes(`${m.layer}.${m.name}`));
    for (const t of tables) await wh.exec(`CREATE OR REPLACE TABLE full_${t.split('.')[1]} AS SELECT * FROM ${t}`);
    // From 2026-04-30: W5's run on dpd_over_0 (flagged since 2026-01-31) is cleared at 2026-04-30, and W1's
    // dpd_over_60 run starts then; the first-flagged dates before since come from the list itself.
    const r = await buildModels(wh, models, { runTests: false, since: '2026-04-30' });
    expect(r.built.map((b) => b.mode)).toEqual(['incremental', 'incremental', 'incremental', 'incremental']);
    for (const t of tables) {
      const copy = `full_${t.split('.')[1]}`;
      const [d] = await wh.all<{ a: number; b: number; n: number }>(
        `SELECT (SELECT count(*) FROM (SELECT * FROM ${copy} EXCEPT ALL SELECT * FROM ${t}))::INTEGER AS a,
                (SELECT count(*) FROM (SELECT * FROM ${t} EXCEPT ALL SELECT * FROM ${copy}))::INTEGER AS b, (SELECT count(*) FROM ${t})::INTEGER AS n`,
      );
      expect(d, t).toMatchObject({ a: 0, b: 0 });
      expect(d!.n, t).toBeGreaterThan(0);
      await wh.exec(`DROP TABLE ${copy}`);
    }
  });

  it('has every signal of the rules\' vocabulary (transforms/policy/warning-signals.ts) with its type', async () => {
    const cols = new Map(
      (await wh.all<{ c: string; t: string }>(`SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_schema = 'core' AND table_name = 'fct_loan_month_signals'`)).map((r) => [r.c, r.t]),
    );
    for (const s of WARNING_SIGNALS) {
      const t = cols.get(s.name);
      expect(t, s.name).toBeDefined();
      const kind = t === 'BOOLEAN' ? 'boolean' : /INT|DECIMAL|DOUBLE|FLOAT/.test(t!) ? 'number' : 'text';
      expect(kind, `${s.name} is ${t}`).toBe(s.type);
    }
  });
});

const DPD_RULES = "('dpd_over_0', 'dpd_over_30', 'dpd_over_60')";

describe('the watch-list (marts.mart_monitoring__watch_list)', () => {
  it('flags by rule and month exactly as the table says; no other rule fires', async () => {
    const hits = await wh.all<{ m: string; rule_id: string; loans: string }>(
      `SELECT strftime(as_of_month, '%Y-%m') AS m, rule_id, string_agg(loan_id, ',' ORDER BY loan_id) AS loans
       FROM marts.mart_monitoring__rule_hits GROUP BY ALL ORDER BY m, rule_id`,
    );
    expect(hits).toEqual([
      { m: '2026-01', rule_id: 'dpd_over_0', loans: 'W5' },
      { m: '2026-02', rule_id: 'dpd_over_0', loans: 'W1,W2,W5' },
      { m: '2026-03', rule_id: 'dpd_over_0', loans: 'W5' }, // W1 is at 45 days: dpd_over_30's now
      { m: '2026-03', rule_id: 'dpd_over_30', loans: 'W1,W3' },
      { m: '2026-04', rule_id: 'dpd_over_30', loans: 'W5' },
      { m: '2026-04', rule_id: 'dpd_over_60', loans: 'W1' },
      { m: '2026-05', rule_id: 'dpd_over_0', loans: 'W2' }, // W1 at 105 days is NPL: dpd_over_60 (not NPL) no longer
    ]);
  });

  it('new / still / cleared, first flagged and days on the list across months', async () => {
    const rows = await wh.all<{ m: string; rule_id: string; loan_id: string; status: string; first: string; last: string; days: number; evidence: string }>(
      `SELECT strftime(as_of_month, '%Y-%m') AS m, rule_id, loan_id, status, strftime(first_flagged_on, '%Y-%m-%d') AS first,
         strftime(last_flagged_on, '%Y-%m-%d') AS last, days_on_list AS days, evidence
       FROM marts.mart_monitoring__watch_list WHERE rule_id IN ${DPD_RULES} ORDER BY m, rule_id, loan_id`,
    );
    const at = (m: string) => rows.filter((r) => r.m === m).map((r) => `${r.rule_id} ${r.loan_id} ${r.status} ${r.first} ${r.days}`);
    expect(at('2026-01')).toEqual(['dpd_over_0 W5 new 2026-01-31 0']);
    // W5 still: 2026-02-28 − 2026-01-31 = 28 days.
    expect(at('2026-02')).toEqual(['dpd_over_0 W1 new 2026-02-28 0', 'dpd_over_0 W2 new 2026-02-28 0', 'dpd_over_0 W5 still 2026-01-31 28']);
    // W1 and W2 leave dpd_over_0 (cleared, days to their last flag 0); W5 still: 2026-03-31 − 2026-01-31 = 59 days.
    expect(at('2026-03')).toEqual([
      'dpd_over_0 W1 cleared 2026-02-28 0',
      'dpd_over_0 W2 cleared 2026-02-28 0',
      'dpd_over_0 W5 still 2026-01-31 59',
      'dpd_over_30 W1 new 2026-03-31 0',
      'dpd_over_30 W3 new 2026-03-31 0',
    ]);
    // W5 cleared from dpd_over_0 after 59 days (last flagged 2026-03-31).
    expect(at('2026-04')).toEqual([
      'dpd_over_0 W5 cleared 2026-01-31 59',
      'dpd_over_30 W1 cleared 2026-03-31 0',
      'dpd_over_30 W3 cleared 2026-03-31 0',
      'dpd_over_30 W5 new 2026-04-30 0',
      'dpd_over_60 W1 new 2026-04-30 0',
    ]);
    // W2 flagged again: a new run, first flagged 2026-05-31 (not 2026-02-28). W1 became NPL: cleared from dpd_over_60.
    expect(at('2026-05')).toEqual(['dpd_over_0 W2 new 2026-05-31 0', 'dpd_over_30 W5 cleared 2026-04-30 0', 'dpd_over_60 W1 cleared 2026-04-30 0']);
    expect(at('2026-06')).toEqual(['dpd_over_0 W2 cleared 2026-05-31 0']);
    expect(at('2026-07')).toEqual([]);
    expect(rows.find((r) => r.m === '2026-04' && r.rule_id === 'dpd_over_60')!.evidence).toBe('days_past_due=75; is_npl=false');
    expect(rows.find((r) => r.m === '2026-05' && r.rule_id === 'dpd_over_60')).toMatchObject({ status: 'cleared', last: '2026-04-30', evidence: 'days_past_due=75; is_npl=false' });
  });

  it('the summary counts what the list holds, by branch and rule', async () => {
    const s = await wh.all<{ branch_id: string; rule_id: string; loans_on_list: number; new_loans: number; still_loans: number; cleared_loans: number; balance_on_list: string }>(
      `SELECT branch_id, rule_id, loans_on_list, new_loans, still_loans, cleared_loans, CAST(balance_on_list AS VARCHAR) AS balance_on_list
       FROM marts.mart_monitoring__watch_list_summary WHERE as_of_month = DATE '2026-03-31' ORDER BY branch_id, rule_id`,
    );
    expect(s).toEqual([
      { branch_id: 'BJ01', rule_id: 'dpd_over_0', loans_on_list: 0, new_loans: 0, still_loans: 0, cleared_loans: 2, balance_on_list: '0.00' },
      { branch_id: 'BJ01', rule_id: 'dpd_over_30', loans_on_list: 2, new_loans: 2, still_loans: 0, cleared_loans: 0, balance_on_list: '20000.00' },
      { branch_id: 'SH01', rule_id: 'dpd_over_0', loans_on_list: 1, new_loans: 0, still_loans: 1, cleared_loans: 0, balance_on_list: '10000.00' },
    ]);
  });
});

describe('the backtest (marts.mart_monitoring__rule_backtest, _summary)', () => {
  /*
   * New NPLs: W1 at M5 (2026-05-31), W4 at M6 (2026-06-30). The latest month is M7 (2026-07-31), so a flag at M has an
   * observed 3-month horizon when last_day(M + 3 months) <= 2026-07-31 (M <= 2026-04-30), 6 months when M <= 2026-01-31.
   *
   * dpd_over_0 flags of performing loans: M1 W5; M2 W1, W2, W5; M3 W5; M5 W2.
   *   within 3 months: M1 0/1; M2 1/3 (W1 NPL 2026-05-31 <= last_day(2026-02-28 + 3 months) = 2026-05-31); M3 0/1;
   *   M5 not observed (NULL). Whole history 1 / 5 = 0.2. Within 6 months: only M1 observed: 0 / 1.
   *   Recall: W1 flagged at M2 (lead 2026-05-31 − 2026-02-28 = 92 days); W4 never → 1 / 2.
   * dpd_over_30: M3 W1, W3; M4 W5. 3 months: M3 1/2, M4 0/1 → 1 / 3. W1 first flagged 2026-03-31: lead 61 days. Recall 1 / 2.
   * dpd_over_60: M4 W1 → NPL at M5: 1 / 1. Lead 2026-05-31 − 2026-04-30 = 31 days. Recall 1 / 2.
   * source_system: no warning delivered: 0 flags, recall 0 / 2, lead NULL.
   */
  it('precision within 3 and 6 months, recall and lead time by month, worked by hand', async () => {
    const b = await wh.all<{ m: string; rule_id: string; flagged: number; n3: number | null; p3: number | null; n6: number | null; new_npls: number; caught: number; lead: number | null }>(
      `SELECT strftime(as_of_month, '%Y-%m') AS m, rule_id, flagged_loans AS flagged, npl_within_3m AS n3, precision_3m AS p3, npl_within_6m AS n6,
         new_npls, new_npls_flagged AS caught, lead_days_median AS lead
       FROM marts.mart_monitoring__rule_backtest WHERE rule_id = 'dpd_over_0' ORDER BY m`,
    );
    expect(b.map((r) => [r.m, r.flagged, r.n3, r.n6, r.new_npls, r.caught, r.lead])).toEqual([
      ['2026-01', 1, 0, 0, 0, 0, null],
      ['2026-02', 3, 1, null, 0, 0, null],
      ['2026-03', 1, 0, null, 0, 0, null],
      ['2026-04', 0, 0, null, 0, 0, null],
      ['2026-05', 1, null, null, 1, 1, 92],
      ['2026-06', 0, null, null, 1, 0, null],
      ['2026-07', 0, null, null, 0, 0, null],
    ]);
    expect(b[1]!.p3).toBeCloseTo(1 / 3, 12);
    expect(b[3]!.p3).toBeNull(); // nothing flagged: no precision, not 0
  });

  it('whole history: sums of counts, not averages of monthly ratios; the source system measured the same way', async () => {
    const s = await wh.all<{ rule_id: string; obs3: number; n3: number; p3: number | null; obs6: number; p6: number | null; recall: number; lead: number | null }>(
      `SELECT rule_id, CAST(flagged_observed_3m AS INTEGER) AS obs3, CAST(npl_within_3m AS INTEGER) AS n3, precision_3m AS p3,
         CAST(flagged_observed_6m AS INTEGER) AS obs6, precision_6m AS p6, recall, lead_days_median AS lead
       FROM marts.mart_monitoring__rule_backtest_summary WHERE rule_id IN ${DPD_RULES.replace(')', ", 'source_system')")} ORDER BY sort_order`,
    );
    expect(s).toEqual([
      { rule_id: 'dpd_over_0', obs3: 5, n3: 1, p3: 0.2, obs6: 1, p6: 0, recall: 0.5, lead: 92 },
      { rule_id: 'dpd_over_30', obs3: 3, n3: 1, p3: 1 / 3, obs6: 0, p6: null, recall: 0.5, lead: 61 },
      { rule_id: 'dpd_over_60', obs3: 1, n3: 1, p3: 1, obs6: 0, p6: null, recall: 0.5, lead: 31 },
      { rule_id: 'source_system', obs3: 0, n3: 0, p3: null, obs6: 0, p6: null, recall: 0, lead: null },
    ]);
  });
});
