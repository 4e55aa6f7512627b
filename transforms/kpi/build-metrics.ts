import { CqError } from '../lib/errors.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { defineModel, type DataTest, type ModelDefinition } from '../warehouse/model.js';
import { runDataTests, type DataTestResult } from '../warehouse/data-tests.js';
import { KPI_STATUSES, NO_DATA_REASONS, writeInputDeliveries } from './availability.js';
import { writeCatalog, writeKpiValues } from './catalog.js';
import { checkMetricSources, compileMetricSql } from './compile-metric.js';
import { KPI_SUMMARY_TABLES, writeKpiContributions } from './contributions.js';
import { writeKpiCommentary } from './commentary.js';
import { DIMENSIONS } from '../warehouse/dimensions.js';
import { valueRangeOf, type MetricDefinition } from './metric.js';
import { STATUS_LABELS } from './rag.js';

/** Result of {@link buildMetrics}. */
export interface BuildMetricsResult {
  built: { table: string; seconds: number; rows: number }[];
  tests: DataTestResult[];
}

/**
 * Builds every KPI table `metrics.kpi_<id>` from its metric definition, then
 * `metrics.metric_catalog` and `metrics.kpi_values`, drops `kpi_*` tables of metrics that no
 * longer exist, and runs the KPI data tests (grain unique, one dimension per row, RAG values,
 * availability: measured rows have a value, no_data rows a NULL value, RAG 'none' and a reason;
 * value = numerator ÷ denominator for measured ratios). Reads only marts/core (and the load
 * records, for `metrics.input_deliveries`, written first), which must be built.
 *
 * @example
 * await buildMetrics(wh, await discoverMetrics());
 */
export async function buildMetrics(
  wh: WarehouseHandle,
  metrics: readonly MetricDefinition[],
  options: { runTests?: boolean; onMetric?: (table: string, seconds: number) => void } = {},
): Promise<BuildMetricsResult> {
  await wh.exec('CREATE SCHEMA IF NOT EXISTS metrics');
  const built: BuildMetricsResult['built'] = [];
  // What was delivered, per input any KPI declares: the KPI tables read it for their availability.
  const t0 = performance.now();
  await writeInputDeliveries(wh, metrics);
  built.push({ table: 'metrics.input_deliveries', seconds: (performance.now() - t0) / 1000, rows: new Set(metrics.flatMap((m) => m.inputs)).size });
  options.onMetric?.('metrics.input_deliveries', (performance.now() - t0) / 1000);
  for (const m of metrics) {
    const started = performance.now();
    const table = `metrics.kpi_${m.id}`;
    const columns = await checkMetricSources(wh, m);
    const select = compileMetricSql(m, wh.db, columns);
    try {
      await wh.exec(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} AS ${select}`);
    } catch (e) {
      throw new CqError('METRIC_INVALID', `building ${table} (metrics/${m.id.replaceAll('_', '-')}.ts) failed: ${(e as Error).message}`, {}, { cause: e });
    }
    const [count] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${table}`);
    const seconds = (performance.now() - started) / 1000;
    built.push({ table, seconds, rows: count?.n ?? 0 });
    options.onMetric?.(table, seconds);
  }
  const wanted = new Set(metrics.map((m) => `kpi_${m.id}`));
  const stale = await wh.all<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'metrics' AND table_name LIKE 'kpi\\_%' ESCAPE '\\' AND table_name NOT IN (${KPI_SUMMARY_TABLES.map((t) => `'${t}'`).join(', ')})`,
  );
  for (const s of stale) if (!wanted.has(s.table_name)) await wh.exec(`DROP TABLE metrics.${s.table_name}`);

  let started = performance.now();
  await writeCatalog(wh, metrics);
  built.push({ table: 'metrics.metric_catalog', seconds: (performance.now() - started) / 1000, rows: metrics.length });
  options.onMetric?.('metrics.metric_catalog', (performance.now() - started) / 1000);
  started = performance.now();
  await writeKpiValues(wh, metrics);
  const [n] = await wh.all<{ n: number }>('SELECT count(*)::INTEGER AS n FROM metrics.kpi_values');
  built.push({ table: 'metrics.kpi_values', seconds: (performance.now() - started) / 1000, rows: n?.n ?? 0 });
  options.onMetric?.('metrics.kpi_values', (performance.now() - started) / 1000);
  await writeKpiContributions(wh, metrics); // metrics.kpi_contributions (why each ratio KPI moved)
  await writeKpiCommentary(wh, metrics); // metrics.kpi_commentary (templated sentences)

  const tests = options.runTests === false ? [] : await runDataTests(wh, kpiTestModels(metrics));
  return { built, tests };
}

/** Pseudo-models that carry the data tests of the KPI tables (they are not built by buildModels). */
export function kpiTestModels(metrics: readonly MetricDefinition[]): ModelDefinition[] {
  const oneDim = `(${DIMENSIONS.map((d) => `(${d} IS NOT NULL)::INTEGER`).join(' + ')}) <= 1`;
  const models = metrics.map((m) => {
    const tests: DataTest[] = [
      { kind: 'unique', columns: ['as_of_month', ...DIMENSIONS] },
      { kind: 'not_null', columns: ['as_of_month', 'rag', 'status'] },
      { kind: 'accepted_values', column: 'rag', values: ['green', 'amber', 'red', 'none'] },
      { kind: 'accepted_values', column: 'status', values: [...KPI_STATUSES] },
      { kind: 'accepted_values', column: 'reason_code', values: [...NO_DATA_REASONS] },
      {
        kind: 'expression',
        name: 'no_data_has_no_value_and_no_colour',
        sql: `CASE WHEN status = 'no_data' THEN value IS NULL AND rag = 'none' AND reason_code IS NOT NULL AND reason_zh IS NOT NULL AND reason_en IS NOT NULL
                   WHEN status = 'too_few' THEN rag = 'none' AND reason_code = 'too_few_observations' AND reason_zh IS NOT NULL AND reason_en IS NOT NULL
                   ELSE value IS NOT NULL AND NOT isnan(value) AND reason_code IS NULL END`,
      },
      {
        kind: 'expression',
        name: 'derived_target_within_value_range',
        sql: [
          valueRangeOf(m).min === null ? null : `target IS NULL OR target >= ${valueRangeOf(m).min}`,
          valueRangeOf(m).max === null ? null : `target IS NULL OR target <= ${valueRangeOf(m).max}`,
        ].filter(Boolean).map((c) => `(${c})`).join(' AND ') || 'true',
      },
      { kind: 'expression', name: 'at_most_one_dimension', sql: oneDim },
      {
        kind: 'expression',
        name: 'only_allowed_dimensions',
        sql: DIMENSIONS.filter((d) => !m.dimensions.includes(d)).map((d) => `${d} IS NULL`).join(' AND ') || 'true',
      },
    ];
    if (m.formula.kind === 'ratio') {
      tests.push({
        kind: 'expression',
        name: 'value_is_numerator_over_denominator',
        sql: "CASE WHEN status = 'no_data' OR value IS NULL THEN value IS NULL ELSE denominator <> 0 AND abs(value - numerator / denominator) <= 1e-12 * greatest(1, abs(value)) END",
      });
    }
    return defineModel({
      name: `kpi_${m.id}`,
      layer: 'metrics',
      grain: 'one row per month end × slice',
      primaryKey: [],
      description: m.description,
      columns: {},
      tests,
      query: () => {
        throw new Error('KPI tables are built by buildMetrics');
      },
    });
  });
  models.push(
    defineModel({
      name: 'kpi_values',
      layer: 'metrics',
      grain: 'one row per metric × month end × slice value',
      primaryKey: ['metric_id', 'as_of_month', 'slice', 'slice_value'],
      description: 'Long union of all KPI tables (report site input).',
      columns: {},
      tests: [
        { kind: 'accepted_values', column: 'slice', values: ['all', 'branch', 'product', 'customer_type', 'grade'] },
        { kind: 'accepted_values', column: 'rag', values: ['green', 'amber', 'red', 'none'] },
        { kind: 'accepted_values', column: 'status', values: [...KPI_STATUSES] },
        { kind: 'expression', name: 'no_data_has_no_value_and_no_colour', sql: "status = 'measured' OR (rag = 'none' AND reason_code IS NOT NULL AND (status = 'too_few' OR value IS NULL))" },
        { kind: 'accepted_values', column: 'status_word', values: Object.keys(STATUS_LABELS) },
        { kind: 'accepted_values', column: 'status_change', values: ['better', 'worse', 'target_moved'] },
        { kind: 'expression', name: 'no_change_from_a_month_without_value', sql: "prev_value IS NULL OR prev_status_word IN ('green', 'amber', 'red', 'none')" },
        { kind: 'relationships', column: 'metric_id', to: 'metrics.metric_catalog', field: 'metric_id' },
        {
          kind: 'query',
          name: 'every_metric_has_rows',
          sql: `SELECT metric_id FROM metrics.metric_catalog WHERE metric_id NOT IN (SELECT metric_id FROM metrics.kpi_values)
                AND (SELECT count(*) FROM core.dim_months) > 0`,
        },
      ],
      query: () => {
        throw new Error('built by buildMetrics');
      },
    }),
  );
  return models;
}
