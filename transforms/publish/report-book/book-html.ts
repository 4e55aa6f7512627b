import { CJK_FONT_STACK, esc } from '../exports/render-html.js';
import { rollForward, shownTotal, type BookData, type BookKpi } from './book-data.js';

/** Title of the report book. */
export const BOOK_TITLE_ZH = '信贷资产质量月报';
export const BOOK_TITLE_EN = 'Credit Asset Quality Monthly Report';

/** The book's sections in print order: anchor id (the PDF destination the contents link to) and headings. */
export const BOOK_SECTIONS = [
  { id: 'kpi-board', zh: '一、关键指标看板', en: '1. KPI board' },
  { id: 'narrative', zh: '二、本月变动说明', en: '2. What changed this month' },
  { id: 'npl-movements', zh: '三、不良贷款变动', en: '3. NPL movements' },
  { id: 'five-category', zh: '四、五级分类分布', en: '4. Five-category distribution' },
  { id: 'migration', zh: '五、分类迁徙', en: '5. Classification migration' },
  { id: 'branches', zh: '六、分支机构排名', en: '6. Branch ranking' },
  { id: 'early-warning', zh: '七、风险预警', en: '7. Early warning' },
  { id: 'model', zh: '八、评级模型表现', en: '8. Rating model performance' },
  { id: 'data-quality', zh: '附录一、数据质量', en: 'Annex 1. Data quality' },
  { id: 'glossary', zh: '附录二、指标术语表', en: 'Annex 2. Glossary of KPIs' },
] as const;

/** A section id of {@link BOOK_SECTIONS}. */
export type BookSectionId = (typeof BOOK_SECTIONS)[number]['id'];

/** Headings of the catalogue's pages in the KPI board; a page not listed shows its code. */
const PAGE_LABELS: Record<string, { zh: string; en: string }> = {
  npl: { zh: '资产质量', en: 'Asset quality' },
  migration: { zh: '分类迁徙', en: 'Classification migration' },
  customers: { zh: '客户质量', en: 'Customer quality' },
  'early-warning': { zh: '风险预警', en: 'Early warning' },
  model: { zh: '评级模型', en: 'Rating model' },
  'credit-files': { zh: '授信档案', en: 'Credit files' },
};

/** The charts of the book, as inline SVG. */
export interface BookCharts {
  waterfall: string | null;
  fiveCategory: string | null;
  branchRanking: string | null;
}

const CSS = `
@page { size: A4 portrait; margin: 20mm 16mm 17mm 16mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: ${CJK_FONT_STACK}; font-size: 9pt; line-height: 1.45; color: #1a1a1a; margin: 0; }
section.chapter, section.toc { break-before: page; }
section.sub { break-before: auto; }
h1 { font-size: 15pt; color: #1f3864; margin: 0 0 3mm 0; padding-bottom: 1.5mm; border-bottom: 1.2pt solid #1f3864; font-weight: bold; }
h1 .en, h2 .en, th .en { font-weight: normal; color: #5a5a5a; }
h1 .en { font-size: 10pt; margin-left: 3mm; }
h2 { font-size: 11pt; color: #1f3864; margin: 5mm 0 2mm 0; break-after: avoid; }
h2 .en { font-size: 8.5pt; margin-left: 2mm; }
p.lead { color: #404040; margin: 0 0 3mm 0; }
p.en, span.en-line { color: #5a5a5a; font-size: 8pt; }
p.none { color: #5a5a5a; border: 0.5pt dashed #9a9a9a; padding: 3mm; }
table { border-collapse: collapse; width: 100%; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.data { table-layout: fixed; margin-bottom: 2mm; }
table.data th, table.data td { border-bottom: 0.5pt solid #c8c8c8; padding: 1mm 1.5mm; vertical-align: top; }
table.data th { background: #1f3864; color: #fff; font-weight: bold; font-size: 8pt; text-align: center; border-bottom: none; }
table.data th .en { display: block; color: #d6dce5; font-size: 6.8pt; }
table.data tbody tr:nth-child(even) td { background: #f5f7fa; }
table.data tr.group td { background: #dce6f1 !important; color: #1f3864; font-weight: bold; }
table.data tr.total td { font-weight: bold; border-top: 1pt solid #404040; background: #fff !important; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.center { text-align: center; }
td .en { display: block; color: #5a5a5a; font-size: 7.2pt; }
td.small { font-size: 7.8pt; }
td.target { font-size: 7.8pt; text-align: right; }
table.branches td, table.branches th { font-size: 7.5pt; padding: 0.8mm 1mm; }
table.branches th .en { font-size: 6.2pt; }
tr.memo td { color: #404040; font-style: italic; }
span.status { display: inline-block; min-width: 15mm; padding: 0.2mm 1.5mm; border-radius: 1mm; font-size: 7.5pt; text-align: center; white-space: nowrap; }
.st-green { background: #c6efce; color: #14532d; } .st-amber { background: #ffeb9c; color: #6b4e00; } .st-red { background: #ffc7ce; color: #8b0016; }
.st-none, .st-no_data, .st-too_few { background: #e7e9ec; color: #444; }
table.data td.st-green { background: #e2f3e5 !important; } table.data td.st-amber { background: #fff4cc !important; } table.data td.st-red { background: #fde4e7 !important; }
div.chart { margin: 2mm 0 3mm 0; text-align: center; break-inside: avoid; }
div.chart svg { max-width: 100%; height: auto; }
p.source { color: #6a6a6a; font-size: 7.2pt; margin: 1mm 0 3mm 0; }
div.tiles { display: flex; gap: 3mm; margin: 0 0 4mm 0; }
div.tile { flex: 1; border: 0.6pt solid #c8c8c8; border-top: 2.5pt solid #1f3864; padding: 2mm 3mm; }
div.tile b { display: block; font-size: 16pt; color: #1f3864; }
div.tile.st-green b { color: #2e7d32; } div.tile.st-amber b { color: #9a6b00; } div.tile.st-red b { color: #b00020; }
div.tile.st-green, div.tile.st-amber, div.tile.st-red { background: #fff; }
ol.narrative { padding-left: 6mm; margin: 0; }
ol.narrative li { margin: 0 0 3mm 0; break-inside: avoid; }
ol.narrative li p { margin: 0; }
section.cover { height: 245mm; display: flex; flex-direction: column; }
.cover .band { background: #1f3864; color: #fff; padding: 10mm 10mm 8mm 10mm; margin-top: 18mm; }
.cover .band .inst { font-size: 12pt; letter-spacing: 0.5pt; }
.cover .band .inst-en { font-size: 9pt; color: #d6dce5; }
.cover h1.title { border: none; color: #fff; font-size: 28pt; margin: 10mm 0 1mm 0; letter-spacing: 2pt; }
.cover .title-en { font-size: 13pt; color: #d6dce5; }
.cover .period { font-size: 14pt; margin-top: 8mm; }
.cover table.kv { width: auto; margin: 10mm 0 0 0; }
.cover table.kv td { padding: 1.2mm 6mm 1.2mm 0; border-bottom: 0.5pt solid #d0d0d0; }
.cover table.kv td:first-child { color: #5a5a5a; white-space: nowrap; }
.cover .spacer { flex: 1; }
.draft { color: #b00020; font-weight: bold; border: 1.2pt solid #b00020; padding: 0.5mm 2mm; margin-left: 4mm; font-size: 10pt; vertical-align: middle; }
table.signoff { table-layout: fixed; margin-top: 6mm; }
table.signoff td { border-top: 0.6pt solid #808080; padding: 1.5mm 3mm 9mm 0; font-size: 8.5pt; vertical-align: top; }
table.signoff td span { display: block; color: #5a5a5a; font-size: 7.5pt; }
.cover p.note { color: #6a6a6a; font-size: 7.5pt; }
table.toc td { padding: 2mm 0; border-bottom: 0.5pt dotted #9a9a9a; }
table.toc td.page { text-align: right; width: 18mm; font-variant-numeric: tabular-nums; }
table.toc a { color: #1a1a1a; text-decoration: none; }
table.toc .en { color: #5a5a5a; margin-left: 3mm; font-size: 8.5pt; }
`;

const st = (k: BookKpi) => `<span class="status st-${esc(k.status.code)}">${esc(k.status.zh)} ${esc(k.status.en)}</span>`;
const th = (zh: string, en: string, width?: number) => `<th${width ? ` style="width:${width}%"` : ''}>${esc(zh)}<span class="en">${esc(en)}</span></th>`;
/** A printed amount (already in 万元, 2 decimals: BookMovement.shown, BookClass.shown) with thousands separators. */
const money = (wanAmount: number) => new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(wanAmount);
const int = (v: number) => new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(v);
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

function heading(id: BookSectionId): string {
  const s = BOOK_SECTIONS.find((x) => x.id === id)!;
  return `<h1 id="${s.id}">${esc(s.zh)}<span class="en">${esc(s.en)}</span></h1>`;
}

function kpiTable(kpis: readonly BookKpi[], grouped: boolean): string {
  const rows: string[] = [];
  let page: string | undefined;
  for (const k of kpis) {
    if (grouped && k.page !== page) {
      page = k.page;
      const l = PAGE_LABELS[page] ?? { zh: page || '其他', en: page || 'Other' };
      rows.push(`<tr class="group"><td colspan="6">${esc(l.zh)} ${esc(l.en)}</td></tr>`);
    }
    // A figure that is too few or missing reads no number (as on the site), with the reason.
    const shown = k.status.code === 'too_few' || k.status.code === 'no_data' ? null : k.value;
    const reason = shown === null && (k.reasonZh || k.reasonEn) ? `<span class="en">${esc(k.reasonZh ?? '')} ${esc(k.reasonEn ?? '')}</span>` : '';
    rows.push(
      `<tr><td>${esc(k.nameZh)}<span class="en">${esc(k.nameEn)}</span>${reason}</td><td class="num">${esc(shown ?? '—')}</td><td class="num">${esc(k.prev ?? '—')}</td><td class="num">${esc(shown === null ? '—' : k.change ?? '—')}</td><td class="target">${esc(k.targetText || '—')}</td><td class="center">${st(k)}</td></tr>`,
    );
  }
  return `<table class="data"><thead><tr>${th('指标', 'KPI', 32)}${th('本月', 'This month', 11)}${th('上月', 'Last month', 11)}${th('变动', 'Change', 15)}${th('目标', 'Target', 15)}${th('状态', 'Status', 16)}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}

function coverHtml(d: BookData): string {
  const i = d.institution;
  const s = d.signatories;
  const name = (v: string) => (v.trim() ? esc(v) : '&nbsp;');
  return `<section class="cover">
<div class="band">
<div class="inst">${esc(i.nameZh)}</div><div class="inst-en">${esc(i.nameEn)}</div>
<h1 class="title">${esc(BOOK_TITLE_ZH)}${s.draft ? '<span class="draft">草稿 DRAFT</span>' : ''}</h1>
<div class="title-en">${esc(BOOK_TITLE_EN)}</div>
<div class="period">报告期 Reporting period：${esc(d.month)}</div>
</div>
<table class="kv">
<tr><td>机构名称 Institution</td><td>${esc(i.nameZh)} ${esc(i.nameEn)}</td></tr>
<tr><td>机构代码 Institution code</td><td>${esc(i.code)}</td></tr>
<tr><td>数据截止日 As of</td><td>${esc(d.asOfDate)}</td></tr>
<tr><td>运行批次 Run</td><td>${esc(d.runId)}</td></tr>
<tr><td>生成时间 Generated</td><td>${esc(d.generatedAt)}</td></tr>
<tr><td>金额单位 Amounts</td><td>${esc(d.amounts.unit.zh)} (${esc(d.amounts.unit.en)})</td></tr>
</table>
<div class="spacer"></div>
<p class="note">本报告由数据仓库按月自动生成，所有数字与文字均来自指标目录与当期数据。 Generated from the warehouse; every figure and sentence comes from the KPI catalogue and the month's data.</p>
<table class="signoff"><tr>
<td>填表人<span>Prepared by</span>${name(s.preparedBy)}</td>
<td>复核人<span>Reviewed by</span>${name(s.reviewedBy)}</td>
<td>负责人<span>Approved by</span>${name(s.approvedBy)}</td>
<td>日期<span>Date</span>${esc(s.date)}</td>
</tr></table>
</section>`;
}

function tocHtml(pages: ReadonlyMap<string, number> | null): string {
  const rows = BOOK_SECTIONS.map((s) => {
    const p = pages?.get(s.id);
    return `<tr><td><a href="#${s.id}">${esc(s.zh)}<span class="en">${esc(s.en)}</span></a></td><td class="page">${p === undefined ? '00' : p}</td></tr>`;
  });
  return `<section class="toc"><h1>目录<span class="en">Contents</span></h1><table class="toc">${rows.join('')}</table></section>`;
}

function boardHtml(d: BookData): string {
  const count = (code: string) => d.kpis.filter((k) => k.status.code === code).length;
  const tile = (code: string, zh: string, en: string) => `<div class="tile st-${code}"><b>${count(code)}</b>${esc(zh)} ${esc(en)}</div>`;
  const others = d.kpis.length - count('green') - count('amber') - count('red');
  const order = new Map(Object.keys(PAGE_LABELS).map((p, i) => [p, i]));
  const kpis = [...d.kpis].sort((a, b) => (order.get(a.page) ?? 99) - (order.get(b.page) ?? 99) || d.kpis.indexOf(a) - d.kpis.indexOf(b));
  return `<section class="chapter">${heading('kpi-board')}
<p class="lead">指标目录中全部 ${d.kpis.length} 项指标的本月全行数值、目标与状态。 All ${d.kpis.length} KPIs of the catalogue: whole-book value this month, target and status.</p>
<div class="tiles">${tile('green', '达标', 'On target')}${tile('amber', '预警', 'Watch')}${tile('red', '未达标', 'Off target')}<div class="tile"><b>${others}</b>无目标/无数据/样本不足 No target, no data or too few</div></div>
${kpiTable(kpis, true)}
</section>`;
}

function narrativeHtml(d: BookData): string {
  const body = d.commentary.length
    ? `<ol class="narrative">${d.commentary.map((c) => `<li><p>${esc(c.zh)}</p><p class="en">${esc(c.en)}</p></li>`).join('\n')}</ol>`
    : '<p class="none">本月没有变动说明（当月或上月数据不足）。 No commentary for this month (this or last month has no figures).</p>';
  return `<section class="chapter">${heading('narrative')}
<p class="lead">以下语句由当月与上月的指标数值按固定模板生成。 These sentences are generated from this month's and last month's figures by fixed templates.</p>
${body}
</section>`;
}

function movementsHtml(d: BookData, chart: string | null): string {
  if (!d.movements.length) return `<section class="chapter">${heading('npl-movements')}<p class="none">本月没有不良贷款变动数据。 No NPL movements for this month.</p></section>`;
  const flow = rollForward(d.movements);
  const rows = d.movements.map((m) => {
    const memo = !flow.includes(m);
    const signed = m.sign === 0 || m.shown === 0 ? money(m.shown) : `${m.sign > 0 ? '+' : '−'}${money(m.shown)}`;
    // Memo lines say so in their own label (其中 of which …, 备注 Memo: …), from the code labels.
    const label = `${esc(m.labelZh)}${m.labelEn ? `<span class="en">${esc(m.labelEn)}</span>` : ''}`;
    return `<tr${memo ? ' class="memo"' : m.lineType === 'stock' ? ' class="total"' : ''}><td>${label}</td><td class="num">${int(m.loans)}</td><td class="num">${signed}</td></tr>`;
  });
  return `<section class="chapter">${heading('npl-movements')}
<p class="lead">期初不良余额加本月新增、减去各项减少，得到期末不良余额（${esc(d.amounts.unit.zh)}）。 Opening NPL balance plus additions less reductions gives the closing balance (${esc(d.amounts.unit.en)}).</p>
${chart ? `<div class="chart">${chart}</div>` : ''}
<table class="data"><thead><tr>${th('变动项目', 'Movement', 56)}${th('笔数', 'Loans', 14)}${th(`金额（${d.amounts.unit.zh}）`, `Amount (${d.amounts.unit.en})`, 30)}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

function fiveCategoryHtml(d: BookData, chart: string | null): string {
  if (!d.classes.length) return `<section class="chapter">${heading('five-category')}<p class="none">本月没有五级分类数据。 No five-category figures for this month.</p></section>`;
  const total = { loans: d.classes.reduce((a, c) => a + c.loans, 0) };
  const rows = d.classes.map((c) => {
    const change = c.prevShare === null ? '—' : `${c.share - c.prevShare >= 0 ? '+' : '−'}${Math.abs((c.share - c.prevShare) * 100).toFixed(2)} pp`;
    return `<tr><td>${esc(c.cls)}${c.clsEn ? `<span class="en">${esc(c.clsEn)}</span>` : ''}</td><td class="num">${int(c.loans)}</td><td class="num">${money(c.shown)}</td><td class="num">${pct(c.share)}</td><td class="num">${pct(c.prevShare)}</td><td class="num">${change}</td></tr>`;
  });
  rows.push(`<tr class="total"><td>合计<span class="en">Total</span></td><td class="num">${int(total.loans)}</td><td class="num">${money(shownTotal(d.classes))}</td><td class="num">100.00%</td><td class="num"></td><td class="num"></td></tr>`);
  return `<section class="chapter">${heading('five-category')}
<p class="lead">在账贷款按五级分类的笔数、余额（${esc(d.amounts.unit.zh)}）与占比，及与上月比较。 On-book loans by class: count, balance (${esc(d.amounts.unit.en)}) and share, against last month.</p>
${chart ? `<div class="chart">${chart}</div>` : ''}
<table class="data"><thead><tr>${th('分类', 'Class', 24)}${th('笔数', 'Loans', 12)}${th('余额', 'Balance', 18)}${th('占比', 'Share', 14)}${th('上月占比', 'Last month', 14)}${th('变动', 'Change', 18)}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

function pageKpiSection(id: BookSectionId, d: BookData, page: string, intro: string, none: string): string {
  const kpis = d.kpis.filter((k) => k.page === page);
  return `<section class="chapter">${heading(id)}
${kpis.length ? `<p class="lead">${intro}</p>${kpiTable(kpis, false)}` : `<p class="none">${none}</p>`}
</section>`;
}

function branchesHtml(d: BookData, chart: string | null): string {
  if (!d.branches.length || !d.branchKpis.length) return `<section class="chapter">${heading('branches')}<p class="none">本月没有按分支机构的指标。 No KPIs by branch for this month.</p></section>`;
  const first = d.branchKpis[0]!;
  const w = Math.floor(78 / d.branchKpis.length);
  const head = `${th('排名', 'Rank', 6)}${th('分支机构', 'Branch', 100 - 6 - w * d.branchKpis.length)}${d.branchKpis.map((k) => th(k.nameZh, k.nameEn, w)).join('')}`;
  const rows = d.branches.map(
    (b, i) =>
      `<tr><td class="center">${i + 1}</td><td>${esc(b.label)}</td>${d.branchKpis
        .map((k) => {
          const v = b.values[k.metricId];
          return `<td class="num st-${esc(v?.status.code ?? 'no_data')}">${esc(v?.text ?? '—')}</td>`;
        })
        .join('')}</tr>`,
  );
  rows.push(`<tr class="total"><td></td><td>全行<span class="en">Whole book</span></td>${d.branchKpis.map((k) => `<td class="num">${esc(k.value ?? '—')}</td>`).join('')}</tr>`);
  return `<section class="chapter">${heading('branches')}
<p class="lead">按${esc(first.nameZh)}排序（差者在前），单元格底色为该机构的指标状态。 Ranked by ${esc(first.nameEn)} (worst first); cell colour is the branch's status on that KPI.</p>
${chart ? `<div class="chart">${chart}</div>` : ''}
<table class="data branches"><thead><tr>${head}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

function dataQualityHtml(d: BookData): string {
  const tests = d.tests.length
    ? d.tests
        .map((t) => {
          const s = t.status === 'pass' ? ['通过', 'Passed', 'green'] : t.status === 'warn' ? ['警告', 'Warning', 'amber'] : t.status === 'fail' ? ['未通过', 'Failed', 'red'] : [t.status, t.status, 'none'];
          const sev = t.severity === 'error' ? '阻断 Blocking' : t.severity === 'warn' ? '提示 Advisory' : t.severity;
          return `<tr><td><span class="status st-${s[2]}">${esc(s[0]!)} ${esc(s[1]!)}</span></td><td>${esc(sev)}</td><td class="num">${int(t.tests)}</td></tr>`;
        })
        .join('\n')
    : '';
  const rejections = d.rejections.length
    ? `<table class="data"><thead><tr>${th('抽取文件', 'Extract', 26)}${th('原因代码', 'Reason', 30)}${th('字段', 'Column', 26)}${th('拒绝行数', 'Rows rejected', 18)}</tr></thead><tbody>
${d.rejections.map((r) => `<tr><td>${esc(r.entity)}</td><td>${esc(r.reasonCode)}</td><td>${esc(r.column)}</td><td class="num">${int(r.rows)}</td></tr>`).join('\n')}
</tbody></table>`
    : '<p class="none">截至本月末没有被拒绝的抽取行。 No extract rows were rejected up to this month end.</p>';
  const loads = d.loads
    .map(
      (l) =>
        `<tr><td class="num">${esc(l.business_date)}</td><td>${esc(l.entity)}</td><td class="num">${int(l.rows_loaded)}</td><td class="num">${int(l.rows_rejected)}</td><td class="small">${esc(l.sha256.slice(0, 16))}</td></tr>`,
    )
    .join('\n');
  return `<section class="chapter">${heading('data-quality')}
<p class="lead">本月数字所依据的抽取文件、被拒绝的行与数据测试结果。 The extracts behind this month's figures, the rows rejected and the data tests.</p>
<h2>数据测试<span class="en">Data tests</span></h2>
${tests ? `<table class="data"><thead><tr>${th('结果', 'Result', 40)}${th('级别', 'Severity', 40)}${th('测试数', 'Tests', 20)}</tr></thead><tbody>\n${tests}\n</tbody></table>` : '<p class="none">本仓库没有数据测试记录。 No data test results in this warehouse.</p>'}
<h2>拒绝行<span class="en">Rejected rows</span></h2>
${rejections}
<h2>抽取文件<span class="en">Source extracts</span></h2>
<table class="data"><thead><tr>${th('业务日期', 'Business date', 18)}${th('抽取文件', 'Extract', 30)}${th('入库行数', 'Rows loaded', 16)}${th('拒绝行数', 'Rows rejected', 16)}${th('校验和', 'SHA-256 (prefix)', 20)}</tr></thead><tbody>
${loads}
</tbody></table>
</section>`;
}

function glossaryHtml(d: BookData): string {
  const rows = d.catalog.map(
    (c) =>
      `<tr><td>${esc(c.name_zh)}<span class="en">${esc(c.name_en)}</span></td><td class="small">${esc(c.description_zh ?? '')}</td><td class="small">${esc(c.description ?? '')}</td><td class="small">${esc(c.target_text ?? '')}${c.target_text_en && c.target_text_en !== c.target_text ? `<span class="en">${esc(c.target_text_en)}</span>` : ''}</td></tr>`,
  );
  return `<section class="chapter">${heading('glossary')}
<p class="lead">指标目录中每项指标的中英文定义与目标。 Each KPI of the catalogue: definition in Chinese and English, and target.</p>
<table class="data"><thead><tr>${th('指标', 'KPI', 22)}${th('定义（中文）', 'Definition (Chinese)', 33)}${th('定义（英文）', 'Definition (English)', 33)}${th('目标', 'Target', 12)}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</section>`;
}

/**
 * The report book as one self-contained HTML page (inline CSS and SVG charts, system fonts, no
 * URLs) for printing to A4 PDF: cover with sign-off, contents (page numbers from `pages`, `00`
 * before they are known), then {@link BOOK_SECTIONS} each from a new page. Tables repeat their
 * header rows on every page they span (`thead { display: table-header-group }`) and never split a row.
 *
 * @example
 * const html = bookHtml(data, charts, new Map([['kpi-board', 3]]));
 */
export function bookHtml(d: BookData, charts: BookCharts, pages: ReadonlyMap<string, number> | null): string {
  return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>${esc(`${BOOK_TITLE_ZH} ${d.month}`)}</title>
<style>${CSS}</style></head>
<body>
${coverHtml(d)}
${tocHtml(pages)}
${boardHtml(d)}
${narrativeHtml(d)}
${movementsHtml(d, charts.waterfall)}
${fiveCategoryHtml(d, charts.fiveCategory)}
${pageKpiSection('migration', d, 'migration', '指标目录中迁徙类指标的本月数值。 The migration KPIs of the catalogue this month.', '本期数据仓库中没有分类迁徙指标。 This warehouse has no classification-migration KPIs.')}
${branchesHtml(d, charts.branchRanking)}
${pageKpiSection('early-warning', d, 'early-warning', '风险预警类指标的本月数值。 The early-warning KPIs this month.', '本期数据仓库中没有风险预警指标。 This warehouse has no early-warning KPIs.')}
${pageKpiSection('model', d, 'model', '评级模型表现类指标的本月数值。 The rating-model KPIs this month.', '本期数据仓库中没有模型表现指标。 This warehouse has no model-performance KPIs.')}
${dataQualityHtml(d)}
${glossaryHtml(d)}
</body></html>
`;
}

/** Running header: institution and title left, reporting period right. @example page.pdf({ headerTemplate: bookHeaderTemplate(data) }) */
export function bookHeaderTemplate(d: BookData): string {
  return `<div style="font-family: ${esc(CJK_FONT_STACK)}; font-size: 7.5px; color: #555; width: 100%; margin: 0 16mm; padding-bottom: 1.5mm; border-bottom: 0.5pt solid #1f3864; display: flex; justify-content: space-between;">
<span>${esc(d.institution.nameZh)} · ${esc(BOOK_TITLE_ZH)} ${esc(BOOK_TITLE_EN)}${d.signatories.draft ? ' · 草稿 DRAFT' : ''}</span><span>报告期 Period ${esc(d.month)}</span></div>`;
}

/** Running footer: as-of and run left, page X of Y right. @example page.pdf({ footerTemplate: bookFooterTemplate(data) }) */
export function bookFooterTemplate(d: BookData): string {
  return `<div style="font-family: ${esc(CJK_FONT_STACK)}; font-size: 7.5px; color: #555; width: 100%; margin: 0 16mm; display: flex; justify-content: space-between;">
<span>数据截止日 As of ${esc(d.asOfDate)} · 运行批次 Run ${esc(d.runId)}</span><span>第 <span class="pageNumber"></span> 页 / 共 <span class="totalPages"></span> 页 Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`;
}
