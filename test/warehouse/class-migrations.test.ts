import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { MIGRATION_EXPECTED, MIGRATION_KPI_EXPECTED, MIGRATION_M, writeMigrationFixture } from '../helpers/migration-fixture.js';

/**
 * Loan migration (贷款迁徙) on the hand-worked fixture of test/helpers/migration-fixture.ts: the
 * migration marts (every component of "decrease during the period", per class and period) and the ten
 * migration-rate KPIs (year to date and month on month), to the cent, whole book and branch BJ01.
 */
let wh: WarehouseHandle;

beforeAll(async () => {
  const dir = writeMigrationFixture();
  wh = await openWarehouse(':memory:');
  try {
    await loadExtracts(wh, dir);
    await buildWarehouse(wh);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

afterAll(async () => {
  await wh?.close();
});

interface ClassRow {
  opening: number;
  decrease: number;
  repaid: number;
  written_off: number;
  transferred: number;
  unreported: number;
  remaining: number;
  migrated: number;
  to_npl: number;
}

async function byClass(period: 'ytd' | 'month', slice = 'all', value = 'ALL'): Promise<Record<string, ClassRow>> {
  const rows = await wh.all<ClassRow & { from_class: string }>(
    `SELECT from_class, sum(opening_balance)::DOUBLE AS opening, sum(decrease)::DOUBLE AS decrease, sum(decrease_repaid)::DOUBLE AS repaid,
       sum(decrease_written_off)::DOUBLE AS written_off, sum(decrease_transferred)::DOUBLE AS transferred, sum(decrease_unreported)::DOUBLE AS unreported,
       sum(remaining_balance)::DOUBLE AS remaining, sum(migrated_balance)::DOUBLE AS migrated,
       coalesce(sum(remaining_balance) FILTER (WHERE to_class_rank >= 3), 0)::DOUBLE AS to_npl
     FROM marts.mart_credit__class_migrations
     WHERE as_of_month = DATE '${MIGRATION_M}' AND period = '${period}' AND slice = '${slice}' AND slice_value = '${value}'
     GROUP BY from_class`,
  );
  return Object.fromEntries(rows.map(({ from_class, ...r }) => [from_class, r]));
}

describe('marts.mart_credit__class_migrations on the hand-worked fixture (M = 2026-06-30)', () => {
  for (const period of ['ytd', 'month'] as const) {
    for (const [cls, e] of Object.entries(MIGRATION_EXPECTED[period])) {
      it(`${period} ${cls}: opening, every component of the decrease, remaining and migrated, to the cent`, async () => {
        const r = (await byClass(period))[cls]!;
        expect(r).toEqual({
          opening: e.opening,
          decrease: e.decrease,
          repaid: e.repaid,
          written_off: e.writtenOff,
          transferred: 0,
          unreported: e.unreported,
          remaining: e.remaining,
          migrated: e.migrated,
          to_npl: e.toNpl,
        });
      });
    }
  }

  it('a migration with paydown: A01 (正常 → 关注) counts its period-end balance as migrated and its paydown as repaid', async () => {
    const [c] = await wh.all<{ opening: number; repaid: number; migrated: number; closing: number }>(
      `SELECT opening_balance::DOUBLE AS opening, decrease_repaid::DOUBLE AS repaid, migrated_balance::DOUBLE AS migrated, closing_balance::DOUBLE AS closing
       FROM marts.mart_credit__class_migrations WHERE as_of_month = DATE '${MIGRATION_M}' AND period = 'ytd' AND slice = 'all' AND from_class = '正常' AND to_class = '关注'`,
    );
    // Only A01: 100,000 at Y, 85,000 at M → 15,000 repaid, 85,000 migrated.
    expect(c).toEqual({ opening: 100_000, repaid: 15_000, migrated: 85_000, closing: 85_000 });
  });

  it('exits: settled (A02), written off after paydown (A10), unreported (A14); a loan new in the period (A05, A18) is in no opening balance', async () => {
    const rows = await wh.all<{ to_class: string; loans: bigint; opening: number; repaid: number; written_off: number; unreported: number; remaining: number }>(
      `SELECT to_class, loans, opening_balance::DOUBLE AS opening, decrease_repaid::DOUBLE AS repaid, decrease_written_off::DOUBLE AS written_off,
         decrease_unreported::DOUBLE AS unreported, remaining_balance::DOUBLE AS remaining
       FROM marts.mart_credit__class_migrations WHERE as_of_month = DATE '${MIGRATION_M}' AND period = 'ytd' AND slice = 'all' AND from_class = '正常' AND is_exit AND loans > 0
       ORDER BY to_order`,
    );
    expect(rows).toEqual([
      { to_class: 'settled', loans: 1n, opening: 50_000, repaid: 50_000, written_off: 0, unreported: 0, remaining: 0 },
      { to_class: 'written_off', loans: 1n, opening: 12_000, repaid: 4_000, written_off: 8_000, unreported: 0, remaining: 0 },
      { to_class: 'exited_unreported', loans: 1n, opening: 3_000, repaid: 0, written_off: 0, unreported: 3_000, remaining: 0 },
    ]);
    const [n] = await wh.all<{ ytd: bigint; month: bigint }>(
      `SELECT sum(loans) FILTER (WHERE period = 'ytd') AS ytd, sum(loans) FILTER (WHERE period = 'month') AS month
       FROM marts.mart_credit__class_migrations WHERE as_of_month = DATE '${MIGRATION_M}' AND slice = 'all'`,
    );
    // ytd cohort: 18 loans − A05, A15 (new in the year) − A18 (new in the month) = 15; month cohort: 18 − A18 = 17.
    expect(n).toEqual({ ytd: 15n, month: 17n });
  });

  it('a loan whose class improved is neither migrated nor a decrease beyond its paydown (A04 次级 → 正常, A11 可疑 → 次级, A13 关注 → 正常)', async () => {
    const rows = await wh.all<{ from_class: string; to_class: string; remaining: number; migrated: number }>(
      `SELECT from_class, to_class, remaining_balance::DOUBLE AS remaining, migrated_balance::DOUBLE AS migrated
       FROM marts.mart_credit__class_migrations WHERE as_of_month = DATE '${MIGRATION_M}' AND period = 'ytd' AND slice = 'all'
         AND to_class_rank < from_class_rank AND loans > 0 ORDER BY from_class_rank`,
    );
    expect(rows).toEqual([
      { from_class: '关注', to_class: '正常', remaining: 7_000, migrated: 0 },
      { from_class: '次级', to_class: '正常', remaining: 19_000.5, migrated: 0 },
      { from_class: '可疑', to_class: '次级', remaining: 4_000, migrated: 0 },
    ]);
  });

  it('the matrix is dense: 5 from classes × 9 to states per month, slice and period, transferred present and 0', async () => {
    const [r] = await wh.all<{ n: bigint; transferred: number }>(
      `SELECT count(*) AS n, sum(opening_balance) FILTER (WHERE to_class = 'transferred')::DOUBLE AS transferred
       FROM marts.mart_credit__class_migrations WHERE as_of_month = DATE '${MIGRATION_M}' AND period = 'ytd' AND slice = 'all'`,
    );
    expect(r).toEqual({ n: 45n, transferred: 0 });
  });

  it('the year-to-date period exists only when Dec 31 of the previous year is loaded; the month period only after a loaded month', async () => {
    const rows = await wh.all<{ m: string; period: string; start: string }>(
      `SELECT DISTINCT strftime(as_of_month, '%Y-%m-%d') AS m, period, strftime(period_start, '%Y-%m-%d') AS start
       FROM marts.mart_credit__class_migrations ORDER BY m, period`,
    );
    // 2025-12: neither (2024-12 and 2025-11 not loaded); 2026-05: ytd only (2026-04 not loaded); 2026-06: both.
    expect(rows).toEqual([
      { m: '2026-05-31', period: 'ytd', start: '2025-12-31' },
      { m: '2026-06-30', period: 'month', start: '2026-05-31' },
      { m: '2026-06-30', period: 'ytd', start: '2025-12-31' },
    ]);
  });

  it('opening balances by class equal the five-category distribution at the period start, for every slice (the model test, checked here to bite)', async () => {
    const [r] = await wh.all<{ bad: bigint }>(
      `SELECT count(*) AS bad FROM (
         SELECT as_of_month, period, period_start, slice, slice_value, from_class, sum(opening_balance) AS o FROM marts.mart_credit__class_migrations GROUP BY ALL) m
       JOIN marts.mart_credit__five_category_distribution f
         ON f.as_of_month = m.period_start AND f.slice = m.slice AND f.slice_value = m.slice_value AND CAST(f.recorded_class AS VARCHAR) = m.from_class
       WHERE f.balance <> m.o`,
    );
    expect(r!.bad).toBe(0n);
    // 正常 at Y 365,000 = the distribution's 正常 balance at 2025-12-31.
    const [d] = await wh.all<{ b: number }>(
      `SELECT balance::DOUBLE AS b FROM marts.mart_credit__five_category_distribution WHERE as_of_month = DATE '2025-12-31' AND slice = 'all' AND recorded_class = '正常'`,
    );
    expect(d!.b).toBe(MIGRATION_EXPECTED.ytd.正常.opening);
  });

  it('amounts are DECIMAL to the cent', async () => {
    const cols = await wh.all<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'mart_credit__class_migrations'
         AND (column_name LIKE '%balance' OR column_name LIKE 'decrease%')`,
    );
    expect(cols.length).toBe(9);
    for (const c of cols) expect(c.data_type, c.column_name).toBe('DECIMAL(38,2)');
  });
});

describe('the ten migration-rate KPIs on the fixture (M = 2026-06-30)', () => {
  for (const [id, slices] of Object.entries(MIGRATION_KPI_EXPECTED)) {
    for (const [slice, [num, den, value]] of Object.entries(slices as Record<string, readonly [number, number, number]>)) {
      it(`${id} — ${slice === 'all' ? 'whole book' : `branch ${slice}`}`, async () => {
        const where = slice === 'all' ? 'branch_id IS NULL' : `branch_id = '${slice}'`;
        const rows = await wh.all<{ numerator: number; denominator: number; value: number; status: string }>(
          `SELECT numerator, denominator, value, status FROM metrics.kpi_${id}
           WHERE as_of_month = DATE '${MIGRATION_M}' AND ${where} AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL`,
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]!.status).toBe('measured');
        expect(rows[0]!.numerator).toBeCloseTo(num, 6);
        expect(rows[0]!.denominator).toBeCloseTo(den, 6);
        expect(rows[0]!.value).toBeCloseTo(value, 10);
      });
    }
  }

  it('次级 year to date has no BJ01 value: no BJ01 loan was 次级 at the previous year end (SH01 has one)', async () => {
    const rows = await wh.all<{ branch_id: string; value: number }>(
      `SELECT branch_id, value FROM metrics.kpi_migration_rate_substandard WHERE as_of_month = DATE '${MIGRATION_M}' AND branch_id IS NOT NULL`,
    );
    // SH01: A04 20,000 + A08 25,000 + A16 9,000 at Y, remaining 51,500.50, A08 24,000 migrated — the whole book's.
    expect(rows).toEqual([{ branch_id: 'SH01', value: 24_000 / 51_500.5 }]);
  });

  it('the year-to-date rates read no_data in a month whose previous year end is not loaded (2025-12: 2024-12-31 missing)', async () => {
    const [r] = await wh.all<{ status: string; reason_code: string }>(
      `SELECT status, reason_code FROM metrics.kpi_migration_rate_normal WHERE as_of_month = DATE '2025-12-31' AND branch_id IS NULL AND product_id IS NULL`,
    );
    expect(r).toEqual({ status: 'no_data', reason_code: 'no_prior_month' });
    const [c] = await wh.all<{ availability_en: string }>(`SELECT availability_en FROM metrics.metric_catalog WHERE metric_id = 'migration_rate_normal'`);
    expect(c!.availability_en).toBe('Needs: loan_balances; the previous year end (December) loaded.');
  });
});

describe('a loan in EUR: every migration amount at the period-start rate (test/helpers/migration-fixture.ts, A19)', () => {
  let eur: WarehouseHandle;
  beforeAll(async () => {
    const dir = writeMigrationFixture(undefined, { eur: true });
    eur = await openWarehouse(':memory:');
    try {
      await loadExtracts(eur, dir);
      await buildWarehouse(eur);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
  afterAll(async () => {
    await eur?.close();
  });

  it('opening, decrease and migrated in CNY at the start rate; the closing balance at the end rate', async () => {
    const rows = await eur.all<{ period: string; opening: number; decrease: number; migrated: number; closing: number }>(
      `SELECT period, opening_balance::DOUBLE AS opening, decrease::DOUBLE AS decrease, migrated_balance::DOUBLE AS migrated, closing_balance::DOUBLE AS closing
       FROM marts.mart_credit__class_migrations
       WHERE as_of_month = DATE '${MIGRATION_M}' AND slice = 'product' AND slice_value = 'car' AND from_class = '正常' AND to_class = '关注'
       ORDER BY period`,
    );
    // Only A19 is a car loan going 正常 → 关注 (A02, the other 正常 car loan, settled).
    expect(rows).toEqual([
      { period: 'month', opening: 71_100, decrease: 7_900, migrated: 63_200, closing: 64_000 },
      { period: 'ytd', opening: 78_000, decrease: 15_600, migrated: 62_400, closing: 64_000 },
    ]);
  });

  it('the CNY loans are unchanged: the ytd 正常 rate is (85,000 + 62,400) ÷ (279,000 + 62,400)', async () => {
    const [r] = await eur.all<{ numerator: number; denominator: number }>(
      `SELECT numerator, denominator FROM metrics.kpi_migration_rate_normal WHERE as_of_month = DATE '${MIGRATION_M}' AND branch_id IS NULL AND product_id IS NULL`,
    );
    expect(r).toEqual({ numerator: 147_400, denominator: 341_400 });
  });
});
