/// <reference lib="dom" />
/**
 * Browser test of the 月报 front page and the month-in-URL mechanism of a BUILT report site
 * (same harness as browser.test.ts: the build served on 127.0.0.1, Debian's Chromium through
 * playwright-core, every non-local request aborted):
 *
 *   SITE_DIR=/tmp/site npx vitest run --config test/publish/site/vitest.site.config.ts test/publish/site/front-page.test.ts
 *
 * - the home page shows the whole-bank balances (loans, NPL, provisions) in 亿元 with 比上月, 比年初
 *   and 同比, equal to the site's own balances Parquet file (warehouse.balances);
 * - the month survives navigation and reload through the URL: /?month=<an older month> shows that
 *   month, a branch link carries ?month= and the branch page shows that month, a reload keeps it,
 *   and choosing another month in the selector writes it into the URL;
 * - on every report page, every table cell that holds a branch or product name (names from the
 *   site's kpi_values Parquet file) is a link to /branches/<id>/ or /products/<id>/ carrying
 *   ?month=; each distinct target page is opened and shows data (KPI tiles with values);
 * - the "why" section: for every KPI and dimension the shown contributions (and "其他 Other") add
 *   up to the shown change, and the shown change is the whole-bank change of kpi_values.
 * Skips (with a message) only when SITE_DIR is unset.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walk } from '../../../transforms/lib/walk-files.js';
import { reportPages, siteDirFromEnv } from './site-pages.js';
import { serveStatic, type StaticServer } from '../../../transforms/publish/site/serve-site.js';
import { launchChromium } from '../../../transforms/lib/chromium.js';
import { openWarehouse, quoteLiteral } from '../../../transforms/lib/duckdb.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SITE_DIR = siteDirFromEnv();
const SCREENSHOT_DIR = resolve(process.env.SCREENSHOT_DIR ?? join(REPO_ROOT, 'test-results', 'screenshots'));
const TIMEOUT = 60_000;

/** A Parquet file of the site's data (a source query's result). */
function parquetOf(siteDir: string, name: string): string {
  const file = walk(join(siteDir, 'data')).find((f) => new RegExp(`[\\\\/]${name}\\.parquet$`).test(f));
  if (!file) throw new Error(`${siteDir}: no ${name}.parquet under data/`);
  return file;
}

async function readParquet<T>(file: string, sql: string): Promise<T[]> {
  const wh = await openWarehouse(':memory:');
  try {
    return await wh.all<T>(sql.replaceAll('$file', `read_parquet(${quoteLiteral(file)})`));
  } finally {
    await wh.close();
  }
}

/** Waits until Evidence has rendered: no skeletons, network idle, the month selector hydrated. */
async function settle(page: Page): Promise<void> {
  await page.waitForSelector('#evidence-main-article', { timeout: TIMEOUT });
  await page.waitForFunction(() => document.querySelectorAll('.animate-pulse').length === 0, null, { timeout: TIMEOUT, polling: 200 });
  await page.waitForLoadState('networkidle', { timeout: TIMEOUT });
  await page.waitForTimeout(400);
}

const urlMonth = (page: Page) => new URL(page.url()).searchParams.get('month');

describe.skipIf(!SITE_DIR)('月报 front page, why, drill-down and the month in the URL (SITE_DIR)', () => {
  let server: StaticServer;
  let browser: Browser;
  let context: BrowserContext;
  const errors: string[] = [];
  let months: string[] = [];

  beforeAll(async () => {
    if (!existsSync(join(SITE_DIR!, 'index.html'))) throw new Error(`SITE_DIR=${SITE_DIR} has no index.html`);
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    months = (await readParquet<{ month: string }>(parquetOf(SITE_DIR!, 'balances'), `SELECT DISTINCT month FROM $file ORDER BY month`)).map((r) => r.month);
    server = await serveStatic(SITE_DIR!);
    browser = await launchChromium({ localSite: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN', serviceWorkers: 'block' });
    await context.route('**/*', (route) => {
      const u = new URL(route.request().url());
      return u.hostname === '127.0.0.1' || ['blob:', 'data:', 'about:'].includes(u.protocol) ? route.continue() : route.abort('blockedbyclient');
    });
    context.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    context.on('weberror', (err) => errors.push(`uncaught: ${err.error().message}`));
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  it('the home page shows the balances with 比上月, 比年初 and 同比, as in warehouse.balances', async () => {
    const latest = months.at(-1)!;
    const [want] = await readParquet<{ loan_wan: number; loan_ytd_wan: number; npl_wan: number; provision_wan: number }>(
      parquetOf(SITE_DIR!, 'balances'),
      `SELECT loan_wan, loan_ytd_wan, npl_wan, provision_wan FROM $file WHERE level = 'all' AND month = '${latest}'`,
    );
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/`, { waitUntil: 'load', timeout: TIMEOUT });
      await settle(page);
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'front-page.png'), fullPage: true });
      const tiles = await page.$$eval('[data-balance-tile]', (els) =>
        els.map((e) => ({
          key: e.getAttribute('data-balance-tile'),
          value: e.querySelector('[data-balance-value]')?.textContent?.trim() ?? '',
          ytd: e.querySelector('[data-balance-ytd]')?.textContent?.trim() ?? '',
          text: e.textContent ?? '',
        })),
      );
      expect(tiles.map((t) => t.key)).toEqual(['loan', 'npl', 'provision']);
      const yi = (wan: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(wan / 1e4);
      expect(tiles[0]!.value).toBe(yi(want!.loan_wan));
      expect(tiles[1]!.value).toBe(yi(want!.npl_wan));
      expect(tiles[2]!.value).toBe(yi(want!.provision_wan));
      for (const t of tiles) {
        expect(t.text).toContain('比年初');
        expect(t.ytd, `${t.key}: 比年初`).toMatch(/^[+−]?[\d,]+\.\d\d$/);
      }
      const ytd = Number(tiles[0]!.ytd.replace('−', '-').replace(/,/g, ''));
      expect(ytd).toBeCloseTo(want!.loan_ytd_wan, 2);
      // The balance tables: a 合计 row equal to the whole bank.
      const body = await page.textContent('#evidence-main-article');
      expect(body).toContain('合计 Total');
      expect(errors, 'console errors on /').toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('the month survives navigation and reload through the URL, and choosing a month writes it to the URL', async () => {
    expect(months.length, 'need two months').toBeGreaterThan(1);
    const older = months.at(-3) ?? months[0]!;
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/?month=${older}`, { waitUntil: 'load', timeout: TIMEOUT });
      await settle(page);
      await page.waitForFunction((m) => document.querySelector('[data-kpi-board]')?.getAttribute('data-month') === m, older, { timeout: TIMEOUT });
      expect(urlMonth(page)).toBe(older);
      // A branch link of the balance table carries the month; following it keeps the month.
      const link = page.locator('#evidence-main-article a[href^="/branches/"]:visible').first();
      const href = await link.getAttribute('href');
      expect(href).toContain(`month=${older}`);
      await link.click();
      await page.waitForURL(/\/branches\/[^/]+\/\?/, { timeout: TIMEOUT });
      await settle(page);
      expect(urlMonth(page)).toBe(older);
      await page.waitForFunction((m) => document.querySelector('[data-kpi-board]')?.getAttribute('data-month') === m, older, { timeout: TIMEOUT });
      await page.screenshot({ path: join(SCREENSHOT_DIR, 'front-page-branch.png'), fullPage: true });
      // Every internal link of the branch page (sidebar included) carries it.
      const bare = await page.$$eval('a[href^="/"]', (as, m) => as.map((a) => a.getAttribute('href') ?? '').filter((h) => !h.includes(`month=${m}`) && !/\.[a-z0-9]+$/i.test(h.split('?')[0]!)), older);
      expect(bare, 'internal links without ?month=').toEqual([]);
      // Reload: still the same month.
      await page.reload({ waitUntil: 'load', timeout: TIMEOUT });
      await settle(page);
      expect(urlMonth(page)).toBe(older);
      await page.waitForFunction((m) => document.querySelector('[data-kpi-board]')?.getAttribute('data-month') === m, older, { timeout: TIMEOUT });
      // Choosing another month writes it into the URL.
      const target = months.at(-1)!;
      await page.locator('button[role="combobox"]').first().click();
      await page.locator(`[role="option"][data-value="${target}"]`).click();
      await page.waitForFunction((m) => new URL(location.href).searchParams.get('month') === m, target, { timeout: TIMEOUT });
      await page.waitForFunction((m) => document.querySelector('[data-kpi-board]')?.getAttribute('data-month') === m, target, { timeout: TIMEOUT });
      // …and the links follow it: back to the home page with that month.
      const home = page.locator('a[href^="/?"]').first();
      expect(await home.getAttribute('href')).toContain(`month=${target}`);
      expect(errors, 'console errors').toEqual([]);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('a month the data does not have (an old link, a typo) falls back to the latest month', async () => {
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/?month=1999-01`, { waitUntil: 'load', timeout: TIMEOUT });
      await settle(page);
      await page.waitForFunction((m) => document.querySelector('[data-kpi-board]')?.getAttribute('data-month') === m, months.at(-1)!, { timeout: TIMEOUT });
      expect(urlMonth(page)).toBe(months.at(-1));
    } finally {
      await page.close();
    }
  }, 120_000);

  it('every branch and product name in every table is a link (with ?month=) to a page with data', async () => {
    const names = await readParquet<{ slice: string; slice_label: string }>(
      parquetOf(SITE_DIR!, 'kpi_values'),
      `SELECT DISTINCT slice, slice_label FROM $file WHERE slice IN ('branch', 'product')`,
    );
    const nameSet = [...new Set(names.map((n) => n.slice_label))];
    const targets = new Set<string>();
    const problems: string[] = [];
    let linkedCells = 0;
    const page = await context.newPage();
    try {
      for (const path of reportPages(SITE_DIR!)) {
        await page.goto(`${server.url}${path}`, { waitUntil: 'load', timeout: TIMEOUT });
        await settle(page);
        const cells = await page.$$eval(
          '#evidence-main-article table td, #evidence-main-article table th[scope="row"]',
          (tds, names) =>
            tds
              .map((td) => ({ text: (td.textContent ?? '').trim(), href: td.querySelector('a')?.getAttribute('href') ?? null }))
              .filter((c) => (names as string[]).some((n) => c.text === n || c.text.startsWith(`${n} `))),
          nameSet,
        );
        for (const c of cells) {
          if (!c.href || !/^\/(branches|products)\/[^/?]+\/\?(.*&)?month=\d{4}-\d{2}/.test(c.href)) problems.push(`${path}: "${c.text}" → ${c.href ?? 'no link'}`);
          else {
            linkedCells++;
            targets.add(c.href.split('?')[0]!);
          }
        }
      }
      expect(problems, 'branch/product names in tables that are not links with ?month=').toEqual([]);
      expect(linkedCells, 'no branch or product name in any table').toBeGreaterThan(0);
      expect([...targets].some((t) => t.startsWith('/branches/')) && [...targets].some((t) => t.startsWith('/products/'))).toBe(true);
      // Every target is a prerendered page whose slice has KPI values this month (checked on disk and in
      // the site's data); opening each of the ~25 in the browser costs ~3 min of CI, and one page
      // template serves all branches (one all products), so the browser opens the first and last of each.
      const withValues = new Set(
        (await readParquet<{ k: string }>(
          parquetOf(SITE_DIR!, 'kpi_values'),
          `SELECT DISTINCT (CASE slice WHEN 'branch' THEN '/branches/' ELSE '/products/' END) || slice_value || '/' AS k
           FROM $file WHERE slice IN ('branch', 'product') AND month = '${months.at(-1)}' AND value IS NOT NULL`,
        )).map((r) => r.k),
      );
      for (const t of targets) {
        if (!existsSync(join(SITE_DIR!, t, 'index.html'))) problems.push(`${t}: no prerendered page`);
        if (!withValues.has(t)) problems.push(`${t}: no KPI value for ${months.at(-1)} in the site's data`);
      }
      const sorted = [...targets].sort();
      const sample = ['/branches/', '/products/'].flatMap((k) => {
        const of = sorted.filter((t) => t.startsWith(k));
        return [...new Set([of[0]!, of.at(-1)!])];
      });
      for (const t of sample) {
        await page.goto(`${server.url}${t}?month=${months.at(-1)}`, { waitUntil: 'load', timeout: TIMEOUT });
        await settle(page);
        const values = await page.$$eval('[data-kpi-tile][data-kpi-state="value"]', (els) => els.length);
        const errorBoxes = await page.$$eval('[class*="bg-negative/10"]', (els) => els.length);
        if (values === 0 || errorBoxes > 0) problems.push(`${t}: ${values} KPI tiles with a value, ${errorBoxes} error boxes`);
      }
      expect(problems, 'linked pages without data').toEqual([]);
      console.log(`[front-page] ${linkedCells} name cells linked to ${targets.size} pages; ${sample.length} of them opened with data`);
    } finally {
      await page.close();
    }
  }, 600_000);

  it('a value above its KPI display cap reads the cap text with ▲ in the branch matrix, never a five-digit percentage', async () => {
    const latest = months.at(-1)!;
    // The branch values above their KPI's display cap (e.g. provision coverage 12,712.74 % > 1,000 %).
    const over = await readParquet<{ slice_value: string; metric_id: string }>(
      parquetOf(SITE_DIR!, 'kpi_values'),
      `SELECT k.slice_value, k.metric_id FROM $file k JOIN read_parquet('${parquetOf(SITE_DIR!, 'metric_catalog')}') c USING (metric_id)
       WHERE k.slice = 'branch' AND k.month = '${latest}' AND k.status NOT IN ('no_data', 'too_few') AND c.display_cap IS NOT NULL AND k.value > c.display_cap`,
    );
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/?month=${latest}`, { waitUntil: 'load', timeout: TIMEOUT });
      await settle(page);
      const capped = await page.$$eval('[data-kpi-matrix] [data-kpi-capped]', (els) => els.map((e) => e.textContent ?? ''));
      const bigPercents = await page.$$eval('[data-kpi-matrix] td.num', (tds) =>
        tds.map((td) => (td.textContent ?? '').trim()).filter((t) => /^[\d,]+\.\d+%$/.test(t) && Number(t.replace(/[,%]/g, '')) >= 1000),
      );
      expect(bigPercents, 'matrix cells printing a percentage of 1,000 % or more').toEqual([]);
      // The home matrix shows the branch-overview KPIs; at least the over-cap values among them are capped.
      if (over.length > 0) expect(capped.length, `over-cap values ${JSON.stringify(over)}`).toBeGreaterThan(0);
      for (const t of capped) expect(t).toMatch(/^> [\d,]+%▲$/);
      console.log(`[front-page] ${over.length} branch value(s) above a display cap, ${capped.length} capped cell(s) on the home matrix`);
    } finally {
      await page.close();
    }
  });

  it('the shown contributions add up to the shown change, which is the whole-bank change', async () => {
    const latest = months.at(-1)!;
    const bank = await readParquet<{ metric_id: string; change: number; format: string; decimals: number }>(
      parquetOf(SITE_DIR!, 'kpi_values'),
      `SELECT k.metric_id, k.value - k.prev_value AS change FROM $file k WHERE k.slice = 'all' AND k.month = '${latest}' AND k.value IS NOT NULL AND k.prev_value IS NOT NULL`,
    );
    const catalog = await readParquet<{ metric_id: string; display_format: string; display_decimals: number }>(
      parquetOf(SITE_DIR!, 'metric_catalog'),
      `SELECT metric_id, display_format, display_decimals FROM $file`,
    );
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/?month=${latest}`, { waitUntil: 'load', timeout: TIMEOUT });
      await settle(page);
      const kpis = await page.$$eval('[data-why-kpi]', (els) =>
        els.map((e) => ({
          metric: e.getAttribute('data-why-kpi')!,
          changeUnits: Number(e.getAttribute('data-why-change-units')),
          changeText: e.querySelector('[data-why-change]')?.textContent?.trim() ?? '',
          dims: [...e.querySelectorAll('[data-why-dim]')].map((t) => ({
            dim: t.getAttribute('data-why-dim'),
            texts: [...t.querySelectorAll('[data-why-units]')].map((c) => c.textContent?.trim() ?? ''),
            units: [...t.querySelectorAll('[data-why-units]')].map((c) => Number(c.getAttribute('data-why-units'))),
            totalText: t.querySelector('[data-why-total-units]')?.textContent?.trim() ?? '',
          })),
        })),
      );
      expect(kpis.length, 'no KPI in the why section').toBeGreaterThan(0);
      const parse = (s: string) => Number(s.replace('−', '-').replace(/,/g, ''));
      for (const k of kpis) {
        const meta = catalog.find((c) => c.metric_id === k.metric)!;
        const factor = (meta.display_format === 'percent' ? 100 : 1) * 10 ** Number(meta.display_decimals);
        const b = bank.find((x) => x.metric_id === k.metric);
        expect(b, `${k.metric}: whole-bank change in kpi_values`).toBeTruthy();
        expect(k.changeUnits, `${k.metric}: shown change = kpi_values change`).toBe(Math.round(b!.change * factor));
        expect(Math.round(parse(k.changeText) * 10 ** Number(meta.display_decimals))).toBe(k.changeUnits);
        expect(k.dims.length).toBeGreaterThan(0);
        for (const d of k.dims) {
          expect(d.units.reduce((s, u) => s + u, 0), `${k.metric} ${d.dim}: units`).toBe(k.changeUnits);
          // The printed numbers add up too (in integer units, no float drift).
          const printed = d.texts.reduce((s, t) => s + Math.round(parse(t) * 10 ** Number(meta.display_decimals)), 0);
          expect(printed, `${k.metric} ${d.dim}: ${d.texts.join(' + ')} = ${d.totalText}`).toBe(Math.round(parse(d.totalText) * 10 ** Number(meta.display_decimals)));
          expect(d.totalText).toBe(k.changeText);
        }
      }
      console.log(`[front-page] why: ${kpis.length} KPIs, contributions add up`);
    } finally {
      await page.close();
    }
  }, 120_000);
});

if (!SITE_DIR) console.warn('[front-page.test] SITE_DIR is not set: skipping. Build a site and set SITE_DIR=<its dir>.');
