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
