import type { KpiRules } from '../policy/kpi-rules.js';
import type { KpiTargets, MetricTargetShape } from '../policy/kpi-targets.js';
import { metricFileName } from './discover-metrics.js';
import { targetText, targetValueOf, type MetricDefinition, type MetricTarget } from './metric.js';

/**
 * What the checks of `kpi-targets.yaml` need to know about a KPI (its target kind, unit,
 * direction and default target), so that `loadPolicy(dir, { metrics })` can refuse an override
 * that does not fit it.
 *
 * @example
 * targetShapeOf(nplRatio, defaultRules().kpi);
 * // { id: 'npl_ratio', targetKind: 'fixed', unit: 'ratio', direction: 'lower_is_better', defaultValue: 0.02,
 * //   defaultDeltaMode: null, defaultText: '≤ 2.00%', file: 'metrics/npl-ratio.ts' }
 */
export function targetShapeOf(m: MetricDefinition, rules: KpiRules): MetricTargetShape {
  return {
    id: m.id,
    targetKind: m.target.kind,
    unit: m.unit,
    direction: m.direction,
    defaultValue: targetValueOf(m, rules),
    defaultDeltaMode: m.target.kind === 'prior_year' ? m.target.deltaMode : null,
    defaultText: targetText(m, rules),
    file: `metrics/${metricFileName(m.id)}`,
  };
}

/**
 * The metrics with the lender's target overrides (`kpi-targets.yaml`, already checked by
 * `loadPolicy` against these metrics) applied: each key set replaces the metric file's value
 * (`value`, `op`, `delta`, `deltaMode` in its `target`; `tolerance`; `policySource`), every other
 * key and every metric without an override is unchanged (the same object). Formulas are untouched,
 * so KPI values never change; the target, the RAG and the catalog's target text follow.
 *
 * @example
 * const [npl] = applyTargetOverrides([nplRatio], { npl_ratio: { value: 0.015 } });
 * npl.target; // { kind: 'fixed', value: 0.015, op: '<=' }
 * catalogEntry(npl).target_text; // '≤ 1.50%'
 */
export function applyTargetOverrides(metrics: readonly MetricDefinition[], targets: KpiTargets): MetricDefinition[] {
  return metrics.map((m) => {
    const o = targets[m.id];
    if (!o) return m;
    const t = m.target;
    let target: MetricTarget = t;
    if (t.kind === 'fixed' && (o.value !== undefined || o.op !== undefined)) {
      const op = o.op ?? t.op;
      target = { kind: 'fixed', value: o.value ?? t.value, ...(op ? { op } : {}) };
    }
    if (t.kind === 'prior_year' && (o.delta !== undefined || o.deltaMode !== undefined)) {
      target = { kind: 'prior_year', delta: o.delta ?? t.delta, deltaMode: o.deltaMode ?? t.deltaMode };
    }
    return { ...m, target, tolerance: o.tolerance ?? m.tolerance, policySource: o.policySource ?? m.policySource };
  });
}
