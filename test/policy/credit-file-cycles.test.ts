import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requiredFileCycles } from '../../transforms/policy/credit-file-cycles.js';
import { loadPolicy, POLICY_FILES, SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { creditFileCyclesToPlain, parseCreditFileCyclesPolicy } from '../../transforms/policy/read-credit-file-cycles.js';
import { lineOf, policyError } from '../helpers/policy-errors.js';

/**
 * policy/credit-file-cycles.yaml: the shipped cycles, how a policy folder without the file gets
 * them, and every check — a bad file is POLICY_INVALID naming the file, the line, the key and the fix.
 */
const SHIPPED = readFileSync(join(SHIPPED_POLICY_DIR, POLICY_FILES.fileCycles), 'utf8');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the shipped policy folder with the cycles file replaced by `text` (or removed when null). */
function folder(text: string | null): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cq-cycles-'));
  dirs.push(dir);
  cpSync(SHIPPED_POLICY_DIR, dir, { recursive: true });
  const file = join(dir, POLICY_FILES.fileCycles);
  if (text === null) rmSync(file);
  else writeFileSync(file, text);
  return { dir, file };
}

/** Replaces exactly one occurrence (the test fails when the shipped file no longer has it). */
function once(from: string, to: string): string {
  const at = SHIPPED.indexOf(from);
  if (at < 0 || SHIPPED.indexOf(from, at + 1) >= 0) throw new Error(`"${from}" is not in the shipped file exactly once`);
  return SHIPPED.slice(0, at) + to + SHIPPED.slice(at + from.length);
}

/** The error of loading a folder whose cycles file is `text`, with its file and the 1-based line of `needle` in `text`. */
function failure(text: string, needle: string) {
  const { dir, file } = folder(text);
  return { error: policyError(dir), prefix: `${file}:${lineOf(text, needle)}: ` };
}

describe('the shipped credit-file cycles', () => {
  it('require credit report and KYC of individuals (annual), five elements of small businesses (quarterly to annual)', () => {
    const cycles = requiredFileCycles(loadPolicy().fileCycles);
    expect(cycles.map((c) => `${c.customerType} ${c.element} ${c.cycleMonths}`)).toEqual([
      'small_business financial_statements 3',
      'individual credit_report 12',
      'small_business credit_report 6',
      'small_business collateral_valuation 12',
      'small_business site_visit 3',
      'individual kyc_documents 12',
      'small_business kyc_documents 12',
    ]);
    expect(loadPolicy().fileCycles.cycles).toHaveLength(10); // 5 elements × 2 customer types
  });

  it('round-trip: the file form of the parsed cycles parses to the same cycles', () => {
    const c = parseCreditFileCyclesPolicy(SHIPPED, 'x.yaml');
    expect(creditFileCyclesToPlain(c).elements.site_visit).toEqual({ individual: { required: false }, small_business: { required: true, cycle_months: 3 } });
  });

  it('a policy folder without the file uses the shipped one, and the build records it under the shipped path', () => {
    const { dir } = folder(null);
    const p = loadPolicy(dir);
    expect(p.fileCycles).toEqual(loadPolicy().fileCycles);
    expect(p.files.find((f) => f.policy === 'credit-file-cycles')!.file).toBe('policy/credit-file-cycles.yaml');
  });

  it("an operator's own copy is read instead", () => {
    const { dir } = folder(once('small_business: { required: true, cycle_months: 6 }', 'small_business: { required: true, cycle_months: 4 }'));
    const p = loadPolicy(dir);
    expect(p.fileCycles.cycles.find((c) => c.element === 'credit_report' && c.customerType === 'small_business')!.cycleMonths).toBe(4);
    expect(p.files.find((f) => f.policy === 'credit-file-cycles')!.file).toBe(join(dir, POLICY_FILES.fileCycles));
  });
});

describe('a wrong credit-file cycles file: POLICY_INVALID with file, line, key and fix', () => {
  it('a misspelt key names the keys allowed', () => {
    const text = once('small_business: { required: true, cycle_months: 6 }', 'small_business: { required: true, cycle_month: 6 }');
    const { error, prefix } = failure(text, 'cycle_month: 6');
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.message).toBe(
      `${prefix}elements.credit_report.small_business.cycle_month: unknown key "cycle_month". Fix: remove it or correct its spelling; the keys here are required, cycle_months.`,
    );
  });

  it('a camelCase key gets its snake_case spelling', () => {
    const text = once('small_business: { required: true, cycle_months: 6 }', 'small_business: { required: true, cycleMonths: 6 }');
    const { error, prefix } = failure(text, 'cycleMonths');
    expect(error.message).toBe(`${prefix}elements.credit_report.small_business.cycleMonths: unknown key "cycleMonths". Fix: write it as "cycle_months".`);
  });

  it('an unknown file element names the elements', () => {
    const text = once('  site_visit:', '  site_visits:');
    const { error, prefix } = failure(text, 'site_visits:');
    expect(error.message).toBe(
      `${prefix}elements.site_visits: unknown key "site_visits". Fix: remove it or correct its spelling; the keys here are financial_statements, credit_report, collateral_valuation, site_visit, kyc_documents.`,
    );
  });

  it('an unknown customer type names the types', () => {
    const text = once('small_business: { required: true, cycle_months: 6 }', 'corporate: { required: true, cycle_months: 6 }');
    const { error, prefix } = failure(text, 'corporate:');
    expect(error.message).toBe(`${prefix}elements.credit_report.corporate: unknown key "corporate". Fix: remove it or correct its spelling; the keys here are individual, small_business.`);
  });

  it.each([
    ['0', '0 months is out of range (1 to 36).'],
    ['48', '48 months is out of range (1 to 36).'],
    ['2.5', 'expected a whole number of months, got 2.5.'],
    ['"6"', 'expected a whole number of months, got the text "6".'],
  ])('cycle_months: %s is refused', (value, message) => {
    const text = once('small_business: { required: true, cycle_months: 6 }', `small_business: { required: true, cycle_months: ${value} }`);
    const { error, prefix } = failure(text, `cycle_months: ${value}`);
    expect(error.message).toBe(`${prefix}elements.credit_report.small_business.cycle_months: ${message} Fix: write a whole number of months from 1 to 36, without quotes.`);
  });

  it('a required element without a cycle', () => {
    const text = once('small_business: { required: true, cycle_months: 6 }', 'small_business: { required: true }');
    const { error, prefix } = failure(text, 'small_business: { required: true }');
    expect(error.message).toBe(
      `${prefix}elements.credit_report.small_business: the element is required but has no cycle_months. Fix: add "cycle_months: 12" (3 quarterly, 6 semi-annual, 12 annual), or set required: false.`,
    );
  });

  it('required: yes is text in YAML 1.2', () => {
    const text = once('small_business: { required: true, cycle_months: 6 }', 'small_business: { required: yes, cycle_months: 6 }');
    const { error, prefix } = failure(text, 'required: yes');
    expect(error.message).toBe(
      `${prefix}elements.credit_report.small_business.required: expected true or false, got the text "yes". Fix: write true or false, without quotes (yes, no, on and off are text in YAML 1.2).`,
    );
  });

  it('a missing element', () => {
    const start = SHIPPED.indexOf('  kyc_documents:');
    const text = SHIPPED.slice(0, start);
    const { error, prefix } = failure(text, 'elements:');
    expect(error.message).toBe(
      `${prefix}elements: the key "kyc_documents" is missing. Fix: add "kyc_documents:" with an entry for individual and small_business (the shipped policy/ files show every key; policy/README.md describes them).`,
    );
  });

  it('a customer type of which nothing is required', () => {
    // Individuals: credit report and KYC documents set to required: false as well.
    const noCredit = once('individual:     { required: true, cycle_months: 12 }\n    small_business: { required: true, cycle_months: 6 }', 'individual:     { required: false }\n    small_business: { required: true, cycle_months: 6 }');
    const noKyc = noCredit.replace(/(kyc_documents:[^\n]*\n\s*)individual:\s*\{ required: true, cycle_months: 12 \}/, '$1individual:     { required: false }');
    expect(noKyc).not.toBe(noCredit);
    const { error, prefix } = failure(noKyc, 'elements:');
    expect(error.message).toBe(
      `${prefix}elements: no element is required of individual customers, so every such customer would count as current and complete. Fix: set required: true (with cycle_months) for at least one element under individual.`,
    );
  });
});
