import type { Kysely } from 'kysely';
import { CqError } from '../lib/errors.js';
import { quoteIdent } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import type { Warehouse } from '../lib/warehouse-types.generated.js';
import { DIMENSIONS, type Dimension } from '../warehouse/dimensions.js';
import { statusSql } from './availability.js';
import { activeRules } from '../policy/business-rules.js';
import { displayOf, rowTargetTextSql, targetOp, targetValueOf, valueRangeOf, type MetricDefinition, type SqlSource } from './metric.js';
import { ragDigits, ragSql } from './rag.js';

/** Columns of every `metrics.kpi_<id>` table, in order. */
export const KPI_COLUMNS = [
  'as_of_month', ...DIMENSIONS, 'numerator', 'denominator', 'value', 'target', 'rag', 'status', 'reason_code', 'reason_zh', 'reason_en',
  'n', 'baseline', 'target_clamped', 'target_text',
] as const;

/** Turns a source into a relation usable after FROM. @example relationSql('marts.x', db) // 'marts.x' */
export function relationSql(source: SqlSource, db: Kysely<Warehouse>, where: string): string {
  if (typeof source === 'function') {
    const c = source(db).compile();
    if (c.parameters.length > 0) {
      throw new CqError('METRIC_INVALID', `${where}: the Kysely source has query parameters; inline constants with sql.lit(…).`);
    }
    return `(${c.sql})`;
  }
  const s = source.trim();
  if (/^[A-Za-z_][\w]*\.[A-Za-z_][\w]*$/.test(s)) return s;
  if (/^(select|with|from)\b/i.test(s)) return `(${s})`;
  if (s.startsWith('(')) return s;
  throw new CqError('METRIC_INVALID', `${where}: source must be schema.table, a SELECT, or a Kysely builder; got "${s.slice(0, 60)}".`);
}

const NULL_DIM = 'CAST(NULL AS VARCHAR)';

/** A column name as SQL: as is when a plain lower-case name, else quoted. @example columnSql('pd_bin') // 'pd_bin' */
function columnSql(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

function dimSelect(allowed: readonly Dimension[], prefix = ''): string {
  return DIMENSIONS.map((d) => (allowed.includes(d) ? `CAST(${prefix}${d} AS VARCHAR) AS ${d}` : `${NULL_DIM} AS ${d}`)).join(', ');
}

function groupingSets(allowed: readonly Dimension[]): string {
  return `GROUPING SETS ((as_of_month)${allowed.map((d) => `, (as_of_month, ${d})`).join('')})`;
}

function havingNoNullSlice(allowed: readonly Dimension[]): string {
  return allowed.length ? `HAVING ${allowed.map((d) => `NOT (GROUPING(${d}) = 0 AND ${d} IS NULL)`).join(' AND ')}` : '';
}

/**
 * `x` clamped into a value range, NULL staying NULL (DuckDB's greatest/least skip NULLs, so they are guarded).
 *
 * @example
 * clampSql('t', { min: 0, max: 1 }); // 'CASE WHEN (t) IS NULL THEN NULL ELSE least(1, greatest(0, t)) END'
 */
export function clampSql(x: string, range: { min: number | null; max: number | null }): string {
  let out = x;
  if (range.min !== null) out = `greatest(${range.min}, ${out})`;
  if (range.max !== null) out = `least(${range.max}, ${out})`;
  return out === x ? x : `CASE WHEN (${x}) IS NULL THEN NULL ELSE ${out} END`;
}

/** `a.d IS NOT DISTINCT FROM b.d` for every dimension. */
function dimsMatch(a: string, b: string): string {
  return DIMENSIONS.map((d) => `${a}.${d} IS NOT DISTINCT FROM ${b}.${d}`).join(' AND ');
}

/**
 * Checks that every source of a metric has `as_of_month` and the metric's dimensions
 * (the output columns of the source, read from the built warehouse), so a typo fails with a clear message. Returns the
 * columns of the (last) source, which a custom formula needs.
 */
export async function checkMetricSources(wh: WarehouseHandle, m: MetricDefinition): Promise<string[]> {
  let lastCols: string[] = [];
  const sources =
    m.formula.kind === 'ratio'
      ? [
          ['numerator', m.formula.numerator.from] as const,
          ['denominator', m.formula.denominator.from] as const,
        ]
      : [['from', m.formula.from] as const];
  for (const [side, src] of sources) {
    const rel = relationSql(src, wh.db, `metrics/${m.id}: formula.${side}`);
    let cols: string[];
    try {
      cols = await wh.columns(`SELECT * FROM ${rel} AS src`);
    } catch (e) {
      throw new CqError('METRIC_INVALID', `metric ${m.id}: formula.${side} cannot be read: ${(e as Error).message}`, {}, { cause: e });
    }
    const missing = ['as_of_month', ...m.dimensions].filter((c) => !cols.includes(c));
    if (missing.length) {
      throw new CqError(
        'METRIC_INVALID',
        `metric ${m.id}: formula.${side} (${rel.slice(0, 80)}) lacks column(s) ${missing.join(', ')}. Fix: add them to the mart or remove the dimension from "dimensions".`,
      );
    }
    lastCols = cols;
  }
  return lastCols;
}

/**
 * Compiles a metric into one SELECT with the `metrics.kpi_<id>` columns: per month end, the
 * whole book (all dimensions NULL) and one row per value of each allowed dimension, computed
 * with GROUPING SETS; every reporting month gets a whole-book row; then the availability
 * (`status` measured / no_data with `reason_code`, `reason_zh`, `reason_en`: availability.ts,
 * from the metric's `inputs`, `needsPriorMonth`, `minObservations` and `metrics.input_deliveries`),
 * the target and RAG. A `no_data` row has value NULL and RAG 'none' (numerator and denominator
 * NULL too when an input was never delivered or the compared month is missing: they would be
 * placeholders); a prior-year target reads only measured values.
 * Numerators and denominators are summed in exact types and cast to DOUBLE at the end, so
 * re-running gives byte-identical results.
 *
 * ```sql
 * WITH _base AS (…GROUP BY GROUPING SETS…), _dense AS (…every month's whole-book row…),
 *   _inputs AS (…), _prior AS (…), _obs AS (…), _status AS (_dense + reason_code/zh/en),
 *   _measured AS (SELECT …, CASE WHEN reason_code IS NULL THEN value END AS value, … FROM _status),
 *   _targeted AS (SELECT b.*, <target> AS target FROM _measured b [LEFT JOIN _measured py ON a year earlier])
 * SELECT as_of_month, branch_id, product_id, customer_type, grade, numerator, denominator, value, target,
 *   CASE WHEN reason_code IS NULL THEN <RAG CASE> ELSE 'none' END AS rag,
 *   CASE WHEN reason_code IS NULL THEN 'measured' ELSE 'no_data' END AS status, reason_code, reason_zh, reason_en
 * FROM _targeted ORDER BY …
 * ```
 *
 * @example
 * const select = compileMetricSql(metric, wh.db);
 * await wh.exec(`DROP TABLE IF EXISTS metrics.kpi_${metric.id}; CREATE TABLE metrics.kpi_${metric.id} AS ${select}`);
 */
export function compileMetricSql(m: MetricDefinition, db: Kysely<Warehouse>, sourceColumns: readonly string[] = []): string {
  const dims = m.dimensions;
  const f = m.formula;
  let base: string;
  if (f.kind === 'ratio') {
    const nRel = relationSql(f.numerator.from, db, `metrics/${m.id}: formula.numerator`);
    const dRel = relationSql(f.denominator.from, db, `metrics/${m.id}: formula.denominator`);
    if (nRel === dRel) {
      base = `SELECT as_of_month, ${dimSelect(dims)},
          CAST(coalesce(${f.numerator.measure}, 0) AS DOUBLE PRECISION) AS numerator,
          CAST(coalesce(${f.denominator.measure}, 0) AS DOUBLE PRECISION) AS denominator
        FROM ${nRel} AS src GROUP BY ${groupingSets(dims)} ${havingNoNullSlice(dims)}`;
    } else {
      const side = (rel: string, measure: string) =>
        `SELECT as_of_month, ${dimSelect(dims)}, CAST(coalesce(${measure}, 0) AS DOUBLE PRECISION) AS v
         FROM ${rel} AS src GROUP BY ${groupingSets(dims)} ${havingNoNullSlice(dims)}`;
      base = `SELECT coalesce(n.as_of_month, d.as_of_month) AS as_of_month,
          ${DIMENSIONS.map((x) => `coalesce(n.${x}, d.${x}) AS ${x}`).join(', ')},
          coalesce(n.v, 0) AS numerator, coalesce(d.v, 0) AS denominator
        FROM (${side(nRel, f.numerator.measure)}) n
        FULL OUTER JOIN (${side(dRel, f.denominator.measure)}) d ON n.as_of_month = d.as_of_month AND ${dimsMatch('n', 'd')}`;
    }
    base = `SELECT *, CASE WHEN denominator <> 0 THEN numerator / denominator END AS value FROM (${base}) AS _ratio`;
  } else if (f.kind === 'aggregate') {
    const rel = relationSql(f.from, db, `metrics/${m.id}: formula.from`);
    base = `SELECT as_of_month, ${dimSelect(dims)}, CAST(NULL AS DOUBLE PRECISION) AS numerator,
        CAST(${f.n} AS DOUBLE PRECISION) AS denominator, CAST(${f.value} AS DOUBLE PRECISION) AS value
      FROM ${rel} AS src GROUP BY ${groupingSets(dims)} ${havingNoNullSlice(dims)}`;
  } else {
    const rel = relationSql(f.from, db, `metrics/${m.id}: formula.from`);
    const present = DIMENSIONS.filter((d) => sourceColumns.includes(d));
    // The source's other columns, listed (its dimensions are replaced by the slice columns).
    const rest = present.length ? sourceColumns.filter((c) => !(present as readonly string[]).includes(c)).map((c) => `src.${columnSql(c)}`).join(', ') : 'src.*';
    const sets = [
      `SELECT 0 AS _set, ${DIMENSIONS.map((d) => `${NULL_DIM} AS ${d}`).join(', ')}, ${rest} FROM _src AS src`,
      ...dims.map(
        (d, i) =>
          `SELECT ${i + 1} AS _set, ${DIMENSIONS.map((x) => (x === d ? `CAST(src.${x} AS VARCHAR) AS ${x}` : `${NULL_DIM} AS ${x}`)).join(', ')}, ${rest} FROM _src AS src WHERE src.${d} IS NOT NULL`,
      ),
    ];
    const custom = f.sql({ sliced: '_sliced', groupCols: `as_of_month, _set, ${DIMENSIONS.join(', ')}` });
    base = `WITH _src AS (SELECT * FROM ${rel} AS src), _sliced AS (${sets.join(" UNION ALL ")})
      SELECT as_of_month, ${DIMENSIONS.join(', ')}, CAST(numerator AS DOUBLE PRECISION) AS numerator, CAST(denominator AS DOUBLE PRECISION) AS denominator, CAST(value AS DOUBLE PRECISION) AS value
      FROM (${custom}) AS _custom`;
  }

  const allNull = DIMENSIONS.map((d) => `${d} IS NULL`).join(' AND ');
  const zero = f.kind === 'ratio' ? 'CAST(0 AS DOUBLE PRECISION)' : 'CAST(NULL AS DOUBLE PRECISION)';
  const dense = `SELECT * FROM _base
    UNION ALL
    SELECT m.as_of_month, ${DIMENSIONS.map((d) => `${NULL_DIM} AS ${d}`).join(', ')}, ${zero}, ${zero}, CAST(NULL AS DOUBLE PRECISION)
    FROM core.dim_months m WHERE m.as_of_month NOT IN (SELECT as_of_month FROM _base WHERE ${allNull})`;

  // Availability: what the source of the minimum-observations measure is (the denominator's for a ratio).
  const obsFrom = relationSql(f.kind === 'ratio' ? f.denominator.from : f.from, db, `metrics/${m.id}: minObservations`);
  const status = statusSql(m, { observationsFrom: obsFrom, dimSelect: dimSelect(dims), groupBy: groupingSets(dims), having: havingNoNullSlice(dims) });
  const unknownInputs = `reason_code IN ('input_not_delivered', 'no_prior_month')`;
  // A too-few row keeps its computed value (KPI values never change with the minimum); it is never
  // coloured nor shown (status 'too_few'). Every other reason has no value.
  const measured = `SELECT as_of_month, ${DIMENSIONS.join(', ')},
      CASE WHEN ${unknownInputs} THEN NULL ELSE numerator END AS numerator,
      CASE WHEN ${unknownInputs} THEN NULL ELSE denominator END AS denominator,
      CASE WHEN reason_code IS NULL OR (reason_code = 'too_few_observations' AND NOT isnan(value)) THEN value END AS value,
      reason_code, reason_zh, reason_en, n
    FROM _status`;

  const t = m.target;
  const range = valueRangeOf(m);
  let targeted: string;
  if (t.kind === 'prior_year') {
    // The baseline is the same slice's MEASURED value a year earlier (a too-few or no-data month is no baseline).
    const base = `CASE WHEN py.reason_code IS NULL THEN py.value END`;
    const raw = t.deltaMode === 'points' ? `(${base}) + (${t.delta})` : `(${base}) * (1 + (${t.delta}))`;
    const clamped = clampSql(raw, range);
    targeted = `SELECT b.*, CAST(${base} AS DOUBLE PRECISION) AS baseline, CAST(${clamped} AS DOUBLE PRECISION) AS target,
        CASE WHEN ${base} IS NULL THEN NULL ELSE (${clamped}) <> (${raw}) END AS target_clamped
      FROM _measured b
      LEFT JOIN _measured py ON py.as_of_month = CAST(last_day(b.as_of_month - INTERVAL '12 month') AS DATE) AND ${dimsMatch('py', 'b')}`;
  } else if (t.kind === 'fixed') {
    // A target given as a function of the KPI rules reads the rules in force for this build.
    targeted = `SELECT b.*, CAST(NULL AS DOUBLE PRECISION) AS baseline, CAST(${targetValueOf(m, activeRules().kpi)} AS DOUBLE PRECISION) AS target,
        CAST(NULL AS BOOLEAN) AS target_clamped FROM _measured b`;
  } else {
    targeted = `SELECT b.*, CAST(NULL AS DOUBLE PRECISION) AS baseline, CAST(NULL AS DOUBLE PRECISION) AS target, CAST(NULL AS BOOLEAN) AS target_clamped FROM _measured b`;
  }
  const rag = ragSql('value', 'target', m.direction, targetOp(m), m.tolerance, ragDigits(displayOf(m)));
  return `WITH _base AS (${base}), _dense AS (${dense}), ${status}, _measured AS (${measured}), _targeted AS (${targeted})
    SELECT as_of_month, ${DIMENSIONS.join(', ')}, numerator, denominator, value, target,
      CASE WHEN reason_code IS NULL THEN ${rag} ELSE 'none' END AS rag,
      CASE WHEN reason_code IS NULL THEN 'measured' WHEN reason_code = 'too_few_observations' THEN 'too_few' ELSE 'no_data' END AS status,
      reason_code, reason_zh, reason_en, n, baseline, target_clamped,
      ${rowTargetTextSql(m, activeRules().kpi)} AS target_text
    FROM _targeted
    ORDER BY as_of_month, ${DIMENSIONS.map((d) => `${d} NULLS FIRST`).join(', ')}`;
}
