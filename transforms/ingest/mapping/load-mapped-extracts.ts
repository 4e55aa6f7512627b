import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENTITIES, type EntityContract } from '../contract/index.js';
import { quoteLiteral } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import { listBusinessDates, readDateManifest, type DateManifest, type ExtractEncoding, type ExtractFile } from '../load/extract-files.js';
import { hashFile } from '../load/file-scan.js';
import { loadBusinessDate, type BusinessDateLoad } from '../load/load-business-date.js';
import type { FileLoadResult } from '../load/load-entity-file.js';
import { loadNativeDates } from '../load/load-native-dates.js';
import { checkCompiledEntity } from './check-compiled-entity.js';
import { compileEntity, prepareCompiledEntity, type CompiledEntity } from './entity-relation.js';
import { mappingError } from './mapping-errors.js';
import { MAPPING_RECORDS_DDL, writeMappingRecords } from './mapping-records.js';
import type { MappingSpec } from './mapping-types.js';
import { vetExpression } from './expression-grammar.js';
import { checkManifestMappingName, locateSourceFile, mappingsDir, resolveManifestMapping, resolveMappingFile } from './mapping-location.js';
import { copyTableToSandbox, openMappingSandbox, type MappingSandbox } from './mapping-sandbox.js';
import { readMapping } from './read-mapping.js';
import { dropStaged, stageSource, type StagedSource } from './stage-source.js';

/** Options for {@link loadExtractsWithMappings}. */
export interface MappedLoadOptions {
  /**
   * Mapping name or file given by the operator (`--mapping`); default: the extracts folder's or
   * each date folder's manifest.json `mapping`, which may only be a name in the mappings folder.
   */
  mapping?: string;
  /** The mappings folder names resolve in; default: `CQ_MAPPINGS_DIR`, else the repository's `policy/mappings/`. */
  mappingsDir?: string;
  /** Load only these business dates. */
  dates?: string[];
  loadId?: string;
  onDate?: (load: BusinessDateLoad) => void;
  onFile?: (result: FileLoadResult) => void;
}

/** One business date to load: natively, or through a mapping. */
interface DatePlan {
  date: string;
  mapped: { spec: MappingSpec; sourceDir: string; vars: Record<string, string>; manifest: DateManifest } | null;
}

/** Resolves a mapping named by a manifest (delivery input: names only) or by the operator (`--mapping`: a name or a path). */
function mappingFileOf(options: MappedLoadOptions, manifest: DateManifest, manifestDir: string): string | null {
  const dir = mappingsDir(options.mappingsDir);
  const manifestPath = join(manifestDir, 'manifest.json');
  if (options.mapping) {
    // --mapping wins, but a manifest that names a path is refused all the same: it is not a delivery we trust.
    if (manifest.mapping !== undefined) checkManifestMappingName(manifest.mapping, manifestPath, dir);
    return resolveMappingFile(options.mapping, dir);
  }
  return manifest.mapping === undefined ? null : resolveManifestMapping(manifest.mapping, manifestPath, dir);
}

/**
 * Loads extracts in any lender's layout. With a mapping (`--mapping NAME`, or `mapping` in
 * manifest.json) each business date's source files are turned into the contract by the
 * mapping and loaded by the ordinary loader (`loadBusinessDate` with `locate`/`prepare`
 * hooks), so contract checks, rejects, audit and reconciliation are those of native extracts;
 * rejects name the source column. Every mapping error (bad mapping, unknown source column,
 * untranslatable code, failing expression) is raised for all dates BEFORE any row is loaded.
 * Without any mapping this is exactly `loadNativeDates`.
 *
 * Layouts: a mapping that declares `business_dates` reads its source files straight from the
 * extracts folder (e.g. `datasets/public`); otherwise the folder holds one
 * YYYY-MM-DD folder per business date with the source files inside.
 *
 * @example
 * const loads = await loadExtractsWithMappings(wh, 'datasets/public', { mapping: 'lending-club' });
 */
export async function loadExtractsWithMappings(wh: WarehouseHandle, extractsDir: string, options: MappedLoadOptions = {}): Promise<BusinessDateLoad[]> {
  const plans = planDates(extractsDir, options);
  if (plans.every((p) => p.mapped === null)) {
    return loadNativeDates(wh, extractsDir, {
      replaceDate: clearMappingRecords,
      ...(options.dates ? { dates: options.dates } : {}),
      ...(options.loadId ? { loadId: options.loadId } : {}),
      ...(options.onDate ? { onDate: options.onDate } : {}),
      ...(options.onFile ? { onFile: options.onFile } : {}),
    });
  }
  return loadPlans(wh, extractsDir, plans, options);
}

/**
 * Deletes the records a mapping kept for a business date (every `ops.mapping_*` table with a
 * `business_date`); the loader runs it inside the date's transaction, so re-loading a date,
 * natively or through a mapping, replaces them.
 *
 * @example
 * await loadBusinessDate(wh, 'data/extracts', '2026-10-31', { replaceDate: clearMappingRecords });
 * // DELETE FROM ops.mapping_… WHERE business_date = DATE '2026-10-31'
 */
export async function clearMappingRecords(wh: WarehouseHandle, businessDate: string): Promise<void> {
  const tables = await wh.all<{ table_name: string }>(
    `SELECT DISTINCT table_name FROM information_schema.columns WHERE table_schema = 'ops' AND starts_with(table_name, 'mapping_') AND column_name = 'business_date'`,
  );
  for (const t of tables) await wh.exec(`DELETE FROM ops.${t.table_name} WHERE business_date = DATE ${quoteLiteral(businessDate)}`);
}

/**
 * Loads one business-date folder whose manifest.json names a mapping (see `loadDate` in
 * transforms/ingest/load-extracts.ts, which picks this or the native loader).
 *
 * @example
 * await loadMappedBusinessDate(wh, 'data/extracts', '2026-10-31');
 */
export async function loadMappedBusinessDate(
  wh: WarehouseHandle,
  extractsDir: string,
  businessDate: string,
  options: Omit<MappedLoadOptions, 'dates' | 'onDate'> = {},
): Promise<BusinessDateLoad> {
  const dateDir = join(extractsDir, businessDate);
  const manifest = readDateManifest(dateDir);
  const file = mappingFileOf(options, manifest, dateDir);
  if (!file) throw new CqError('INTERNAL', `${dateDir}: no mapping named (manifest.json has no "mapping").`, { file: dateDir });
  const spec = readMapping(file);
  if (spec.businessDates) throw flatMappingInDateFolder(spec, dateDir);
  const [load] = await loadPlans(wh, extractsDir, [{ date: businessDate, mapped: { spec, sourceDir: dateDir, vars: { business_date: businessDate }, manifest } }], options);
  return load!;
}

async function loadPlans(wh: WarehouseHandle, extractsDir: string, plans: DatePlan[], options: MappedLoadOptions): Promise<BusinessDateLoad[]> {
  const tempDir = mkdtempSync(join(tmpdir(), 'cq-map-'));
  const staged = new Map<string, StagedSource>();
  const hashes = new Map<string, { sha256: string; bytes: number }>();
  let sandbox: MappingSandbox | undefined;
  try {
    // Every piece of SQL text from a mapping runs in a locked-down DuckDB of its own (mapping-sandbox.ts).
    sandbox = await openMappingSandbox(join(tempDir, 'sandbox'), wh);
    const box = sandbox;
    const vetted = new Map<string, Promise<string>>();
    // 1. Everything a mapping can get wrong is found here, for every date, before the first write.
    const rowsByDate = new Map<string, { compiled: CompiledEntity[]; parquet: Map<string, string> }>();
    for (const [dateIndex, plan] of plans.entries()) {
      if (!plan.mapped) continue;
      const { spec, sourceDir, vars, manifest } = plan.mapped;
      const vet = (expr: string, key: string) => {
        const id = `${spec.path}\u0000${key}\u0000${expr}`;
        if (!vetted.has(id)) vetted.set(id, vetExpression(box, spec, key, expr));
        return vetted.get(id)!;
      };
      if (!hashes.has(spec.path)) hashes.set(spec.path, await hashFile(spec.path));
      const bySource = new Map<string, StagedSource>();
      for (const em of Object.values(spec.entities)) {
        if (em.kind !== 'source' || bySource.has(em.from!) || (em.dates && !em.dates.includes(plan.date))) continue;
        const source = spec.sources[em.from!]!;
        const file = locateSourceFile(spec, source, sourceDir, extractsDir);
        const encoding: ExtractEncoding = source.encoding ?? (typeof manifest.encoding === 'string' ? manifest.encoding : manifest.encoding?.[source.file]) ?? 'utf-8';
        const cacheKey = `${file.realPath}\u0000${file.path}\u0000${encoding}\u0000${source.nullValues.join('\u0000')}`;
        if (!staged.has(cacheKey)) {
          const s = await stageSource(wh, source, file, encoding, tempDir, staged.size);
          staged.set(cacheKey, s);
          await copyTableToSandbox(wh, box, s.table);
        }
        bySource.set(em.from!, staged.get(cacheKey)!);
      }
      const compiled: CompiledEntity[] = [];
      // An optional entity (fx_rates) the mapping does not produce is simply not delivered.
      for (const e of ENTITIES as readonly EntityContract[]) if (!e.optional || spec.entities[e.name]) compiled.push(await compileEntity(spec, e, plan.date, vars, bySource, vet));
      const parquet = new Map<string, string>();
      for (const [i, c] of compiled.entries()) parquet.set(c.entity.name, await checkCompiledEntity(box, spec, c, `rel-${dateIndex}-${i}`));
      rowsByDate.set(plan.date, { compiled, parquet });
    }
    sandbox.close();
    sandbox = undefined;
    await wh.exec(MAPPING_RECORDS_DDL);

    // 2. Load date by date; each date is atomic (the loader's transaction). The warehouse only reads the rows computed above.
    const loads: BusinessDateLoad[] = [];
    for (const [dateIndex, plan] of plans.entries()) {
      let load: BusinessDateLoad;
      if (!plan.mapped) {
        load = await loadBusinessDate(wh, extractsDir, plan.date, {
          replaceDate: clearMappingRecords,
          ...(options.loadId ? { loadId: options.loadId } : {}),
          ...(options.onFile ? { onFile: options.onFile } : {}),
        });
      } else {
        const { spec } = plan.mapped;
        const { compiled, parquet } = rowsByDate.get(plan.date)!;
        const tables = new Map(compiled.map((c, i) => [c.entity.name, `_map_rel_${dateIndex}_${i}`]));
        const files = new Map<string, ExtractFile>(compiled.map((c) => [c.entity.name, extractFileOf(spec, c)]));
        try {
          load = await loadBusinessDate(wh, extractsDir, plan.date, {
            replaceDate: clearMappingRecords,
            ...(options.loadId ? { loadId: options.loadId } : {}),
            ...(options.onFile ? { onFile: options.onFile } : {}),
            locate: (_dateDir, entities) => entities.flatMap((e) => files.get(e.name) ?? []),
            prepare: async (w, located) =>
              Promise.all(
                located.map((f) => {
                  const c = compiled.find((x) => x.entity.name === f.entity.name)!;
                  return prepareCompiledEntity(w, spec, c, f, tables.get(f.entity.name)!, hashes.get(spec.path)!, parquet.get(f.entity.name)!);
                }),
              ),
            beforeCommit: (w, l) => writeMappingRecords(w, spec, l, compiled, tables),
          });
        } finally {
          for (const t of tables.values()) await wh.exec(`DROP TABLE IF EXISTS ${t}; DROP TABLE IF EXISTS ${t}_rej_err;`);
        }
      }
      loads.push(load);
      options.onDate?.(load);
    }
    return loads;
  } finally {
    sandbox?.close();
    await dropStaged(wh, staged.values());
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Which dates to load and how (natively, or through which mapping). */
function planDates(extractsDir: string, options: MappedLoadOptions): DatePlan[] {
  if (!existsSync(extractsDir)) {
    throw new CqError('EXTRACT_DIR_MISSING', `extracts directory ${extractsDir} does not exist. Fix: pass --extracts DIR.`, { file: extractsDir });
  }
  const topManifest = readDateManifest(extractsDir);
  const cache = new Map<string, MappingSpec>();
  const specOf = (path: string) => {
    if (!cache.has(path)) cache.set(path, readMapping(path));
    return cache.get(path)!;
  };
  const topFile = mappingFileOf(options, topManifest, extractsDir);
  const spec = topFile ? specOf(topFile) : null;
  let plans: DatePlan[];
  if (spec?.businessDates) {
    const declared = spec.businessDates.map((b) => b.date);
    for (const d of options.dates ?? []) {
      if (!declared.includes(d)) {
        throw new CqError('CLI_USAGE', `--date ${d}: mapping ${spec.name} declares business dates ${declared.join(', ')} only.`, { file: spec.path, key: 'business_dates' });
      }
    }
    plans = spec.businessDates
      .filter((b) => !options.dates || options.dates.includes(b.date))
      .map((b) => ({ date: b.date, mapped: { spec, sourceDir: extractsDir, vars: { ...b.vars, business_date: b.date }, manifest: topManifest } }));
  } else {
    const available = listBusinessDates(extractsDir);
    for (const d of options.dates ?? []) {
      if (!available.includes(d)) throw new CqError('EXTRACT_MISSING_FILE', `${extractsDir}/${d}: no such business-date folder.`, { file: `${extractsDir}/${d}` });
    }
    const dates = (options.dates ?? available).slice().sort();
    if (dates.length === 0) {
      throw new CqError(
        'EXTRACT_NO_DATES',
        `${extractsDir}: no business-date folders (YYYY-MM-DD) found${spec ? ` and mapping ${spec.name} declares no business_dates` : ''}. Fix: point --extracts at the folder that holds them${spec ? ', or declare business_dates in the mapping' : ''}.`,
        { file: extractsDir },
      );
    }
    plans = dates.map((date) => {
      const dateDir = join(extractsDir, date);
      const manifest = readDateManifest(dateDir);
      const file = mappingFileOf(spec ? { ...options, mapping: spec.path } : options, manifest, dateDir);
      const s = file ? specOf(file) : null;
      if (s?.businessDates) throw flatMappingInDateFolder(s, dateDir);
      return { date, mapped: s ? { spec: s, sourceDir: dateDir, vars: { business_date: date }, manifest } : null };
    });
  }
  return plans;
}

function flatMappingInDateFolder(spec: MappingSpec, dateDir: string): CqError {
  return mappingError(
    'MAPPING_INVALID',
    spec,
    'business_dates',
    `${join(dateDir, 'manifest.json')} names this mapping for one business-date folder, but the mapping declares its own business_dates (a flat layout). Fix: drop business_dates from the mapping, or load the flat folder with --mapping.`,
  );
}

function extractFileOf(spec: MappingSpec, c: CompiledEntity): ExtractFile {
  if (c.kind === 'source' && c.staged) return { entity: c.entity, path: c.staged.path, format: 'csv', encoding: c.staged.encoding };
  return { entity: c.entity, path: spec.path, format: 'mapping', encoding: 'utf-8' };
}
