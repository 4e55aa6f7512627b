import type { WarehouseHandle } from './warehouse-handle.js';

/**
 * Where a table lives on a Citus cluster:
 * - `loan`: hash-distributed by `loan_id`, co-located with `raw.loans` (a loan's rows of every
 *   loan-grain table sit in the same shard, so joins and windows by loan run on the workers);
 * - `customer`: hash-distributed by `customer_id`, co-located with `raw.customers`;
 * - `reference`: a full copy on every node (small dimensions every fact joins to).
 * Tables not listed stay on the coordinator (ops, marts, metrics and the small core tables).
 */
export type CitusPlacement = 'loan' | 'customer' | 'reference';

/**
 * The placement of the raw tables and the large core models (docs/operations.md, "A Citus
 * warehouse", explains each choice): the loan-grain facts by `loan_id`, the customer-grain facts by
 * `customer_id`, the small code tables as reference tables. `raw.warnings` goes by customer: a warning need not name a loan
 * (a distribution column cannot be NULL).
 */
export const CITUS_PLACEMENT: Readonly<Record<string, CitusPlacement>> = {
  'raw.loans': 'loan',
  'raw.loan_balances': 'loan',
  'raw.repayment_schedule': 'loan',
  'raw.repayments': 'loan',
  'raw.customers': 'customer',
  'raw.warnings': 'customer',
  'raw.risk_scores': 'customer',
  'raw.verifications': 'customer',
  'raw.surveys': 'customer',
  'raw.credit_file_updates': 'customer',
  'raw.branches': 'reference',
  'raw.products': 'reference',
  'raw.fx_rates': 'reference',
  // Core facts and dimensions, by the grain of their rows.
  'core.dim_loans': 'loan',
  'core.fct_loan_month_ends': 'loan',
  'core.fct_loan_month_signals': 'loan',
  'core.dim_customers': 'customer',
  'core.fct_customer_month_ends': 'customer',
  'core.fct_credit_file_month_ends': 'customer',
  'core.dim_months': 'reference',
  'core.dim_branches': 'reference',
  'core.dim_products': 'reference',
  'core.dim_code_labels': 'reference',
};

/** True when the PostgreSQL warehouse is a Citus coordinator with workers (placement applies). */
export async function isCitusCluster(wh: WarehouseHandle): Promise<boolean> {
  if (wh.engine !== 'postgres') return false;
  const [row] = await wh.all<{ n: bigint }>(
    `SELECT count(*) AS n FROM pg_extension WHERE extname = 'citus'`,
  );
  if (!row || Number(row.n) === 0) return false;
  const [nodes] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0`);
  return Number(nodes?.n ?? 0) > 0;
}

/**
 * Distributes the listed tables that exist and are not yet distributed (idempotent): raw tables
 * are placed right after they are created, while empty. The anchors (`raw.loans`,
 * `raw.customers`) are placed first so the others co-locate with them.
 *
 * @example
 * await placeTables(pg, ['raw.loans', 'raw.loan_balances']);
 * // SELECT create_distributed_table('raw.loans', 'loan_id');
 * // SELECT create_distributed_table('raw.loan_balances', 'loan_id', colocate_with => 'raw.loans');
 */
export async function placeTables(wh: WarehouseHandle, tables: readonly string[] = Object.keys(CITUS_PLACEMENT)): Promise<string[]> {
  if (!(await isCitusCluster(wh))) return [];
  const placed = new Set(
    (await wh.all<{ t: string }>(`SELECT logicalrelid::regclass::text AS t FROM pg_dist_partition`)).map((r) => r.t),
  );
  const anchors = ['raw.loans', 'raw.customers'];
  const ordered = [...tables].sort((a, b) => Number(!anchors.includes(a)) - Number(!anchors.includes(b)));
  const done: string[] = [];
  for (const table of ordered) {
    const placement = CITUS_PLACEMENT[table];
    if (!placement || placed.has(table)) continue;
    const [exists] = await wh.all<{ r: string | null }>('SELECT to_regclass($1)::text AS r', [table]);
    if (!exists?.r) continue;
    if (placement === 'reference') await wh.run('SELECT create_reference_table($1)', [table]);
    else {
      const column = placement === 'loan' ? 'loan_id' : 'customer_id';
      const anchor = placement === 'loan' ? 'raw.loans' : 'raw.customers';
      await wh.run(`SELECT create_distributed_table($1, $2${table === anchor ? '' : ', colocate_with => $3'})`, table === anchor ? [table, column] : [table, column, anchor]);
    }
    placed.add(table);
    done.push(table);
  }
  return done;
}
