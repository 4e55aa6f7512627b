/**
 * Derives one audience's site from the head-office site Evidence built, without another Evidence
 * build (docs/report-site.md, "Audience sites"):
 *
 * 1. **Data**: each Parquet file of the head-office site is cut to the audience's rows
 *    (branch-site-scope.ts) by DuckDB-wasm, Evidence's own writer (site-engine.ts), into
 *    `data/warehouse/<table>/<md5>/<table>.parquet` with a new `data/manifest.json`; the `audience`
 *    source becomes the audience's row.
 * 2. **Prerendered results**: the SQL Evidence recorded for each route while prerendering the head
 *    office (`.evidence-queries/cache/<route md5>/<params md5>/_queries.json`) is run again on the
 *    audience's Parquet; results go to `api/prerendered_queries/<md5>.arrow` and
 *    `api/<route md5>/<params md5>/all-queries.json`, named as Evidence names them.
 * 3. **Pages**: the audience's routes are data-free shells (page-shell.ts) rendered in the browser
 *    from those results; `/` sends a branch to its own page; the page tree (`api/pagesManifest.json`,
 *    the sidebar) lists only the audience's pages.
 * 4. **Code**: `_app/` and the icons are the head office's files, hard-linked (one bundle, no data).
 *
 * The site is written to `<out>.tmp` and renamed into place.
 */
import { cpSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { CqError } from '../../../lib/errors.js';
import { walk } from '../../../lib/walk-files.js';
import { quoteLiteral } from '../../../lib/duckdb.js';
import type { Audience } from './audience.js';
import { BRANCH_SITE_ROUTES, branchRowsWhere, type BookShare } from './branch-site-scope.js';
import { pageShell, redirectPage } from './page-shell.js';
import { md5, type SiteEngine } from './site-engine.js';

/** Inputs of {@link deriveAudienceSite}. */
export interface DeriveOptions {
  /** The head-office site Evidence built. */
  hoSite: string;
  /** Evidence's query cache of that build (the `_queries.json` files, see buildSite's `queryCache`). */
  queryCache: string;
  audience: Audience;
  share: BookShare;
  /** The audience's site folder (replaced). */
  out: string;
  engine: SiteEngine;
}

/** What one derivation wrote. */
export interface DerivedSite {
  audience: string;
  out: string;
  /** Routes with their params, e.g. `/branches/BJ01/`. */
  pages: string[];
  /** Rows kept per source table. */
  rows: Record<string, number>;
  queries: number;
  elapsedMs: number;
}

const SOURCE = 'warehouse';

/** An Evidence route id with its params, as a site path (`/branches/[branch]` + BJ01 → `branches/BJ01/`). */
function routePath(routeId: string, params: Record<string, string>): string {
  const path = routeId.replace(/\[(\w+)\]/g, (_, k: string) => params[k] ?? '');
  return path === '/' ? '' : `${path.replace(/^\//, '')}/`;
}

/**
 * The folder Evidence names a route's prerendered queries by (`+layout.js`: md5 of the route id, md5 of
 * its `key\x1Fvalue` params joined by `\x1E`).
 *
 * @example
 * queryFolder('/glossary', {}); // '<md5 of /glossary>/d41d8cd98f00b204e9800998ecf8427e'
 */
export function queryFolder(routeId: string, params: Record<string, string>): string {
  return join(md5(routeId), md5(Object.entries(params).sort().map(([k, v]) => `${k}\x1F${v}`).join('\x1E')));
}

/**
 * Derives `opts.audience`'s site (a branch) into `opts.out`. Throws `SITE_BUILD_FAILED` when the
 * head-office build lacks a route or its recorded queries (the message names which).
 *
 * @example
 * const engine = await openSiteEngine();
 * await deriveAudienceSite({ hoSite: 'release/site', queryCache: 'work/site-queries', audience, share: 'book', out: 'release/audience-sites/BJ01', engine });
 */
export function deriveAudienceSite(opts: DeriveOptions): DerivedSite {
  const started = Date.now();
  const { hoSite, audience, engine } = opts;
  if (audience.kind !== 'branch') throw new CqError('SITE_BUILD_FAILED', `audience ${audience.id}: only branch sites are derived (the head office is the site Evidence builds)`);
  const tmp = `${opts.out}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });

  // 4. Code and icons: everything but pages, data and query results, hard-linked.
  for (const file of walk(hoSite)) {
    const rel = relative(hoSite, file);
    if (rel.startsWith('api/') || rel.startsWith('data/') || rel.endsWith('.html')) continue;
    const to = join(tmp, rel);
    mkdirSync(dirname(to), { recursive: true });
    try {
      linkSync(file, to);
    } catch {
      cpSync(file, to);
    }
  }

  // 1. Data.
  const manifest = JSON.parse(readFileSync(join(hoSite, 'data', 'manifest.json'), 'utf8')) as { renderedFiles: Record<string, string[]> };
  const files: string[] = [];
  const rows: Record<string, number> = {};
  engine.rows(`drop schema if exists ${SOURCE} cascade`);
  engine.rows(`create schema ${SOURCE}`);
  for (const shipped of manifest.renderedFiles[SOURCE] ?? []) {
    const table = shipped.split('/').at(-1)!.replace(/\.parquet$/, '');
    const from = join(hoSite, shipped.replace(/^static\//, ''));
    const select =
      table === 'audience'
        ? `select * replace (${quoteLiteral(audience.id)} as audience_id, ${quoteLiteral(audience.kind)} as kind, ${quoteLiteral(audience.branchId)} as branch_id, ${quoteLiteral(audience.labelZh)} as label_zh, ${quoteLiteral(audience.labelEn)} as label_en, ${quoteLiteral(opts.share === 'book' ? 'yes' : 'no')} as book_totals) from read_parquet(${quoteLiteral(from)})`
        : `select * from read_parquet(${quoteLiteral(from)}) where ${branchRowsWhere(table, audience.branchId, opts.share)}`;
    const written = join(tmp, 'data', SOURCE, table, `${table}.parquet`);
    mkdirSync(dirname(written), { recursive: true });
    engine.rows(`copy (${select}) to ${quoteLiteral(written)} (format 'parquet', codec 'zstd', use_tmp_file false)`);
    const hash = md5(readFileSync(written));
    const final = join(tmp, 'data', SOURCE, table, hash, `${table}.parquet`);
    mkdirSync(dirname(final), { recursive: true });
    renameSync(written, final);
    const schema = join(hoSite, 'data', SOURCE, table, `${table}.schema.json`);
    if (existsSync(schema)) cpSync(schema, join(tmp, 'data', SOURCE, table, `${table}.schema.json`));
    files.push(`static/data/${SOURCE}/${table}/${hash}/${table}.parquet`);
    engine.rows(`create view ${SOURCE}."${table}" as select * from read_parquet(${quoteLiteral(final)})`);
    rows[table] = Number(engine.rows(`select count(*) as n from ${SOURCE}."${table}"`)[0]!.n);
  }
  writeFileSync(join(tmp, 'data', 'manifest.json'), JSON.stringify({ renderedFiles: { [SOURCE]: files } }));
  engine.rows(`PRAGMA search_path='${SOURCE}'`);

  // 2. Prerendered results, 3. pages.
  const pages: string[] = [];
  let queries = 0;
  for (const routeId of BRANCH_SITE_ROUTES) {
    const params: Record<string, string> = routeId.includes('[branch]') ? { branch: audience.branchId } : {};
    const path = routePath(routeId, params);
    const folder = queryFolder(routeId, params);
    const recorded = join(opts.queryCache, folder, '_queries.json');
    const hoPage = join(hoSite, path, 'index.html');
    if (!existsSync(recorded) || !existsSync(hoPage)) {
      throw new CqError('SITE_BUILD_FAILED', `audience ${audience.id}: the head-office build has no page /${path} (${existsSync(hoPage) ? recorded : hoPage} missing); a branch without loans has no page to derive`, { file: existsSync(hoPage) ? recorded : hoPage });
    }
    const all: Record<string, string> = {};
    for (const [name, q] of Object.entries(JSON.parse(readFileSync(recorded, 'utf8')) as Record<string, { sql_string: string }>)) {
      const { bytes, hash } = engine.ipc(q.sql_string);
      const arrowFile = join(tmp, 'api', 'prerendered_queries', `${hash}.arrow`);
      if (!existsSync(arrowFile)) {
        mkdirSync(dirname(arrowFile), { recursive: true });
        writeFileSync(arrowFile, bytes);
      }
      all[name] = hash;
      queries++;
    }
    const allFile = join(tmp, 'api', folder, 'all-queries.json');
    mkdirSync(dirname(allFile), { recursive: true });
    writeFileSync(allFile, JSON.stringify(all));
    const meta = join(hoSite, 'api', routeId.replace(/^\//, ''), 'evidencemeta.json');
    if (existsSync(meta)) {
      mkdirSync(dirname(join(tmp, relative(hoSite, meta))), { recursive: true });
      cpSync(meta, join(tmp, relative(hoSite, meta)));
    }
    mkdirSync(join(tmp, path), { recursive: true });
    writeFileSync(join(tmp, path, 'index.html'), pageShell(readFileSync(hoPage, 'utf8'), hoPage));
    pages.push(`/${path}`);
  }
  const own = `branches/${audience.branchId}/`;
  writeFileSync(join(tmp, 'index.html'), redirectPage(own, `${audience.labelZh} ${audience.labelEn}`));
  const settings = join('api', 'customFormattingSettings.json', 'GET.json');
  mkdirSync(dirname(join(tmp, settings)), { recursive: true });
  cpSync(join(hoSite, settings), join(tmp, settings));
  writeFileSync(join(tmp, 'api', 'pagesManifest.json'), JSON.stringify(branchPageTree(JSON.parse(readFileSync(join(hoSite, 'api', 'pagesManifest.json'), 'utf8')), audience)));

  rmSync(opts.out, { recursive: true, force: true });
  mkdirSync(dirname(opts.out), { recursive: true });
  renameSync(tmp, opts.out);
  return { audience: audience.id, out: opts.out, pages, rows, queries, elapsedMs: Date.now() - started };
}

interface PageNode {
  label?: string;
  href?: string;
  isTemplated?: boolean;
  isPage?: boolean;
  frontMatter?: Record<string, unknown>;
  children: Record<string, PageNode>;
}

/**
 * The page tree (sidebar, breadcrumbs) of a branch site: home, the branch's own page in place of
 * the branch index, and the glossary.
 */
function branchPageTree(tree: PageNode, audience: Audience): PageNode {
  const branches = tree.children['branches'];
  const glossary = tree.children['glossary'];
  const children: Record<string, PageNode> = {};
  if (branches) {
    children['branches'] = {
      ...branches,
      label: `${audience.labelZh} ${audience.labelEn}`,
      href: `/branches/${audience.branchId}`,
      frontMatter: { ...(branches.frontMatter ?? {}), title: `${audience.labelZh} ${audience.labelEn}` },
      children: Object.fromEntries(Object.entries(branches.children).filter(([k]) => k === '[branch]')),
    };
  }
  if (glossary) children['glossary'] = glossary;
  return { ...tree, children };
}
