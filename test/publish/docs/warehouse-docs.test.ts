import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderWarehouseDocs } from '../../../transforms/publish/docs/warehouse-docs.js';
import { discoverMetrics } from '../../../transforms/kpi/discover-metrics.js';
import { discoverModels } from '../../../transforms/warehouse/registry.js';
import { buildDictionary } from '../../../transforms/publish/console/warehouse-dictionary.js';
import { ENTITIES } from '../../../transforms/ingest/contract/index.js';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import { duckDbTsType, notNullByDefinition, renderWarehouseTypes, WAREHOUSE_TYPES_FILE } from '../../../transforms/publish/docs/warehouse-types.js';

/**
 * docs/warehouse.md is generated from the definitions (contract, models, metrics, ops DDL);
 * this fails when a definition changed and the document was not regenerated.
 */
// One empty-warehouse build for the whole file.
let built: ReturnType<typeof buildDictionary> | undefined;
const dictionary = () => (built ??= buildDictionary());

describe('data dictionary docs/warehouse.md', () => {
  it('is up to date (run: npm run docs)', async () => {
    const tables = await dictionary();
    expect(readFileSync('docs/warehouse.md', 'utf8')).toBe(renderWarehouseDocs(tables));
  });

  it('covers every raw entity, model and metric, with a type and a description for every column', async () => {
    const tables = await dictionary();
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

/**
 * The warehouse TypeScript types are generated from the same empty warehouse (never kept by
 * hand); this fails when a definition changed and the file was not regenerated.
 */
describe(`generated warehouse types ${WAREHOUSE_TYPES_FILE}`, () => {
  it('is up to date (run: npm run docs)', async () => {
    const expected = renderWarehouseTypes(await dictionary(), await notNullByDefinition());
    expect(readFileSync(WAREHOUSE_TYPES_FILE, 'utf8')).toBe(expected);
    expect(expected).toContain("'core.fct_loan_month_ends': CoreFctLoanMonthEndsRow;");
    expect(expected).toContain("'ops.load_audit': OpsLoadAuditRow;");
    expect(expected).not.toContain("'metrics.kpi_npl_ratio'");
  });

  it('maps each DuckDB type to what the Kysely dialect returns at run time', async () => {
    const wh = await openWarehouse(':memory:');
    try {
      await wh.exec(`CREATE TYPE mood AS ENUM ('ok', 'it''s'); CREATE TABLE t AS SELECT 'x'::VARCHAR AS v, 1::INTEGER AS i, 2::BIGINT AS b,
        3::HUGEINT AS h, 1.5::DOUBLE AS d, 12.34::DECIMAL(18,2) AS m, DATE '2026-01-31' AS dt, TIMESTAMP '2026-01-31 08:00:00' AS ts,
        true AS bo, 1::TINYINT AS ti, 'it''s'::mood AS e`);
      const types = new Map((await wh.all<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't'`)).map((r) => [r.column_name, r.data_type]));
      const [row] = await wh.db.selectFrom('t' as never).selectAll().execute() as Record<string, unknown>[];
      for (const [col, value] of Object.entries(row!)) {
        const ts = duckDbTsType(types.get(col)!);
        const runtime = value instanceof Date ? 'Date' : typeof value === 'string' && ts.startsWith("'") ? `'${value.replaceAll("'", "\\'")}'` : typeof value;
        expect(ts.split(' | '), `${col} ${types.get(col)}`).toContain(runtime);
      }
    } finally {
      await wh.close();
    }
  });
});
