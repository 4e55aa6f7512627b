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

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SITE_DIR = siteDirFromEnv();

const SCREENSHOT_DIR = resolve(process.env.SCREENSHOT_DIR ?? join(REPO_ROOT, 'test-results', 'screenshots'));
const PAGE_TIMEOUT_MS = 60_000;
/** Templated (sliced) pages, where a KPI tile may say "no data" for a month without cases. */
const SLICED_PAGE = /^\/(branches|products)\/[^/]+\/$/;
/** A canvas chart must have at least this many coloured pixels (series marks), see __markPixels. */
const MIN_MARK_PIXELS = 200;

const slug = (path: string) => (path === '/' ? 'index' : path.replace(/^\/|\/$/g, '').replace(/[^\p{L}\p{N}_-]+/gu, '_'));

interface PageReport {
  path: string;
  status: number | undefined;
  bigValues: string[];
  /** KPI tiles of components/KpiBoard.svelte. */
  kpiTiles: Array<{ metric: string; month: string; state: string; text: string }>;
  /** components/KpiMatrix.svelte tables: rows and cells showing a number. */
  /** tooFewCells: cells marked below the KPI's minimum sample (样本不足, `data-rag="too_few"`). */
  matrices: Array<{ rows: number; numericCells: number; tooFewCells?: number }>;
  /** components/VegaLite.svelte charts. */
  vegaCharts: Array<{ state: string; marks: number; width: number; height: number }>;
  tables: Array<{ id: string; rows: number }>;
  charts: Array<{ width: number; height: number; kind: string; marks: number }>;
  errorBoxes: string[];
  badText: string[];
}

/** Waits for Evidence to finish (no skeletons, network idle, fonts), then inspects the DOM. */
async function inspect(page: Page, path: string, status: number | undefined): Promise<PageReport> {
  await page.waitForSelector('#evidence-main-article', { timeout: PAGE_TIMEOUT_MS });
  await page.waitForFunction(() => document.querySelectorAll('.animate-pulse').length === 0, null, { timeout: PAGE_TIMEOUT_MS, polling: 200 });
  await page.waitForLoadState('networkidle', { timeout: PAGE_TIMEOUT_MS });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  // Charts animate in (ECharts default ~1 s): wait until every chart's canvas shows marks, or time out
  // and let the assertion below report it.
  await page
    .waitForFunction(
      (min) =>
        [...document.querySelectorAll('[_echarts_instance_] canvas')].every(
          (c) => (window as unknown as { __markPixels(c: Element): number }).__markPixels(c) >= min,
        ),
      MIN_MARK_PIXELS,
      { timeout: 15_000, polling: 250 },
    )
    .catch(() => undefined);
  // Vega-Lite charts render after a dynamic import: wait until each is ready (or failed).
  await page
    .waitForFunction(
      () => [...document.querySelectorAll('[data-vega-chart]')].every((e) => ['ready', 'empty', 'error'].includes(e.getAttribute('data-vega-state') ?? '')),
      null,
      { timeout: 30_000, polling: 250 },
    )
    .catch(() => undefined);
  // KPI tiles mark themselves ready once hydrated.
  await page
    .waitForFunction(() => [...document.querySelectorAll('[data-kpi-tile]')].every((e) => e.getAttribute('data-kpi-ready') === 'true'), null, {
      timeout: 15_000,
      polling: 200,
    })
    .catch(() => undefined);
  await page.waitForTimeout(300);

  const dom = await page.evaluate(() => {
    const article = document.querySelector('#evidence-main-article') as HTMLElement;
    // BigValue: _BigValue.svelte renders <div class="relative text-xl font-medium mt-1.5"> with the value.
    const bigValues = [...article.querySelectorAll('div.relative.text-xl.font-medium')].map((e) => (e as HTMLElement).innerText.trim());
    const tables = [...article.querySelectorAll('[data-testid^="DataTable-"]')].map((t) => ({
      id: t.getAttribute('data-testid') ?? '',
      rows: [...t.querySelectorAll('table tr')].filter((r) => r.querySelectorAll('td').length > 0 && (r as HTMLElement).innerText.trim() !== '').length,
    }));
    const charts = [...article.querySelectorAll('[_echarts_instance_]')].map((el) => {
      const canvas = el.querySelector('canvas');
      const svg = el.querySelector('svg');
      const r = (canvas ?? svg ?? el).getBoundingClientRect();
      let marks = 0;
      if (canvas) marks = (window as unknown as { __markPixels(c: Element): number }).__markPixels(canvas);
      else if (svg) marks = svg.querySelectorAll('path, rect, circle, polyline').length;
      return { width: r.width, height: r.height, kind: canvas ? 'canvas' : svg ? 'svg' : 'none', marks };
    });
    const kpiTiles = [...article.querySelectorAll('[data-kpi-tile]')].map((t) => ({
      metric: t.getAttribute('data-metric') ?? '?',
      month: t.closest('[data-kpi-board]')?.getAttribute('data-month') ?? '',
      state: t.getAttribute('data-kpi-ready') === 'true' ? (t.getAttribute('data-kpi-state') ?? '') : 'not-hydrated',
      text: ((t.querySelector('[data-kpi-value]') as HTMLElement | null)?.innerText ?? '').trim(),
    }));
    const matrices = [...article.querySelectorAll('[data-kpi-matrix]')].map((m) => ({
      rows: m.querySelectorAll('tbody tr').length,
      numericCells: [...m.querySelectorAll('tbody td.num')].filter((c) => /\d/.test((c as HTMLElement).innerText)).length,
      tooFewCells: [...m.querySelectorAll('tbody td.num[data-rag="too_few"]')].filter((c) => /样本不足/.test((c as HTMLElement).innerText)).length,
    }));
    const vegaCharts = [...article.querySelectorAll('[data-vega-chart]')].map((v) => {
      const svg = v.querySelector('svg');
      const r = (svg ?? v).getBoundingClientRect();
      return { state: v.getAttribute('data-vega-state') ?? '', marks: Number(v.getAttribute('data-vega-marks') ?? 0), width: svg ? r.width : 0, height: svg ? r.height : 0 };
    });
    const errorBoxes = [...document.querySelectorAll('[class*="bg-negative/10"]')].map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim().slice(0, 200));
    const text = article.innerText;
    const badText = [/\bNaN\b/, /\bundefined\b/, /Invalid Date/, /\bInfinity\b/, /No Records/, /Dataset is empty/, /Error in Query/]
      .filter((re) => re.test(text))
      .map((re) => `${re.source}: …${text.slice(Math.max(0, text.search(re) - 60), text.search(re) + 60).replace(/\s+/g, ' ')}…`);
    return { bigValues, kpiTiles, matrices, vegaCharts, tables, charts, errorBoxes, badText };
  });
  return { path, status, ...dom };
}

/** Problems found on one page (empty = good). */
/** KPI values of the site's own data (kpi_values Parquet): `${metric}|${slice}|${slice_value}|${month}` → value (null = no value; 'too_few' = below the KPI's minimum sample, never shown). */
export type KpiLookup = Map<string, number | null | 'too_few'>;

/** The kpi_values slice a page shows: '/branches/BJ01/' → ['branch', 'BJ01'], other pages the whole book. */
export function pageSlice(path: string): [string, string] {
  const m = /^\/(branches|products)\/([^/]+)\/$/.exec(path);
  if (!m || m[2] === 'index.html') return ['all', 'ALL'];
  return [m[1] === 'branches' ? 'branch' : 'product', decodeURIComponent(m[2]!)];
}

/**
 * Checks a KPI tile's text against the value in the data: the displayed number, parsed ("2.31%",
 * "0.857", "70.0 天 days", "12,599.05%"), must equal the kpi_values value within the displayed
 * precision. Returns a problem or null.
 */
export function tileMismatch(text: string, value: number): string | null {
  const m = /(−|-)?([\d,]+(?:\.(\d+))?)\s*(%)?/.exec(text);
  if (!m) return `"${text}" has no number`;
  const decimals = m[3]?.length ?? 0;
  let shown = Number(m[2]!.replace(/,/g, '')) * (m[1] ? -1 : 1);
  let tolerance = 0.5 * 10 ** -decimals + 1e-9;
  if (m[4]) {
    shown /= 100;
    tolerance /= 100;
  }
  return Math.abs(shown - value) <= tolerance ? null : `shows ${text} but kpi_values has ${value}`;
}

export function pageProblems(r: PageReport, consoleErrors: string[], kpis?: KpiLookup): string[] {
  const p: string[] = [];
  if (r.status !== 200) p.push(`HTTP status ${r.status}`);
  for (const e of r.errorBoxes) p.push(`Evidence error box: ${e}`);
  for (const t of r.badText) p.push(`suspicious text ${t}`);
  for (const v of r.bigValues) {
    if (v === '') p.push('a BigValue is blank');
    else if (!/\d/.test(v) || /NaN|undefined|Infinity/.test(v)) p.push(`BigValue "${v}" is not a number`);
  }
  const [slice, sliceValue] = pageSlice(r.path);
  for (const t of r.kpiTiles) {
    const key = `${t.metric}|${slice}|${sliceValue}|${t.month}`;
    const known = kpis?.get(key);
    if (t.state === 'not-hydrated') p.push(`KPI tile ${t.metric} never hydrated`);
    else if (t.state === 'no-data') {
      // Only allowed where the data really has no value for that KPI, slice and month.
      if (!/无数据|No data/.test(t.text)) p.push(`KPI tile ${t.metric} is marked no-data but does not say so: "${t.text}"`);
      else if (kpis && known !== undefined && known !== null && known !== 'too_few') p.push(`KPI tile ${t.metric} says no data but kpi_values has ${known} (${key})`);
      else if (!kpis && !SLICED_PAGE.test(r.path)) p.push(`KPI tile ${t.metric} has no data on a whole-book page`);
    } else if (t.state === 'too-few') {
      // Below the KPI's minimum sample: the words, never a number (the sample size is shown beside the status).
      if (!/样本不足|Too few/.test(t.text) || /\d/.test(t.text)) p.push(`KPI tile ${t.metric} is marked too-few but shows "${t.text}"`);
      else if (kpis && known !== 'too_few') p.push(`KPI tile ${t.metric} says too few but kpi_values has ${known} (${key})`);
    } else if (t.state !== 'value') p.push(`KPI tile ${t.metric} has unknown state "${t.state}"`);
    else if (kpis && known === 'too_few') p.push(`KPI tile ${t.metric} shows ${t.text} but kpi_values says too few (${key})`);
    else if (!/\d/.test(t.text) || /NaN|undefined|Infinity/.test(t.text)) p.push(`KPI tile ${t.metric} "${t.text}" is not a number`);
    else if (kpis) {
      if (known === undefined || known === null || known === 'too_few') p.push(`KPI tile ${t.metric} shows ${t.text} but kpi_values has no value (${key})`);
      else {
        const bad = tileMismatch(t.text, known);
        if (bad) p.push(`KPI tile ${t.metric} ${bad} (${key})`);
      }
    }
  }
  // Without the data to check against, a board of only "no data" tiles is suspicious.
  if (!kpis && r.kpiTiles.length && !r.kpiTiles.some((t) => t.state === 'value')) p.push('no KPI tile shows a value');
  for (const [i, m] of r.matrices.entries()) {
    if (m.rows === 0) p.push(`KPI matrix #${i + 1} has no rows`);
    // A matrix whose every slice is below the minimum sample says so in each cell (样本不足); blank or dashes only is a defect.
    else if (m.numericCells === 0 && !m.tooFewCells) p.push(`KPI matrix #${i + 1} shows no number`);
  }
  for (const [i, v] of r.vegaCharts.entries()) {
    if (v.state === 'empty') continue; // explicit "no data for this selection" message
    if (v.state !== 'ready') p.push(`Vega-Lite chart #${i + 1} is ${v.state || 'not rendered'}`);
    else if (v.width * v.height === 0) p.push(`Vega-Lite chart #${i + 1} has zero size`);
    else if (v.marks === 0) p.push(`Vega-Lite chart #${i + 1} drew no marks`);
  }
  for (const t of r.tables) if (t.rows === 0) p.push(`${t.id} has no rows`);
  for (const c of r.charts) {
    if (c.kind === 'none') p.push('chart without canvas/svg');
    else if (c.width * c.height === 0) p.push('chart has zero size');
    else if (c.kind === 'canvas' ? c.marks < MIN_MARK_PIXELS : c.marks < 5) p.push(`chart drew no marks (${c.marks} coloured pixels/elements)`);
  }
  for (const e of consoleErrors) p.push(`console error: ${e}`);
  return p;
}

/** A browser context that records every request, aborts non-local ones, and collects console errors. */
export async function openContext(browser: Browser) {
  const requests: string[] = [];
  const foreign: string[] = [];
  const consoleErrors: string[] = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
  const isLocal = (raw: string) => {
    const u = new URL(raw);
    if (u.protocol === 'blob:' || u.protocol === 'data:' || u.protocol === 'about:') return true;
    return u.hostname === '127.0.0.1';
  };
  // Counts "coloured" canvas pixels (chroma > 60): series lines/bars/areas/legend symbols. Axes,
  // grid lines and labels are grey, so an empty chart scores ~0.
  await context.addInitScript(() => {
    (window as unknown as { __markPixels(c: Element): number }).__markPixels = (el: Element) => {
      const canvas = el as HTMLCanvasElement;
      if (!canvas.width || !canvas.height) return 0;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
      if (!data) return 0;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const r = data[i]!, g = data[i + 1]!, b = data[i + 2]!, a = data[i + 3]!;
        if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) n++;
      }
      return n;
    };
  });
  context.on('request', (req) => {
    requests.push(req.url());
    if (!isLocal(req.url())) foreign.push(req.url());
  });
  // Never let a request leave the machine, even though the test fails on it anyway.
  await context.route('**/*', (route) => (isLocal(route.request().url()) ? route.continue() : route.abort('blockedbyclient')));
  context.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(`${msg.text()} [${msg.location().url}]`);
  });
  context.on('weberror', (err) => consoleErrors.push(`uncaught: ${err.error().message}`));
  return { context, requests, foreign, consoleErrors };
}

/** Opens one page, waits for Evidence, screenshots it (when screenshotPath), returns report + problems. */
export async function checkPage(
  ctx: Awaited<ReturnType<typeof openContext>>,
  baseUrl: string,
  path: string,
  screenshotPath?: string,
  kpis?: KpiLookup,
): Promise<{ report: PageReport; problems: string[] }> {
  const page = await ctx.context.newPage();
  const errorsBefore = ctx.consoleErrors.length;
  try {
    const res = await page.goto(`${baseUrl}${path}`, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    const report = await inspect(page, path, res?.status());
    if (screenshotPath) await page.screenshot({ path: screenshotPath, fullPage: true });
    return { report, problems: pageProblems(report, ctx.consoleErrors.slice(errorsBefore), kpis) };
  } finally {
    await page.close();
  }
}

/** The kpi_values Parquet file of a built site. */
function kpiParquet(siteDir: string): string {
  const file = walk(join(siteDir, 'data')).find((f) => /[\\/]kpi_values\.parquet$/.test(f));
  if (!file) throw new Error(`${siteDir}: no kpi_values.parquet under data/`);
  return file;
}

/** Every KPI value the site ships, keyed for {@link pageProblems}. */
export async function loadKpiLookup(siteDir: string): Promise<KpiLookup> {
  const db = await openWarehouse(':memory:');
  try {
    const rows = await db.all<{ k: string; v: number | null; s: string | null }>(
      `SELECT metric_id || '|' || slice || '|' || slice_value || '|' || month AS k, value AS v, status AS s FROM read_parquet(${quoteLiteral(kpiParquet(siteDir))})`,
    );
    return new Map(rows.map((r) => [r.k, r.s === 'too_few' ? 'too_few' : r.v === null ? null : Number(r.v)]));
  } finally {
    await db.close();
  }
}

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
