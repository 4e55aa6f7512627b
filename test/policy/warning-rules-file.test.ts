import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { parseWarningRulesPolicy, SIGNAL_TYPES } from '../../transforms/policy/read-warning-rules.js';
import { parseRuleExpression, RuleExpressionError } from '../../transforms/policy/rule-expression.js';
import { WARNING_SIGNALS } from '../../transforms/policy/warning-signals.js';
import { ruleConditionSql } from '../../transforms/warehouse/warning-rules-sql.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';

/** A one-rule file; `when` and extra lines as given. Line 1 "rules:", line 2 "- id", …, line 7 "when". */
const file = (when: string, extra = '') =>
  `rules:\n  - id: r1\n    name_zh: 测试\n    name_en: Test\n    severity: high\n    owner: risk_officer\n    when: ${when}\n${extra}`;

function errorOf(text: string): { message: string; line?: number } {
  try {
    parseWarningRulesPolicy(text, 'policy-bank/warning-rules.yaml');
  } catch (e) {
    const err = e as { message: string; code: string; where: { line?: number } };
    expect(err.code).toBe('POLICY_INVALID');
    return { message: err.message, ...(err.where.line !== undefined ? { line: err.where.line } : {}) };
  }
  throw new Error('no error');
}

describe('policy/warning-rules.yaml', () => {
  it('the shipped file parses: every rule names known signals, ids are unique', () => {
    const rules = parseWarningRulesPolicy(readFileSync(join(SHIPPED_POLICY_DIR, 'warning-rules.yaml'), 'utf8'), 'policy/warning-rules.yaml').rules;
    expect(rules.length).toBeGreaterThanOrEqual(10);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) for (const s of r.when.signals) expect(SIGNAL_TYPES.has(s), `${r.id}: ${s}`).toBe(true);
  });

  it('a misspelt signal fails with file, line, key and the nearest signal', () => {
    const e = errorOf(file('day_past_due > 30'));
    expect(e.line).toBe(7);
    expect(e.message).toContain('policy-bank/warning-rules.yaml:7: rules[1].when: "day_past_due > 30": unknown signal "day_past_due" at character 1.');
    expect(e.message).toContain('Fix: did you mean "days_past_due"?');
  });

  it('an unknown key fails naming the spelling, a typo in a severity or owner names the choices', () => {
    expect(errorOf(file('is_npl', '    severty: low\n'))).toMatchObject({ line: 8, message: expect.stringContaining('rules[1].severty: unknown key "severty".') });
    expect(errorOf(file('is_npl').replace('severity: high', 'severity: urgent')).message).toContain('Fix: use one of low, medium, high.');
    expect(errorOf(file('is_npl').replace('owner: risk_officer', 'owner: manager')).message).toContain('account_manager, risk_officer, collections, branch_head');
    expect(errorOf(file('is_npl').replace('ownerRole', 'x').replace('owner: risk_officer', 'ownerRole: x')).message).toContain('unknown key "ownerRole"');
  });

  it('syntax and type errors say where and how to fix', () => {
    expect(errorOf(file('days_past_due > ')).message).toContain('expected a signal, a number or a text at the end');
    expect(errorOf(file('days_past_due >> 30')).message).toContain('at character 16');
    expect(errorOf(file('days_past_due > 30 && is_npl')).message).toContain('Fix: write "and".');
    expect(errorOf(file('days_past_due == 30')).message).toContain('write a single "=" to compare');
    expect(errorOf(file('pd > 5%')).message).toContain('write 0.05 for 5%');
    expect(errorOf(file('days_past_due')).message).toContain('the condition is a number, not true or false');
    expect(errorOf(file("product_id > 'car'")).message).toContain('">" needs numbers');
    expect(errorOf(file('product_id = car')).message).toContain('unknown signal "car"');
    expect(errorOf(file('days_past_due > 30 is_npl')).message).toContain('join two conditions with "and" or "or"');
    expect(errorOf(file('(days_past_due > 30')).message).toContain('close every "(" with ")"');
  });

  it('two rules with one id fail at the second', () => {
    const two = file('is_npl') + file('is_npl').replace('rules:\n', '');
    expect(errorOf(two)).toMatchObject({ line: 8, message: expect.stringContaining('the id "r1" is already used by rule 1') });
  });
});

describe('the condition language compiles to SQL that DuckDB evaluates with NULL as "not fired"', () => {
  it('arithmetic, comparisons, and / or / not, is null, and a division by zero', async () => {
    const wh = await openWarehouse(':memory:');
    try {
      const cols = WARNING_SIGNALS.map((s) => `CAST(NULL AS ${s.type === 'number' ? 'DOUBLE' : s.type === 'boolean' ? 'BOOLEAN' : 'VARCHAR'}) AS ${s.name}`).join(', ');
      const fires = async (when: string, values: Record<string, string>) => {
        const sql = ruleConditionSql({ when: parseRuleExpression(when, SIGNAL_TYPES) });
        const sets = Object.entries(values).map(([k, v]) => `${v} AS ${k}`).join(', ');
        const [r] = await wh.all<{ f: boolean }>(`SELECT ${sql} AS f FROM (SELECT * REPLACE (${sets}) FROM (SELECT ${cols}))`);
        return r!.f;
      };
      expect(await fires('pd >= 2 * prev_pd and pd >= 0.05', { pd: '0.10', prev_pd: '0.05' })).toBe(true); // 0.10 ≥ 2 × 0.05
      expect(await fires('pd >= 2 * prev_pd and pd >= 0.05', { pd: '0.09', prev_pd: '0.05' })).toBe(false);
      expect(await fires('pd >= 2 * prev_pd', { pd: '0.09', prev_pd: 'NULL' })).toBe(false); // no previous month: not fired
      expect(await fires('not (days_past_due > 30)', { days_past_due: 'NULL' })).toBe(false); // unknown stays not fired under not
      expect(await fires('prev_pd is null', { prev_pd: 'NULL' })).toBe(true);
      expect(await fires("product_id = 'car' or is_npl", { product_id: "'car'", is_npl: 'false' })).toBe(true);
      expect(await fires('balance / prev_balance > 1.1', { balance: '120', prev_balance: '0' })).toBe(false); // ÷ 0 → NULL
      expect(await fires('-days_past_due < -30', { days_past_due: '31' })).toBe(true);
    } finally {
      await wh.close();
    }
  });

  it('a RuleExpressionError carries the fix separately', () => {
    try {
      parseRuleExpression('dayz_past_due > 1', SIGNAL_TYPES);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleExpressionError);
      expect((e as RuleExpressionError).fix).toContain('"days_past_due"');
    }
  });
});
