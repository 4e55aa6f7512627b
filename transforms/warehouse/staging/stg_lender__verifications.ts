import { defineModel } from '../model.js';

export default defineModel({
  name: 'stg_lender__verifications',
  layer: 'staging',
  materialized: 'view',
  grain: 'one row per verification check version (check per business date that carried it)',
  primaryKey: ['verification_id', 'business_date'],
  uniqueEnforcedAtLoad: true,
  description: 'KYC / information verification checks as extracted; a check is re-sent when it completes or is audited.',
  columns: {
    verification_id: 'Check id.',
    customer_id: 'Customer checked.',
    submitted_at: 'Submitted.',
    verified_at: 'Completed.',
    result: 'pass, fail or pending.',
    audit_outcome: 'correct / incorrect when sampled for quality audit.',
    business_date: 'Business date of the extract that carried this version.',
    source_file: 'Extract file the row came from.',
    source_line: 'Line in the extract file (1 = header).',
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
