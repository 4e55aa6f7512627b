import { customers, FILE_ELEMENTS, type ColumnContract, type FileElement } from '../ingest/contract/index.js';

/** A customer type of the contract (customers.customer_type). */
export type FileCustomerType = 'individual' | 'small_business';
/** Customer types of the contract (customers.customer_type), in contract order. */
export const FILE_CUSTOMER_TYPES = (customers.columns as readonly ColumnContract[]).find((c) => c.name === 'customer_type')!.values as readonly FileCustomerType[];

/**
 * Credit-file update cycles (授信档案更新周期): the typed in-memory form of
 * `policy/credit-file-cycles.yaml` (or the operator's `policyDir` copy), read and checked by
 * `loadPolicy` (transforms/policy/read-policy.ts). For every file element (credit_file_updates.file_element)
 * and customer type: whether the element is required in the credit file of a customer of that type,
 * and how many months an update stays current. core.fct_credit_file_month_ends tracks the required
 * elements of every customer with an on-book loan at each month end, and the credit-file KPIs count
 * customers whose every required element is current / was delivered at least once.
 *
 * The boundary: an element updated on D with a cycle of c months is due on D + c months (DuckDB
 * month arithmetic: the same day c months later, the last day of that month when it is shorter) and
 * current at a month end M while M ≤ the due date; overdue from the day after.
 *
 * @example
 * loadPolicy().fileCycles.cycles.find((c) => c.element === 'site_visit' && c.customerType === 'small_business')?.cycleMonths; // 3
 */
export interface CreditFileCycles {
  /** One entry per file element × customer type, elements in {@link FILE_ELEMENTS} order. */
  readonly cycles: readonly CreditFileCycle[];
}

/** Whether one file element is required of one customer type, and its update cycle. */
export interface CreditFileCycle {
  readonly element: FileElement;
  readonly customerType: FileCustomerType;
  /** The element must be in the credit file of every customer of this type with an on-book loan. */
  readonly required: boolean;
  /** Months an update stays current (3 quarterly, 6 semi-annual, 12 annual); NULL for an element that is not required and has none. */
  readonly cycleMonths: number | null;
}

/**
 * The required elements with their cycles: what the models track.
 *
 * @example
 * requiredFileCycles(loadPolicy().fileCycles).length; // 7 with the shipped policy (2 individual + 5 small business)
 */
export function requiredFileCycles(c: CreditFileCycles): { element: FileElement; customerType: FileCustomerType; cycleMonths: number }[] {
  return c.cycles.filter((x) => x.required && x.cycleMonths !== null).map((x) => ({ element: x.element, customerType: x.customerType, cycleMonths: x.cycleMonths! }));
}

export { FILE_ELEMENTS, type FileElement };
