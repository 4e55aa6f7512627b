import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../transforms/cli/transform.js';
import { KPI_FIXTURE_DATES, writeKpiFixture } from '../helpers/kpi-fixture.js';
import { KPI_SUMMARY_TABLES } from '../../transforms/kpi/contributions.js';

/**
 * A past month reproduces byte for byte: every metrics.kpi_* table, exported to CSV for the
 * months up to 2026-09-30, hashes the same after a rebuild and after loading the later
 * business date 2026-10-31 (which re-sends a closed warning, a completed and an audited
 * verification check, a re-graded and a churned customer).
 */
const PAST = '2026-09-30';
let wh: WarehouseHandle;
let dir: string;
const out = mkdtempSync(join(tmpdir(), 'cq-kpi-export-'));

async function exportHash(label: string): Promise<{ hash: string; rows: number }> {
  const tables = await wh.all<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'metrics' AND table_name LIKE 'kpi\\_%' ESCAPE '\\' AND table_name NOT IN (${KPI_SUMMARY_TABLES.map((t) => `'${t}'`).join(', ')}) ORDER BY 1`,
  );
  const hash = createHash('sha256');
  let rows = 0;
  for (const { table_name } of tables) {
    const file = join(out, `${label}-${table_name}.csv`);
    await wh.exec(
      `COPY (SELECT * FROM metrics.${table_name} WHERE as_of_month <= DATE '${PAST}'
             ORDER BY as_of_month, branch_id NULLS FIRST, product_id NULLS FIRST, customer_type NULLS FIRST, grade NULLS FIRST)
       TO '${file}' (HEADER, DELIMITER ',')`,
    );
    const bytes = readFileSync(file);
    rows += bytes.toString('utf8').split('\n').length - 2;
    hash.update(table_name).update(bytes);
  }
  return { hash: hash.digest('hex'), rows };
}

beforeAll(async () => {
  dir = writeKpiFixture();
  wh = await openWarehouse(':memory:');
  await loadExtracts(wh, dir, { dates: KPI_FIXTURE_DATES.filter((d) => d <= PAST) });
  await buildWarehouse(wh);
}, 120_000);

afterAll(async () => {
  await wh?.close();
});

describe('reproducible past months', () => {
  it('exports identical KPI rows for months up to 2026-09-30 after a rebuild and after loading 2026-10-31', async () => {
    const first = await exportHash('first');
    expect(first.rows).toBeGreaterThan(50);
    const [sep] = await wh.all<{ value: number }>(`SELECT value FROM metrics.kpi_verification_within_24h WHERE as_of_month = DATE '${PAST}' AND branch_id IS NULL AND customer_type IS NULL AND grade IS NULL`);
    // September as of 2026-09-30: V06 done in 8 h, V07 still pending → 1 of 2.
    expect(sep!.value).toBe(0.5);

    await buildWarehouse(wh);
    expect((await exportHash('rebuild')).hash).toBe(first.hash);

    await loadExtracts(wh, dir, { dates: ['2026-10-31'] });
    await buildWarehouse(wh);
    const later = await exportHash('later');
    expect(later.hash).toBe(first.hash);
    // The later date did change the current state (V07 is now complete) — yet September is unchanged.
    const [v07] = await wh.all<{ verified_at: Date | null }>(`SELECT verified_at FROM core.fct_verifications WHERE verification_id = 'V07' AND valid_to IS NULL`);
    expect(v07!.verified_at).not.toBeNull();
    const [oct] = await wh.all<{ n: bigint }>(`SELECT count(*) AS n FROM metrics.kpi_npl_ratio WHERE as_of_month = DATE '2026-10-31'`);
    expect(oct!.n).toBeGreaterThan(0n);
  }, 120_000);
});
