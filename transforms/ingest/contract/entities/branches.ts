import { defineEntity } from '../types.js';

/** Branch reference list (full list every business date). */
export const branches = defineEntity({
  name: 'branches',
  description: 'Branches (分支机构) of the lender: reference list, full snapshot on every business date.',
  history: 'snapshot',
  columns: [
    { name: 'branch_id', type: 'text', required: true, description: 'Branch code, e.g. BJ01.' },
    { name: 'name_zh', type: 'text', required: true, description: 'Chinese name, e.g. 北京分行.' },
    { name: 'name_en', type: 'text', required: true, description: 'English name, e.g. Beijing Branch.' },
    { name: 'region', type: 'text', required: true, description: 'Region (华北, 华东, ...).' },
  ],
  primaryKey: ['branch_id'],
  references: [],
});
