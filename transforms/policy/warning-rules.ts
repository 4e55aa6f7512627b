import type { RuleExpression } from './rule-expression.js';

/**
 * Post-loan warning rules (贷后预警规则): the typed in-memory form of `policy/warning-rules.yaml`
 * (or the operator's `policyDir` copy), read and checked by `loadPolicy`
 * (transforms/policy/read-policy.ts). Each rule is a named condition over the signals of a loan at
 * a month end (the vocabulary is {@link WARNING_SIGNALS} in warning-signals.ts), with a severity
 * and the role that owns the follow-up. Every night the rules flag loans onto the watch-list
 * (marts.mart_monitoring__watch_list) and the backtest measures how well each rule foretold NPLs
 * (marts.mart_monitoring__rule_backtest). Documented in docs/monitoring.md.
 *
 * @example
 * loadPolicy().warnings.rules.find((r) => r.id === 'dpd_over_30')?.when.text; // 'days_past_due > 30'
 */
export interface WarningRules {
  readonly rules: readonly WarningRule[];
}

/** Severity of a warning rule, mildest first. */
export const WARNING_SEVERITIES = ['low', 'medium', 'high'] as const;
export type WarningSeverity = (typeof WARNING_SEVERITIES)[number];

/** Roles that own the follow-up of a flagged loan. */
export const OWNER_ROLES = ['account_manager', 'risk_officer', 'collections', 'branch_head'] as const;
export type OwnerRole = (typeof OWNER_ROLES)[number];

/** Chinese and English names of severities and owner roles (one home for the words). */
export const WARNING_LABELS: Readonly<Record<WarningSeverity | OwnerRole, { zh: string; en: string }>> = {
  low: { zh: '低', en: 'Low' },
  medium: { zh: '中', en: 'Medium' },
  high: { zh: '高', en: 'High' },
  account_manager: { zh: '客户经理', en: 'Account manager' },
  risk_officer: { zh: '风险经理', en: 'Risk officer' },
  collections: { zh: '催收岗', en: 'Collections' },
  branch_head: { zh: '支行负责人', en: 'Branch head' },
};

/** One warning rule. */
export interface WarningRule {
  /** Stable id (lower_snake_case), the key of the rule in the warehouse. */
  readonly id: string;
  readonly nameZh: string;
  readonly nameEn: string;
  readonly severity: WarningSeverity;
  readonly owner: OwnerRole;
  /** The condition, parsed and checked against the signal vocabulary. */
  readonly when: RuleExpression;
}
