/// <reference lib="dom" />
/**
 * Browser checks of a built report site shared by the site tests (browser.test.ts, audience-sites.test.ts):
 * a recording offline browser context ({@link openContext}), one page opened, waited for and inspected
 * ({@link checkPage}), the problems of a page ({@link pageProblems}) and the KPI values a site ships
 * ({@link loadKpiLookup}).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { walk } from '../../../transforms/lib/walk-files.js';
import { openWarehouse, quoteLiteral } from '../../../transforms/lib/duckdb.js';

export const PAGE_TIMEOUT_MS = 60_000;
/** Templated (sliced) pages, where a KPI tile may say "no data" for a month without cases. */
export const SLICED_PAGE = /^\/(branches|products)\/[^/]+\/$/;
/** A canvas chart must have at least this many coloured pixels (series marks), see __markPixels. */
export const MIN_MARK_PIXELS = 200;


export interface PageReport {
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
export async function inspect(page: Page, path: string, status: number | undefined): Promise<PageReport> {
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
export function kpiParquet(siteDir: string): string {
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
