import { ENTITIES, type EntityContract } from './index.js';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';
import { maskIdentifierSql } from '../../lib/identifier-masks.js';

/**
 * Which warehouse columns carry personal data and how analysts see them.
 *
 * Sources of truth:
 * - raw tables: the extract contract's `pii: true` columns (transforms/ingest/contract/);
 * - every other layer: the column names below that personal data takes after staging renames
 *   it (`raw.customers.name` → `customer_name`). Core, marts and metrics carry none today; if a
 *   model ever exposes one of these names it is masked automatically, and
 *   test/sql-masking.test.ts scans every relation of a built fixture warehouse for the
 *   fixture's names, ID numbers and phones, so a new column that leaks them fails the build;
 * - `ops` records that copy source rows (`rejected_rows.raw_record`, `mapping_source_values.value`)
 *   are masked for entities that have personal data.
 */

/** How a personal-data value is shown to analysts. */
export type MaskKind = 'name' | 'id_number' | 'phone' | 'redact' | 'record' | 'reason';

/** Column names that carry personal data outside the raw layer, and their masking. */
export const DOWNSTREAM_PII_COLUMNS: Readonly<Record<string, MaskKind>> = {
  customer_name: 'name',
  id_number: 'id_number',
  phone: 'phone',
};

/** Masking of a contract column: by its name (`name`, `id_number`, `phone`), else full redaction. */
function contractKind(column: string): MaskKind {
  return column === 'name' || column === 'id_number' || column === 'phone' ? column : 'redact';
}

/** Entities whose rows contain personal data (today: customers). */
export function piiEntities(entities: readonly EntityContract[] = ENTITIES): EntityContract[] {
  return entities.filter((e) => e.columns.some((c) => c.pii));
}

/**
 * The personal-data columns of a relation and their masking, given its column names.
 *
 * @example
 * piiColumnsOf('raw', 'customers', ['customer_id', 'name', 'phone']);
 * // Map { 'name' => 'name', 'phone' => 'phone' }
 */
export function piiColumnsOf(schema: string, table: string, columns: readonly string[]): Map<string, MaskKind> {
  const found = new Map<string, MaskKind>();
  const have = new Set(columns);
  if (schema === 'raw') {
    const entity: EntityContract | undefined = ENTITIES.find((e) => e.name === table);
    for (const c of entity?.columns ?? []) if (c.pii && have.has(c.name)) found.set(c.name, contractKind(c.name));
    return found;
  }
  for (const c of columns) {
    const kind = DOWNSTREAM_PII_COLUMNS[c];
    if (kind) found.set(c, kind);
  }
  if (schema === 'ops' && have.has('entity')) {
    if (table === 'rejected_rows') {
      if (have.has('raw_record')) found.set('raw_record', 'record');
      if (have.has('reason') && have.has('column_name')) found.set('reason', 'reason');
    }
    if (table === 'mapping_source_values' && have.has('value')) found.set('value', 'record');
  }
  return found;
}

/**
 * The SQL expression that shows column `column` masked:
 * name → first character + `**` (张伟 → 张**); id_number and phone → the visible digits of
 * lib/identifier-masks.ts, every other character `*` (`**************4514`, `138****8000`; a
 * short value shows less, never all of it); redact → `****`; record → a placeholder for rows of entities
 * with personal data; reason → quoted values replaced in reject messages about personal-data columns.
 * NULL stays NULL.
 *
 * @example
 * maskExpression('phone', 'phone'); // CASE WHEN length(trim("phone")) >= 11 THEN left(trim("phone"), 3) || … END
 */
export function maskExpression(column: string, kind: MaskKind): string {
  const c = q(column);
  const entities = piiEntities();
  const entityList = entities.map((e) => lit(e.name)).join(', ') || `''`;
  switch (kind) {
    case 'name':
      return `left(${c}, 1) || '**'`;
    case 'id_number':
    case 'phone':
      return maskIdentifierSql(kind, c);
    case 'redact':
      return `CASE WHEN ${c} IS NULL THEN NULL ELSE '****' END`;
    case 'record':
      return `CASE WHEN "entity" IN (${entityList}) AND ${c} IS NOT NULL THEN '(masked: contains personal data; see --unmasked)' ELSE ${c} END`;
    case 'reason': {
      const when = entities
        .map((e) => `("entity" = ${lit(e.name)} AND "column_name" IN (${e.columns.filter((x) => x.pii).map((x) => lit(x.name)).join(', ')}))`)
        .join(' OR ');
      return when ? `CASE WHEN ${when} THEN regexp_replace(${c}, '''[^'']*''', '''(masked)''', 'g') ELSE ${c} END` : c;
    }
  }
}

/**
 * The SELECT list of an analyst view: `*`, or `* REPLACE (mask AS col, …)` when the relation
 * has personal-data columns and masking is on.
 *
 * @example
 * maskedSelectList(new Map([['phone', 'phone']])); // '* REPLACE (left("phone", 3) || … AS "phone")'
 */
export function maskedSelectList(pii: ReadonlyMap<string, MaskKind>): string {
  if (pii.size === 0) return '*';
  return `* REPLACE (${[...pii].map(([col, kind]) => `${maskExpression(col, kind)} AS ${q(col)}`).join(', ')})`;
}
