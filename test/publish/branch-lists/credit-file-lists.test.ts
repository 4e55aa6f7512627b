import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { branchListFileName } from '../../../transforms/publish/branch-lists/branch-list-xlsx.js';
import { writeCreditFileLists } from '../../../transforms/publish/branch-lists/credit-file-lists.js';
import { parseBusinessMonth } from '../../../transforms/publish/exports/run-info.js';
import { entryData, readZip } from '../../../transforms/publish/exports/zip-file.js';
import { M } from '../../helpers/kpi-fixture.js';
import { kpiFixtureWarehouse } from '../../helpers/kpi-warehouse.js';

/**
 * The per-branch overdue credit-files workbooks on the hand-worked KPI fixture (its "Credit-file
 * updates" table; test/warehouse/credit-files.test.ts works each element's status by hand): one file
 * per branch holding exactly the branch's rows of marts.mart_customer__overdue_credit_files at M,
 * missing elements first, customer ids masked, no name or ID number anywhere.
 */
let wh: WarehouseHandle;
let root: string;

beforeAll(async () => {
  wh = await kpiFixtureWarehouse();
  root = mkdtempSync(join(tmpdir(), 'cq-credit-lists-'));
}, 180_000);

afterAll(async () => {
  await wh?.close();
  rmSync(root, { recursive: true, force: true });
});

const xml = (file: string) => readZip(readFileSync(file)).map((e) => entryData(e).toString('utf8')).join('\n');

describe('overdue credit-files workbooks (one per branch)', () => {
  it('hold the mart rows of each branch, masked, without names or ID numbers', async () => {
    const out = join(root, 'masked');
    const r = await writeCreditFileLists(wh, parseBusinessMonth(M.slice(0, 7)), { outDir: out, generatedAt: '2026-11-01T02:30:00Z', ids: 'masked' });
    const mart = await wh.all<{ branch_id: string; n: number; missing: number }>(
      `SELECT branch_id, count(*)::INTEGER AS n, count(*) FILTER (WHERE file_status = 'missing')::INTEGER AS missing
       FROM marts.mart_customer__overdue_credit_files WHERE as_of_month = DATE '${M}' GROUP BY 1 ORDER BY 1`,
    );
    expect(mart.length).toBeGreaterThan(0);
    expect(r.entries).toBe(mart.reduce((a, b) => a + b.n, 0));
    const branches = (await wh.all<{ b: string }>('SELECT branch_id AS b FROM core.dim_branches ORDER BY 1')).map((x) => x.b);
    expect(readdirSync(out).sort()).toEqual(branches.map((b) => branchListFileName('credit-files', b, M.slice(0, 7))).sort());
    const people = await wh.all<{ v: string }>(`SELECT DISTINCT v FROM (SELECT name AS v FROM raw.customers UNION ALL SELECT id_number FROM raw.customers UNION ALL SELECT customer_id FROM raw.customers) WHERE length(v) >= 3`);
    expect(people.length).toBeGreaterThan(0);
    for (const m of mart) {
      const text = xml(join(out, branchListFileName('credit-files', m.branch_id, M.slice(0, 7))));
      expect((text.match(/缺失 Missing/g) ?? []).length, m.branch_id).toBe(m.missing > 0 ? 1 : 0); // shared string: once per workbook
      for (const p of people) expect(text, `${m.branch_id}: ${p.v}`).not.toContain(`>${p.v}<`);
    }
  });
});
