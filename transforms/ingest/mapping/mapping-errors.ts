import { relative } from 'node:path';
import { CqError, type CqErrorCode } from '../../lib/errors.js';
import type { MappingSpec } from './mapping-types.js';

/** The `CqError` codes raised against a mapping file and one of its keys. */
export type MappingErrorCode = Extract<CqErrorCode, 'MAPPING_INVALID' | 'MAPPING_UNKNOWN_COLUMN' | 'MAPPING_UNTRANSLATABLE_CODE' | 'MAPPING_FORBIDDEN' | 'EXTRACT_OUTSIDE_DELIVERY'>;

/**
 * Builds a mapping error that names the mapping file, the key (with its line) and, when one
 * is involved, the source column: `policy/mappings/x.yaml: entities.loans.columns.principal.source (line 40): …`.
 *
 * @example
 * throw mappingError('MAPPING_UNKNOWN_COLUMN', spec, 'entities.loans.columns.principal.source',
 *   'source column "loan_amt" is not in the header of loans.csv.', 'loan_amt');
 */
export function mappingError(
  code: MappingErrorCode,
  spec: Pick<MappingSpec, 'path' | 'lineOf'> | { path: string; lineOf?: (key: string) => number | undefined },
  key: string,
  message: string,
  sourceColumn?: string,
): CqError {
  const line = spec.lineOf?.(key);
  const where: { file: string; key: string; line?: number; column?: string } = { file: spec.path, key };
  if (line !== undefined) where.line = line;
  if (sourceColumn !== undefined) where.column = sourceColumn;
  return new CqError(code, `${displayPath(spec.path)}: ${key}${line !== undefined ? ` (line ${line})` : ''}: ${message}`, where);
}

/** A path shown relative to the working directory when that is shorter. @example displayPath('/repo/policy/mappings/x.yaml') // 'policy/mappings/x.yaml' */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && rel.length < path.length ? rel : path;
}
