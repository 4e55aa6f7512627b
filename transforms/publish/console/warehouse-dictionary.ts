import { COLUMN_TYPES, ENTITIES, LINEAGE_COLUMN_DOCS, type EntityContract } from '../../ingest/contract/index.js';
import { openWarehouse } from '../../lib/duckdb.js';
import { OPS_TABLE_NAMES, OPS_TABLES, opsTableDdl, type OpsTable } from '../../lib/ops-tables.js';
import { ensureRawSchema } from '../../ingest/load/raw-schema.js';
import { buildWarehouse } from '../../kpi/build-warehouse.js';
import { CATALOG_COLUMNS, catalogEntry } from '../../kpi/catalog.js';
import { EXPLAIN_TABLE_DOCS } from '../../kpi/contributions.js';
import { DIMENSIONS } from '../../warehouse/dimensions.js';
import { discoverMetrics } from '../../kpi/discover-metrics.js';
import type { MetricDefinition } from '../../kpi/metric.js';
import { qualifiedName, type ModelDefinition } from '../../warehouse/model.js';
import { columnDocs } from '../../warehouse/column-docs.js';
import { discoverModels } from '../../warehouse/registry.js';
import { piiColumnsOf, type MaskKind } from '../../ingest/contract/pii-masking.js';

/** One column in the data dictionary. */
export interface DictionaryColumn {
  name: string;
  /** DuckDB type (only in {@link buildDictionary}; contract type for raw in {@link definitionDocs}). */
  type?: string;
  description: string;
  /** Personal data: how analysts see it. */
  masked?: MaskKind;
  /** The catalog allows NULL (`information_schema.columns.is_nullable`; only in {@link buildDictionary}). */
  nullable?: boolean;
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
        ...Object.entries(LINEAGE_COLUMN_DOCS).map(([name, description]) => ({ name, description })),
      ],
    };
  });
}

function modelDocs(models: readonly ModelDefinition[]): DictionaryTable[] {
  const docs = columnDocs(models);
  return models.map((m) => ({
    schema: m.layer,
    name: m.name,
    kind: m.materialized === 'view' ? 'view' : 'table',
    description: m.description,
    grain: m.grain,
    primaryKey: m.primaryKey,
    definedIn: `transforms/warehouse/${m.layer}/${m.name}.ts`,
    columns: [...docs.get(qualifiedName(m))!].map(([name, description]) => ({ name, description })),
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
        { name: 'value', description: m.formula.kind === 'ratio' ? 'numerator ÷ denominator; NULL when status is no_data (never 0); kept but never shown when too_few.' : `${e.formula_text} (unit: ${m.unit}); NULL when status is no_data; kept but never shown when too_few.` },
        { name: 'target', description: `Target in force for the row (${e.target_text}).` },
        { name: 'rag', description: 'green, amber, red, or none (no target, or status no_data / too_few); value and target rounded to the display precision first.' },
        { name: 'status', description: `measured, too_few (below the minimum sample: no colour, value not shown) or no_data (value NULL, RAG none). ${e.availability_en}` },
        { name: 'reason_code', description: 'Why no_data / too_few: input_not_delivered, no_prior_month, denominator_zero or too_few_observations (NULL when measured).' },
        { name: 'reason_zh', description: 'The reason in Chinese, naming the missing input, month or count.' },
        { name: 'reason_en', description: 'The reason in English.' },
        { name: 'n', description: e.sample_text_en ? `Sample size: ${e.sample_text_en} (${e.min_sample_en}).` : 'Sample size (NULL: the KPI has no minimum sample).' },
        { name: 'baseline', description: 'The measured value a year earlier a prior-year target starts from (NULL for other targets).' },
        { name: 'target_clamped', description: 'The derived target was clamped into the value range (a rate never targets below 0 %); NULL without a derived target.' },
        { name: 'target_text', description: 'The target of the row in words (Chinese and English; a prior-year target with its baseline, delta and bound).' },
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
    n: 'Sample size (as in metrics.kpi_<metric_id>; NULL without a minimum sample).',
    baseline: 'The measured value a year earlier a prior-year target starts from.',
    target_clamped: 'The derived target was clamped into the value range.',
    target_text: 'The target of the row in words.',
    status_word: 'Key of metrics.status_labels: green, amber, red, none (measured) or no_data, too_few.',
    status_label: 'The status in words from metrics.status_labels (达标 On target …).',
    prev_value: "The previous month's value when it was measured (else NULL: no month-on-month change).",
    prev_status_word: "The previous month's status_word (NULL: no such row).",
    status_change: 'better / worse (the colour rank green > amber > red moved with the value), target_moved (only the target moved it), NULL (no change, or a month without a colour).',
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
      name: 'status_labels',
      kind: 'table',
      description: 'The words of every KPI status, from STATUS_LABELS (transforms/kpi/rag.ts), the one home of the status words.',
      grain: 'one row per status word',
      primaryKey: ['status'],
      definedIn: 'transforms/kpi/catalog.ts',
      columns: toCols({
        status: 'green, amber, red, none, no_data or too_few.',
        label_zh: 'Chinese word (达标, 预警, 未达标, 无目标, 无数据, 样本不足).',
        label_en: 'English word (On target, Watch, Off target, No target, No data, Too few).',
        label: 'Chinese and English (达标 On target).',
        rank: 'green 3 > amber 2 > red 1; NULL for the rest (never a change of colour).',
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
    ...EXPLAIN_TABLE_DOCS,
    ...kpis,
  ];
}

/**
 * The documentation of every warehouse relation from its definition, without building
 * anything: raw from the extract contract, staging/core/marts from the model files, metrics
 * from the metric files, ops from their declarations (transforms/lib/ops-tables.ts). Keyed `schema.name`.
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
    ...OPS_TABLE_NAMES.map((name) => {
      const o: OpsTable = OPS_TABLES[name];
      return {
        schema: 'ops',
        name,
        kind: 'table' as const,
        description: `${o.description} Written by ${o.writtenBy}.`,
        grain: o.grain,
        primaryKey: o.primaryKey,
        definedIn: 'transforms/lib/ops-tables.ts',
        columns: o.columns.map((c) => ({ name: c.name, description: c.description })),
      };
    }),
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
    await wh.exec(opsTableDdl(...OPS_TABLE_NAMES));
    await buildWarehouse(wh, { runTests: false });
    const rows = await wh.all<{ table_schema: string; table_name: string; table_type: string; column_name: string; data_type: string; is_nullable: string }>(
      `SELECT c.table_schema, c.table_name, t.table_type, c.column_name, c.data_type, c.is_nullable
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
      t.columns.push({ name: r.column_name, type: r.data_type, description: dc?.description ?? '(undocumented)', nullable: r.is_nullable === 'YES' });
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
