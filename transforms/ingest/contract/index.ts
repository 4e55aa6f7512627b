import { branches } from './entities/branches.js';
import { creditFileUpdates } from './entities/credit-file-updates.js';
import { customers } from './entities/customers.js';
import { fxRates } from './entities/fx-rates.js';
import { loanBalances } from './entities/loan-balances.js';
import { loans } from './entities/loans.js';
import { products } from './entities/products.js';
import { repaymentSchedule } from './entities/repayment-schedule.js';
import { repayments } from './entities/repayments.js';
import { riskScores } from './entities/risk-scores.js';
import { surveys } from './entities/surveys.js';
import { verifications } from './entities/verifications.js';
import { warnings } from './entities/warnings.js';
import type { EntityContract } from './types.js';

export * from './types.js';
export * from './currencies.js';
export { FILE_ELEMENTS, type FileElement } from './entities/credit-file-updates.js';
export { branches, creditFileUpdates, customers, fxRates, loanBalances, loans, products, repaymentSchedule, repayments, riskScores, surveys, verifications, warnings };

/**
 * Every extract entity, in load order (referenced entities before those that reference them).
 * Adding an entity = one file in `entities/` plus one line here. `optional` entities (fx_rates, credit_file_updates) may
 * be left out of a delivery; see {@link requiredEntities}.
 */
export const ENTITIES = [
  branches,
  products,
  customers,
  loans,
  loanBalances,
  repaymentSchedule,
  repayments,
  warnings,
  riskScores,
  verifications,
  surveys,
  fxRates,
  creditFileUpdates,
] as const satisfies readonly EntityContract[];

export type EntityName = (typeof ENTITIES)[number]['name'];

/** Looks up an entity contract by name. @example entity('loans').primaryKey // ['loan_id'] */
export function entity(name: string): EntityContract {
  const found = ENTITIES.find((e) => e.name === name);
  if (!found) throw new Error(`unknown entity "${name}"; known: ${ENTITIES.map((e) => e.name).join(', ')}`);
  return found;
}

/** The entities every business date must deliver (all but the `optional` ones). @example requiredEntities().length // 11 */
export function requiredEntities(entities: readonly EntityContract[] = ENTITIES): EntityContract[] {
  return entities.filter((e) => !e.optional);
}
