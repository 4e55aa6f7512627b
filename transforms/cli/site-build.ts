import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CqError } from '../lib/errors.js';
import { REPO_ROOT } from '../lib/repo-root.js';
import { warehousePath } from '../config/config.js';
import { buildSite } from '../publish/site/build-site.js';
import { buildAudienceSites } from '../publish/site/audiences/audience-sites.js';
import { defineCommand, runAsMain, usageError } from './command.js';
import { citusUrlOf } from '../config/engine-warehouse.js';

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

/**
 * `cq site:build`: builds the Evidence report site, offline and non-interactively, from a warehouse
 * (`buildSite`, transforms/publish/site/build-site.ts: source-SQL guard, staged project, `evidence
 * sources --strict` and `build:strict`, output scan, remote-reference guard). The nightly runs it in a
 * child process of its own (Evidence needs ~3 GB). A failed build is `RUN_FAILED` naming the reasons.
 */
export const siteBuildCommand = defineCommand({
  name: 'site:build',
  summary: 'build the offline Evidence report site from a warehouse (needs ~3 GB and minutes)',
  flags: {
    warehouse: { kind: 'string', value: 'FILE', help: 'warehouse to build from (default: <dataDir of the config>/warehouse.duckdb)' },
    out: { kind: 'string', value: 'DIR', help: 'where the built site goes, replaced (default build/ of the repository)' },
    project: { kind: 'string', value: 'DIR', help: 'the Evidence project root (default: this repository)' },
    'allow-empty': { kind: 'string', value: 'Q1,Q2', help: 'source queries that may return 0 rows (any other empty one fails the build)' },
    'keep-staging': { kind: 'boolean', help: 'keep the temporary project, for debugging' },
    'audience-sites': { kind: 'string', value: 'DIR', help: 'also derive one site per branch into DIR (DIR/<branch>/, DIR/audiences.json), replaced' },
    'share-with-branches': { kind: 'string', value: 'book|none', help: 'whole-bank figures branch sites show for comparison (default: the config\'s siteAudiences.shareWithBranches)' },
  },
  notes: 'docs/report-site.md describes the build and its guards.',
  examples: ['cq site:build --out data/site-preview', 'cq site:build --warehouse fixture.duckdb --out build', 'cq site:build --out build/site --audience-sites build/audience-sites'],
  async run({ flags, positional, context }) {
    if (positional.length) throw usageError(siteBuildCommand, `unexpected argument "${positional[0]}".`);
    // Engine citus (and no --warehouse FILE): Evidence's Postgres source reads the coordinator.
    const config = context.config();
    const source = flags.warehouse === undefined && config.engine === 'citus' ? { citusUrl: citusUrlOf(config) } : undefined;
    const warehouse = flags.warehouse ?? warehousePath(config.dataDir);
    const audienceOut = flags['audience-sites'];
    const share = flags['share-with-branches'] ?? context.config().siteAudiences.shareWithBranches;
    if (share !== 'book' && share !== 'none') throw usageError(siteBuildCommand, `--share-with-branches must be "book" or "none", got "${share}".`);
    const queryCache = audienceOut ? mkdtempSync(join(tmpdir(), 'cq-site-queries-')) : undefined;
    let r;
    try {
      r = await buildSite({
        warehouse: source ?? warehouse,
        out: flags.out ?? join(REPO_ROOT, 'build'),
        ...(flags.project ? { project: flags.project } : {}),
        keepStaging: !!flags['keep-staging'],
        institution: context.config().institution,
        allowEmpty: (flags['allow-empty'] ?? '').split(',').map((x) => x.trim()).filter(Boolean),
        ...(queryCache ? { queryCache } : {}),
      });
    } catch (e) {
      if (queryCache) rmSync(queryCache, { recursive: true, force: true });
      if (e instanceof CqError) throw e;
      // The build's own failures (SiteBuildError): one error class at the top, exit 1.
      if (e instanceof Error && e.name === 'SiteBuildError') throw new CqError('RUN_FAILED', `[build-site] FAILED: ${e.message}`, source ? {} : { file: warehouse }, { cause: e });
      throw e;
    }
    console.log(
      `\n[build-site] OK: ${r.pages.length} page(s) → ${r.out}\n` +
        `[build-site] elapsed ${(r.elapsedMs / 1000).toFixed(1)} s, peak memory ${gib(r.peakTreeRssBytes)} (process tree RSS), ` +
        `largest process ${gib(r.peakProcessRssBytes)}`,
    );
    if (audienceOut && queryCache) {
      try {
        const a = await buildAudienceSites({ hoSite: r.out, queryCache, out: audienceOut, share, log: (l) => console.log(l) });
        console.log(`[audience-sites] OK: ${a.sites.length} branch site(s) → ${audienceOut} in ${(a.elapsedMs / 1000).toFixed(1)} s` + (a.skipped.length ? `; ${a.skipped.length} branch(es) without a site (audiences.json says why)` : ''));
      } finally {
        rmSync(queryCache, { recursive: true, force: true });
      }
    }
  },
});

runAsMain(import.meta.url, siteBuildCommand);
