import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { catalogEntry } from '../../transforms/kpi/catalog.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import type { MetricDefinition } from '../../transforms/kpi/metric.js';
import { ragOf } from '../../transforms/kpi/rag.js';
import { applyTargetOverrides, targetShapeOf } from '../../transforms/kpi/target-overrides.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import type { CqError } from '../../transforms/lib/errors.js';
import { defaultRules } from '../../transforms/policy/business-rules.js';
import type { MetricTargetShape } from '../../transforms/policy/kpi-targets.js';
import { loadPolicy, parseKpiTargetsPolicy, POLICY_FILES, SHIPPED_POLICY_DIR } from '../../transforms/policy/read-policy.js';
import { KPI_EXPECTED_RAG, M, writeKpiFixture } from '../helpers/kpi-fixture.js';
import { lineOf, policyError as loadPolicyError } from '../helpers/policy-errors.js';

/**
 * policy/kpi-targets.yaml: the lender's overrides of KPI targets (value, op, tolerance, the
 * prior-year delta, policy source) as data — the shipped file (no overrides, documented examples),
 * every check (POLICY_INVALID naming the file, the line, the key and the fix), an operator's folder
 * without the file, and an operator's copy changing the targets, RAG and catalog text of a build of
 * the hand-worked fixture while every KPI value stays the same.
 */
const SHIPPED_TEXT = readFileSync(join(SHIPPED_POLICY_DIR, POLICY_FILES.targets), 'utf8');

let tmp: string;
let metrics: MetricDefinition[];
let shapes: MetricTargetShape[];
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cq-kpi-targets-'));
  metrics = await discoverMetrics();
  shapes = metrics.map((m) => targetShapeOf(m, defaultRules().kpi));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A policy folder: the shipped files, with kpi-targets.yaml holding `text` (or absent when null). */
function policyDir(text: string | null): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmp, 'policy-'));
  cpSync(SHIPPED_POLICY_DIR, dir, { recursive: true });
  const file = join(dir, POLICY_FILES.targets);
  if (text === null) rmSync(file);
  else writeFileSync(file, text);
  return { dir, file };
}

/** The error of loading `dir`, its targets checked against the metric shapes unless `withMetrics` is false. */
const policyError = (dir: string, withMetrics = true): CqError => loadPolicyError(dir, withMetrics ? { metrics: shapes } : {});

/** The examples of the shipped file, uncommented (everything after "# Examples"). */
function shippedExamples(): string {
  const after = SHIPPED_TEXT.slice(SHIPPED_TEXT.indexOf('# Examples'));
  return after
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^# ?/, ''))
    .join('\n');
}

describe('the shipped policy/kpi-targets.yaml', () => {
  it('sets no override: every line is a comment, so the metric files hold the only defaults', () => {
    for (const line of SHIPPED_TEXT.split('\n')) expect(line === '' || line.startsWith('#'), line).toBe(true);
    expect(loadPolicy(SHIPPED_POLICY_DIR, { metrics: shapes }).targets).toEqual({});
    expect(loadPolicy().files.map((f) => f.policy)).toEqual(['customer-grading', 'classification-floor', 'kpi-rules', 'kpi-targets', 'warning-rules', 'credit-file-cycles']);
  });

  it('documents every key, and its commented examples are valid overrides', () => {
    for (const key of ['value', 'op', 'delta', 'delta_mode', 'tolerance', 'policy_source']) expect(SHIPPED_TEXT, key).toMatch(new RegExp(`^#   ${key} `, 'm'));
    const examples = parseKpiTargetsPolicy(shippedExamples(), 'examples.yaml', shapes);
    expect(Object.keys(examples)).toEqual(['npl_ratio', 'churn_rate', 'warning_timeliness']);
    expect(examples.npl_ratio).toEqual({ value: 0.015, op: '<=', tolerance: 0.003, policySource: '2025 年风险偏好陈述：不良贷款率 ≤ 1.5%' });
    expect(examples.churn_rate).toEqual({ delta: -0.02, deltaMode: 'points', policySource: '年度经营目标（较上年同期下降 2 个百分点）' });
  });
});

describe('kpi-targets.yaml: every error names the file, the line, the key and the fix', () => {
  const cases: { name: string; text: string; needle: string; key: string; message: string; fix: string; structural?: boolean | 'differs' }[] = [
    // metric ids
    {
      name: 'an unknown metric id (the known ones are listed)',
      text: 'npl_rate:\n  value: 0.015\n',
      needle: 'npl_rate:',
      key: 'npl_rate',
      message: 'unknown metric id "npl_rate".',
      // The list is every metric id in order; its start is enough (a new KPI must not need this test changed).
      fix: 'use one of the metric ids: churn_rate, classification_error_rate, ',
    },
    { name: 'a metric id with dashes (the file name)', text: 'npl-ratio:\n  value: 0.015\n', needle: 'npl-ratio:', key: 'npl-ratio', message: 'unknown metric id "npl-ratio".', fix: 'write it as "npl_ratio".', structural: 'differs' },
    // keys
    {
      name: 'an unknown key',
      text: 'npl_ratio:\n  value: 0.015\n  amber: 0.005\n',
      needle: 'amber:',
      key: 'npl_ratio.amber',
      message: 'unknown key "amber".',
      fix: 'remove it or correct its spelling; the keys here are value, op, tolerance, delta, delta_mode, policy_source.',
      structural: true,
    },
    { name: 'a camelCase key', text: 'churn_rate:\n  delta: -0.02\n  deltaMode: points\n', needle: 'deltaMode', key: 'churn_rate.deltaMode', message: 'unknown key "deltaMode".', fix: 'write it as "delta_mode".', structural: true },
    {
      name: 'a metric without keys',
      text: 'npl_ratio:\n',
      needle: 'npl_ratio:',
      key: 'npl_ratio',
      message: 'is empty; expected the override of npl_ratio: any of value, op, tolerance, delta, delta_mode, policy_source.',
      fix: 'or remove "npl_ratio:" to keep the target of its metric file',
      structural: true,
    },
    // types
    { name: 'a percentage as text', text: 'npl_ratio:\n  value: 1.5%\n', needle: 'value:', key: 'npl_ratio.value', message: 'expected a number, got the text "1.5%".', fix: 'write 0.015 for 1.5% (a ratio is a fraction), without quotes.', structural: true },
    { name: 'a quoted number', text: 'npl_ratio:\n  value: "0.015"\n', needle: 'value:', key: 'npl_ratio.value', message: 'expected a number, got the text "0.015".', fix: 'write it as a number without quotes', structural: true },
    { name: 'a percentage as a number', text: 'npl_ratio:\n  value: 1.5\n', needle: 'value:', key: 'npl_ratio.value', message: '1.5 is 150%: npl_ratio is a ratio, written as a fraction.', fix: 'write 0.015 for 1.5%.' },
    { name: 'a metric given a number instead of keys', text: 'npl_ratio: 0.015\n', needle: 'npl_ratio:', key: 'npl_ratio', message: 'expected the override of npl_ratio: any of value, op, tolerance, delta, delta_mode, policy_source, got 0.015.', fix: 'indent its keys under "npl_ratio:"', structural: true },
    { name: 'a delta mode not among the two', text: 'churn_rate:\n  delta_mode: percent\n', needle: 'delta_mode:', key: 'churn_rate.delta_mode', message: 'the text "percent" is not a delta mode.', fix: 'write points (delta is added in the unit of the value) or relative', structural: true },
    { name: 'an empty policy source', text: 'npl_ratio:\n  policy_source: ""\n', needle: 'policy_source:', key: 'npl_ratio.policy_source', message: 'expected the policy the target comes from, as text, got the text "".', fix: 'write the regulation or internal policy', structural: true },
    // op
    { name: 'an op that is not one of the four', text: 'npl_ratio:\n  op: "=="\n', needle: 'op:', key: 'npl_ratio.op', message: 'the text "==" is not a comparison.', fix: 'write one of "<=", "<", ">=", ">", with the double quotes.', structural: true },
    { name: 'an op written as ≤', text: 'npl_ratio:\n  op: ≤\n', needle: 'op:', key: 'npl_ratio.op', message: 'the text "≤" is not a comparison.', fix: 'write op: "<=" (one of', structural: true },
    { name: 'an unquoted >= (not valid YAML)', text: 'npl_ratio:\n  value: 0.015\nwarning_timeliness:\n  op: >=\n', needle: 'op: >=', key: 'warning_timeliness.op', message: '>= must be quoted (in YAML a value starting with > begins a block of text).', fix: 'write op: ">=" (with the double quotes).', structural: true },
    {
      name: 'an op that does not fit the direction',
      text: 'npl_ratio:\n  op: ">="\n',
      needle: 'op:',
      key: 'npl_ratio.op',
      message: '">=" does not fit npl_ratio: lower values are better, so the target is an upper limit (the amber band lies above it).',
      fix: 'write op: "<=" or "<".',
    },
    // ranges
    {
      name: 'a negative tolerance',
      text: 'npl_ratio:\n  tolerance: -0.005\n',
      needle: 'tolerance:',
      key: 'npl_ratio.tolerance',
      message: 'a tolerance of -0.005 is negative.',
      fix: 'write 0 (no amber band: anything off target is red) or more',
      structural: true,
    },
    { name: 'a negative target', text: 'warning_timeliness:\n  value: -0.9\n', needle: 'value:', key: 'warning_timeliness.value', message: 'a target of -0.9 is negative.', fix: 'write a target of 0 or more', structural: true },
    { name: 'a relative delta of −100 %', text: 'satisfaction_index:\n  delta: -1\n  delta_mode: relative\n', needle: 'delta:', key: 'satisfaction_index.delta', message: 'a relative delta of -1 makes the target the prior-year value × 0, zero or less.', fix: 'write a relative delta above -1', structural: true },
    // kinds
    {
      name: 'a prior-year delta for a fixed target',
      text: 'npl_ratio:\n  delta: -0.005\n',
      needle: 'delta:',
      key: 'npl_ratio.delta',
      message: 'npl_ratio has a fixed target (≤ 2.00%); delta is for a target relative to the same month a year earlier.',
      fix: 'set value (now 0.02) and op instead, e.g. "value: 0.02".',
    },
    {
      name: 'a fixed value for a prior-year target',
      text: 'churn_rate:\n  value: 0.05\n',
      needle: 'value:',
      key: 'churn_rate.value',
      message: 'churn_rate has a target relative to the same month a year earlier (上年同月 − 3 个百分点); value is for a fixed target.',
      fix: 'set delta (e.g. "delta: -0.03") and delta_mode (points or relative) instead.',
    },
    {
      name: 'a target for a KPI without one',
      text: 'verification_hours_median:\n  tolerance: 2\n',
      needle: 'tolerance:',
      key: 'verification_hours_median.tolerance',
      message: 'verification_hours_median has no target (无（配套指标）), so tolerance does not apply.',
      fix: 'remove tolerance: only policy_source may be set for verification_hours_median (a target is added in its definition, metrics/verification-hours-median.ts).',
    },
    {
      name: 'both kinds in one override',
      text: 'npl_ratio:\n  value: 0.015\n  delta: -0.005\n',
      needle: 'delta:',
      key: 'npl_ratio.delta',
      message: 'value and delta in one override: value and op set a fixed target, delta and delta_mode a target relative to the same month a year earlier.',
      fix: 'keep the keys of the kind of target the KPI has',
      structural: true,
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const { dir, file } = policyDir(c.text);
      const e = policyError(dir);
      expect(e.code).toBe('POLICY_INVALID');
      const line = lineOf(c.text, c.needle);
      expect(e.where).toMatchObject({ file, line, key: c.key });
      expect(e.message).toContain(`${file}:${line}: ${c.key}: `);
      expect(e.message).toContain(c.message);
      expect(e.message.slice(e.message.indexOf(' Fix: '))).toContain(c.fix);
      // The file's own form is checked even without the metrics (cq.config.json, check-policy);
      // ids and kinds need the metrics (every build passes them).
      if (c.structural === true) expect(policyError(dir, false).message).toBe(e.message);
      else if (c.structural === 'differs') expect(policyError(dir, false).message).toContain(`${file}:${line}: ${c.key}: "${c.key}" is not a metric id. Fix: ${c.fix}`);
      else expect(() => loadPolicy(dir)).not.toThrow();
    });
  }

  it('small files: a list, broken YAML, a metric id not in snake_case (without the metrics)', () => {
    const err = (text: string, m?: MetricTargetShape[]) => {
      try {
        parseKpiTargetsPolicy(text, 't.yaml', m);
      } catch (e) {
        return (e as CqError).message;
      }
      return 'loaded';
    };
    expect(err('- npl_ratio\n')).toMatch(/^t\.yaml:1: \(file\): expected a mapping from metric ids to their overrides, got a list\. Fix: start from the shipped policy\/kpi-targets\.yaml/);
    expect(err('npl_ratio:\n  value: 0.015\n value: 2\n')).toMatch(/^t\.yaml:3: not valid YAML/);
    expect(err('npl_ratio:\n  value: 0.015\n  value: 0.02\n')).toMatch(/^t\.yaml:3: a key appears twice in the same mapping\./);
    expect(err('NplRatio:\n  value: 0.015\n')).toBe('t.yaml:1: NplRatio: "NplRatio" is not a metric id. Fix: write it as "npl_ratio".');
    expect(err('# nothing\n')).toBe('loaded');
    expect(err('')).toBe('loaded');
  });
});

describe("an operator's folder without kpi-targets.yaml", () => {
  it('is valid and has no overrides (folders made before the file existed keep working)', () => {
    const { dir } = policyDir(null);
    const p = loadPolicy(dir, { metrics: shapes });
    expect(p.targets).toEqual({});
    expect(p.files.map((f) => f.policy)).toEqual(['customer-grading', 'classification-floor', 'kpi-rules', 'warning-rules', 'credit-file-cycles']);
  });

  it('but a kpi-targets.yml is not ignored: it must be renamed', () => {
    const { dir, file } = policyDir('npl_ratio:\n  value: 0.015\n');
    renameSync(file, join(dir, 'kpi-targets.yml'));
    expect(policyError(dir).message).toContain(`Fix: rename ${join(dir, 'kpi-targets.yml')} to ${file}`);
  });
});

describe('npl_ratio ≤ 1.5 % (the catalog and RAG follow the override)', () => {
  it('changes the target, its text and the RAG of a value between 1.5 % and 2 %', () => {
    const targets = parseKpiTargetsPolicy('npl_ratio:\n  value: 0.015\n', 'k.yaml', shapes);
    const before = metrics.find((m) => m.id === 'npl_ratio')!;
    const after = applyTargetOverrides(metrics, targets).find((m) => m.id === 'npl_ratio')!;
    expect(catalogEntry(before)).toMatchObject({ target: 0.02, target_op: '<=', target_text: '≤ 2.00%', tolerance: 0.005 });
    expect(catalogEntry(after)).toMatchObject({ target: 0.015, target_op: '<=', target_text: '≤ 1.50%', tolerance: 0.005 });
    expect(catalogEntry(after).policy_source).toBe(before.policySource); // not overridden: kept
    // An NPL ratio of 1.75 %: 0.0175 ≤ 0.02 → green under the default; under the override
    // 0.0175 > 0.015 but ≤ 0.015 + 0.005 = 0.02 → amber.
    expect(ragOf(0.0175, 0.02, 'lower_is_better', '<=', 0.005)).toBe('green');
    expect(ragOf(0.0175, 0.015, 'lower_is_better', '<=', 0.005)).toBe('amber');
    // Every other metric is the same object: nothing else changes.
    expect(applyTargetOverrides(metrics, targets).filter((m, i) => m !== metrics[i]).map((m) => m.id)).toEqual(['npl_ratio']);
    expect(applyTargetOverrides(metrics, {})).toEqual(metrics);
  });
});

describe("a build with an operator's kpi-targets.yaml (hand-worked fixture, M = 2026-10-31)", () => {
  /*
   * Overrides, chosen from the fixture's values so that the colours flip (test/helpers/kpi-fixture.ts):
   * - npl_ratio < 32 %, amber band 9 points. Whole book 705 / 2,235 = 0.31544 < 0.32 → green
   *   (default ≤ 0.02: 0.31544 > 0.02 + 0.005 → red). BJ01 370 / 910 = 0.40659 > 0.32 but
   *   ≤ 0.32 + 0.09 = 0.41 → amber (default red).
   * - churn_rate: the same month a year earlier + 4 points (default − 3). Whole book: target
   *   1/9 + 0.04 = 0.15111, value 1/7 = 0.14286 ≤ → green (default: target 0.08111 → red).
   *   BJ01: target 0 + 0.04 = 0.04, value 0.25 > 0.04 + 0.005 → red (as before).
   * - satisfaction_index: a year earlier × (1 + 2 %) (default + 5 points), amber band 3. Whole book:
   *   73.5 × 1.02 = 74.97, value 75 ≥ → green (default 78.5 → red). BJ01: 82 × 1.02 = 83.64,
   *   value 85 ≥ → green (default 87 → amber).
   * - verification_hours_median (no target): only its policy source.
   */
  const OVERRIDES = `# an operator's copy
npl_ratio:
  value: 0.32
  op: "<"
  tolerance: 0.09
  policy_source: "测试：不良贷款率 < 32%"
churn_rate:
  delta: 0.04
satisfaction_index:
  delta: 0.02
  delta_mode: relative
  tolerance: 3
verification_hours_median:
  policy_source: "测试：配套展示"
`;
  let wh: WarehouseHandle;
  const snap = async () => ({
    values: await wh.all<Record<string, unknown>>(
      `SELECT metric_id, as_of_month::VARCHAR AS m, slice, slice_value, numerator, denominator, value, target, rag, status, reason_code FROM metrics.kpi_values ORDER BY ALL`,
    ),
    catalog: await wh.all<Record<string, unknown>>('SELECT * FROM metrics.metric_catalog ORDER BY metric_id'),
    policy: await wh.all<{ policy: string; file: string; rules_json: string }>('SELECT policy, file, rules_json FROM ops.policy_files ORDER BY policy'),
  });
  const at = async (id: string, branch: string | null) => {
    const [r] = await wh.all<{ value: number; target: number | null; rag: string }>(
      `SELECT value, target, rag FROM metrics.kpi_${id} WHERE as_of_month = DATE '${M}' AND ${branch ? `branch_id = '${branch}'` : 'branch_id IS NULL'}
         AND product_id IS NULL AND customer_type IS NULL AND grade IS NULL`,
    );
    return r!;
  };
  let before: Awaited<ReturnType<typeof snap>>;
  let after: Awaited<ReturnType<typeof snap>>;
  let withOverrides: { dir: string; file: string };

  beforeAll(async () => {
    wh = await openWarehouse(':memory:');
    await loadExtracts(wh, writeKpiFixture());
    // First an operator's folder made before kpi-targets.yaml existed: today's results.
    await buildWarehouse(wh, { policyDir: policyDir(null).dir });
    before = await snap();
    withOverrides = policyDir(OVERRIDES);
    await buildWarehouse(wh, { policyDir: withOverrides.dir });
    after = await snap();
  }, 180_000);
  afterAll(async () => {
    await wh?.close();
  });

  it('without overrides: the targets and RAG of today (test/helpers/kpi-fixture.ts) and the catalog of the metric files', () => {
    const row = (id: string, slice: string) =>
      before.values.find((r) => r.metric_id === id && r.m === M && (slice === 'all' ? r.slice === 'all' : r.slice === 'branch' && r.slice_value === slice))!;
    for (const [id, slices] of Object.entries(KPI_EXPECTED_RAG)) {
      for (const [slice, exp] of Object.entries(slices as Record<string, { target: number | null; rag: string }>)) {
        expect(row(id, slice).rag, `${id} ${slice}`).toBe(exp.rag);
        if (exp.target === null) expect(row(id, slice).target).toBeNull();
        else expect(row(id, slice).target as number).toBeCloseTo(exp.target, 10);
      }
    }
    expect(row('npl_ratio', 'all')).toMatchObject({ target: 0.02, rag: 'red' });
    expect(before.catalog.map((c) => [c.metric_id, c.target_text, c.policy_source])).toEqual(
      [...metrics].sort((a, b) => a.id.localeCompare(b.id)).map((m) => [m.id, catalogEntry(m).target_text, m.policySource]),
    );
    expect(before.policy.map((p) => p.policy)).toEqual(['classification-floor', 'credit-file-cycles', 'customer-grading', 'kpi-rules', 'warning-rules']); // no kpi-targets file, no row
  });

  it('with overrides: the RAG flips as worked out by hand', async () => {
    expect(await at('npl_ratio', null)).toMatchObject({ target: 0.32, rag: 'green' });
    expect(await at('npl_ratio', 'BJ01')).toMatchObject({ target: 0.32, rag: 'amber' });
    const churn = await at('churn_rate', null);
    expect(churn.target!).toBeCloseTo(1 / 9 + 0.04, 10);
    expect(churn.rag).toBe('green');
    const churnBj = await at('churn_rate', 'BJ01');
    expect(churnBj.target!).toBeCloseTo(0.04, 10);
    expect(churnBj.rag).toBe('red');
    // satisfaction_index: the fixture has 2 responses a year earlier and 4 at M, below the minimum sample (20): no
    // baseline, so no derived target, and no colour (status too_few) — the override shows in the catalog text only.
    expect(await at('satisfaction_index', null)).toMatchObject({ target: null, rag: 'none' });
    expect(await at('satisfaction_index', 'BJ01')).toMatchObject({ target: null, rag: 'none' });
  });

  it('with overrides: the catalog derives the target, its text, the RAG rule and the policy source from them', () => {
    const c = (id: string) => after.catalog.find((r) => r.metric_id === id)!;
    expect(c('npl_ratio')).toMatchObject({
      target: 0.32,
      target_op: '<',
      target_text: '< 32.00%',
      tolerance: 0.09,
      tolerance_text: 'green when value < target; amber when up to 9 pp above the target; red beyond',
      policy_source: '测试：不良贷款率 < 32%',
    });
    expect(c('churn_rate')).toMatchObject({ target: null, target_text: '上年同月 + 4 个百分点', tolerance: 0.005 });
    expect(c('satisfaction_index')).toMatchObject({ target: null, target_text: '上年同月 × (1 + 2%)', tolerance: 3 });
    expect(c('verification_hours_median')).toMatchObject({ target: null, target_text: '无（配套指标）', policy_source: '测试：配套展示' });
    // Every other catalog row is exactly as without overrides.
    const changed = ['npl_ratio', 'churn_rate', 'satisfaction_index', 'verification_hours_median'];
    expect(after.catalog.filter((r) => !changed.includes(r.metric_id as string))).toEqual(before.catalog.filter((r) => !changed.includes(r.metric_id as string)));
  });

  it('KPI values never change; targets and RAG change only for the overridden KPIs', () => {
    expect(after.values.length).toBe(before.values.length);
    const changedRag = new Set<string>();
    after.values.forEach((a, i) => {
      const b = before.values[i]!;
      const { target: ta, rag: ra, ...restA } = a;
      const { target: tb, rag: rb, ...restB } = b;
      expect(restA).toEqual(restB); // numerator, denominator, value, status, reason: identical
      if (ta !== tb || ra !== rb) changedRag.add(a.metric_id as string);
    });
    expect([...changedRag].sort()).toEqual(['churn_rate', 'npl_ratio']); // satisfaction_index: too few responses in the fixture (no target either way)
  });

  it('records the file and the overrides in force in ops.policy_files', () => {
    expect(after.policy.map((p) => [p.policy, p.file])).toEqual([
      ['classification-floor', join(withOverrides.dir, POLICY_FILES.floor)],
      ['credit-file-cycles', join(withOverrides.dir, POLICY_FILES.fileCycles)],
      ['customer-grading', join(withOverrides.dir, POLICY_FILES.grading)],
      ['kpi-rules', join(withOverrides.dir, POLICY_FILES.kpi)],
      ['kpi-targets', withOverrides.file],
      ['warning-rules', join(withOverrides.dir, POLICY_FILES.warnings)],
    ]);
    expect(JSON.parse(after.policy.find((p) => p.policy === 'kpi-targets')!.rules_json)).toEqual({
      npl_ratio: { value: 0.32, op: '<', tolerance: 0.09, policySource: '测试：不良贷款率 < 32%' },
      churn_rate: { delta: 0.04 },
      satisfaction_index: { delta: 0.02, deltaMode: 'relative', tolerance: 3 },
      verification_hours_median: { policySource: '测试：配套展示' },
    });
  });

  it('a build refuses an override that does not fit a KPI before touching the warehouse', async () => {
    const empty = await openWarehouse(':memory:');
    try {
      const bad = policyDir('churn_rate:\n  value: 0.05\n');
      await expect(buildWarehouse(empty, { policyDir: bad.dir })).rejects.toMatchObject({
        code: 'POLICY_INVALID',
        message: expect.stringContaining(`${bad.file}:2: churn_rate.value: churn_rate has a target relative to the same month a year earlier`),
      });
    } finally {
      await empty.close();
    }
  });
});
