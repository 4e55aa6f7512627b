import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { defineEntity } from '../../transforms/ingest/contract/index.js';
import { CqError } from '../../transforms/lib/errors.js';
import { columnDocs } from '../../transforms/warehouse/column-docs.js';
import { defineModel, type ModelDefinition } from '../../transforms/warehouse/model.js';
import { discoverModels } from '../../transforms/warehouse/registry.js';

/** Column descriptions are written once (the contract, or the model that gives a column its meaning) and inherited by name. */
const things = defineEntity({
  name: 'things',
  description: 'Things.',
  history: 'events',
  columns: [
    { name: 'thing_id', type: 'text', required: true, description: 'Thing number.' },
    { name: 'flag', type: 'boolean', required: true, description: 'Flag as delivered.' },
  ],
  primaryKey: ['thing_id'],
  references: [],
});
const base = { grain: 'test', primaryKey: [], description: 'test', query: () => sql`SELECT 1` } as const;
const stg = defineModel({ ...base, name: 'stg_things', layer: 'staging', inherits: ['raw.things'], columns: { is_flagged: { from: 'flag' }, business_date: { from: '_business_date' } } });
const fct = defineModel({ ...base, name: 'fct_things', layer: 'core', inherits: ['staging.stg_things'], columns: { thing_id: 'Thing, as of the month end.' } });

describe('columnDocs', () => {
  it('inherits by name through the declared relations, renamed pass-throughs included; a layer that changes the meaning overrides', () => {
    const docs = columnDocs([fct, stg], [things]);
    expect(Object.fromEntries(docs.get('staging.stg_things')!)).toMatchObject({
      thing_id: 'Thing number.',
      is_flagged: 'Flag as delivered.',
      business_date: 'Business date of the extract that delivered the row.',
    });
    expect(docs.get('core.fct_things')!.get('thing_id')).toBe('Thing, as of the month end.');
    expect(docs.get('core.fct_things')!.get('is_flagged')).toBe('Flag as delivered.');
  });

  it('rejects an unknown relation, a { from } column no relation has, and a cycle', () => {
    const bad = (m: ModelDefinition) => {
      try {
        columnDocs([m, stg], [things]);
      } catch (e) {
        return e instanceof CqError ? `${e.code}: ${e.message}` : String(e);
      }
      return 'no error';
    };
    expect(bad(defineModel({ ...base, name: 'x', layer: 'core', inherits: ['raw.nothing'], columns: {} }))).toMatch(/^MODEL_INVALID: .*inherits "raw.nothing"/);
    expect(bad(defineModel({ ...base, name: 'x', layer: 'core', inherits: ['raw.things'], columns: { y: { from: 'nope' } } }))).toMatch(/^MODEL_INVALID: .*column y is \{ from: 'nope' \}/);
    const a = defineModel({ ...base, name: 'a', layer: 'core', inherits: ['core.b'], columns: {} });
    const b = defineModel({ ...base, name: 'b', layer: 'core', inherits: ['core.a'], columns: {} });
    expect(() => columnDocs([a, b], [things])).toThrow(/cycle: core.a → core.b → core.a/);
  });

  it('every model inherits only from relations it reads (its query names them)', async () => {
    const models = await discoverModels();
    columnDocs(models); // resolves without error
    for (const m of models) {
      const text = String(m.query.toString());
      for (const u of m.inherits ?? []) expect(text, `${m.layer}.${m.name} inherits ${u}`).toContain(u);
    }
  });
});
