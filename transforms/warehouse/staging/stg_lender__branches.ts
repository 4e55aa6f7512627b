import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__branches',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per branch per business date (full reference list each date)',
  primaryKey: ['branch_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'Branch reference list as extracted by the lender, renamed to warehouse conventions.',
  columns: {
    branch_id: 'Branch code.',
    branch_name_zh: 'Branch name in Chinese.',
    branch_name_en: 'Branch name in English.',
    region: 'Region.',
    business_date: 'Business date of the extract that carried the row.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
