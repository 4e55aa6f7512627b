import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FloorRules } from './classification-floor.js';
import type { Grade, GradeRule, GradingRules } from './customer-grading.js';
import type { KpiRules } from './kpi-rules.js';
import { DELTA_MODES, TARGET_OPS, type DeltaMode, type KpiTargetOverride, type KpiTargets, type MetricTargetShape, type TargetOp } from './kpi-targets.js';
import { classRank, FIVE_CLASSES } from './five-category.js';
import { CqError } from '../lib/errors.js';
import { parseWarningRulesPolicy } from './read-warning-rules.js';
import type { WarningRules } from './warning-rules.js';
import { parseCreditFileCyclesPolicy } from './read-credit-file-cycles.js';
import type { CreditFileCycles } from './credit-file-cycles.js';
import { asBool, asClass, asList, asMap, asPd, asWhole, checkKeys as checkPolicyKeys, failer, parseYaml, recordedPath, show, shown, type Fail, type Path } from './policy-yaml.js';
import { REPO_ROOT } from '../lib/repo-root.js';

/**
 * Lender policy as data: the customer grade rules, the five-category classification floor and the
 * KPI rules are read from YAML files (`customer-grading.yaml`, `classification-floor.yaml`,
 * `kpi-rules.yaml`) in a policy folder — the shipped `policy/` or the operator's `policyDir` — and
 * checked before any build uses them. A policy folder holds all three (policy/README.md). It may
 * also hold `kpi-targets.yaml`, the lender's overrides of KPI targets (optional: without it every
 * KPI keeps the target of its metric file).
 * Every problem is a `POLICY_INVALID` error naming the file, the line, the key and the fix.
 * The typed in-memory form is `GradingRules` / `FloorRules` / `KpiRules` / `KpiTargets` (transforms/policy/).
 */

/** The policy folder shipped with the project (the defaults): `<repo>/policy/`. */
export const SHIPPED_POLICY_DIR = join(REPO_ROOT, 'policy') + '/';


/**
 * File names of the policy files inside a policy folder. The first three are required;
 * `targets` (`kpi-targets.yaml`) is optional (no file: no target overrides).
 */
export const POLICY_FILES = {
  grading: 'customer-grading.yaml',
  floor: 'classification-floor.yaml',
  kpi: 'kpi-rules.yaml',
  targets: 'kpi-targets.yaml',
  warnings: 'warning-rules.yaml',
  fileCycles: 'credit-file-cycles.yaml',
} as const;

/** Which policy a file holds. */
export type PolicyName = 'customer-grading' | 'classification-floor' | 'kpi-rules' | 'kpi-targets' | 'warning-rules' | 'credit-file-cycles';

/** The policy files of a folder, as listed in messages: `customer-grading.yaml, classification-floor.yaml and kpi-rules.yaml`. */
const ALL_FILES = `${POLICY_FILES.grading}, ${POLICY_FILES.floor} and ${POLICY_FILES.kpi}`;

/** One policy file as read: what a build records so the rules of a past month can be reproduced. */
export interface PolicyFile {
  policy: PolicyName;
  /** Absolute path read. */
  path: string;
  /** Path for records and messages: relative to the project when inside it, else absolute. */
  file: string;
  sha256: string;
  bytes: number;
  text: string;
}

/** A policy folder, read and checked. */
export interface LoadedPolicy {
  /** Absolute path of the folder. */
  dir: string;
  grading: GradingRules;
  floor: FloorRules;
  kpi: KpiRules;
  /** The KPI target overrides of `kpi-targets.yaml` by metric id (`{}` when the folder has no such file, or it sets none). */
  targets: KpiTargets;
  /** The post-loan warning rules of `warning-rules.yaml` (the shipped file when the folder has none; see {@link readAddedPolicyFile}). */
  warnings: WarningRules;
  /** The credit-file update cycles of `credit-file-cycles.yaml` (the shipped file when the folder has none). */
  fileCycles: CreditFileCycles;
  /** The files read: grading, floor, KPI rules, then KPI targets when the folder has `kpi-targets.yaml`. */
  files: PolicyFile[];
}

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /**
   * The KPIs (from the KPI engine: `targetShapeOf`), so that `kpi-targets.yaml` is checked against
   * them: an unknown metric id, a target kind or comparison that does not fit the KPI. Without
   * them only the file's own form is checked (keys, types, ranges); every build passes them.
   */
  metrics?: readonly MetricTargetShape[];
}

/**
 * Reads and checks the policy files of a folder (default: the shipped `policy/`): the three rule
 * files `customer-grading.yaml`, `classification-floor.yaml`, `kpi-rules.yaml`, and the KPI target
 * overrides `kpi-targets.yaml` when the folder has it. Throws `POLICY_INVALID` when the folder or
 * a rule file is missing or a file is invalid (an operator's folder holds all three rule files:
 * nothing is taken silently from the shipped folder, so ops.policy_files names every rule used).
 * A folder without `kpi-targets.yaml` has no overrides: every KPI keeps its metric file's target,
 * which is what the folder meant before the file existed.
 *
 * @example
 * const { grading, floor, kpi, targets, files } = loadPolicy(); // policy/customer-grading.yaml, …, policy/kpi-targets.yaml
 * grading.pdMaxAgeMonths; // 12
 * kpi.warnings.timelyWithinDays; // 3
 * targets; // {} (the shipped kpi-targets.yaml holds commented examples only)
 * files[0]!.sha256; // 'c0ffee…'
 * loadPolicy('policy-bank', { metrics: metrics.map((m) => targetShapeOf(m, rules)) }).targets.npl_ratio; // { value: 0.015 }
 */
export function loadPolicy(dir: string = SHIPPED_POLICY_DIR, options: LoadPolicyOptions = {}): LoadedPolicy {
  const abs = resolve(dir);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) {
    throw new CqError(
      'POLICY_INVALID',
      `${shown(abs)}: ${existsSync(abs) ? 'is not a folder' : 'the policy folder does not exist'}. Fix: name a folder holding ${ALL_FILES} (copy them from ${shown(SHIPPED_POLICY_DIR)}) in policyDir of cq.config.json or --policy, or leave it out to use the shipped policy/.`,
      { file: abs },
    );
  }
  const grading = readPolicyFile(join(abs, POLICY_FILES.grading), 'customer-grading');
  const floor = readPolicyFile(join(abs, POLICY_FILES.floor), 'classification-floor');
  const kpi = readPolicyFile(join(abs, POLICY_FILES.kpi), 'kpi-rules');
  const targetsPath = join(abs, POLICY_FILES.targets);
  // Optional, but a misnamed copy must not be ignored silently (readPolicyFile names the rename).
  const targets = existsSync(targetsPath) || existsSync(targetsPath.replace(/\.yaml$/, '.yml')) ? readPolicyFile(targetsPath, 'kpi-targets') : undefined;
  const warnings = readAddedPolicyFile(abs, POLICY_FILES.warnings, 'warning-rules');
  const fileCycles = readAddedPolicyFile(abs, POLICY_FILES.fileCycles, 'credit-file-cycles');
  return {
    dir: abs,
    grading: parseGradingPolicy(grading.text, grading.path),
    floor: parseFloorPolicy(floor.text, floor.path),
    kpi: parseKpiRulesPolicy(kpi.text, kpi.path),
    targets: targets ? parseKpiTargetsPolicy(targets.text, targets.path, options.metrics) : {},
    warnings: parseWarningRulesPolicy(warnings.text, warnings.path),
    fileCycles: parseCreditFileCyclesPolicy(fileCycles.text, fileCycles.path),
    files: [grading, floor, kpi, ...(targets ? [targets] : []), warnings, fileCycles],
  };
}

/**
 * A policy file added after lenders' policy folders were first set up (warning rules): read from
 * the folder when it has one, else the shipped file is read — and recorded in ops.policy_files
 * under its own path, so a build names the rules it used and an operator sees that the defaults
 * applied. A misnamed `.yml` copy is not skipped silently (readPolicyFile names the rename).
 *
 * @example
 * readAddedPolicyFile('/srv/cq/policy-bank', 'warning-rules.yaml', 'warning-rules').file; // 'policy/warning-rules.yaml' when the folder has none
 */
function readAddedPolicyFile(dir: string, name: string, policy: PolicyName): PolicyFile {
  const own = join(dir, name);
  if (existsSync(own) || existsSync(own.replace(/\.yaml$/, '.yml'))) return readPolicyFile(own, policy);
  return readPolicyFile(join(SHIPPED_POLICY_DIR, name), policy);
}

function readPolicyFile(path: string, policy: PolicyName): PolicyFile {
  if (!existsSync(path)) {
    const yml = path.replace(/\.yaml$/, '.yml');
    const fix = existsSync(yml)
      ? `rename ${shown(yml)} to ${shown(path)} (policy files end in .yaml).`
      : `copy ${shown(join(SHIPPED_POLICY_DIR, path.split(/[\\/]/).at(-1)!))} there and edit it (a policy folder holds ${ALL_FILES}; policy/README.md).`;
    throw new CqError('POLICY_INVALID', `${shown(path)}: missing. Fix: ${fix}`, { file: path });
  }
  const data = readFileSync(path);
  return { policy, path, file: recordedPath(path), sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, text: data.toString('utf8') };
}

/**
 * Parses and checks the text of a customer grading policy (`customer-grading.yaml`); `file` names
 * it in errors.
 *
 * @example
 * parseGradingPolicy('rules:\n  - grade: C\n    any_of: { pd_at_least: 0.5 }\nfallback: A\npd_max_age_months: 12\n', 'g.yaml');
 * // { rules: [{ grade: 'C', pdAtLeast: 0.5 }], fallback: 'A', pdMaxAgeMonths: 12 }
 */
export function parseGradingPolicy(text: string, file: string): GradingRules {
  const { root, fail } = parseYaml(text, file);
  return checkGrading(root, fail);
}

/**
 * Parses and checks the text of a classification floor policy (`classification-floor.yaml`).
 *
 * @example
 * parseFloorPolicy('dpd:\n  - { over_days: 90, floor: 次级 }\nrestructured: { floor: 次级, observation_months: 12 }\n', 'f.yaml');
 * // { dpd: [{ overDays: 90, floor: '次级' }], restructured: { floor: '次级', observationMonths: 12 } }
 */
export function parseFloorPolicy(text: string, file: string): FloorRules {
  const { root, fail } = parseYaml(text, file);
  return checkFloor(root, fail);
}

/**
 * Parses and checks the text of a KPI rules policy (`kpi-rules.yaml`); `file` names it in errors.
 *
 * @example
 * parseKpiRulesPolicy(readFileSync('policy/kpi-rules.yaml', 'utf8'), 'policy/kpi-rules.yaml').warnings;
 * // { timelyWithinDays: 3, coverageLeadDays: 30, lookbackDays: 365 }
 */
export function parseKpiRulesPolicy(text: string, file: string): KpiRules {
  const { root, fail } = parseYaml(text, file);
  return checkKpi(root, fail);
}

/**
 * Parses and checks the text of a KPI targets policy (`kpi-targets.yaml`); `file` names it in
 * errors. With `metrics` (the KPI engine's {@link MetricTargetShape}s) every metric id and every
 * override is also checked against its KPI: known id, a target kind and comparison that fit it.
 * A file of comments only sets no overrides.
 *
 * @example
 * parseKpiTargetsPolicy('npl_ratio:\n  value: 0.015\n  op: "<="\n', 'kpi-targets.yaml', shapes);
 * // { npl_ratio: { value: 0.015, op: '<=' } }
 */
export function parseKpiTargetsPolicy(text: string, file: string, metrics?: readonly MetricTargetShape[]): KpiTargets {
  checkUnquotedOps(text, file);
  const { root, fail } = parseYaml(text, file);
  return checkTargets(root, fail, metrics);
}

/**
 * Checks rules given in code (the `rules` overrides of `buildWarehouse`, merged with the policy
 * files) with the same checks as the files; `label` says where they came from. `kpi` is checked
 * when given.
 *
 * @example
 * checkRules({ grading, floor, kpi }, 'buildWarehouse option rules'); // throws POLICY_INVALID when invalid
 */
export function checkRules(rules: { grading: GradingRules; floor: FloorRules; kpi?: KpiRules }, label: string): void {
  const fail = failer(label, undefined);
  checkGrading(gradingToPlain(rules.grading), (p, m, f) => fail(['grading', ...p], m, f));
  checkFloor(floorToPlain(rules.floor), (p, m, f) => fail(['floor', ...p], m, f));
  if (rules.kpi) checkKpi(kpiToPlain(rules.kpi), (p, m, f) => fail(['kpi', ...p], m, f));
}

/** The grading rules in the file's form (snake_case keys). @example gradingToPlain(rules).pd_max_age_months // 12 */
export function gradingToPlain(g: GradingRules): Record<string, unknown> {
  return {
    rules: g.rules.map((r) => ({
      grade: r.grade,
      any_of: Object.fromEntries(
        (
          [
            ['loan_class_at_least', r.loanClassAtLeast],
            ['loan_dpd_over', r.loanDpdOver],
            ['pd_at_least', r.pdAtLeast],
            ['written_off', r.writtenOff || undefined], // false in code means "not a condition"
          ] as const
        ).filter(([, v]) => v !== undefined),
      ),
    })),
    fallback: g.fallback,
    pd_max_age_months: g.pdMaxAgeMonths,
  };
}

/** The floor rules in the file's form (snake_case keys). @example floorToPlain(rules).restructured // { floor: '次级', observation_months: 12 } */
export function floorToPlain(f: FloorRules): Record<string, unknown> {
  return {
    dpd: f.dpd.map((r) => ({ over_days: r.overDays, floor: r.floor })),
    restructured: { floor: f.restructured?.floor, observation_months: f.restructured?.observationMonths },
  };
}

/** The KPI rules in the file's form (snake_case keys). @example kpiToPlain(rules).verification // { sla_hours: 24 } */
export function kpiToPlain(k: KpiRules): Record<string, unknown> {
  const w = k.warnings as Partial<KpiRules['warnings']> | undefined;
  const v = k.verification as Partial<KpiRules['verification']> | undefined;
  const m = k.modelValidation as Partial<KpiRules['modelValidation']> | undefined;
  return {
    warnings: { timely_within_days: w?.timelyWithinDays, coverage_lead_days: w?.coverageLeadDays, lookback_days: w?.lookbackDays },
    verification: { sla_hours: v?.slaHours },
    model_validation: {
      horizon_months: m?.horizonMonths,
      default_class_at_least: m?.defaultClassAtLeast,
      default_dpd_over: m?.defaultDpdOver,
      written_off_is_default: m?.writtenOffIsDefault,
      pd_bin_decimals: m?.pdBinDecimals,
      psi_reference: m?.psiReference,
      psi_bins: m?.psiBins,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Checks shared by files and code: `fail(path, message, fix)` reports at a key path.


const GRADES = ['A', 'B', 'C'] as const;
/** Severity of a grade: C 3 (high risk) > B 2 > A 1. */
const severity = (g: Grade): number => ({ A: 1, B: 2, C: 3 })[g];
const GRADE_LABEL: Record<Grade, string> = { A: 'A 优质', B: 'B 一般', C: 'C 高风险' };
const MAX_DAYS = 3650;
const MAX_MONTHS = 120;
const CONDITION_KEYS = ['loan_class_at_least', 'loan_dpd_over', 'pd_at_least', 'written_off'] as const;

function checkGrading(root: unknown, fail: Fail): GradingRules {
  const top = asMap(root, [], fail, 'a mapping with the keys rules, fallback and pd_max_age_months', 'start from the shipped policy/customer-grading.yaml');
  checkKeys(top, [], ['rules', 'fallback', 'pd_max_age_months'], ['rules', 'fallback', 'pd_max_age_months'], fail);
  const list = asList(top.rules, ['rules'], fail, 'add at least one rule, e.g. "- grade: C" with "any_of: { loan_dpd_over: 90 }"');
  const rules: GradeRule[] = list.map((item, k) => {
    const at = ['rules', k];
    const r = asMap(item, at, fail, 'a rule with the keys grade and any_of', 'write the rule as "- grade: C" followed by an indented "any_of:" with its conditions');
    checkKeys(r, at, ['grade', 'any_of'], ['grade', 'any_of'], fail);
    const grade = asGrade(r.grade, [...at, 'grade'], fail);
    const cond = asMap(r.any_of, [...at, 'any_of'], fail, `the conditions of the rule (any of ${CONDITION_KEYS.join(', ')})`, 'indent the conditions under any_of, one "key: value" per line');
    checkKeys(cond, [...at, 'any_of'], CONDITION_KEYS, [], fail);
    if (Object.keys(cond).length === 0) {
      fail([...at, 'any_of'], `the rule for ${GRADE_LABEL[grade]} has no condition, so it would never apply.`, `add at least one of ${CONDITION_KEYS.join(', ')}, or remove the rule.`);
    }
    const out: { -readonly [K in keyof GradeRule]: GradeRule[K] } = { grade };
    if (cond.loan_class_at_least !== undefined) {
      out.loanClassAtLeast = asClass(cond.loan_class_at_least, [...at, 'any_of', 'loan_class_at_least'], fail, '正常 is every loan: the rule would give every customer with a loan this grade');
    }
    if (cond.loan_dpd_over !== undefined) out.loanDpdOver = asWhole(cond.loan_dpd_over, [...at, 'any_of', 'loan_dpd_over'], fail, 0, MAX_DAYS, 'days');
    if (cond.pd_at_least !== undefined) out.pdAtLeast = asPd(cond.pd_at_least, [...at, 'any_of', 'pd_at_least'], fail);
    if (cond.written_off !== undefined) {
      if (cond.written_off !== true) {
        fail([...at, 'any_of', 'written_off'], `must be true, got ${show(cond.written_off)}.`, 'write "written_off: true", or remove the key when a write-off should not give this grade.');
      }
      out.writtenOff = true;
    }
    return out;
  });
  // Order: the first rule that applies wins, so the most severe grade comes first and each grade once.
  rules.forEach((r, k) => {
    if (k === 0) return;
    const prev = rules[k - 1]!;
    const first = rules.findIndex((x) => x.grade === r.grade);
    if (first < k) {
      fail(['rules', k, 'grade'], `grade ${r.grade} already has rule ${first + 1}; each grade may have one rule.`, `move these conditions into rule ${first + 1}'s any_of (a rule applies when any of its conditions holds) and remove this rule.`);
    }
    if (severity(r.grade) > severity(prev.grade)) {
      fail(
        ['rules', k, 'grade'],
        `rules must go from the most severe grade to the mildest (C, then B, then A), but ${GRADE_LABEL[r.grade]} comes after ${GRADE_LABEL[prev.grade]} (rule ${k}): a customer matching both would get the milder grade.`,
        `move this rule above rule ${k}.`,
      );
    }
    // A later (milder) rule's threshold must be milder than an earlier rule's, or it can never apply.
    for (let i = 0; i < k; i++) {
      const e = rules[i]!;
      const shadow = (key: (typeof CONDITION_KEYS)[number], mine: string, theirs: string, fix: string) =>
        fail(['rules', k, 'any_of', key], `${mine} is not milder than rule ${i + 1} (${GRADE_LABEL[e.grade]}) ${theirs}: every customer it catches is already ${e.grade}, so it can never give ${r.grade}.`, fix);
      if (r.loanDpdOver !== undefined && e.loanDpdOver !== undefined && r.loanDpdOver >= e.loanDpdOver) {
        shadow('loan_dpd_over', `loan_dpd_over ${r.loanDpdOver}`, `loan_dpd_over ${e.loanDpdOver}`, `lower it below ${e.loanDpdOver}, or remove it.`);
      }
      if (r.pdAtLeast !== undefined && e.pdAtLeast !== undefined && r.pdAtLeast >= e.pdAtLeast) {
        shadow('pd_at_least', `pd_at_least ${r.pdAtLeast}`, `pd_at_least ${e.pdAtLeast}`, `lower it below ${e.pdAtLeast}, or remove it.`);
      }
      if (r.loanClassAtLeast !== undefined && e.loanClassAtLeast !== undefined && classRank(r.loanClassAtLeast) >= classRank(e.loanClassAtLeast)) {
        const milder = FIVE_CLASSES[classRank(e.loanClassAtLeast) - 2];
        shadow(
          'loan_class_at_least',
          `loan_class_at_least ${r.loanClassAtLeast}`,
          `loan_class_at_least ${e.loanClassAtLeast}`,
          milder && milder !== '正常' ? `use a milder class than ${e.loanClassAtLeast} (e.g. ${milder}), or remove it.` : 'remove it.',
        );
      }
      if (r.writtenOff && e.writtenOff) shadow('written_off', 'written_off', 'written_off', 'remove it from this rule.');
    }
  });
  const fallback = asGrade(top.fallback, ['fallback'], fail);
  const last = rules[rules.length - 1]!;
  if (severity(fallback) >= severity(last.grade)) {
    fail(
      ['fallback'],
      `the fallback ${GRADE_LABEL[fallback]} must be milder than every rule's grade, but rule ${rules.length} gives ${GRADE_LABEL[last.grade]}.`,
      fallback === 'A' ? 'remove the rule for grade A: customers no rule applies to are A already.' : `set fallback to a milder grade than ${last.grade} (A is the usual one).`,
    );
  }
  const pdMaxAgeMonths = asWhole(top.pd_max_age_months, ['pd_max_age_months'], fail, 1, MAX_MONTHS, 'months');
  return { rules, fallback, pdMaxAgeMonths };
}

function checkFloor(root: unknown, fail: Fail): FloorRules {
  const top = asMap(root, [], fail, 'a mapping with the keys dpd and restructured', 'start from the shipped policy/classification-floor.yaml');
  checkKeys(top, [], ['dpd', 'restructured'], ['dpd', 'restructured'], fail);
  const list = asList(top.dpd, ['dpd'], fail, 'add at least one entry, e.g. "- { over_days: 90, floor: 次级 }"');
  const dpd = list.map((item, k) => {
    const at = ['dpd', k];
    const r = asMap(item, at, fail, 'an entry with the keys over_days and floor', 'write the entry as "- over_days: 90" with "floor: 次级" indented below it');
    checkKeys(r, at, ['over_days', 'floor'], ['over_days', 'floor'], fail);
    return {
      overDays: asWhole(r.over_days, [...at, 'over_days'], fail, 0, MAX_DAYS, 'days'),
      floor: asClass(r.floor, [...at, 'floor'], fail, '正常 is the floor of every loan no entry applies to'),
    };
  });
  dpd.forEach((r, k) => {
    if (k === 0) return;
    const prev = dpd[k - 1]!;
    if (r.overDays === prev.overDays) {
      fail(['dpd', k, 'over_days'], `over_days ${r.overDays} appears twice (entries ${k} and ${k + 1}).`, 'keep one entry per number of days.');
    }
    if (r.overDays > prev.overDays) {
      fail(['dpd', k, 'over_days'], `entries must go from the most days past due to the fewest, but over_days ${r.overDays} comes after ${prev.overDays}.`, `move this entry above the entry for over_days ${prev.overDays}.`);
    }
    if (classRank(r.floor) >= classRank(prev.floor)) {
      fail(
        ['dpd', k, 'floor'],
        `floor ${r.floor} is not milder than the entry above (over_days ${prev.overDays} → ${prev.floor}): a loan fewer days past due cannot need an equal or more severe floor.`,
        `use a milder class than ${prev.floor}, or remove the entry${r.floor === prev.floor ? ` (over_days ${prev.overDays} already gives ${prev.floor})` : ''}.`,
      );
    }
  });
  const rs = asMap(top.restructured, ['restructured'], fail, 'a mapping with the keys floor and observation_months', 'write "restructured:" with "floor: 次级" and "observation_months: 12" indented below it');
  checkKeys(rs, ['restructured'], ['floor', 'observation_months'], ['floor', 'observation_months'], fail);
  return {
    dpd,
    restructured: {
      floor: asClass(rs.floor, ['restructured', 'floor'], fail, 'a floor of 正常 would have no effect'),
      observationMonths: asWhole(rs.observation_months, ['restructured', 'observation_months'], fail, 1, MAX_MONTHS, 'months'),
    },
  };
}

/** Ranges of the KPI rules (inclusive). */
const KPI_LIMITS = {
  timelyWithinDays: [0, 365],
  coverageLeadDays: [0, MAX_DAYS],
  lookbackDays: [1, MAX_DAYS],
  slaHours: [1, 720],
  horizonMonths: [1, MAX_MONTHS],
  defaultDpdOver: [0, MAX_DAYS],
  pdBinDecimals: [0, 8], // the SQL rounds PD to at most 8 decimals
  psiBins: [2, 20], // quantiles of the reference month: 2 (halves) to 20 (ventiles)
} as const;

function checkKpi(root: unknown, fail: Fail): KpiRules {
  const top = asMap(root, [], fail, 'a mapping with the keys warnings, verification and model_validation', 'start from the shipped policy/kpi-rules.yaml');
  checkKeys(top, [], ['warnings', 'verification', 'model_validation'], ['warnings', 'verification', 'model_validation'], fail);
  const section = (key: string, keys: readonly string[]): Record<string, unknown> => {
    const m = asMap(top[key], [key], fail, `a mapping with the keys ${keys.join(', ')}`, `indent ${keys.map((k) => `"${k}: …"`).join(', ')} under "${key}:", one per line (see the shipped policy/kpi-rules.yaml)`);
    checkKeys(m, [key], keys, keys, fail);
    return m;
  };
  const whole = (m: Record<string, unknown>, sectionKey: string, key: string, [min, max]: readonly [number, number], unit: string): number =>
    asWhole(m[key], [sectionKey, key], fail, min, max, unit);

  const w = section('warnings', ['timely_within_days', 'coverage_lead_days', 'lookback_days']);
  const warnings = {
    timelyWithinDays: whole(w, 'warnings', 'timely_within_days', KPI_LIMITS.timelyWithinDays, 'days'),
    coverageLeadDays: whole(w, 'warnings', 'coverage_lead_days', KPI_LIMITS.coverageLeadDays, 'days'),
    lookbackDays: whole(w, 'warnings', 'lookback_days', KPI_LIMITS.lookbackDays, 'days'),
  };
  if (warnings.coverageLeadDays > warnings.lookbackDays) {
    fail(
      ['warnings', 'coverage_lead_days'],
      `coverage_lead_days ${warnings.coverageLeadDays} is more than lookback_days ${warnings.lookbackDays}: a warning early enough to cover an NPL would be too old to count, so no NPL could ever be covered.`,
      `lower coverage_lead_days to at most ${warnings.lookbackDays}, or raise lookback_days to at least ${warnings.coverageLeadDays}.`,
    );
  }
  const v = section('verification', ['sla_hours']);
  const verification = { slaHours: whole(v, 'verification', 'sla_hours', KPI_LIMITS.slaHours, 'hours') };
  const m = section('model_validation', ['horizon_months', 'default_class_at_least', 'default_dpd_over', 'written_off_is_default', 'pd_bin_decimals', 'psi_reference', 'psi_bins']);
  const modelValidation = {
    horizonMonths: whole(m, 'model_validation', 'horizon_months', KPI_LIMITS.horizonMonths, 'months'),
    defaultClassAtLeast: asClass(m.default_class_at_least, ['model_validation', 'default_class_at_least'], fail, 'every loan is 正常 or worse, so every customer with a loan would be in default'),
    defaultDpdOver: whole(m, 'model_validation', 'default_dpd_over', KPI_LIMITS.defaultDpdOver, 'days'),
    writtenOffIsDefault: asBool(m.written_off_is_default, ['model_validation', 'written_off_is_default'], fail),
    pdBinDecimals: whole(m, 'model_validation', 'pd_bin_decimals', KPI_LIMITS.pdBinDecimals, 'decimals'),
    psiReference: asReferenceMonth(m.psi_reference, ['model_validation', 'psi_reference'], fail),
    psiBins: whole(m, 'model_validation', 'psi_bins', KPI_LIMITS.psiBins, 'bins'),
  };
  return { warnings, verification, modelValidation };
}

/** Keys of one override in kpi-targets.yaml. */
const TARGET_KEYS = ['value', 'op', 'tolerance', 'delta', 'delta_mode', 'policy_source'] as const;
const FIXED_KEYS = ['value', 'op'] as const;
const PRIOR_YEAR_KEYS = ['delta', 'delta_mode'] as const;
const OP_WORDS: Record<string, TargetOp> = { '≤': '<=', '=<': '<=', '≥': '>=', '=>': '>=' };

/**
 * `op: >=` (and `op: >`) is not valid YAML (`>` starts a folded block), so the YAML parser's own
 * message would not help: name the line and the fix (quote it) first.
 */
function checkUnquotedOps(text: string, file: string): void {
  const lines = text.split('\n');
  lines.forEach((line, k) => {
    const m = /^(\s+)op:\s*([<>=≤≥]+)\s*(#.*)?$/.exec(line);
    if (!m || !m[2]!.startsWith('>')) return;
    const owner = lines
      .slice(0, k)
      .reverse()
      .map((l) => /^([^\s#][^:]*):/.exec(l)?.[1])
      .find((x) => x !== undefined);
    const key = owner ? `${owner}.op` : 'op';
    const op = OP_WORDS[m[2]!] ?? m[2]!;
    throw new CqError('POLICY_INVALID', `${shown(file)}:${k + 1}: ${key}: ${m[2]} must be quoted (in YAML a value starting with > begins a block of text). Fix: write op: "${op}" (with the double quotes).`, {
      file,
      line: k + 1,
      key,
    });
  });
}

function checkTargets(root: unknown, fail: Fail, metrics: readonly MetricTargetShape[] | undefined): KpiTargets {
  if (root === null || root === undefined) return {}; // comments only: no overrides
  const top = asMap(root, [], fail, 'a mapping from metric ids to their overrides', 'start from the shipped policy/kpi-targets.yaml: a metric id such as "npl_ratio:" at the start of a line, its keys indented below it');
  const byId = metrics ? new Map(metrics.map((m) => [m.id, m])) : undefined;
  const known = byId ? [...byId.keys()].sort() : [];
  const out: Record<string, KpiTargetOverride> = {};
  for (const [id, raw] of Object.entries(top)) {
    const at = [id];
    const snake = id.trim().replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replaceAll('-', '_');
    if (byId && !byId.has(id)) {
      fail(at, `unknown metric id "${id}".`, byId.has(snake) ? `write it as "${snake}".` : `use one of the metric ids: ${known.join(', ')} (docs/kpis.md lists them; each is defined in metrics/<id-with-dashes>.ts).`);
    }
    if (!byId && !/^[a-z][a-z0-9_]*$/.test(id)) {
      fail(at, `"${id}" is not a metric id.`, snake !== id && /^[a-z][a-z0-9_]*$/.test(snake) ? `write it as "${snake}".` : 'write the metric id in snake_case, e.g. npl_ratio (docs/kpis.md lists them).');
    }
    const o = asMap(raw, at, fail, `the override of ${id}: any of ${TARGET_KEYS.join(', ')}`, `indent its keys under "${id}:", e.g. "value: 0.015", or remove "${id}:" to keep the target of its metric file`);
    checkKeys(o, at, TARGET_KEYS, [], fail);
    if (Object.keys(o).length === 0) fail(at, 'sets nothing.', `add at least one of ${TARGET_KEYS.join(', ')}, or remove "${id}:" to keep the target of its metric file.`);
    const fixed = FIXED_KEYS.find((k) => k in o);
    const prior = PRIOR_YEAR_KEYS.find((k) => k in o);
    if (fixed && prior) {
      fail(
        [...at, prior],
        `${fixed} and ${prior} in one override: ${FIXED_KEYS.join(' and ')} set a fixed target, ${PRIOR_YEAR_KEYS.join(' and ')} a target relative to the same month a year earlier.`,
        'keep the keys of the kind of target the KPI has (docs/kpis.md, "Configuration").',
      );
    }
    const shape = byId?.get(id);
    if (shape) {
      // The kind of target must fit the KPI's own (its metric file).
      const targetKey = TARGET_KEYS.find((k) => k !== 'policy_source' && k in o);
      if (shape.targetKind === 'none' && targetKey) {
        fail([...at, targetKey], `${id} has no target (${shape.defaultText}), so ${targetKey} does not apply.`, `remove ${targetKey}: only policy_source may be set for ${id} (a target is added in its definition, ${shape.file}).`);
      }
      if (shape.targetKind === 'fixed' && prior) {
        fail([...at, prior], `${id} has a fixed target (${shape.defaultText}); ${prior} is for a target relative to the same month a year earlier.`, `set value${shape.defaultValue !== null ? ` (now ${shape.defaultValue})` : ''} and op instead, e.g. "value: ${shape.defaultValue ?? 0.02}".`);
      }
      if (shape.targetKind === 'prior_year' && fixed) {
        fail([...at, fixed], `${id} has a target relative to the same month a year earlier (${shape.defaultText}); ${fixed} is for a fixed target.`, 'set delta (e.g. "delta: -0.03") and delta_mode (points or relative) instead.');
      }
    }
    const r: { -readonly [K in keyof KpiTargetOverride]: KpiTargetOverride[K] } = {};
    if ('value' in o) r.value = asTargetNumber(o.value, [...at, 'value'], fail, 'value', shape);
    if ('op' in o) r.op = asOp(o.op, [...at, 'op'], fail, shape);
    if ('tolerance' in o) r.tolerance = asTargetNumber(o.tolerance, [...at, 'tolerance'], fail, 'tolerance', shape);
    if ('delta' in o) {
      const d = o.delta;
      if (typeof d !== 'number' || !Number.isFinite(d)) {
        fail([...at, 'delta'], `expected a number, got ${show(d)}.`, 'write the change against the same month a year earlier as a number without quotes, e.g. -0.03 (3 percentage points lower) or 5 (5 points higher).');
      }
      r.delta = d as number;
    }
    if ('delta_mode' in o) {
      if (typeof o.delta_mode !== 'string' || !(DELTA_MODES as readonly string[]).includes(o.delta_mode)) {
        fail([...at, 'delta_mode'], `${show(o.delta_mode)} is not a delta mode.`, 'write points (delta is added in the unit of the value) or relative (the prior-year value × (1 + delta)).');
      }
      r.deltaMode = o.delta_mode as DeltaMode;
    }
    if (r.delta !== undefined && r.delta <= -1 && (r.deltaMode ?? shape?.defaultDeltaMode) === 'relative') {
      fail([...at, 'delta'], `a relative delta of ${r.delta} makes the target the prior-year value × ${+(1 + r.delta).toFixed(6)}, zero or less.`, 'write a relative delta above -1, e.g. -0.1 for 10% lower.');
    }
    if ('policy_source' in o) {
      if (typeof o.policy_source !== 'string' || o.policy_source.trim() === '') {
        fail([...at, 'policy_source'], `expected the policy the target comes from, as text, got ${show(o.policy_source)}.`, 'write the regulation or internal policy, e.g. policy_source: "2025 年风险偏好陈述：不良率 ≤ 1.5%", or remove the key.');
      }
      r.policySource = (o.policy_source as string).trim();
    }
    out[id] = r;
  }
  return out;
}

/** A target value or tolerance: a number ≥ 0 in the value's unit (ratios as fractions). */
function asTargetNumber(v: unknown, at: Path, fail: Fail, key: 'value' | 'tolerance', shape: MetricTargetShape | undefined): number {
  const example = key === 'value' ? '0.015 for 1.5%' : '0.005 for half a percentage point';
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*%\s*$/.test(v)) {
    const n = +(Number(v.replace('%', '')) / 100).toFixed(10);
    fail(at, `expected a number, got ${show(v)}.`, `write ${n} for ${v.trim()} (a ratio is a fraction), without quotes.`);
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(at, `expected a number, got ${show(v)}.`, `write it as a number without quotes, in the unit of the KPI's value (ratios as fractions: ${example}).`);
  const n = v as number;
  if (n < 0) {
    fail(at, key === 'tolerance' ? `a tolerance of ${n} is negative.` : `a target of ${n} is negative.`, key === 'tolerance' ? 'write 0 (no amber band: anything off target is red) or more: the amber band beyond the target, in the unit of the value.' : `write a target of 0 or more, e.g. ${example}.`);
  }
  // A ratio whose own target is below 100% takes a fraction: 1.5 would be 150%.
  if (shape && shape.unit === 'ratio' && shape.defaultValue !== null && shape.defaultValue < 1 && n > 1) {
    fail(at, `${n} is ${+(n * 100).toFixed(6)}%: ${shape.id} is a ratio, written as a fraction.`, `write ${+(n / 100).toFixed(10)} for ${n}%.`);
  }
  return n;
}

function asOp(v: unknown, at: Path, fail: Fail, shape: MetricTargetShape | undefined): TargetOp {
  const quoted = TARGET_OPS.map((o) => `"${o}"`).join(', ');
  if (typeof v === 'string' && OP_WORDS[v.trim()]) fail(at, `${show(v)} is not a comparison.`, `write op: "${OP_WORDS[v.trim()]}" (one of ${quoted}, with the double quotes).`);
  if (typeof v !== 'string' || !(TARGET_OPS as readonly string[]).includes(v)) fail(at, `${show(v)} is not a comparison.`, `write one of ${quoted}, with the double quotes.`);
  const op = v as TargetOp;
  if (shape) {
    const lower = shape.direction === 'lower_is_better';
    if (lower !== (op === '<=' || op === '<')) {
      fail(
        at,
        `"${op}" does not fit ${shape.id}: ${lower ? 'lower values are better, so the target is an upper limit' : 'higher values are better, so the target is a lower limit'} (the amber band lies ${lower ? 'above' : 'below'} it).`,
        `write op: ${lower ? '"<=" or "<"' : '">=" or ">"'}.`,
      );
    }
  }
  return op;
}

// ---------------------------------------------------------------------------------------------
// Typed readers.

const KEY_EXAMPLES: Record<string, string> = {
  rules: '"rules:" with one "- grade: …" item per grade',
  fallback: '"fallback: A"',
  pd_max_age_months: '"pd_max_age_months: 12"',
  grade: '"grade: C" (A, B or C)',
  any_of: '"any_of:" with the conditions indented below it, e.g. "loan_dpd_over: 90"',
  dpd: '"dpd:" with one "- over_days: …" entry per floor',
  restructured: '"restructured:" with "floor: 次级" and "observation_months: 12" indented below it',
  over_days: '"over_days: 90" (more than 90 days past due)',
  floor: '"floor: 次级" (关注, 次级, 可疑 or 损失)',
  observation_months: '"observation_months: 12"',
  warnings: '"warnings:" with "timely_within_days: 3", "coverage_lead_days: 30" and "lookback_days: 365" indented below it',
  verification: '"verification:" with "sla_hours: 24" indented below it',
  model_validation: '"model_validation:" with horizon_months, default_class_at_least, default_dpd_over, written_off_is_default, pd_bin_decimals, psi_reference and psi_bins indented below it',
  timely_within_days: '"timely_within_days: 3"',
  coverage_lead_days: '"coverage_lead_days: 30"',
  lookback_days: '"lookback_days: 365"',
  sla_hours: '"sla_hours: 24"',
  horizon_months: '"horizon_months: 12"',
  default_class_at_least: '"default_class_at_least: 次级" (关注, 次级, 可疑 or 损失)',
  default_dpd_over: '"default_dpd_over: 90" (more than 90 days past due)',
  written_off_is_default: '"written_off_is_default: true" (true or false)',
  pd_bin_decimals: '"pd_bin_decimals: 4"',
  psi_reference: '"psi_reference: first_month" (or a fixed month in quotes, e.g. "2026-01")',
  psi_bins: '"psi_bins: 10"',
};


function asGrade(v: unknown, at: Path, fail: Fail): Grade {
  if (typeof v !== 'string' || !(GRADES as readonly string[]).includes(v.trim().toUpperCase())) {
    fail(at, `${show(v)} is not a grade.`, 'use A (优质 prime), B (一般 standard) or C (高风险 high risk).');
  }
  if (v !== (v as string).trim().toUpperCase()) fail(at, `${show(v)} is not a grade.`, `write it as ${(v as string).trim().toUpperCase()}.`);
  return v as Grade;
}


const checkKeys = (o: Record<string, unknown>, at: Path, known: readonly string[], required: readonly string[], fail: Fail): void =>
  checkPolicyKeys(o, at, known, required, fail, KEY_EXAMPLES);

/** The PSI reference month: `first_month`, or a month written `YYYY-MM` (text, quoted or not). */
function asReferenceMonth(v: unknown, at: Path, fail: Fail): KpiRules['modelValidation']['psiReference'] {
  const fix = 'write first_month (each model version against its first loaded month) or a month "YYYY-MM" in double quotes, e.g. "2026-01".';
  if (v === 'first_month') return v;
  if (typeof v === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(v)) return v as `${number}-${number}`;
  if (typeof v !== 'string') fail(at, `expected first_month or a month "YYYY-MM", got ${show(v)}.`, fix);
  const day = /^\s*(\d{4})-(\d{1,2})(?:-\d{1,2})?\s*$/.exec(v as string);
  if (day && +day[2]! >= 1 && +day[2]! <= 12) {
    fail(at, `${show(v)} is not a month "YYYY-MM".`, `write "${day[1]}-${day[2]!.padStart(2, '0')}" (the whole month is the reference).`);
  }
  const word = (v as string).trim().toLowerCase().replace(/[\s-]+/g, '_');
  fail(at, `${show(v)} is neither first_month nor a month "YYYY-MM".`, word === 'first_month' ? 'write it as first_month.' : fix);
}

