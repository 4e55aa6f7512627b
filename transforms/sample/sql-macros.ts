/**
 * DuckDB macros the generator's SQL is written in: seeded hash-based randomness, the month
 * calendar, identifiers and the amortisation schedule. Installing them once per connection
 * keeps every query short and makes the randomness depend on (seed, key, month, salt) only,
 * never on row order or thread scheduling — the basis of byte-identical output.
 */

/** Something that can run SQL statements (a `WarehouseHandle`). */
export interface SqlRunner {
  exec(sql: string): Promise<void>;
}

/**
 * SQL of the generator's macros for a seed.
 *
 * - `rnd(a, b, salt)` uniform in [0,1) from `hash(hash(seed, a, b, salt))` (53 random bits). The outer
 *   hash matters: DuckDB combines a multi-argument hash by XOR-ing the last argument's hash in, so
 *   without re-hashing, draws that differ only in `salt` are strongly correlated;
 * - `rnorm(a, b, salt)` standard normal (Box–Muller over `rnd(a,b,salt)` and `rnd(a,b,salt+1000)`);
 * - `mstart(m)`, `mend(m)`, `dim(m)`, `mday(m, d)`, `mof(date)`: month index `m = year*12 + month-1`;
 * - `due_on(dmi, dday, k)`: the date instalment `k` falls due for a loan disbursed in month `dmi` on day `dday`
 *   (loans are disbursed on days 1–27, so the due day exists in every month and needs no clamping);
 * - `bal(meth, p, r, n, k)`: scheduled principal outstanding after `k` of `n` instalments, to the cent
 *   (meth 0 equal_instalment annuity, 1 equal_principal, 2 interest_first; `r` monthly rate);
 * - `int_due(meth, p, r, n, k)`: interest of instalment `k` = round(bal(k-1) × r, 2);
 * - `lid(lk)`, `cid(ci)`: loan and customer ids.
 *
 * Because every instalment's principal is `bal(k-1) - bal(k)`, the instalments of a loan add up to
 * its principal exactly and a balance always equals principal minus principal repaid.
 *
 * @example
 * await wh.exec(macroSql(42));
 * await wh.all('SELECT bal(0, 120000.00, 0.004, 12, 1) AS b'); // [{ b: 110212.08 }]
 */
export function macroSql(seed: number): string {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, got ${seed}`);
  return `
CREATE OR REPLACE MACRO rnd(a, b, salt) AS
  ((hash(hash(${seed}::BIGINT, (a)::BIGINT, (b)::BIGINT, (salt)::INTEGER)) >> 11)::DOUBLE / 9007199254740992.0);
CREATE OR REPLACE MACRO rnorm(a, b, salt) AS
  (sqrt(-2.0 * ln(1.0 - rnd(a, b, salt))) * cos(2.0 * pi() * rnd(a, b, (salt) + 1000)));
CREATE OR REPLACE MACRO mstart(m) AS make_date(((m) // 12)::BIGINT, ((m) % 12 + 1)::BIGINT, 1::BIGINT);
CREATE OR REPLACE MACRO mend(m) AS last_day(mstart(m));
CREATE OR REPLACE MACRO dim(m) AS day(mend(m));
CREATE OR REPLACE MACRO mday(m, d) AS
  make_date(((m) // 12)::BIGINT, ((m) % 12 + 1)::BIGINT, least((d)::BIGINT, dim(m))::BIGINT);
CREATE OR REPLACE MACRO mof(dt) AS (year(dt) * 12 + month(dt) - 1);
CREATE OR REPLACE MACRO due_on(dmi, dday, k) AS
  make_date((((dmi) + (k)) // 12)::BIGINT, (((dmi) + (k)) % 12 + 1)::BIGINT, (dday)::BIGINT);
CREATE OR REPLACE MACRO bal(meth, p, r, n, k) AS CASE
  WHEN (k) >= (n) THEN 0::DECIMAL(18,2)
  WHEN (k) <= 0 OR (meth) = 2 THEN (p)::DECIMAL(18,2)
  WHEN (meth) = 1 OR (r) = 0 THEN round((p)::DOUBLE * ((n) - (k)) / (n), 2)::DECIMAL(18,2)
  ELSE round((p)::DOUBLE * (pow(1 + (r), n) - pow(1 + (r), k)) / (pow(1 + (r), n) - 1), 2)::DECIMAL(18,2)
END;
CREATE OR REPLACE MACRO int_due(meth, p, r, n, k) AS
  round(bal(meth, p, r, n, (k) - 1)::DOUBLE * (r), 2)::DECIMAL(18,2);
CREATE OR REPLACE MACRO lid(lk) AS ('L' || lpad(CAST(lk AS VARCHAR), 10, '0'));
CREATE OR REPLACE MACRO cid(ci) AS ('C' || lpad(CAST(ci AS VARCHAR), 9, '0'));
`;
}

/**
 * Installs the generator's macros for `seed` on a connection.
 *
 * @example
 * await installMacros(wh, 42);
 */
export async function installMacros(runner: SqlRunner, seed: number): Promise<void> {
  await runner.exec(macroSql(seed));
}
