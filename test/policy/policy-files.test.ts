import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRules } from '../../transforms/policy/business-rules.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError } from '../../transforms/lib/errors.js';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import { loadCheckedConfig as loadConfig } from '../../transforms/operations/check-config.js';
import { checkRules, loadPolicy, parseFloorPolicy, parseGradingPolicy, POLICY_FILES, SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { lineOf, policyError } from '../helpers/policy-errors.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * The lender policy files (policy/customer-grading.yaml, policy/classification-floor.yaml,
 * policy/kpi-rules.yaml; the KPI rules file has its own tests in kpi-rules-file.test.ts): the
 * shipped defaults, and every check of the loader — each bad file must give POLICY_INVALID naming
 * the file, the line, the key and the fix.
 */
const SHIPPED = {
  grading: readFileSync(join(SHIPPED_POLICY_DIR, POLICY_FILES.grading), 'utf8'),
  floor: readFileSync(join(SHIPPED_POLICY_DIR, POLICY_FILES.floor), 'utf8'),
  kpi: readFileSync(join(SHIPPED_POLICY_DIR, POLICY_FILES.kpi), 'utf8'),
};

/** A policy folder: the shipped files, with `edit` applied to one of them. */
function policyDir(which: 'grading' | 'floor' | 'kpi', edit: (text: string) => string): { dir: string; file: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cq-policy-'));
  cpSync(SHIPPED_POLICY_DIR, dir, { recursive: true });
  const file = join(dir, POLICY_FILES[which]);
  const text = edit(SHIPPED[which]);
  writeFileSync(file, text);
  return { dir, file, text };
}

/** Replaces exactly one occurrence (the test fails when the shipped file no longer has it). */
function once(from: string, to: string): (text: string) => string {
  return (text) => {
    const at = text.indexOf(from);
    if (at < 0 || text.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" is not in the shipped file exactly once`);
    return text.slice(0, at) + to + text.slice(at + from.length);
  };
}

describe('the shipped policy files', () => {
  it('hold the documented defaults (docs/grading.md, docs/classification.md)', () => {
    const p = loadPolicy();
    expect(p.grading).toEqual({
      rules: [
        { grade: 'C', loanClassAtLeast: '次级', loanDpdOver: 90, pdAtLeast: 0.2, writtenOff: true },
        { grade: 'B', loanClassAtLeast: '关注', loanDpdOver: 0, pdAtLeast: 0.05 },
      ],
      fallback: 'A',
      pdMaxAgeMonths: 12,
    });
    expect(p.floor).toEqual({
      dpd: [
        { overDays: 360, floor: '损失' },
        { overDays: 270, floor: '可疑' },
        { overDays: 90, floor: '次级' },
        { overDays: 0, floor: '关注' },
      ],
      restructured: { floor: '次级', observationMonths: 12 },
    });
    expect(p.files.map((f) => [f.policy, f.file])).toEqual([
      ['customer-grading', 'policy/customer-grading.yaml'],
      ['classification-floor', 'policy/classification-floor.yaml'],
      ['kpi-rules', 'policy/kpi-rules.yaml'],
      ['kpi-targets', 'policy/kpi-targets.yaml'], // optional; the shipped one sets no override
      ['warning-rules', 'policy/warning-rules.yaml'],
      ['credit-file-cycles', 'policy/credit-file-cycles.yaml'],
    ]);
    expect(p.targets).toEqual({});
    // What code outside a build sees (docs generator, models compiled outside a build) is the same.
    expect(defaultRules().grading).toEqual(p.grading);
    expect(defaultRules().floor).toEqual(p.floor);
    expect(defaultRules().kpi).toEqual(p.kpi);
  });

  it('comment every key they set', () => {
    for (const text of Object.values(SHIPPED)) {
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const key = /^\s*(?:- )?([a-z_]+):/.exec(line)?.[1];
        if (!key || ['floor', 'grade', 'any_of'].includes(key)) return; // explained once above their list
        const commented = line.includes('#') || (lines[i - 1] ?? '').trimStart().startsWith('#') || text.includes(`# ${key}`) || text.includes(`\`${key}\``);
        expect(commented, `${key} (line ${i + 1})`).toBe(true);
      });
    }
  });
});

describe('customer-grading.yaml: every error names the file, the line, the key and the fix', () => {
  const C = "  - grade: C";
  const cases: { name: string; edit: (t: string) => string; line: (t: string) => number; key: string; message: string; fix: string }[] = [
    {
      name: 'PD as a percentage number',
      edit: once('pd_at_least: 0.2\n', 'pd_at_least: 20\n'),
      line: (t) => lineOf(t, 'pd_at_least: 20'),
      key: 'rules[1].any_of.pd_at_least',
      message: '20 is out of range (above 0, at most 1).',
      fix: 'write the PD as a fraction: 0.2 for 20%.',
    },
    { name: 'PD with a % sign', edit: once('pd_at_least: 0.2\n', 'pd_at_least: 20%\n'), line: (t) => lineOf(t, 'pd_at_least: 20%'), key: 'rules[1].any_of.pd_at_least', message: 'expected a probability as a number, got the text "20%".', fix: 'write 0.2 for 20%.' },
    { name: 'PD of 0', edit: once('pd_at_least: 0.05', 'pd_at_least: 0'), line: (t) => lineOf(t, 'pd_at_least: 0 '), key: 'rules[2].any_of.pd_at_least', message: '0 is out of range (above 0, at most 1).', fix: 'e.g. 0.2 for 20%.' },
    { name: 'a grade not in A/B/C', edit: once(C, '  - grade: D'), line: (t) => lineOf(t, 'grade: D'), key: 'rules[1].grade', message: 'the text "D" is not a grade.', fix: 'use A (优质 prime), B (一般 standard) or C (高风险 high risk).' },
    { name: 'a lower-case grade', edit: once(C, '  - grade: c'), line: (t) => lineOf(t, 'grade: c'), key: 'rules[1].grade', message: 'the text "c" is not a grade.', fix: 'write it as C.' },
    { name: 'a class not among the five', edit: once('loan_class_at_least: 次级', 'loan_class_at_least: 次'), line: (t) => lineOf(t, 'loan_class_at_least: 次'), key: 'rules[1].any_of.loan_class_at_least', message: 'the text "次" is not a five-category class.', fix: 'use one of 关注, 次级, 可疑, 损失' },
    { name: '正常 as a class threshold', edit: once('loan_class_at_least: 关注', 'loan_class_at_least: 正常'), line: (t) => lineOf(t, 'loan_class_at_least: 正常'), key: 'rules[2].any_of.loan_class_at_least', message: '正常 is not allowed here', fix: 'use 关注, 次级, 可疑 or 损失' },
    { name: 'a camelCase key', edit: once('pd_at_least: 0.05', 'pdAtLeast: 0.05'), line: (t) => lineOf(t, 'pdAtLeast'), key: 'rules[2].any_of.pdAtLeast', message: 'unknown key "pdAtLeast".', fix: 'write it as "pd_at_least".' },
    { name: 'an unknown top-level key', edit: once('pd_max_age_months: 12', 'pd_max_age: 12'), line: (t) => lineOf(t, 'pd_max_age: 12'), key: 'pd_max_age', message: 'unknown key "pd_max_age".', fix: 'the keys here are rules, fallback, pd_max_age_months.' },
    { name: 'a missing fallback', edit: once('\nfallback: A\n', '\n'), line: () => 1, key: '(file)', message: 'the key "fallback" is missing at the top of the file.', fix: 'add "fallback: A"' },
    { name: 'days with a fraction', edit: once('loan_dpd_over: 90', 'loan_dpd_over: 90.5'), line: (t) => lineOf(t, 'loan_dpd_over: 90.5'), key: 'rules[1].any_of.loan_dpd_over', message: 'expected a whole number of days, got 90.5.', fix: 'write a whole number of days from 0 to 3650, without quotes.' },
    { name: 'negative days', edit: once('loan_dpd_over: 0 ', 'loan_dpd_over: -1 '), line: (t) => lineOf(t, 'loan_dpd_over: -1'), key: 'rules[2].any_of.loan_dpd_over', message: '-1 days is out of range (0 to 3650).', fix: 'from 0 to 3650' },
    { name: 'a quoted number', edit: once('loan_dpd_over: 90', 'loan_dpd_over: "90"'), line: (t) => lineOf(t, 'loan_dpd_over: "90"'), key: 'rules[1].any_of.loan_dpd_over', message: 'expected a whole number of days, got the text "90".', fix: 'without quotes.' },
    {
      name: 'rules not most severe first',
      edit: (t) => once('  - grade: X', '  - grade: B')(once('  - grade: B', '  - grade: C')(once(C, '  - grade: X')(t))), // swap C and B
      line: (t) => lineOf(t, '- grade: C'),
      key: 'rules[2].grade',
      message: 'rules must go from the most severe grade to the mildest (C, then B, then A), but C 高风险 comes after B 一般 (rule 1)',
      fix: 'move this rule above rule 1.',
    },
    { name: 'two rules for one grade', edit: once('  - grade: B', '  - grade: C'), line: (t) => lineOf(t, '- grade: C', lineOf(t, C)), key: 'rules[2].grade', message: 'grade C already has rule 1; each grade may have one rule.', fix: "move these conditions into rule 1's any_of" },
    {
      name: 'a B threshold no milder than C (dpd)',
      edit: once('loan_dpd_over: 0 ', 'loan_dpd_over: 90 '),
      line: (t) => lineOf(t, 'loan_dpd_over: 90 #'),
      key: 'rules[2].any_of.loan_dpd_over',
      message: 'loan_dpd_over 90 is not milder than rule 1 (C 高风险) loan_dpd_over 90: every customer it catches is already C, so it can never give B.',
      fix: 'lower it below 90, or remove it.',
    },
    { name: 'a B threshold no milder than C (PD)', edit: once('pd_at_least: 0.05', 'pd_at_least: 0.3'), line: (t) => lineOf(t, 'pd_at_least: 0.3'), key: 'rules[2].any_of.pd_at_least', message: 'pd_at_least 0.3 is not milder than rule 1 (C 高风险) pd_at_least 0.2', fix: 'lower it below 0.2, or remove it.' },
    { name: 'a B threshold no milder than C (class)', edit: once('loan_class_at_least: 关注', 'loan_class_at_least: 可疑'), line: (t) => lineOf(t, 'loan_class_at_least: 可疑'), key: 'rules[2].any_of.loan_class_at_least', message: 'loan_class_at_least 可疑 is not milder than rule 1 (C 高风险) loan_class_at_least 次级', fix: 'use a milder class than 次级 (e.g. 关注), or remove it.' },
    { name: 'a fallback not milder than the rules', edit: once('fallback: A', 'fallback: C'), line: (t) => lineOf(t, 'fallback: C'), key: 'fallback', message: "the fallback C 高风险 must be milder than every rule's grade, but rule 2 gives B 一般.", fix: 'set fallback to a milder grade than B (A is the usual one).' },
    { name: 'months out of range', edit: once('pd_max_age_months: 12', 'pd_max_age_months: 0'), line: (t) => lineOf(t, 'pd_max_age_months: 0'), key: 'pd_max_age_months', message: '0 months is out of range (1 to 120).', fix: 'write a whole number of months from 1 to 120, without quotes.' },
    { name: 'written_off: false', edit: once('written_off: true', 'written_off: false'), line: (t) => lineOf(t, 'written_off: false'), key: 'rules[1].any_of.written_off', message: 'must be true, got false.', fix: 'write "written_off: true", or remove the key' },
    { name: 'written_off: yes (YAML 1.2: a string)', edit: once('written_off: true', 'written_off: yes'), line: (t) => lineOf(t, 'written_off: yes'), key: 'rules[1].any_of.written_off', message: 'must be true, got the text "yes".', fix: 'write "written_off: true"' },
    { name: 'a key twice in one rule', edit: once('pd_at_least: 0.05 # PD ≥ 5%\n', 'pd_at_least: 0.05 # PD ≥ 5%\n      pd_at_least: 0.04\n'), line: (t) => lineOf(t, 'pd_at_least: 0.04'), key: '', message: 'a key appears twice in the same mapping.', fix: 'keep one of the two' },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { dir, file, text } = policyDir('grading', c.edit);
      const e = policyError(dir);
      expect(e.code).toBe('POLICY_INVALID');
      const line = c.line(text);
      expect(e.where).toMatchObject({ file, line });
      expect(e.message).toContain(`${file}:${line}: ${c.key ? `${c.key}: ` : ''}`);
      expect(e.message).toContain(c.message);
      expect(e.message).toMatch(/ Fix: /);
      expect(e.message.slice(e.message.indexOf(' Fix: '))).toContain(c.fix);
    });
  }

  it('small files: empty, no rules, a rule without conditions, broken YAML', () => {
    const err = (text: string) => {
      try {
        parseGradingPolicy(text, 'g.yaml');
      } catch (e) {
        return (e as CqError).message;
      }
      return 'loaded';
    };
    expect(err('')).toBe('g.yaml:1: (file): the file is empty; expected a mapping with the keys rules, fallback and pd_max_age_months. Fix: start from the shipped policy/customer-grading.yaml');
    expect(err('rules: []\nfallback: A\npd_max_age_months: 12\n')).toBe('g.yaml:1: rules: the list is empty. Fix: add at least one rule, e.g. "- grade: C" with "any_of: { loan_dpd_over: 90 }"');
    expect(err('rules:\n  - grade: C\n    any_of: {}\nfallback: A\npd_max_age_months: 12\n')).toBe(
      'g.yaml:3: rules[1].any_of: the rule for C 高风险 has no condition, so it would never apply. Fix: add at least one of loan_class_at_least, loan_dpd_over, pd_at_least, written_off, or remove the rule.',
    );
    expect(err('rules:\n  - grade: C\n    any_of: { pd_at_least: 0.5 }\nfallback: A\npd_max_age_months: 12\n')).toBe('loaded');
    expect(err('rules:\n  - grade: C\n   any_of: x\n')).toMatch(/^g\.yaml:3: not valid YAML \(.*\)\. Fix: correct the YAML at that line/);
    expect(err('rules:\n  - grade: C\n    any_of: { pd_at_least: 0.5 }\n  - grade: A\n    any_of: { pd_at_least: 0.1 }\nfallback: A\npd_max_age_months: 12\n')).toBe(
      "g.yaml:6: fallback: the fallback A 优质 must be milder than every rule's grade, but rule 2 gives A 优质. Fix: remove the rule for grade A: customers no rule applies to are A already.",
    );
  });

  it('the example error in docs/grading.md is the real message', () => {
    const text = once('pd_at_least: 0.2\n', 'pd_at_least: 20\n')(SHIPPED.grading);
    let message = '';
    try {
      parseGradingPolicy(text, join(SHIPPED_POLICY_DIR, POLICY_FILES.grading)); // shown as policy/customer-grading.yaml
    } catch (e) {
      message = (e as CqError).message;
    }
    expect(message).toMatch(/^policy\/customer-grading\.yaml:\d+: /);
    expect(readFileSync('docs/grading.md', 'utf8')).toContain(`error [POLICY_INVALID]: ${message}\n`);
  });
});

describe('classification-floor.yaml: every error names the file, the line, the key and the fix', () => {
  const cases: { name: string; edit: (t: string) => string; line: (t: string) => number; key: string; message: string; fix: string }[] = [
    { name: 'entries not most severe first', edit: once('over_days: 90', 'over_days: 300'), line: (t) => lineOf(t, 'over_days: 300'), key: 'dpd[3].over_days', message: 'entries must go from the most days past due to the fewest, but over_days 300 comes after 270.', fix: 'move this entry above the entry for over_days 270.' },
    { name: 'the same days twice', edit: once('over_days: 90', 'over_days: 270'), line: (t) => lineOf(t, 'over_days: 270', lineOf(t, 'over_days: 270')), key: 'dpd[3].over_days', message: 'over_days 270 appears twice (entries 2 and 3).', fix: 'keep one entry per number of days.' },
    {
      name: 'a floor no milder than the entry above',
      edit: once('    floor: 次级\n  - over_days: 0', '    floor: 可疑\n  - over_days: 0'),
      line: (t) => lineOf(t, 'floor: 可疑', lineOf(t, 'over_days: 90')),
      key: 'dpd[3].floor',
      message: 'floor 可疑 is not milder than the entry above (over_days 270 → 可疑)',
      fix: 'use a milder class than 可疑, or remove the entry (over_days 270 already gives 可疑).',
    },
    { name: '正常 as a floor', edit: once('    floor: 关注\n', '    floor: 正常\n'), line: (t) => lineOf(t, 'floor: 正常'), key: 'dpd[4].floor', message: '正常 is not allowed here: 正常 is the floor of every loan no entry applies to.', fix: 'use 关注, 次级, 可疑 or 损失' },
    { name: 'an English class name', edit: once('floor: 损失', 'floor: Loss'), line: (t) => lineOf(t, 'floor: Loss'), key: 'dpd[1].floor', message: 'the text "Loss" is not a five-category class.', fix: 'use one of 关注, 次级, 可疑, 损失' },
    { name: 'an observation period out of range', edit: once('observation_months: 12', 'observation_months: 121'), line: (t) => lineOf(t, 'observation_months: 121'), key: 'restructured.observation_months', message: '121 months is out of range (1 to 120).', fix: 'from 1 to 120' },
    { name: 'a camelCase key', edit: once('observation_months: 12', 'observationMonths: 12'), line: (t) => lineOf(t, 'observationMonths'), key: 'restructured.observationMonths', message: 'unknown key "observationMonths".', fix: 'write it as "observation_months".' },
    { name: 'days out of range', edit: once('over_days: 360', 'over_days: 4000'), line: (t) => lineOf(t, 'over_days: 4000'), key: 'dpd[1].over_days', message: '4000 days is out of range (0 to 3650).', fix: 'from 0 to 3650' },
    { name: 'an entry without its floor', edit: once('  - over_days: 0 # any day past due\n    floor: 关注\n', '  - over_days: 0\n'), line: (t) => lineOf(t, '- over_days: 0'), key: 'dpd[4]', message: 'the key "floor" is missing.', fix: 'add "floor: 次级" (关注, 次级, 可疑 or 损失)' },
    { name: 'no restructured section', edit: (t) => t.slice(0, t.indexOf('restructured:\n')), line: () => 1, key: '(file)', message: 'the key "restructured" is missing at the top of the file.', fix: 'add "restructured:" with "floor: 次级"' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { dir, file, text } = policyDir('floor', c.edit);
      const e = policyError(dir);
      expect(e.code).toBe('POLICY_INVALID');
      const line = c.line(text);
      expect(e.where).toMatchObject({ file, line });
      expect(e.message).toContain(`${file}:${line}: ${c.key}: `);
      expect(e.message).toContain(c.message);
      expect(e.message.slice(e.message.indexOf(' Fix: '))).toContain(c.fix);
    });
  }
});

describe('docs/classification.md', () => {
  it('shows a real error message', () => {
    const text = once('over_days: 90', 'over_days: 300')(SHIPPED.floor);
    expect(() => parseFloorPolicy(text, join(SHIPPED_POLICY_DIR, POLICY_FILES.floor))).toThrow(CqError);
    let message = '';
    try {
      parseFloorPolicy(text, join(SHIPPED_POLICY_DIR, POLICY_FILES.floor));
    } catch (e) {
      message = (e as CqError).message;
    }
    expect(readFileSync('docs/classification.md', 'utf8')).toContain(`error [POLICY_INVALID]: ${message}\n`);
  });
});

describe('policy folders, overrides, configuration and the transform CLI', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'cq-policy-dirs-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a missing folder, a missing file, a .yml file', () => {
    const missing = join(tmp, 'nope');
    expect(policyError(missing).message).toContain(`${missing}: the policy folder does not exist. Fix: name a folder holding customer-grading.yaml, classification-floor.yaml and kpi-rules.yaml`);
    const half = join(tmp, 'half');
    mkdirSync(half);
    writeFileSync(join(half, POLICY_FILES.grading), SHIPPED.grading);
    const e = policyError(half);
    expect(e.where.file).toBe(join(half, POLICY_FILES.floor));
    expect(e.message).toBe(
      `${join(half, POLICY_FILES.floor)}: missing. Fix: copy policy/classification-floor.yaml there and edit it (a policy folder holds customer-grading.yaml, classification-floor.yaml and kpi-rules.yaml; policy/README.md).`,
    );
    const yml = policyDir('floor', (t) => t).dir;
    renameSync(join(yml, POLICY_FILES.floor), join(yml, 'classification-floor.yml'));
    expect(policyError(yml).message).toContain(`Fix: rename ${join(yml, 'classification-floor.yml')} to ${join(yml, POLICY_FILES.floor)}`);
  });

  it('buildWarehouse checks the policy before anything (even on an empty warehouse), and checks code overrides the same way', async () => {
    const wh: WarehouseHandle = await openWarehouse(':memory:');
    try {
      const bad = policyDir('grading', once('pd_max_age_months: 12', 'pd_max_age_months: 0')).dir;
      await expect(buildWarehouse(wh, { policyDir: bad })).rejects.toMatchObject({ code: 'POLICY_INVALID' });
      await expect(buildWarehouse(wh, { rules: { grading: { pdMaxAgeMonths: 0 } } })).rejects.toMatchObject({
        code: 'POLICY_INVALID',
        message: expect.stringContaining('grading.pd_max_age_months: 0 months is out of range (1 to 120).'),
      });
      await expect(buildWarehouse(wh, { rules: { floor: { dpd: [{ overDays: 90, floor: '次级' }, { overDays: 120, floor: '可疑' }] } } })).rejects.toMatchObject({
        code: 'POLICY_INVALID',
        message: expect.stringContaining('floor.dpd[2].over_days: entries must go from the most days past due to the fewest'),
      });
      // A valid override passes the checks and stops only at the (empty) warehouse.
      await expect(buildWarehouse(wh, { rules: { grading: { pdMaxAgeMonths: 6 } } })).rejects.toMatchObject({ code: 'WAREHOUSE_MISSING' });
    } finally {
      await wh.close();
    }
    expect(() => checkRules({ ...defaultRules(), grading: { ...defaultRules().grading, fallback: 'C' } }, 'test')).toThrow(/^test: grading\.fallback: the fallback C 高风险 must be milder/);
  });

  it('cq.config.json policyDir: checked when the config is read', () => {
    const cfg = join(tmp, 'cq.config.json');
    const good = policyDir('grading', (t) => t).dir;
    writeFileSync(cfg, JSON.stringify({ policyDir: good }));
    expect(loadConfig({}, cfg).policyDir).toBe(good);
    writeFileSync(cfg, JSON.stringify({ policyDir: '' }));
    expect(() => loadConfig({}, cfg)).toThrow(expect.objectContaining({ code: 'CLI_USAGE', message: expect.stringContaining('policyDir must be the path of a policy folder') }));
    const bad = policyDir('floor', once('observation_months: 12', 'observation_months: 0'));
    writeFileSync(cfg, JSON.stringify({ policyDir: bad.dir }));
    expect(() => loadConfig({}, cfg)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID', message: expect.stringContaining(`${bad.file}:${lineOf(bad.text, 'observation_months: 0')}: restructured.observation_months`) }));
  });

  it('npm run transform -- --policy DIR refuses a bad policy with exit 1 and the file:line message', async () => {
    const bad = policyDir('grading', once('pd_at_least: 0.2\n', 'pd_at_least: 20\n'));
    const r = await runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/transform.ts', '--warehouse', join(tmp, 'wh.duckdb'), '--policy', bad.dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`error [POLICY_INVALID]: ${bad.file}:${lineOf(bad.text, 'pd_at_least: 20')}: rules[1].any_of.pd_at_least: 20 is out of range`);
  }, 300_000);
});
