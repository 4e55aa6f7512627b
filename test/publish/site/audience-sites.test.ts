/// <reference lib="dom" />
/**
 * The branch sites of a built release (docs/report-site.md, "Audience sites"):
 *
 *   SITE_DIR=<release>/site npx vitest run --config test/publish/site/vitest.site.config.ts audience-sites
 *
 * The audience sites are read from `<release>/audience-sites/` (the sibling of the real path of
 * SITE_DIR) or $AUDIENCE_SITES_DIR. It proves, for every branch site, that no value belonging only to
 * another branch is in any of its files (isolation-scan.ts: codes, names, masked loan ids and figures of
 * the other branches' rows of the head-office data, searched in HTML, JS, JSON, Parquet and Arrow,
 * decoded); that its own page shows what the head office's copy of that page shows (same query results);
 * and, in an offline browser, that every page of two branch sites renders with no missing data, no
 * console error and no link to a page the site does not have.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walk } from '../../../transforms/lib/walk-files.js';
import { launchChromium } from '../../../transforms/lib/chromium.js';
import { serveStatic, type StaticServer } from '../../../transforms/publish/site/serve-site.js';
import { foreignValues, scanForLeaks, valueOwners, type TextCache } from '../../../transforms/publish/site/audiences/isolation-scan.js';
import { openSiteEngine, type SiteEngine } from '../../../transforms/publish/site/audiences/site-engine.js';
import { queryFolder } from '../../../transforms/publish/site/audiences/derive-audience-site.js';
import { checkPage, loadKpiLookup, openContext } from './page-check.js';
import { siteDirFromEnv } from './site-pages.js';

const SITE_DIR = siteDirFromEnv();
const AUDIENCE_DIR = process.env.AUDIENCE_SITES_DIR ? resolve(process.env.AUDIENCE_SITES_DIR) : SITE_DIR ? join(dirname(SITE_DIR), 'audience-sites') : undefined;

interface AudienceList {
  share: 'book' | 'none';
  audiences: { id: string; kind: string; labelZh: string; labelEn: string; path: string; pages: string[] }[];
  skipped: { id: string; reason: string }[];
}

const list = (): AudienceList => JSON.parse(readFileSync(join(AUDIENCE_DIR!, 'audiences.json'), 'utf8')) as AudienceList;
const branches = () => list().audiences.filter((a) => a.kind === 'branch');

describe.skipIf(!SITE_DIR)('audience sites of the release (SITE_DIR)', () => {
  let engine: SiteEngine;
  beforeAll(async () => {
    if (!existsSync(join(AUDIENCE_DIR!, 'audiences.json'))) throw new Error(`${AUDIENCE_DIR}: no audiences.json; build with cq site:build --audience-sites DIR (the nightly does)`);
    engine = await openSiteEngine();
  });
  afterAll(() => engine?.close());

  it('one site per branch of the branch reference data; a branch without one says why', () => {
    const manifest = JSON.parse(readFileSync(join(SITE_DIR!, 'data', 'manifest.json'), 'utf8')) as { renderedFiles: { warehouse: string[] } };
    const labels = manifest.renderedFiles.warehouse.find((f) => f.endsWith('/code_labels.parquet'))!;
    const codes = engine.rows(`select code from read_parquet('${join(SITE_DIR!, labels.replace(/^static\//, ''))}') where kind = 'branch' order by code`).map((r) => String(r.code));
    const l = list();
    expect(l.audiences[0]).toMatchObject({ id: 'ho', path: 'site' });
    expect([...branches().map((a) => a.id), ...l.skipped.map((s) => s.id)].sort()).toEqual(codes);
    expect(branches().length).toBeGreaterThan(1);
    for (const a of branches()) {
      expect(existsSync(join(AUDIENCE_DIR!, a.id, 'index.html')), a.id).toBe(true);
      expect(existsSync(join(AUDIENCE_DIR!, a.id, 'branches', a.id, 'index.html')), a.id).toBe(true);
    }
  });

  it('no file of a branch site holds a value that belongs only to another branch', async () => {
    const found: string[] = [];
    let searched = 0;
    const owners = valueOwners(engine, SITE_DIR!);
    const cache: TextCache = new Map();
    for (const a of branches()) {
      const foreign = foreignValues(owners, a.id);
      searched += foreign.size;
      expect(foreign.size, `${a.id}: nothing to look for`).toBeGreaterThan(100);
      for (const leak of scanForLeaks(engine, join(AUDIENCE_DIR!, a.id), foreign, cache)) found.push(`${a.id}/${leak.file}: ${leak.value} (${leak.owner})`);
      await new Promise((r) => setImmediate(r)); // let the test runner's messages through between sites
    }
    console.log(`[audience-sites] ${branches().length} branch sites scanned for ${searched} values of other branches: ${found.length} found`);
    expect(found.slice(0, 20)).toEqual([]);
  }, 600_000);

  it("a branch site's own page shows what the head office's copy of that page shows", () => {
    const decode = (site: string, hash: string) =>
      tableFromIPC(readFileSync(join(site, 'api', 'prerendered_queries', `${hash}.arrow`)))
        .toArray()
        .map((r) => JSON.stringify((r as { toJSON(): unknown }).toJSON()))
        .sort();
    for (const a of [branches()[0]!, branches().at(-1)!]) {
      const folder = join('api', queryFolder('/branches/[branch]', { branch: a.id }), 'all-queries.json');
      const ho = JSON.parse(readFileSync(join(SITE_DIR!, folder), 'utf8')) as Record<string, string>;
      const own = JSON.parse(readFileSync(join(AUDIENCE_DIR!, a.id, folder), 'utf8')) as Record<string, string>;
      expect(Object.keys(own).sort()).toEqual(Object.keys(ho).sort());
      const differ = Object.keys(ho).filter((name) => !name.startsWith('audience') && ho[name] !== own[name] && decode(SITE_DIR!, ho[name]!).join('\n') !== decode(join(AUDIENCE_DIR!, a.id), own[name]!).join('\n'));
      expect(differ, `${a.id}: results that differ from the head office's page`).toEqual([]);
    }
  });
});

describe.skipIf(!SITE_DIR)('two branch sites in a browser, offline (SITE_DIR)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium({ localSite: true });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it.each(SITE_DIR && existsSync(join(AUDIENCE_DIR ?? '', 'audiences.json')) ? [branches()[0]!.id, branches().at(-1)!.id] : ['-'])('branch site %s: home opens its board; every page renders; no link leaves the site', async (id) => {
    const site = join(AUDIENCE_DIR!, id);
    const audience = branches().find((a) => a.id === id)!;
    const server: StaticServer = await serveStatic(site);
    const ctx = await openContext(browser);
    try {
      const kpis = await loadKpiLookup(site);
      const home = await ctx.context.newPage();
      await home.goto(`${server.url}/?month=`, { waitUntil: 'load' });
      await home.waitForURL(`**/branches/${id}/**`, { timeout: 30_000 });
      await home.waitForSelector('#evidence-main-article');
      await home.waitForFunction((label) => document.querySelector('#evidence-main-article')?.textContent?.includes(label), audience.labelEn, { timeout: 60_000 });
      await home.close();
      const pages = walk(site)
        .filter((f) => f.endsWith('/index.html') && f !== join(site, 'index.html'))
        .map((f) => `/${relative(site, dirname(f))}/`);
      expect(pages.sort()).toEqual(audience.pages.slice().sort());
      for (const path of pages) {
        const { report, problems } = await checkPage(ctx, server.url, path, undefined, kpis);
        expect(problems, `${id} ${path}`).toEqual([]);
        if (path === `/branches/${id}/`) expect(report.kpiTiles.length, `${id}: the board has no tiles`).toBeGreaterThan(10);
        // every link of the page leads to a file of this site
        const page = await ctx.context.newPage();
        await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle' });
        await page.waitForSelector('#evidence-main-article');
        const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
        await page.close();
        const missing = hrefs
          .map((h) => new URL(h))
          .filter((u) => u.origin === new URL(server.url).origin)
          .map((u) => decodeURIComponent(u.pathname))
          .filter((p) => !existsSync(join(site, p, p.endsWith('/') ? 'index.html' : '')) && !existsSync(join(site, p, 'index.html')));
        expect(missing, `${id} ${path}: links to pages the site does not have`).toEqual([]);
      }
      expect(ctx.foreign).toEqual([]);
      expect(ctx.consoleErrors).toEqual([]);
    } finally {
      await ctx.context.close();
      await server.close();
    }
  }, 300_000);
});
