import type { RuleNode } from '../policy/rule-expression.js';
import type { WarningRule } from '../policy/warning-rules.js';
import { quoteLiteral } from '../lib/duckdb.js';
import { WARNING_SIGNALS } from '../policy/warning-signals.js';

/**
 * SQL of a warning rule's checked condition (policy/warning-rules.yaml, parsed by
 * transforms/policy/rule-expression.ts): each signal becomes a column of
 * core.fct_loan_month_signals (prefixed by `alias.` when given); NULL (a missing previous month)
 * makes a comparison unknown, and the rule fires only where the whole condition is true.
 *
 * @example
 * ruleConditionSql(rule); // "coalesce((days_past_due > 30) AND (days_past_due <= 60), false)" for "days_past_due > 30 and days_past_due <= 60"
 */
export function ruleConditionSql(rule: Pick<WarningRule, 'when'>, alias?: string): string {
  return `coalesce(${nodeSql(rule.when.ast, alias)}, false)`;
}

function nodeSql(n: RuleNode, alias: string | undefined): string {
  switch (n.k) {
    case 'or':
    case 'and':
      return n.items.map((i) => `(${nodeSql(i, alias)})`).join(n.k === 'or' ? ' OR ' : ' AND ');
    case 'not':
      return `NOT (${nodeSql(n.item, alias)})`;
    case 'cmp':
      return `(${nodeSql(n.left, alias)}) ${n.op} (${nodeSql(n.right, alias)})`;
    case 'arith':
      // Division by zero is NULL (the rule does not fire), not an error that stops the build.
      return n.op === '/' ? `(${nodeSql(n.left, alias)}) / nullif(${nodeSql(n.right, alias)}, 0)` : `(${nodeSql(n.left, alias)}) ${n.op} (${nodeSql(n.right, alias)})`;
    case 'neg':
      return `-(${nodeSql(n.item, alias)})`;
    case 'isnull':
      return `(${nodeSql(n.item, alias)}) IS ${n.negated ? 'NOT ' : ''}NULL`;
    case 'num':
      return Number.isInteger(n.value) ? String(n.value) : `${n.value}::DOUBLE PRECISION`;
    case 'str':
      return quoteLiteral(n.value);
    case 'bool':
      return n.value ? 'true' : 'false';
    case 'signal':
      if (!/^[a-z_][a-z0-9_]*$/.test(n.name)) throw new Error(`signal name ${n.name}`);
      return alias ? `${alias}.${n.name}` : n.name;
  }
}

/**
 * The evidence of a flag: the values of the signals the rule reads, as text
 * (`days_past_due=45; prev_days_past_due=20`; an empty value reads `—`).
 *
 * @example
 * ruleEvidenceSql(rule, 's'); // "concat_ws('; ', 'days_past_due=' || coalesce(CAST(s.days_past_due AS VARCHAR), '—'))"
 */
export function ruleEvidenceSql(rule: Pick<WarningRule, 'when'>, alias?: string): string {
  const parts = rule.when.signals.map((s) => {
    const col = alias ? `${alias}.${s}` : s;
    const d = WARNING_SIGNALS.find((w) => w.name === s)?.decimals;
    return `'${s}=' || coalesce(CAST(${d === undefined ? col : `round(${col}, ${d})`} AS VARCHAR), '—')`;
  });
  return `concat_ws('; ', ${parts.join(', ')})`;
}
