import { sql } from 'kysely';
import { defineModel } from '../model.js';

export default defineModel({
  name: 'dim_branches',
  layer: 'core',
  grain: 'one row per branch (latest business date that listed it)',
  primaryKey: ['branch_id'],
  description: 'Branches (分支机构) with their latest names; used for labels only (month-end facts carry the branch as of the month).',
  inherits: ['staging.stg_lender__branches'],
  columns: {
    last_listed_on: 'Latest business date whose branch list included the branch.',
  },
  query: () => sql`
    SELECT branch_id, branch_name_zh, branch_name_en, region, last_listed_on
    FROM (
      SELECT branch_id, branch_name_zh, branch_name_en, region, business_date AS last_listed_on,
        row_number() OVER (PARTITION BY branch_id ORDER BY business_date DESC) AS latest
      FROM staging.stg_lender__branches
    ) AS listed
    WHERE latest = 1`,
});
