/**
 * Which pages a built Evidence site has: every prerendered html file except Evidence internals,
 * cross-checked against Evidence's own api/pagesManifest.json. Used by the browser test.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { walk } from '../../../transforms/publish/site/build-site.js';

/** First path segments that are Evidence internals, not report pages. */
const INTERNAL_SEGMENTS = new Set(['_app', 'api', 'data', 'settings', 'explore']);
const INTERNAL_FILES = new Set(['404.html', '200.html', 'fallback.html']);

/**
 * Report pages of a built site as URL paths ('/' for index.html, '/kpi/npl/' for
 * kpi/npl/index.html, '/x' for x.html), sorted.
 */
export function discoverPages(siteDir: string): string[] {
  return walk(siteDir)
    .filter((f) => f.endsWith('.html'))
    .map((f) => relative(siteDir, f).split(sep).join('/'))
    .filter((rel) => !INTERNAL_SEGMENTS.has(rel.split('/')[0]!) && !INTERNAL_FILES.has(rel))
    .map((rel) => (rel === 'index.html' ? '/' : rel.endsWith('/index.html') ? `/${rel.slice(0, -'index.html'.length)}` : `/${rel.slice(0, -'.html'.length)}`))
    .sort();
}

/** Non-templated pages listed in Evidence's api/pagesManifest.json (hrefs like '/kpi/npl'). */
export function manifestPages(siteDir: string): string[] {
  const file = join(siteDir, 'api', 'pagesManifest.json');
  if (!existsSync(file)) return [];
  type Node = { href?: string; isPage?: boolean; isTemplated?: boolean; children?: Record<string, Node> };
  const out: string[] = [];
  const visit = (n: Node) => {
    if (n.isPage && !n.isTemplated && n.href) out.push(n.href);
    for (const c of Object.values(n.children ?? {})) visit(c);
  };
  visit(JSON.parse(readFileSync(file, 'utf8')) as Node);
  return out.sort();
}

/**
 * SITE_DIR from the environment, resolved through symlinks (the nightly publishes data/site as a
 * symlink → current/site, so copies and walks must see the real directory); as is when it does
 * not exist (the tests report that); undefined when unset.
 *
 * @example
 * const SITE_DIR = siteDirFromEnv();
 */
export function siteDirFromEnv(): string | undefined {
  const dir = process.env.SITE_DIR;
  if (!dir) return undefined;
  try {
    return realpathSync(resolve(dir));
  } catch {
    return resolve(dir);
  }
}
