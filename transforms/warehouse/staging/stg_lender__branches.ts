import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__branches',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per branch per business date (full reference list each date)',
  primaryKey: ['branch_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Branch reference list as extracted by the lender, renamed to warehouse conventions.',
  inherits: ['raw.branches'],
  columns: {
    branch_name_zh: { from: 'name_zh' },
    branch_name_en: { from: 'name_en' },
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.branches')
      .select([
        'branch_id',
        'name_zh as branch_name_zh',
        'name_en as branch_name_en',
        'region',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
