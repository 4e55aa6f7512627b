/**
 * KPI targets as lender policy: the typed in-memory form of `policy/kpi-targets.yaml` (or the
 * operator's `policyDir` copy), read and checked by `loadPolicy` (transforms/policy/read-policy.ts).
 *
 * Each KPI keeps its default target in its own definition (`metrics/<id>.ts`: `target`,
 * `tolerance`, `policySource`); the file holds only the lender's overrides, per metric id, and
 * every key of an override is optional (a missing key keeps the metric's default). The KPI engine
 * applies them (`applyTargetOverrides`, transforms/kpi/target-overrides.ts) before it computes the
 * target, the RAG and the catalog's target text; KPI values never change.
 * Documented in policy/README.md and docs/kpis.md ("Configuration").
 *
 * @example
 * loadPolicy('policy-bank', { metrics }).targets;
 * // { npl_ratio: { value: 0.015, op: '<=', policySource: '2025 年风险偏好陈述：不良率 ≤ 1.5%' } }
 */

/** Comparisons that make a value "on target" (green), as written in the file (quoted: `op: "<="`). */
export const TARGET_OPS = ['<=', '<', '>=', '>'] as const;

/** Comparison that makes a value "on target" (green). */
export type TargetOp = (typeof TARGET_OPS)[number];

/** How a prior-year delta is applied: `points` added in the value's unit, `relative`: × (1 + delta). */
export const DELTA_MODES = ['points', 'relative'] as const;

/** How a prior-year delta is applied (see {@link DELTA_MODES}). */
export type DeltaMode = (typeof DELTA_MODES)[number];

/**
 * One KPI's override (every key optional; at least one is set):
 * - fixed targets: `value` (in the value's unit: 0.015 = 1.5 %) and `op`;
 * - prior-year targets (churn_rate, satisfaction_index): `delta` and `deltaMode`;
 * - any target: `tolerance` (the amber band, ≥ 0, in the value's unit);
 * - any KPI, also one without a target: `policySource` (the policy the target comes from).
 */
export interface KpiTargetOverride {
  readonly value?: number;
  readonly op?: TargetOp;
  readonly delta?: number;
  readonly deltaMode?: DeltaMode;
  readonly tolerance?: number;
  readonly policySource?: string;
}

/** The overrides of a policy folder, by metric id (`{}`: none, every KPI keeps its metric file's target). */
export type KpiTargets = Readonly<Record<string, KpiTargetOverride>>;

/**
 * What the checks of `kpi-targets.yaml` need to know about one KPI. The KPI engine gives it
 * (`targetShapeOf`, transforms/kpi/target-overrides.ts): the policy stage does not read metric
 * definitions itself.
 */
export interface MetricTargetShape {
  readonly id: string;
  /** The kind of the metric file's target: `fixed`, `prior_year` or `none`. */
  readonly targetKind: 'fixed' | 'prior_year' | 'none';
  readonly unit: 'ratio' | 'days' | 'hours' | 'score';
  readonly direction: 'lower_is_better' | 'higher_is_better';
  /** The metric file's fixed target under the KPI rules in force (null: not a fixed target). */
  readonly defaultValue: number | null;
  /** The metric file's prior-year delta mode (null: not a prior-year target). */
  readonly defaultDeltaMode: DeltaMode | null;
  /** The metric's default target in words (`≤ 2.00%`), for messages. */
  readonly defaultText: string;
  /** The metric's file, for messages (`metrics/npl-ratio.ts`). */
  readonly file: string;
}
