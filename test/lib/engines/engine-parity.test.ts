import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse, type DuckDbWarehouse } from '../../../transforms/lib/duckdb.js';
import { openPostgresWarehouse } from '../../../transforms/lib/postgres.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { citusUrl, SKIP_REASON } from '../../helpers/postgres-warehouse.js';

/**
 * Every DuckDB function the product's SQL uses that PostgreSQL lacks or computes differently
 * (transforms/lib/postgres-compat.ts, postgres-translate.ts), evaluated on edge values on both
 * engines: the JS values must be identical.
 */
const CASES: readonly { name: string; sql: string }[] = [
  { name: 'last_day of dates, leap February, timestamps', sql: `SELECT last_day(DATE '2024-02-10') AS a, last_day(DATE '2023-02-28') AS b, last_day(DATE '2024-12-31') AS c, last_day(CAST(DATE '2024-01-31' + INTERVAL '1 month' AS DATE)) AS d, last_day(TIMESTAMP '2024-04-30 23:59:59') AS e` },
  { name: 'last_day of date_trunc (a timestamptz on PostgreSQL)', sql: `SELECT CAST(last_day(date_trunc('month', DATE '2024-03-31')) AS DATE) AS a, CAST(date_trunc('month', DATE '2024-03-31') - INTERVAL '1 day' AS DATE) AS b` },
  { name: 'strftime formats in use', sql: `SELECT strftime(DATE '2024-03-05', '%Y-%m-%d') AS a, strftime(DATE '2024-03-05', '%Y-%m') AS b, strftime(DATE '2024-03-05', '%Y%m') AS c, strftime(DATE '2024-03-05', '%Y%m%d') AS d, strftime(TIMESTAMP '2024-03-05 07:08:09', '%Y-%m-%dT%H:%M:%SZ') AS e` },
  { name: 'timestamps: date_diff by second and minute boundaries', sql: `SELECT date_diff('second', TIMESTAMP '2024-01-01 00:00:00.9', TIMESTAMP '2024-01-01 00:00:01.1') AS a, date_diff('second', TIMESTAMP '2024-01-01 00:00:00', TIMESTAMP '2024-01-01 01:00:00') AS b, date_diff('minute', TIMESTAMP '2024-01-01 00:00:59', TIMESTAMP '2024-01-01 00:01:00') AS c, date_diff('second', TIMESTAMP '2024-01-01 00:00:05', TIMESTAMP '2024-01-01 00:00:01') AS d` },
  { name: 'date_diff by day and by month boundaries', sql: `SELECT date_diff('day', DATE '2024-01-31', DATE '2024-03-01') AS a, date_diff('month', DATE '2024-01-31', DATE '2024-02-01') AS b, date_diff('month', DATE '2024-02-01', DATE '2024-01-31') AS c, date_diff('month', date_trunc('month', DATE '2020-05-17'), date_trunc('month', DATE '2024-02-29')) AS d, date_diff('day', DATE '2024-01-01', DATE '2024-01-01') AS e` },
  { name: 'year, month, make_date of BIGINT parts', sql: `SELECT year(DATE '2024-02-29') AS y, month(DATE '2024-02-29') AS m, CAST(make_date(year(DATE '2025-06-30') - 1, 12, 31) AS DATE) AS ye` },
  { name: 'round of doubles half away from zero', sql: `SELECT round(CAST(2.5 AS DOUBLE PRECISION)) AS a, round(CAST(-2.5 AS DOUBLE PRECISION)) AS b, round(CAST(0.125 AS DOUBLE PRECISION), 2) AS c, round(CAST(1.255 AS DOUBLE PRECISION), 2) AS d, round(CAST(-0.0049 AS DOUBLE PRECISION), 2) AS e, round(CAST(0.0231456 AS DOUBLE PRECISION), 4) AS f, round(CAST(NULL AS DOUBLE PRECISION), 2) AS g` },
  { name: 'round of decimals stays exact', sql: `SELECT round(CAST(1.255 AS DECIMAL(18,3)), 2) AS a, round(CAST(-2.5 AS DECIMAL(18,1))) AS b` },
  {
    name: "format('{:,.Nf}') of rounded values, as the KPI texts print them",
    sql: `SELECT format('{:,.2f}', round(CAST(1234567.125 AS DOUBLE PRECISION), 2) + 0) AS a, format('{:,.2f}', round(CAST(-0.004 AS DOUBLE PRECISION), 2) + 0) AS b,
            format('{:,.1f}', round(CAST(45 AS DOUBLE PRECISION), 1) + 0) AS c, format('{:,.0f}', round(CAST(2.5 AS DOUBLE PRECISION), 0) + 0) AS d, format('{:,.3f}', round(CAST(0.8571 AS DOUBLE PRECISION), 3) + 0) AS e,
            format('{:,.2f}', CAST(NULL AS DOUBLE PRECISION)) AS f`,
  },
  { name: 'epoch and isnan', sql: `SELECT epoch(TIMESTAMP '2024-01-02 03:00:00') - epoch(TIMESTAMP '2024-01-01 00:00:00') AS a, epoch(TIMESTAMP '2024-01-02 03:00:00' - TIMESTAMP '2024-01-01 00:00:00') AS b, isnan(CAST('NaN' AS DOUBLE PRECISION)) AS c, isnan(CAST(1 AS DOUBLE PRECISION)) AS d` },
  { name: 'to_months', sql: `SELECT CAST(DATE '2024-01-31' + to_months(CAST(1 AS INTEGER)) AS DATE) AS a, CAST(DATE '2024-01-31' + to_months(CAST(13 AS INTEGER)) AS DATE) AS b` },
  {
    name: 'arg_max / arg_min skip NULL values and keys, with a FILTER',
    sql: `SELECT arg_max(v, k) AS a, arg_min(v, k) AS b, arg_max(v, k) FILTER (WHERE v <> 'c') AS c, arg_min(k, k) FILTER (WHERE k > 1) AS d
          FROM (VALUES ('a', 1), ('b', 2), ('c', 3), (NULL, 4), ('z', NULL)) AS t(v, k)`,
  },
  { name: 'median of integers and doubles, with a FILTER', sql: `SELECT median(x) AS a, median(CAST(x AS DOUBLE PRECISION)) FILTER (WHERE x < 4) AS b FROM (VALUES (1), (2), (4), (10)) AS t(x)` },
  {
    name: 'ENUM casts compare and sort in declared order',
    sql: `SELECT CAST(c AS VARCHAR) AS c, c < CAST('次级' AS ENUM('正常', '关注', '次级', '可疑', '损失')) AS better
          FROM (SELECT CAST(x AS ENUM('正常', '关注', '次级', '可疑', '损失')) AS c FROM (VALUES ('损失'), ('正常'), ('次级'), ('关注')) AS t(x)) AS e ORDER BY c`,
  },
  {
    name: 'division is a double, Infinity or NaN for a zero divisor, for integers, decimals and doubles',
    sql: `SELECT 7 / 2 AS a, CAST(7 AS BIGINT) / CAST(2 AS BIGINT) AS b, 1 / 0 AS c, CAST(1 AS DOUBLE PRECISION) / 0 AS d, CAST(0 AS DOUBLE PRECISION) / CAST(0 AS DOUBLE PRECISION) AS e,
            CAST(12.50 AS DECIMAL(18,2)) / 10000 AS f, CAST(1 AS DECIMAL(18,2)) / CAST(3 AS DECIMAL(18,2)) AS g, count(*) / 3 AS h FROM (VALUES (1)) AS t(x)`,
  },
  { name: 'division by integers is exact when cast first; counts are BIGINT', sql: `SELECT CAST(7 AS DOUBLE PRECISION) / 2 AS a, count(*) AS n, CAST(count(*) AS INTEGER) AS i FROM (VALUES (1), (2)) AS t(x)` },
  { name: 'string order is byte order', sql: `SELECT x FROM (VALUES ('a'), ('B'), ('正常'), ('关注'), ('b'), ('_')) AS t(x) ORDER BY x` },
  { name: 'DESC NULLS LAST written out', sql: `SELECT x FROM (VALUES (1), (NULL), (3)) AS t(x) ORDER BY x DESC NULLS LAST` },
];

const url = citusUrl();

describe.skipIf(!url)(`engine parity of DuckDB functions on PostgreSQL${url ? '' : ` (${SKIP_REASON})`}`, () => {
  let duck: DuckDbWarehouse;
  let pg: WarehouseHandle;
  beforeAll(async () => {
    duck = await openWarehouse(':memory:');
    pg = await openPostgresWarehouse(url!);
  });
  afterAll(async () => {
    await duck?.close();
    await pg?.close();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const expected = await duck.all(c.sql);
      expect(await pg.all(c.sql)).toEqual(expected);
    });
  }

  it('the hand-worked values (so a wrong DuckDB would not pass unnoticed)', async () => {
    const [r] = await pg.all<Record<string, unknown>>(CASES.find((c) => c.name.startsWith('round of doubles'))!.sql);
    // round(2.5) = 3, round(-2.5) = -3 (half away from zero, not to even); 0.125 → 0.13; 1.255 is
    // 1.25499999999999989… as a double → 1.25; -0.0049 → -0 (= 0); 0.0231456 → 0.0231.
    expect(r).toEqual({ a: 3, b: -3, c: 0.13, d: 1.25, e: -0, f: 0.0231, g: null });
    const [d] = await pg.all<Record<string, unknown>>(CASES.find((c) => c.name.startsWith('date_diff'))!.sql);
    // Jan 31 → Mar 1, 2024 = 30 days; Jan 31 → Feb 1 crosses one month boundary; May 2020 → Feb 2024 = 45 months.
    expect(d).toEqual({ a: 30n, b: 1n, c: -1n, d: 45n, e: 0n });
  });
});
