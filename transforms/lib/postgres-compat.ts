/**
 * DuckDB's scalar functions that the models, the KPI engine and the exports use, defined on
 * PostgreSQL with DuckDB's semantics, in the schema `cq_compat` that every warehouse session puts
 * first on its `search_path` (before `pg_catalog`, so `round(double precision)` rounds half away
 * from zero as DuckDB does, not to even). With them, one SQL text runs on both engines; the few
 * differences a function cannot hide (aggregates such as `arg_max`, ENUM type literals) are
 * rewritten by `transforms/lib/postgres-translate.ts`. Each function is checked against DuckDB on
 * edge values by test/lib/engine-parity.test.ts.
 *
 * All are plain SQL, IMMUTABLE and PARALLEL SAFE, so PostgreSQL inlines them and Citus pushes
 * them down to the shards (it propagates `CREATE FUNCTION` to the workers).
 */
export const COMPAT_SCHEMA = 'cq_compat';

/** The `search_path` of a warehouse session: the compat functions first, then the catalog. */
export const COMPAT_SEARCH_PATH = `${COMPAT_SCHEMA}, pg_catalog, public`;

/** Operand types whose `/` follows DuckDB (see the division operators in {@link postgresCompatSql}). */
const DIVISION_TYPES: readonly (readonly [string, string])[] = [
  ['double precision', 'double precision'],
  ['integer', 'integer'],
  ['bigint', 'bigint'],
  ['integer', 'bigint'],
  ['bigint', 'integer'],
  ['numeric', 'numeric'],
];

const fn = (signature: string, returns: string, body: string): string =>
  `CREATE OR REPLACE FUNCTION ${COMPAT_SCHEMA}.${signature} RETURNS ${returns} LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ ${body} $$;`;

/** `%Y-%m-%d`-style DuckDB format → `to_char` pattern (the formats the product uses; letters quoted). */
const TO_CHAR_FORMAT =
  `replace(replace(replace(replace(replace(replace(replace(replace(fmt, 'T', '"T"'), 'Z', '"Z"'), ` +
  `'%Y', 'YYYY'), '%m', 'MM'), '%d', 'DD'), '%H', 'HH24'), '%M', 'MI'), '%S', 'SS')`;

/** DuckDB's `round(x, n)` on a double: scale, round half away from zero, unscale (std::round(x·10ⁿ)/10ⁿ). */
const ROUND_DOUBLE =
  `SELECT CASE WHEN x IS NULL OR n IS NULL THEN NULL ELSE ` +
  `sign(x) * (trunc(abs(x) * power(10::float8, n)) + CASE WHEN abs(x) * power(10::float8, n) - trunc(abs(x) * power(10::float8, n)) >= 0.5 THEN 1 ELSE 0 END) / power(10::float8, n) END`;

/**
 * The statements that create (or refresh) the compat functions. Idempotent; run once per
 * warehouse when a session opens.
 *
 * @example
 * await pool.query(postgresCompatSql());
 * // then: SELECT last_day(DATE '2024-02-10') → 2024-02-29; SELECT round(2.5::float8) → 3
 */
export function postgresCompatSql(): string {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${COMPAT_SCHEMA};`,
    fn('last_day(d date)', 'date', `SELECT (date_trunc('month', d) + interval '1 month - 1 day')::date`),
    fn('last_day(d timestamp)', 'date', `SELECT (date_trunc('month', d) + interval '1 month - 1 day')::date`),
    fn('last_day(d timestamptz)', 'date', `SELECT ${COMPAT_SCHEMA}.last_day((d AT TIME ZONE 'UTC')::date)`),
    fn('strftime(d date, fmt text)', 'text', `SELECT to_char(d, ${TO_CHAR_FORMAT})`),
    fn('strftime(d timestamp, fmt text)', 'text', `SELECT to_char(d, ${TO_CHAR_FORMAT})`),
    fn('strftime(d timestamptz, fmt text)', 'text', `SELECT to_char(d AT TIME ZONE 'UTC', ${TO_CHAR_FORMAT})`),
    // DuckDB counts the boundaries crossed: months between 2024-01-31 and 2024-02-01 = 1.
    fn(
      'date_diff(part text, a date, b date)',
      'bigint',
      `SELECT CASE lower(part) WHEN 'day' THEN (b - a)::bigint ` +
        `WHEN 'month' THEN ((extract(year FROM b) * 12 + extract(month FROM b)) - (extract(year FROM a) * 12 + extract(month FROM a)))::bigint ` +
        `WHEN 'year' THEN (extract(year FROM b) - extract(year FROM a))::bigint END`,
    ),
    fn(
      'date_diff(part text, a timestamp, b timestamp)',
      'bigint',
      `SELECT CASE lower(part) WHEN 'day' THEN (b::date - a::date)::bigint ` +
        `WHEN 'hour' THEN floor(extract(epoch FROM date_trunc('hour', b)) / 3600)::bigint - floor(extract(epoch FROM date_trunc('hour', a)) / 3600)::bigint ` +
        `WHEN 'minute' THEN floor(extract(epoch FROM b) / 60)::bigint - floor(extract(epoch FROM a) / 60)::bigint ` +
        `WHEN 'second' THEN floor(extract(epoch FROM b))::bigint - floor(extract(epoch FROM a))::bigint ` +
        `WHEN 'month' THEN ((extract(year FROM b) * 12 + extract(month FROM b)) - (extract(year FROM a) * 12 + extract(month FROM a)))::bigint END`,
    ),
    // date_trunc() of a DATE is a timestamptz on PostgreSQL (a TIMESTAMP on DuckDB): the session is UTC.
    fn('date_diff(part text, a timestamptz, b timestamptz)', 'bigint', `SELECT ${COMPAT_SCHEMA}.date_diff(part, a AT TIME ZONE 'UTC', b AT TIME ZONE 'UTC')`),
    fn('date_diff(part text, a date, b timestamp)', 'bigint', `SELECT ${COMPAT_SCHEMA}.date_diff(part, a::timestamp, b)`),
    fn('date_diff(part text, a timestamp, b date)', 'bigint', `SELECT ${COMPAT_SCHEMA}.date_diff(part, a, b::timestamp)`),
    fn('year(d date)', 'bigint', `SELECT extract(year FROM d)::bigint`),
    fn('year(d timestamp)', 'bigint', `SELECT extract(year FROM d)::bigint`),
    fn('month(d date)', 'bigint', `SELECT extract(month FROM d)::bigint`),
    fn('month(d timestamp)', 'bigint', `SELECT extract(month FROM d)::bigint`),
    fn('year(d timestamptz)', 'bigint', `SELECT extract(year FROM d AT TIME ZONE 'UTC')::bigint`),
    fn('month(d timestamptz)', 'bigint', `SELECT extract(month FROM d AT TIME ZONE 'UTC')::bigint`),
    fn('make_date(y bigint, m bigint, d bigint)', 'date', `SELECT pg_catalog.make_date(y::int, m::int, d::int)`),
    fn('epoch(t timestamp)', 'double precision', `SELECT extract(epoch FROM t)::float8`),
    fn('epoch(t interval)', 'double precision', `SELECT extract(epoch FROM t)::float8`),
    fn('isnan(x double precision)', 'boolean', `SELECT x = 'NaN'::float8`),
    fn('to_months(n integer)', 'interval', `SELECT make_interval(months => n)`),
    fn('to_months(n bigint)', 'interval', `SELECT make_interval(months => n::int)`),
    fn('round(x double precision, n integer)', 'double precision', ROUND_DOUBLE),
    fn('round(x double precision)', 'double precision', `SELECT ${COMPAT_SCHEMA}.round(x, 0)`),
    // DuckDB's fmt-style format('{:,.2f}', x) (thousands separators, fixed decimals) for the values
    // the KPI texts print, which are rounded to those decimals first (kpi/metric.ts displaySql);
    // any other format string is PostgreSQL's format().
    fn(
      'format(fmt text, x double precision)',
      'text',
      `SELECT CASE WHEN fmt ~ '^\\{:,?\\.[0-9]+f\\}$' THEN to_char(x::text::numeric, 'FM' || ` +
        `CASE WHEN fmt LIKE '{:,%' THEN '999,999,999,999,999,990' ELSE '999999999999999990' END || ` +
        `CASE WHEN substring(fmt FROM '\\.([0-9]+)f')::int > 0 THEN '.' || repeat('0', substring(fmt FROM '\\.([0-9]+)f')::int) ELSE '' END) ` +
        `ELSE pg_catalog.format(fmt, x) END`,
    ),
    // Division as DuckDB divides: always a double (7 / 2 = 3.5, a DECIMAL quotient too) with IEEE
    // results for a zero divisor (1 / 0 = Infinity, 0 / 0 = NaN), where PostgreSQL truncates
    // integers and raises "division by zero".
    ...DIVISION_TYPES.flatMap(([a, b]) => [
      fn(
        `divide(a ${a}, b ${b})`,
        'double precision',
        `SELECT CASE WHEN b = 0 THEN CASE WHEN a > 0 THEN 'Infinity'::float8 WHEN a < 0 THEN '-Infinity'::float8 ELSE 'NaN'::float8 END ` +
          `ELSE a::float8 OPERATOR(pg_catalog./) b::float8 END`,
      ),
      `DO $$ BEGIN CREATE OPERATOR ${COMPAT_SCHEMA}./ (LEFTARG = ${a}, RIGHTARG = ${b}, FUNCTION = ${COMPAT_SCHEMA}.divide); EXCEPTION WHEN duplicate_function THEN NULL; END $$;`,
    ]),
  ].join('\n');
}
