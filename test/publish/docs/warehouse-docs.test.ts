import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderWarehouseDocs } from '../../../transforms/publish/docs/warehouse-docs.js';
import { discoverMetrics } from '../../../transforms/kpi/discover-metrics.js';
import { discoverModels } from '../../../transforms/warehouse/registry.js';
import { buildDictionary } from '../../../transforms/publish/console/warehouse-dictionary.js';
import { ENTITIES } from '../../../transforms/ingest/contract/index.js';

/**
 * docs/warehouse.md is generated from the definitions (contract, models, metrics, ops DDL);
 * this fails when a definition changed and the document was not regenerated.
 */
describe('data dictionary docs/warehouse.md', () => {
  it('is up to date (run: npx tsx transforms/publish/docs/warehouse-docs.ts)', async () => {
    const tables = await buildDictionary();
    expect(readFileSync('docs/warehouse.md', 'utf8')).toBe(renderWarehouseDocs(tables));
  });

  it('covers every raw entity, model and metric, with a type and a description for every column', async () => {
    const tables = await buildDictionary();
    const names = new Set(tables.map((t) => `${t.schema}.${t.name}`));
    for (const e of ENTITIES) expect(names, `raw.${e.name}`).toContain(`raw.${e.name}`);
    for (const m of await discoverModels()) expect(names, `${m.layer}.${m.name}`).toContain(`${m.layer}.${m.name}`);
    for (const m of await discoverMetrics()) expect(names, m.id).toContain(`metrics.kpi_${m.id}`);
    for (const t of ['metrics.metric_catalog', 'metrics.kpi_values', 'ops.load_audit', 'ops.rejected_rows', 'ops.data_test_results', 'ops.runs']) expect(names).toContain(t);
    const undocumented = tables.flatMap((t) => t.columns.filter((c) => !c.type || c.description === '(undocumented)').map((c) => `${t.schema}.${t.name}.${c.name}`));
    expect(undocumented).toEqual([]);
    for (const t of tables) expect(t.grain, `${t.schema}.${t.name}`).not.toBe('');
    // Personal data is flagged where analysts see it masked.
    const customers = tables.find((t) => t.schema === 'staging' && t.name === 'stg_lender__customers')!;
    expect(customers.columns.filter((c) => c.masked).map((c) => [c.name, c.masked])).toEqual([
      ['customer_name', 'name'],
      ['id_number', 'id_number'],
      ['phone', 'phone'],
    ]);
  });
});
