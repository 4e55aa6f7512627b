import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCatalog } from '../../../transforms/kpi/catalog.js';
import { discoverMetrics } from '../../../transforms/kpi/discover-metrics.js';
import { openWarehouse } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { csvCell, displayCell, xlsxCell } from '../../../transforms/publish/exports/cell-display.js';
import { buildKpiReport } from '../../../transforms/publish/exports/kpi-report.js';
import { isCapped, type BuiltTable, type PackageContext } from '../../../transforms/publish/exports/report-table.js';
import { loadReportTemplates } from '../../../transforms/publish/exports/report-template.js';

/**
 * What the KPI report prints for guarded values (hand-built metrics.kpi_values, the real catalogue
 * from metrics/*.ts, real DuckDB), month M = 2026-10, previous month 2026-09:
 *
 * | KPI                | 2026-09          | 2026-10                         | printed 2026-10           | change printed                 |
 * |--------------------|------------------|---------------------------------|---------------------------|--------------------------------|
 * | npl_ratio          | 219/10000=2.19 % | 231/10000 = 2.31 %              | 2.31%                     | +0.12 个百分点 pp (0.0231−0.0219) |
 * | provision_coverage | 180/100 = 180 %  | 12712.74/100 = 127.1274 = 12,712.74 % > cap 10 (1,000 %) | > 1,000% [n] | 127.1274 − 1.8 = 125.3274 > cap 1 → > +100.00 个百分点 pp [n] |
 * | model_auc          | too_few, n = 20  | too_few, n = 12 < 30 (value 1.0 stored, never shown) | — [n], "n = 12 < 30" | empty (no value) |
 */

const M = '2026-10-31';
const P = '2026-09-30';
let wh: WarehouseHandle;
let wide: BuiltTable;
let defs: BuiltTable;

beforeAll(async () => {
  wh = await openWarehouse(':memory:');
  await wh.exec(`CREATE SCHEMA metrics; CREATE SCHEMA core;
    CREATE TABLE core.dim_months AS SELECT * FROM (VALUES (DATE '${P}'), (DATE '${M}')) t(as_of_month);`);
  await writeCatalog(wh, await discoverMetrics());
  const row = (id: string, month: string, num: number | null, den: number | null, value: number | null, status: string, n: number | null, rag = 'green') =>
    `('${id}', DATE '${month}', 'all', 'ALL', ${num ?? 'NULL'}, ${den ?? 'NULL'}, ${value ?? 'NULL'}, NULL, '${status === 'measured' ? rag : 'none'}', '${status}',
      ${status === 'too_few' ? "'too_few_observations', '样本不足：可评估评分 " + n + "，最低 30', 'Too few observations: evaluable scores " + n + ", minimum 30'" : 'NULL, NULL, NULL'}, ${n ?? 'NULL'})`;
  await wh.exec(`CREATE TABLE metrics.kpi_values (metric_id VARCHAR, as_of_month DATE, slice VARCHAR, slice_value VARCHAR, numerator DOUBLE, denominator DOUBLE,
      value DOUBLE, target DOUBLE, rag VARCHAR, status VARCHAR, reason_code VARCHAR, reason_zh VARCHAR, reason_en VARCHAR, n DOUBLE);
    INSERT INTO metrics.kpi_values VALUES
      ${row('npl_ratio', P, 219, 10000, 0.0219, 'measured', null)},
      ${row('npl_ratio', M, 231, 10000, 0.0231, 'measured', null)},
      ${row('provision_coverage', P, 180, 100, 1.8, 'measured', null)},
      ${row('provision_coverage', M, 12712.74, 100, 127.1274, 'measured', null)},
      ${row('model_auc', P, 90, 100, 0.9, 'too_few', 20)},
      ${row('model_auc', M, 12, 12, 1.0, 'too_few', 12)}`);
  const template = loadReportTemplates().find((t) => t.kind === 'kpi_report')!;
  const ctx = { month: '2026-10', asOfDate: M } as PackageContext;
  const report = await buildKpiReport(wh, { ...template, options: { ...template.options, metrics: ['npl_ratio', 'provision_coverage', 'model_auc'], months_back: 1 } }, ctx);
  wide = report.tables.find((t) => t.spec.source === 'wide')!;
  defs = report.tables.find((t) => t.spec.source === 'definitions')!;
});

afterAll(async () => wh?.close());

const rowOf = (t: BuiltTable, id: string) => t.rows.find((r) => r.id === id || r.cells.metric_id === id)!;
const shown = (t: BuiltTable, id: string, field: string) => {
  const r = rowOf(t, id);
  const c = t.spec.columns.find((x) => x.field === field)!;
  return displayCell(r.cells[field] ?? null, c.format, r);
};
const footnote = (t: BuiltTable, text: string) => t.footnotes![Number(/\[(\d+)\]$/.exec(text)![1]) - 1]!;

describe('display caps and too-few in the KPI report', () => {
  it('a value within its cap and a change within its cap print as numbers', () => {
    expect(shown(wide, 'npl_ratio', 'v_2026_10')).toBe('2.31%');
    expect(shown(wide, 'npl_ratio', 'change')).toBe('+0.12 个百分点 pp');
  });

  it('provision coverage of 12,712.74 % prints "> 1,000% [n]" with a footnote, in the PDF, the XLSX and the CSV alike', () => {
    const text = shown(wide, 'provision_coverage', 'v_2026_10');
    expect(text).toMatch(/^> 1,000% \[\d+\]$/);
    expect(footnote(wide, text)).toMatch(/^\[\d+\] 封顶显示 Capped — 数值超过 1,000%/);
    const r = rowOf(wide, 'provision_coverage');
    expect(xlsxCell(r.cells.v_2026_10!, 'kpi', r).value).toBe(text);
    expect(csvCell(r.cells.v_2026_10!, 'kpi', r)).toBe(text);
    // The real number is kept for checks (validation reads numbers, never the cap text).
    const cell = r.cells.v_2026_10!;
    expect(isCapped(cell) && cell.value).toBe(127.1274);
    expect(shown(wide, 'provision_coverage', 'v_2026_09')).toBe('180.00%');
  });

  it('a change beyond 100 percentage points prints capped with a footnote', () => {
    const text = shown(wide, 'provision_coverage', 'change');
    expect(text).toMatch(/^> \+100\.00 个百分点 pp \[\d+\]$/);
    expect(footnote(wide, text)).toContain('变动超过 ±100.00 个百分点，封顶显示 / change beyond ±100.00 pp, shown capped');
    const cell = rowOf(wide, 'provision_coverage').cells.change!;
    expect(isCapped(cell) && Math.round(cell.value * 1e4)).toBe(1253274);
  });

  it('a too-few value is never printed: "— [n]" with n against the minimum; status 样本不足 Too few; no change', () => {
    const text = shown(wide, 'model_auc', 'v_2026_10');
    expect(text).toMatch(/^— \[\d+\]$/);
    expect(footnote(wide, text)).toMatch(/样本不足 Too few — 可评估评分 n = 12 < 30 \/ evaluable scores n = 12 < 30$/);
    expect(footnote(wide, shown(wide, 'model_auc', 'v_2026_09'))).toContain('n = 20 < 30');
    expect(shown(wide, 'model_auc', 'status')).toBe('样本不足 Too few');
    expect(shown(wide, 'model_auc', 'change')).toBe('');
  });

  it('no cell of the report prints a four-digit-or-more percentage unmarked (only the cap "> 1,000%")', () => {
    const all = wide.rows.flatMap((r) => wide.spec.columns.map((c) => displayCell(r.cells[c.field] ?? null, c.format, r)));
    expect(all.filter((s) => /\d{1,3},\d{3}(\.\d+)?\s*%/.test(s) && !s.startsWith('> '))).toEqual([]);
    expect(all.filter((s) => s.startsWith('> '))).toHaveLength(2);
    expect(all.some((s) => s.includes('1.000'))).toBe(false);
  });
});

describe('the KPI definitions sheet is bilingual', () => {
  it('prints each text in Chinese and in English, none empty', () => {
    const pairs = [['name_zh', 'name_en'], ['description_zh', 'description'], ['formula_text', 'formula_text_en'], ['numerator_text_zh', 'numerator_text'], ['denominator_text_zh', 'denominator_text'], ['target_text', 'target_text_en']];
    const fields = defs.spec.columns.map((c) => c.field);
    for (const [zh, en] of pairs) expect(fields).toEqual(expect.arrayContaining([zh, en]));
    for (const r of defs.rows) for (const f of fields) expect(String(r.cells[f] ?? '').trim(), `${String(r.cells.metric_id)}.${f}`).not.toBe('');
    const npl = rowOf(defs, 'npl_ratio');
    expect(npl.cells.description_zh).toContain('次级类、可疑类和损失类');
    expect(npl.cells.formula_text_en).toBe('(Substandard + doubtful + loss loans) ÷ total loans');
  });
});
