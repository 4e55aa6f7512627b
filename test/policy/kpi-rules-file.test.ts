import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckedConfig as loadConfig } from '../../transforms/operations/check-config.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { CqError } from '../../transforms/lib/errors.js';
import { activeRules, defaultRules, mergeRules, withRules } from '../../transforms/policy/business-rules.js';
import { checkRules, loadPolicy, parseKpiRulesPolicy, POLICY_FILES, SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { M, writeKpiFixture } from '../helpers/kpi-fixture.js';
import { lineOf, policyError } from '../helpers/policy-errors.js';

/**
 * policy/kpi-rules.yaml: the KPI rules (warning timeliness and coverage days, verification service
 * level, model-validation parameters) as a lender-editable file — the shipped defaults, every check
 * of the loader (POLICY_INVALID naming the file, the line, the key and the fix), and an operator's
 * copy (policyDir) changing the rule a build uses.
 */
const SHIPPED_TEXT = readFileSync(join(SHIPPED_POLICY_DIR, POLICY_FILES.kpi), 'utf8');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'cq-kpi-rules-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A policy folder: the shipped files, with `edit` applied to kpi-rules.yaml. */
function policyDir(edit: (text: string) => string): { dir: string; file: string; text: string } {
  const dir = mkdtempSync(join(tmp, 'policy-'));
  cpSync(SHIPPED_POLICY_DIR, dir, { recursive: true });
  const file = join(dir, POLICY_FILES.kpi);
  const text = edit(SHIPPED_TEXT);
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

describe('the shipped policy/kpi-rules.yaml', () => {
  it('holds the documented defaults, and defaultRules()/activeRules() give them outside a build', () => {
    const expected = {
      warnings: { timelyWithinDays: 3, coverageLeadDays: 30, lookbackDays: 365 },
      verification: { slaHours: 24 },
      modelValidation: { horizonMonths: 12, defaultClassAtLeast: '次级', defaultDpdOver: 90, writtenOffIsDefault: true, pdBinDecimals: 4, psiReference: 'first_month', psiBins: 10 },
    };
    expect(loadPolicy().kpi).toEqual(expected);
    expect(defaultRules().kpi).toEqual(expected);
    expect(activeRules().kpi).toEqual(expected);
  });

  it('activeRules() inside withRules gives the rules of that build', async () => {
    const two = mergeRules(defaultRules(), { kpi: { warnings: { timelyWithinDays: 2 } } });
    expect(await withRules(two, async () => activeRules().kpi.warnings)).toEqual({ timelyWithinDays: 2, coverageLeadDays: 30, lookbackDays: 365 });
    expect(activeRules().kpi.warnings.timelyWithinDays).toBe(3);
  });

  it('comments every key it sets', () => {
    const lines = SHIPPED_TEXT.split('\n');
    lines.forEach((line, i) => {
      const key = /^\s*([a-z_]+):/.exec(line)?.[1];
      if (!key) return;
      expect((lines[i - 1] ?? '').trimStart().startsWith('#'), `${key} (line ${i + 1})`).toBe(true);
    });
  });
});

describe('kpi-rules.yaml: every error names the file, the line, the key and the fix', () => {
  const cases: { name: string; edit: (t: string) => string; needle: string; key: string; message: string; fix: string }[] = [
    // unknown keys
    { name: 'an unknown key', edit: once('  lookback_days: 365\n', '  lookback_days: 365\n  grace_days: 2\n'), needle: 'grace_days: 2', key: 'warnings.grace_days', message: 'unknown key "grace_days".', fix: 'remove it or correct its spelling; the keys here are timely_within_days, coverage_lead_days, lookback_days.' },
    { name: 'a camelCase key', edit: once('sla_hours: 24', 'slaHours: 24'), needle: 'slaHours: 24', key: 'verification.slaHours', message: 'unknown key "slaHours".', fix: 'write it as "sla_hours".' },
    { name: 'an unknown section', edit: once('\nverification:', '\nverifications:'), needle: 'verifications:', key: 'verifications', message: 'unknown key "verifications".', fix: 'the keys here are warnings, verification, model_validation.' },
    // wrong types
    { name: 'a quoted number', edit: once('sla_hours: 24', 'sla_hours: "24"'), needle: 'sla_hours: "24"', key: 'verification.sla_hours', message: 'expected a whole number of hours, got the text "24".', fix: 'write a whole number of hours from 1 to 720, without quotes.' },
    { name: 'a fraction of a day', edit: once('timely_within_days: 3', 'timely_within_days: 2.5'), needle: 'timely_within_days: 2.5', key: 'warnings.timely_within_days', message: 'expected a whole number of days, got 2.5.', fix: 'from 0 to 365' },
    { name: 'yes for a boolean (YAML 1.2: text)', edit: once('written_off_is_default: true', 'written_off_is_default: yes'), needle: 'written_off_is_default: yes', key: 'model_validation.written_off_is_default', message: 'expected true or false, got the text "yes".', fix: 'write true or false, without quotes' },
    { name: 'a section given as a number', edit: (t) => t.replace(/\nverification:\n(?: {2}#[^\n]*\n)* {2}sla_hours: 24\n/, '\nverification: 24\n'), needle: 'verification: 24', key: 'verification', message: 'expected a mapping with the keys sla_hours, got 24.', fix: 'indent "sla_hours: …" under "verification:"' },
    { name: 'an English class name', edit: once('default_class_at_least: 次级', 'default_class_at_least: Substandard'), needle: 'default_class_at_least: Substandard', key: 'model_validation.default_class_at_least', message: 'the text "Substandard" is not a five-category class.', fix: 'use one of 关注, 次级, 可疑, 损失' },
    // out of range
    { name: 'timeliness days out of range', edit: once('timely_within_days: 3', 'timely_within_days: 366'), needle: 'timely_within_days: 366', key: 'warnings.timely_within_days', message: '366 days is out of range (0 to 365).', fix: 'write a whole number of days from 0 to 365, without quotes.' },
    { name: 'a zero-hour service level', edit: once('sla_hours: 24', 'sla_hours: 0'), needle: 'sla_hours: 0', key: 'verification.sla_hours', message: '0 hours is out of range (1 to 720).', fix: 'from 1 to 720' },
    { name: 'a horizon out of range', edit: once('horizon_months: 12', 'horizon_months: 121'), needle: 'horizon_months: 121', key: 'model_validation.horizon_months', message: '121 months is out of range (1 to 120).', fix: 'from 1 to 120' },
    { name: 'negative days past due', edit: once('default_dpd_over: 90', 'default_dpd_over: -1'), needle: 'default_dpd_over: -1', key: 'model_validation.default_dpd_over', message: '-1 days is out of range (0 to 3650).', fix: 'from 0 to 3650' },
    { name: 'too many PD decimals', edit: once('pd_bin_decimals: 4', 'pd_bin_decimals: 9'), needle: 'pd_bin_decimals: 9', key: 'model_validation.pd_bin_decimals', message: '9 decimals is out of range (0 to 8).', fix: 'from 0 to 8' },
    { name: '正常 as the default class', edit: once('default_class_at_least: 次级', 'default_class_at_least: 正常'), needle: 'default_class_at_least: 正常', key: 'model_validation.default_class_at_least', message: '正常 is not allowed here: every loan is 正常 or worse, so every customer with a loan would be in default.', fix: 'use 关注, 次级, 可疑 or 损失' },
    {
      name: 'a coverage lead longer than the look-back',
      edit: once('coverage_lead_days: 30', 'coverage_lead_days: 400'),
      needle: 'coverage_lead_days: 400',
      key: 'warnings.coverage_lead_days',
      message: 'coverage_lead_days 400 is more than lookback_days 365: a warning early enough to cover an NPL would be too old to count, so no NPL could ever be covered.',
      fix: 'lower coverage_lead_days to at most 365, or raise lookback_days to at least 400.',
    },
    // PSI reference month and bins
    { name: 'a reference month with its day', edit: once('psi_reference: first_month', 'psi_reference: 2026-01-31'), needle: 'psi_reference: 2026-01-31', key: 'model_validation.psi_reference', message: 'the text "2026-01-31" is not a month "YYYY-MM".', fix: 'write "2026-01" (the whole month is the reference).' },
    { name: 'a reference month without its leading zero', edit: once('psi_reference: first_month', 'psi_reference: "2026-1"'), needle: 'psi_reference: "2026-1"', key: 'model_validation.psi_reference', message: 'the text "2026-1" is not a month "YYYY-MM".', fix: 'write "2026-01"' },
    { name: 'a reference month as a number', edit: once('psi_reference: first_month', 'psi_reference: 202601'), needle: 'psi_reference: 202601', key: 'model_validation.psi_reference', message: 'expected first_month or a month "YYYY-MM", got 202601.', fix: 'write first_month (each model version against its first loaded month) or a month "YYYY-MM" in double quotes, e.g. "2026-01".' },
    { name: 'first month in words', edit: once('psi_reference: first_month', 'psi_reference: first month'), needle: 'psi_reference: first month', key: 'model_validation.psi_reference', message: 'the text "first month" is neither first_month nor a month "YYYY-MM".', fix: 'write it as first_month.' },
    { name: 'one PSI bin', edit: once('psi_bins: 10', 'psi_bins: 1'), needle: 'psi_bins: 1', key: 'model_validation.psi_bins', message: '1 bins is out of range (2 to 20).', fix: 'write a whole number of bins from 2 to 20, without quotes.' },
    // missing keys
    { name: 'a missing key', edit: (t) => t.replace(/\n[^\n]*\n  pd_bin_decimals: 4\n/, '\n'), needle: 'model_validation:', key: 'model_validation', message: 'the key "pd_bin_decimals" is missing.', fix: 'add "pd_bin_decimals: 4"' },
    { name: 'a missing PSI key', edit: (t) => t.replace(/\n[^\n]*\n  psi_bins: 10\n/, '\n'), needle: 'model_validation:', key: 'model_validation', message: 'the key "psi_bins" is missing.', fix: 'add "psi_bins: 10"' },
    { name: 'a missing section', edit: (t) => t.slice(0, t.indexOf('# Risk-model validation')), needle: 'warnings:', key: '(file)', message: 'the key "model_validation" is missing at the top of the file.', fix: 'add "model_validation:" with horizon_months' },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { dir, file, text } = policyDir(c.edit);
      const e = policyError(dir);
      expect(e.code).toBe('POLICY_INVALID');
      const line = c.key === '(file)' ? 1 : lineOf(text, c.needle);
      expect(e.where).toMatchObject({ file, line });
      expect(e.message).toContain(`${file}:${line}: ${c.key}: `);
      expect(e.message).toContain(c.message);
      expect(e.message.slice(e.message.indexOf(' Fix: '))).toContain(c.fix);
    });
  }

  it('small files: empty, a list, a key twice, broken YAML', () => {
    const err = (text: string) => {
      try {
        parseKpiRulesPolicy(text, 'k.yaml');
      } catch (e) {
        return (e as CqError).message;
      }
      return 'loaded';
    };
    expect(err('')).toBe('k.yaml:1: (file): the file is empty; expected a mapping with the keys warnings, verification and model_validation. Fix: start from the shipped policy/kpi-rules.yaml');
    expect(err('- 3\n')).toMatch(/^k\.yaml:1: \(file\): expected a mapping with the keys warnings, verification and model_validation, got a list\./);
    expect(err(SHIPPED_TEXT)).toBe('loaded');
    expect(err(once('  sla_hours: 24\n', '  sla_hours: 24\n  sla_hours: 12\n')(SHIPPED_TEXT))).toMatch(/^k\.yaml:\d+: a key appears twice in the same mapping\. Fix: keep one of the two/);
    expect(err('warnings:\n  timely_within_days: 3\n timely: x\n')).toMatch(/^k\.yaml:\d+: not valid YAML \(.*\)\. Fix: correct the YAML at that line/);
  });

  it('a policy folder without kpi-rules.yaml (or with kpi-rules.yml) is refused with the fix', () => {
    const { dir } = policyDir((t) => t);
    rmSync(join(dir, POLICY_FILES.kpi));
    const e = policyError(dir);
    expect(e.where.file).toBe(join(dir, POLICY_FILES.kpi));
    expect(e.message).toBe(
      `${join(dir, POLICY_FILES.kpi)}: missing. Fix: copy policy/kpi-rules.yaml there and edit it (a policy folder holds customer-grading.yaml, classification-floor.yaml and kpi-rules.yaml; policy/README.md).`,
    );
    const yml = policyDir((t) => t).dir;
    renameSync(join(yml, POLICY_FILES.kpi), join(yml, 'kpi-rules.yml'));
    expect(policyError(yml).message).toContain(`Fix: rename ${join(yml, 'kpi-rules.yml')} to ${join(yml, POLICY_FILES.kpi)}`);
  });

  it('cq.config.json policyDir: a folder with a bad or missing kpi-rules.yaml is refused when the config is read', () => {
    const cfg = join(tmp, 'cq.config.json');
    const bad = policyDir(once('sla_hours: 24', 'sla_hours: 0'));
    writeFileSync(cfg, JSON.stringify({ policyDir: bad.dir }));
    expect(() => loadConfig({}, cfg)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID', message: expect.stringContaining(`${bad.file}:${lineOf(bad.text, 'sla_hours: 0')}: verification.sla_hours`) }));
    rmSync(bad.file);
    expect(() => loadConfig({}, cfg)).toThrow(expect.objectContaining({ code: 'POLICY_INVALID', message: expect.stringContaining(`${bad.file}: missing.`) }));
  });

  it('the example error in policy/README.md is the real message', () => {
    let message = '';
    try {
      parseKpiRulesPolicy(once('timely_within_days: 3', 'timely_within_days: "3 days"')(SHIPPED_TEXT), join(SHIPPED_POLICY_DIR, POLICY_FILES.kpi));
    } catch (e) {
      message = (e as CqError).message;
    }
    expect(message).toMatch(/^policy\/kpi-rules\.yaml:\d+: warnings\.timely_within_days: /);
    expect(readFileSync('policy/README.md', 'utf8')).toContain(`error [POLICY_INVALID]: ${message}\n`);
  });

  it('psi_reference: first_month, or a month quoted or not; a code override is checked the same way', () => {
    const ref = (line: string) => parseKpiRulesPolicy(once('psi_reference: first_month', line)(SHIPPED_TEXT), 'k.yaml').modelValidation.psiReference;
    expect(ref('psi_reference: first_month')).toBe('first_month');
    expect(ref('psi_reference: "2026-01"')).toBe('2026-01');
    expect(ref('psi_reference: 2026-01')).toBe('2026-01');
    expect(() => ref('psi_reference: "2026-13"')).toThrow(/k\.yaml:\d+: model_validation\.psi_reference: the text "2026-13" is neither first_month nor a month "YYYY-MM"\./);
    const kpi = { ...defaultRules().kpi, modelValidation: { ...defaultRules().kpi.modelValidation, psiReference: '2026-1' as '2026-01' } };
    expect(() => checkRules({ ...defaultRules(), kpi }, 'test')).toThrow(/^test: kpi\.model_validation\.psi_reference: the text "2026-1" is not a month "YYYY-MM"\. Fix: write "2026-01"/);
  });

  it('KPI rule overrides in code are checked like the file', () => {
    const kpi = { ...defaultRules().kpi, verification: { slaHours: 0 } };
    expect(() => checkRules({ ...defaultRules(), kpi }, 'test')).toThrow(/^test: kpi\.verification\.sla_hours: 0 hours is out of range \(1 to 720\)\. Fix: /);
    const wrongType = { ...defaultRules().kpi, modelValidation: { ...defaultRules().kpi.modelValidation, writtenOffIsDefault: 'yes' as unknown as boolean } };
    expect(() => checkRules({ ...defaultRules(), kpi: wrongType }, 'test')).toThrow(/^test: kpi\.model_validation\.written_off_is_default: expected true or false/);
    expect(() => checkRules(defaultRules(), 'test')).not.toThrow();
  });
});

describe("an operator's kpi-rules.yaml (policyDir) changes the KPI rule a build uses", () => {
  let wh: WarehouseHandle;
  const fixture = writeKpiFixture();
  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    await loadExtracts(wh, fixture);
  }, 120_000);
  afterAll(async () => {
    await wh?.close();
  });

  const timeliness = async () => {
    const [r] = await wh.all<{ numerator: number; denominator: number }>(
      `SELECT numerator, denominator FROM metrics.kpi_warning_timeliness WHERE as_of_month = DATE '${M}' AND branch_id IS NULL AND customer_type IS NULL AND grade IS NULL`,
    );
    return [Number(r!.numerator), Number(r!.denominator)];
  };
  const recorded = async () => {
    const [r] = await wh.all<{ file: string; rules_json: string; overridden: boolean }>(`SELECT file, rules_json, overridden FROM ops.policy_files WHERE policy = 'kpi-rules'`);
    return r!;
  };

  it('timely_within_days 2 instead of 3: W03 (raised 3 days after its signal) is no longer timely; the file is recorded', async () => {
    // Shipped policy: W01 (2 days), W03 (3), W04 (0), W08 (2) of the 6 warnings raised in M are timely.
    await buildWarehouse(wh, { runTests: false });
    expect(await timeliness()).toEqual([4, 6]);
    expect((await recorded()).file).toBe('policy/kpi-rules.yaml');

    // The operator's copy, named by policyDir in cq.config.json as the nightly reads it.
    const op = policyDir(once('timely_within_days: 3', 'timely_within_days: 2'));
    const cfg = join(tmp, 'cq.config.operator.json');
    writeFileSync(cfg, JSON.stringify({ policyDir: op.dir }));
    const { policyDir: configured } = loadConfig({}, cfg);
    const result = await buildWarehouse(wh, { runTests: false, policyDir: configured! });
    expect(await timeliness()).toEqual([3, 6]);
    expect(result.policy.files.map((f) => f.file)).toContain(op.file);
    const rec = await recorded();
    expect(rec.file).toBe(op.file); // outside the project: the absolute path
    expect(JSON.parse(rec.rules_json).warnings.timelyWithinDays).toBe(2);
    expect(rec.overridden).toBe(false);

    // A code override wins over the file for that build only, and is recorded as such.
    await buildWarehouse(wh, { runTests: false, policyDir: op.dir, rules: { kpi: { warnings: { timelyWithinDays: 0 } } } });
    expect(await timeliness()).toEqual([1, 6]); // only W04 (raised the day of its signal)
    expect((await recorded()).overridden).toBe(true);
    await expect(buildWarehouse(wh, { runTests: false, rules: { kpi: { verification: { slaHours: 0 } } } })).rejects.toMatchObject({
      code: 'POLICY_INVALID',
      message: expect.stringContaining('kpi.verification.sla_hours: 0 hours is out of range (1 to 720).'),
    });
  }, 300_000);
});
