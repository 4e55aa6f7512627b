import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../transforms/lib/warehouse-handle.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { writeMiniExtract } from '../helpers/mini-extract.js';

/**
 * The optional extract credit_file_updates through the real loader, on the mini extract
 * (test/helpers/mini-extract.ts: customers C001, C002, C003; business date 2026-09-30): a delivery
 * without it loads, and each bad row is rejected with its line, column and reason.
 */
let wh: WarehouseHandle;
const dirs: string[] = [];
beforeEach(async () => {
  wh = await openWarehouse(':memory:');
});
afterEach(async () => {
  await wh.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('credit_file_updates', () => {
  it('is optional: a delivery without the file loads, with no audit row for it', async () => {
    const { dir } = writeMiniExtract();
    dirs.push(dir);
    await loadExtracts(wh, dir);
    const [a] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ops.load_audit WHERE entity = 'credit_file_updates'`);
    expect(a!.n).toBe(0);
  });

  it('rejects an unknown element, a date after the business date, an unknown customer, a repeated key and a bad date; loads the rest', async () => {
    const { dir } = writeMiniExtract((r) => {
      r.credit_file_updates = [
        { customer_id: 'C001', file_element: 'credit_report', updated_on: '2026-09-01' }, // line 2: valid
        { customer_id: 'C001', file_element: 'tax_return', updated_on: '2026-09-01' }, // line 3: not an element
        { customer_id: 'C002', file_element: 'kyc_documents', updated_on: '2026-10-01' }, // line 4: after 2026-09-30
        { customer_id: 'C999', file_element: 'site_visit', updated_on: '2026-09-01' }, // line 5: no such customer
        { customer_id: 'C001', file_element: 'credit_report', updated_on: '2026-09-01' }, // line 6: repeats line 2
        { customer_id: 'C003', file_element: 'site_visit', updated_on: '2026-09-30' }, // line 7: on the business date: valid
        { customer_id: 'C002', file_element: 'kyc_documents', updated_on: '2026-9-1' }, // line 8: not YYYY-MM-DD
      ];
    });
    dirs.push(dir);
    await loadExtracts(wh, dir);
    const rows = await wh.all<{ line: number; column_name: string | null; reason_code: string; reason: string }>(
      `SELECT line::INTEGER AS line, column_name, reason_code, reason FROM ops.rejected_rows WHERE entity = 'credit_file_updates' ORDER BY line`,
    );
    expect(rows.map((r) => [r.line, r.column_name, r.reason_code])).toEqual([
      [3, 'file_element', 'invalid_code'],
      [4, 'updated_on', 'future_date'],
      [5, 'customer_id', 'unknown_reference'],
      [6, 'customer_id,file_element,updated_on', 'duplicate_key'],
      [8, 'updated_on', 'invalid_date'],
    ]);
    expect(rows[0]!.reason).toContain("'tax_return' is not one of: financial_statements, credit_report, collateral_valuation, site_visit, kyc_documents");
    expect(rows[1]!.reason).toContain(
      "'2026-10-01' is after the business date 2026-09-30 of the folder the file was delivered in. Fix: correct updated_on, or deliver the row in the folder of a business date on or after it.",
    );
    expect(rows[1]!.reason).toMatch(/credit_file_updates\.csv: line 4, column updated_on/);
    expect(rows[2]!.reason).toContain("customer_id 'C999' does not exist in customers");
    expect(rows[3]!.reason).toContain('(customer_id, file_element, updated_on) = (C001, credit_report, 2026-09-01) repeats line 2');
    const loaded = await wh.all<{ c: string; e: string }>(`SELECT customer_id AS c, file_element AS e FROM raw.credit_file_updates ORDER BY 1`);
    expect(loaded).toEqual([
      { c: 'C001', e: 'credit_report' },
      { c: 'C003', e: 'site_visit' },
    ]);
    const [a] = await wh.all<{ read: number; loaded: number; rejected: number }>(
      `SELECT rows_read::INTEGER AS read, rows_loaded::INTEGER AS loaded, rows_rejected::INTEGER AS rejected FROM ops.load_audit WHERE entity = 'credit_file_updates'`,
    );
    expect(a).toEqual({ read: 7, loaded: 2, rejected: 5 });
  });
});
