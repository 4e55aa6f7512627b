import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__verifications',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per verification check version (check per business date that carried it)',
  primaryKey: ['verification_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'KYC / information verification checks as extracted; a check is re-sent when it completes or is audited.',
  inherits: ['raw.verifications'],
  columns: {
    business_date: { from: '_business_date' },
    source_file: { from: '_source_file' },
    source_line: { from: '_source_line' },
  },
  query: (db) =>
    db
      .selectFrom('raw.verifications')
      .select([
        'verification_id',
        'customer_id',
        'submitted_at',
        'verified_at',
        'result',
        'audit_outcome',
        '_business_date as business_date',
        '_source_file as source_file',
        '_source_line as source_line',
      ]),
});
