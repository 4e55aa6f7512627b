import { loadPolicy } from './read-policy.js';
import type { FloorRules } from './classification-floor.js';
import type { GradingRules } from './customer-grading.js';
import type { KpiRules } from './kpi-rules.js';
import type { WarningRules } from './warning-rules.js';
import type { CreditFileCycles } from './credit-file-cycles.js';

export * from './classification-floor.js';
export * from './customer-grading.js';
export * from './five-category.js';
export * from './kpi-rules.js';
export * from './warning-rules.js';
export * from './credit-file-cycles.js';

/** Every configurable business rule the models read. */
export interface BusinessRules {
  floor: FloorRules;
  grading: GradingRules;
  kpi: KpiRules;
  /** Post-loan warning rules (policy/warning-rules.yaml). */
  warnings: WarningRules;
  /** Credit-file update cycles (policy/credit-file-cycles.yaml). */
  fileCycles: CreditFileCycles;
}

/** Overrides for a build: any part may be replaced (the rest keeps the policy files' value). */
export interface RuleOverrides {
  floor?: Partial<FloorRules>;
  grading?: Partial<GradingRules>;
  kpi?: { [K in keyof KpiRules]?: Partial<KpiRules[K]> };
  /** Replaces the warning rules as a whole. */
  warnings?: WarningRules;
  /** Replaces the credit-file cycles as a whole. */
  fileCycles?: CreditFileCycles;
}

let shipped: BusinessRules | undefined;

/**
 * The default rules: the shipped policy files (`policy/customer-grading.yaml`,
 * `policy/classification-floor.yaml`, `policy/kpi-rules.yaml`, read and checked once per process).
 * A build reads its policy folder afresh (see `buildWarehouse`); this is what code outside a build
 * sees (docs generator, tests).
 *
 * @example
 * defaultRules().grading.pdMaxAgeMonths; // 12 (policy/customer-grading.yaml)
 * defaultRules().kpi.verification.slaHours; // 24 (policy/kpi-rules.yaml)
 */
export function defaultRules(): BusinessRules {
  if (!shipped) {
    const p = loadPolicy();
    shipped = { floor: p.floor, grading: p.grading, kpi: p.kpi, warnings: p.warnings, fileCycles: p.fileCycles };
  }
  return shipped;
}

let active: BusinessRules | undefined;

/**
 * The rules in force for the build that is compiling models right now (the shipped policy
 * outside a build). Models call this inside their `query`, at compile time.
 *
 * @example
 * const days = activeRules().floor.restructured.observationMonths; // 12
 */
export function activeRules(): BusinessRules {
  return active ?? defaultRules();
}

/**
 * Merges overrides into base rules (the policy files a build read).
 *
 * @example
 * mergeRules(defaultRules(), { floor: { restructured: { floor: '次级', observationMonths: 6 } } })
 */
export function mergeRules(base: BusinessRules, overrides: RuleOverrides = {}): BusinessRules {
  return {
    floor: { ...base.floor, ...overrides.floor },
    grading: { ...base.grading, ...overrides.grading },
    kpi: {
      warnings: { ...base.kpi.warnings, ...overrides.kpi?.warnings },
      verification: { ...base.kpi.verification, ...overrides.kpi?.verification },
      modelValidation: { ...base.kpi.modelValidation, ...overrides.kpi?.modelValidation },
    },
    warnings: overrides.warnings ?? base.warnings,
    fileCycles: overrides.fileCycles ?? base.fileCycles,
  };
}

/**
 * Runs `fn` with the given rules in force, restoring the previous rules afterwards.
 *
 * @example
 * await withRules(mergeRules(defaultRules(), { floor: { restructured: { floor: '次级', observationMonths: 6 } } }), () => buildModels(wh, models));
 */
export async function withRules<T>(rules: BusinessRules, fn: () => Promise<T>): Promise<T> {
  const previous = active;
  active = rules;
  try {
    return await fn();
  } finally {
    active = previous;
  }
}
