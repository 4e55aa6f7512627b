/// <reference lib="dom" />
/**
 * Browser test of a BUILT report site (transforms/publish/site/build-site.ts output), fully offline.
 *
 *   SITE_DIR=/tmp/site npx vitest run --config test/publish/site/vitest.site.config.ts
 *
 * For every page of pages/ (a templated page with two of its prerendered values; see
 * site-pages.ts reportPages) it:
 * - serves the build on 127.0.0.1 (transforms/publish/site/serve-site.ts) and opens the page in Debian's
 *   /usr/bin/chromium (scripts/install-browser.sh; $CHROMIUM_PATH overrides) through playwright-core
 *   (launchChromium, transforms/lib/chromium.ts);
 * - records every request of the browser context and aborts + reports any whose host is not
 *   127.0.0.1 (blob:/data: URLs are local and allowed);
 * - waits until Evidence has loaded: no skeleton/loading placeholder (`.animate-pulse`) left, network
 *   idle, fonts ready;
 * - asserts each BigValue tile and each KPI tile of components/KpiBoard.svelte (`[data-kpi-tile]`)
 *   shows a number (not blank, not NaN) and that this number IS the value of metrics.kpi_values
 *   for that KPI, slice and month (read from the site's own kpi_values Parquet file, compared at
 *   the displayed precision); a tile may instead say explicitly "no data"
 *   (`data-kpi-state="no-data"`) only where the data has no value for it; every KpiMatrix has
 *   rows with numbers; every DataTable has rows, no
 *   Evidence error box (`[class*="bg-negative/10"]` — the class every Evidence error component
 *   uses: ErrorChart, BigValueError, ValueError, InlineError), no "No Records"/"Dataset is empty"
 *   and no NaN/undefined/Invalid Date text;
 * - asserts every ECharts chart has a non-zero canvas/svg with drawn marks, every Vega-Lite chart
 *   (components/VegaLite.svelte, `[data-vega-chart]`) rendered without error and drew marks (or
 *   says explicitly that the selection has no data), and that the site has at least one chart of
 *   each kind with marks;
 * - checks that every branch and product in the site's own data (the kpi_values Parquet file) has
 *   its prerendered templated page (/branches/<id>/, /products/<id>/);
 * - picks another month in the home page's month selector and checks that the KPI board and the
 *   branch matrix (re-queried in DuckDB-wasm) switch to it, still matching kpi_values;
 * - fails on console errors and uncaught page errors;
 * - writes full-page screenshots to test-results/screenshots/ (or $SCREENSHOT_DIR).
 *
 * Skips (with a message) only when SITE_DIR is unset.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walk } from '../../../transforms/lib/walk-files.js';
import { discoverPages, manifestPages, reportPages, siteDirFromEnv, unbuiltPages } from './site-pages.js';
import { serveStatic, type StaticServer } from '../../../transforms/publish/site/serve-site.js';
import { launchChromium } from '../../../transforms/lib/chromium.js';
import { openWarehouse, quoteLiteral } from '../../../transforms/lib/duckdb.js';
import { checkPage, inspect, kpiParquet, loadKpiLookup, openContext, pageProblems, pageSlice, PAGE_TIMEOUT_MS, tileMismatch, type KpiLookup, type PageReport } from './page-check.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SITE_DIR = siteDirFromEnv();
const slug = (path: string) => (path === '/' ? 'index' : path.replace(/^\/|\/$/g, '').replace(/[^\p{L}\p{N}_-]+/gu, '_'));

const SCREENSHOT_DIR = resolve(process.env.SCREENSHOT_DIR ?? join(REPO_ROOT, 'test-results', 'screenshots'));

describe.skipIf(!SITE_DIR)('report site in a browser (SITE_DIR)', () => {
  let server: StaticServer;
  let browser: Browser;
  let ctx: Awaited<ReturnType<typeof openContext>>;
  const reports: PageReport[] = [];
  /** Every page of pages/ (a templated one with two of its values): the pages opened below. */
  const pages = SITE_DIR ? reportPages(SITE_DIR) : [];
  /** Every page the build prerendered (all branches, all products). */
  const builtPages = SITE_DIR ? discoverPages(SITE_DIR) : [];

  let kpis: KpiLookup | undefined;

  beforeAll(async () => {
    if (!existsSync(join(SITE_DIR!, 'index.html'))) throw new Error(`SITE_DIR=${SITE_DIR} has no index.html: build it with buildSite() (transforms/publish/site/build-site.ts)`);
    kpis = await loadKpiLookup(SITE_DIR!);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    server = await serveStatic(SITE_DIR!);
    browser = await launchChromium({ localSite: true });
    ctx = await openContext(browser);
  }, 60_000);

  afterAll(async () => {
    await ctx?.context.close();
    await browser?.close();
    await server?.close();
  });

  it('finds the built pages (every page of pages/ and every page in Evidence’s manifest was prerendered)', () => {
    expect(pages.length, `no report pages found in ${SITE_DIR}`).toBeGreaterThan(0);
    expect(pages).toContain('/');
    expect(unbuiltPages(SITE_DIR!), 'pages/ files without a prerendered html file').toEqual([]);
    const built = new Set(builtPages.map((p) => p.replace(/\/$/, '') || '/'));
    const missing = manifestPages(SITE_DIR!).filter((h) => !built.has(h.replace(/\/$/, '') || '/'));
    expect(missing, 'pages in api/pagesManifest.json without a prerendered html file').toEqual([]);
  });

  it('prerendered a page for every branch and product in the site’s data', async () => {
    const parquet = kpiParquet(SITE_DIR!);
    const db = await openWarehouse(':memory:');
    let rows: Array<{ slice: string; v: string }>;
    try {
      rows = await db.all<{ slice: string; v: string }>(
        `SELECT DISTINCT slice, slice_value AS v FROM read_parquet(${quoteLiteral(parquet)}) WHERE slice IN ('branch', 'product') ORDER BY 1, 2`,
      );
    } finally {
      await db.close();
    }
    const expected = rows.map((r) => `/${r.slice === 'branch' ? 'branches' : 'products'}/${encodeURIComponent(r.v)}/`);
    expect(expected.filter((p) => p.startsWith('/branches/')).length, 'no branch in the data').toBeGreaterThan(0);
    expect(expected.filter((p) => p.startsWith('/products/')).length, 'no product in the data').toBeGreaterThan(0);
    const built = new Set(builtPages);
    expect(expected.filter((p) => !built.has(p)), 'branches/products without a prerendered page').toEqual([]);
  });

  it.each(pages)('page %s renders its KPIs and charts', async (path) => {
    const { report, problems } = await checkPage(ctx, server.url, path, join(SCREENSHOT_DIR, `${slug(path)}.png`), kpis);
    reports.push(report);
    console.log(
      `[browser] ${path}: ${report.kpiTiles.length} KPI tile(s) [${report.kpiTiles.map((t) => `${t.metric}=${t.state === 'value' ? t.text : t.state}`).join(' | ')}], ` +
        `${report.matrices.length} KPI matri(ces), ${report.vegaCharts.length} Vega chart(s) [${report.vegaCharts.map((v) => `${v.state} marks=${v.marks}`).join(', ')}], ` +
        `${report.bigValues.length} BigValue(s) [${report.bigValues.join(' | ')}], ` +
        `${report.tables.length} table(s) [${report.tables.map((t) => `${t.id}:${t.rows}`).join(', ')}], ` +
        `${report.charts.length} chart(s) [${report.charts.map((c) => `${c.kind} ${Math.round(c.width)}x${Math.round(c.height)} marks=${c.marks}`).join(', ')}]`,
    );
    expect(problems, `${path}`).toEqual([]);
  }, 120_000);

  it('site has at least one KPI value and one rendered chart', () => {
    expect(reports.length).toBe(pages.length);
    expect(
      reports.flatMap((r) => r.bigValues).length + reports.flatMap((r) => r.kpiTiles).length + reports.flatMap((r) => r.tables).length,
      'no KPI tile, BigValue or DataTable on any page',
    ).toBeGreaterThan(0);
    expect(reports.flatMap((r) => r.charts).length, 'no ECharts chart on any page').toBeGreaterThan(0);
    expect(reports.flatMap((r) => r.vegaCharts).filter((v) => v.state === 'ready' && v.marks > 0).length, 'no Vega-Lite chart drew marks').toBeGreaterThan(0);
    const home = reports.find((r) => r.path === '/');
    expect(home?.kpiTiles.length ?? 0, 'the home page has no KPI board').toBeGreaterThan(0);
  });

  it('the month selector switches the KPI board and the branch matrix (in the browser, offline)', async () => {
    const page = await ctx.context.newPage();
    const errorsBefore = ctx.consoleErrors.length;
    try {
      await page.goto(`${server.url}/`, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
      await page.waitForFunction(() => [...document.querySelectorAll('[data-kpi-tile]')].every((e) => e.getAttribute('data-kpi-ready') === 'true'), null, {
        timeout: PAGE_TIMEOUT_MS,
      });
      const current = await page.getAttribute('[data-kpi-board]', 'data-month');
      await page.locator('button[role="combobox"]').first().click();
      const options = await page.locator('[role="option"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''));
      const target = options.find((m) => m && m !== current);
      expect(target, `no other month to pick (options: ${options.join(', ')})`).toBeTruthy();
      await page.locator(`[role="option"][data-value="${target}"]`).click();
      await page.waitForFunction((m) => document.querySelector('[data-kpi-board]')?.getAttribute('data-month') === m, target, { timeout: 30_000 });
      // The matrix re-queries its month in DuckDB-wasm (Parquet over HTTP range requests).
      await page.waitForFunction((m) => document.querySelector('.kpi-matrix-wrap')?.getAttribute('data-month') === m, target, { timeout: 60_000 });
      await page.waitForTimeout(300);
      const report = await inspect(page, '/', 200);
      expect(report.kpiTiles.every((t) => t.month === target)).toBe(true);
      expect(pageProblems(report, ctx.consoleErrors.slice(errorsBefore), kpis), `/ after picking ${target}`).toEqual([]);
      console.log(`[browser] month selector: ${current} → ${target}: ${report.kpiTiles.length} tiles, matrix ${report.matrices[0]?.rows ?? 0} rows`);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('the home page loads under 4 MiB of JavaScript (the 4.9 MB brand-icon set stays with the settings page)', async () => {
    // Before scripts/patch-evidence-bundle.mjs every page loaded 8.3 MB of JS, 4.8 MB of it the
    // @steeze-ui/simple-icons set pulled in by Evidence's page header; now ~3.5 MB (Evidence's
    // component library 2.5 MB, layout 0.45 MB, DuckDB-wasm worker 0.26 MB, the rest small).
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: 'block' });
    const scripts = new Set<string>();
    context.on('request', (req) => {
      const u = new URL(req.url());
      if (u.hostname === '127.0.0.1' && u.pathname.endsWith('.js')) scripts.add(u.pathname);
    });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/`, { waitUntil: 'networkidle', timeout: PAGE_TIMEOUT_MS });
    } finally {
      await context.close();
    }
    const sizes = [...scripts].map((p) => ({ p, bytes: statSync(join(SITE_DIR!, decodeURIComponent(p))).size })).sort((a, b) => b.bytes - a.bytes);
    const total = sizes.reduce((a, b) => a + b.bytes, 0);
    expect(sizes.length, 'no JavaScript loaded').toBeGreaterThan(0);
    expect(total, `home page JavaScript ${(total / 2 ** 20).toFixed(2)} MiB; largest: ${sizes.slice(0, 3).map((x) => `${x.p} ${(x.bytes / 2 ** 20).toFixed(2)} MiB`).join(', ')}`).toBeLessThan(4 * 2 ** 20);
  }, 120_000);

  it('made requests only to 127.0.0.1', () => {
    expect(ctx.requests.length).toBeGreaterThan(0);
    expect(ctx.requests.some((u) => u.endsWith('.parquet') || u.endsWith('.arrow')), 'no data file was fetched').toBe(true);
    expect([...new Set(ctx.foreign)], 'requests to hosts other than 127.0.0.1').toEqual([]);
  });

  it('logged no console errors', () => {
    expect(ctx.consoleErrors).toEqual([]);
  });
});

describe('KPI tile cross-check helpers', () => {
  it('parses displayed numbers at their precision', () => {
    expect(tileMismatch('2.31%', 0.02306)).toBeNull();
    expect(tileMismatch('2.31%', 0.0232)).toContain('shows 2.31%');
    expect(tileMismatch('12,599.05%', 125.9905)).toBeNull();
    expect(tileMismatch('0.857', 0.8571)).toBeNull();
    expect(tileMismatch('70.0 天 days', 70)).toBeNull();
    expect(tileMismatch('14.7 小时 h', 14.66)).toBeNull();
    expect(tileMismatch('14.7 小时 h', 14.8)).not.toBeNull();
    expect(tileMismatch('−0.61%', -0.0061)).toBeNull();
  });

  it('maps a page to its kpi_values slice', () => {
    expect(pageSlice('/')).toEqual(['all', 'ALL']);
    expect(pageSlice('/npl/')).toEqual(['all', 'ALL']);
    expect(pageSlice('/branches/')).toEqual(['all', 'ALL']);
    expect(pageSlice('/branches/BJ01/')).toEqual(['branch', 'BJ01']);
    expect(pageSlice('/products/consumer_instalment/')).toEqual(['product', 'consumer_instalment']);
  });

  it('flags a tile that shows another number than the data, or claims no data wrongly', () => {
    const base = { path: '/', status: 200, bigValues: [], matrices: [], vegaCharts: [], tables: [], charts: [], errorBoxes: [], badText: [] };
    const kpis: KpiLookup = new Map([
      ['npl_ratio|all|ALL|2026-10', 0.0231],
      ['model_auc|all|ALL|2026-10', 0.857],
      ['model_ks|all|ALL|2026-10', null],
    ]);
    const tiles = (list: Array<[string, string, string]>) => list.map(([metric, state, text]) => ({ metric, month: '2026-10', state, text }));
    expect(pageProblems({ ...base, kpiTiles: tiles([['npl_ratio', 'value', '2.31%'], ['model_ks', 'no-data', '— 本月无数据 No data']]) }, [], kpis)).toEqual([]);
    expect(pageProblems({ ...base, kpiTiles: tiles([['npl_ratio', 'value', '2.41%']]) }, [], kpis).join()).toContain('kpi_values has 0.0231');
    expect(pageProblems({ ...base, kpiTiles: tiles([['model_auc', 'no-data', '— 本月无数据 No data']]) }, [], kpis).join()).toContain('says no data');
    expect(pageProblems({ ...base, kpiTiles: tiles([['model_ks', 'value', '0.500']]) }, [], kpis).join()).toContain('no value');
    // below the minimum sample: the words only; a number, or a too-few claim for a measured value, is flagged
    const few: KpiLookup = new Map([...kpis, ['model_ks|all|ALL|2026-10', 'too_few' as const]]);
    expect(pageProblems({ ...base, kpiTiles: tiles([['model_ks', 'too-few', '样本不足 Too few']]) }, [], few)).toEqual([]);
    expect(pageProblems({ ...base, kpiTiles: tiles([['model_ks', 'value', '0.500']]) }, [], few).join()).toContain('says too few');
    expect(pageProblems({ ...base, kpiTiles: tiles([['npl_ratio', 'too-few', '样本不足 Too few']]) }, [], few).join()).toContain('says too few but');
  });
});

describe.skipIf(!SITE_DIR)('the browser checks can fail (sabotaged copy of SITE_DIR)', () => {
  it('reports a remote request, broken data and the resulting errors', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'site-sabotage-'));
    const server = await serveStatic(tmp);
    const browser = await launchChromium({ localSite: true });
    try {
      cpSync(SITE_DIR!, tmp, { recursive: true });
      // A remote image (".invalid" never resolves; the route aborts it before any lookup anyway).
      const index = join(tmp, 'index.html');
      writeFileSync(index, readFileSync(index, 'utf8').replace('</body>', '<img src="http://remote.invalid/pixel.png" alt=""></body>'));
      // Break the data: prerendered query results and the Parquet tables.
      rmSync(join(tmp, 'api', 'prerendered_queries'), { recursive: true, force: true });
      for (const f of walk(join(tmp, 'data'))) if (f.endsWith('.parquet')) writeFileSync(f, 'not parquet');

      const ctx = await openContext(browser);
      const { problems } = await checkPage(ctx, server.url, '/');
      await ctx.context.close();
      console.log(`[browser] sabotaged site: ${problems.length} problem(s), e.g.\n  ${problems.slice(0, 4).join('\n  ')}`);
      expect(ctx.foreign).toContain('http://remote.invalid/pixel.png');
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.some((p) => p.startsWith('Evidence error box') || p.startsWith('console error'))).toBe(true);
    } finally {
      await browser.close();
      await server.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);
});

if (!SITE_DIR) {
  console.warn('[browser.test] SITE_DIR is not set: skipping the report-site browser test. Build a site with buildSite() (transforms/publish/site/build-site.ts) and set SITE_DIR=<its dir>.');
}
