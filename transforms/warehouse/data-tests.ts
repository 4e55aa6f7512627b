import { CqError } from '../lib/errors.js';
import { quoteLiteral } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { opsTableDdl } from '../lib/ops-tables.js';
import { qualifiedName, type DataTest, type ModelDefinition } from './model.js';

/** Outcome of one data test. */
export interface DataTestResult {
  model: string;
  test: string;
  severity: 'error' | 'warn';
  failures: number;
  status: 'pass' | 'fail' | 'warn';
  sql: string;
}

/** The SQL that returns the failing rows of a test. */
export function dataTestSql(table: string, test: DataTest): { name: string; sql: string } {
  switch (test.kind) {
    case 'unique': {
      const cols = test.columns.join(', ');
      return { name: `unique(${cols})`, sql: `SELECT ${cols}, count(*) AS n FROM ${table} GROUP BY ${cols} HAVING count(*) > 1` };
    }
    case 'not_null':
      return {
        name: `not_null(${test.columns.join(', ')})`,
        sql: `SELECT * FROM ${table} WHERE ${test.columns.map((c) => `${c} IS NULL`).join(' OR ')}`,
      };
    case 'accepted_values':
      return {
        name: `accepted_values(${test.column})`,
        sql: `SELECT * FROM ${table} WHERE ${test.column} IS NOT NULL AND ${test.column} NOT IN (${test.values.map(quoteLiteral).join(', ')})`,
      };
    case 'relationships':
      return {
        name: `relationships(${test.column} → ${test.to}.${test.field})`,
        // Uncorrelated NOT IN (the parent's keys are never NULL here): on Citus, child and parent may be
        // distributed by different columns (loans by loan_id, customers by customer_id), where a
        // correlated NOT EXISTS is refused; the key list is computed once and shipped.
        sql: `SELECT t.* FROM ${table} t WHERE t.${test.column} IS NOT NULL AND t.${test.column} NOT IN (SELECT r.${test.field} FROM ${test.to} r WHERE r.${test.field} IS NOT NULL)`,
      };
    case 'expression':
      return { name: test.name, sql: `SELECT * FROM ${table} WHERE NOT coalesce((${test.sql}), false)` };
    case 'query':
      return { name: test.name, sql: test.sql };
  }
}

/**
 * Runs every model's data tests (primary key unique + not null, then the declared tests),
 * records them in `ops.data_test_results` (replacing the previous results of those models),
 * and throws `DATA_TEST_FAILED` if any error-severity test found rows.
 *
 * @example
 * const results = await runDataTests(wh, models);
 */
export async function runDataTests(
  wh: WarehouseHandle,
  models: readonly ModelDefinition[],
  options: { incremental?: { since: string; tables: ReadonlySet<string> } } = {},
): Promise<DataTestResult[]> {
  const results: DataTestResult[] = [];
  for (const model of models) {
    // A model this build rebuilt month-incrementally is tested on the months rebuilt (earlier
    // months passed when they were built and have not changed); every other model in full.
    const inc = options.incremental;
    const table =
      inc && model.incremental && inc.tables.has(qualifiedName(model))
        ? `(SELECT * FROM ${qualifiedName(model)} WHERE ${model.incremental.column} >= DATE ${quoteLiteral(inc.since)})`
        : qualifiedName(model);
    const tests: DataTest[] = [];
    if (model.primaryKey.length > 0) {
      tests.push({ kind: 'unique', columns: model.primaryKey }, { kind: 'not_null', columns: model.primaryKey });
    }
    tests.push(...(model.tests ?? []));
    for (const test of tests) {
      const { name, sql } = dataTestSql(table, test);
      if (test.kind === 'unique' && model.uniqueEnforcedAtLoad && test.columns === model.primaryKey) {
        results.push({
          model: qualifiedName(model),
          test: `${name} — enforced at load`,
          severity: 'error',
          failures: 0,
          status: 'pass',
          sql: `-- not re-run: the loader rejects repeated keys as duplicate_key (ops.rejected_rows); see transforms/ingest/load/validation-sql.ts keyCheckSql.\n${sql}`,
        });
        continue;
      }
      const [row] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM (${sql}) AS failing`);
      const failures = row?.n ?? 0;
      const severity = test.severity ?? 'error';
      results.push({ model: qualifiedName(model), test: name, severity, failures, status: failures === 0 ? 'pass' : severity === 'error' ? 'fail' : 'warn', sql });
    }
  }
  await recordResults(wh, models.map(qualifiedName), results);
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length > 0) {
    throw new CqError(
      'DATA_TEST_FAILED',
      `${failed.length} data test(s) failed:\n${failed.map((f) => `  ${f.model}: ${f.test} — ${f.failures} failing row(s)\n    query: ${f.sql}`).join('\n')}`,
    );
  }
  return results;
}

async function recordResults(wh: WarehouseHandle, tables: string[], results: DataTestResult[]): Promise<void> {
  await wh.exec(opsTableDdl('data_test_results'));
  if (tables.length === 0) return;
  await wh.exec(`DELETE FROM ops.data_test_results WHERE model IN (${tables.map(quoteLiteral).join(', ')})`);
  for (const r of results) {
    await wh.run(`INSERT INTO ops.data_test_results VALUES ($1, $2, $3, $4, $5, $6, current_timestamp::TIMESTAMP)`, [
      r.model,
      r.test,
      r.severity,
      r.failures,
      r.status,
      r.sql,
    ] as never);
  }
}
