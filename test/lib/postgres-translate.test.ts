import { describe, expect, it } from 'vitest';
import { createEnumSql, inlineCtes, toPostgres } from '../../transforms/lib/postgres-translate.js';
import { postgresConnectionYaml } from '../../transforms/publish/site/postgres-source.js';

/** The DuckDB spellings rewritten for PostgreSQL (transforms/lib/postgres-translate.ts). */
describe('toPostgres', () => {
  it('rewrites arg_max / arg_min into an ordered array_agg that skips NULLs, absorbing a FILTER', () => {
    expect(toPostgres('SELECT arg_max(fx_rate, snapshot_date) FILTER (WHERE fx_rate > 0) AS r FROM t').sql).toBe(
      'SELECT (array_agg(fx_rate ORDER BY snapshot_date DESC) FILTER (WHERE (fx_rate) IS NOT NULL AND (snapshot_date) IS NOT NULL AND (fx_rate > 0)))[1] AS r FROM t',
    );
    expect(toPostgres('SELECT arg_min(CASE WHEN a THEN coalesce(b, 0) END, m) AS x').sql).toBe(
      'SELECT (array_agg(CASE WHEN a THEN coalesce(b, 0) END ORDER BY m ASC) FILTER (WHERE (CASE WHEN a THEN coalesce(b, 0) END) IS NOT NULL AND (m) IS NOT NULL))[1] AS x',
    );
  });

  it('materialises the CTEs of a statement that groups by sets (Citus), and only of such statements', () => {
    const grouped = "WITH w AS (SELECT a FROM t), b AS (\n  SELECT a FROM w) SELECT a, count(*) FROM b GROUP BY GROUPING SETS ((a), ()) -- x AS (SELECT";
    expect(toPostgres(grouped).sql).toBe("WITH w AS MATERIALIZED (SELECT a FROM t), b AS MATERIALIZED (\n  SELECT a FROM w) SELECT a, count(*) FROM b GROUP BY GROUPING SETS ((a), ()) -- x AS (SELECT");
    const plain = "WITH w AS (SELECT a FROM t) SELECT 'GROUPING SETS' AS s FROM w";
    expect(toPostgres(plain).sql).toBe(plain);
  });

  it('rewrites median into percentile_cont and keeps strings, comments and qualified names alone', () => {
    const { sql } = toPostgres("SELECT median(lead_days) AS m, 'median(x)' AS s, t.median(1) -- arg_max(a, b) it's\nFROM t");
    expect(sql).toBe("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY (lead_days)::float8) AS m, 'median(x)' AS s, t.median(1) -- arg_max(a, b) it's\nFROM t");
  });

  it('names ENUM type literals by their values (same list, same type) and maps DuckDB type names', () => {
    const a = toPostgres("SELECT CAST(c AS ENUM('正常', '关注')) AS c, CAST(n AS TINYINT) AS n, CAST(x AS DOUBLE) AS x, CAST(y AS DOUBLE PRECISION) AS y");
    const b = toPostgres("CREATE TABLE t (c ENUM('正常', '关注'))");
    const [name] = [...a.enums.keys()];
    expect(name).toMatch(/^cq_compat\.enum_[0-9a-f]{10}$/);
    expect(a.enums.get(name!)).toEqual(['正常', '关注']);
    expect([...b.enums.keys()]).toEqual([name]);
    expect(a.sql).toBe(`SELECT CAST(c AS ${name}) AS c, CAST(n AS SMALLINT) AS n, CAST(x AS DOUBLE PRECISION) AS x, CAST(y AS DOUBLE PRECISION) AS y`);
    expect(createEnumSql(name!, ["it's", 'b'])).toContain(`CREATE TYPE ${name} AS ENUM ('it''s', 'b')`);
  });

  it('leaves SQL that both engines accept unchanged', () => {
    const portable = "SELECT last_day(d) AS m, strftime(d, '%Y-%m') AS ym, count(*) FILTER (WHERE x) AS n FROM t GROUP BY d ORDER BY n DESC NULLS LAST";
    expect(toPostgres(portable)).toEqual({ sql: portable, enums: new Map() });
  });
});

describe('inlineCtes (a statement that fills a distributed table on Citus)', () => {
  it('inlines every CTE where it is used, keeps those the model materialises, and leaves strings and comments alone', () => {
    const model = "WITH a AS (SELECT 1 AS x), b AS MATERIALIZED (\n  SELECT 2 AS y), c(z) AS (\n  SELECT 'x AS (SELECT' AS z) -- d AS (SELECT\nSELECT * FROM a, b, c";
    expect(inlineCtes(model)).toBe(
      "WITH a AS NOT MATERIALIZED (SELECT 1 AS x), b AS MATERIALIZED (\n  SELECT 2 AS y), c(z) AS NOT MATERIALIZED (\n  SELECT 'x AS (SELECT' AS z) -- d AS (SELECT\nSELECT * FROM a, b, c",
    );
    // toPostgres afterwards leaves the hints alone (it materialises only CTEs still spelled "AS (").
    expect(toPostgres(inlineCtes(model)).sql).toBe(inlineCtes(model));
  });
});

describe("the site's Postgres source", () => {
  it('names the coordinator and starts each connection with the compat search path in UTC', () => {
    expect(postgresConnectionYaml('postgres://cq@db01:5432/cq')).toBe(
      [
        '# Written by the site build for the Citus engine (transforms/publish/site/postgres-source.ts).',
        'name: warehouse',
        'type: postgres',
        'options:',
        '  connectionString: "postgres://cq@db01:5432/cq"',
        '  options: "-c search_path=cq_compat,pg_catalog,public -c TimeZone=UTC"',
        '',
      ].join('\n'),
    );
  });
});
