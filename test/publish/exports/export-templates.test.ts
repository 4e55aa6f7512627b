import { ppText, statusText } from '../../../transforms/publish/exports/cell-display.js';
import { STATUS_LABELS } from '../../../transforms/kpi/rag.js';
import { PublishedFigures } from '../../../transforms/publish/exports/published-figures.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { isCqError } from '../../../transforms/lib/errors.js';
import { maskIdNumber, maskName } from '../../../transforms/publish/exports/mask-id.js';
import { loadReportTemplates, parseReportTemplate, REPORTS_DIR } from '../../../transforms/publish/exports/report-template.js';
import { normaliseTimestamp, parseBusinessMonth } from '../../../transforms/publish/exports/run-info.js';
import { csvField, parseCsv } from '../../../transforms/lib/csv.js';
import { tableCsv } from '../../../transforms/publish/exports/write-csv.js';
import { reportXlsx } from '../../../transforms/publish/exports/write-xlsx.js';
import { crc32, deflateEntry, entryData, normalizeZip, readZip, writeZip } from '../../../transforms/publish/exports/zip-file.js';
import { stampPdfDates } from '../../../transforms/publish/exports/print-pdf.js';
import type { BuiltReport, PackageContext } from '../../../transforms/publish/exports/report-table.js';

const MINI = `
id: mini
kind: kpi_report
title_zh: 小
title_en: Mini
tables:
  - id: values
    title_zh: 值
    title_en: Values
    source: values
    columns:
      - { field: metric_id, header_zh: 编号, header_en: Id }
`;

function templateError(text: string): string {
  try {
    parseReportTemplate(text, 'policy/reports/x.yaml');
  } catch (e) {
    expect(isCqError(e, 'EXPORT_FAILED')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('template accepted');
}

describe('report templates', () => {
  it('the shipped templates load, in order, with unique file names', () => {
    const t = loadReportTemplates();
    expect(t.map((x) => x.id)).toEqual(['five-category', 'migration', 'npl-provisioning', 'kpi-report', 'large-exposures']);
    expect(t.flatMap((x) => x.tables.map((tb) => tb.file))).toEqual(['five-category', 'migration', 'migration-month', 'npl-provisioning', 'kpi-report', 'kpi-definitions', 'large-exposures']);
    for (const x of t) expect(x.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(REPORTS_DIR.endsWith(join('policy', 'reports'))).toBe(true);
  });

  it('a minimal template gets defaults (file = id, 1 frozen column, text format, portrait)', () => {
    const t = parseReportTemplate(MINI, 'policy/reports/mini.yaml');
    expect(t.tables[0]).toMatchObject({ file: 'mini', freeze_columns: 1, columns: [{ field: 'metric_id', format: 'text' }] });
    expect(t.orientation).toBe('portrait');
  });

  it('errors name the file and the key', () => {
    expect(templateError(MINI.replace('kind: kpi_report', 'kind: pie_chart'))).toMatch(/policy\/reports\/x\.yaml: kind must be one of/);
    expect(templateError(MINI.replace('header_en: Id }', 'header_en: Id, format: percent }'))).toMatch(/tables\[0\]\.columns\[0\]\.format must be one of/);
    expect(templateError(`${MINI}\ncolour: red\n`)).toMatch(/colour is not a known key/);
    expect(templateError('id: [unclosed')).toMatch(/not valid YAML/);
    expect(
      templateError(
        MINI.replace('kind: kpi_report', 'kind: five_category').replace('source: values', 'source: matrix\n    sections:\n      - { id: s, label_zh: 段, label_en: S, rows: [{ label_zh: 甲, label_en: A, match: { colour: [red] } }] }'),
      ),
    ).toMatch(/sections\[0\]\.rows\[0\]\.match\.colour is not a known attribute/);
  });
});

describe('masking', () => {
  it('keeps the last 4 characters of an ID number and the first character of a person', () => {
    expect(maskIdNumber('110101199003074514')).toBe('**************4514');
    expect(maskIdNumber('91330100MA27XL0E2K')).toBe('**************0E2K');
    expect(maskIdNumber('123')).toBe('***');
    expect(maskIdNumber(null)).toBeNull();
    expect(maskName('张伟', true)).toBe('张*');
    expect(maskName('杭州明远贸易有限公司', false)).toBe('杭州明远贸易有限公司');
  });
});

describe('zip rewriting (deterministic XLSX)', () => {
  it('writeZip / readZip round-trip and the CRC is the standard one', () => {
    expect(crc32(Buffer.from('abc'))).toBe(0x352441c2);
    const zip = writeZip([deflateEntry('a.txt', Buffer.from('hello')), deflateEntry('中文.xml', Buffer.from('<x/>'))], '2026-11-01T02:13:05Z');
    const back = readZip(zip);
    expect(back.map((e) => e.name)).toEqual(['a.txt', '中文.xml']);
    expect(entryData(back[0]!).toString()).toBe('hello');
    // DOS time of the local header: 02:13:04 (2-second resolution), date 2026-11-01
    expect(zip.readUInt16LE(10)).toBe((2 << 11) | (13 << 5) | 2);
    expect(zip.readUInt16LE(12)).toBe(((2026 - 1980) << 9) | (11 << 5) | 1);
  });

  it('the same workbook written at different wall-clock times normalises to the same bytes and still opens', async () => {
    const ctx: PackageContext = { month: '2026-10', asOfDate: '2026-10-31', runId: 'R', generatedAt: '2026-11-01T02:13:05Z', unmasked: false, figures: new PublishedFigures() };
    const report: BuiltReport = {
      template: parseReportTemplate(MINI, 'policy/reports/mini.yaml'),
      tables: [],
    };
    report.tables.push({ spec: report.template.tables[0]!, rows: [{ kind: 'data', cells: { metric_id: 'npl_ratio' } }] });
    const a = await reportXlsx(report, ctx);
    await new Promise((r) => setTimeout(r, 2100)); // JSZip stamps entries with the clock (2-second resolution)
    const b = await reportXlsx(report, ctx);
    expect(a.equals(b)).toBe(true);
    expect(normalizeZip(a, ctx.generatedAt).equals(a)).toBe(true);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(a as never);
    expect(wb.worksheets[0]!.getRow(6).getCell(1).value).toBe('npl_ratio');
    expect(wb.creator).toBe('credit-quality-analytics export');
    expect(wb.modified.toISOString()).toBe('2026-11-01T02:13:05.000Z');
  });
});

describe('CSV', () => {
  it('quotes, escapes, guards formulas and parses back', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=HYPERLINK("x")', true)).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-12.50', true)).toBe('-12.50');
    expect(parseCsv('\uFEFFa,"b,c"\r\n"d ""e""",\r\n')).toEqual([
      ['a', 'b,c'],
      ['d "e"', ''],
    ]);
  });

  it('writes BOM, header `中文 / English`, money with 2 decimals and ratios at full precision', () => {
    const spec = parseReportTemplate(MINI, 'm.yaml').tables[0]!;
    spec.columns = [
      { field: 'x', header_zh: '余额', header_en: 'Balance', format: 'wan' },
      { field: 'r', header_zh: '比率', header_en: 'Ratio', format: 'ratio' },
    ];
    const csv = tableCsv({ spec, rows: [{ kind: 'data', cells: { x: 1160968n, r: 1 / 3 } }, { kind: 'total', cells: { x: -5n, r: null } }] });
    expect(csv.toString('utf8')).toBe('\uFEFF余额 / Balance,比率 / Ratio\r\n11609.68,0.3333333333333333\r\n-0.05,\r\n');
  });
});

describe('small parsers', () => {
  it('months and timestamps', () => {
    expect(parseBusinessMonth('2024-02')).toEqual({ month: '2024-02', asOfDate: '2024-02-29' });
    expect(parseBusinessMonth('2026-10-31').asOfDate).toBe('2026-10-31');
    expect(() => parseBusinessMonth('2026-13')).toThrow(/YYYY-MM/);
    expect(normaliseTimestamp('2026-11-01 02:13:05')).toBe('2026-11-01T02:13:05Z');
    expect(normaliseTimestamp('2026-11-01T10:13:05+08:00')).toBe('2026-11-01T02:13:05Z');
    expect(() => normaliseTimestamp('yesterday')).toThrow(/ISO timestamp/);
  });

  it('PDF dates are replaced in place (same length)', () => {
    const pdf = Buffer.from("<< /CreationDate (D:20991231235959+00'00')\n/ModDate (D:20991231235959+00'00') >>", 'latin1');
    const out = stampPdfDates(pdf, '2026-11-01T02:13:05Z');
    expect(out.length).toBe(pdf.length);
    expect(out.toString('latin1')).toBe("<< /CreationDate (D:20261101021305+00'00')\n/ModDate (D:20261101021305+00'00') >>");
  });

  it('the docs describe every template kind and the verify command', () => {
    const docs = readFileSync('docs/exports.md', 'utf8');
    for (const k of ['five_category', 'npl_provisioning', 'kpi_report', 'large_exposures', '--verify', 'controlled rounding']) expect(docs).toContain(k);
  });
});

describe('status words and percentage points', () => {
  it('every status of STATUS_LABELS prints its Chinese and English words (incl. too_few), never the code', () => {
    for (const [code, l] of Object.entries(STATUS_LABELS)) expect(statusText(code)).toBe(`${l.zh} ${l.en}`);
    expect(statusText('too_few')).toBe('样本不足 Too few');
    expect(statusText('amber')).toBe('预警 Watch');
  });

  it('changes of ratios in 个百分点 pp with a sign', () => {
    expect(ppText(0.0012)).toBe('+0.12 个百分点 pp');
    expect(ppText(-0.14246)).toBe('-14.25 个百分点 pp');
    expect(ppText(0.00001)).toBe('0.00 个百分点 pp');
  });
});
