import type { KpiRules } from '../policy/kpi-rules.js';
import { loadPolicy, parseKpiTargetsPolicy } from '../policy/read-policy.js';
import { discoverMetrics } from './discover-metrics.js';
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

/**
 * Checks a policy folder's `kpi-targets.yaml` against the metric definitions (unknown metric ids,
 * keys of the wrong target kind), as a build does before it touches anything — for `cq policy:check`,
 * which builds nothing. Throws POLICY_INVALID naming file, line, key and fix; returns the number of
 * KPIs the file overrides (0 without a file).
 *
 * @example
 * await checkKpiTargets('policy-bank'); // 1 (npl_ratio overridden)
 */
export async function checkKpiTargets(policyDir?: string): Promise<number> {
  const policy = loadPolicy(policyDir);
  const file = policy.files.find((f) => f.policy === 'kpi-targets');
  if (!file) return 0;
  const metrics = await discoverMetrics();
  parseKpiTargetsPolicy(file.text, file.path, metrics.map((m) => targetShapeOf(m, policy.kpi)));
  return Object.keys(policy.targets).length;
}
