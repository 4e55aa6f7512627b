import { columnWidth, displayCell } from './cell-display.js';
import type { ManifestFile } from './manifest.js';
import { isNoData, type BuiltReport, type BuiltTable, type PackageContext } from './report-table.js';

/** Fonts for Chinese text: installed system fonts only (no web fonts, no URLs). */
export const CJK_FONT_STACK = `"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif`;

/** Title of the package (cover, PDF header). */
export const PACKAGE_TITLE_ZH = '贷款质量监管报送包';
export const PACKAGE_TITLE_EN = 'Regulatory export package — credit quality';

/** HTML-escapes text. @example esc('<a & b>') // '&lt;a &amp; b&gt;' */
export function esc(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

const CSS = `
@page { size: A4 portrait; margin: 16mm 11mm 15mm 11mm; }
@page wide { size: A4 landscape; margin: 16mm 11mm 15mm 11mm; }
* { box-sizing: border-box; }
body { font-family: ${CJK_FONT_STACK}; font-size: 8.5pt; color: #1a1a1a; margin: 0; }
section.report { break-before: page; }
section.landscape { page: wide; }
h1 { font-size: 14pt; margin: 0 0 1mm 0; }
h1 .en, h2 .en { font-weight: normal; color: #555; font-size: 0.8em; margin-left: 2mm; }
h2 { font-size: 11pt; margin: 4mm 0 1.5mm 0; }
p.meta { color: #555; margin: 0 0 2mm 0; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; page-break-inside: auto; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 0.5pt solid #b0b0b0; padding: 0.7mm 1.2mm; vertical-align: top; }
th { background: #dce6f1; font-weight: bold; text-align: center; font-size: 7.5pt; }
th .en { display: block; font-weight: normal; color: #444; font-size: 6.5pt; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.section td { background: #f2f2f2; font-weight: bold; }
tr.total td { font-weight: bold; border-top: 1.2pt solid #404040; }
td.rag-green { background: #c6efce; } td.rag-amber { background: #ffeb9c; } td.rag-red { background: #ffc7ce; }
td.rag-no_data { background: #e7e9ec; color: #555; } td.nodata { color: #555; text-align: right; white-space: nowrap; }
td.rag { text-align: center; }
td.nowrap { white-space: nowrap; }
table.data { table-layout: fixed; }
td { overflow-wrap: anywhere; }
ul.notes { color: #444; font-size: 7.5pt; margin: 2mm 0 0 0; padding-left: 4mm; }
table.kv td { border: none; padding: 0.6mm 2mm 0.6mm 0; }
table.kv td:first-child { color: #555; white-space: nowrap; }
table.files { table-layout: fixed; }
table.files td, table.files th { font-size: 7pt; }
table.files col.f { width: 24%; } table.files col.b { width: 9%; } table.files col.r { width: 7%; } table.files col.h { width: 60%; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 6.8pt; word-break: break-all; }
.cover h1 { font-size: 18pt; margin-top: 10mm; }
`;

/** What the cover page shows besides the context. */
export interface CoverInfo {
  /** XLSX and CSV files already written (their hashes are printed; the PDF cannot list its own). */
  files: readonly ManifestFile[];
  metricDefinitionsSha256: string;
  metrics: number;
  sourceExtracts: number;
  generatedAtSource: string;
}

function tableHtml(table: BuiltTable): string {
  const cols = table.spec.columns;
  const total = cols.reduce((a, c) => a + columnWidth(c), 0);
  const colgroup = `<colgroup>${cols.map((c) => `<col style="width: ${((100 * columnWidth(c)) / total).toFixed(2)}%">`).join('')}</colgroup>`;
  const head = `<tr>${cols.map((c) => `<th>${esc(c.header_zh)}<span class="en">${esc(c.header_en)}</span></th>`).join('')}</tr>`;
  const body = table.rows
    .map((row) => {
      const tds = cols.map((c) => {
        const v = row.cells[c.field] ?? null;
        const text = displayCell(v, c.format, row);
        const cls: string[] = [];
        if (typeof v === 'number' || typeof v === 'bigint') cls.push('num');
        if (isNoData(v)) cls.push('nodata');
        if (c.format === 'rag') cls.push('rag', `rag-${String(v ?? 'none')}`);
        if (c.format === 'month') cls.push('nowrap');
        return `<td${cls.length ? ` class="${cls.join(' ')}"` : ''}>${esc(text)}</td>`;
      });
      return `<tr class="${row.kind}">${tds.join('')}</tr>`;
    })
    .join('\n');
  return `<table class="data">${colgroup}<thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function reportHtml(report: BuiltReport, ctx: PackageContext): string {
  const t = report.template;
  const parts = [`<h1>${esc(t.title_zh)}<span class="en">${esc(t.title_en)}</span></h1>`];
  parts.push(`<p class="meta">数据日期 As of ${esc(ctx.asOfDate)}${t.form_ref ? ` · ${esc(t.form_ref)}` : ''} · 模板 Template ${esc(t.path)}</p>`);
  for (const table of report.tables) {
    if (report.tables.length > 1) parts.push(`<h2>${esc(table.spec.title_zh)}<span class="en">${esc(table.spec.title_en)}</span></h2>`);
    parts.push(tableHtml(table));
    const notes = [...(table.spec.notes_zh ?? []), ...(table.spec.notes_en ?? []), ...(table.footnotes ?? [])];
    if (notes.length) parts.push(`<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  return `<section class="report ${t.orientation}">\n${parts.join('\n')}\n</section>`;
}

/**
 * Cover lines on the package's amounts: their currency and unit, and each other currency of the
 * month with the rate it was converted at (from marts.mart_credit__currency_monthly).
 *
 * @example
 * amountRows(ctx); // [['金额单位 Amounts', '万元 (CNY 10,000)'], ['折算汇率 FX conversion', 'EUR: 3 loans at 7.8234 CNY per EUR (2026-10-31)']]
 */
function amountRows(ctx: PackageContext): [string, string][] {
  if (!ctx.amounts) return [];
  const { unit, currency, conversions } = ctx.amounts;
  const rows: [string, string][] = [['金额单位 Amounts', `${unit.zh} (${unit.en})`]];
  if (conversions.length) {
    const text = conversions
      .map((c) => `${c.currency}: ${c.loans} loans at ${c.fx_rate} ${currency} per ${c.currency} (${c.fx_rate_date})${c.fx_rates_used > 1 ? `, ${c.fx_rates_used} rates by snapshot date` : ''}`)
      .join('; ');
    rows.push(['折算汇率 FX conversion', text]);
  }
  return rows;
}

function coverHtml(reports: readonly BuiltReport[], ctx: PackageContext, cover: CoverInfo): string {
  const kv: [string, string][] = [
    ['业务月份 Business month', ctx.month],
    ['数据日期 As of', ctx.asOfDate],
    ['运行编号 Run id', ctx.runId],
    ['生成时间 Generated at', `${ctx.generatedAt} (${cover.generatedAtSource})`],
    ['证件号码 ID numbers', ctx.unmasked ? '未脱敏 UNMASKED (--unmasked)' : '已脱敏，仅显示后4位 masked to the last 4 characters'],
    ...amountRows(ctx),
    ['指标定义哈希 Metric definitions', `${cover.metrics} metrics, sha256 ${cover.metricDefinitionsSha256}`],
    ['源数据文件 Source extracts', `${cover.sourceExtracts} files (checksums in manifest.json)`],
  ];
  const list = reports.map((r) => `<li>${esc(r.template.title_zh)} — ${esc(r.template.title_en)}</li>`).join('');
  const files = cover.files
    .map((f) => `<tr><td>${esc(f.path)}</td><td class="num">${f.bytes}</td><td class="num">${f.rows ?? ''}</td><td><code>${f.sha256}</code></td></tr>`)
    .join('\n');
  return `<section class="cover">
<h1>${esc(PACKAGE_TITLE_ZH)}<span class="en">${esc(PACKAGE_TITLE_EN)}</span></h1>
<table class="kv">${kv.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>报表 Reports</h2><ol>${list}</ol>
<h2>数据文件 Data files<span class="en">SHA-256 of the XLSX and CSV files of this package; manifest.json lists these and this PDF</span></h2>
<table class="files"><colgroup><col class="f"><col class="b"><col class="r"><col class="h"></colgroup><thead><tr><th>文件 File</th><th>字节 Bytes</th><th>行 Rows</th><th>SHA-256</th></tr></thead><tbody>
${files}
</tbody></table>
</section>`;
}

/**
 * The package as one self-contained HTML page (inline CSS, system fonts, no URLs) for printing
 * to PDF: a cover page (month, run, masking, metric-definitions hash, the SHA-256 of every XLSX
 * and CSV), then each report on its own pages (landscape where the template says so), tables
 * with bilingual headers repeated on every page.
 *
 * @example
 * const html = packageHtml(reports, ctx, cover);
 */
export function packageHtml(reports: readonly BuiltReport[], ctx: PackageContext, cover: CoverInfo): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(`${PACKAGE_TITLE_ZH} ${ctx.month}`)}</title>
<style>${CSS}</style></head>
<body>
${coverHtml(reports, ctx, cover)}
${reports.map((r) => reportHtml(r, ctx)).join('\n')}
</body></html>
`;
}

/** Page header of the PDF: package title and month left, as-of date right. @example page.pdf({ headerTemplate: pdfHeaderTemplate(ctx) }) */
export function pdfHeaderTemplate(ctx: PackageContext): string {
  return `<div style="font-family: ${esc(CJK_FONT_STACK)}; font-size: 7.5px; color: #555; width: 100%; margin: 0 11mm; display: flex; justify-content: space-between;">
<span>${esc(PACKAGE_TITLE_ZH)} · ${esc(ctx.month)}</span><span>数据日期 As of ${esc(ctx.asOfDate)}</span></div>`;
}

/** Page footer of the PDF: run id left, page X / Y right. @example page.pdf({ footerTemplate: pdfFooterTemplate(ctx) }) */
export function pdfFooterTemplate(ctx: PackageContext): string {
  return `<div style="font-family: ${esc(CJK_FONT_STACK)}; font-size: 7.5px; color: #555; width: 100%; margin: 0 11mm; display: flex; justify-content: space-between;">
<span>Run ${esc(ctx.runId)} · ${esc(ctx.generatedAt)}</span><span>第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页 Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}
