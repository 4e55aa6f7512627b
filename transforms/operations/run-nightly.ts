import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWarehouse } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { CqError } from '../lib/errors.js';
import { monthEndBefore } from '../lib/month-end.js';
import { listBusinessDates } from '../ingest/load/extract-files.js';
import { loadDate } from '../ingest/load-extracts.js';
import { withLoadCheckpoints } from '../ingest/load/load-checkpoints.js';
import { enforceRejectGate } from '../ingest/load/reject-gate.js';
import { CHROMIUM_INSTALL_COMMAND } from '../lib/chromium.js';
import { cqProcessArgs } from '../lib/cli.js';
import { nightlyPaths, type NightlyConfig, type NightlyPaths } from '../config/config.js';
import { nightlyRunId, recordInterruptedRuns } from './interrupted-runs.js';
import { appendLedger, readRuns } from './ledger.js';
import { acquireLock, type HeldLock } from './lock.js';
import { notify, readStatus, writeStatus } from './notify.js';
import { applyUmask, publishAccess, securePath, secureTree, type PublishAccess } from './permissions.js';
import { processIdentity } from './process-identity.js';
import { currentRelease, publishRelease, pruneReleases, releasePaths } from './release-layout.js';
import { recordRunsInWarehouse } from './record-runs.js';
import { buildModelsAndKpis, writeExports } from './pipeline-steps.js';
import { nightlyBranchLists } from '../publish/branch-lists/branch-lists.js';
import { nightlyReportBook } from '../publish/report-book/report-book.js';
import { closeLedgerPath } from './close-ledger.js';
import { checkClosedMonths } from './closed-months-check.js';

/** Options of one nightly run. */
export interface NightlyOptions {
  config: NightlyConfig;
  /** Process only this business date (default: every pending date, in order). */
  date?: string;
  /** Rebuild the warehouse from all extracts instead of adding the pending dates. */
  full?: boolean;
  /** Re-process dates that already succeeded. */
  force?: boolean;
  /** Progress lines for a terminal (default: console.log). */
  print?: (line: string) => void;
  /** The config file the config came from, named in configuration errors (default cq.config.json). */
  configFile?: string;
  /** Publish changed KPIs of closed months (restatement: who and why); without it such a night fails CLOSED_MONTH_CHANGED. */
  restate?: { by: string; reason: string };
}

/** Outcome of a run. */
export interface NightlyResult {
  runId: string;
  status: 'succeeded' | 'failed' | 'noop';
  businessDates: string[];
  steps: { step: string; seconds: number; detail?: string }[];
  error?: CqError;
  release?: string;
  /** What the run did not do or found doubtful but published anyway: files above their warn reject limit, a skipped PDF. */
  warnings?: string[];
  /** Packages whose PDF was skipped (`exportPdf: "optional"` without Chromium): month, why, the command that adds it. */
  pdfSkipped?: { month: string; reason: string; fix: string }[];
}

/** Test hook: `CQ_NIGHTLY_HANG_AT=<step>` makes a run stop at the start of that step and wait (to be killed). */
const HANG_AT = process.env.CQ_NIGHTLY_HANG_AT;

/**
 * The nightly job: load the pending business dates → build models and KPIs (with data tests)
 * → record the run ledger → regulator exports → Evidence site → publish. Everything is built
 * in a new release folder and published by one atomic symlink switch, so a failed or killed
 * run leaves the previous warehouse and site exactly as they were.
 *
 * Before it starts, runs found interrupted (killed: a stale lock taken over, a ledger run
 * without `run_finished`) are recorded as failed and alerted (see `recordInterruptedRuns`),
 * and `status.json` says `running` until the run ends. Everything it writes is owner-only
 * (or readable by `publishGroup`), see `publishAccess`.
 *
 * @example
 * const result = await runNightly({ config: loadCheckedConfig() });
 * if (result.status === 'failed') process.exitCode = 1;
 */
export async function runNightly(options: NightlyOptions): Promise<NightlyResult> {
  const { config } = options;
  const paths = nightlyPaths(config.dataDir);
  const access = publishAccess(config.publishGroup, options.configFile);
  // Files DuckDB, the exports and the site build create themselves get the right mode from birth.
  const restoreUmask = applyUmask(access);
  try {
    mkdirSync(paths.runsDir, { recursive: true });
    mkdirSync(paths.logsDir, { recursive: true });
    const now = new Date();
    const runId = nightlyRunId(now, process.pid);
    const lock = acquireLock(paths.lock, { runId });
    return await runLocked(options, paths, access, lock, runId, now);
  } finally {
    restoreUmask();
  }
}

async function runLocked(options: NightlyOptions, paths: NightlyPaths, access: PublishAccess, lock: HeldLock, runId: string, now: Date): Promise<NightlyResult> {
  const { config } = options;
  const print = options.print ?? ((l: string) => console.log(l));
  const logFile = join(paths.logsDir, `nightly-${runId}.ndjson`);
  const log = (event: Record<string, unknown>) => appendFileSync(logFile, `${JSON.stringify({ at: new Date().toISOString(), run_id: runId, ...event })}\n`);
  const steps: NightlyResult['steps'] = [];
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    print(`⚠ ${line}`);
    log({ level: 'warn', event: 'warning', step: currentStep, message: line });
  };
  let pdfSkipped: NightlyResult['pdfSkipped'];
  let currentStep: string | undefined;
  let dates: string[] = [];

  const step = async <T>(name: string, fn: () => Promise<T>, describe?: (value: T) => { detail?: string; rows?: number }): Promise<T> => {
    currentStep = name;
    appendLedger(paths.ledger, { type: 'step_started', run_id: runId, at: new Date().toISOString(), step: name });
    log({ level: 'info', event: 'step_started', step: name });
    print(`▶ ${name} …`);
    if (HANG_AT === name) await new Promise(() => setInterval(() => undefined, 1000));
    const started = performance.now();
    try {
      const value = await fn();
      const seconds = (performance.now() - started) / 1000;
      const info = describe?.(value) ?? {};
      appendLedger(paths.ledger, { type: 'step_finished', run_id: runId, at: new Date().toISOString(), step: name, status: 'succeeded', seconds, ...info });
      log({ level: 'info', event: 'step_finished', step: name, seconds, ...info });
      steps.push({ step: name, seconds, ...(info.detail ? { detail: info.detail } : {}) });
      print(`✔ ${name.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s${info.detail ? `  ${info.detail}` : ''}`);
      return value;
    } catch (e) {
      const seconds = (performance.now() - started) / 1000;
      const message = e instanceof Error ? e.message : String(e);
      appendLedger(paths.ledger, { type: 'step_finished', run_id: runId, at: new Date().toISOString(), step: name, status: 'failed', seconds, detail: message.slice(0, 2000) });
      log({ level: 'error', event: 'step_failed', step: name, seconds, error: message, code: e instanceof CqError ? e.code : 'INTERNAL' });
      print(`✖ ${name.padEnd(28)} ${seconds.toFixed(1).padStart(7)} s`);
      throw e;
    }
  };

  let wh: WarehouseHandle | undefined;
  let previousStatus: Record<string, unknown> | undefined;
  try {
    // Files and folders of earlier runs (and of versions before permissions were set) get the
    // configured access. The data folder itself is left as the operator made it (extracts may be
    // delivered into it by another account); when the nightly creates it, the umask applies.
    for (const p of [join(paths.dataDir, 'releases'), paths.lock]) securePath(p, access);
    secureTree(paths.runsDir, access);
    secureTree(paths.logsDir, access);
    securePath(paths.status, access);
    // Runs that were killed: recorded as failed and alerted before anything else.
    const takeover = lock.takeover;
    if (takeover) {
      const h = takeover.holder;
      print(`(took over a stale lock${h ? ` of pid ${h.pid}${h.runId ? `, run ${h.runId}` : ''}` : ''}: ${TAKEOVER_REASONS[takeover.reason]})`);
      log({ level: 'warn', event: 'lock_taken_over', reason: takeover.reason, holder: h ?? null });
    }
    for (const r of await recordInterruptedRuns(config, paths, runId, takeover)) {
      print(`previous nightly ${r.runId} was interrupted ${r.failedStep ? `during step "${r.failedStep}"` : 'before its first step'}: recorded as failed in ${paths.ledger} and status.json; alert sent.`);
      log({ level: 'error', event: 'previous_run_interrupted', interrupted_run_id: r.runId, step: r.failedStep, error: r.error.message });
    }
    // Until this run ends, status.json says it is running (never the previous run's outcome,
    // which a killed run would otherwise leave behind); `previous` keeps that outcome.
    previousStatus = readStatus(paths);
    writeStatus(paths, { run_id: runId, status: 'running', started_at: now.toISOString(), pid: process.pid, log_file: logFile, previous: statusSummary(previousStatus) }, access);
    // Leftovers of killed runs: unfinished releases and their work files.
    pruneReleases(paths);
    const available = listBusinessDates(config.extractsDir);
    const live = currentRelease(paths);
    const done = live && !options.full ? await loadedDates(join(live, 'warehouse.duckdb')) : [];
    if (options.date && !available.includes(options.date)) {
      throw new CqError('EXTRACT_MISSING_FILE', `${join(config.extractsDir, options.date)}: no extract folder for business date ${options.date}.`, { file: join(config.extractsDir, options.date) });
    }
    const wanted = options.date ? [options.date] : available;
    dates = options.force || options.full ? wanted : wanted.filter((d) => !done.includes(d));
    if (options.full && !options.date) dates = available;
    const identity = processIdentity(process.pid);
    appendLedger(paths.ledger, {
      type: 'run_started',
      run_id: runId,
      at: now.toISOString(),
      pid: process.pid,
      ...(identity ? { pid_identity: identity } : {}),
      mode: options.full ? 'full' : 'incremental',
      business_dates: dates,
      ...(takeover ? { took_over_lock: { ...(takeover.holder ? { pid: takeover.holder.pid } : {}), ...(takeover.holder?.runId ? { run_id: takeover.holder.runId } : {}), reason: takeover.reason } } : {}),
    });
    log({ level: 'info', event: 'run_started', mode: options.full ? 'full' : 'incremental', business_dates: dates, config });

    if (dates.length === 0) {
      print(`nothing to do: every business date in ${config.extractsDir} is already published (use --force to re-run one, --full to rebuild).`);
      appendLedger(paths.ledger, { type: 'run_finished', run_id: runId, at: new Date().toISOString(), status: 'noop' });
      writeStatus(paths, previousStatus, access); // a run that did nothing leaves the last outcome in place
      return { runId, status: 'noop', businessDates: [], steps };
    }
    print(`nightly ${runId}: ${options.full ? 'full rebuild' : 'incremental'}, business date(s) ${dates.join(', ')}`);
    const release = releasePaths(paths, runId, true);
    mkdirSync(release.dir, { recursive: true });

    await step('prepare warehouse', async () => {
      if (live && !options.full) {
        copyFileSync(join(live, 'warehouse.duckdb'), release.warehouse);
        securePath(release.warehouse, access); // a copy keeps its source's mode (which may predate these permissions)
      }
      wh = await openWarehouse(release.warehouse, {
        memoryLimit: config.memoryLimit,
        tempDirectory: join(release.dir, 'tmp'),
        ...(config.threads ? { threads: config.threads } : {}),
      });
    });
    // The loads run with the checkpoint settings of a load (see withLoadCheckpoints: no row-group
    // merging; a catch-up of several dates checkpoints every few dates, not every one or two).
    await withLoadCheckpoints(wh!, dates.length, async () => {
      for (const date of dates) {
        await step(
          `load ${date}`,
          async () => {
            const load = await loadDate(wh!, config.extractsDir, date);
            // The publish gate: a file above its reject limit (or with every row rejected) fails the night here.
            await enforceRejectGate(wh!, { businessDates: [date] }, config.rejectLimits, {
              action: `the night publishes nothing (the site and warehouse stay as they were)`,
              configFile: options.configFile ?? 'cq.config.json',
              warn: (line) => warn(line.replace(/^warning: /, '')),
            });
            return load;
          },
          (r) => {
            const read = r.files.reduce((a, f) => a + f.rowsRead, 0);
            const rejected = r.files.reduce((a, f) => a + f.rowsRejected, 0);
            return { rows: read, detail: `${read.toLocaleString('en')} rows read, ${rejected.toLocaleString('en')} rejected` };
          },
        );
      }
    });
    // Incremental night on top of the published warehouse: months from the one before the earliest
    // date loaded are rebuilt (a new month also completes the previous month's next-month columns).
    const since = live && !options.full && dates.length > 0 ? monthEndBefore(dates[0]!) : undefined;
    await step('build models and KPIs', () => buildModelsAndKpis(wh!, { ...(since ? { since } : {}), ...(config.policyDir ? { policyDir: config.policyDir } : {}) }), (r) => ({
      detail: since ? `${r.detail}; incremental models rebuilt from ${since.slice(0, 7)}` : r.detail,
    }));
    // Month-end close: a load that changes a KPI of a closed month publishes nothing without --restate (docs/operations.md).
    const closes = await step('check closed months', () => checkClosedMonths(wh!, { ledger: closeLedgerPath(paths), dataDir: paths.dataDir, runId, restate: options.restate }), (r) => ({ detail: r.detail }));
    await step('record run ledger', () => recordRunsInWarehouse(wh!, readRuns(paths.ledger, runId), runId));
    await step('checkpoint warehouse', async () => {
      await wh!.exec('CHECKPOINT');
      await wh!.close();
      wh = undefined;
    });
    if (config.buildExports) {
      const exported = await step(
        'regulator exports',
        () =>
          writeExports(release.warehouse, join(release.dir, 'exports'), runId, dates, {
            pdf: config.exportPdf === 'optional' ? 'optional' : true,
            pdfFix: addPdfCommand(config, options.configFile, dates[dates.length - 1]!),
            rejectLimits: config.rejectLimits,
            configFile: options.configFile ?? 'cq.config.json',
            institution: config.institution,
            signatories: config.signatories,
          }),
        (r) => ({ detail: r.detail }),
      );
      pdfSkipped = exported.pdfSkipped;
      for (const s of pdfSkipped ?? []) warn(`PDF skipped for ${s.month} (exportPdf "optional"): ${s.reason} ${config.buildSite ? 'The site and the XLSX/CSV package are' : 'The XLSX/CSV package is'} published. Add the PDF: ${s.fix}`);
      // The monthly report book of the latest month (needs Chromium, like the package PDF).
      if (!pdfSkipped?.length) {
        const book = { warehouse: release.warehouse, outDir: release.book, runId, dates, institution: config.institution, signatories: config.signatories, rejectLimits: config.rejectLimits };
        await step('report book', () => nightlyReportBook(book), (r) => ({ detail: r.detail }));
      }
    }
    await step('branch lists', () => nightlyBranchLists({ warehouse: release.warehouse, outDir: release.lists, runId, dates, ids: config.branchListIds, memoryLimit: config.memoryLimit }), (r) => ({ detail: r.detail }));
    if (config.buildSite) {
      const audiences = config.siteAudiences.branchSites ? { out: release.audienceSites, share: config.siteAudiences.shareWithBranches } : undefined;
      await step('build site', () => buildSite(release.warehouse, release.site, join(paths.logsDir, `site-${runId}.log`), audiences), (detail) => (detail ? { detail } : {}));
    }
    const published = await step('publish', async () => publishRelease(paths, runId, access));
    closes.commit(); // restated months are re-closed once their figures are live
    appendLedger(paths.ledger, { type: 'run_finished', run_id: runId, at: new Date().toISOString(), status: 'succeeded', ...(warnings.length ? { warnings } : {}) });
    const result: NightlyResult = { runId, status: 'succeeded', businessDates: dates, steps, release: published.dir, ...(warnings.length ? { warnings } : {}), ...(pdfSkipped ? { pdfSkipped } : {}) };
    await notify(config, paths, { runId, status: 'succeeded', businessDates: dates, steps, logFile, ...(warnings.length ? { warnings } : {}), ...(pdfSkipped ? { pdfSkipped } : {}) });
    print(`published ${published.dir}`);
    return result;
  } catch (e) {
    const error = e instanceof CqError ? e : new CqError('RUN_FAILED', e instanceof Error ? e.message : String(e), {}, { cause: e });
    if (wh) await wh.close().catch(() => undefined);
    appendLedger(paths.ledger, { type: 'run_finished', run_id: runId, at: new Date().toISOString(), status: 'failed', error: error.message.slice(0, 4000), ...(currentStep ? { failed_step: currentStep } : {}) });
    log({ level: 'error', event: 'run_failed', step: currentStep, code: error.code, error: error.message });
    pruneReleases(paths);
    await notify(config, paths, { runId, status: 'failed', businessDates: dates, steps, logFile, failedStep: currentStep, error });
    return { runId, status: 'failed', businessDates: dates, steps, error };
  } finally {
    try {
      for (const p of [logFile, join(paths.logsDir, `site-${runId}.log`), paths.ledger]) securePath(p, access);
    } catch (e) {
      print(`warning: ${(e as Error).message}`);
    } finally {
      lock.release();
    }
  }
}

const TAKEOVER_REASONS: Record<NonNullable<HeldLock['takeover']>['reason'], string> = {
  dead: 'its process is gone',
  'pid-reused': 'its PID now belongs to another process (different start time)',
  rebooted: 'the machine rebooted since (different boot id)',
  unreadable: 'the lock file was empty or unreadable',
};

/** The outcome fields of a status.json, kept as `previous` while a run is running. */
function statusSummary(status: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!status) return null;
  const keys = ['run_id', 'status', 'started_at', 'finished_at', 'business_dates', 'failed_step', 'error_code', 'error'];
  return Object.fromEntries(keys.filter((k) => k in status).map((k) => [k, status[k]]));
}

/**
 * The one command that adds a skipped PDF: install Chromium, then re-run the night's latest date
 * (same folders, named explicitly, and the same config file), which re-exports its month and
 * publishes the package with its PDF.
 *
 * @example
 * addPdfCommand(DEFAULT_CONFIG, undefined, '2026-10-31');
 * // 'npm run browser:install && npm run nightly -- --extracts data/extracts --data data --date 2026-10-31 --force'
 */
export function addPdfCommand(config: NightlyConfig, configFile: string | undefined, latestDate: string): string {
  const flags = [
    '--extracts',
    config.extractsDir,
    '--data',
    config.dataDir,
    ...(configFile && configFile !== 'cq.config.json' ? ['--config', configFile] : []),
    ...(config.buildSite ? [] : ['--no-site']),
    '--date',
    latestDate,
    '--force',
  ];
  return `${CHROMIUM_INSTALL_COMMAND} && npm run nightly -- ${flags.join(' ')}`;
}

/** Business dates already loaded in a published warehouse (read-only). */
async function loadedDates(warehouse: string): Promise<string[]> {
  if (!existsSync(warehouse)) return [];
  const wh = await openWarehouse(warehouse, { readOnly: true });
  try {
    const rows = await wh.all<{ d: string }>(`SELECT DISTINCT strftime(business_date, '%Y-%m-%d') AS d FROM ops.load_audit ORDER BY 1`);
    return rows.map((r) => r.d);
  } catch {
    return [];
  } finally {
    await wh.close();
  }
}

/**
 * Runs `cq site:build` in a child process (Evidence needs ~3 GB; keep it out of this process), by
 * absolute paths, so the night works from any working folder; with `audiences`, the same child
 * derives the branch sites from the head-office site (audience-sites.ts).
 */
async function buildSite(warehouse: string, out: string, logPath: string, audiences?: { out: string; share: 'book' | 'none' }): Promise<string | undefined> {
  const args = ['--warehouse', warehouse, '--out', out, ...(audiences ? ['--audience-sites', audiences.out, '--share-with-branches', audiences.share] : [])];
  const child = spawn(process.execPath, cqProcessArgs('site:build', args), { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => chunks.push(d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  writeFileSync(logPath, chunks.join(''));
  if (code !== 0) {
    const tail = chunks.join('').trim().split('\n').slice(-15).join('\n');
    throw new CqError('RUN_FAILED', `the Evidence site build failed (exit ${code}); full output in ${logPath}. Last lines:\n${tail}`, { file: logPath });
  }
  // The step's line: pages, and the branch sites with their isolation scan (audience-sites.ts).
  const output = chunks.join('');
  const pages = /\[build-site\] OK: (\d+) page/.exec(output)?.[1];
  const sites = /\[audience-sites\] OK: (\d+) branch site/.exec(output)?.[1];
  const scanned = /\[audience-sites\] isolation: \d+ sites scanned for (\d+) values/.exec(output)?.[1];
  return [pages && `${pages} pages`, sites && `${sites} branch sites`, scanned && `isolation scan: ${Number(scanned).toLocaleString('en')} values of other branches, none found`].filter(Boolean).join('; ') || undefined;
}

export type { NightlyPaths };
