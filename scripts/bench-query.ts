/**
 * Benchmark step (called by scripts/bench.ts): the analyst query of issue 6 through the real
 * console session (read-only, masked views, guard), timed without process start-up.
 *   npx tsx scripts/bench-query.ts WAREHOUSE
 */
import { runQuery } from '../transforms/publish/console/run-query.js';

const warehouse = process.argv[2] ?? 'data/warehouse.duckdb';
const sql = 'select branch_id, sum(outstanding_principal) as balance from core.fct_loan_month_ends group by 1 order by 1';
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  const r = await runQuery({ warehouse, sql, format: 'none' });
  times.push(r.elapsedMs);
}
console.log(`query over the full balance history: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')} (3 runs; first includes opening the session)`);
