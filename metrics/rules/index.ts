import { DEFAULT_FLOOR_RULES, type FloorRules } from './classification-floor.js';
import { DEFAULT_GRADING_RULES, type GradingRules } from './customer-grading.js';
import { DEFAULT_KPI_RULES, type KpiRules } from './kpi-rules.js';

export * from './classification-floor.js';
export * from './customer-grading.js';
export * from './five-category.js';
export * from './kpi-rules.js';

/** Every configurable business rule the models read. */
export interface BusinessRules {
  floor: FloorRules;
  grading: GradingRules;
  kpi: KpiRules;
}

/** Overrides for a build: any part may be replaced (the rest keeps its default). */
export interface RuleOverrides {
  floor?: Partial<FloorRules>;
  grading?: Partial<GradingRules>;
  kpi?: { [K in keyof KpiRules]?: Partial<KpiRules[K]> };
}

export const DEFAULT_RULES: BusinessRules = { floor: DEFAULT_FLOOR_RULES, grading: DEFAULT_GRADING_RULES, kpi: DEFAULT_KPI_RULES };

let active: BusinessRules = DEFAULT_RULES;

/**
 * The rules in force for the build that is compiling models right now (the defaults unless
 * a build passed overrides). Models call this inside their `query`, at compile time.
 *
 * @example
 * const days = activeRules().floor.restructured.observationMonths; // 12
 */
export function activeRules(): BusinessRules {
  return active;
}

/** Merges overrides into the defaults. @example mergeRules({ floor: { restructured: { floor: '次级', observationMonths: 6 } } }) */
export function mergeRules(overrides: RuleOverrides = {}): BusinessRules {
  return {
    floor: { ...DEFAULT_FLOOR_RULES, ...overrides.floor },
    grading: { ...DEFAULT_GRADING_RULES, ...overrides.grading },
    kpi: {
      warnings: { ...DEFAULT_KPI_RULES.warnings, ...overrides.kpi?.warnings },
      verification: { ...DEFAULT_KPI_RULES.verification, ...overrides.kpi?.verification },
      modelValidation: { ...DEFAULT_KPI_RULES.modelValidation, ...overrides.kpi?.modelValidation },
    },
  };
}

/**
 * Runs `fn` with the given rule overrides in force, restoring the previous rules afterwards.
 *
 * @example
 * await withRules({ floor: { restructured: { floor: '次级', observationMonths: 6 } } }, () => buildModels(wh, models));
 */
export async function withRules<T>(overrides: RuleOverrides | undefined, fn: () => Promise<T>): Promise<T> {
  const previous = active;
  active = mergeRules(overrides);
  try {
    return await fn();
  } finally {
    active = previous;
  }
}
