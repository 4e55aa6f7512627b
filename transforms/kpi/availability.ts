import { activeRules } from '../policy/business-rules.js';
import { ENTITIES, type EntityContract } from '../ingest/contract/index.js';
import { quoteIdent as q, quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { CqError } from '../lib/errors.js';
import { DIMENSIONS } from '../warehouse/dimensions.js';
import { minObservationsOf, priorMonthsOf, type MetricDefinition } from './metric.js';

/**
 * Availability of KPI values (docs/kpis.md, "Availability"): every row of `metrics.kpi_<id>` is
 * `measured`, or `no_data` with a reason. The KPI declares what it needs in its metric file
 * (`inputs`, `needsPriorMonth`, `minObservations`); this module turns those declarations and the
 * load records into SQL, so no page, export or test decides availability on its own.
 */

/**
 * Status of a KPI value row: `measured`; `no_data` (value NULL, with a reason); `too_few` (reason
 * `too_few_observations`: fewer observations than the KPI's minimum, or a value the observations
 * leave undefined) — the computed value is kept but never shown or coloured (rag 'none'), the sample
 * size is in `n`.
 */
export const KPI_STATUSES = ['measured', 'no_data', 'too_few'] as const;
export type KpiStatus = (typeof KPI_STATUSES)[number];

/**
 * Why a row is `no_data`, in the order they are checked (the first that applies is the reason):
 * - `input_not_delivered`: an input the KPI declares was never delivered up to the month end;
 * - `no_prior_month`: the KPI compares with an earlier month that is not a reporting month
 *   (the first month loaded, or a gap);
 * - `denominator_zero`: nothing to divide by (no new NPLs, no warnings raised, …);
 * - `too_few_observations`: fewer observations than the KPI's minimum, or a value the
 *   observations leave undefined (e.g. a KS without defaulters).
 */
export const NO_DATA_REASONS = ['input_not_delivered', 'no_prior_month', 'denominator_zero', 'too_few_observations'] as const;
export type NoDataReason = (typeof NO_DATA_REASONS)[number];

/** Short bilingual labels of the reasons (footnotes, legends). */
export const NO_DATA_REASON_LABELS: Readonly<Record<NoDataReason, { zh: string; en: string }>> = {
  input_not_delivered: { zh: '输入数据未交付', en: 'input never delivered' },
  no_prior_month: { zh: '无对比月份', en: 'no prior month' },
  denominator_zero: { zh: '分母为零', en: 'denominator zero' },
  too_few_observations: { zh: '样本不足', en: 'too few observations' },
};

/** Table of input deliveries the KPI engine writes before the KPI tables. */
export const INPUT_DELIVERIES_TABLE = 'metrics.input_deliveries';

/** Labels of column inputs (entity inputs take the Chinese name in the contract's description). */
const COLUMN_LABELS: Readonly<Record<string, { zh: string; en: string }>> = {
  'customers.grade': { zh: '客户等级', en: 'recorded customer grades' },
  'customers.onboarded_on': { zh: '客户建立关系日期', en: 'relationship start dates' },
  'loan_balances.provision_amount': { zh: '贷款损失准备', en: 'loan-loss provisions' },
  'loans.restructured': { zh: '重组标识', en: 'restructuring flags' },
};

/** One declared input, resolved against the extract contract. */
export interface ResolvedInput {
  /** As declared: `warnings` or `customers.grade`. */
  input: string;
  entity: string;
  /** NULL for an entity input. */
  column: string | null;
  /** The column is optional in the contract (empty values allowed). */
  optional: boolean;
  labelZh: string;
  labelEn: string;
}

function entityZh(e: EntityContract): string {
  const m = /[（(]([^)）]*\p{Script=Han}[^)）]*)[)）]/u.exec(e.description);
  return m ? m[1]!.split(/[,，]/)[0]!.trim() : e.name;
}

/**
 * Resolves an input declared by a metric against the contract; throws `METRIC_INVALID` naming
 * the metric file when the entity or column does not exist.
 *
 * @example
 * resolveInput('customers.grade', 'metrics/high-risk-share.ts');
 * // { input: 'customers.grade', entity: 'customers', column: 'grade', optional: true, labelZh: '客户等级', labelEn: 'recorded customer grades' }
 */
export function resolveInput(input: string, where: string): ResolvedInput {
  const [entityName, column, extra] = String(input).split('.');
  const e = ENTITIES.find((x) => x.name === entityName);
  const known = ENTITIES.map((x) => x.name).join(', ');
  if (!e || extra !== undefined || column === '') {
    throw new CqError('METRIC_INVALID', `${where}: inputs names "${input}", which is not an extract entity or entity.column of the contract (entities: ${known}).`, {
      file: where,
      key: 'inputs',
    });
  }
  if (column === undefined) {
    const zh = entityZh(e);
    return { input, entity: e.name, column: null, optional: false, labelZh: `${zh}（${e.name}）`, labelEn: e.name };
  }
  const c = e.columns.find((x) => x.name === column);
  if (!c) {
    throw new CqError('METRIC_INVALID', `${where}: inputs names "${input}": ${e.name} has no column "${column}" (columns: ${e.columns.map((x) => x.name).join(', ')}).`, {
      file: where,
      key: 'inputs',
    });
  }
  const label = COLUMN_LABELS[input];
  return {
    input,
    entity: e.name,
    column,
    optional: !c.required,
    labelZh: label ? `${label.zh}（${input}）` : `${entityZh(e)}.${column}（${input}）`,
    labelEn: label ? `${label.en} (${input})` : input,
  };
}

/**
 * Checks a metric's availability declarations (inputs, needsPriorMonth, minObservations); throws
 * `METRIC_INVALID` naming the file and key.
 *
 * @example
 * validateAvailability(metric, 'metrics/warning-coverage.ts');
 */
export function validateAvailability(m: MetricDefinition, where: string): void {
  const bad = (key: string, why: string) => new CqError('METRIC_INVALID', `${where}: ${key} ${why}`, { file: where, key });
  if (!Array.isArray(m.inputs) || m.inputs.length === 0) {
    throw bad('inputs', "must list the extract entities (or entity.column) the KPI needs, e.g. inputs: ['loan_balances'] (docs/kpis.md, \"Availability\").");
  }
  for (const i of m.inputs) resolveInput(i, where);
  if (new Set(m.inputs).size !== m.inputs.length) throw bad('inputs', 'repeats an input.');
  if (m.needsPriorMonth !== undefined) {
    const n = priorMonthsOf(m, activeRules().kpi);
    if (!Number.isInteger(n) || n < 1) throw bad('needsPriorMonth', `must be a whole number of months ≥ 1 (or a function of the KPI rules giving one); got ${JSON.stringify(n)}.`);
  }
  for (const o of minObservationsOf(m)) {
    if (!Number.isInteger(o.count) || o.count < 1) throw bad('minObservations.count', `must be a whole number ≥ 1; got ${JSON.stringify(o.count)}.`);
    if (typeof o.measure !== 'string' || !o.measure.trim()) throw bad('minObservations.measure', 'must be aggregate SQL over the formula source, e.g. sum(scores).');
    if (!o.textZh?.trim() || !o.textEn?.trim()) throw bad('minObservations.textZh', 'and textEn must say what is counted.');
  }
}

/**
 * What a KPI needs, in words (catalog `availability_text`, docs, glossary).
 *
 * @example
 * availabilityText(warningCoverage).en;
 * // 'Needs: warnings, loan_balances; the previous month loaded.'
 */
export function availabilityText(m: MetricDefinition, where = `metrics/${m.id}`): { zh: string; en: string } {
  const inputs = m.inputs.map((i) => resolveInput(i, where));
  const k = priorMonthsOf(m, activeRules().kpi);
  const zh = [`需要：${inputs.map((i) => i.labelZh).join('、')}`];
  const en = [`Needs: ${inputs.map((i) => i.labelEn).join(', ')}`];
  if (k === 1) {
    zh.push('上月已加载');
    en.push('the previous month loaded');
  } else if (k > 1) {
    zh.push(`${k} 个月前的月份已加载`);
    en.push(`the month ${k} months earlier loaded`);
  }
  if (m.needsPriorYearEnd) {
    zh.push('上年末（12 月）已加载');
    en.push('the previous year end (December) loaded');
  }
  for (const o of minObservationsOf(m)) {
    zh.push(`${o.textZh}至少 ${o.count} 个`);
    en.push(`at least ${o.count} ${o.textEn}`);
  }
  return { zh: `${zh.join('；')}。`, en: `${en.join('; ')}.` };
}

async function tableExists(wh: WarehouseHandle, schema: string, table: string): Promise<boolean> {
  const [r] = await wh.all<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = ${lit(schema)} AND table_name = ${lit(table)}`,
  );
  return (r?.n ?? 0) > 0;
}

/**
 * SQL giving the first business date on which an input was delivered (NULL: never), from the load
 * records:
 * - an entity is delivered on a business date with an `ops.load_audit` row for it — even with 0
 *   rows (a lender that delivers an empty warnings file has no warnings: measured) — unless a
 *   mapping recorded it `entity_absent` that date (`ops.mapping_defaults`);
 * - a column additionally must not be a mapping default that date (`missing_in_source`, or
 *   `empty_in_source` on every loaded row), and an optional column must hold at least one
 *   non-empty value in `raw.<entity>` that date (a grade column left empty everywhere = no grades).
 *
 * @example
 * firstDeliveredSql(resolveInput('warnings', 'x'), true);
 * // (SELECT min(a.business_date) FROM ops.load_audit a WHERE a.entity = 'warnings'
 * //   AND NOT EXISTS (SELECT 1 FROM ops.mapping_defaults d WHERE d.business_date = a.business_date AND d.entity = a.entity AND d.kind = 'entity_absent'))
 */
export function firstDeliveredSql(i: ResolvedInput, hasMappingDefaults: boolean): string {
  const conds = [`a.entity = ${lit(i.entity)}`];
  if (hasMappingDefaults) {
    conds.push(`NOT EXISTS (SELECT 1 FROM ops.mapping_defaults d WHERE d.business_date = a.business_date AND d.entity = a.entity AND d.kind = 'entity_absent')`);
    if (i.column) {
      conds.push(
        `NOT EXISTS (SELECT 1 FROM ops.mapping_defaults d WHERE d.business_date = a.business_date AND d.entity = a.entity AND d.column_name = ${lit(i.column)}
           AND (d.kind = 'missing_in_source' OR (d.kind = 'empty_in_source' AND d.rows_defaulted >= a.rows_loaded)))`,
      );
    }
  }
  if (i.column && i.optional) {
    // Uncorrelated (IN, not a correlated EXISTS): on Citus the raw table is distributed and the
    // subquery is planned on its own, where a correlated one joining ops (on the coordinator) is refused.
    conds.push(`a.business_date IN (SELECT r._business_date FROM raw.${q(i.entity)} r WHERE r.${q(i.column)} IS NOT NULL)`);
  }
  return `(SELECT min(a.business_date) FROM ops.load_audit a WHERE ${conds.join(' AND ')})`;
}

/**
 * Writes `metrics.input_deliveries`: one row per input any metric declares, with the first
 * business date it was delivered (NULL: never), from `ops.load_audit`, `ops.mapping_defaults`
 * and, for optional columns, `raw.<entity>` ({@link firstDeliveredSql}). A KPI month is
 * `input_not_delivered` when one of its inputs has `first_delivered` NULL or after the month end
 * (so loading later dates never changes a past month).
 *
 * @example
 * await writeInputDeliveries(wh, metrics);
 * await wh.all('SELECT input, first_delivered FROM metrics.input_deliveries'); // [{ input: 'warnings', first_delivered: 2025-09-30 }, …]
 */
export async function writeInputDeliveries(wh: WarehouseHandle, metrics: readonly MetricDefinition[]): Promise<void> {
  const inputs = new Map<string, ResolvedInput>();
  for (const m of metrics) for (const i of m.inputs) inputs.set(i, resolveInput(i, `metrics/${m.id.replaceAll('_', '-')}.ts`));
  const hasMappingDefaults = await tableExists(wh, 'ops', 'mapping_defaults');
  await wh.exec(`CREATE SCHEMA IF NOT EXISTS metrics;
    DROP TABLE IF EXISTS ${INPUT_DELIVERIES_TABLE};
    CREATE TABLE ${INPUT_DELIVERIES_TABLE} (
      input VARCHAR NOT NULL PRIMARY KEY, entity VARCHAR NOT NULL, column_name VARCHAR,
      label_zh VARCHAR NOT NULL, label_en VARCHAR NOT NULL, first_delivered DATE)`);
  if (inputs.size === 0) return;
  const rows: string[] = [];
  for (const i of [...inputs.values()].sort((a, b) => a.input.localeCompare(b.input))) {
    const rawOk = !i.column || !i.optional || (await tableExists(wh, 'raw', i.entity));
    const first = rawOk ? firstDeliveredSql(i, hasMappingDefaults) : 'CAST(NULL AS DATE)';
    rows.push(`SELECT ${lit(i.input)}, ${lit(i.entity)}, ${i.column ? lit(i.column) : 'NULL'}, ${lit(i.labelZh)}, ${lit(i.labelEn)}, ${first}`);
  }
  await wh.exec(`INSERT INTO ${INPUT_DELIVERIES_TABLE} ${rows.join('\nUNION ALL\n')}`);
}

/** What {@link statusSql} needs from the KPI compiler. */
export interface StatusContext {
  /** Relation (after FROM) the minimum-observations measure is aggregated over. */
  observationsFrom: string;
  /** `SELECT`-list of the four dimension columns for a grouped source (the metric's own are cast to VARCHAR, the rest NULL). */
  dimSelect: string;
  /** GROUP BY clause for the whole book and each allowed dimension. */
  groupBy: string;
  /** HAVING clause that drops NULL slice values. */
  having: string;
}

const dimsMatch = (a: string, b: string) => DIMENSIONS.map((d) => `${a}.${d} IS NOT DISTINCT FROM ${b}.${d}`).join(' AND ');

/** The Chinese denominator of a ratio formula text (`… ÷ 新增不良贷款笔数` → `新增不良贷款笔数`). */
function denominatorZh(m: MetricDefinition): string | undefined {
  if (m.formula.kind !== 'ratio') return undefined;
  const parts = m.formula.text.split('÷');
  return parts.length === 2 ? parts[1]!.trim() : undefined;
}

function denominatorEn(m: MetricDefinition): string {
  const f = m.formula;
  return f.kind === 'ratio' ? f.denominator.text : f.kind === 'aggregate' ? f.nText : f.denominatorText;
}

/**
 * The CTEs that give each row of `_dense` (as_of_month, the four dimensions, numerator,
 * denominator, value) its availability: `_status` = `_dense` plus `reason_code`, `reason_zh`,
 * `reason_en` (NULL when measured). Reasons are checked in the order of {@link NO_DATA_REASONS}:
 *
 * ```sql
 * _inputs AS (SELECT m.as_of_month, string_agg(d.label_zh, '、' …) AS missing_zh, string_agg(d.label_en, ', ' …) AS missing_en
 *             FROM core.dim_months m JOIN metrics.input_deliveries d ON d.input IN ('warnings', …)
 *              AND (d.first_delivered IS NULL OR d.first_delivered > m.as_of_month) GROUP BY m.as_of_month),
 * _prior AS (SELECT as_of_month, CAST(last_day(as_of_month - INTERVAL '1 month') AS DATE) AS prior_month,
 *              … IN (SELECT as_of_month FROM core.dim_months) AS prior_ok FROM core.dim_months),
 * _prior_ye AS (… the same with make_date(year(as_of_month) - 1, 12, 31), for needsPriorYearEnd),
 * _obs AS (SELECT as_of_month, <dims>, CAST(<measure> AS DOUBLE PRECISION) AS n FROM <source> GROUP BY GROUPING SETS …),
 * _status AS (SELECT d.*, CASE WHEN i.missing_en IS NOT NULL THEN 'input_not_delivered'
 *                               WHEN NOT p.prior_ok THEN 'no_prior_month'
 *                               WHEN coalesce(d.denominator, 0) = 0 THEN 'denominator_zero'
 *                               WHEN coalesce(o.n, 0) < <count> OR d.value IS NULL OR isnan(d.value) THEN 'too_few_observations' END AS reason_code, …)
 * ```
 *
 * @example
 * const ctes = statusSql(metric, ctx); // ", _inputs AS (…), _status AS (…)"
 */
export function statusSql(m: MetricDefinition, ctx: StatusContext): string {
  const inputs = m.inputs.map((i) => resolveInput(i, `metrics/${m.id}`));
  const k = priorMonthsOf(m, activeRules().kpi);
  const mins = minObservationsOf(m);
  const ctes: string[] = [];
  ctes.push(`_inputs AS (
    SELECT m.as_of_month, string_agg(d.label_zh, '、' ORDER BY d.input) AS missing_zh, string_agg(d.label_en, ', ' ORDER BY d.input) AS missing_en
    FROM core.dim_months m JOIN ${INPUT_DELIVERIES_TABLE} d
      ON d.input IN (${inputs.map((i) => lit(i.input)).join(', ')}) AND (d.first_delivered IS NULL OR d.first_delivered > m.as_of_month)
    GROUP BY m.as_of_month)`);
  if (k > 0) {
    const prior = `CAST(last_day(as_of_month - INTERVAL '${k} month') AS DATE)`;
    ctes.push(`_prior AS (
      SELECT as_of_month, ${prior} AS prior_month, ${prior} IN (SELECT as_of_month FROM core.dim_months) AS prior_ok FROM core.dim_months)`);
  }
  const ye = m.needsPriorYearEnd === true;
  if (ye) {
    const prior = 'CAST(make_date(year(as_of_month) - 1, 12, 31) AS DATE)';
    ctes.push(`_prior_ye AS (
      SELECT as_of_month, ${prior} AS prior_month, ${prior} IN (SELECT as_of_month FROM core.dim_months) AS prior_ok FROM core.dim_months)`);
  }
  if (mins.length) {
    ctes.push(`_obs AS (
      SELECT as_of_month, ${ctx.dimSelect}, ${mins.map((o, i) => `CAST(${o.measure} AS DOUBLE PRECISION) AS n${i === 0 ? '' : i}`).join(', ')}
      FROM ${ctx.observationsFrom} AS src GROUP BY ${ctx.groupBy} ${ctx.having})`);
  }
  const denZh = denominatorZh(m);
  const denEn = denominatorEn(m);
  const ym = (col: string) => `strftime(${col}, '%Y-%m')`;
  const whens: { cond: string; code: NoDataReason; zh: string; en: string }[] = [
    {
      cond: 'i.missing_en IS NOT NULL',
      code: 'input_not_delivered',
      zh: `'输入数据截至本月从未交付：' || i.missing_zh`,
      en: `'Input never delivered up to this month: ' || i.missing_en`,
    },
  ];
  if (k > 0) {
    whens.push({
      cond: 'NOT coalesce(p.prior_ok, false)',
      code: 'no_prior_month',
      zh:
        k === 1
          ? `'无上月数据：' || ${ym('p.prior_month')} || ' 未加载（首个加载月份或缺月），本月变动无从得知'`
          : `'无对比月份：' || ${ym('p.prior_month')} || '（${k} 个月前）未加载，无从比较'`,
      en:
        k === 1
          ? `'No prior month: ' || ${ym('p.prior_month')} || ' was not loaded (the first month loaded, or a gap), so the movements of this month cannot be known'`
          : `'No prior month: ' || ${ym('p.prior_month')} || ' (${k} months earlier) was not loaded, so there is nothing to compare with'`,
    });
  }
  if (ye) {
    whens.push({
      cond: 'NOT coalesce(py.prior_ok, false)',
      code: 'no_prior_month',
      zh: `'无上年末数据：' || ${ym('py.prior_month')} || ' 未加载（首个加载年份或缺月），本年以来的变动无从得知'`,
      en: `'No prior year end: ' || ${ym('py.prior_month')} || ' was not loaded (the first year loaded, or a gap), so the movements of the year cannot be known'`,
    });
  }
  whens.push({
    cond: 'coalesce(d.denominator, 0) = 0',
    code: 'denominator_zero',
    zh: lit(denZh ? `分母为零：${denZh}为 0` : '分母为零：本月无样本'),
    en: lit(`Denominator is zero: ${denEn} = 0`),
  });
  mins.forEach((o, i) => {
    const col = `o.n${i === 0 ? '' : i}`;
    const n = `CAST(CAST(coalesce(${col}, 0) AS BIGINT) AS VARCHAR)`;
    whens.push({
      cond: `coalesce(${col}, 0) < ${o.count}`,
      code: 'too_few_observations',
      zh: `'样本不足：' || ${lit(o.textZh)} || ' ' || ${n} || '，最低 ${o.count}'`,
      en: `'Too few observations: ' || ${lit(o.textEn)} || ' ' || ${n} || ', minimum ${o.count}'`,
    });
  });
  whens.push({
    cond: 'd.value IS NULL OR isnan(d.value)',
    code: 'too_few_observations',
    zh: lit('样本不足：这些观测值无法计算该指标'),
    en: lit('Too few observations: the value is undefined for these observations'),
  });
  const caseOf = (pick: (w: (typeof whens)[number]) => string) => `CASE ${whens.map((w) => `WHEN ${w.cond} THEN ${pick(w)}`).join(' ')} END`;
  ctes.push(`_status AS (
    SELECT d.*, ${caseOf((w) => lit(w.code))} AS reason_code, ${caseOf((w) => w.zh)} AS reason_zh, ${caseOf((w) => w.en)} AS reason_en,
      ${mins.length ? 'CAST(coalesce(o.n, 0) AS DOUBLE PRECISION)' : 'CAST(NULL AS DOUBLE PRECISION)'} AS n
    FROM _dense d
    LEFT JOIN _inputs i ON i.as_of_month = d.as_of_month
    ${k > 0 ? 'LEFT JOIN _prior p ON p.as_of_month = d.as_of_month' : ''}
    ${ye ? 'LEFT JOIN _prior_ye py ON py.as_of_month = d.as_of_month' : ''}
    ${mins.length ? `LEFT JOIN _obs o ON o.as_of_month = d.as_of_month AND ${dimsMatch('o', 'd')}` : ''})`);
  return ctes.join(',\n');
}
