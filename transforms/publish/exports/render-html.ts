import { columnWidth, displayCell } from './cell-display.js';
import type { ManifestFile } from './manifest.js';
import { institutionLine, periodText, units } from './write-xlsx.js';
import { isCapped, isNoData, type BuiltReport, type BuiltTable, type PackageContext } from './report-table.js';

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
td.rag-no_data, td.rag-too_few { background: #e7e9ec; color: #555; } td.nodata { color: #555; text-align: right; white-space: nowrap; }
td.rag { text-align: center; }
td.nowrap { white-space: nowrap; }
table.data { table-layout: fixed; }
table.data.dense td { font-size: 7pt; padding: 0.6mm 0.8mm; }
table.data.dense th { font-size: 6.8pt; padding: 0.6mm 0.6mm; }
td, th { word-break: normal; overflow-wrap: normal; hyphens: none; }
th .en, td:lang(en) { word-break: keep-all; }
td.rag { white-space: nowrap; font-size: 7pt; }
td.num, td.nodata { white-space: nowrap; }
p.form-head { margin: 0 0 1.5mm 0; font-size: 8pt; display: flex; flex-wrap: wrap; gap: 1mm 6mm; }
p.form-head span { white-space: nowrap; }
.draft { color: #b00020; font-weight: bold; border: 1pt solid #b00020; padding: 0 1.5mm; margin-left: 3mm; font-size: 9pt; }
table.signoff { width: 100%; margin-top: 5mm; border-collapse: collapse; table-layout: fixed; }
table.signoff td { border: none; border-top: 0.5pt solid #888; padding: 1.5mm 2mm 0 0; font-size: 8.5pt; }
table.signoff span { white-space: nowrap; }
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
        if (isCapped(v)) cls.push('num', 'capped');
        if (c.format === 'rag') cls.push('rag', `rag-${String(v ?? 'none')}`);
        if (c.format === 'change' && typeof v === 'number') cls.push('num');
        if (c.format === 'month') cls.push('nowrap');
        return `<td${cls.length ? ` class="${cls.join(' ')}"` : ''}>${esc(text)}</td>`;
      });
      return `<tr class="${row.kind}">${tds.join('')}</tr>`;
    })
    .join('\n');
  // Many columns (the KPI report's months, the bilingual definitions): a smaller type so numbers and status words fit their cells.
  return `<table class="data${cols.length >= 14 ? ' dense' : ''}">${colgroup}<thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function draftMark(ctx: PackageContext): string {
  return ctx.submission?.draft ? '<span class="draft">草稿 DRAFT</span>' : '';
}

/** The sign-off block under every form: 填表人 / 复核人 / 负责人 / 报送日期. */
function signOffHtml(ctx: PackageContext): string {
  const s = ctx.submission;
  const name = (v: string | undefined) => (v ? esc(v) : '&nbsp;');
  const cell = (k: string, v: string) => `<td><span>${k}：</span><span>${v}</span></td>`;
  return `<table class="signoff"><tr>${cell('填表人 Prepared by', name(s?.preparedBy))}${cell('复核人 Reviewed by', name(s?.reviewedBy))}${cell('负责人 Approved by', name(s?.approvedBy))}${cell('报送日期 Submitted on', esc(s?.submittedOn ?? ''))}</tr></table>`;
}

function reportHtml(report: BuiltReport, ctx: PackageContext): string {
  const t = report.template;
  const parts = [`<h1>${esc(t.title_zh)}<span class="en">${esc(t.title_en)}</span>${draftMark(ctx)}</h1>`];
  const unit = units(report.tables.flatMap((x) => x.spec.columns.map((c) => c.format)), ctx);
  parts.push(
    `<p class="form-head"><span>填报机构 Reporting institution：${esc(institutionLine(ctx))}</span><span>报告期 Period：${esc(periodText(ctx))}</span><span>${esc(unit)}</span>${t.form_ref ? `<span>${esc(t.form_ref)}</span>` : ''}</p>`,
  );
  for (const table of report.tables) {
    if (report.tables.length > 1) parts.push(`<h2>${esc(table.spec.title_zh)}<span class="en">${esc(table.spec.title_en)}</span></h2>`);
    parts.push(tableHtml(table));
    const notes = [...(table.spec.notes_zh ?? []), ...(table.spec.notes_en ?? []), ...(table.footnotes ?? [])];
    if (notes.length) parts.push(`<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  }
  parts.push(signOffHtml(ctx));
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

function coverHtml(reports: readonly BuiltReport[], ctx: PackageContext): string {
  const i = ctx.submission?.institution;
  const kv: [string, string][] = [
    ['填报机构 Reporting institution', i ? `${i.nameZh} ${i.nameEn}` : ''],
    ['机构代码 Institution code', i?.code ?? ''],
    ['报告期 Period', periodText(ctx)],
    ['证件号码 ID numbers', ctx.unmasked ? '未脱敏 not masked' : '已脱敏，仅显示后4位 masked to the last 4 characters'],
    ...amountRows(ctx),
  ];
  const list = reports.map((r) => `<li>${esc(r.template.title_zh)} — ${esc(r.template.title_en)}</li>`).join('');
  return `<section class="cover">
<h1>${esc(PACKAGE_TITLE_ZH)}<span class="en">${esc(PACKAGE_TITLE_EN)}</span>${draftMark(ctx)}</h1>
<table class="kv">${kv.map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(v)}</td></tr>`).join('')}</table>
<h2>报表 Forms</h2><ol>${list}</ol>
${signOffHtml(ctx)}
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
${coverHtml(reports, ctx)}
${reports.map((r) => reportHtml(r, ctx)).join('\n')}
</body></html>
`;
}

/** Page header of the PDF: package title and month left, as-of date right. @example page.pdf({ headerTemplate: pdfHeaderTemplate(ctx) }) */
export function pdfHeaderTemplate(ctx: PackageContext): string {
  return `<div style="font-family: ${esc(CJK_FONT_STACK)}; font-size: 7.5px; color: #555; width: 100%; margin: 0 11mm; display: flex; justify-content: space-between;">
<span>${esc(ctx.submission?.institution.nameZh ?? '')} · ${esc(PACKAGE_TITLE_ZH)} · ${esc(ctx.month)}${ctx.submission?.draft ? ' · 草稿 DRAFT' : ''}</span><span>报告期 Period ${esc(ctx.month)}</span></div>`;
}

/** Page footer of the PDF: submission date left, page X / Y right. @example page.pdf({ footerTemplate: pdfFooterTemplate(ctx) }) */
export function pdfFooterTemplate(ctx: PackageContext): string {
  return `<div style="font-family: ${esc(CJK_FONT_STACK)}; font-size: 7.5px; color: #555; width: 100%; margin: 0 11mm; display: flex; justify-content: space-between;">
<span>报送日期 Submitted on ${esc(ctx.submission?.submittedOn ?? '')}</span><span>第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页 Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}
