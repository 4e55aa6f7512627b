import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExtracts } from '../../../transforms/ingest/load-extracts.js';
import { buildWarehouse } from '../../../transforms/kpi/build-warehouse.js';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { entryData, readZip } from '../../../transforms/publish/exports/zip-file.js';
import { parseBusinessMonth } from '../../../transforms/publish/exports/run-info.js';
import { watchListFileName, writeWatchLists } from '../../../transforms/publish/branch-lists/watch-list-files.js';
import { writeMonitoringFixture } from '../../helpers/monitoring-fixture.js';

/**
 * The per-branch watch-list workbooks of the release, on the hand-worked book of
 * test/helpers/monitoring-fixture.ts at M3 = 2026-03-31 (BJ01: W1 and W3 new on dpd_over_30, W1 and W2
 * cleared from dpd_over_0; SH01: W5 still on dpd_over_0 since 2026-01-31, 59 days).
 */
let root: string;
let wh: WarehouseHandle;
const GENERATED = '2026-04-01T02:30:00Z';

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-watch-files-'));
  writeMonitoringFixture(join(root, 'extracts'));
  wh = await openWarehouse(':memory:');
  await loadExtracts(wh, join(root, 'extracts'));
  await buildWarehouse(wh);
}, 180_000);

afterAll(async () => {
  await wh?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Data rows of a workbook's first sheet (below the two header rows), as arrays of cell values. */
async function rowsOf(file: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(file) as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const out: unknown[][] = [];
  let header = 0;
  ws.eachRow((row, n) => {
    const v = (row.values as unknown[]).slice(1);
    if (v[0] === 'Rule') header = n;
    else if (header && n > header) out.push(v);
  });
  return out;
}

describe('watch-list workbooks (one per branch)', () => {
  it('one file per branch, new first, with rule, severity, owner, first flagged, days and evidence; ids masked', async () => {
    const out = join(root, 'masked');
    const r = await writeWatchLists(wh, parseBusinessMonth('2026-03'), { outDir: out, generatedAt: GENERATED, ids: 'masked' });
    expect(r.entries).toBe(5);
    const branches = (await wh.all<{ b: string }>('SELECT branch_id AS b FROM core.dim_branches ORDER BY 1')).map((x) => x.b);
    expect(readdirSync(out).sort()).toEqual(branches.map((b) => watchListFileName(b, '2026-03')).sort()); // every branch, even with nothing listed
    const bj = await rowsOf(join(out, watchListFileName('BJ01', '2026-03')));
    // [rule, severity, owner, status, loan, customer, product, first flagged, days, balance, evidence]
    expect(bj.map((x) => [String(x[0]).split(' ')[0], x[3], x[4], x[5], x[8], x[9], x[10]])).toEqual([
      ['逾期超过30天', '新增 New', '**', '***', 0, 10000, 'days_past_due=45'],
      ['逾期超过30天', '新增 New', '**', '***', 0, 10000, 'days_past_due=35'],
      ['出现逾期', '解除 Cleared', '**', '***', 0, 10000, 'days_past_due=15'],
      ['出现逾期', '解除 Cleared', '**', '***', 0, 10000, 'days_past_due=20'],
    ]);
    expect(bj[0]![1]).toBe('中 Medium');
    expect(bj[0]![2]).toBe('催收岗 Collections');
    const sh = await rowsOf(join(out, watchListFileName('SH01', '2026-03')));
    expect(sh.map((x) => [x[3], x[8], (x[7] as Date).toISOString().slice(0, 10)])).toEqual([['持续 Still on the list', 59, '2026-01-31']]);
    const empty = branches.find((b) => b !== 'BJ01' && b !== 'SH01');
    if (empty) expect((await rowsOf(join(out, watchListFileName(empty, '2026-03'))))[0]).toEqual(['本期无记录 Nothing listed this period']);
  });

  it('no name or ID number in any file; ids in full only when configured; same bytes twice', async () => {
    const a = join(root, 'a');
    const b = join(root, 'b');
    const full = join(root, 'full');
    await writeWatchLists(wh, parseBusinessMonth('2026-03'), { outDir: a, generatedAt: GENERATED, ids: 'masked' });
    await writeWatchLists(wh, parseBusinessMonth('2026-03'), { outDir: b, generatedAt: GENERATED, ids: 'masked' });
    await writeWatchLists(wh, parseBusinessMonth('2026-03'), { outDir: full, generatedAt: GENERATED, ids: 'full' });
    const text = (dir: string) => readdirSync(dir).map((f) => readZip(readFileSync(join(dir, f))).map((e) => entryData(e).toString('utf8')).join('\n')).join('\n');
    const masked = text(a);
    for (const needle of ['测试客户W1', '测试客户W3', 'IDW1X', 'IDW5X', '>W1<', '>CW1<']) expect(masked, needle).not.toContain(needle);
    const shown = text(full);
    expect(shown).toContain('>W1<');
    expect(shown).toContain('>CW1<');
    expect(shown).not.toContain('测试客户W1');
    expect(shown).not.toContain('IDW1X');
    for (const f of readdirSync(a)) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
  });
});
