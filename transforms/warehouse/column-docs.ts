import { ENTITIES, LINEAGE_COLUMN_DOCS, type EntityContract } from '../ingest/contract/index.js';
import { CqError } from '../lib/errors.js';
import { qualifiedName, type ModelDefinition } from './model.js';

/**
 * The column descriptions of every raw table and model, keyed `schema.table` then column:
 * raw from the extract contract (and the lineage columns); a model's own descriptions, its
 * renamed pass-throughs (`{ from }`) and, for every other column, the description the same-named
 * column has in the first relation of its `inherits` (resolved recursively). A model's map also
 * holds inherited columns it may not output; look columns up by name.
 * Throws `MODEL_INVALID` for an unknown `inherits` relation, an inheritance cycle, or a `{ from }`
 * column no inherited relation has.
 *
 * @example
 * columnDocs(await discoverModels()).get('staging.stg_lender__loans')?.get('loan_id'); // 'Loan (借据) number.'
 */
export function columnDocs(models: readonly ModelDefinition[], entities: readonly EntityContract[] = ENTITIES): Map<string, Map<string, string>> {
  const resolved = new Map<string, Map<string, string>>();
  for (const e of entities) {
    resolved.set(`raw.${e.name}`, new Map([...e.columns.map((c) => [c.name, c.description] as const), ...Object.entries(LINEAGE_COLUMN_DOCS)]));
  }
  const byName = new Map(models.map((m) => [qualifiedName(m), m]));
  const where = (m: ModelDefinition) => `transforms/warehouse/${m.layer}/${m.name}.ts`;
  const resolve = (table: string, path: readonly string[]): Map<string, string> => {
    const done = resolved.get(table);
    if (done) return done;
    const m = byName.get(table);
    if (!m) throw new CqError('MODEL_INVALID', `${table} is not a raw table or a model.`);
    if (path.includes(table)) {
      throw new CqError('MODEL_INVALID', `${where(m)}: column descriptions inherit in a cycle: ${[...path, table].join(' → ')}. Fix: remove one of the inherits.`);
    }
    const upstream = (m.inherits ?? []).map((u) => {
      if (!resolved.has(u) && !byName.has(u)) {
        throw new CqError('MODEL_INVALID', `${where(m)}: inherits "${u}", which is neither raw.<entity> nor a model. Fix: name a relation the model reads, e.g. raw.loans or core.fct_loan_month_ends.`);
      }
      return resolve(u, [...path, table]);
    });
    const docs = new Map<string, string>();
    for (const [name, doc] of Object.entries(m.columns)) {
      if (typeof doc === 'string') docs.set(name, doc);
      else {
        const found = upstream.find((u) => u.has(doc.from))?.get(doc.from);
        if (found === undefined) {
          throw new CqError('MODEL_INVALID', `${where(m)}: column ${name} is { from: '${doc.from}' }, but no relation in inherits (${(m.inherits ?? []).join(', ') || 'none'}) has a column ${doc.from}. Fix: add the relation to inherits or describe the column.`);
        }
        docs.set(name, found);
      }
    }
    for (const u of upstream) for (const [name, doc] of u) if (!docs.has(name)) docs.set(name, doc);
    resolved.set(table, docs);
    return docs;
  };
  for (const table of byName.keys()) resolve(table, []);
  return resolved;
}
