/**
 * Review chore (not a test): full-page screenshots of every page of a built report site, to look at
 * before a release or at the end of a piece of work.
 *
 *   npx tsx scripts/screenshot-site.ts SITE_DIR OUT_DIR [--month YYYY-MM] [--width 1400] [--only /npl/]
 *
 * Serves SITE_DIR on 127.0.0.1 (transforms/publish/site/serve-site.ts), opens every prerendered
 * page (every `index.html` below SITE_DIR except Evidence internals) in offline headless Chromium
 * (transforms/lib/chromium.ts), waits until no loading skeleton is left, and writes
 * `OUT_DIR/<path>.png` (`/` → `home.png`, `/branches/BJ01/` → `branches_BJ01.png`). With `--month`
 * each page is opened with `?month=YYYY-MM`. Prints one line per page with its console errors.
 */
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../transforms/lib/chromium.js';
import { serveStatic } from '../transforms/publish/site/serve-site.js';

const INTERNAL = new Set(['_app', 'api', 'data', 'explore', 'settings', 'fonts', 'icons']);

function pagesOf(site: string): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) {
        if (dir === site && INTERNAL.has(e)) continue;
        visit(p);
      } else if (e === 'index.html') {
        const rel = relative(site, dir).split(sep).join('/');
        out.push(rel === '' ? '/' : `/${rel}/`);
      }
    }
  };
  visit(site);
  return out.sort();
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { month: { type: 'string' }, width: { type: 'string', default: '1400' }, only: { type: 'string', multiple: true } },
  });
  const [siteArg, outArg] = positionals;
  if (!siteArg || !outArg) throw new Error('usage: npx tsx scripts/screenshot-site.ts SITE_DIR OUT_DIR [--month YYYY-MM] [--width 1400] [--only /npl/]');
  const site = resolve(siteArg);
  const outDir = resolve(outArg);
  mkdirSync(outDir, { recursive: true });
  const pages = values.only?.length ? values.only : pagesOf(site);
  const server = await serveStatic(site);
  const browser = await launchChromium();
  try {
    for (const path of pages) {
      const page = await browser.newPage({ viewport: { width: Number(values.width), height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      page.on('pageerror', (e) => errors.push(e.message));
      await page.route('**/*', (r) => (new URL(r.request().url()).hostname === '127.0.0.1' ? r.continue() : r.abort()));
      const url = `${server.url}${path}${values.month ? `?month=${values.month}` : ''}`;
      await page.goto(url, { waitUntil: 'networkidle', timeout: 120_000 });
      await page.waitForFunction(() => !document.querySelector('[class*="skeleton"], .animate-pulse'), null, { timeout: 60_000 }).catch(() => errors.push('skeleton left after 60 s'));
      const file = join(outDir, `${path === '/' ? 'home' : path.replace(/^\/|\/$/g, '').replace(/\//g, '_')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(`${path} → ${relative(process.cwd(), file)}${errors.length ? `  ERRORS: ${errors.join(' | ')}` : ''}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
