import { existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CqError } from '../../lib/errors.js';
import { displayPath, mappingError } from './mapping-errors.js';
import type { MappingSpec, SourceSpec } from './mapping-types.js';
import { REPO_ROOT } from '../../lib/repo-root.js';

/** The repository's `policy/mappings/` folder: the default mappings folder. */
export const MAPPINGS_DIR = join(REPO_ROOT, 'policy', 'mappings') + '/';

/** A mapping name a manifest may use: letters, digits, `-` and `_` (no dot, no slash: never a path). */
const MAPPING_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
const EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * The configured mappings folder: `explicit` (the `mappingsDir` load option), else the
 * `CQ_MAPPINGS_DIR` environment variable, else the repository's `policy/mappings/`. Set by the operator,
 * never by a delivery.
 *
 * @example
 * mappingsDir(); // '/…/policy/mappings/' (CQ_MAPPINGS_DIR unset)
 */
export function mappingsDir(explicit?: string): string {
  return resolve(explicit ?? process.env.CQ_MAPPINGS_DIR ?? MAPPINGS_DIR);
}

/** Names of the mappings installed in `dir` (file names without extension), sorted. @example knownMappings(MAPPINGS_DIR) // ['lending-club', 'uci-credit-card'] */
export function knownMappings(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && MAPPING_NAME.test(f.replace(/\.(ya?ml|json)$/, '')))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ''))
    .sort();
}

/**
 * Finds the mapping the OPERATOR asked for with `--mapping`: a name (`lending-club` →
 * `<mappings folder>/lending-club.yaml`, which must really lie in that folder) or a path to a
 * `.yaml` / `.yml` / `.json` file (relative to the working directory). Operator input only: a
 * delivery's manifest goes through {@link resolveManifestMapping}, which never accepts a path.
 *
 * @example
 * resolveMappingFile('uci-credit-card'); // '/…/policy/mappings/uci-credit-card.yaml'
 * resolveMappingFile('./my-lender.yaml'); // '/cwd/my-lender.yaml'
 */
export function resolveMappingFile(nameOrPath: string, dir: string = mappingsDir()): string {
  const looksLikePath = /[\\/]/.test(nameOrPath) || EXTENSIONS.includes(extname(nameOrPath));
  if (looksLikePath) {
    const path = isAbsolute(nameOrPath) ? nameOrPath : resolve(nameOrPath);
    if (existsSync(path)) return path;
    throw noSuchMapping(nameOrPath, path, dir);
  }
  const found = MAPPING_NAME.test(nameOrPath) ? mappingInFolder(nameOrPath, dir) : undefined;
  if (found) return found;
  throw noSuchMapping(nameOrPath, join(dir, `${nameOrPath}.yaml`), dir);
}

function noSuchMapping(nameOrPath: string, path: string, dir: string): CqError {
  return mappingError(
    'MAPPING_INVALID',
    { path },
    'mapping',
    `no mapping "${nameOrPath}". Known mappings: ${knownMappings(dir).join(', ') || '(none)'}. Fix: pass --mapping with one of those names or a path to a mapping file.`,
  );
}

/**
 * Resolves the `mapping` a delivered manifest.json names. A delivery may only choose among the
 * mappings the operator installed: the value must be a bare name (letters, digits, `-`, `_`; no
 * path separator, no `..`, no absolute path, no file extension), and the file it names must
 * resolve (symbolic links followed) inside the mappings folder. Anything else is refused with
 * MAPPING_FORBIDDEN naming the manifest and the fix; so is a name that is not installed.
 *
 * @example
 * resolveManifestMapping('lending-club', 'x/manifest.json');          // '/…/policy/mappings/lending-club.yaml'
 * resolveManifestMapping('./evil.yaml', 'x/2026-09-30/manifest.json'); // throws CqError MAPPING_FORBIDDEN
 */
export function resolveManifestMapping(value: string, manifestPath: string, dir: string = mappingsDir()): string {
  checkManifestMappingName(value, manifestPath, dir);
  const found = mappingInFolder(value, dir);
  if (found) return found;
  throw new CqError(
    'MAPPING_FORBIDDEN',
    `${manifestPath}: "mapping": no mapping named "${value}" is installed in the mappings folder ${displayPath(dir)}${knownMappings(dir).length ? ` (installed: ${knownMappings(dir).join(', ')})` : ''}. Nothing was loaded. Fix: the lender names one of the installed mappings in manifest.json; a new layout needs its mapping installed in the mappings folder by the operator first (docs/mappings.md).`,
    { file: manifestPath, key: 'mapping' },
  );
}

/**
 * Checks that a manifest's `mapping` value is a bare mapping name (not a path), without requiring
 * it to be installed: used where `--mapping` overrides the manifest, so a delivery that points at
 * a file is refused even when its choice would be ignored.
 *
 * @example
 * checkManifestMappingName('../x', 'x/manifest.json'); // throws CqError MAPPING_FORBIDDEN
 */
export function checkManifestMappingName(value: string, manifestPath: string, dir: string = mappingsDir()): void {
  if (MAPPING_NAME.test(value)) return;
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  throw new CqError(
    'MAPPING_FORBIDDEN',
    `${manifestPath}: "mapping" must be the name of a mapping installed in the mappings folder ${displayPath(dir)} (letters, digits, - and _), got ${shown}: a delivery may not name a mapping file by path (no "/", "\\", "..", absolute path or .yaml/.json name), nor bring its own mapping. Nothing was loaded. Fix: write {"mapping": "<name>"} with one of: ${knownMappings(dir).join(', ') || '(none installed)'}; a new layout needs its mapping installed in the mappings folder by the operator (docs/mappings.md).`,
    { file: manifestPath, key: 'mapping' },
  );
}

/** `<dir>/<name>.yaml|.yml|.json`, if present and really inside `dir` (a link leading out is refused). */
function mappingInFolder(name: string, dir: string): string | undefined {
  for (const ext of EXTENSIONS) {
    const path = join(dir, `${name}${ext}`);
    if (!existsSync(path)) continue;
    const real = realpathSync(path);
    if (!isInside(realpathSync(dir), real) || !statSync(real).isFile()) {
      throw new CqError(
        'MAPPING_FORBIDDEN',
        `${displayPath(path)}: the mapping file is a symbolic link that leads outside the mappings folder ${displayPath(dir)}, or not a file; it is not read. Fix: install the mapping file itself in the mappings folder.`,
        { file: path },
      );
    }
    return path;
  }
  return undefined;
}

/** A mapping's source file, located in the delivery: the path named in messages and lineage, and the checked real path to read. */
export interface LocatedSource {
  /** The delivered path (`<delivery folder>/<file>`), as shown in messages and `raw.*._source_file`. */
  readonly path: string;
  /** The file's real path (links resolved), checked to lie inside the delivery folder; readers open this one. */
  readonly realPath: string;
}

/**
 * Locates a mapping source file inside the delivery folder it belongs to: the business-date folder
 * (which must itself lie in the extracts folder) or, for a flat layout, the extracts folder. The
 * name must be relative and stay inside (no absolute path, no `..` climbing out), and its real
 * path, after following symbolic links, must lie inside the delivery folder too; otherwise
 * EXTRACT_OUTSIDE_DELIVERY, before the file is opened (its content is never read or shown). A link
 * that stays inside the delivery is followed. A missing file is EXTRACT_MISSING_FILE, a folder or
 * device EXTRACT_STRUCTURE.
 *
 * @example
 * locateSourceFile(spec, spec.sources.book!, 'x/2026-09-30', 'x');
 * // { path: '/…/x/2026-09-30/贷款台账.csv', realPath: '/…/x/2026-09-30/贷款台账.csv' }
 */
export function locateSourceFile(spec: MappingSpec, source: SourceSpec, deliveryDir: string, extractsDir: string): LocatedSource {
  const key = `${source.key}.file`;
  const path = resolve(deliveryDir, source.file);
  const folder = displayPath(resolve(deliveryDir));
  const outside = (what: string): never => {
    throw mappingError(
      'EXTRACT_OUTSIDE_DELIVERY',
      spec,
      key,
      `${what}; it is not read. A mapping reads only files delivered in the business-date folder (flat layout: the extracts folder). Nothing was loaded. Fix: name the file relative to the delivery folder (no "..", no absolute path) and deliver the file itself there, not a link to a file elsewhere.`,
    );
  };
  if (isAbsolute(source.file) || !isInside(resolve(deliveryDir), path)) outside(`${JSON.stringify(source.file)} is outside the delivery folder ${folder}`);
  const realRoot = realpathSync(deliveryDir);
  const realExtracts = realpathSync(extractsDir);
  if (realRoot !== realExtracts && !isInside(realExtracts, realRoot)) {
    outside(`the business-date folder ${folder} is a symbolic link that leads outside the extracts folder ${displayPath(resolve(extractsDir))}`);
  }
  let realPath: string;
  try {
    realPath = realpathSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CqError('EXTRACT_UNREADABLE', `${path}: cannot be opened (${(e as NodeJS.ErrnoException).code ?? 'error'}). Fix: check its permissions, or re-deliver it.`, { file: path, key });
    }
    // A link whose target is missing is refused like one leading out (no hint whether a target exists elsewhere).
    if (hasLinkBetween(path, deliveryDir)) outside(`${JSON.stringify(source.file)} goes through a symbolic link that does not lead to a file inside the delivery folder ${folder}`);
    throw new CqError(
      'EXTRACT_MISSING_FILE',
      `${path}: missing. Mapping ${displayPath(spec.path)} (${key}) reads it. Fix: deliver the file, or point --extracts at the folder that holds it.`,
      { file: path, key },
    );
  }
  if (!isInside(realRoot, realPath)) outside(`${JSON.stringify(source.file)} goes through a symbolic link that does not lead to a file inside the delivery folder ${folder}`);
  if (!statSync(realPath).isFile()) {
    throw new CqError('EXTRACT_STRUCTURE', `${path}: not a regular file (a folder, device or pipe). Mapping ${displayPath(spec.path)} (${key}) reads it. Fix: deliver the source as a plain file.`, { file: path, key });
  }
  return { path, realPath };
}

/** True when `path` lies strictly inside folder `root` (both absolute, same resolution). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** True when `path` or a folder between it and `root` is a symbolic link. */
function hasLinkBetween(path: string, root: string): boolean {
  const stop = resolve(root);
  for (let p = resolve(path); p !== stop && p !== dirname(p); p = dirname(p)) {
    try {
      if (lstatSync(p).isSymbolicLink()) return true;
    } catch {
      // not there: look further up
    }
  }
  return false;
}
