import { defineEntity } from '../types.js';

/** KYC / information verification checks. */
export const verifications = defineEntity({
  name: 'verifications',
  description: 'Information verification checks (信息核验, KYC): submitted, verified, result, and the quality-audit outcome where the check was sampled.',
  history: 'versioned',
  columns: [
    { name: 'verification_id', type: 'text', required: true, description: 'Check id.' },
    { name: 'customer_id', type: 'text', required: true, description: 'Customer checked.' },
    { name: 'submitted_at', type: 'timestamp', required: true, description: 'When the check was submitted.' },
    { name: 'verified_at', type: 'timestamp', required: false, description: 'When the check completed; empty while pending.' },
    { name: 'result', type: 'text', required: true, description: 'pass, fail or pending.', values: ['pass', 'fail', 'pending'] },
    {
      name: 'audit_outcome',
      type: 'text',
      required: false,
      description: 'Quality audit of a sampled check: correct or incorrect; empty when not sampled.',
      values: ['correct', 'incorrect'],
    },
  ],
  primaryKey: ['verification_id'],
  references: [{ column: 'customer_id', entity: 'customers', entityColumn: 'customer_id' }],
  rules: [{ id: 'verified_after_submitted', sql: 'verified_at IS NULL OR verified_at >= submitted_at', message: 'verified_at is before submitted_at' }],
});
