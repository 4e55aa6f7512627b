import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import { isCqError } from '../../transforms/lib/errors.js';
import type { GradingRules } from '../../transforms/policy/business-rules.js';
import { loadPolicy } from '../../transforms/policy/read-policy.js';
import { ruleGradeSql } from '../../transforms/warehouse/rules-sql.js';
import { ragOf, ragSql } from '../../transforms/kpi/rag.js';
import { discoverMetrics, validateMetric } from '../../transforms/kpi/discover-metrics.js';
import type { MetricDefinition } from '../../transforms/kpi/metric.js';
import { M, writeKpiFixture } from '../helpers/kpi-fixture.js';

let mem: WarehouseHandle;
beforeAll(async () => {
  mem = await openWarehouse(':memory:');
});
afterAll(async () => {
  await mem?.close();
});

describe('customer grade rules (docs/grading.md)', () => {
  const SHIPPED_GRADING = loadPolicy().grading; // policy/customer-grading.yaml
  const grade = async (rows: [number | null, number | null, number | null, boolean][], rules: GradingRules = SHIPPED_GRADING) => {
    const values = rows.map(([c, d, p, w], k) => `(${k}, ${c ?? 'NULL::INTEGER'}, ${d ?? 'NULL::INTEGER'}, ${p ?? 'NULL::DOUBLE'}, ${w})`).join(', ');
    const expr = ruleGradeSql({ maxClassRank: 'c', maxDpd: 'd', pd: 'p', hasWrittenOff: 'w' }, rules);
    return (await mem.all<{ g: string }>(`SELECT ${expr} AS g FROM (VALUES ${values}) AS t(k, c, d, p, w) ORDER BY k`)).map((r) => r.g);
  };

  it('C: NPL loan, > 90 dpd, write-off or PD ≥ 20%; B: 关注, any overdue or PD ≥ 5%; else A', async () => {
    expect(
      await grade([
        [3, 0, null, false], // a 次级 loan → C
        [2, 91, null, false], // 关注 but 91 dpd → C
        [1, 0, 0.2, false], // PD 20% → C
        [1, 0, null, true], // written off in the month → C
        [2, 0, null, false], // 关注 → B
        [1, 1, null, false], // 1 day overdue → B
        [1, 90, 0.01, false], // 90 dpd → B (not C)
        [1, 0, 0.05, false], // PD 5% → B
        [1, 0, 0.0499, false], // → A
        [null, null, null, false], // no loans, no score → A
      ]),
    ).toEqual(['C', 'C', 'C', 'C', 'B', 'B', 'B', 'B', 'A', 'A']);
  });

  it('is configurable', async () => {
    const lenient: GradingRules = { ...SHIPPED_GRADING, rules: [{ grade: 'C', pdAtLeast: 0.5 }] };
    expect(await grade([[5, 400, 0.1, true], [1, 0, 0.6, false]], lenient)).toEqual(['A', 'C']);
  });
});

describe('RAG', () => {
  it('green on target, amber within tolerance, red beyond, none without target; SQL and JS agree', async () => {
    expect(ragOf(0.02, 0.02, 'lower_is_better', '<=', 0.005)).toBe('green');
    expect(ragOf(0.025, 0.02, 'lower_is_better', '<=', 0.005)).toBe('amber');
    expect(ragOf(0.0251, 0.02, 'lower_is_better', '<=', 0.005)).toBe('red');
    expect(ragOf(0.05, 0.05, 'lower_is_better', '<', 0.02)).toBe('amber'); // "< 5%": exactly 5% is not on target
    expect(ragOf(0.95, 0.95, 'higher_is_better', '>=', 0.03)).toBe('green');
    expect(ragOf(0.92, 0.95, 'higher_is_better', '>=', 0.03)).toBe('amber');
    expect(ragOf(0.9, 0.95, 'higher_is_better', '>=', 0.03)).toBe('red');
    expect(ragOf(null, 0.95, 'higher_is_better', '>=', 0.03)).toBe('none');
    expect(ragOf(0.5, null, 'higher_is_better', '>=', 0.03)).toBe('none');
    const cases: [number | null, number | null, 'lower_is_better' | 'higher_is_better', '<=' | '<' | '>=' | '>', number][] = [];
    for (const v of [null, 0, 0.019, 0.02, 0.021, 0.025, 0.03, 1.5, 1.3, 1.29])
      for (const t of [null, 0.02, 1.5])
        for (const [d, op] of [['lower_is_better', '<='], ['lower_is_better', '<'], ['higher_is_better', '>='], ['higher_is_better', '>']] as const)
          cases.push([v, t, d, op, 0.005]);
    const sqlRag = await Promise.all(
      cases.map(async ([v, t, d, op, tol]) => {
        const [r] = await mem.all<{ rag: string }>(`SELECT ${ragSql('v', 't', d, op, tol)} AS rag FROM (SELECT ${v ?? 'NULL'}::DOUBLE AS v, ${t ?? 'NULL'}::DOUBLE AS t)`);
        return r!.rag;
      }),
    );
    expect(sqlRag).toEqual(cases.map(([v, t, d, op, tol]) => ragOf(v, t, d, op, tol)));
  });
});

describe('metric definitions', () => {
  it('discovers one file per KPI, sorted, with ids matching file names', async () => {
    const metrics = await discoverMetrics();
    expect(metrics.length).toBeGreaterThanOrEqual(21);
    expect(metrics[0]!.id).toBe('npl_ratio');
    const ids = metrics.map((m) => m.id);
    for (const id of ['npl_ratio', 'npl_ratio_count', 'warning_timeliness', 'warning_coverage', 'warning_lead_time_median', 'classification_error_rate',
      'loan_classification_deviation', 'under_classified_share', 'high_risk_share', 'churn_rate', 'overdue_ratio', 'overdue_90_ratio',
      'provision_coverage', 'loan_provision_ratio', 'verification_accuracy', 'verification_within_24h', 'verification_hours_median',
      'model_accuracy', 'model_auc', 'model_ks', 'satisfaction_index']) {
      expect(ids).toContain(id);
    }
  });

  it('rejects a file whose name does not match the id', async () => {
    const err = await discoverMetrics('test/fixtures/kpi/misnamed-metric').catch((e: unknown) => e);
    expect(isCqError(err, 'METRIC_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/some-other-id\.ts/);
  });

  it('rejects invalid definitions with the file and field', async () => {
    const [npl] = await discoverMetrics();
    const bad = (patch: Partial<MetricDefinition>) => () => validateMetric({ ...npl!, ...patch } as MetricDefinition, 'metrics/x.ts');
    expect(bad({ dimensions: ['region' as never] })).toThrow(/dimensions has unknown dimension "region"/);
    expect(bad({ unit: 'percent' as never })).toThrow(/unit must be one of/);
    expect(bad({ tolerance: -1 })).toThrow(/tolerance/);
    expect(bad({ id: 'NPL' })).toThrow(/snake_case/);
  });

  it('adding a KPI is adding one file: an extra metric file is built into its table, the catalog and kpi_values', async () => {
    const extra = await discoverMetrics('test/fixtures/kpi/extra-metrics');
    expect(extra.map((m) => m.id)).toEqual(['written_off_loans']);
    const wh = await openWarehouse(':memory:');
    try {
      await loadExtracts(wh, writeKpiFixture());
      await buildWarehouse(wh, { metrics: [...(await discoverMetrics()), ...extra] });
      // M: 14 loan-months, L09 written off → 1/14; BJ01: L01 L02 L05 L08 L09 L11 L12 → 1/7.
      const rows = await wh.all<{ slice_value: string; value: number; rag: string }>(
        `SELECT slice_value, value, rag FROM metrics.kpi_values WHERE metric_id = 'written_off_loans' AND as_of_month = DATE '${M}' ORDER BY slice, slice_value`,
      );
      expect(rows.map((r) => [r.slice_value, +r.value.toFixed(4), r.rag])).toEqual([
        ['ALL', +(1 / 14).toFixed(4), 'red'],
        ['BJ01', +(1 / 7).toFixed(4), 'red'],
        ['SH01', 0, 'green'],
      ]);
      const [cat] = await wh.all<{ name_zh: string; sort_order: number }>(`SELECT name_zh, sort_order FROM metrics.metric_catalog WHERE metric_id = 'written_off_loans'`);
      expect(cat).toEqual({ name_zh: '核销贷款笔数占比', sort_order: 999 });
      // …and removing the file drops its table on the next build.
      await buildWarehouse(wh);
      const [gone] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'metrics' AND table_name = 'kpi_written_off_loans'`);
      expect(gone!.n).toBe(0n);
    } finally {
      await wh.close();
    }
  }, 120_000);
});
