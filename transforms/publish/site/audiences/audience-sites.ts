/**
 * All audience sites of a night: one per branch of the branch reference data, derived from the
 * head-office site (derive-audience-site.ts), plus `audiences.json`, the list a web server maps users
 * to (docs/report-site.md, "Audience sites").
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CqError } from '../../../lib/errors.js';
import { quoteLiteral } from '../../../lib/duckdb.js';
import { branchAudiences, HEAD_OFFICE, type Audience } from './audience.js';
import type { BookShare } from './branch-site-scope.js';
import { deriveAudienceSite, type DerivedSite } from './derive-audience-site.js';
import { foreignValues, scanForLeaks, valueOwners, type TextCache } from './isolation-scan.js';
import { openSiteEngine, type SiteEngine } from './site-engine.js';

/** Inputs of {@link buildAudienceSites}. */
export interface AudienceSitesOptions {
  /** The head-office site Evidence built. */
  hoSite: string;
  /** The page SQL Evidence recorded while building it (buildSite's `queryCache`). */
  queryCache: string;
  /** Folder of the audience sites: `<out>/<branch id>/` each, and `<out>/audiences.json`. */
  out: string;
  /** Book-level figures branch sites show (config `siteAudiences.shareWithBranches`). */
  share: BookShare;
  /** Only these branch ids (tests); default every branch. */
  only?: readonly string[];
  /**
   * Scan every branch site for values of other branches (isolation-scan.ts) and fail when one is
   * found (default true: the night does not publish a site that leaks).
   */
  verify?: boolean;
  log?: (line: string) => void;
}

/** One line of `audiences.json`. */
export interface AudienceEntry {
  id: string;
  kind: Audience['kind'];
  labelZh: string;
  labelEn: string;
  /** The site's folder relative to the release (`site` for the head office). */
  path: string;
  pages: string[];
}

/** What {@link buildAudienceSites} wrote. */
export interface AudienceSitesResult {
  sites: DerivedSite[];
  /** Branches without a site, with the reason. */
  skipped: { id: string; reason: string }[];
  /** The isolation scan: values of other branches searched for (summed over sites) and its time. */
  verified?: { values: number; elapsedMs: number };
  elapsedMs: number;
}

/**
 * Derives every branch's site from the head-office site into `opts.out` (replaced).
 *
 * @example
 * await buildAudienceSites({ hoSite: 'release/site', queryCache: 'work/site-queries', out: 'release/audience-sites', share: 'book' });
 * // release/audience-sites/BJ01/index.html → /branches/BJ01/, …, release/audience-sites/audiences.json
 */
export async function buildAudienceSites(opts: AudienceSitesOptions): Promise<AudienceSitesResult> {
  const started = Date.now();
  const log = opts.log ?? (() => {});
  const engine = await openSiteEngine();
  try {
    const manifest = JSON.parse(readFileSync(join(opts.hoSite, 'data', 'manifest.json'), 'utf8')) as { renderedFiles: Record<string, string[]> };
    const labels = (manifest.renderedFiles['warehouse'] ?? []).find((f) => f.endsWith('/code_labels.parquet'));
    const rows = labels
      ? (engine.rows(`select code, label_zh, label_en from read_parquet(${quoteLiteral(join(opts.hoSite, labels.replace(/^static\//, '')))}) where kind = 'branch'`) as { code: string; label_zh: string; label_en: string }[])
      : [];
    const { audiences, unusable } = branchAudiences(rows);
    const skipped = unusable.map((id) => ({ id, reason: 'the branch code cannot be a folder name (letters, digits, _ and - only; not "ho")' }));
    rmSync(opts.out, { recursive: true, force: true });
    mkdirSync(opts.out, { recursive: true });
    const entries: AudienceEntry[] = [{ ...pick(HEAD_OFFICE), path: 'site', pages: ['(every page)'] }];
    const sites: DerivedSite[] = [];
    for (const audience of audiences) {
      if (opts.only && !opts.only.includes(audience.id)) continue;
      if (!existsSync(join(opts.hoSite, 'branches', audience.branchId, 'index.html'))) {
        skipped.push({ id: audience.id, reason: 'no page in the head-office site (the branch has no loans yet)' });
        continue;
      }
      const site = deriveAudienceSite({ hoSite: opts.hoSite, queryCache: opts.queryCache, audience, share: opts.share, out: join(opts.out, audience.id), engine });
      sites.push(site);
      entries.push({ ...pick(audience), path: `audience-sites/${audience.id}`, pages: site.pages });
      log(`[audience-sites] ${audience.id}: ${site.pages.length} pages, ${site.queries} queries, ${(site.elapsedMs / 1000).toFixed(1)} s`);
    }
    for (const s of skipped) log(`[audience-sites] ${s.id}: no site — ${s.reason}`);
    const verified = opts.verify === false ? undefined : verifyIsolation(engine, opts.hoSite, opts.out, sites);
    if (verified) log(`[audience-sites] isolation: ${sites.length} sites scanned for ${verified.values} values of other branches, none found (${(verified.elapsedMs / 1000).toFixed(1)} s)`);
    writeFileSync(join(opts.out, 'audiences.json'), JSON.stringify({ share: opts.share, audiences: entries, skipped, ...(verified ? { isolationScan: { values: verified.values, found: 0 } } : {}) }, null, 2) + '\n');
    return { sites, skipped, ...(verified ? { verified } : {}), elapsedMs: Date.now() - started };
  } finally {
    engine.close();
  }
}

/** Scans every derived site (isolation-scan.ts); throws `SITE_BUILD_FAILED` naming what was found. */
function verifyIsolation(engine: SiteEngine, hoSite: string, out: string, sites: readonly DerivedSite[]): { values: number; elapsedMs: number } {
  const started = Date.now();
  const owners = valueOwners(engine, hoSite);
  const cache: TextCache = new Map();
  let values = 0;
  const found: string[] = [];
  for (const site of sites) {
    const foreign = foreignValues(owners, site.audience);
    values += foreign.size;
    for (const leak of scanForLeaks(engine, site.out, foreign, cache)) found.push(`${site.audience}/${leak.file}: "${leak.value}" (${leak.owner})`);
  }
  if (found.length) {
    throw new CqError(
      'SITE_BUILD_FAILED',
      `${found.length} value(s) of other branches found in branch sites under ${out}:\n  ${found.slice(0, 20).join('\n  ')}\n` +
        'Fix: the source query or page that carries them needs a branch scope (transforms/publish/site/audiences/branch-site-scope.ts); nothing was published.',
      { file: out },
    );
  }
  return { values, elapsedMs: Date.now() - started };
}

function pick(a: Audience): Pick<AudienceEntry, 'id' | 'kind' | 'labelZh' | 'labelEn'> {
  return { id: a.id, kind: a.kind, labelZh: a.labelZh, labelEn: a.labelEn };
}
