import { createHash } from 'node:crypto';
import { CqError } from '../lib/errors.js';
import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { opsTableDdl } from '../lib/ops-tables.js';
import { qualifiedName, type ModelDefinition } from './model.js';
import { runDataTests, type DataTestResult } from './data-tests.js';
import { CITUS_PLACEMENT, isCitusCluster, placeTables } from '../lib/citus-placement.js';
import { inlineCtes } from '../lib/postgres-translate.js';
import { withSingleThreadRetry } from '../lib/single-thread-retry.js';

/** A model with its compiled SQL and the models it reads. */
export interface CompiledModel {
  model: ModelDefinition;
  table: string;
  sql: string;
  parameters: readonly unknown[];
  dependsOn: string[];
}

/** Result of {@link buildModels}. */
export interface BuildModelsResult {
  /** `singleThreaded`: DuckDB ran out of memory building it and it was built again with one thread (withSingleThreadRetry). */
  built: { table: string; seconds: number; rows: number; mode: 'full' | 'incremental'; singleThreaded?: boolean }[];
  tests: DataTestResult[];
}

/**
 * Compiles models and orders them so every model is built after the models it reads.
 * Dependencies are inferred from the compiled SQL (`"layer"."name"` or `layer.name`).
 *
 * @example
 * const ordered = compileModels(wh, await discoverModels());
 */
export function compileModels(wh: WarehouseHandle, models: readonly ModelDefinition[]): CompiledModel[] {
  const byTable = new Map(models.map((m) => [qualifiedName(m), m]));
  const compiled = new Map<string, CompiledModel>();
  for (const model of models) {
    const table = qualifiedName(model);
    const c = model.query(wh.db, {}).compile(wh.db as never);
    const dependsOn = [...byTable.keys()].filter((other) => other !== table && referencesTable(c.sql, other));
    compiled.set(table, { model, table, sql: c.sql, parameters: c.parameters, dependsOn });
  }
  const ordered: CompiledModel[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: string, path: string[]) => {
    if (state.get(table) === 'done') return;
    if (state.get(table) === 'visiting') {
      throw new CqError('MODEL_INVALID', `models form a cycle: ${[...path, table].join(' → ')}. Fix: remove one of the references.`);
    }
    state.set(table, 'visiting');
    const cm = compiled.get(table)!;
    for (const dep of cm.dependsOn) visit(dep, [...path, table]);
    state.set(table, 'done');
    ordered.push(cm);
  };
  for (const table of [...compiled.keys()].sort()) visit(table, []);
  return ordered;
}

function referencesTable(sql: string, table: string): boolean {
  const [schema, name] = table.split('.') as [string, string];
  const quoted = `"${schema}"."${name}"`;
  if (sql.includes(quoted)) return true;
  return new RegExp(`(^|[^\\w."])${schema}\\.${name}($|[^\\w])`).test(sql);
}

/**
 * Builds all given models in dependency order (`CREATE OR REPLACE VIEW|TABLE layer.name AS ...`)
 * and then runs their data tests. Throws `DATA_TEST_FAILED` when an error-severity test fails,
 * after all tests ran and were recorded in `ops.data_test_results`.
 *
 * @example
 * await buildModels(wh, await discoverModels());
 */
export async function buildModels(
  wh: WarehouseHandle,
  models: readonly ModelDefinition[],
  options: { runTests?: boolean; since?: string; onModel?: (table: string, seconds: number, mode: 'full' | 'incremental', singleThreaded: boolean) => void } = {},
): Promise<BuildModelsResult> {
  if (options.since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.since)) {
    // Models interpolate `since` into their SQL: only a plain date may reach them.
    throw new CqError('MODEL_INVALID', `since must be a month end YYYY-MM-DD, got ${JSON.stringify(options.since)}.`);
  }
  const ordered = compileModels(wh, models);
  // On a Citus cluster the models CITUS_PLACEMENT names are distributed like their raw inputs.
  const distributed = await isCitusCluster(wh);
  const built: BuildModelsResult['built'] = [];
  for (const schema of new Set(ordered.map((m) => m.model.layer))) await wh.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await wh.exec(opsTableDdl('model_builds'));
  const previous = new Map(
    (await wh.all<{ model: string; definition_sha256: string }>('SELECT model, definition_sha256 FROM ops.model_builds')).map((r) => [r.model, r.definition_sha256]),
  );
  for (const cm of ordered) {
    const started = performance.now();
    const kind = cm.model.materialized === 'view' ? 'VIEW' : 'TABLE';
    if (kind === 'VIEW' && cm.parameters.length > 0) {
      throw new CqError('MODEL_INVALID', `${cm.table}: a view cannot take query parameters; inline them with sql.lit() or materialise as a table.`);
    }
    const definition = createHash('sha256').update(`${kind}\n${cm.sql}\n${JSON.stringify(cm.parameters)}`).digest('hex');
    // Month-incremental only when the table was last built from this very definition.
    const incremental = kind === 'TABLE' && options.since !== undefined && cm.model.incremental !== undefined && previous.get(cm.table) === definition;
    // On Citus a distributed model's CTEs run on the workers (inlineCtes explains why).
    const placement = kind === 'TABLE' && distributed ? CITUS_PLACEMENT[cm.table] : undefined;
    const onShards = (text: string) => (placement ? inlineCtes(text) : text);
    // The coordinator merges what a distributed model regroups by another key (loan rows by
    // customer) from the shards' partial results, which arrive in the order of the workers' hash
    // tables: a hash aggregate fed that order degenerates (the 3.9M customer-months of the 1M bench
    // ran > 15 min; sorted, 31 s). Sort-based grouping on the coordinator for these statements
    // only (the setting is the session's, not sent to the workers).
    if (placement) await wh.exec('SET enable_hashagg = off');
    let singleThreaded = false;
    try {
      // DuckDB out of memory: built again with one thread (these statements are safe to repeat).
      ({ singleThreaded } = await withSingleThreadRetry(wh, async () => {
        if (incremental) {
          const column = cm.model.incremental!.column;
          const c = cm.model.query(wh.db, { since: options.since! }).compile(wh.db as never);
          const cols = (await tableColumns(wh, cm.table)).map((n) => `"${n}"`).join(', ');
          await wh.exec(`DELETE FROM ${cm.table} WHERE ${column} >= DATE ${lit(options.since!)}`);
          await wh.run(`INSERT INTO ${cm.table} (${cols}) SELECT ${cols} FROM (${onShards(c.sql)}) AS rebuilt WHERE ${column} >= DATE ${lit(options.since!)}`, c.parameters as never);
        } else {
          // A table may have been a view before (or vice versa): drop whichever exists.
          await dropRelation(wh, cm.table);
          if (placement) {
            // A distributed model: created empty, placed (co-located with its raw anchor), then filled.
            await wh.run(`CREATE TABLE ${cm.table} AS ${cm.sql} WITH NO DATA`, cm.parameters as never);
            await placeTables(wh, [cm.table]);
            await wh.run(`INSERT INTO ${cm.table} ${onShards(cm.sql)}`, cm.parameters as never);
          } else await wh.run(`CREATE ${kind} ${cm.table} AS ${cm.sql}`, cm.parameters as never);
        }
      }));
    } catch (e) {
      throw new CqError('MODEL_INVALID', `building ${cm.table} failed: ${(e as Error).message}`, {}, { cause: e });
    } finally {
      if (placement) await wh.exec('RESET enable_hashagg');
    }
    // PostgreSQL plans the models that read this table from its statistics: without them a fresh
    // table is guessed small and joined by nested loops (the migration cube took minutes instead of seconds).
    if (wh.engine === 'postgres' && kind === 'TABLE') await wh.exec(`ANALYZE ${cm.table}`);
    await wh.run(
      `INSERT INTO ops.model_builds VALUES ($1, $2, $3, $4::DATE, current_timestamp::TIMESTAMP)
       ON CONFLICT (model) DO UPDATE SET definition_sha256 = excluded.definition_sha256, mode = excluded.mode, since = excluded.since, built_at = excluded.built_at`,
      [cm.table, definition, incremental ? 'incremental' : 'full', incremental ? options.since! : null] as never,
    );
    const seconds = (performance.now() - started) / 1000;
    const [count] = kind === 'TABLE' ? await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${cm.table}`) : [{ n: -1 }];
    built.push({ table: cm.table, seconds, rows: count?.n ?? -1, mode: incremental ? 'incremental' : 'full', ...(singleThreaded ? { singleThreaded } : {}) });
    options.onModel?.(cm.table, seconds, incremental ? 'incremental' : 'full', singleThreaded);
  }
  const tests = options.runTests === false ? [] : await runDataTests(wh, ordered.map((c) => c.model), dataTestScope(built, options.since));
  return { built, tests };
}

/**
 * What the data tests of a build cover: models rebuilt month-incrementally are tested on the
 * months rebuilt (>= since), every other model in full.
 *
 * @example
 * await runDataTests(wh, models, dataTestScope(result.built, '2026-09-30'));
 */
export function dataTestScope(built: BuildModelsResult['built'], since: string | undefined): Parameters<typeof runDataTests>[2] {
  if (since === undefined) return {};
  return { incremental: { since, tables: new Set(built.filter((b) => b.mode === 'incremental').map((b) => b.table)) } };
}

/** The columns of a table in their order (an incremental insert names them: no `BY NAME`, which PostgreSQL lacks). */
async function tableColumns(wh: WarehouseHandle, table: string): Promise<string[]> {
  const [schema, name] = table.split('.') as [string, string];
  const rows = await wh.all<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, name],
  );
  return rows.map((r) => r.column_name);
}

async function dropRelation(wh: WarehouseHandle, table: string): Promise<void> {
  const [schema, name] = table.split('.') as [string, string];
  const rows = await wh.all<{ table_type: string }>(
    `SELECT table_type FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2`,
    [schema, name],
  );
  const type = rows[0]?.table_type;
  // PostgreSQL keeps views bound to what they read: CASCADE drops the dependent views too, and the
  // build recreates them after this model (every model is rebuilt on every build, views included).
  const cascade = wh.engine === 'postgres' ? ' CASCADE' : '';
  if (type === 'VIEW') await wh.exec(`DROP VIEW ${table}${cascade}`);
  else if (type) await wh.exec(`DROP TABLE ${table}${cascade}`);
}
