import { lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityContract } from '../contract/index.js';
import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { locateExtractFiles, resolveInsideDelivery, type ExtractFile } from './extract-files.js';
import { dropStaged, loadStagedFile, prepareFile, stageFile, type FileLoadResult, type PreparedFile, type StagedFile } from './load-entity-file.js';
import { ensureRawSchema } from './raw-schema.js';
import { sharedReferenceChecks } from './shared-reference-checks.js';

/** Outcome of loading one business date. */
export interface BusinessDateLoad {
  businessDate: string;
  loadId: string;
  files: FileLoadResult[];
  seconds: number;
}

/** Options for {@link loadBusinessDate}. */
export interface LoadDateOptions {
  loadId?: string;
  entities?: readonly EntityContract[];
  /** Turns the folder's files into contract-shaped relations (a mapping supplies this). Default: native files. */
  prepare?: (wh: WarehouseHandle, files: ExtractFile[], tempDir: string) => Promise<PreparedFile[]>;
  /** Where extract files are located. Default: `locateExtractFiles`. */
  locate?: (dateDir: string, entities: readonly EntityContract[]) => ExtractFile[];
  onFile?: (result: FileLoadResult) => void;
  /** Runs inside the date's transaction after the date's raw rows, rejects and audit are deleted: delete what else the date owns. */
  replaceDate?: (wh: WarehouseHandle, businessDate: string) => Promise<void>;
  /** Runs inside the date's transaction after every file is loaded (e.g. a mapping's own ops records). */
  beforeCommit?: (wh: WarehouseHandle, load: { businessDate: string; loadId: string; files: FileLoadResult[] }) => Promise<void>;
}

/**
 * Loads all extract files of one business date into `raw.*`, atomically: first every file is
 * checked for structure (present, inside the extracts folder, readable, encoding, line ends,
 * header, rows read when the file has rows) — a structural failure throws
 * before anything is written — then one transaction replaces that date's rows in every raw
 * table, `ops.rejected_rows` and `ops.load_audit`. Re-loading a date replaces it; it never
 * duplicates rows.
 *
 * @example
 * const result = await loadBusinessDate(wh, 'data/extracts', '2026-10-31');
 */
export async function loadBusinessDate(
  wh: WarehouseHandle,
  extractsDir: string,
  businessDate: string,
  options: LoadDateOptions = {},
): Promise<BusinessDateLoad> {
  const started = performance.now();
  const entities = options.entities ?? ENTITIES;
  const loadId = options.loadId ?? `L${businessDate.replaceAll('-', '')}-${new Date().toISOString().replace(/[-:.]/g, '').slice(0, 15)}`;
  const dateDir = join(extractsDir, businessDate);
  // The date folder must lie in the delivery: a link elsewhere is refused.
  // (A flat layout has no date folders: nothing to check then.)
  if (lstatSync(dateDir, { throwIfNoEntry: false })) resolveInsideDelivery(dateDir, extractsDir, 'business-date folder');
  const files = (options.locate ?? locateExtractFiles)(dateDir, entities);
  const tempDir = mkdtempSync(join(tmpdir(), 'cq-load-'));
  const staged: StagedFile[] = [];
  try {
    await ensureRawSchema(wh, entities);
    // Structural checks of every file before the first write.
    const prepared = options.prepare
      ? await options.prepare(wh, files, tempDir)
      : await Promise.all(files.map((f, i) => prepareFile(wh, f, tempDir, i)));
    // Typed and checked copies of every file, before the transaction (see stageFile).
    for (const [i, p] of prepared.entries()) staged.push(await stageFile(wh, p, i, businessDate));
    const results: FileLoadResult[] = [];
    await wh.exec('BEGIN TRANSACTION');
    try {
      const dateLit = `DATE ${lit(businessDate)}`;
      for (const e of [...entities].reverse()) await wh.exec(`DELETE FROM raw.${e.name} WHERE _business_date = ${dateLit}`);
      await wh.exec(`DELETE FROM ops.rejected_rows WHERE business_date = ${dateLit}; DELETE FROM ops.load_audit WHERE business_date = ${dateLit};`);
      // Records other modules keep per date (e.g. a mapping's ops.mapping_* tables) are replaced too.
      await options.replaceDate?.(wh, businessDate);
      const references = sharedReferenceChecks(wh, staged);
      for (const [i, st] of staged.entries()) {
        const r = await loadStagedFile(wh, st, { businessDate, loadId, checkedReferences: await references.forFile(i) });
        await dropStaged(wh, st);
        await wh.run(
          `INSERT INTO ops.load_audit VALUES ($1, ${dateLit}, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::TIMESTAMP, $14::TIMESTAMP)`,
          [
            loadId,
            r.entity,
            r.path,
            r.sha256,
            r.bytes,
            r.encoding,
            r.format,
            r.mapping,
            r.extraColumns.length ? r.extraColumns.join(',') : null,
            r.rowsRead,
            r.rowsLoaded,
            r.rowsRejected,
            r.startedAt.toISOString(),
            r.finishedAt.toISOString(),
          ] as never,
        );
        results.push(r);
        options.onFile?.(r);
      }
      await references.drop();
      await options.beforeCommit?.(wh, { businessDate, loadId, files: results });
      await wh.exec('COMMIT');
    } catch (e) {
      await wh.exec('ROLLBACK').catch(() => undefined);
      throw e;
    }
    return { businessDate, loadId, files: results, seconds: (performance.now() - started) / 1000 };
  } finally {
    for (const st of staged) await dropStaged(wh, st).catch(() => undefined);
    rmSync(tempDir, { recursive: true, force: true });
  }
}
