/**
 * Builds the Evidence report site, offline and non-interactively, from a given DuckDB warehouse —
 * or from a PostgreSQL/Citus coordinator over Evidence's Postgres source (postgres-source.ts: the
 * queries are run on the server first, the staged connection.yaml names it) — ({@link buildSite};
 * the command line is transforms/cli/site-build.ts).
 *
 * Steps:
 * 1. Checks every `sources/warehouse/*.sql` reads only the aggregate schemas `metrics.*` / `marts.*`
 *    and the listed operational tables `ops.<table>` (those queries become Parquet files shipped to
 *    every browser: no customer/loan-level rows), never `raw`/`staging`/`core`, never the
 *    `raw_record` column, never a `*` projection, and row-level tables only aggregated (GROUP BY);
 *    see {@link checkSourceSql} (source-sql-guard.ts).
 * 2. Stages the Evidence project (evidence.config.yaml, evidence.settings.json, pages/, sources/,
 *    and components/, partials/, static/, queries/ when present) into a fresh temp directory with
 *    node_modules symlinked, so a build never touches the work tree's .evidence/ or build/ and
 *    two builds (e.g. tests and a developer) never collide; writes the report's layout there
 *    (the institution's name and logo in the header: site-layout.ts).
 * 3. `evidence sources --strict` with the warehouse injected through the environment:
 *    EVIDENCE_SOURCE__warehouse__filename = the warehouse path RELATIVE TO sources/warehouse/
 *    (Evidence's duckdb connector path.join()s the option onto the source directory, so an absolute
 *    path would be mangled; this module converts any path you give it).
 * 4. `evidence build:strict` (component errors such as an empty or missing column fail the build).
 * 5. Fails (CqError SITE_BUILD_FAILED) on a non-zero exit of either step or when the combined
 *    output shows a query error, an empty dataset, a missing source or similar (see
 *    {@link scanOutput}, output-scan.ts), or when the built html/css reference any remote host
 *    (see {@link findRemoteRefs}, remote-refs.ts).
 * 6. Moves the built site to `out` (replacing it) and reports elapsed time and peak memory (sum of
 *    the RSS of the whole process tree, sampled every 250 ms: memory-sampler.ts).
 *
 * Telemetry is off (evidence.settings.json + env), nothing is prompted (stdin is closed).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { CqError } from '../../lib/errors.js';
import { REPO_ROOT } from '../../lib/repo-root.js';
import { walk } from '../../lib/walk-files.js';
import { runSampled } from './memory-sampler.js';
import { scanOutput } from './output-scan.js';
import { findRemoteRefs } from './remote-refs.js';
import { checkSourceSql } from './source-sql-guard.js';
import { preflightPostgresSources, stagePostgresSource } from './postgres-source.js';
import { writeSiteLayout } from './site-layout.js';
import { DEFAULT_CONFIG, type Institution } from '../../config/config.js';

/** The Evidence source (sources/<name>/) whose DuckDB file this script injects. */
export const SOURCE_NAME = 'warehouse';
/** Environment variable Evidence reads to override `options.filename` of that source. */
export const WAREHOUSE_ENV = `EVIDENCE_SOURCE__${SOURCE_NAME}__filename`;
/** V8 heap cap (MB) for Evidence's build processes (see the env below). */
const BUILD_HEAP_MB = 2304;

/** Project files/dirs copied into the staging directory (when present). */
const PROJECT_ENTRIES = [
  'evidence.config.yaml',
  'evidence.settings.json',
  'package.json',
  'pages',
  'sources',
  'components',
  'partials',
  'static',
  'queries',
  'app.css',
  'svelte.config.js',
  '.npmrc',
];

/** Options of {@link buildSite}. */
export interface BuildOptions {
  /**
   * The warehouse the site reads: a DuckDB file (any path; converted for Evidence), or a
   * PostgreSQL/Citus coordinator (`{ citusUrl }`, read over Evidence's Postgres source: postgres-source.ts).
   */
  warehouse: string | { citusUrl: string };
  /** Where the built site goes (replaced). */
  out: string;
  /** The Evidence project root (default: this repository). */
  project?: string;
  /** Keep the staged temp project for debugging (its path is logged). */
  keepStaging?: boolean;
  /** Source queries (file names without .sql) that may legitimately return 0 rows. */
  allowEmpty?: string[];
  /** The bank shown in the header (default: the default config's institution); its logo path is used as given. */
  institution?: Institution;
  /** Where to echo child output (default: process.stdout). */
  log?: (chunk: string) => void;
  /**
   * Keep the SQL Evidence ran for each prerendered page here (replaced): its
   * `<route md5>/<params md5>/_queries.json` files, from which audience sites are derived
   * (audiences/derive-audience-site.ts).
   */
  queryCache?: string;
  /**
   * Stop after `evidence sources`: `out` receives the site's data — one Parquet file per source
   * query, as the browser would get it — without the pages (minutes cheaper; how the engine
   * equivalence suite compares what the site ships from each engine).
   */
  sourcesOnly?: boolean;
}

/** What {@link buildSite} built. */
export interface BuildResult {
  /** The built site's directory (absolute). */
  out: string;
  /** Wall-clock time of the whole build. */
  elapsedMs: number;
  /** Peak summed RSS of the build's process tree, bytes. */
  peakTreeRssBytes: number;
  /** Peak RSS of the largest single process, bytes. */
  peakProcessRssBytes: number;
  /** Site-relative html paths, e.g. ['index.html']. */
  pages: string[];
}

/**
 * Builds the site from `opts.warehouse` into `opts.out` (replaced). Throws {@link CqError}:
 * `WAREHOUSE_MISSING` when the warehouse file does not exist, `SITE_BUILD_FAILED` on any other
 * problem (the message says which and how to fix it).
 *
 * @example
 * const r = await buildSite({ warehouse: 'data/warehouse.duckdb', out: 'build' });
 * console.log(formatBuildSummary(r));
 */
export async function buildSite(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s));
  const project = resolve(opts.project ?? REPO_ROOT);
  const citusUrl = typeof opts.warehouse === 'string' ? undefined : opts.warehouse.citusUrl;
  const warehouse = typeof opts.warehouse === 'string' ? resolve(opts.warehouse) : undefined;
  const out = resolve(opts.out);
  const started = Date.now();

  if (!existsSync(join(project, 'evidence.config.yaml'))) {
    throw new CqError('SITE_BUILD_FAILED', `${project}: no evidence.config.yaml (not an Evidence project?)`, { file: join(project, 'evidence.config.yaml') });
  }
  if (warehouse !== undefined && !statSync(warehouse, { throwIfNoEntry: false })?.isFile()) {
    throw new CqError('WAREHOUSE_MISSING', `warehouse not found: ${warehouse}. Build it first (npm run transform) or pass --warehouse PATH.`, { file: warehouse });
  }
  const nodeModules = join(REPO_ROOT, 'node_modules');
  if (!existsSync(join(nodeModules, '@evidence-dev', 'evidence', 'cli.js'))) {
    throw new CqError('SITE_BUILD_FAILED', `${nodeModules}: @evidence-dev/evidence is not installed (run npm ci)`, { file: nodeModules });
  }
  const sqlProblems = checkSourceSql(join(project, 'sources', SOURCE_NAME));
  if (sqlProblems.length) throw new CqError('SITE_BUILD_FAILED', `source queries rejected:\n  ${sqlProblems.join('\n  ')}`);
  if (out === project || project.startsWith(out + '/')) throw new CqError('SITE_BUILD_FAILED', `--out ${out} would replace the project`);
  // On a Citus warehouse every source query runs on the server first (Evidence's connector hides errors).
  if (citusUrl) await preflightPostgresSources(citusUrl, join(project, 'sources', SOURCE_NAME));

  // 1. Stage the project.
  const staging = mkdtempSync(join(tmpdir(), 'cq-site-'));
  try {
    for (const entry of PROJECT_ENTRIES) {
      const src = join(project, entry);
      if (existsSync(src)) cpSync(src, join(staging, entry), { recursive: true, dereference: true });
    }
    // node_modules belongs to this repo: its package.json ("type": "module") must come along.
    if (!existsSync(join(staging, 'package.json'))) cpSync(join(REPO_ROOT, 'package.json'), join(staging, 'package.json'));
    if (!existsSync(join(staging, 'evidence.settings.json'))) {
      writeFileSync(join(staging, 'evidence.settings.json'), JSON.stringify({ send_anonymous_usage_stats: 'no' }));
    }
    symlinkSync(nodeModules, join(staging, 'node_modules'), 'dir');
    // The bank's name (and logo) in the header, "首页 Home" in the menu: pages/+layout.svelte.
    writeSiteLayout(staging, opts.institution ?? DEFAULT_CONFIG.institution);

    const sourceDir = join(staging, 'sources', SOURCE_NAME);
    if (citusUrl) stagePostgresSource(sourceDir, citusUrl);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(warehouse !== undefined ? { [WAREHOUSE_ENV]: relative(sourceDir, warehouse) } : { TZ: 'UTC' }), // pg reads DATE columns in the process's time zone
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      SEND_ANONYMOUS_USAGE_STATS: 'no',
      DO_NOT_TRACK: '1',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    // Evidence's `vite build` is the night's largest process. Its RSS hardly follows the V8 heap cap
    // (measured on the sample, 38 pages: cap 3072 MB → 3.32 GiB, 2560 → 2.96 GiB, 2304 → 2.88 GiB;
    // 2048 ran out of heap): most of the rest is outside the old space. Vite's esbuild service (Go)
    // takes 318 MB unless told to collect earlier (GOGC/GOMEMLIMIT: 204 MB). Tree peak with both:
    // 3.22 GiB (docs/report-site.md, "Building"). A --max-old-space-size already in NODE_OPTIONS wins.
    if (!/--max-old-space-size/.test(env.NODE_OPTIONS ?? '')) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --max-old-space-size=${BUILD_HEAP_MB}`.trim();
    env.GOGC ??= '40';
    env.GOMEMLIMIT ??= '200MiB';
    delete env.VITE_EVIDENCE_DEBUG;
    delete env.EVIDENCE_DATA_DIR;
    delete env.EVIDENCE_BUILD_DIR; // the evidence CLI always copies .evidence/template/build → ./build
    const cli = join(nodeModules, '@evidence-dev', 'evidence', 'cli.js');

    let peakTree = 0;
    let peakProc = 0;
    for (const step of opts.sourcesOnly ? [['sources', '--strict']] : [['sources', '--strict'], ['build:strict']]) {
      log(`\n[build-site] evidence ${step.join(' ')}\n`);
      const r = await runSampled(process.execPath, [cli, ...step], staging, env, log);
      peakTree = Math.max(peakTree, r.peakTreeRss);
      peakProc = Math.max(peakProc, r.peakProcessRss);
      const reasons = scanOutput(r.output, opts.allowEmpty);
      if (r.code !== 0) throw new CqError('SITE_BUILD_FAILED', `evidence ${step[0]} exited with code ${r.code}${fmtReasons(reasons)}`);
      if (reasons.length) throw new CqError('SITE_BUILD_FAILED', `evidence ${step[0]} reported problems${fmtReasons(reasons)}`);
    }

    const built = opts.sourcesOnly ? join(staging, '.evidence', 'template', 'static', 'data') : join(staging, 'build');
    if (opts.sourcesOnly) {
      rmSync(out, { recursive: true, force: true });
      cpSync(built, out, { recursive: true });
      return { out, elapsedMs: Date.now() - started, peakTreeRssBytes: peakTree, peakProcessRssBytes: peakProc, pages: [] };
    }
    if (!existsSync(join(built, 'index.html'))) throw new CqError('SITE_BUILD_FAILED', `${built}/index.html missing after the build`);
    const remote = findRemoteRefs(built);
    if (remote.length) throw new CqError('SITE_BUILD_FAILED', `the built site references remote hosts:\n  ${remote.join('\n  ')}`);

    if (opts.queryCache) keepQueryCache(join(staging, '.evidence', 'template', '.evidence-queries', 'cache'), resolve(opts.queryCache));

    // 2. Move to --out.
    rmSync(out, { recursive: true, force: true });
    try {
      renameSync(built, out);
    } catch {
      cpSync(built, out, { recursive: true }); // across file systems
    }
    const pages = walk(out)
      .filter((f) => f.endsWith('.html'))
      .map((f) => relative(out, f))
      .sort();
    return { out, elapsedMs: Date.now() - started, peakTreeRssBytes: peakTree, peakProcessRssBytes: peakProc, pages };
  } finally {
    if (opts.keepStaging) log(`[build-site] staging kept at ${staging}\n`);
    else rmSync(staging, { recursive: true, force: true });
  }
}

/** Copies the recorded page SQL (`_queries.json`, not the results) of a build to `to` (replaced). */
function keepQueryCache(cache: string, to: string): void {
  if (!existsSync(cache)) throw new CqError('SITE_BUILD_FAILED', `${cache}: Evidence recorded no page queries (nothing to derive audience sites from)`, { file: cache });
  rmSync(to, { recursive: true, force: true });
  for (const file of walk(cache)) {
    if (!file.endsWith('/_queries.json')) continue;
    const target = join(to, relative(cache, file));
    mkdirSync(dirname(target), { recursive: true });
    cpSync(file, target);
  }
}

function fmtReasons(reasons: string[]): string {
  return reasons.length ? `:\n  ${reasons.join('\n  ')}` : '';
}

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

/**
 * The lines a command prints after a successful build: pages, output directory, elapsed time and
 * peak memory.
 *
 * @example
 * formatBuildSummary(await buildSite(opts));
 * // '[build-site] OK: 12 page(s) → /repo/build\n[build-site] elapsed 95.3 s, peak memory 2.71 GiB (process tree RSS), largest process 2.40 GiB'
 */
export function formatBuildSummary(r: BuildResult): string {
  return (
    `[build-site] OK: ${r.pages.length} page(s) → ${r.out}\n` +
    `[build-site] elapsed ${(r.elapsedMs / 1000).toFixed(1)} s, peak memory ${gib(r.peakTreeRssBytes)} (process tree RSS), ` +
    `largest process ${gib(r.peakProcessRssBytes)}`
  );
}
