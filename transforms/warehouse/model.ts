import type { Compilable, Kysely, RawBuilder } from 'kysely';
import type { Warehouse } from '../lib/warehouse-types.generated.js';

/** Warehouse layers that hold models; the DuckDB schema is the folder name. */
export type ModelLayer = 'staging' | 'core' | 'marts' | 'metrics';

/**
 * A data test declared beside a model's query. Each test is a query returning the
 * failing rows; the build counts them, stores the result in `ops.data_test_results`,
 * and fails on `severity: 'error'` tests that return rows.
 */
export type DataTest =
  | { kind: 'unique'; columns: readonly string[]; severity?: Severity }
  | { kind: 'not_null'; columns: readonly string[]; severity?: Severity }
  | { kind: 'accepted_values'; column: string; values: readonly string[]; severity?: Severity }
  | { kind: 'relationships'; column: string; to: string; field: string; severity?: Severity }
  /** A boolean SQL expression every row must satisfy. */
  | { kind: 'expression'; name: string; sql: string; severity?: Severity }
  /** A full query that returns the failing rows (may reference other tables). */
  | { kind: 'query'; name: string; sql: string; severity?: Severity };

export type Severity = 'error' | 'warn';

/**
 * A column's description in a model: its own text, or `{ from }` — the column is the `from`
 * column of the model's {@link ModelDefinition.inherits} relations renamed, with the same meaning.
 *
 * @example
 * columns: { is_restructured: { from: 'restructured' }, cohort_month: 'Month end of the disbursement month.' }
 */
export type ColumnDoc = string | { readonly from: string };

/**
 * One model = one file: name, grain, primary key, description, column docs, tests and
 * the query (Kysely builder or `sql` template). The table is `<layer>.<name>`.
 *
 * @example
 * export default defineModel({
 *   name: 'stg_lender__branches', layer: 'staging', materialized: 'view',
 *   grain: 'one row per branch per business date', primaryKey: ['branch_id', 'business_date'],
 *   description: 'Branches as extracted.', inherits: ['raw.branches'], columns: { business_date: { from: '_business_date' } },
 *   query: (db) => db.selectFrom('raw.branches').select(['branch_id']),
 * });
 */
export interface ModelDefinition {
  readonly name: string;
  readonly layer: ModelLayer;
  /** `view` for thin renames (staging), `table` for anything read often. Default `table`. */
  readonly materialized?: 'view' | 'table';
  readonly grain: string;
  readonly primaryKey: readonly string[];
  readonly description: string;
  /**
   * Relations this model passes columns through from, nearest first: `raw.<entity>` (the extract
   * contract) or another model (`staging.stg_lender__loans`, `core.fct_loan_month_ends`). An
   * output column not in {@link columns} takes the description of the same-named column of the
   * first of them that has one, so a description is written once, where the column is born.
   */
  readonly inherits?: readonly string[];
  /**
   * Descriptions of the columns this layer adds or whose meaning it changes (column name →
   * text), or `{ from: 'upstream_column' }` for a renamed pass-through. Every other output
   * column inherits its description (see {@link inherits}); docs/warehouse.md lists them all.
   */
  readonly columns: Readonly<Record<string, ColumnDoc>>;
  /**
   * The primary key is unique by construction of the load: the loader rejects a key repeated
   * within a file (and, for event extracts, across business dates) as `duplicate_key`, and a
   * versioned extract's key includes its business date. Then the nightly does not re-check
   * uniqueness over the whole history (a hash aggregate over tens of millions of rows); the
   * test is recorded as enforced at load. Only for staging views over raw and 1:1 views of them.
   */
  readonly uniqueEnforcedAtLoad?: true;
  /** Extra tests; `unique` and `not_null` on the primary key are always added. */
  readonly tests?: readonly DataTest[];
  /**
   * Month-incremental build. A nightly that adds business dates passes `since` (a month end):
   * the query, given `ctx.since`, returns only rows with `column >= since` (reading only the
   * input it needs for them), and the build replaces just those months. The model must make a
   * month's rows depend only on data delivered by that month end and on the months before it
   * that the query reads itself. A full build (no `since`), or a changed definition, rebuilds
   * the whole table.
   */
  readonly incremental?: { readonly column: string };
  /** The model's SELECT. Table references use `schema.table` names. */
  readonly query: (db: Kysely<Warehouse>, ctx: ModelContext) => Compilable<unknown> | RawBuilder<unknown>;
}

/** What a model's query is built for. */
export interface ModelContext {
  /** Month end (YYYY-MM-DD): build only rows of this month and later (incremental models only). */
  readonly since?: string;
}

/** Identity helper that type-checks a model definition. */
export function defineModel(model: ModelDefinition): ModelDefinition {
  return model;
}

/** `<layer>.<name>`, the model's table name in DuckDB. */
export function qualifiedName(model: Pick<ModelDefinition, 'layer' | 'name'>): string {
  return `${model.layer}.${model.name}`;
}
