import { describe, expect, it } from 'vitest';
import { catalogEntry } from '../../transforms/kpi/catalog.js';
import { STATUS_LABELS } from '../../transforms/kpi/rag.js';
import { compileMetricSql } from '../../transforms/kpi/compile-metric.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import { targetText, type MetricDefinition } from '../../transforms/kpi/metric.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import { defaultRules, mergeRules, withRules } from '../../transforms/policy/business-rules.js';
import { displayCell, kpiNumFmt } from '../../transforms/publish/exports/cell-display.js';
import { catalogDisplay } from '../../transforms/publish/exports/kpi-lookup.js';
import type { TableRow } from '../../transforms/publish/exports/report-table.js';

/**
 * How a KPI reads comes from its metric file, through metrics.metric_catalog, to both the report
 * site (components/kpi-format.js) and the exports (cell-display.ts): the same number reads the
 * same in both (AUC 0.857, not 0.857 on the site and 85.70% in the export), and the target text is
 * derived from the rule values in force.
 */

interface SiteFormat {
  RAG_LABEL: Record<string, string>;
  fmtValue(v: unknown, meta: unknown): string;
  fmtTarget(row: unknown): string;
  topicPage(meta: unknown): string | null;
}
// A plain JavaScript module of the site (no type declarations): imported by a computed path.
const SITE_FORMAT = '../../components/kpi-format.js';
const site = (await import(SITE_FORMAT)) as SiteFormat;

const byId = async (id: string): Promise<MetricDefinition> => (await discoverMetrics()).find((m) => m.id === id)!;

describe('a KPI reads the same on the site and in the exports', () => {
  it('every KPI: the site shows the export’s text (plus the unit label after a plain number)', async () => {
    for (const m of await discoverMetrics()) {
      const e = catalogEntry(m);
      const row: TableRow = { kind: 'data', cells: {}, unit: e.unit, display: catalogDisplay(e) };
      for (const v of [0, 0.0231, 0.8571, 1.5, 12.5, 125.9905, -0.0061]) {
        // Above its display cap a value reads "> 1,000%" on the site (status-cases.test.ts; the exports read display_cap from the catalog).
        if (e.display_cap !== null && v > e.display_cap) continue;
        const exported = displayCell(v, 'kpi', row);
        const suffix = e.display_suffix && e.display_suffix !== '%' ? ` ${e.display_suffix}` : '';
        expect(site.fmtValue(v, e), `${m.id} ${v}`).toBe(`${exported}${suffix}`);
      }
    }
  });

  it('AUC and KS are plain numbers with 3 decimals in both; ratios percentages with 2; days with 1', async () => {
    const auc = catalogEntry(await byId('model_auc'));
    const npl = catalogEntry(await byId('npl_ratio'));
    const lead = catalogEntry(await byId('warning_lead_time_median'));
    const row = (e: typeof auc): TableRow => ({ kind: 'data', cells: {}, unit: e.unit, display: catalogDisplay(e) });
    expect(site.fmtValue(0.857142, auc)).toBe('0.857');
    expect(displayCell(0.857142, 'kpi', row(auc))).toBe('0.857');
    expect(kpiNumFmt(catalogDisplay(auc))).toBe('#,##0.000');
    expect(site.fmtValue(0.02306, npl)).toBe('2.31%');
    expect(displayCell(0.02306, 'kpi', row(npl))).toBe('2.31%');
    expect(kpiNumFmt(catalogDisplay(npl))).toBe('0.00%');
    expect(site.fmtValue(70, lead)).toBe('70.0 天 days');
    expect(kpiNumFmt(catalogDisplay(lead))).toBe('#,##0.0');
    // Other columns keep their own format (a `ratio` column is a percentage whatever the row).
    expect(displayCell(0.857142, 'ratio', row(auc))).toBe('85.71%');
  });

  it('the target reads as the value does, and a tile links to the catalog page', async () => {
    const auc = catalogEntry(await byId('model_auc'));
    expect(auc.target_text).toBe('≥ 0.750');
    expect(site.fmtTarget({ ...auc, target: 0.75 })).toBe('≥ 0.750');
    expect(site.topicPage(auc)).toBe('/model/');
    const churn = catalogEntry(await byId('churn_rate'));
    expect(churn.target_kind).toBe('prior_year');
    expect(churn.target_text).toBe('上年同月 − 3 个百分点');
    expect(site.fmtTarget({ ...churn, target: 0.1234 })).toBe('≤ 12.34%（上年同月 − 3 个百分点）');
    expect(catalogEntry(await byId('satisfaction_index')).target_text).toBe('上年同月 + 5 分');
    expect(catalogEntry(await byId('verification_hours_median')).target_text).toBe('无（配套指标）');
  });
});

describe('a target from the KPI rules follows an overridden rule', () => {
  it('warning lead time: target and its text read rules.warnings.coverageLeadDays', async () => {
    const lead = await byId('warning_lead_time_median');
    expect(catalogEntry(lead)).toMatchObject({ target: 30, target_text: '≥ 30.0 天 days' });
    const rules = mergeRules(defaultRules(), { kpi: { warnings: { coverageLeadDays: 45 } } });
    expect(targetText(lead, rules.kpi)).toBe('≥ 45.0 天 days');
    const wh = await openWarehouse(':memory:');
    try {
      await withRules(rules, async () => {
        expect(catalogEntry(lead)).toMatchObject({ target: 45, target_text: '≥ 45.0 天 days' });
        expect(compileMetricSql(lead, wh.db)).toContain('CAST(45 AS DOUBLE PRECISION) AS target');
      });
      expect(compileMetricSql(lead, wh.db)).toContain('CAST(30 AS DOUBLE PRECISION) AS target');
    } finally {
      await wh.close();
    }
  });
});

describe('status words have one home (STATUS_LABELS)', () => {
  it('the site’s words for legends and summaries are exactly STATUS_LABELS (zh + en)', () => {
    expect(site.RAG_LABEL).toEqual(Object.fromEntries(Object.entries(STATUS_LABELS).map(([k, l]) => [k, `${l.zh} ${l.en}`])));
  });
});
