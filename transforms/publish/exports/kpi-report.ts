import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { UNIT_LABELS, type MetricUnit } from '../../kpi/metric.js';
import { monthEndBefore } from '../../lib/month-end.js';
import { statusText } from './cell-display.js';
import { catalogDisplay, kpiChange, kpiFigure, kpiKey, kpiRag, readCatalog, readKpiValues, reportingMonths, type CatalogRow } from './kpi-lookup.js';
import { numberOption, templateError, type ReportTemplate } from './report-template.js';
import type { ColumnSpec, TableSpec } from './report-template.js';
import { Footnotes, notesOf, type BuiltReport, type BuiltTable, type Cell, type PackageContext, type TableRow } from './report-table.js';

/** The unit in Chinese: the catalogue's `unit_zh` (an older catalogue: from the unit). */
function unitZh(c: CatalogRow): string {
  return c.unit_zh ?? UNIT_LABELS[c.unit as MetricUnit]?.zh ?? c.unit;
}

const DIRECTION_LABELS: Record<string, string> = {
  lower_is_better: '越低越好 lower is better',
  higher_is_better: '越高越好 higher is better',
};

/**
 * Builds the customer-quality KPI report: every KPI of `metrics.metric_catalog` (or the
 * template's `options.metrics` list), whole book, for the export month and the
 * `options.months_back` (default 12) reporting months before it, straight from
 * `metrics.kpi_values` (value, target, RAG, numerator, denominator: nothing recomputed), plus
 * the definitions from the catalogue.
 *
 * Values and targets (`kpi` columns) are shown as the catalogue's `display_format` /
 * `display_decimals` say, as on the report site (AUC `0.857`, NPL ratio `2.31%`).
 *
 * A KPI row with status `no_data` shows "—" with a footnote number (`— [1]`) for its value (and
 * for its numerator / denominator when those are unknown), RAG `no_data`, and the reason in the
 * footnotes under the table and in the row's `note` (so the CSV, which has no notes area, carries
 * it too): never a 0 and never a colour.
 *
 * Table sources:
 * - `values`: one row per metric × month. Fields: metric_id, name_zh, name_en, month (YYYY-MM),
 *   value, target, rag (green / amber / red / none / no_data / too_few), status (已测 Measured, or the status words: 无数据 No data, 样本不足 Too few),
 *   note (the footnotes of the row's no-data cells), numerator, denominator, unit, unit_zh, target_text;
 * - `definitions`: one row per metric, every reader text in both languages. Fields: metric_id,
 *   name_zh, name_en, description_zh, description (English), formula_text (Chinese),
 *   formula_text_en, numerator_text_zh, numerator_text (English), denominator_text_zh,
 *   denominator_text (English), unit, unit_zh, direction, target_text (Chinese), target_text_en,
 *   tolerance_text_zh, tolerance_text (English), policy_source.
 *
 * A too-few value (`status` too_few) is never shown: `— [n]`, its footnote gives the sample size
 * against the minimum (`n = 12 < 30`); a value above the KPI's display cap prints the cap
 * (`> 1,000% [n]`) and a change beyond the change cap prints capped (`> +100.00 个百分点 pp [n]`),
 * each with a footnote (kpi-lookup.ts).
 *
 * @example
 * const report = await buildKpiReport(wh, template, ctx);
 */
export async function buildKpiReport(wh: WarehouseHandle, t: ReportTemplate, ctx: PackageContext): Promise<BuiltReport> {
  const back = numberOption(t, 'months_back', 12);
  const reporting = new Set(await reportingMonths(wh));
  const months = Array.from({ length: back + 1 }, (_, i) => monthEndBefore(ctx.asOfDate, back - i)).filter((m) => reporting.has(m));
  let catalog = await readCatalog(wh);
  const wanted = t.options.metrics;
  if (wanted !== undefined && wanted !== 'all') {
    if (!Array.isArray(wanted) || wanted.some((x) => typeof x !== 'string')) templateError(t, 'options.metrics', 'must be "all" or a list of metric ids.');
    const byId = new Map(catalog.map((c) => [c.metric_id, c]));
    catalog = (wanted as string[]).map((id) => byId.get(id) ?? templateError(t, 'options.metrics', `names "${id}", which is not in metrics.metric_catalog.`));
  }
  const kpis = await readKpiValues(wh, { metrics: catalog.map((c) => c.metric_id), months, slices: ['all'] });
  const tables: BuiltTable[] = t.tables.map((spec, ti) => {
    if (spec.source === 'values') {
      const notes = new Footnotes();
      const rows = valueRows(catalog, months, kpis, notes);
      return { spec, rows, footnotes: notes.list() };
    }
    if (spec.source === 'wide') {
      const notes = new Footnotes();
      return wideTable(t, spec, catalog, months, kpis, notes);
    }
    if (spec.source === 'definitions') return { spec, rows: definitionRows(catalog) };
    return templateError(t, `tables[${ti}].source`, `must be "wide", "values" or "definitions" for a kpi_report, got "${spec.source}".`);
  });
  return { template: t, tables };
}

function valueRows(catalog: readonly CatalogRow[], months: readonly string[], kpis: Awaited<ReturnType<typeof readKpiValues>>, notes: Footnotes): TableRow[] {
  const rows: TableRow[] = [];
  for (const c of catalog) {
    for (const m of months) {
      const k = kpis.get(kpiKey(c.metric_id, m));
      const figures = {
        value: kpiFigure(k, 'value', notes),
        target: kpiFigure(k, 'target', notes),
        numerator: kpiFigure(k, 'numerator', notes),
        denominator: kpiFigure(k, 'denominator', notes),
      };
      const used = notesOf(figures);
      const cells: Record<string, Cell> = {
        metric_id: c.metric_id,
        name_zh: c.name_zh,
        name_en: c.name_en,
        month: m.slice(0, 7),
        ...figures,
        rag: kpiRag(k),
        status: k ? (k.status === 'measured' ? '已测 Measured' : statusText(k.status)) : null,
        note: used.length ? used.map((n) => notes.text(n)).join(' ') : null,
        unit: c.unit,
        unit_zh: unitZh(c),
        target_text: c.target_text,
      };
      rows.push({ kind: 'data', cells, unit: c.unit, display: catalogDisplay(c) });
    }
  }
  return rows;
}

function definitionRows(catalog: readonly CatalogRow[]): TableRow[] {
  return catalog.map((c) => ({
    kind: 'data',
    unit: c.unit,
    display: catalogDisplay(c),
    cells: {
      metric_id: c.metric_id,
      name_zh: c.name_zh,
      name_en: c.name_en,
      description: c.description,
      description_zh: c.description_zh ?? c.description,
      formula_text: c.formula_text,
      formula_text_en: c.formula_text_en ?? c.formula_text,
      numerator_text: c.numerator_text,
      numerator_text_zh: c.numerator_text_zh ?? c.numerator_text,
      denominator_text: c.denominator_text,
      denominator_text_zh: c.denominator_text_zh ?? c.denominator_text,
      unit: c.unit,
      unit_zh: unitZh(c),
      direction: DIRECTION_LABELS[c.direction] ?? c.direction,
      target_text: c.target_text,
      target_text_en: c.target_text_en ?? c.target_text,
      tolerance_text: c.tolerance_text,
      tolerance_text_zh: c.tolerance_text_zh ?? c.tolerance_text,
      policy_source: c.policy_source,
    },
  }));
}

/** Section of a KPI by its report page (catalogue `page`), from the template's `options.sections`. */
interface KpiSection {
  page: string;
  label_zh: string;
  label_en: string;
}

/**
 * The KPI report as one wide table per section: rows = KPIs (grouped under a heading per section,
 * from `options.sections`: `{page, label_zh, label_en}` by the catalogue's page), columns = the
 * months (the template column `field: "@months"` is expanded into one column per month, oldest
 * first, fields `v_YYYY_MM`), then the change on the previous month (`change`: percentage points for
 * ratios) and the status of the export month (`status`, words from STATUS_LABELS). A month
 * without data is "— [n]" with its footnote.
 */
function wideTable(
  t: ReportTemplate,
  spec: TableSpec,
  catalog: readonly CatalogRow[],
  months: readonly string[],
  kpis: Awaited<ReturnType<typeof readKpiValues>>,
  notes: Footnotes,
): BuiltTable {
  const raw = t.options.sections;
  const sections: KpiSection[] = Array.isArray(raw) ? (raw as KpiSection[]) : [];
  for (const [i, x] of sections.entries()) {
    if (typeof x?.page !== 'string' || typeof x.label_zh !== 'string' || typeof x.label_en !== 'string') templateError(t, `options.sections[${i}]`, 'must be {page, label_zh, label_en}.');
  }
  const columns: ColumnSpec[] = spec.columns.flatMap((c) =>
    c.field === '@months'
      ? months.map((m): ColumnSpec => ({ field: `v_${m.slice(0, 7).replace('-', '_')}`, header_zh: m.slice(0, 7), header_en: '', format: 'kpi', ...(c.width ? { width: c.width } : {}) }))
      : [c],
  );
  const last = months[months.length - 1];
  const prev = months[months.length - 2];
  const order = [...sections.map((x) => x.page), ...new Set(catalog.map((c) => c.page ?? '').filter((p) => !sections.some((x) => x.page === p)))];
  const rows: TableRow[] = [];
  for (const page of order) {
    const items = catalog.filter((c) => (c.page ?? '') === page);
    if (!items.length) continue;
    const sec = sections.find((x) => x.page === page);
    rows.push({ kind: 'section', id: `section:${page}`, cells: { name_zh: sec?.label_zh ?? page, name_en: sec?.label_en ?? page } });
    for (const c of items) {
      const cells: Record<string, Cell> = { metric_id: c.metric_id, name_zh: c.name_zh, name_en: c.name_en, unit_zh: unitZh(c), target_text: c.target_text };
      for (const m of months) cells[`v_${m.slice(0, 7).replace('-', '_')}`] = kpiFigure(kpis.get(kpiKey(c.metric_id, m)), 'value', notes);
      const k = last ? kpis.get(kpiKey(c.metric_id, last)) : undefined;
      const kp = prev ? kpis.get(kpiKey(c.metric_id, prev)) : undefined;
      cells.target = kpiFigure(k, 'target', notes);
      cells.change = kpiChange(k, kp, notes);
      cells.status = kpiRag(k);
      const display = catalogDisplay(c);
      rows.push({ kind: 'data', id: c.metric_id, cells, unit: c.unit, display, format: display.format === 'percent' ? 'ratio' : 'kpi' });
    }
  }
  return { spec: { ...spec, columns }, rows, footnotes: notes.list() };
}
