/**
 * Benchmark (not a test) of the built report site's home page, offline, in headless Chromium.
 *
 *   npx tsx scripts/bench-site.ts SITE_DIR [--page /] [--runs 3] [--json]
 *
 * Serves SITE_DIR on 127.0.0.1 (transforms/publish/site/serve-site.ts), opens the page in Chromium
 * ($CHROMIUM_PATH, else /usr/bin/chromium: launchChromium in transforms/lib/chromium.ts, same offline flags
 * as test/publish/site/browser.test.ts; requests to any other host are
 * aborted and reported) with a cold cache for every run, and reports:
 *
 * - data bytes: the bytes of the DATA files the page fetched — source tables (`/data/**.parquet`,
 *   whole files or HTTP ranges), prerendered query results (`/api/prerendered_queries/*.arrow`)
 *   and the query index/manifests (`/api/**.json`, `/data/manifest.json`). Target: < 2 MB, and it
 *   must not grow with the number of customers (every source is pre-aggregated);
 * - code bytes: JS/CSS/wasm/fonts (the Evidence runtime; constant, ~40 MB of it DuckDB-wasm when
 *   the page needs the in-browser database);
 * - time to interactive: navigation start → every KPI tile (`[data-kpi-tile]`) and every Evidence
 *   BigValue shows a number, no loading skeleton is left and the month selector is rendered.
 *   Target: < 2 s. Also reports DOMContentLoaded and load.
 *
 * Prints one line per run and the median; `--json` prints a JSON summary instead (for the bench
 * harness). Exit code 0 even when a target is missed (it is a benchmark); 1 on errors (e.g. the
 * page never became interactive within 60 s, or a request left the host).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Response } from 'playwright-core';
import { launchChromium } from '../transforms/lib/chromium.js';
import { serveStatic } from '../transforms/publish/site/serve-site.js';

const TARGET_DATA_BYTES = 2 * 1024 * 1024;
const TARGET_TTI_MS = 2000;

export interface BenchRun {
  /** KPI numbers first visible (prerendered HTML parsed). */
  visibleMs: number;
  /** Hydrated: tiles mounted and numeric, no skeleton left. */
  ttiMs: number;
  domContentLoadedMs: number;
  loadMs: number;
  dataBytes: number;
  codeBytes: number;
  otherBytes: number;
  requests: number;
  dataFiles: Array<{ url: string; bytes: number }>;
  tiles: number;
}

/** Kind of a site URL for the byte accounting. */
export function classify(pathname: string): 'data' | 'code' | 'other' {
  if (/^\/data\/.*\.parquet$/.test(pathname) || /^\/api\/prerendered_queries\/.*\.arrow$/.test(pathname)) return 'data';
  if (pathname === '/data/manifest.json' || (/^\/api\//.test(pathname) && pathname.endsWith('.json'))) return 'data';
  if (/\.(js|mjs|css|wasm|woff2?|ttf|otf)$/.test(pathname)) return 'code';
  return 'other';
}

async function bodySize(res: Response): Promise<number> {
  try {
    const sizes = await res.request().sizes();
    if (sizes.responseBodySize > 0) return sizes.responseBodySize;
  } catch {
    /* fall through */
  }
  try {
    return (await res.body()).length;
  } catch {
    return Number(res.headers()['content-length'] ?? 0);
  }
}

/** One cold-cache page load. */
export async function benchOnce(browser: Browser, url: string): Promise<BenchRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
  const foreign: string[] = [];
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.protocol === 'http:' && u.hostname !== '127.0.0.1') {
      foreign.push(u.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  // tsx (esbuild keepNames) wraps named functions in page.evaluate callbacks with __name().
  await context.addInitScript('window.__name = (f) => f;');
  // First paint of the KPI numbers: they are in the prerendered HTML, so this fires while the HTML
  // is parsed, long before the page is hydrated (interactive).
  await context.addInitScript(`
    window.__kpiVisibleAt = null;
    const check = () => {
      if (window.__kpiVisibleAt !== null) return;
      const v = [...document.querySelectorAll('[data-kpi-value], div.relative.text-xl.font-medium')];
      if (v.length && v.every((e) => /\\d|无数据|No data/.test(e.textContent || ''))) window.__kpiVisibleAt = performance.now();
    };
    new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  `);
  const page = await context.newPage();
  const pending: Array<Promise<void>> = [];
  const run: BenchRun = { visibleMs: 0, ttiMs: 0, domContentLoadedMs: 0, loadMs: 0, dataBytes: 0, codeBytes: 0, otherBytes: 0, requests: 0, dataFiles: [], tiles: 0 };
  page.on('response', (res) => {
    const u = new URL(res.url());
    if (u.hostname !== '127.0.0.1') return;
    run.requests++;
    pending.push(
      bodySize(res).then((bytes) => {
        const kind = classify(u.pathname);
        if (kind === 'data') {
          run.dataBytes += bytes;
          run.dataFiles.push({ url: u.pathname, bytes });
        } else if (kind === 'code') run.codeBytes += bytes;
        else run.otherBytes += bytes;
      }),
    );
  });
  try {
    await page.goto(url, { waitUntil: 'commit', timeout: 60_000 });
    await page.waitForFunction(
      () => {
        const main = document.querySelector('#evidence-main-article');
        if (!main) return false;
        if (document.querySelectorAll('.animate-pulse').length) return false;
        const tiles = [...main.querySelectorAll('[data-kpi-tile]')];
        const bigValues = [...main.querySelectorAll('div.relative.text-xl.font-medium')];
        if (tiles.length + bigValues.length === 0) return false;
        const numeric = (el: Element | null) => !!el && /\d/.test((el as HTMLElement).innerText) && !/NaN|undefined/.test((el as HTMLElement).innerText);
        // Hydrated: the tiles carry data-kpi-ready once the Svelte component has mounted.
        const tilesOk = tiles.every((t) => t.getAttribute('data-kpi-ready') === 'true' && (t.getAttribute('data-kpi-state') === 'no-data' || numeric(t.querySelector('[data-kpi-value]'))));
        return tilesOk && bigValues.every(numeric);
      },
      null,
      { timeout: 60_000, polling: 'raf' },
    );
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        now: performance.now(),
        visible: (window as unknown as { __kpiVisibleAt: number | null }).__kpiVisibleAt ?? performance.now(),
        dcl: nav?.domContentLoadedEventEnd ?? 0,
        load: nav?.loadEventEnd ?? 0,
        tiles: document.querySelectorAll('[data-kpi-tile]').length + document.querySelectorAll('div.relative.text-xl.font-medium').length,
      };
    });
    run.ttiMs = timing.now;
    run.visibleMs = timing.visible;
    run.domContentLoadedMs = timing.dcl;
    run.tiles = timing.tiles;
    await page.waitForLoadState('networkidle', { timeout: 60_000 }).catch(() => undefined);
    const after = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined)?.loadEventEnd ?? 0);
    run.loadMs = after;
    await Promise.all(pending);
  } finally {
    await context.close();
  }
  if (foreign.length) throw new Error(`requests left 127.0.0.1: ${[...new Set(foreign)].join(', ')}`);
  return run;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : 0;
};
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const mib = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MiB`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      page: { type: 'string', default: '/' },
      runs: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const dir = positionals[0];
  if (values.help || !dir) {
    console.log('usage: tsx scripts/bench-site.ts SITE_DIR [--page /] [--runs 3] [--json]');
    process.exit(dir ? 0 : 2);
  }
  if (!existsSync(resolve(dir, 'index.html'))) throw new Error(`${dir} is not a built site (no index.html)`);
  const server = await serveStatic(dir);
  const browser = await launchChromium({ localSite: true });
  const runs: BenchRun[] = [];
  try {
    // One warm-up load (OS file cache, Chromium start-up), not reported.
    await benchOnce(browser, `${server.url}${values.page}`);
    for (let i = 0; i < Number(values.runs); i++) {
      const r = await benchOnce(browser, `${server.url}${values.page}`);
      runs.push(r);
      if (!values.json) {
        console.log(
          `run ${i + 1}: KPI numbers visible ${r.visibleMs.toFixed(0)} ms, interactive ${r.ttiMs.toFixed(0)} ms (DOMContentLoaded ${r.domContentLoadedMs.toFixed(0)} ms), ` +
            `data ${kib(r.dataBytes)} in ${r.dataFiles.length} file(s), code ${mib(r.codeBytes)}, ${r.requests} requests, ${r.tiles} KPI tiles`,
        );
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const summary = {
    site: resolve(dir),
    page: values.page,
    runs: runs.length,
    visibleMsMedian: median(runs.map((r) => r.visibleMs)),
    ttiMsMedian: median(runs.map((r) => r.ttiMs)),
    dataBytesMedian: median(runs.map((r) => r.dataBytes)),
    codeBytesMedian: median(runs.map((r) => r.codeBytes)),
    kpiTiles: runs[0]?.tiles ?? 0,
    targets: { dataBytes: TARGET_DATA_BYTES, ttiMs: TARGET_TTI_MS },
    dataFiles: runs[0]?.dataFiles.sort((a, b) => b.bytes - a.bytes) ?? [],
  };
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const ok = (b: boolean) => (b ? 'OK' : 'MISSED');
  console.log(
    `\nmedian of ${runs.length}: KPI numbers visible ${summary.visibleMsMedian.toFixed(0)} ms, time to interactive ${summary.ttiMsMedian.toFixed(0)} ms (target < ${TARGET_TTI_MS} ms: ${ok(summary.ttiMsMedian < TARGET_TTI_MS)}), ` +
      `data shipped ${kib(summary.dataBytesMedian)} (target < ${mib(TARGET_DATA_BYTES)}: ${ok(summary.dataBytesMedian < TARGET_DATA_BYTES)}), code ${mib(summary.codeBytesMedian)}`,
  );
  console.log('largest data files of run 1:');
  for (const f of summary.dataFiles.slice(0, 8)) console.log(`  ${kib(f.bytes).padStart(10)}  ${f.url}`);
}

if (process.argv[1] && import.meta.url === (await import('node:url')).pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(`[bench-site] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
