/**
 * Which pages the browser test opens, and which pages a built Evidence site has.
 *
 * - {@link reportPages}: the report pages of the project's `pages/` folder (every `.md` file), as
 *   URL paths of the build; a templated page (`pages/branches/[branch].md`) with
 *   {@link SAMPLES_PER_TEMPLATE} of its prerendered values. Adding a report page is adding its
 *   `.md` file: the browser test opens it.
 * - {@link unbuiltPages}: the `pages/` files with no prerendered html in the build.
 * - {@link discoverPages}: every prerendered html file except Evidence internals (all branches,
 *   all products), cross-checked against Evidence's own api/pagesManifest.json
 *   ({@link manifestPages}).
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { REPO_ROOT } from '../../../transforms/lib/repo-root.js';
import { walk } from '../../../transforms/lib/walk-files.js';

/** The Evidence pages of this repository. */
export const PAGES_DIR = join(REPO_ROOT, 'pages');

/** How many values of a templated page ([branch], [product]) the browser test opens. */
export const SAMPLES_PER_TEMPLATE = 2;

/** A page file of `pages/` and the URL paths of the build it was prerendered as. */
export interface SourcePage {
  /** Path under pages/, e.g. 'branches/[branch].md'. */
  source: string;
  /** Prerendered URL paths, sorted: one for a plain page, one per value for a templated page, none when not built. */
  paths: string[];
}

const TEMPLATED = /^\[[^\]]+\]$/;

/**
 * Every `.md` file of `pagesDir` with the URL paths it was prerendered as in `siteDir`: `index.md`
 * → '/', `npl.md` → '/npl/' (Evidence writes npl/index.html; '/npl' for a flat npl.html),
 * `branches/[branch].md` → '/branches/BJ01/', '/branches/CD01/', … (every built directory at
 * that place that is not a plain page of its own).
 *
 * @example
 * sourcePages('/tmp/site'); // [{ source: 'branches/[branch].md', paths: ['/branches/BJ01/', …] }, { source: 'index.md', paths: ['/'] }, …]
 */
export function sourcePages(siteDir: string, pagesDir: string = PAGES_DIR): SourcePage[] {
  const files = walk(pagesDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => relative(pagesDir, f).split(sep).join('/'))
    .sort();
  // Names a plain page or folder takes at each level: a templated sibling does not expand to them.
  const plainNames = new Set(files.flatMap((f) => f.replace(/\.md$/, '').split('/').map((_, i, segs) => segs.slice(0, i + 1).join('/'))));
  return files.map((source) => {
    const segs = source.replace(/\.md$/, '').split('/');
    if (segs.at(-1) === 'index') segs.pop();
    let prefixes: string[][] = [[]];
    for (const seg of segs) {
      prefixes = prefixes.flatMap((pre) => {
        if (!TEMPLATED.test(seg)) return [[...pre, seg]];
        const dir = join(siteDir, ...pre);
        if (!existsSync(dir)) return [];
        return readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory() && !plainNames.has([...pre, e.name].join('/')) && !(pre.length === 0 && INTERNAL_SEGMENTS.has(e.name)))
          .map((e) => e.name)
          .sort()
          .map((name) => [...pre, name]);
      });
    }
    const paths = prefixes.flatMap((p) => {
      if (p.length === 0) return existsSync(join(siteDir, 'index.html')) ? ['/'] : [];
      const rel = p.join('/');
      if (existsSync(join(siteDir, rel, 'index.html'))) return [`/${rel}/`];
      if (existsSync(join(siteDir, `${rel}.html`))) return [`/${rel}`];
      return [];
    });
    return { source, paths: paths.sort() };
  });
}

/**
 * The pages the browser test opens: every page of `pages/`, a templated one with its first
 * `samples` prerendered values. Sorted URL paths as {@link discoverPages} writes them.
 *
 * @example
 * reportPages('/tmp/site'); // ['/', '/branches/', '/branches/BJ01/', '/branches/CD01/', '/customers/', …]
 */
export function reportPages(siteDir: string, pagesDir: string = PAGES_DIR, samples: number = SAMPLES_PER_TEMPLATE): string[] {
  return sourcePages(siteDir, pagesDir)
    .flatMap((p) => (p.source.split('/').some((s) => TEMPLATED.test(s.replace(/\.md$/, ''))) ? p.paths.slice(0, samples) : p.paths))
    .sort();
}

/**
 * The `pages/` files with no prerendered html in the build (a templated page: not one value).
 *
 * @example
 * unbuiltPages('/tmp/site'); // [] when every page was built
 */
export function unbuiltPages(siteDir: string, pagesDir: string = PAGES_DIR): string[] {
  return sourcePages(siteDir, pagesDir)
    .filter((p) => p.paths.length === 0)
    .map((p) => p.source);
}

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
