/**
 * Fast unit tests (no Evidence build) of the report's frame and chart conventions:
 * - the layout written at site build (transforms/publish/site/site-layout.ts) names the bank of the
 *   config, in Chinese and English, with its logo when configured, and no tool branding;
 * - the source guard lets the code-label reference table through and still refuses the other
 *   core tables;
 * - the palette (components/palette.js): the whole bank and the five classes always get their own
 *   colours, buckets come out in their own order, and no two categorical colours are near-identical.
 * With SITE_DIR set (a built site, as for browser.test.ts), also in headless Chromium: the header
 * names the bank and no page says "evidence" in its header or <title>; the breadcrumb reads
 * "首页 Home › <page title>"; labels are "中文 English" (no raw code such as `branch:BJ01` or
 * `small_business` in a table); the lag chart's legend lists its buckets in order.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../../transforms/lib/chromium.js';
import { DEFAULT_CONFIG } from '../../../transforms/config/config.js';
import { serveStatic, type StaticServer } from '../../../transforms/publish/site/serve-site.js';
import { siteDirFromEnv } from './site-pages.js';
import { layoutSource, writeSiteLayout } from '../../../transforms/publish/site/site-layout.js';
import { checkSourceSql } from '../../../transforms/publish/site/source-sql-guard.js';
// @ts-expect-error plain JavaScript module of the Evidence project (no types)
import * as palette from '../../../components/palette.js';

const tmp = mkdtempSync(join(tmpdir(), 'labels-charts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BANK = { nameZh: '示例银行股份有限公司', nameEn: 'Example Bank Co., Ltd.', code: 'B0000H000000001' };

describe('site layout (bank branding)', () => {
  it('puts the bank name in Chinese and English in the header, 首页 Home in the menu, no "Built with Evidence"', () => {
    const s = layoutSource(BANK);
    expect(s).toContain('title="示例银行股份有限公司 Example Bank Co., Ltd."');
    expect(s).toContain('homePageName="首页 Home"');
    expect(s).toContain('builtWithEvidence={false}');
    expect(s).not.toContain('logo=');
  });

  it('escapes a name that Svelte would otherwise evaluate or break on', () => {
    const s = layoutSource({ ...BANK, nameEn: 'A "B" {C}' });
    expect(s).toContain('title="示例银行股份有限公司 A &quot;B&quot; &#123;C&#125;"');
  });

  it('copies a configured logo to static/ and points the layout at it; refuses a missing one', () => {
    const staging = join(tmp, 'stage');
    mkdirSync(join(staging, 'pages'), { recursive: true });
    const logo = join(tmp, 'bank.svg');
    writeFileSync(logo, '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeSiteLayout(staging, { ...BANK, logo });
    expect(existsSync(join(staging, 'static', 'institution-logo.svg'))).toBe(true);
    expect(readFileSync(join(staging, 'pages', '+layout.svelte'), 'utf8')).toContain('logo="/institution-logo.svg"');

    const other = join(tmp, 'stage2');
    mkdirSync(join(other, 'pages'), { recursive: true });
    expect(() => writeSiteLayout(other, { ...BANK, logo: join(tmp, 'missing.png') })).toThrow(/institution\.logo .*missing\.png not found/);
  });
});

describe('source guard and the code-label reference table', () => {
  it('accepts core.dim_code_labels and still refuses any other core table', () => {
    const dir = join(tmp, 'sql');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ok.sql'), "select f.recorded_class, l.label from marts.mart_credit__five_category_distribution f left join core.dim_code_labels l on l.code = f.recorded_class");
    expect(checkSourceSql(dir)).toEqual([]);
    writeFileSync(join(dir, 'bad.sql'), 'select c.branch_id, l.label from core.dim_customers c join core.dim_code_labels l on true');
    expect(checkSourceSql(dir)).toEqual([expect.stringContaining('core.dim_customers')]);
  });
});

describe('palette (components/palette.js)', () => {
  it('the whole bank is always navy and a compared slice orange, whatever the series order', () => {
    const rows = [
      { series: '北京分行 Beijing Branch' },
      { series: '全行 Whole bank' },
    ];
    expect(palette.vsWholeBank(rows)).toEqual({ '北京分行 Beijing Branch': palette.COMPARED, '全行 Whole bank': palette.WHOLE_BANK });
    expect(palette.kpiColors([{ series: 'b', metric_id: 'x' }, { series: 'a', metric_id: 'npl_ratio' }], 'npl_ratio').a).toBe(palette.WHOLE_BANK);
  });

  it('the five classes get their own five colours, by code, in class order', () => {
    const rows = [
      { class_label: '损失 Loss', recorded_class: '损失', class_rank: 5 },
      { class_label: '关注 Special mention', recorded_class: '关注', class_rank: 2 },
    ];
    expect(palette.colorsByCode(rows, 'class_label', 'recorded_class', palette.FIVE_CLASS)).toEqual({
      '损失 Loss': palette.FIVE_CLASS['损失'],
      '关注 Special mention': palette.FIVE_CLASS['关注'],
    });
    expect(palette.orderBy(rows, 'class_label', 'class_rank')).toEqual(['关注 Special mention', '损失 Loss']);
    expect(new Set(Object.values(palette.FIVE_CLASS)).size).toBe(5);
  });

  it('lag buckets sort by their order, not by name ("15-30" after "8-14", not after "1")', () => {
    const rows = [{ l: '15-30天 15-30 d', o: 7 }, { l: '1天 1 d', o: 2 }, { l: '8-14天 8-14 d', o: 6 }, { l: '0天 0 d', o: 1 }];
    expect(palette.orderBy(rows, 'l', 'o')).toEqual(['0天 0 d', '1天 1 d', '8-14天 8-14 d', '15-30天 15-30 d']);
  });

  it('no two categorical colours are near-identical (RGB distance > 80)', () => {
    const rgb = (h: string) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
    const colours = palette.SERIES as string[];
    for (let i = 0; i < colours.length; i++) for (let j = i + 1; j < colours.length; j++) expect(dist(rgb(colours[i]!), rgb(colours[j]!))).toBeGreaterThan(80);
  });
});

const SITE_DIR = siteDirFromEnv();

describe.skipIf(!SITE_DIR)('built site: frame and labels (SITE_DIR)', () => {
  let server: StaticServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await serveStatic(SITE_DIR!);
    browser = await launchChromium({ localSite: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(path: string) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
    await page.waitForFunction(() => document.querySelectorAll('.animate-pulse').length === 0, undefined, { timeout: 60_000 });
    return page;
  }

  it.each(['/', '/npl/', '/branches/BJ01/', '/glossary/'])('%s: the bank in the header, no tool name in the header or <title>', async (path) => {
    const page = await open(path);
    const header = await page.locator('header').first().innerText();
    expect(header).toContain(`${DEFAULT_CONFIG.institution.nameZh} ${DEFAULT_CONFIG.institution.nameEn}`);
    expect(header.toLowerCase()).not.toContain('evidence');
    expect((await page.title()).toLowerCase()).not.toContain('evidence');
    expect((await page.locator('body').innerText()).toLowerCase()).not.toContain('built with evidence');
    await page.close();
  });

  it('/npl/: the breadcrumb reads 首页 Home › the page title (not "Home › Npl")', async () => {
    const page = await open('/npl/');
    const crumbs = (await page.locator('main >> div.inline-flex').first().innerText()).replace(/\s+/g, ' ').trim();
    expect(crumbs).toBe('首页 Home 不良与五级分类 NPL & classification');
    await page.close();
  });

  it('/model/ and /customers/: slice rows are labelled in Chinese and English, never a raw code', async () => {
    for (const path of ['/model/', '/customers/']) {
      const page = await open(path);
      const text = await page.locator('[data-kpi-matrix]').first().innerText();
      expect(text).not.toMatch(/\b(branch|customer_type|grade):/);
      expect(text).not.toMatch(/\bsmall_business\b|\bindividual\b/);
      expect(text).toContain('小微企业 Small business');
      await page.close();
    }
  });
});
