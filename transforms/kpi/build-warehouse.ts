import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { CqError } from '../lib/errors.js';
import { buildModels, dataTestScope } from '../warehouse/build-models.js';
import { runDataTests, type DataTestResult } from '../warehouse/data-tests.js';
import type { ModelDefinition } from '../warehouse/model.js';
import { discoverModels } from '../warehouse/registry.js';
import { mergeRules, withRules, type RuleOverrides } from '../policy/business-rules.js';
import { checkRules, loadPolicy, parseKpiTargetsPolicy } from '../policy/read-policy.js';
import { recordPolicy } from '../policy/record-policy.js';
import { buildMetrics, kpiTestModels } from './build-metrics.js';
import { discoverMetrics } from './discover-metrics.js';
import { applyTargetOverrides, targetShapeOf } from './target-overrides.js';
import type { MetricDefinition } from './metric.js';

/** One timed step of a warehouse build. */
export interface BuildStep {
  step: string;
  seconds: number;
  /** CPU seconds of the process during the step (all DuckDB threads; other load on the machine does not count). */
  cpuSeconds: number;
  rows: number;
}

/** Options of {@link buildWarehouse}. */
export interface BuildWarehouseOptions {
  /**
   * Policy folder holding `customer-grading.yaml`, `classification-floor.yaml` and `kpi-rules.yaml`, and optionally
   * `kpi-targets.yaml` (the lender's KPI target overrides; default: the shipped `policy/`). Read and checked
   * (the targets against the metrics) before anything is built (`POLICY_INVALID`), recorded in
   * `ops.policy_files`. The nightly passes `policyDir` of cq.config.json.
   */
  policyDir?: string;
  /** Rule overrides for this build over the policy files (checked like the files). */
  rules?: RuleOverrides;
  /** Run data tests (default true). Error-severity failures throw DATA_TEST_FAILED after all ran. */
  runTests?: boolean;
  /** Models to build (default: all discovered). */
  models?: readonly ModelDefinition[];
  /** Metrics to build (default: all in metrics/), before the policy's target overrides are applied. */
  metrics?: readonly MetricDefinition[];
  /**
   * Month end (YYYY-MM-DD): month-incremental build — models that declare `incremental` rebuild
   * only months >= since (and their data tests cover those months); everything else is rebuilt
   * in full. The nightly passes the month before the earliest business date it loaded.
   */
  since?: string;
  /** Called after each step (progress output). */
  onStep?: (step: BuildStep) => void;
}

/** Result of {@link buildWarehouse}. */
export interface BuildWarehouseResult {
  steps: BuildStep[];
  tests: DataTestResult[];
  seconds: number;
  /** The policy files the build used (as recorded in ops.policy_files). */
  policy: { dir: string; files: { policy: string; file: string; sha256: string }[] };
  /** Models DuckDB ran out of memory on and built again with one thread (slower, same rows). */
  singleThreaded: string[];
}

/**
 * Builds the whole warehouse after a load, with the lender policy of `policyDir` (grade rules,
 * classification floor, KPI rules; default: the shipped `policy/`): every model (staging → core → marts, in
 * dependency order) and then every KPI (`metrics.kpi_<id>`, `metrics.metric_catalog`,
 * `metrics.kpi_values`), with data tests. Used by `npm run transform`, the nightly job and tests.
 *
 * @example
 * const wh = await openWarehouse('data/warehouse.duckdb');
 * const { steps } = await buildWarehouse(wh, { onStep: (s) => console.log(s.step, s.seconds) });
 */
export async function buildWarehouse(wh: WarehouseHandle, options: BuildWarehouseOptions = {}): Promise<BuildWarehouseResult> {
  const started = performance.now();
  // The policy first: a wrong file stops the build before anything is touched. The KPI target
  // overrides are checked against the metric definitions (read, not built, here).
  const defined = options.metrics ?? (await discoverMetrics());
  const policy = loadPolicy(options.policyDir);
  const rules = mergeRules({ grading: policy.grading, floor: policy.floor, kpi: policy.kpi, warnings: policy.warnings, fileCycles: policy.fileCycles }, options.rules);
  const overridden = { grading: options.rules?.grading !== undefined, floor: options.rules?.floor !== undefined, kpi: options.rules?.kpi !== undefined, warnings: options.rules?.warnings !== undefined, fileCycles: options.rules?.fileCycles !== undefined };
  if (overridden.grading || overridden.floor || overridden.kpi) checkRules(rules, `buildWarehouse option rules (over ${policy.dir})`);
  const targetsFile = policy.files.find((f) => f.policy === 'kpi-targets');
  if (targetsFile) parseKpiTargetsPolicy(targetsFile.text, targetsFile.path, defined.map((m) => targetShapeOf(m, rules.kpi)));
  const metrics = applyTargetOverrides(defined, policy.targets);
  const [rawTables] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'ops' AND table_name = 'load_audit'`);
  if (!rawTables || rawTables.n === 0) {
    throw new CqError('WAREHOUSE_MISSING', `${wh.path}: no extracts have been loaded (ops.load_audit is missing). Fix: run npm run load -- --extracts DIR first.`);
  }
  const steps: BuildStep[] = [];
  let cpuMark = process.cpuUsage();
  const cpuSince = () => {
    const d = process.cpuUsage(cpuMark);
    cpuMark = process.cpuUsage();
    return (d.user + d.system) / 1e6;
  };
  const push = (step: string, seconds: number, rows: number) => {
    const s = { step, seconds, cpuSeconds: cpuSince(), rows };
    steps.push(s);
    options.onStep?.(s);
  };
  // Row order inside the built tables carries no meaning (every reader orders explicitly), so
  // let DuckDB write in parallel without preserving it; restored afterwards for other work.
  const duckdb = wh.engine === 'duckdb';
  if (duckdb) await wh.exec('SET preserve_insertion_order = false');
  try {
    return await withRules(rules, async () => {
      const models = options.models ?? (await discoverModels());
      const built = await buildModels(wh, models, {
        runTests: false,
        ...(options.since ? { since: options.since } : {}),
        onModel: (table, seconds, mode, singleThreaded) =>
          push(`${mode === 'incremental' ? `${table} (months ≥ ${options.since!.slice(0, 7)})` : table}${singleThreaded ? ' (out of memory at first, built again with one thread)' : ''}`, seconds, -1),
      });
      for (const b of built.built) {
        const step = steps.find((s) => s.step === b.table || s.step.startsWith(`${b.table} (`));
        if (step) step.rows = b.rows;
      }
      // Every model now reflects this policy (a changed policy changes their SQL: rebuilt in full).
      await recordPolicy(wh, policy, rules, overridden);
      const tests: DataTestResult[] = [];
      let t0 = performance.now();
      if (options.runTests !== false) {
        const mt = await runDataTests(wh, models, dataTestScope(built.built, options.since));
        tests.push(...mt);
        push(`data tests (${mt.length} on models)`, (performance.now() - t0) / 1000, -1);
      }
      await buildMetrics(wh, metrics, { runTests: false, onMetric: (table, seconds) => push(table, seconds, -1) });
      if (options.runTests !== false) {
        t0 = performance.now();
        const kt = await runDataTests(wh, kpiTestModels(metrics));
        tests.push(...kt);
        push(`data tests (${kt.length} on KPI tables)`, (performance.now() - t0) / 1000, -1);
      }
      t0 = performance.now();
      // DuckDB: write the WAL into the file now; PostgreSQL: statistics for the readers' plans.
      await wh.exec(duckdb ? 'CHECKPOINT' : 'ANALYZE');
      push(duckdb ? 'checkpoint' : 'analyze', (performance.now() - t0) / 1000, -1);
      const files = policy.files.map((f) => ({ policy: f.policy, file: f.file, sha256: f.sha256 }));
      const singleThreaded = built.built.filter((m) => m.singleThreaded).map((m) => m.table);
      return { steps, tests, seconds: (performance.now() - started) / 1000, policy: { dir: policy.dir, files }, singleThreaded };
    });
  } finally {
    if (duckdb) await wh.exec('RESET preserve_insertion_order');
  }
}
