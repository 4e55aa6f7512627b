/**
 * Every table of the `ops` schema, declared once: columns with their DuckDB type, nullability
 * and description, the documented key, and how its writer creates it. The writers (loader,
 * mapping, policy, model build, data tests, nightly) create their tables with
 * {@link opsTableDdl}; the data dictionary (docs/warehouse.md, the console's `.schema`) documents
 * them from {@link OPS_TABLES}; the warehouse TypeScript types are generated from the tables
 * this DDL creates. Adding an ops column = one line here (then regenerate the docs and types:
 * `npm run docs`).
 */

/** One column of an ops table. */
export interface OpsColumn {
  readonly name: string;
  /** DuckDB type, e.g. `VARCHAR`, `BIGINT`, `TIMESTAMP`. */
  readonly type: string;
  /** `NOT NULL` in the DDL. Default false. */
  readonly notNull?: true;
  readonly description: string;
}

/** One table of the `ops` schema. */
export interface OpsTable {
  readonly description: string;
  readonly grain: string;
  /** The key the rows are unique by (documented; enforced only when {@link enforceKey}). */
  readonly primaryKey: readonly string[];
  /** The DDL declares `PRIMARY KEY (…)` (inserts of a repeated key fail). */
  readonly enforceKey?: true;
  /**
   * `keep`: `CREATE TABLE IF NOT EXISTS` (rows accumulate across loads and builds);
   * `replace`: `CREATE OR REPLACE TABLE` (each write starts from an empty table).
   */
  readonly create: 'keep' | 'replace';
  /** The module that writes it. */
  readonly writtenBy: string;
  readonly columns: readonly OpsColumn[];
}

const col = (name: string, type: string, description: string, notNull?: 'not null'): OpsColumn =>
  notNull ? { name, type, notNull: true, description } : { name, type, description };

/** Every ops table by name (`ops.<name>`). */
export const OPS_TABLES = {
  load_audit: {
    description:
      'One row per extract file loaded: checksum, size, encoding, format, mapping and the row counts (rows_read = rows_loaded + rows_rejected always holds).',
    grain: 'one row per business date × entity',
    primaryKey: ['business_date', 'entity'],
    enforceKey: true,
    create: 'keep',
    writtenBy: 'transforms/ingest/load/raw-schema.ts',
    columns: [
      col('load_id', 'VARCHAR', 'Load run id.', 'not null'),
      col('business_date', 'DATE', 'Business date of the extract.', 'not null'),
      col('entity', 'VARCHAR', 'Extract entity (file kind).', 'not null'),
      col('path', 'VARCHAR', 'File path as loaded.', 'not null'),
      col('sha256', 'VARCHAR', 'SHA-256 of the file.', 'not null'),
      col('bytes', 'BIGINT', 'File size in bytes.', 'not null'),
      col('encoding', 'VARCHAR', 'utf-8 or gb18030.', 'not null'),
      col('format', 'VARCHAR', 'csv or parquet.', 'not null'),
      col('mapping', 'VARCHAR', 'Source mapping applied, if any.'),
      col('extra_columns', 'VARCHAR', 'Columns in the file that the contract does not know (ignored).'),
      col('rows_read', 'BIGINT', 'Data rows read.', 'not null'),
      col('rows_loaded', 'BIGINT', 'Rows that passed validation.', 'not null'),
      col('rows_rejected', 'BIGINT', 'Rows rejected (see ops.rejected_rows).', 'not null'),
      col('started_at', 'TIMESTAMP', 'Load start.', 'not null'),
      col('finished_at', 'TIMESTAMP', 'Load end.', 'not null'),
    ],
  },
  rejected_rows: {
    description:
      'Every rejected extract row with file, line, column, reason code and message, and the raw record. For entities with personal data, raw_record (and values quoted in reasons about personal-data columns) are masked for analysts.',
    grain: 'one row per rejected line',
    primaryKey: ['business_date', 'entity', 'line'],
    create: 'keep',
    writtenBy: 'transforms/ingest/load/raw-schema.ts',
    columns: [
      col('load_id', 'VARCHAR', 'Load run id.', 'not null'),
      col('business_date', 'DATE', 'Business date of the extract.', 'not null'),
      col('entity', 'VARCHAR', 'Extract entity.', 'not null'),
      col('path', 'VARCHAR', 'File path.', 'not null'),
      col('line', 'BIGINT', 'Line in the file (1 = header).', 'not null'),
      col('column_name', 'VARCHAR', 'Column that failed (NULL for row-level reasons).'),
      col('reason_code', 'VARCHAR', 'Reason code (see docs/extracts.md).', 'not null'),
      col('reason', 'VARCHAR', 'Message naming file, line, column and the problem.', 'not null'),
      col('raw_record', 'VARCHAR', 'The rejected record as read.'),
    ],
  },
  data_test_results: {
    description: 'Result of every data test of the last build (models and KPI tables).',
    grain: 'one row per model × test',
    primaryKey: ['model', 'test'],
    create: 'keep',
    writtenBy: 'transforms/warehouse/data-tests.ts',
    columns: [
      col('model', 'VARCHAR', 'Table tested (schema.name).'),
      col('test', 'VARCHAR', 'Test name.'),
      col('severity', 'VARCHAR', 'error or warn.'),
      col('failures', 'INTEGER', 'Failing rows.'),
      col('status', 'VARCHAR', 'pass, warn or fail.'),
      col('sql', 'VARCHAR', 'The query that returns the failing rows.'),
      col('tested_at', 'TIMESTAMP', 'When the test ran.'),
    ],
  },
  model_builds: {
    description:
      'How each model was last built: in full, or month-incremental (only months >= since rebuilt, for models that declare it). A changed definition (query, rules) forces a full rebuild of that model.',
    grain: 'one row per model',
    primaryKey: ['model'],
    enforceKey: true,
    create: 'keep',
    writtenBy: 'transforms/warehouse/build-models.ts',
    columns: [
      col('model', 'VARCHAR', 'Table or view (schema.name).'),
      col('definition_sha256', 'VARCHAR', 'SHA-256 of the compiled full-build SQL and its parameters.', 'not null'),
      col('mode', 'VARCHAR', 'full or incremental.', 'not null'),
      col('since', 'DATE', 'First month end rebuilt (incremental builds; NULL for full).'),
      col('built_at', 'TIMESTAMP', 'When it was built.', 'not null'),
    ],
  },
  policy_files: {
    description:
      "The lender policy files the models of this warehouse were built from (policy/*.yaml or the operator's policyDir): path, SHA-256, the text itself and the rules in force, so the rule grades and floors of any month can be reproduced. Replaced by each build; a changed policy rebuilds the models that use it in full.",
    grain: 'one row per policy file (customer-grading, classification-floor, kpi-rules, and kpi-targets when the policy folder has it)',
    primaryKey: ['policy'],
    enforceKey: true,
    create: 'replace',
    writtenBy: 'transforms/policy/record-policy.ts',
    columns: [
      col('policy', 'VARCHAR', 'customer-grading, classification-floor, kpi-rules or kpi-targets.'),
      col('file', 'VARCHAR', 'File read: relative to the project when inside it (policy/customer-grading.yaml), else absolute.', 'not null'),
      col('sha256', 'VARCHAR', 'SHA-256 of the file.', 'not null'),
      col('bytes', 'INTEGER', 'File size in bytes.', 'not null'),
      col('content', 'VARCHAR', 'The file as read (YAML text).', 'not null'),
      col('rules_json', 'VARCHAR', 'The rules in force, as JSON (the typed form GradingRules / FloorRules / KpiRules; for kpi-targets the target overrides by metric id, {} for none).', 'not null'),
      col('overridden', 'BOOLEAN', 'The build replaced part of the file by buildWarehouse rules overrides (rules_json says what was used).', 'not null'),
      col('built_at', 'TIMESTAMP', 'When the build recorded it.', 'not null'),
    ],
  },
  runs: {
    description: 'Nightly runs from the run ledger, copied into each published warehouse.',
    grain: 'one row per run',
    primaryKey: ['run_id'],
    enforceKey: true,
    create: 'replace',
    writtenBy: 'transforms/operations/record-runs.ts',
    columns: [
      col('run_id', 'VARCHAR', 'Run id.'),
      col('mode', 'VARCHAR', 'incremental or full.'),
      col('business_dates', 'VARCHAR', 'Business dates loaded, comma-separated.'),
      col('pid', 'INTEGER', 'Process id.'),
      col('started_at', 'TIMESTAMP', 'Start.'),
      col('finished_at', 'TIMESTAMP', 'End.'),
      col('status', 'VARCHAR', 'succeeded or failed.'),
      col('failed_step', 'VARCHAR', 'Step that failed.'),
      col('error', 'VARCHAR', 'Error message.'),
      col('extract_checksums', 'VARCHAR', 'JSON object date/entity → SHA-256 of the extracts loaded.'),
    ],
  },
  run_steps: {
    description: 'Steps of each nightly run with their timing.',
    grain: 'one row per run × step',
    primaryKey: ['run_id', 'step_no'],
    enforceKey: true,
    create: 'replace',
    writtenBy: 'transforms/operations/record-runs.ts',
    columns: [
      col('run_id', 'VARCHAR', 'Run id.'),
      col('step_no', 'INTEGER', 'Step number.'),
      col('step', 'VARCHAR', 'Step name.'),
      col('started_at', 'TIMESTAMP', 'Start.'),
      col('finished_at', 'TIMESTAMP', 'End.'),
      col('status', 'VARCHAR', 'Step outcome.'),
      col('seconds', 'DOUBLE', 'Duration.'),
      col('rows', 'BIGINT', 'Rows produced, when meaningful.'),
      col('detail', 'VARCHAR', 'Detail message.'),
    ],
  },
  mapping_defaults: {
    description: 'Every value a source mapping supplied because the source lacks it, with how many loaded rows carry it.',
    grain: 'one row per business date × mapping × entity × column × kind',
    primaryKey: ['business_date', 'mapping', 'entity', 'column_name', 'kind'],
    create: 'keep',
    writtenBy: 'transforms/ingest/mapping/mapping-records.ts',
    columns: [
      col('load_id', 'VARCHAR', 'Load run id.', 'not null'),
      col('business_date', 'DATE', 'Business date.', 'not null'),
      col('mapping', 'VARCHAR', 'Mapping name.', 'not null'),
      col('mapping_file', 'VARCHAR', 'Mapping file.', 'not null'),
      col('entity', 'VARCHAR', 'Entity.', 'not null'),
      col('column_name', 'VARCHAR', 'Contract column defaulted (NULL: the whole entity).'),
      col('kind', 'VARCHAR', 'missing_in_source, empty_in_source or entity_absent.', 'not null'),
      col('default_value', 'VARCHAR', 'Value supplied.'),
      col('rows_defaulted', 'BIGINT', 'Loaded rows that carry it.', 'not null'),
      col('note', 'VARCHAR', "The mapping's note.", 'not null'),
    ],
  },
  mapping_source_values: {
    description: 'Source columns a mapping retains verbatim, per source line. Masked for analysts for entities with personal data.',
    grain: 'one row per source line × retained column',
    primaryKey: ['business_date', 'entity', 'source_file', 'source_line', 'name'],
    create: 'keep',
    writtenBy: 'transforms/ingest/mapping/mapping-records.ts',
    columns: [
      col('load_id', 'VARCHAR', 'Load run id.', 'not null'),
      col('business_date', 'DATE', 'Business date.', 'not null'),
      col('mapping', 'VARCHAR', 'Mapping name.', 'not null'),
      col('entity', 'VARCHAR', 'Entity.', 'not null'),
      col('source_file', 'VARCHAR', 'Source file.', 'not null'),
      col('source_line', 'BIGINT', 'Line in the source file.', 'not null'),
      col('name', 'VARCHAR', 'Name the mapping gives the retained value.', 'not null'),
      col('source_column', 'VARCHAR', 'Source column.', 'not null'),
      col('value', 'VARCHAR', 'The value as delivered.'),
    ],
  },
  month_closes: {
    description:
      'Month-end closes from the close ledger (`cq close`, and the re-close of a restating night), copied into each published warehouse: who closed which business month when, the SHA-256 of its KPI rows (docs/operations.md, "Month-end close and restatements") and, for a restatement, why and which run published it. Read by the site only as the restated months (no names).',
    grain: 'one row per close of a month (a restated month has several; the highest close_no is in force)',
    primaryKey: ['month', 'close_no'],
    enforceKey: true,
    create: 'replace',
    writtenBy: 'transforms/operations/closed-months-check.ts',
    columns: [
      col('month', 'VARCHAR', 'Business month closed (YYYY-MM).', 'not null'),
      col('close_no', 'INTEGER', 'Close number of the month: 1 = first close, 2 = after the first restatement, …', 'not null'),
      col('kind', 'VARCHAR', 'close (cq close) or restatement (a night run with --restate re-closed it).', 'not null'),
      col('closed_by', 'VARCHAR', 'Who closed (cq close --by) or restated (cq nightly --restate --by).', 'not null'),
      col('closed_at', 'TIMESTAMP', 'When (UTC).', 'not null'),
      col('kpi_hash', 'VARCHAR', "SHA-256 of the month's KPI rows in canonical text form.", 'not null'),
      col('kpi_rows', 'INTEGER', "KPI rows (metrics.kpi_values of the month, every slice) hashed.", 'not null'),
      col('load_id', 'VARCHAR', 'Latest load in the warehouse at the close.'),
      col('run_id', 'VARCHAR', 'The restating night (NULL for cq close).'),
      col('reason', 'VARCHAR', 'Why it was restated (--reason; NULL for cq close).'),
      col('changed_rows', 'INTEGER', 'KPI rows that differed from the previous close (restatements; NULL for cq close).'),
      col('report', 'VARCHAR', 'Restatement report (Markdown) written by the night, relative to the data folder.'),
    ],
  },
  month_close_values: {
    description:
      'The KPI rows of every close as they were closed (value, numerator, denominator, status, sample size), so a restatement report can show old and new values.',
    grain: 'one row per close × KPI × slice value',
    primaryKey: ['month', 'close_no', 'metric_id', 'slice', 'slice_value'],
    create: 'replace',
    writtenBy: 'transforms/operations/closed-months-check.ts',
    columns: [
      col('month', 'VARCHAR', 'Business month (YYYY-MM).', 'not null'),
      col('close_no', 'INTEGER', 'Close number (ops.month_closes).', 'not null'),
      col('metric_id', 'VARCHAR', 'KPI id.', 'not null'),
      col('slice', 'VARCHAR', "As in metrics.kpi_values.", 'not null'),
      col('slice_value', 'VARCHAR', "As in metrics.kpi_values.", 'not null'),
      col('status', 'VARCHAR', 'measured, too_few or no_data at the close.'),
      col('value', 'DOUBLE', 'KPI value at the close.'),
      col('numerator', 'DOUBLE', 'Numerator at the close.'),
      col('denominator', 'DOUBLE', 'Denominator at the close.'),
      col('n', 'DOUBLE', 'Sample size at the close.'),
    ],
  },
} as const satisfies Record<string, OpsTable>;

/** Name of an ops table (without the `ops.` schema). */
export type OpsTableName = keyof typeof OPS_TABLES;

/** Every ops table name, in declaration order. */
export const OPS_TABLE_NAMES = Object.keys(OPS_TABLES) as OpsTableName[];

/**
 * The DDL that creates the `ops` schema and the named ops tables, each as its declaration says
 * (`keep`: if missing; `replace`: replaced by an empty table). Run it before writing the tables.
 *
 * @example
 * await wh.exec(opsTableDdl('runs', 'run_steps'));
 * // CREATE SCHEMA IF NOT EXISTS ops;
 * // DROP TABLE IF EXISTS ops.runs;
 * // CREATE TABLE ops.runs (
 * //   run_id VARCHAR, mode VARCHAR, …, extract_checksums VARCHAR,
 * //   PRIMARY KEY (run_id)
 * // );
 * // DROP TABLE IF EXISTS ops.run_steps;
 * // CREATE TABLE ops.run_steps ( … );
 */
export function opsTableDdl(...names: readonly OpsTableName[]): string {
  const tables = names.map((name) => {
    const t: OpsTable = OPS_TABLES[name];
    const lines = t.columns.map((c) => `${c.name} ${c.type}${c.notNull ? ' NOT NULL' : ''}`);
    if (t.enforceKey) lines.push(`PRIMARY KEY (${t.primaryKey.join(', ')})`);
    // DROP + CREATE rather than DuckDB's CREATE OR REPLACE TABLE: the spelling PostgreSQL also takes.
    const create = t.create === 'replace' ? `DROP TABLE IF EXISTS ops.${name};\nCREATE TABLE` : 'CREATE TABLE IF NOT EXISTS';
    return `${create} ops.${name} (\n  ${lines.join(',\n  ')}\n);`;
  });
  return ['CREATE SCHEMA IF NOT EXISTS ops;', ...tables].join('\n');
}
