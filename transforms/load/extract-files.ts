import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ENTITIES, type EntityContract } from '../contract/index.js';
import { CqError } from '../lib/errors.js';

/** Supported text encodings of CSV extracts. */
export type ExtractEncoding = 'utf-8' | 'gb18030';

/** One extract file located for an entity and business date. */
export interface ExtractFile {
  entity: EntityContract;
  path: string;
  /** `mapping`: rows made by a mapping file itself (constants, or an entity the source lacks); `path` is the mapping file. */
  format: 'csv' | 'parquet' | 'mapping';
  encoding: ExtractEncoding;
}

/** The optional `manifest.json` of a business-date folder. */
export interface DateManifest {
  /** Encoding of every CSV in the folder, or per file name. Default utf-8. */
  encoding?: ExtractEncoding | Record<string, ExtractEncoding>;
  /** Name of a mapping (mappings/<name>.yaml) that turns a foreign layout into the contract. */
  mapping?: string;
}

const DATE_DIR = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Lists the business dates present in an extracts directory (folders named YYYY-MM-DD), sorted.
 *
 * @example
 * listBusinessDates('data/extracts'); // ['2024-11-30', '2024-12-31', ...]
 */
export function listBusinessDates(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CqError('EXTRACT_DIR_MISSING', `extracts directory ${dir} does not exist. Fix: pass --extracts DIR with one folder per business date (YYYY-MM-DD), see docs/extracts.md.`, { file: dir });
  }
  const dates = readdirSync(dir)
    .filter((d) => DATE_DIR.test(d) && statSync(join(dir, d)).isDirectory())
    .sort();
  for (const d of dates) {
    if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
      throw new CqError('EXTRACT_NO_DATES', `${join(dir, d)}: folder name is not a real date. Fix: rename it to the business date YYYY-MM-DD.`, { file: join(dir, d) });
    }
  }
  return dates;
}

/** Reads and checks `<dateDir>/manifest.json` (absent = defaults). */
export function readDateManifest(dateDir: string): DateManifest {
  const path = join(dateDir, 'manifest.json');
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CqError('EXTRACT_MANIFEST', `${path}: not valid JSON (${(e as Error).message}). Fix: e.g. {"encoding": "gb18030"}.`, { file: path });
  }
  const m = parsed as DateManifest;
  const check = (enc: unknown, where: string) => {
    if (enc !== 'utf-8' && enc !== 'gb18030') {
      throw new CqError('EXTRACT_MANIFEST', `${path}: ${where} must be "utf-8" or "gb18030", got ${JSON.stringify(enc)}.`, { file: path, key: where });
    }
  };
  if (typeof m.encoding === 'string') check(m.encoding, 'encoding');
  else if (m.encoding && typeof m.encoding === 'object') for (const [k, v] of Object.entries(m.encoding)) check(v, `encoding.${k}`);
  else if (m.encoding !== undefined) check(m.encoding, 'encoding');
  if (m.mapping !== undefined && (typeof m.mapping !== 'string' || m.mapping.trim() === '')) {
    throw new CqError('EXTRACT_MANIFEST', `${path}: mapping must be the name of a mapping in mappings/ (e.g. "lending-club"), got ${JSON.stringify(m.mapping)}.`, { file: path, key: 'mapping' });
  }
  return m;
}

/**
 * Locates one file per contract entity in a business-date folder: `<entity>.csv` or
 * `<entity>.parquet`. A missing file, or both formats at once, is a structural error.
 *
 * @example
 * const files = locateExtractFiles('data/extracts/2026-10-31');
 */
export function locateExtractFiles(dateDir: string, entities: readonly EntityContract[] = ENTITIES): ExtractFile[] {
  const manifest = readDateManifest(dateDir);
  const present = new Set(readdirSync(dateDir));
  return entities.map((entity) => {
    const csv = `${entity.name}.csv`;
    const parquet = `${entity.name}.parquet`;
    if (present.has(csv) && present.has(parquet)) {
      throw new CqError('EXTRACT_DUPLICATE_FILE', `${join(dateDir, csv)} and ${parquet} both exist. Fix: deliver one file per entity per business date.`, { file: join(dateDir, csv) });
    }
    if (!present.has(csv) && !present.has(parquet)) {
      throw new CqError(
        'EXTRACT_MISSING_FILE',
        `${join(dateDir, csv)}: missing. Every business date needs all ${entities.length} entity files (an empty file with only the header is fine). Fix: re-deliver the ${entity.name} extract.`,
        { file: join(dateDir, csv) },
      );
    }
    const name = present.has(csv) ? csv : parquet;
    const encoding = typeof manifest.encoding === 'string' ? manifest.encoding : (manifest.encoding?.[name] ?? 'utf-8');
    return { entity, path: join(dateDir, name), format: present.has(csv) ? 'csv' : 'parquet', encoding };
  });
}
