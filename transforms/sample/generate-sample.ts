import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityName } from '../ingest/contract/index.js';
import { openWarehouse } from '../lib/duckdb.js';
import { CqError } from '../lib/errors.js';
import { sampleCalendar } from './calendar.js';
import { customerTimelineSql } from './customer-timeline.js';
import { creditFileEventsSql } from './credit-file-events.js';
import { customerUniverseSql } from './customer-universe.js';
import { extractSelectSql, LOAN_LEVEL_ENTITIES } from './extract-queries.js';
import { injectFault, type FaultResult } from './faults.js';
import { loanUniverseSql } from './loan-universe.js';
import { simulateLoans } from './loan-simulation.js';
import { resolveOptions, type GenerateOptions } from './options.js';
import { installMacros } from './sql-macros.js';
import { verificationEventsSql } from './verification-events.js';
import { warningEventsSql } from './warning-events.js';
import { extractFileName, writeExtractFile, writeManifest } from './write-extract.js';

/** What `generateSample` wrote. */
export interface GenerateSummary {
  /** Output directory. */
  out: string;
  /** Business dates written, oldest first. */
  dates: string[];
  /** Rows per entity per business date (before fault injection). */
  rows: Record<EntityName, Record<string, number>>;
  /** Rows per entity over all dates. */
  totals: Record<EntityName, number>;
  /** Files written (extracts and manifests). */
  files: number;
  /** Bytes of all files written (after fault injection). */
  bytes: number;
  /** Faults injected into the last date, in the order applied. */
  faults: FaultResult[];
  elapsedSeconds: number;
  /** Peak resident set size of this process so far, in bytes. */
  peakRssBytes: number;
}

const DATE_DIR = /^\d{4}-\d{2}-\d{2}$/;

async function prepareOut(out: string, overwrite: boolean): Promise<void> {
  const existing = await readdir(out).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    if (e.code === 'ENOTDIR') throw new CqError('CLI_USAGE', `--out ${out} is a file, not a directory.`);
    throw e;
  });
  const dateDirs = existing.filter((n) => DATE_DIR.test(n));
  if (dateDirs.length > 0) {
    if (!overwrite)
      throw new CqError(
        'CLI_USAGE',
        `--out ${out} already holds extracts (${dateDirs.slice(0, 3).join(', ')}${dateDirs.length > 3 ? ', …' : ''}). ` +
          'Choose an empty directory or pass --overwrite to replace them.',
      );
    for (const d of dateDirs) await rm(join(out, d), { recursive: true, force: true });
  }
  await mkdir(out, { recursive: true });
}

async function directoryBytes(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await directoryBytes(p);
      files += sub.files;
      bytes += sub.bytes;
    } else {
      files++;
      bytes += (await stat(p)).size;
    }
  }
  return { files, bytes };
}

/**
 * Generates a deterministic sample of lender extracts: `<out>/<YYYY-MM-DD>/<entity>.csv` for every
 * month end of the window, every contract entity per date. Same options → byte-identical files.
 * Everything is computed in DuckDB SQL (no per-row JavaScript) with bounded memory (`memoryLimit`,
 * spilling to a temporary folder that is deleted afterwards), so a million customers over 24
 * months take minutes, not hours. How the book behaves is set in model-parameters.ts; the
 * month-by-month loan state machine is in loan-simulation.ts.
 *
 * @example
 * const summary = await generateSample({ customers: 200, months: 4, seed: 7, out: 'tmp/extracts' });
 * summary.totals.loans; // e.g. 390
 */
export async function generateSample(options: GenerateOptions): Promise<GenerateSummary> {
  const o = resolveOptions(options);
  const started = performance.now();
  const calendar = sampleCalendar(o.startMonth, o.months);
  const shape = { customers: o.customers, calendar };
  await prepareOut(o.out, o.overwrite);

  const ownWorkDir = o.workDir === undefined;
  const workDir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'cq-generate-')));
  const spill = join(workDir, `generate-spill-${process.pid}`);
  await mkdir(workDir, { recursive: true });
  // In-memory work database: no WAL or checkpoints; beyond memoryLimit DuckDB spills to `spill`.
  const wh = await openWarehouse(':memory:', { memoryLimit: o.memoryLimit, tempDirectory: spill });
  const rows = Object.fromEntries(ENTITIES.map((e) => [e.name, {}])) as Record<EntityName, Record<string, number>>;
  const lap = (() => {
    let t = performance.now();
    return (what: string) => {
      const now = performance.now();
      o.onProgress(`${what} (${((now - t) / 1000).toFixed(1)} s)`);
      t = now;
    };
  })();
  const writeFiles = async (m: number, entities: readonly EntityName[]) => {
    const date = calendar.dates[m - calendar.first]!;
    const dateDir = join(o.out, date);
    await mkdir(dateDir, { recursive: true });
    for (const name of entities) {
      const sql = extractSelectSql(name, m, calendar, o.format);
      rows[name][date] = await writeExtractFile(wh, sql, join(dateDir, extractFileName(name, o.format)), o);
    }
  };
  try {
    await installMacros(wh, o.seed);
    // Every derived table is a set (rows never depend on scan order) and every file is written
    // with ORDER BY its key, so insertion order need not be kept while building.
    await wh.exec('SET preserve_insertion_order = false');
    await wh.exec(customerUniverseSql(shape));
    await wh.exec(loanUniverseSql(shape));
    lap('customers and loan contracts drawn');
    await simulateLoans(wh, calendar, async (m) => {
      await writeFiles(m, LOAN_LEVEL_ENTITIES);
      lap(`${calendar.dates[m - calendar.first]} loan files written`);
    });
    await wh.exec(customerTimelineSql(calendar));
    await wh.exec(warningEventsSql(calendar));
    await wh.exec(verificationEventsSql(calendar));
    await wh.exec(creditFileEventsSql(calendar));
    lap('customer histories and events derived');
    const others = ENTITIES.map((e) => e.name).filter((n) => !LOAN_LEVEL_ENTITIES.includes(n));
    for (let m = calendar.first; m <= calendar.last; m++) {
      await writeFiles(m, others);
      if (o.format === 'csv' && o.encoding !== 'utf-8') await writeManifest(join(o.out, calendar.dates[m - calendar.first]!), o.encoding);
    }
    lap('customer and reference files written');
  } finally {
    await wh.close();
    await rm(ownWorkDir ? workDir : spill, { recursive: true, force: true });
  }

  const faults: FaultResult[] = [];
  for (const name of o.faults) faults.push(await injectFault(o.out, name));

  const totals = Object.fromEntries(
    ENTITIES.map((e) => [e.name, Object.values(rows[e.name]).reduce((s, n) => s + n, 0)]),
  ) as Record<EntityName, number>;
  let files = 0;
  let bytes = 0;
  for (const date of calendar.dates) {
    const d = await directoryBytes(join(o.out, date));
    files += d.files;
    bytes += d.bytes;
  }
  return {
    out: o.out,
    dates: [...calendar.dates],
    rows,
    totals,
    files,
    bytes,
    faults,
    elapsedSeconds: (performance.now() - started) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}
