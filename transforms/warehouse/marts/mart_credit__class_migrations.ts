import { sql } from 'kysely';
import { FIVE_CLASSES } from '../../policy/five-category.js';
import { sliceGrouping } from '../dimensions.js';
import { defineModel } from '../model.js';
import { MIGRATION_TO_STATES, orderSql } from '../class-migration.js';

const g = sliceGrouping(['as_of_month', 'period', 'period_start', 'from_class', 'to_class'], ['branch_id', 'product_id']);
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const AMOUNTS = [
  'opening_balance',
  'decrease_repaid',
  'decrease_written_off',
  'decrease_transferred',
  'decrease_unreported',
  'decrease',
  'remaining_balance',
  'migrated_balance',
  'closing_balance',
] as const;

export default defineModel({
  name: 'mart_credit__class_migrations',
  layer: 'marts',
  grain: 'one row per period end month × slice (all / branch / product) × period (month / ytd) × from class × to class',
  primaryKey: ['as_of_month', 'slice', 'slice_value', 'period', 'from_class', 'to_class'],
  description:
    "Loan classification migration matrix (贷款迁徙矩阵, 《商业银行风险监管核心指标（试行）》迁徙率) for the whole book and per branch and product: marts.mart_credit__class_migration_cube summed per slice, with every from class × to state present (0 where no loan moved) for each month, slice and period that has a cohort. opening_balance summed over to_class is the class's balance at the period start (marts.mart_credit__five_category_distribution); a migration rate is Σ migrated_balance ÷ Σ remaining_balance (= opening − decrease) of the from class(es). Branch / product are the loan's at the period start. Aggregated; no personal data.",
  inherits: ['marts.mart_credit__class_migration_cube'],
  columns: {
    slice: "'all', 'branch' or 'product'.",
    slice_value: "'ALL' or the code (the loan's at the period start).",
  },
  tests: [
    { kind: 'accepted_values', column: 'slice', values: ['all', 'branch', 'product'] },
    {
      kind: 'query',
      name: 'opening_equals_class_balance_at_period_start',
      sql: `WITH m AS (
              SELECT as_of_month, period, period_start, slice, slice_value, from_class, sum(opening_balance) AS opening
              FROM marts.mart_credit__class_migrations GROUP BY as_of_month, period, period_start, slice, slice_value, from_class
            )
            SELECT m.*, f.balance FROM m
            LEFT JOIN marts.mart_credit__five_category_distribution f
              ON f.as_of_month = m.period_start AND f.slice = m.slice AND f.slice_value = m.slice_value AND CAST(f.recorded_class AS VARCHAR) = m.from_class
            WHERE m.opening IS DISTINCT FROM coalesce(f.balance, CASE WHEN m.opening = 0 THEN 0 END)`,
    },
    {
      kind: 'query',
      name: 'slices_add_up_to_the_book',
      sql: `SELECT as_of_month, period, from_class, to_class FROM marts.mart_credit__class_migrations
            GROUP BY as_of_month, period, from_class, to_class
            HAVING sum(opening_balance) FILTER (WHERE slice = 'all') IS DISTINCT FROM sum(opening_balance) FILTER (WHERE slice = 'branch')
                OR sum(remaining_balance) FILTER (WHERE slice = 'all') IS DISTINCT FROM sum(remaining_balance) FILTER (WHERE slice = 'product')`,
    },
    { kind: 'expression', name: 'migrated_within_remaining', sql: 'migrated_balance <= remaining_balance AND remaining_balance = opening_balance - decrease' },
  ],
  query: () => sql`
    WITH a AS (
      SELECT as_of_month, ${sql.raw(g.slice)} AS slice, ${sql.raw(g.sliceValue)} AS slice_value, period, period_start, from_class, to_class,
        CAST(sum(loans) AS BIGINT) AS loans, ${sql.raw(AMOUNTS.map((c) => `sum(${c}) AS ${c}`).join(', '))}
      FROM marts.mart_credit__class_migration_cube
      GROUP BY ${sql.raw(g.groupBy)}
    ),
    frame AS (
      SELECT DISTINCT a.as_of_month, a.slice, a.slice_value, a.period, a.period_start, fc.from_class, tc.to_class
      FROM a,
        (SELECT unnest(ARRAY[${sql.raw(FIVE_CLASSES.map(lit).join(', '))}]) AS from_class) fc,
        (SELECT unnest(ARRAY[${sql.raw(MIGRATION_TO_STATES.map(lit).join(', '))}]) AS to_class) tc
    ),
    r AS (
      SELECT f.as_of_month, f.slice, f.slice_value, f.period, f.period_start, f.from_class,
        ${sql.raw(orderSql('f.from_class', FIVE_CLASSES))} AS from_class_rank,
        f.to_class,
        ${sql.raw(orderSql('f.to_class', FIVE_CLASSES))} AS to_class_rank,
        ${sql.raw(orderSql('f.to_class', MIGRATION_TO_STATES))} AS to_order,
        coalesce(a.loans, 0) AS loans,
        ${sql.raw(
          AMOUNTS.map((c) => (c === 'closing_balance' ? `CAST(a.${c} AS DECIMAL(38, 2)) AS ${c}` : `CAST(coalesce(a.${c}, 0) AS DECIMAL(38, 2)) AS ${c}`)).join(',\n        '),
        )}
      FROM frame f LEFT JOIN a USING (as_of_month, slice, slice_value, period, period_start, from_class, to_class)
    )
    SELECT as_of_month, slice, slice_value, period, period_start, from_class, from_class_rank, to_class, to_class_rank, to_order,
      coalesce(to_class_rank > from_class_rank, false) AS is_worse, to_class_rank IS NULL AS is_exit,
      loans, ${sql.raw(AMOUNTS.join(', '))}
    FROM r`,
});
