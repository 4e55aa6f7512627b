import { asList, asMap, checkKeys, parseYaml, show, type Fail } from './policy-yaml.js';
import { parseRuleExpression, RuleExpressionError, type SignalTypes } from './rule-expression.js';
import { OWNER_ROLES, WARNING_SEVERITIES, type OwnerRole, type WarningRule, type WarningRules, type WarningSeverity } from './warning-rules.js';
import { WARNING_SIGNALS } from './warning-signals.js';

const RULE_KEYS = ['id', 'name_zh', 'name_en', 'severity', 'owner', 'when'] as const;
const EXAMPLES: Record<string, string> = {
  rules: '"rules:" with one "- id: …" item per rule',
  id: '"id: dpd_over_30" (lower case letters, digits and _)',
  name_zh: '"name_zh: 逾期超过30天"',
  name_en: '"name_en: More than 30 days past due"',
  severity: '"severity: high" (low, medium or high)',
  owner: '"owner: collections" (account_manager, risk_officer, collections or branch_head)',
  when: '"when: days_past_due > 30" (signals in docs/monitoring.md)',
};

/** Signal name → type, from the vocabulary. */
export const SIGNAL_TYPES: SignalTypes = new Map(WARNING_SIGNALS.map((s) => [s.name, s.type]));

/**
 * Parses and checks the text of a warning rules policy (`warning-rules.yaml`); `file` names it in
 * errors (POLICY_INVALID with file, line, key and fix): unknown or misspelt keys, duplicate or
 * malformed ids, an unknown severity or owner, and a `when` that does not parse, names an unknown
 * signal (with the nearest one) or mixes types.
 *
 * @example
 * parseWarningRulesPolicy('rules:\n  - id: dpd_over_30\n    name_zh: 逾期超过30天\n    name_en: Over 30 days past due\n    severity: high\n    owner: collections\n    when: days_past_due > 30\n', 'w.yaml').rules[0]!.when.signals;
 * // ['days_past_due']
 */
export function parseWarningRulesPolicy(text: string, file: string): WarningRules {
  const { root, fail } = parseYaml(text, file);
  return checkWarningRules(root, fail);
}

/**
 * Checks warning rules in the file's form (snake_case keys) through `fail`.
 *
 * @example
 * checkWarningRules({ rules: [{ id: 'x', name_zh: '甲', name_en: 'X', severity: 'low', owner: 'risk_officer', when: 'is_npl' }] }, fail);
 */
export function checkWarningRules(root: unknown, fail: Fail): WarningRules {
  const top = asMap(root, [], fail, 'a mapping with the key rules', 'start from the shipped policy/warning-rules.yaml');
  checkKeys(top, [], ['rules'], ['rules'], fail, EXAMPLES);
  const list = asList(top.rules, ['rules'], fail, 'add at least one rule, e.g. "- id: dpd_over_30" with name_zh, name_en, severity, owner and "when: days_past_due > 30"');
  const seen = new Map<string, number>();
  const rules = list.map((item, k): WarningRule => {
    const at = ['rules', k];
    const r = asMap(item, at, fail, `a rule with the keys ${RULE_KEYS.join(', ')}`, 'write the rule as "- id: …" followed by its keys indented below it');
    checkKeys(r, at, RULE_KEYS, RULE_KEYS, fail, EXAMPLES);
    const id = text(r.id, [...at, 'id'], fail);
    if (!/^[a-z][a-z0-9_]{0,62}$/.test(id)) fail([...at, 'id'], `"${id}" is not a rule id.`, `use lower case letters, digits and _, starting with a letter (e.g. ${id.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^[^a-z]+/, '') || 'dpd_over_30'}).`);
    const first = seen.get(id);
    if (first !== undefined) fail([...at, 'id'], `the id "${id}" is already used by rule ${first + 1}.`, 'give each rule its own id (the watch-list and the backtest are keyed by it).');
    seen.set(id, k);
    const severity = text(r.severity, [...at, 'severity'], fail);
    if (!(WARNING_SEVERITIES as readonly string[]).includes(severity)) fail([...at, 'severity'], `${show(r.severity)} is not a severity.`, `use one of ${WARNING_SEVERITIES.join(', ')}.`);
    const owner = text(r.owner, [...at, 'owner'], fail);
    if (!(OWNER_ROLES as readonly string[]).includes(owner)) fail([...at, 'owner'], `${show(r.owner)} is not an owner role.`, `use one of ${OWNER_ROLES.join(', ')}.`);
    const when = text(r.when, [...at, 'when'], fail);
    try {
      return {
        id,
        nameZh: text(r.name_zh, [...at, 'name_zh'], fail),
        nameEn: text(r.name_en, [...at, 'name_en'], fail),
        severity: severity as WarningSeverity,
        owner: owner as OwnerRole,
        when: parseRuleExpression(when, SIGNAL_TYPES),
      };
    } catch (e) {
      if (e instanceof RuleExpressionError) fail([...at, 'when'], `"${when}": ${e.message}`, e.fix);
      throw e;
    }
  });
  return { rules };
}

/** The warning rules in the file's form. @example warningRulesToPlain(rules).rules[0].when // 'days_past_due > 30' */
export function warningRulesToPlain(w: WarningRules): Record<string, unknown> {
  return { rules: w.rules.map((r) => ({ id: r.id, name_zh: r.nameZh, name_en: r.nameEn, severity: r.severity, owner: r.owner, when: r.when.text })) };
}

function text(v: unknown, at: readonly (string | number)[], fail: Fail): string {
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (typeof v !== 'string' || v.trim() === '') fail(at, `expected a text, got ${show(v)}.`, `write ${EXAMPLES[String(at.at(-1))] ?? 'a value'}.`);
  return (v as string).trim();
}
