import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogEntry } from '../../transforms/kpi/catalog.js';
import { discoverMetrics } from '../../transforms/kpi/discover-metrics.js';
import type { MetricDefinition } from '../../transforms/kpi/metric.js';

/**
 * A KPI is one file, end to end: every KPI defined in metrics/*.ts is shown somewhere — on the
 * report site's topic page named by its catalog `page` (the page selects `c.page = '/npl/'`), in
 * a chart it names (`g.chart = 'npl_trend'`), or in a regulator export template
 * (policy/reports/*.yaml) — and no page or component picks KPIs by listing metric ids.
 */

const PAGES_DIR = 'pages';
const REPORTS_DIR = 'policy/reports';

/** Every file under a folder (relative paths, sorted). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(dir);
  return out.sort();
}

/** The page file of a catalog page: '/npl/' → pages/npl.md (or pages/npl/index.md). */
function pageFile(pagesDir: string, page: string): string | undefined {
  const name = page.replace(/^\/|\/$/g, '');
  return [join(pagesDir, `${name}.md`), join(pagesDir, name, 'index.md')].find((f) => existsSync(f));
}

/** What the site's pages select KPIs by: catalog pages, chart names and single metric ids, each with the files that do. */
function siteSelections(pagesDir: string) {
  const byPage = new Map<string, string[]>();
  const byChart = new Map<string, string[]>();
  const byId = new Map<string, string[]>();
  const add = (m: Map<string, string[]>, k: string, f: string) => m.set(k, [...(m.get(k) ?? []), f]);
  for (const f of filesUnder(pagesDir).filter((x) => x.endsWith('.md'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bc\.page\s*=\s*'([^']+)'/g)) add(byPage, m[1]!, f);
    for (const m of text.matchAll(/\bg\.chart\s*=\s*'([^']+)'/g)) add(byChart, m[1]!, f);
    for (const m of text.matchAll(/\bmetric_id\s*=\s*'([^']+)'/g)) add(byId, m[1]!, f);
  }
  return { byPage, byChart, byId };
}

/** KPIs an export template shows: named (lines[].metric, options.metrics, options.*_metric) or every KPI (`metrics: all`). */
function exportSelections(reportsDir: string): { named: Map<string, string[]>; all: string[] } {
  const named = new Map<string, string[]>();
  const all: string[] = [];
  for (const f of filesUnder(reportsDir).filter((x) => x.endsWith('.yaml'))) {
    const t = parse(readFileSync(f, 'utf8')) as {
      options?: Record<string, unknown>;
      tables?: { lines?: { metric?: string }[] }[];
    };
    const ids: string[] = [];
    for (const [k, v] of Object.entries(t.options ?? {})) {
      if (k === 'metrics') {
        if (v === 'all') all.push(f);
        else if (Array.isArray(v)) ids.push(...v.map(String));
      } else if (k.endsWith('_metric') && typeof v === 'string') ids.push(v);
    }
    for (const table of t.tables ?? []) for (const l of table.lines ?? []) if (l.metric) ids.push(l.metric);
    for (const id of ids) named.set(id, [...(named.get(id) ?? []), f]);
  }
  return { named, all };
}

/** Where each KPI is shown (site page, charts, single-KPI charts, exports); [] = nowhere. */
export function whereShown(metrics: readonly MetricDefinition[], pagesDir = PAGES_DIR, reportsDir = REPORTS_DIR): Map<string, string[]> {
  const site = siteSelections(pagesDir);
  const exp = exportSelections(reportsDir);
  const out = new Map<string, string[]>();
  for (const m of metrics) {
    const e = catalogEntry(m);
    const places: string[] = [];
    const file = e.page ? pageFile(pagesDir, e.page) : undefined;
    if (file && site.byPage.get(e.page)?.includes(file)) places.push(`${file} (catalog page ${e.page})`);
    for (const c of m.charts ?? []) for (const f of site.byChart.get(c) ?? []) places.push(`${f} (chart ${c})`);
    for (const f of site.byId.get(m.id) ?? []) places.push(`${f} (by id)`);
    for (const f of exp.named.get(m.id) ?? []) places.push(`${f} (named)`);
    for (const f of exp.all) places.push(`${f} (metrics: all)`);
    out.set(m.id, places);
  }
  return out;
}

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

describe('every KPI is shown somewhere', () => {
  it('each KPI of metrics/*.ts is on a site page or in an export template', async () => {
    const shown = whereShown(await discoverMetrics());
    expect(shown.size).toBeGreaterThanOrEqual(21);
    const nowhere = [...shown].filter(([, places]) => places.length === 0).map(([id]) => id);
    expect(nowhere, 'KPIs defined in metrics/ but shown nowhere: give them a `page` (pages/<page>.md) or name them in policy/reports/*.yaml').toEqual([]);
  });

  it('each shipped KPI is on the topic page its metric file names, and that page selects its KPIs by catalog page', async () => {
    const metrics = await discoverMetrics();
    const site = siteSelections(PAGES_DIR);
    for (const m of metrics) {
      const e = catalogEntry(m);
      expect(e.page, `metrics/${m.id}: no page`).not.toBe('');
      const file = pageFile(PAGES_DIR, e.page);
      expect(file, `${m.id}: page ${e.page} has no file in pages/`).toBeDefined();
      expect(site.byPage.get(e.page) ?? [], `${file} does not select c.page = '${e.page}'`).toContain(file);
    }
    // …and a topic page selects only its own page's KPIs.
    for (const [page, files] of site.byPage) for (const f of files) expect(f, `selects c.page = '${page}'`).toBe(pageFile(PAGES_DIR, page));
  });

  it('every chart a KPI names is drawn by a page, and every chart a page draws has KPIs', async () => {
    const metrics = await discoverMetrics();
    const site = siteSelections(PAGES_DIR);
    const named = new Set(metrics.flatMap((m) => m.charts ?? []));
    expect([...named].filter((c) => !site.byChart.has(c)), 'charts named in metrics/ that no page draws').toEqual([]);
    expect([...site.byChart.keys()].filter((c) => !named.has(c)), 'charts drawn by pages/ that no KPI names').toEqual([]);
  });

  it('no page or component picks KPIs by a list of metric ids, or formats or links by metric id', async () => {
    const ids = (await discoverMetrics()).map((m) => m.id);
    for (const f of filesUnder(PAGES_DIR)) expect(readFileSync(f, 'utf8'), f).not.toMatch(/metric_id\s+in\s*\(/i);
    for (const f of filesUnder('components')) {
      const text = readFileSync(f, 'utf8');
      expect(ids.filter((id) => text.includes(`'${id}'`) || text.includes(`"${id}"`)), `${f} names metric ids`).toEqual([]);
    }
  });

  it('fails for a KPI shown nowhere (no page, no chart, not in a template) — the check can fail', async () => {
    const [npl] = await discoverMetrics();
    const orphan = { ...npl!, id: 'orphan_ratio', page: undefined, charts: undefined } as MetricDefinition;
    // With the shipped templates the KPI report (`metrics: all`) shows it; without that template it is nowhere.
    expect(whereShown([orphan]).get('orphan_ratio')!.some((p) => p.includes('metrics: all'))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'cq-kpi-shown-'));
    tmp.push(dir);
    cpSync(REPORTS_DIR, dir, { recursive: true });
    const file = join(dir, 'kpi-report.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^(\s+)metrics: all$/m, '$1metrics: [npl_ratio]'));
    expect(whereShown([orphan], PAGES_DIR, dir).get('orphan_ratio')).toEqual([]);
    // A page that does not exist does not show it either.
    const lost = { ...orphan, page: 'npl' } as MetricDefinition;
    expect(whereShown([lost], join(dir, 'no-pages-here-x'), dir).get('orphan_ratio')).toEqual([]);
    expect(whereShown([lost], PAGES_DIR, dir).get('orphan_ratio')).toEqual([`pages/npl.md (catalog page /npl/)`]);
  });
});
