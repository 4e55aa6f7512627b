import { COLUMN_TYPES, ENTITIES, type EntityContract } from '../../ingest/contract/index.js';
import { openWarehouse } from '../../lib/duckdb.js';
import { ensureRawSchema } from '../../ingest/load/raw-schema.js';
import { MAPPING_RECORDS_DDL } from '../../ingest/mapping/mapping-records.js';
import { buildWarehouse } from '../../kpi/build-warehouse.js';
import { CATALOG_COLUMNS, catalogEntry } from '../../kpi/catalog.js';
import { DIMENSIONS } from '../../warehouse/dimensions.js';
import { discoverMetrics } from '../../kpi/discover-metrics.js';
import type { MetricDefinition } from '../../kpi/metric.js';
import { runDataTests } from '../../warehouse/data-tests.js';
import type { ModelDefinition } from '../../warehouse/model.js';
import { discoverModels } from '../../warehouse/registry.js';
import { recordRunsInWarehouse } from '../../operations/record-runs.js';
import { piiColumnsOf, type MaskKind } from '../../ingest/contract/pii-masking.js';

/** One column in the data dictionary. */
export interface DictionaryColumn {
  name: string;
  /** DuckDB type (only in {@link buildDictionary}; contract type for raw in {@link definitionDocs}). */
  type?: string;
  description: string;
  /** Personal data: how analysts see it. */
  masked?: MaskKind;
}

/** One table or view in the data dictionary. */
export interface DictionaryTable {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  description: string;
  grain: string;
  primaryKey: readonly string[];
  /** Where it is defined, e.g. `transforms/warehouse/core/dim_loans.ts`. */
  definedIn: string;
  columns: DictionaryColumn[];
}

/** Schemas in documentation order. */
export const SCHEMA_ORDER = ['raw', 'staging', 'core', 'marts', 'metrics', 'ops'] as const;

const LINEAGE_DOCS: Record<string, string> = {
  _business_date: 'Business date of the extract that delivered the row.',
  _source_file: 'Extract file the row came from.',
  _source_line: 'Line in the extract file (1 = header).',
  _load_id: 'Load that wrote the row (see ops.load_audit).',
};

function rawGrain(e: EntityContract): { grain: string; pk: string[] } {
  const key = e.primaryKey.join(', ');
  if (e.history === 'events') return { grain: `one row per ${key} (events; unique across business dates)`, pk: [...e.primaryKey] };
  if (e.history === 'snapshot') return { grain: `one row per ${key} per business date (each date's file is the full list)`, pk: [...e.primaryKey, '_business_date'] };
  return { grain: `one row per ${key} version (per business date that carried a new or changed record)`, pk: [...e.primaryKey, '_business_date'] };
}

function rawDocs(): DictionaryTable[] {
  return ENTITIES.map((e: EntityContract) => {
    const { grain, pk } = rawGrain(e);
    return {
      schema: 'raw',
      name: e.name,
      kind: 'table',
      description: `${e.description} Validated rows of \`${e.name}\` extract files (see docs/extracts.md); history: ${e.history}.`,
      grain,
      primaryKey: pk,
      definedIn: `transforms/ingest/contract/entities/${e.name.replaceAll('_', '-')}.ts`,
      columns: [
        ...e.columns.map((c) => ({ name: c.name, type: COLUMN_TYPES[c.type], description: c.description })),
        ...Object.entries(LINEAGE_DOCS).map(([name, description]) => ({ name, description })),
      ],
    };
  });
}

function modelDocs(models: readonly ModelDefinition[]): DictionaryTable[] {
  return models.map((m) => ({
    schema: m.layer,
    name: m.name,
    kind: m.materialized === 'view' ? 'view' : 'table',
    description: m.description,
    grain: m.grain,
    primaryKey: m.primaryKey,
    definedIn: `transforms/warehouse/${m.layer}/${m.name}.ts`,
    columns: Object.entries(m.columns).map(([name, description]) => ({ name, description })),
  }));
}

const DIMENSION_DOCS: Record<string, string> = {
  branch_id: 'Branch of the slice; NULL when the row is not sliced by branch.',
  product_id: 'Product of the slice; NULL when not sliced by product.',
  customer_type: 'Customer type of the slice; NULL when not sliced by customer type.',
  grade: "Customer grade of the slice ('ungraded' for none); NULL when not sliced by grade.",
};

function metricDocs(metrics: readonly MetricDefinition[]): DictionaryTable[] {
  const kpis: DictionaryTable[] = metrics.map((m) => {
    const e = catalogEntry(m);
    return {
      schema: 'metrics',
      name: `kpi_${m.id}`,
      kind: 'table',
      description: `${m.nameZh} — ${m.nameEn}. ${m.description} Formula: ${e.formula_text}. Target: ${e.target_text} (${e.tolerance_text}). Source: ${m.policySource}. Sliceable by: ${m.dimensions.join(', ') || 'none'}.`,
      grain: 'one row per month end × slice (the whole book, or one value of one dimension)',
      primaryKey: ['as_of_month', ...DIMENSIONS],
      definedIn: `metrics/${m.id.replaceAll('_', '-')}.ts`,
      columns: [
        { name: 'as_of_month', description: 'Month end.' },
        ...DIMENSIONS.map((d) => ({ name: d, description: DIMENSION_DOCS[d]! })),
        { name: 'numerator', description: m.formula.kind === 'aggregate' ? 'NULL (aggregate KPI: see value).' : `${e.numerator_text}.` },
        { name: 'denominator', description: `${e.denominator_text}.` },
        { name: 'value', description: m.formula.kind === 'ratio' ? 'numerator ÷ denominator; NULL when status is no_data (never 0).' : `${e.formula_text} (unit: ${m.unit}); NULL when status is no_data.` },
        { name: 'target', description: `Target in force for the row (${e.target_text}).` },
        { name: 'rag', description: 'green, amber, red, or none (no target, or status no_data).' },
        { name: 'status', description: `measured, or no_data (value NULL, RAG none). ${e.availability_en}` },
        { name: 'reason_code', description: 'Why no_data: input_not_delivered, no_prior_month, denominator_zero or too_few_observations (NULL when measured).' },
        { name: 'reason_zh', description: 'The reason in Chinese, naming the missing input, month or count.' },
        { name: 'reason_en', description: 'The reason in English.' },
      ],
    };
  });
  const catalogCols: Record<string, string> = Object.fromEntries(Object.entries(CATALOG_COLUMNS).map(([name, c]) => [name, c.description]));
  const valuesCols: Record<string, string> = {
    metric_id: 'KPI id (see metrics.metric_catalog).',
    as_of_month: 'Month end.',
    slice: "'all', 'branch', 'product', 'customer_type' or 'grade'.",
    slice_value: "'ALL' for the whole book, else the dimension value.",
    numerator: 'As in metrics.kpi_<metric_id>.',
    denominator: 'As in metrics.kpi_<metric_id>.',
    value: 'KPI value.',
    target: 'Target in force.',
    rag: 'green, amber, red or none.',
    status: 'measured or no_data (as in metrics.kpi_<metric_id>).',
    reason_code: 'Why no_data (NULL when measured).',
    reason_zh: 'The reason in Chinese.',
    reason_en: 'The reason in English.',
    slice_label: 'Display name of the slice (branch / product name, 全部 for the whole book).',
  };
  const toCols = (o: Record<string, string>) => Object.entries(o).map(([name, description]) => ({ name, description }));
  return [
    {
      schema: 'metrics',
      name: 'metric_catalog',
      kind: 'table',
      description: 'One row per KPI: names, formula, unit, target and RAG rule in words, from the metric definitions in metrics/*.ts.',
      grain: 'one row per KPI',
      primaryKey: ['metric_id'],
      definedIn: 'transforms/kpi/catalog.ts',
      columns: toCols(catalogCols),
    },
    {
      schema: 'metrics',
      name: 'input_deliveries',
      kind: 'table',
      description:
        'One row per extract input any KPI declares (metrics/*.ts inputs) with the first business date it was delivered, from the load records: an entity file in ops.load_audit (0 rows counts as delivered) not recorded entity_absent by a mapping; a column not a mapping default for the whole column (ops.mapping_defaults) and, when optional, with a non-empty value in raw. A KPI month is no_data input_not_delivered while an input has first_delivered NULL or after the month end.',
      grain: 'one row per declared input',
      primaryKey: ['input'],
      definedIn: 'transforms/kpi/availability.ts',
      columns: toCols({
        input: "As declared: an entity ('warnings') or entity.column ('customers.grade').",
        entity: 'Extract entity.',
        column_name: 'Column (NULL for an entity input).',
        label_zh: 'Display name in Chinese (reason texts).',
        label_en: 'Display name in English.',
        first_delivered: 'First business date the input was delivered; NULL: never.',
      }),
    },
    {
      schema: 'metrics',
      name: 'kpi_values',
      kind: 'table',
      description: 'Long union of every metrics.kpi_<id> table with slice / slice_value instead of dimension columns: what the report site reads.',
      grain: 'one row per KPI × month end × slice value',
      primaryKey: ['metric_id', 'as_of_month', 'slice', 'slice_value'],
      definedIn: 'transforms/kpi/catalog.ts',
      columns: toCols(valuesCols),
    },
    ...kpis,
  ];
}

const OPS_DOCS: { name: string; description: string; grain: string; primaryKey: string[]; definedIn: string; columns: Record<string, string> }[] = [
  {
    name: 'load_audit',
    description: 'One row per extract file loaded: checksum, size, encoding, format, mapping and the row counts (rows_read = rows_loaded + rows_rejected always holds).',
    grain: 'one row per business date × entity',
    primaryKey: ['business_date', 'entity'],
    definedIn: 'transforms/ingest/load/raw-schema.ts',
    columns: {
      load_id: 'Load run id.',
      business_date: 'Business date of the extract.',
      entity: 'Extract entity (file kind).',
      path: 'File path as loaded.',
      sha256: 'SHA-256 of the file.',
      bytes: 'File size in bytes.',
      encoding: 'utf-8 or gb18030.',
      format: 'csv or parquet.',
      mapping: 'Source mapping applied, if any.',
      extra_columns: 'Columns in the file that the contract does not know (ignored).',
      rows_read: 'Data rows read.',
      rows_loaded: 'Rows that passed validation.',
      rows_rejected: 'Rows rejected (see ops.rejected_rows).',
      started_at: 'Load start.',
      finished_at: 'Load end.',
    },
  },
  {
    name: 'rejected_rows',
    description: 'Every rejected extract row with file, line, column, reason code and message, and the raw record. For entities with personal data, raw_record (and values quoted in reasons about personal-data columns) are masked for analysts.',
    grain: 'one row per rejected line',
    primaryKey: ['business_date', 'entity', 'line'],
    definedIn: 'transforms/ingest/load/raw-schema.ts',
    columns: {
      load_id: 'Load run id.',
      business_date: 'Business date of the extract.',
      entity: 'Extract entity.',
      path: 'File path.',
      line: 'Line in the file (1 = header).',
      column_name: 'Column that failed (NULL for row-level reasons).',
      reason_code: 'Reason code (see docs/extracts.md).',
      reason: 'Message naming file, line, column and the problem.',
      raw_record: 'The rejected record as read.',
    },
  },
  {
    name: 'data_test_results',
    description: 'Result of every data test of the last build (models and KPI tables).',
    grain: 'one row per model × test',
    primaryKey: ['model', 'test'],
    definedIn: 'transforms/warehouse/data-tests.ts',
    columns: {
      model: 'Table tested (schema.name).',
      test: 'Test name.',
      severity: 'error or warn.',
      failures: 'Failing rows.',
      status: 'pass, warn or fail.',
      sql: 'The query that returns the failing rows.',
      tested_at: 'When the test ran.',
    },
  },
  {
    name: 'model_builds',
    description:
      'How each model was last built: in full, or month-incremental (only months >= since rebuilt, for models that declare it). A changed definition (query, rules) forces a full rebuild of that model.',
    grain: 'one row per model',
    primaryKey: ['model'],
    definedIn: 'transforms/warehouse/build-models.ts',
    columns: {
      model: 'Table or view (schema.name).',
      definition_sha256: 'SHA-256 of the compiled full-build SQL and its parameters.',
      mode: 'full or incremental.',
      since: 'First month end rebuilt (incremental builds; NULL for full).',
      built_at: 'When it was built.',
    },
  },
  {
    name: 'policy_files',
    description:
      'The lender policy files the models of this warehouse were built from (policy/*.yaml or the operator\'s policyDir): path, SHA-256, the text itself and the rules in force, so the rule grades and floors of any month can be reproduced. Replaced by each build; a changed policy rebuilds the models that use it in full.',
    grain: 'one row per policy (customer-grading, classification-floor)',
    primaryKey: ['policy'],
    definedIn: 'transforms/policy/record-policy.ts',
    columns: {
      policy: 'customer-grading or classification-floor.',
      file: 'File read: relative to the project when inside it (policy/customer-grading.yaml), else absolute.',
      sha256: 'SHA-256 of the file.',
      bytes: 'File size in bytes.',
      content: 'The file as read (YAML text).',
      rules_json: 'The rules in force, as JSON (the typed form GradingRules / FloorRules).',
      overridden: 'The build replaced part of the file by buildWarehouse rules overrides (rules_json says what was used).',
      built_at: 'When the build recorded it.',
    },
  },
  {
    name: 'runs',
    description: 'Nightly runs from the run ledger, copied into each published warehouse.',
    grain: 'one row per run',
    primaryKey: ['run_id'],
    definedIn: 'transforms/operations/record-runs.ts',
    columns: {
      run_id: 'Run id.',
      mode: 'incremental or full.',
      business_dates: 'Business dates loaded, comma-separated.',
      pid: 'Process id.',
      started_at: 'Start.',
      finished_at: 'End.',
      status: 'succeeded or failed.',
      failed_step: 'Step that failed.',
      error: 'Error message.',
      extract_checksums: 'JSON object date/entity → SHA-256 of the extracts loaded.',
    },
  },
  {
    name: 'run_steps',
    description: 'Steps of each nightly run with their timing.',
    grain: 'one row per run × step',
    primaryKey: ['run_id', 'step_no'],
    definedIn: 'transforms/operations/record-runs.ts',
    columns: {
      run_id: 'Run id.',
      step_no: 'Step number.',
      step: 'Step name.',
      started_at: 'Start.',
      finished_at: 'End.',
      status: 'Step outcome.',
      seconds: 'Duration.',
      rows: 'Rows produced, when meaningful.',
      detail: 'Detail message.',
    },
  },
  {
    name: 'mapping_defaults',
    description: 'Every value a source mapping supplied because the source lacks it, with how many loaded rows carry it.',
    grain: 'one row per business date × mapping × entity × column × kind',
    primaryKey: ['business_date', 'mapping', 'entity', 'column_name', 'kind'],
    definedIn: 'transforms/ingest/mapping/mapping-records.ts',
    columns: {
      load_id: 'Load run id.',
      business_date: 'Business date.',
      mapping: 'Mapping name.',
      mapping_file: 'Mapping file.',
      entity: 'Entity.',
      column_name: 'Contract column defaulted (NULL: the whole entity).',
      kind: 'missing_in_source, empty_in_source or entity_absent.',
      default_value: 'Value supplied.',
      rows_defaulted: 'Loaded rows that carry it.',
      note: "The mapping's note.",
    },
  },
  {
    name: 'mapping_source_values',
    description: 'Source columns a mapping retains verbatim, per source line. Masked for analysts for entities with personal data.',
    grain: 'one row per source line × retained column',
    primaryKey: ['business_date', 'entity', 'source_file', 'source_line', 'name'],
    definedIn: 'transforms/ingest/mapping/mapping-records.ts',
    columns: {
      load_id: 'Load run id.',
      business_date: 'Business date.',
      mapping: 'Mapping name.',
      entity: 'Entity.',
      source_file: 'Source file.',
      source_line: 'Line in the source file.',
      name: 'Name the mapping gives the retained value.',
      source_column: 'Source column.',
      value: 'The value as delivered.',
    },
  },
];

/**
 * The documentation of every warehouse relation from its definition, without building
 * anything: raw from the extract contract, staging/core/marts from the model files, metrics
 * from the metric files, ops from the loader / nightly DDL. Keyed `schema.name`.
 * Used by the console's `.schema`.
 *
 * @example
 * (await definitionDocs()).get('core.dim_loans')?.grain;
 */
export async function definitionDocs(): Promise<Map<string, DictionaryTable>> {
  const tables: DictionaryTable[] = [
    ...rawDocs(),
    ...modelDocs(await discoverModels()),
    ...metricDocs(await discoverMetrics()),
    ...OPS_DOCS.map((o) => ({
      schema: 'ops',
      name: o.name,
      kind: 'table' as const,
      description: o.description,
      grain: o.grain,
      primaryKey: o.primaryKey,
      definedIn: o.definedIn,
      columns: Object.entries(o.columns).map(([name, description]) => ({ name, description })),
    })),
  ];
  for (const t of tables) {
    const pii = piiColumnsOf(t.schema, t.name, t.columns.map((c) => c.name));
    for (const c of t.columns) {
      const k = pii.get(c.name);
      if (k) c.masked = k;
    }
  }
  return new Map(tables.map((t) => [`${t.schema}.${t.name}`, t]));
}

/**
 * The full data dictionary, deterministic and from definitions only: builds an EMPTY
 * warehouse in memory from the contract, the models and the metrics (the same code the
 * nightly build runs, on no data), reads every column's DuckDB type from it, and merges the
 * documentation of {@link definitionDocs}. Columns are in table order; a column the
 * definition does not document is listed with "(undocumented)".
 *
 * @example
 * const tables = await buildDictionary(); // render with transforms/publish/docs/warehouse-docs.ts
 */
export async function buildDictionary(): Promise<DictionaryTable[]> {
  const docs = await definitionDocs();
  const wh = await openWarehouse(':memory:');
  try {
    await ensureRawSchema(wh);
    await wh.exec(MAPPING_RECORDS_DDL);
    await recordRunsInWarehouse(wh, [], '');
    await runDataTests(wh, []);
    await buildWarehouse(wh, { runTests: false });
    const rows = await wh.all<{ table_schema: string; table_name: string; table_type: string; column_name: string; data_type: string }>(
      `SELECT c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type
       FROM information_schema.columns c JOIN information_schema.tables t USING (table_catalog, table_schema, table_name)
       WHERE c.table_schema IN (${SCHEMA_ORDER.map((s) => `'${s}'`).join(', ')})
       ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
    );
    const byTable = new Map<string, DictionaryTable>();
    for (const r of rows) {
      const key = `${r.table_schema}.${r.table_name}`;
      let t = byTable.get(key);
      if (!t) {
        const doc = docs.get(key);
        t = {
          schema: r.table_schema,
          name: r.table_name,
          kind: r.table_type === 'VIEW' ? 'view' : 'table',
          description: doc?.description ?? '(undocumented)',
          grain: doc?.grain ?? '',
          primaryKey: doc?.primaryKey ?? [],
          definedIn: doc?.definedIn ?? '',
          columns: [],
        };
        byTable.set(key, t);
      }
      const dc = docs.get(key)?.columns.find((c) => c.name === r.column_name);
      t.columns.push({ name: r.column_name, type: r.data_type, description: dc?.description ?? '(undocumented)' });
    }
    for (const t of byTable.values()) {
      const pii = piiColumnsOf(t.schema, t.name, t.columns.map((c) => c.name));
      for (const c of t.columns) {
        const k = pii.get(c.name);
        if (k) c.masked = k;
      }
    }
    const order = (s: string) => SCHEMA_ORDER.indexOf(s as (typeof SCHEMA_ORDER)[number]);
    return [...byTable.values()].sort((a, b) => order(a.schema) - order(b.schema) || a.name.localeCompare(b.name));
  } finally {
    await wh.close();
  }
}
