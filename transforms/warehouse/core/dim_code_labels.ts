import { sql } from 'kysely';
import { quoteLiteral } from '../../lib/duckdb.js';
import { CODE_LABELS } from '../code-labels.js';
import { defineModel } from '../model.js';

const values = CODE_LABELS.map((l) => `(${[l.kind, l.code, l.zh, l.en].map(quoteLiteral).join(', ')}, ${l.order})`).join(',\n      ');

export default defineModel({
  name: 'dim_code_labels',
  layer: 'core',
  grain: 'one row per kind of code and code',
  primaryKey: ['kind', 'code'],
  description:
    'Chinese and English label (代码标签) of every code the reports show: branches and products from their extracts ' +
    '(dim_branches, dim_products), every other code (slice, five-category class, customer type, grade, lag bucket, ' +
    'delinquency bucket, NPL movement, …) from transforms/warehouse/code-labels.ts. Reference data only: no customer or loan.',
  columns: {
    kind: "What the code is: 'branch', 'product', 'slice', 'five_class', 'customer_type', 'grade', 'lag_bucket', 'lead_band', 'delinquency_bucket', 'npl_movement', ….",
    code: 'The code as stored in the warehouse (branch_id, product_id, recorded_class, lag_bucket, …).',
    label_zh: 'Chinese label.',
    label_en: 'English label.',
    label: "Display label: Chinese and English, e.g. '关注 Special mention', '北京分行 Beijing Branch'.",
    sort_order: 'Display order within the kind (1 = first); branches and products by code.',
  },
  tests: [
    { kind: 'not_null', columns: ['label_zh', 'label_en', 'sort_order'] },
    { kind: 'expression', name: 'label_is_zh_and_en', sql: "label = label_zh || ' ' || label_en" },
  ],
  query: () => sql`
    WITH coded(kind, code, label_zh, label_en, sort_order) AS (VALUES
      ${sql.raw(values)}
    ),
    refs AS (
      SELECT 'branch' AS kind, branch_id AS code, branch_name_zh AS label_zh, branch_name_en AS label_en,
        CAST(row_number() OVER (ORDER BY branch_id) AS INTEGER) AS sort_order
      FROM core.dim_branches
      UNION ALL
      SELECT 'product', product_id, product_name_zh, product_name_en,
        CAST(row_number() OVER (ORDER BY product_id) AS INTEGER)
      FROM core.dim_products
      UNION ALL
      SELECT kind, code, label_zh, label_en, CAST(sort_order AS INTEGER) FROM coded
    )
    SELECT kind, code, label_zh, label_en, label_zh || ' ' || label_en AS label, sort_order
    FROM refs
    ORDER BY kind, sort_order`,
});
