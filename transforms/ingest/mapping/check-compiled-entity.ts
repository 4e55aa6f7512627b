import { quoteLiteral as lit } from '../../lib/duckdb.js';
import { ALIAS, type CompiledEntity } from './entity-relation.js';
import { mappingError } from './mapping-errors.js';
import type { MappingSandbox } from './mapping-sandbox.js';
import type { MappingSpec } from './mapping-types.js';

/**
 * Checks and evaluates a compiled entity, before anything is loaded, in the mapping sandbox
 * (where the staged sources were copied): every source column it reads is in the file's header
 * (else `MAPPING_UNKNOWN_COLUMN`, with a guess), every code its translations meet is in the code
 * table (else `MAPPING_UNTRANSLATABLE_CODE`, naming the key, the source column, the codes and the
 * first source line); then its rows are computed over the whole source and written to
 * `<sandbox dir>/<name>.parquet` (returned) — a column whose SQL fails is `MAPPING_INVALID`
 * naming the column's key.
 *
 * @example
 * const rows = await checkCompiledEntity(sandbox, spec, compiled, 'rel-0-3');
 * // sandbox: COPY (SELECT s._k AS _rn, … FROM _map_src_0 s) TO '<dir>/rel-0-3.parquet' (FORMAT parquet)
 */
export async function checkCompiledEntity(sandbox: MappingSandbox, spec: MappingSpec, c: CompiledEntity, name: string): Promise<string> {
  if (c.kind !== 'source' || !c.staged) return sandbox.copyToParquet(c.sql, name);
  for (const { column, key } of c.sourceColumns) {
    if (c.staged.header.includes(column)) continue;
    const guess = closest(column, c.staged.header);
    throw mappingError(
      'MAPPING_UNKNOWN_COLUMN',
      spec,
      key,
      `source column "${column}" is not in the header of ${c.staged.path}.${guess ? ` Did you mean "${guess}"?` : ''} The file has: ${c.staged.header.join(', ')}. Nothing was loaded. Fix: correct the column name in the mapping.`,
      column,
    );
  }
  for (const chk of c.codeChecks) {
    const bad = await sandbox.all<{ value: string; line: bigint; n: bigint }>(
      `SELECT v AS value, min(_line) AS line, count(*) AS n FROM (SELECT ${chk.input} AS v, ${ALIAS}._line FROM ${c.staged.table} ${ALIAS})
       WHERE v IS NOT NULL AND v NOT IN (${chk.codes.map(lit).join(', ')}) GROUP BY v ORDER BY line LIMIT 6`,
    );
    if (bad.length) {
      const list = bad.slice(0, 5).map((b) => `'${b.value}' (line ${b.line}, ${b.n} row${b.n === 1n ? '' : 's'})`);
      throw mappingError(
        'MAPPING_UNTRANSLATABLE_CODE',
        spec,
        chk.key,
        `${chk.sourceColumn ? `source column ${chk.sourceColumn}` : 'the value'} of ${c.staged.path} has code(s) ${list.join(', ')}${bad.length > 5 ? ', …' : ''} that code table ${chk.table} does not translate (it knows ${chk.codes.slice(0, 12).map((x) => `'${x}'`).join(', ')}${chk.codes.length > 12 ? ', …' : ''}). Nothing was loaded. Fix: add the code(s) to code_tables.${chk.table}, or give an otherwise value.`,
        chk.sourceColumn ?? undefined,
      );
    }
  }
  try {
    return await sandbox.copyToParquet(c.sql, name);
  } catch (e) {
    for (const v of c.columnValues) {
      try {
        await sandbox.exec(`SELECT max(length(${v.sql})) FROM ${c.staged.table} ${ALIAS}`);
      } catch (err) {
        throw mappingError('MAPPING_INVALID', spec, v.key, `the SQL for ${c.entity.name}.${v.column} fails on ${c.staged.path}: ${firstLine(err)}. Nothing was loaded. Fix: correct the expression (use TRY_CAST for values that may not convert).`);
      }
    }
    throw mappingError('MAPPING_INVALID', spec, c.mapping!.key, `the SQL for ${c.entity.name} fails on ${c.staged.path}: ${firstLine(e)}. Nothing was loaded.`);
  }
}

/** The header name closest to `name` (same but for case, one containing the other, or a small edit distance), if any. */
function closest(name: string, header: readonly string[]): string | undefined {
  const n = name.toLowerCase();
  let best: { h: string; d: number } | undefined;
  for (const h of header) {
    const l = h.toLowerCase();
    const d = l === n ? 0 : l.includes(n) || n.includes(l) ? 1 : editDistance(n, l) + 1;
    if (d <= Math.max(3, Math.floor(n.length / 4) + 1) && (!best || d < best.d)) best = { h, d };
  }
  return best?.h;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
