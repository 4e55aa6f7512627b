import { sql } from 'kysely';
import { activeRules } from '../../policy/business-rules.js';
import { requiredFileCycles } from '../../policy/credit-file-cycles.js';
import { FILE_ELEMENTS } from '../../ingest/contract/index.js';
import { quoteLiteral as lit } from '../../lib/duckdb.js';
import { asEnum, enumType } from '../enums.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

/** ENUM of the file elements (one byte per row of a fact with tens of millions of rows). */
export const FILE_ELEMENT_ENUM = enumType(FILE_ELEMENTS);

export default defineModel({
  name: 'fct_credit_file_month_ends',
  layer: 'core',
  grain: 'one row per month end × customer active at the month end with an on-book loan × credit-file element required of its customer type',
  primaryKey: ['as_of_month', 'customer_id', 'file_element'],
  description:
    "The state of each required element of a customer's credit file (授信档案) at each month end. Population: customers whose relationship is open at the month end and who have at least one on-book loan then; elements: those policy/credit-file-cycles.yaml requires of the customer's type (as of the month end), with their update cycle. last_updated_on is the latest update delivered by the month end (business_date <= the month end; a late-delivered older update never replaces a newer one). The boundary: an element updated on D with a cycle of c months is due on D + c months (DuckDB month arithmetic: the same day c months later, the last day of that month when it is shorter) and is current at the month end M while M <= due_on, overdue from the next day; an element never delivered is missing. Months before the first business date that delivered any update (the optional extract credit_file_updates) have no rows: a lender that does not deliver the extract has no credit-file figures (its KPIs are no_data, input not delivered), not 0 %.",
  inherits: ['core.fct_customer_month_ends', 'staging.stg_lender__credit_file_updates'],
  columns: {
    file_element: 'Credit-file element required of the customer type (policy/credit-file-cycles.yaml).',
    branch_id: 'Servicing branch (as of the month end).',
    customer_type: 'individual or small_business (as of the month end).',
    cycle_months: 'Update cycle of the element for the customer type, in months (policy/credit-file-cycles.yaml).',
    last_updated_on: 'Latest update of the element delivered by the month end (NULL: never delivered).',
    due_on: 'last_updated_on + cycle_months months (the last day of the month when the day does not exist); NULL when missing.',
    is_current: 'The element was updated and the month end is on or before due_on.',
    is_missing: 'No update of the element was delivered by the month end.',
    days_overdue: 'Days from due_on to the month end when overdue; 0 when current; NULL when missing.',
  },
  tests: [
    { kind: 'accepted_values', column: 'file_element', values: FILE_ELEMENTS },
    { kind: 'expression', name: 'current_not_missing', sql: 'NOT (is_current AND is_missing)' },
    { kind: 'expression', name: 'missing_has_no_update', sql: 'is_missing = (last_updated_on IS NULL)' },
    { kind: 'expression', name: 'update_not_after_month_end', sql: 'last_updated_on IS NULL OR last_updated_on <= as_of_month' },
    { kind: 'expression', name: 'overdue_days_consistent', sql: 'is_missing OR (days_overdue = 0) = is_current' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => {
    const required = requiredFileCycles(activeRules().fileCycles);
    const req = required.map((r) => `(${lit(r.customerType)}, ${lit(r.element)}, ${r.cycleMonths})`).join(', ');
    return sql`
    WITH req(customer_type, file_element, cycle_months) AS (VALUES ${sql.raw(req)}),
    on_book AS (
      SELECT DISTINCT as_of_month, customer_id FROM core.fct_loan_month_ends WHERE is_on_book ${sinceSql(since)}
    ),
    pop AS (
      SELECT c.as_of_month, c.customer_id, c.branch_id, c.customer_type
      FROM core.fct_customer_month_ends c
      WHERE EXISTS (SELECT 1 FROM on_book l WHERE l.as_of_month = c.as_of_month AND l.customer_id = c.customer_id)
        AND c.is_active_end ${sinceSql(since, { column: 'c.as_of_month' })}
        -- Tracked from the first business date that delivered an update: before it the files are unknown, not missing.
        AND c.as_of_month >= (SELECT min(business_date) FROM staging.stg_lender__credit_file_updates)
    ),
    -- The latest update known from each delivery date on: validity intervals [known_on, known_until).
    known AS (
      SELECT customer_id, file_element, business_date AS known_on, max(updated_on) AS updated_on
      FROM staging.stg_lender__credit_file_updates
      GROUP BY customer_id, file_element, business_date
    ),
    iv AS (
      SELECT customer_id, file_element, known_on,
        max(updated_on) OVER (PARTITION BY customer_id, file_element ORDER BY known_on ROWS UNBOUNDED PRECEDING) AS last_updated_on,
        coalesce(lead(known_on) OVER (PARTITION BY customer_id, file_element ORDER BY known_on), DATE '9999-12-31') AS known_until
      FROM known
    ),
    f AS (
      SELECT p.as_of_month, p.customer_id, ${sql.raw(asEnum('r.file_element', FILE_ELEMENT_ENUM))} AS file_element,
        p.branch_id, p.customer_type, CAST(r.cycle_months AS INTEGER) AS cycle_months, iv.last_updated_on,
        CAST(iv.last_updated_on + to_months(CAST(r.cycle_months AS INTEGER)) AS DATE) AS due_on
      FROM pop p
      JOIN req r ON r.customer_type = CAST(p.customer_type AS VARCHAR)
      LEFT JOIN iv ON iv.customer_id = p.customer_id AND iv.file_element = r.file_element
        AND p.as_of_month >= iv.known_on AND p.as_of_month < iv.known_until
    )
    SELECT as_of_month, customer_id, file_element, branch_id, customer_type, cycle_months, last_updated_on, due_on,
      coalesce(as_of_month <= due_on, false) AS is_current,
      last_updated_on IS NULL AS is_missing,
      CASE WHEN due_on IS NULL THEN NULL WHEN as_of_month <= due_on THEN 0 ELSE CAST(as_of_month - due_on AS INTEGER) END AS days_overdue
    FROM f`;
  },
});
