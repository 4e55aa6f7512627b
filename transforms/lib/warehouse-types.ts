import type {
  branches,
  customers,
  fxRates,
  loanBalances,
  loans,
  products,
  repaymentSchedule,
  repayments,
  riskScores,
  RowOf,
  surveys,
  verifications,
  warnings,
} from '../ingest/contract/index.js';
import type { OpsTables } from './ops-types.js';
import type { CoreTables, MartTables, MetricTables } from './core-types.js';

/** Raw layer: validated extract rows, typed per the contract, with lineage columns. */
export interface RawTables {
  'raw.branches': RowOf<typeof branches>;
  'raw.products': RowOf<typeof products>;
  'raw.customers': RowOf<typeof customers>;
  'raw.loans': RowOf<typeof loans>;
  'raw.loan_balances': RowOf<typeof loanBalances>;
  'raw.repayment_schedule': RowOf<typeof repaymentSchedule>;
  'raw.repayments': RowOf<typeof repayments>;
  'raw.warnings': RowOf<typeof warnings>;
  'raw.risk_scores': RowOf<typeof riskScores>;
  'raw.verifications': RowOf<typeof verifications>;
  'raw.surveys': RowOf<typeof surveys>;
  'raw.fx_rates': RowOf<typeof fxRates>;
}

/**
 * The typed warehouse for Kysely: every table by `schema.table`. Layers add their
 * table interfaces here as they are built (staging, core, marts, metrics).
 */
export interface Warehouse extends RawTables, OpsTables, CoreTables, MartTables, MetricTables {}
