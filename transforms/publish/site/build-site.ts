/**
 * Builds the Evidence report site, offline and non-interactively, from a given DuckDB warehouse.
 *
 *   npx tsx transforms/publish/site/build-site.ts --warehouse data/warehouse.duckdb --out site/
 *
 * Steps:
 * 1. Checks every `sources/warehouse/*.sql` reads only the aggregate schemas `metrics.*` / `marts.*`
 *    and the listed operational tables `ops.<table>` (those queries become Parquet files shipped to
 *    every browser: no customer/loan-level rows), never `raw`/`staging`/`core`, never the
 *    `raw_record` column, never a `*` projection, and row-level tables only aggregated (GROUP BY);
 *    see {@link checkSourceSql}.
 * 2. Stages the Evidence project (evidence.config.yaml, evidence.settings.json, pages/, sources/,
 *    and components/, partials/, static/, queries/ when present) into a fresh temp directory with
 *    node_modules symlinked, so a build never touches the work tree's .evidence/ or build/ and
 *    two builds (e.g. tests and a developer) never collide.
 * 3. `evidence sources --strict` with the warehouse injected through the environment:
 *    EVIDENCE_SOURCE__warehouse__filename = the warehouse path RELATIVE TO sources/warehouse/
 *    (Evidence's duckdb connector path.join()s the option onto the source directory, so an absolute
 *    path would be mangled; this script converts any path you give it).
 * 4. `evidence build:strict` (component errors such as an empty or missing column fail the build).
 * 5. Fails (exit 1) on a non-zero exit of either step or when the combined output shows a query
 *    error, an empty dataset, a missing source or similar (see {@link OUTPUT_FAILURE_PATTERNS}),
 *    or when the built html/css reference any remote host (see {@link findRemoteRefs}).
 * 6. Moves the built site to --out (replacing it) and prints elapsed time and peak memory (sum of
 *    the RSS of the whole process tree, sampled every 250 ms).
 *
 * Options: --warehouse PATH (default data/warehouse.duckdb), --out DIR (default build),
 * --project DIR (the Evidence project root; default: this repo), --allow-empty Q1,Q2 (source
 * queries that may return 0 rows; any other empty source table fails the build), --keep-staging
 * (keep the temp project for debugging).
 * Telemetry is off (evidence.settings.json + env), nothing is prompted (stdin is closed).
 */
import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../../lib/repo-root.js';


/** The Evidence source (sources/<name>/) whose DuckDB file this script injects. */
export const SOURCE_NAME = 'warehouse';
/** Environment variable Evidence reads to override `options.filename` of that source. */
export const WAREHOUSE_ENV = `EVIDENCE_SOURCE__${SOURCE_NAME}__filename`;
/** Schemas a source query may read: aggregates only (ops: only {@link ALLOWED_OPS_TABLES}). */
export const ALLOWED_SOURCE_SCHEMAS = ['metrics', 'marts', 'ops'] as const;

/**
 * Operational tables the data-quality page may read (`ops.<table>`). Other ops tables (e.g. the
 * mapping tables, which hold source values) are refused.
 */
export const ALLOWED_OPS_TABLES = ['load_audit', 'rejected_rows', 'data_test_results', 'runs', 'run_steps'] as const;

/**
 * Tables with one row per loan / check / rejected record: a source query may read them only
 * AGGREGATED (it must have a GROUP BY), so no loan id or record leaves the warehouse.
 */
export const ROW_LEVEL_TABLES = [
  'ops.rejected_rows',
  'marts.mart_risk__new_npls',
  'marts.mart_ops__verification_audits',
  'marts.mart_ops__verification_submissions',
] as const;

/** Schemas that hold customer/loan-level data: named in the guard's message. */
const FORBIDDEN_SCHEMAS = ['raw', 'staging', 'core'];

/**
 * Output lines that mean the site is not right even when Evidence exits 0. Matched against the
 * ANSI-stripped combined stdout+stderr of `evidence sources` and `evidence build:strict`.
 */
export const OUTPUT_FAILURE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/Error in Query!/, 'a page query failed (Evidence logs "<id> | Error in Query!")'],
  [/Error in [A-Z][A-Za-z ]*:/, 'a component reported an error ("Error in <Component>: ...")'],
  [/Dataset is empty/, 'a component got an empty dataset'],
  [/No results returned/, 'a source query returned no rows'],
  [/\bwrote 0 rows\b/, 'a source query returned no rows (allow with --allow-empty NAME)'],
  [/No sources found/, 'no source data was found for the pages'],
  [/is not a valid source/, 'a sources/ directory has no usable connection.yaml'],
  [/Error connecting to datasource/, 'the warehouse could not be opened'],
  [/(Catalog|Binder|Parser|Conversion|IO|Invalid Input) Error/, 'a DuckDB error'],
  [/Missed substitution|Missed substition/, 'an ${var} in a source query has no EVIDENCE_VAR__ value'],
  [/missing data/i, 'Evidence reported missing data'],
  [/Build failed/, 'the SvelteKit build failed'],
  [/Unable to load source manifest/, 'the source manifest is missing'],
  [/\[!\]/, 'Evidence printed a [!] warning'],
  [/contains only null values/, 'a source column is entirely NULL (Evidence guessed its type); coalesce it in the source query'],
];

/** V8 heap cap (MB) for Evidence's build processes (see the env below). */
const BUILD_HEAP_MB = 2048;

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

export interface BuildOptions {
  warehouse: string;
  out: string;
  project?: string;
  keepStaging?: boolean;
  /** Source queries (file names without .sql) that may legitimately return 0 rows. */
  allowEmpty?: string[];
  /** Where to echo child output (default: process.stdout). */
  log?: (chunk: string) => void;
}

export interface BuildResult {
  out: string;
  elapsedMs: number;
  /** Peak summed RSS of the build's process tree, bytes. */
  peakTreeRssBytes: number;
  /** Peak RSS of the largest single process, bytes. */
  peakProcessRssBytes: number;
  /** Site-relative html paths, e.g. ['index.html']. */
  pages: string[];
}

/** A build problem: exit 1 with this message. */
export class SiteBuildError extends Error {
  override readonly name = 'SiteBuildError';
}

// ---------------------------------------------------------------------------------------------
// Source SQL guard

/**
 * Returns problems (empty = fine) with the source queries of `sourceDir`. Every query must:
 * - select only from schema-qualified `metrics.*`, `marts.*` or `ops.<ALLOWED_OPS_TABLES>` (or its
 *   own CTEs) — never `raw`, `staging`, `core` or another database;
 * - not use file/extension functions (`read_parquet`, `attach`, …) or `initialize.sql`;
 * - never mention the column `raw_record` (ops.rejected_rows keeps the rejected source record);
 * - list its columns: no `*` projection (`select *`, `t.*`, `* exclude`) nor `columns(…)`, which
 *   would silently ship a column added later (`count(*)` is fine);
 * - read the row-level tables of {@link ROW_LEVEL_TABLES} only with a GROUP BY.
 * A regex guard, not a SQL parser: the PII scan of the built site (test/publish/site/pii-scan.test.ts) is
 * the second line of defence.
 */
export function checkSourceSql(sourceDir: string): string[] {
  const problems: string[] = [];
  const files = readdirSync(sourceDir).filter((f) => f.endsWith('.sql'));
  for (const file of files) {
    if (file === 'initialize.sql') {
      problems.push(`${file}: initialize.sql runs arbitrary SQL before every source query; not allowed`);
      continue;
    }
    const raw = readFileSync(join(sourceDir, file), 'utf8');
    const sql = raw
      .replace(/--[^\n]*/g, ' ')
      .replace(/\/\*[\s\S]*?\*\//g, ' ')
      .replace(/'(?:[^']|'')*'/g, "''");
    const lower = sql.toLowerCase();
    const noComments = raw.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').toLowerCase();
    if (noComments.includes('raw_record')) {
      problems.push(`${file}: mentions raw_record; the rejected source record never leaves the warehouse (ship counts by reason instead)`);
    }
    // `*` as a projection: after select/distinct/a comma/a dot (t.*), or followed by exclude/replace.
    const withoutCountStar = lower.replace(/\bcount\s*\(\s*\*\s*\)/g, 'count(1)');
    if (/(?:\bselect|\bdistinct|,|\.)\s*\*|\*\s*(?:exclude|replace)\b/.test(withoutCountStar) || /\bcolumns\s*\(/.test(lower)) {
      problems.push(`${file}: uses a * projection or columns(); list the columns (a column added to a table later must not reach the browser unnoticed)`);
    }
    for (const fn of ['read_parquet', 'read_csv', 'read_json', 'parquet_scan', 'attach', 'glob(', 'read_text', 'read_blob', 'copy ', 'install ', 'load ']) {
      if (lower.includes(fn)) problems.push(`${file}: uses "${fn.trim()}"; source queries may only select from tables`);
    }
    // CTE names are allowed as unqualified relations.
    const ctes = new Set([...sql.matchAll(/(?:with|,)\s+(?:recursive\s+)?("?[\w]+"?)\s+as\s*\(/gi)].map((m) => unquote(m[1]!)));
    for (const m of sql.matchAll(/\b(?:from|join)\s+(?!\()("?[\w$]+"?(?:\s*\.\s*"?[\w$]+"?){0,2})/gi)) {
      const parts = m[1]!.split('.').map((p) => unquote(p.trim()));
      if (parts.length === 1) {
        if (!ctes.has(parts[0]!)) problems.push(`${file}: "${m[1]}" is not schema-qualified; use metrics.<table> or marts.<table>`);
        continue;
      }
      const schema = (parts.length === 3 ? parts[1]! : parts[0]!).toLowerCase();
      const table = parts.at(-1)!.toLowerCase();
      if (!(ALLOWED_SOURCE_SCHEMAS as readonly string[]).includes(schema)) {
        const why = FORBIDDEN_SCHEMAS.includes(schema) ? ` (${schema} holds customer/loan-level data)` : '';
        problems.push(
          `${file}: reads "${m[1]}"${why}; only metrics.* / marts.* / ops.{${ALLOWED_OPS_TABLES.join(',')}} may be shipped to the browser`,
        );
        continue;
      }
      if (schema === 'ops' && !(ALLOWED_OPS_TABLES as readonly string[]).includes(table)) {
        problems.push(`${file}: reads "${m[1]}"; of the ops schema only ${ALLOWED_OPS_TABLES.map((t) => `ops.${t}`).join(', ')} may be shipped`);
      }
      if ((ROW_LEVEL_TABLES as readonly string[]).includes(`${schema}.${table}`) && !/\bgroup\s+by\b/.test(lower)) {
        problems.push(`${file}: reads the row-level table ${schema}.${table} without GROUP BY; ship it aggregated only`);
      }
    }
  }
  if (files.length === 0) problems.push(`${sourceDir}: no .sql source queries`);
  return problems;
}

function unquote(s: string): string {
  return s.replace(/^"|"$/g, '');
}

// ---------------------------------------------------------------------------------------------
// Remote-reference guard

/**
 * Lists resource references to a remote host in the built site: `src=`/`href=` of
 * script/link/img/iframe/source tags in html, `url(...)` and `@import` in css. (Plain `<a href>`
 * links and license comments are not requests and are ignored.)
 */
export function findRemoteRefs(siteDir: string): string[] {
  const hits: string[] = [];
  for (const file of walk(siteDir)) {
    const ext = extname(file).toLowerCase();
    if (ext !== '.html' && ext !== '.css') continue;
    const text = readFileSync(file, 'utf8');
    const rel = relative(siteDir, file);
    if (ext === '.html') {
      for (const m of text.matchAll(/<(script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\b(?:src|href|data)\s*=\s*["']?((?:https?:)?\/\/[^"'\s>]+)/gi)) {
        hits.push(`${rel}: <${m[1]}> ${m[2]}`);
      }
      for (const m of text.matchAll(/<style[\s\S]*?<\/style>/gi)) hits.push(...cssRemote(rel, m[0]));
    } else {
      hits.push(...cssRemote(rel, text));
    }
  }
  return hits;
}

function cssRemote(rel: string, css: string): string[] {
  const out: string[] = [];
  const noComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const m of noComments.matchAll(/url\(\s*["']?((?:https?:)?\/\/[^"')\s]+)/gi)) out.push(`${rel}: url(${m[1]})`);
  // @import "…" (the @import url(…) form is already caught above)
  for (const m of noComments.matchAll(/@import\s+["']((?:https?:)?\/\/[^"']+)/gi)) out.push(`${rel}: @import ${m[1]}`);
  return out;
}

/** Every file under dir (recursive), absolute paths. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Process running with memory sampling

interface RunStats {
  code: number | null;
  output: string;
  peakTreeRss: number;
  peakProcessRss: number;
}

function readProcTable(): Map<number, { ppid: number; rss: number }> {
  const table = new Map<number, { ppid: number; rss: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces/parens: fields after the last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const rssPages = Number(fields[21]);
      table.set(Number(name), { ppid, rss: rssPages * 4096 });
    } catch {
      /* process exited meanwhile */
    }
  }
  return table;
}

function treeRss(root: number): { total: number; max: number } {
  if (!existsSync('/proc')) return { total: 0, max: 0 };
  const table = readProcTable();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(pid);
  }
  let total = 0;
  let max = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const rss = table.get(pid)?.rss ?? 0;
    total += rss;
    max = Math.max(max, rss);
    stack.push(...(children.get(pid) ?? []));
  }
  return { total, max };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<RunStats> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let peakTreeRss = 0;
    let peakProcessRss = 0;
    const sample = () => {
      if (!child.pid) return;
      const { total, max } = treeRss(child.pid);
      peakTreeRss = Math.max(peakTreeRss, total);
      peakProcessRss = Math.max(peakProcessRss, max);
    };
    const timer = setInterval(sample, 250);
    const onData = (buf: Buffer) => {
      const s = buf.toString('utf8');
      output += s;
      log(s);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolvePromise({ code, output, peakTreeRss, peakProcessRss });
    });
  });
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** Returns the failure reasons found in Evidence's output (empty = clean). */
export function scanOutput(output: string, allowEmpty: readonly string[] = []): string[] {
  const lines = output
    .replace(ANSI, '')
    .split(/\r?\n/)
    // "  <query> ✔ Finished, wrote 0 rows." is fine for the source queries listed in allowEmpty.
    .filter((l) => !allowEmpty.some((name) => new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s.*wrote 0 rows`).test(l)));
  const found: string[] = [];
  for (const [re, why] of OUTPUT_FAILURE_PATTERNS) {
    const line = lines.find((l) => re.test(l));
    if (line !== undefined) found.push(`${why}: ${line.trim().slice(0, 300)}`);
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// The build

/** Builds the site; throws {@link SiteBuildError} on any problem. */
export async function buildSite(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? ((s: string) => process.stdout.write(s));
  const project = resolve(opts.project ?? REPO_ROOT);
  const warehouse = resolve(opts.warehouse);
  const out = resolve(opts.out);
  const started = Date.now();

  if (!existsSync(join(project, 'evidence.config.yaml'))) throw new SiteBuildError(`${project}: no evidence.config.yaml (not an Evidence project?)`);
  if (!statSync(warehouse, { throwIfNoEntry: false })?.isFile()) {
    throw new SiteBuildError(`warehouse not found: ${warehouse}. Build it first (npm run transform) or pass --warehouse PATH.`);
  }
  const nodeModules = join(REPO_ROOT, 'node_modules');
  if (!existsSync(join(nodeModules, '@evidence-dev', 'evidence', 'cli.js'))) {
    throw new SiteBuildError(`${nodeModules}: @evidence-dev/evidence is not installed (run npm ci)`);
  }
  const sqlProblems = checkSourceSql(join(project, 'sources', SOURCE_NAME));
  if (sqlProblems.length) throw new SiteBuildError(`source queries rejected:\n  ${sqlProblems.join('\n  ')}`);
  if (out === project || project.startsWith(out + '/')) throw new SiteBuildError(`--out ${out} would replace the project`);

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

    const sourceDir = join(staging, 'sources', SOURCE_NAME);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      [WAREHOUSE_ENV]: relative(sourceDir, warehouse),
      CI: 'true',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      SEND_ANONYMOUS_USAGE_STATS: 'no',
      DO_NOT_TRACK: '1',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
    // Evidence's `vite build` grows its V8 heap to ~3.3 GB RSS when it may (the nightly's peak process,
    // whose target is < 4 GB); capped at 2 GB of heap it measured 2.7 GiB RSS, same output. A
    // --max-old-space-size already in NODE_OPTIONS wins.
    if (!/--max-old-space-size/.test(env.NODE_OPTIONS ?? '')) env.NODE_OPTIONS = `${env.NODE_OPTIONS ?? ''} --max-old-space-size=${BUILD_HEAP_MB}`.trim();
    delete env.VITE_EVIDENCE_DEBUG;
    delete env.EVIDENCE_DATA_DIR;
    delete env.EVIDENCE_BUILD_DIR; // the evidence CLI always copies .evidence/template/build → ./build
    const cli = join(nodeModules, '@evidence-dev', 'evidence', 'cli.js');

    let peakTree = 0;
    let peakProc = 0;
    for (const step of [['sources', '--strict'], ['build:strict']]) {
      log(`\n[build-site] evidence ${step.join(' ')}\n`);
      const r = await run(process.execPath, [cli, ...step], staging, env, log);
      peakTree = Math.max(peakTree, r.peakTreeRss);
      peakProc = Math.max(peakProc, r.peakProcessRss);
      const reasons = scanOutput(r.output, opts.allowEmpty);
      if (r.code !== 0) throw new SiteBuildError(`evidence ${step[0]} exited with code ${r.code}${fmtReasons(reasons)}`);
      if (reasons.length) throw new SiteBuildError(`evidence ${step[0]} reported problems${fmtReasons(reasons)}`);
    }

    const built = join(staging, 'build');
    if (!existsSync(join(built, 'index.html'))) throw new SiteBuildError(`${built}/index.html missing after the build`);
    const remote = findRemoteRefs(built);
    if (remote.length) throw new SiteBuildError(`the built site references remote hosts:\n  ${remote.join('\n  ')}`);

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

function fmtReasons(reasons: string[]): string {
  return reasons.length ? `:\n  ${reasons.join('\n  ')}` : '';
}

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      warehouse: { type: 'string', default: join(REPO_ROOT, 'data', 'warehouse.duckdb') },
      out: { type: 'string', default: join(REPO_ROOT, 'build') },
      project: { type: 'string' },
      'keep-staging': { type: 'boolean', default: false },
      'allow-empty': { type: 'string', default: '' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log('usage: tsx transforms/publish/site/build-site.ts [--warehouse PATH] [--out DIR] [--project DIR] [--allow-empty QUERY,...] [--keep-staging]');
    return;
  }
  try {
    const r = await buildSite({
      warehouse: values.warehouse!,
      out: values.out!,
      project: values.project,
      keepStaging: values['keep-staging'],
      allowEmpty: values['allow-empty']!.split(',').map((x) => x.trim()).filter(Boolean),
    });
    console.log(
      `\n[build-site] OK: ${r.pages.length} page(s) → ${r.out}\n` +
        `[build-site] elapsed ${(r.elapsedMs / 1000).toFixed(1)} s, peak memory ${gib(r.peakTreeRssBytes)} (process tree RSS), ` +
        `largest process ${gib(r.peakProcessRssBytes)}`,
    );
  } catch (err) {
    if (err instanceof SiteBuildError) {
      console.error(`\n[build-site] FAILED: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main();
}
