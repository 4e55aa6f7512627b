import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, isAbsolute } from 'node:path';
import { ENTITIES, type EntityContract } from '../contract/index.js';
import { CqError } from '../../lib/errors.js';

/** Supported text encodings of CSV extracts. */
export type ExtractEncoding = 'utf-8' | 'gb18030';

/** One extract file located for an entity and business date. */
export interface ExtractFile {
  entity: EntityContract;
  path: string;
  /** `mapping`: rows made by a mapping file itself (constants, or an entity the source lacks); `path` is the mapping file. */
  format: 'csv' | 'parquet' | 'mapping';
  encoding: ExtractEncoding;
  /**
   * The file's real path (symbolic links resolved), checked to lie inside the delivery folder
   * (see {@link resolveInsideDelivery}). Readers open this path, not `path`, so a link swapped
   * after the check is not followed. Absent for files not located by the loader (mappings).
   */
  realPath?: string;
}

/** The optional `manifest.json` of a business-date folder. */
export interface DateManifest {
  /** Encoding of every CSV in the folder, or per file name. Default utf-8. */
  encoding?: ExtractEncoding | Record<string, ExtractEncoding>;
  /** Name of a mapping (policy/mappings/<name>.yaml) that turns a foreign layout into the contract. */
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
  // A date-named symbolic link is listed even when it points outside the folder or nowhere:
  // loading that date then fails with EXTRACT_OUTSIDE_DELIVERY instead of the date vanishing silently.
  const dates = readdirSync(dir)
    .filter((d) => DATE_DIR.test(d) && (lstatSync(join(dir, d)).isSymbolicLink() || statSync(join(dir, d)).isDirectory()))
    .sort();
  for (const d of dates) {
    if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
      throw new CqError('EXTRACT_NO_DATES', `${join(dir, d)}: folder name is not a real date. Fix: rename it to the business date YYYY-MM-DD.`, { file: join(dir, d) });
    }
  }
  return dates;
}

/**
 * Resolves `path` (symbolic links and `..` included) and checks that it lies inside the delivery
 * folder `root` (itself resolved, so an extracts folder that is a link is fine). A link that
 * leads outside is refused with EXTRACT_OUTSIDE_DELIVERY; a link to nothing is a missing file.
 * Nothing of the target is read, and the message does not name it.
 *
 * @example
 * const real = resolveInsideDelivery('data/extracts/2026-10-31/loans.csv', 'data/extracts');
 */
export function resolveInsideDelivery(path: string, root: string, what = 'file'): string {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CqError(
        'EXTRACT_MISSING_FILE',
        isLink(path)
          ? `${path}: the ${what} is a symbolic link to nothing (its target does not exist). Fix: deliver the ${what} itself in the extracts folder ${root}.`
          : `${path}: missing. Fix: deliver the ${what} in the extracts folder ${root}.`,
        { file: path },
      );
    }
    throw new CqError('EXTRACT_UNREADABLE', `${path}: the ${what} cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'}). Fix: check its permissions, or re-deliver it.`, { file: path });
  }
  const rel = relative(realpathSync(root), real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new CqError(
      'EXTRACT_OUTSIDE_DELIVERY',
      `${path}: the ${what} is a symbolic link that leads outside the extracts folder ${root}; it is not read. Fix: deliver the ${what} itself (not a link to one elsewhere) in the extracts folder.`,
      { file: path },
    );
  }
  return real;
}

/**
 * Reads and checks `<dateDir>/manifest.json` (absent = defaults). The manifest must lie inside
 * `root` (default: the folder above `dateDir`, i.e. the extracts folder).
 */
export function readDateManifest(dateDir: string, root: string = dirname(dateDir)): DateManifest {
  const path = join(dateDir, 'manifest.json');
  if (!existsSync(path) && !isLink(path)) return {};
  const real = resolveInsideDelivery(path, root, 'manifest');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(real, 'utf8'));
  } catch (e) {
    // Node's message quotes the start of the text: keep only where the error is.
    const at = /position (\d+)/.exec((e as Error).message);
    throw new CqError('EXTRACT_MANIFEST', `${path}: not valid JSON${at ? ` (at character ${at[1]})` : ''}. Fix: e.g. {"encoding": "gb18030"}.`, { file: path });
  }
  const m = parsed as DateManifest;
  const check = (enc: unknown, where: string) => {
    if (enc !== 'utf-8' && enc !== 'gb18030') {
      const got = JSON.stringify(enc) ?? String(enc);
      throw new CqError('EXTRACT_MANIFEST', `${path}: ${where} must be "utf-8" or "gb18030", got ${got.length > 40 ? `${got.slice(0, 40)}…` : got}.`, { file: path, key: where });
    }
  };
  if (typeof m.encoding === 'string') check(m.encoding, 'encoding');
  else if (m.encoding && typeof m.encoding === 'object') for (const [k, v] of Object.entries(m.encoding)) check(v, `encoding.${k}`);
  else if (m.encoding !== undefined) check(m.encoding, 'encoding');
  if (m.mapping !== undefined && (typeof m.mapping !== 'string' || m.mapping.trim() === '')) {
    throw new CqError('EXTRACT_MANIFEST', `${path}: mapping must be the name of a mapping in policy/mappings/ (e.g. "lending-club"), got ${(JSON.stringify(m.mapping) ?? '').slice(0, 40)}.`, { file: path, key: 'mapping' });
  }
  return m;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Locates one file per contract entity in a business-date folder: `<entity>.csv` or
 * `<entity>.parquet`. A missing file (of a required entity), or both formats at once, is a
 * structural error; an `optional` entity without a file is left out of the result. The folder
 * and every file must resolve (symbolic links followed) inside the extracts folder above the
 * date folder, and each file must be a regular file (see {@link resolveInsideDelivery}).
 *
 * @example
 * const files = locateExtractFiles('data/extracts/2026-10-31');
 */
export function locateExtractFiles(dateDir: string, entities: readonly EntityContract[] = ENTITIES): ExtractFile[] {
  const root = dirname(dateDir);
  resolveInsideDelivery(dateDir, root, 'business-date folder');
  const manifest = readDateManifest(dateDir, root);
  const present = new Set(readdirSync(dateDir));
  const required = entities.filter((e) => !e.optional).length;
  // An optional entity (fx_rates) left out of the delivery is simply not loaded for this date.
  const delivered = entities.filter((e) => !e.optional || present.has(`${e.name}.csv`) || present.has(`${e.name}.parquet`));
  return delivered.map((entity) => {
    const csv = `${entity.name}.csv`;
    const parquet = `${entity.name}.parquet`;
    if (present.has(csv) && present.has(parquet)) {
      throw new CqError('EXTRACT_DUPLICATE_FILE', `${join(dateDir, csv)} and ${parquet} both exist. Fix: deliver one file per entity per business date.`, { file: join(dateDir, csv) });
    }
    if (!present.has(csv) && !present.has(parquet)) {
      throw new CqError(
        'EXTRACT_MISSING_FILE',
        `${join(dateDir, csv)}: missing. Every business date needs all ${required} required entity files (an empty file with only the header is fine). Fix: re-deliver the ${entity.name} extract.`,
        { file: join(dateDir, csv) },
      );
    }
    const name = present.has(csv) ? csv : parquet;
    const encoding = typeof manifest.encoding === 'string' ? manifest.encoding : (manifest.encoding?.[name] ?? 'utf-8');
    const path = join(dateDir, name);
    const realPath = resolveInsideDelivery(path, root);
    if (!statSync(realPath).isFile()) {
      throw new CqError('EXTRACT_STRUCTURE', `${path}: not a regular file (a folder, device or pipe). Fix: deliver the ${entity.name} extract as a plain file.`, { file: path });
    }
    return { entity, path, realPath, format: present.has(csv) ? 'csv' : 'parquet', encoding };
  });
}
