import { sql } from 'kysely';
import { quoteLiteral } from '../../lib/duckdb.js';
import { activeRules } from '../../policy/business-rules.js';
import { defineModel } from '../model.js';

/** Rule id of the source system's own warnings in the backtest (not a policy rule). */
export const SOURCE_SYSTEM_RULE = 'source_system';

export default defineModel({
  name: 'dim_warning_rules',
  layer: 'core',
  grain: 'one row per post-loan warning rule, plus one row for the source system',
  primaryKey: ['rule_id'],
  description:
    "The post-loan warning rules in force (policy/warning-rules.yaml, docs/monitoring.md): id, names, severity, owner role and condition, in the file's order; plus the row 'source_system' — the source system's own early warnings (a loan is flagged while one about it or its customer is open), which the backtest measures beside the rules. Reference data only.",
  columns: {
    rule_id: "Rule id (policy/warning-rules.yaml), or 'source_system'.",
    name_zh: 'Chinese name.',
    name_en: 'English name.',
    label: "Display label: Chinese and English, e.g. '逾期超过30天 More than 30 days past due'.",
    severity: 'low, medium or high (NULL for source_system).',
    owner_role: 'account_manager, risk_officer, collections or branch_head (NULL for source_system).',
    condition: "The rule's condition as written in the policy file.",
    is_policy_rule: 'A rule of the policy file (false: the source system row).',
    sort_order: 'Order of the rule in the file (source_system last).',
  },
  tests: [
    { kind: 'accepted_values', column: 'severity', values: ['low', 'medium', 'high'] },
    { kind: 'accepted_values', column: 'owner_role', values: ['account_manager', 'risk_officer', 'collections', 'branch_head'] },
  ],
  query: () => {
    const rules = activeRules().warnings.rules;
    const rows = rules.map((r, i) => `(${[r.id, r.nameZh, r.nameEn, r.severity, r.owner, r.when.text].map(quoteLiteral).join(', ')}, true, ${i + 1})`);
    rows.push(`(${quoteLiteral(SOURCE_SYSTEM_RULE)}, '源系统预警', 'Source-system warnings', NULL, NULL, ${quoteLiteral('open_source_warnings > 0')}, false, ${rules.length + 1})`);
    return sql`
    SELECT rule_id, name_zh, name_en, name_zh || ' ' || name_en AS label, severity, owner_role, condition, is_policy_rule, CAST(sort_order AS INTEGER) AS sort_order
    FROM (VALUES ${sql.raw(rows.join(',\n      '))}) AS r(rule_id, name_zh, name_en, severity, owner_role, condition, is_policy_rule, sort_order)`;
  },
});
