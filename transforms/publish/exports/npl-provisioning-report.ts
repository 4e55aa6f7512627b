import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { roundHalfUp } from './controlled-rounding.js';
import { roundRollForward, type RollForwardLine } from './roll-forward-rounding.js';
import { monthEndBefore } from '../../lib/month-end.js';
import { capChange, catalogDisplay, kpiFigure, kpiKey, kpiRag, readCatalog, readKpiValues, reportingMonths } from './kpi-lookup.js';
import {
  FEN_PER_WAN_UNIT,
  Footnotes,
  cellNumber,
  isNoData,
  notesOf,
  yuanToFen,
  type BuiltReport,
  type BuiltTable,
  type Cell,
  type PackageContext,
  type TableRow,
} from './report-table.js';
import { templateError, type LineSpec, type ReportTemplate, type TableSpec } from './report-template.js';
import { figureKey, type PublishedFigures } from './published-figures.js';

/**
 * The published figure a money line shows in a month: the line's `figure` (e.g. `npl` = the NPL
 * balance of the whole book, the same figure as the five-category total row), else the KPI
 * column itself; opening / closing NPL movements are the NPL balance of the previous / this month.
 */
function lineFigure(l: LineSpec, month: string): string | undefined {
  if (l.format !== 'wan' && l.movement === undefined) return undefined;
  if (l.movement === 'opening') return l.measure === 'loans' ? undefined : figureKey('npl', 'book', monthEndBefore(month, 1));
  if (l.movement === 'closing') return l.measure === 'loans' ? undefined : figureKey('npl', 'book', month);
  if (l.movement) return l.measure === 'loans' ? undefined : figureKey(`npl_movement:${l.movement}`, 'book', month);
  if (l.figure) return figureKey(l.figure, 'book', month);
  return figureKey(`kpi:${l.metric}.${l.value ?? 'value'}`, 'book', month);
}

/** One movement of `marts.mart_risk__npl_movements` (whole book). */
interface Movement {
  as_of_month: string;
  movement: string;
  sign: number;
  loans: bigint;
  fen: bigint;
}

/**
 * Builds the NPL and provisioning report: a line-item table whose lines (template `lines`) are
 * either a KPI's whole-book value / numerator / denominator / target from `metrics.kpi_values`
 * (NPL balance and ratio, provision coverage, loan provision ratio, …) or an NPL movement of the
 * month from `marts.mart_risk__npl_movements` (opening, new NPL, cured, repayments and
 * collections, written off, transferred, …, closing). Column fields: `label_zh`, `label_en`, `m<k>` = the line at the month end k months
 * before the export month (m0 = the month, m1 = previous month, m12 = a year earlier),
 * `delta<k>` = m0 − m<k>, and for KPI lines `target` and `rag` of the month; `note` = the
 * footnotes of the line's no-data cells.
 *
 * Never a number that was not measured: a KPI figure of a `no_data` row (metrics.kpi_values), the
 * movements of a month whose previous month is not loaded (the first month loaded: movements are
 * unknown), and a month that is not loaded at all are "— [n]" with footnote n giving the reason
 * (under the table and in `note`); a change with such an operand is "—" with the same footnote.
 *
 * Money is shown in 万元. Stocks (KPI amounts, opening and closing NPL) are rounded half up, so
 * the same amount shows the same everywhere (closing = NPL balance); the movements of each month
 * are rounded with controlled rounding so the displayed roll-forward adds up:
 * opening + new NPL − cured − repaid − written off − transferred − exited unreported = closing
 * (memo lines, sign 0, are rounded on their own).
 *
 * @example
 * const report = await buildNplProvisioning(wh, template, ctx);
 */
export async function buildNplProvisioning(wh: WarehouseHandle, t: ReportTemplate, ctx: PackageContext): Promise<BuiltReport> {
  const tables: BuiltTable[] = [];
  const reporting = new Set(await reportingMonths(wh));
  for (const [ti, spec] of t.tables.entries()) {
    if (spec.source !== 'lines') templateError(t, `tables[${ti}].source`, `must be "lines" for an npl_provisioning report, got "${spec.source}".`);
    if (!spec.lines?.length) templateError(t, `tables[${ti}].lines`, 'are required for an npl_provisioning table.');
    tables.push(await buildLines(wh, t, ti, spec, ctx, reporting));
  }
  return { template: t, tables };
}

async function buildLines(wh: WarehouseHandle, t: ReportTemplate, ti: number, spec: TableSpec, ctx: PackageContext, reporting: Set<string>): Promise<BuiltTable> {
  const offsets = new Set<number>([0]);
  for (const c of spec.columns) {
    const m = /^(?:m|delta)(\d+)$/.exec(c.field);
    if (m) offsets.add(Number(m[1]));
  }
  const monthOf = new Map([...offsets].map((k) => [k, monthEndBefore(ctx.asOfDate, k)]));
  const months = [...new Set(monthOf.values())].filter((m) => reporting.has(m));
  const lines = spec.lines!;
  const metrics = [...new Set(lines.filter((l) => l.metric).map((l) => l.metric!))];
  const kpis = await readKpiValues(wh, { metrics, months, slices: ['all'] });
  const catalog = new Map((await readCatalog(wh)).map((c) => [c.metric_id, c]));
  for (const [i, l] of lines.entries()) {
    if (l.metric && ![...kpis.values()].some((k) => k.metric_id === l.metric) && months.length) {
      const [known] = await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM metrics.metric_catalog WHERE metric_id = ${lit(l.metric)}`);
      if (!known?.n) templateError(t, `tables[${ti}].lines[${i}].metric`, `names "${l.metric}", which is not in metrics.metric_catalog.`);
    }
  }
  const movements = months.length
    ? await wh.all<Movement>(
        `SELECT strftime(as_of_month, '%Y-%m-%d') AS as_of_month, movement, sign::INTEGER AS sign, loans::BIGINT AS loans,
           CAST(balance * 100 AS BIGINT) AS fen
         FROM marts.mart_risk__npl_movements
         WHERE slice = 'all' AND as_of_month IN (${months.map((m) => `${lit(m)}::DATE`).join(', ')})
         ORDER BY as_of_month, movement_order`,
      )
    : [];
  const knownMovements = new Set(movements.map((m) => m.movement));
  for (const [i, l] of lines.entries()) {
    if (l.movement && movements.length && !knownMovements.has(l.movement)) {
      templateError(t, `tables[${ti}].lines[${i}].movement`, `names "${l.movement}"; marts.mart_risk__npl_movements has ${[...knownMovements].join(', ')}.`);
    }
  }
  const movementUnits = roundMovements(movements, ctx.figures);
  const notes = new Footnotes();

  const valueOf = (l: LineSpec, month: string): Cell => {
    if (!reporting.has(month)) {
      return notes.cell(`${month.slice(0, 7)} 未加载（不是报告月份）`, `${month.slice(0, 7)} is not loaded (not a reporting month)`);
    }
    if (l.metric) {
      const k = kpis.get(kpiKey(l.metric, month));
      if (!k) return null;
      const v = kpiFigure(k, l.value ?? 'value', notes);
      if (v === null || isNoData(v)) return v;
      return l.format === 'wan' ? ctx.figures.halfUp(lineFigure(l, month)!, yuanToFen(Number(v))) : v;
    }
    const prior = monthEndBefore(month, 1);
    if (!reporting.has(prior)) {
      return notes.cell(
        `无上月数据：${prior.slice(0, 7)} 未加载（首个加载月份或缺月），本月不良贷款变动无从得知`,
        `No prior month: ${prior.slice(0, 7)} was not loaded (the first month loaded, or a gap), so the NPL movements of this month cannot be known`,
      );
    }
    const m = movements.find((x) => x.as_of_month === month && x.movement === l.movement);
    if (!m) return null;
    if (l.measure === 'loans') return m.loans;
    return l.format === 'wan' ? movementUnits.get(`${month}|${m.movement}`)! : Number(m.fen) / 100;
  };

  const rows: TableRow[] = lines.map((l): TableRow => {
    const cells: Record<string, Cell> = { label_zh: l.label_zh, label_en: l.label_en };
    if (l.heading) return { kind: 'section', cells };
    const figures: Record<string, string> = {};
    for (const [k, month] of monthOf) {
      cells[`m${k}`] = valueOf(l, month);
      const key = lineFigure(l, month);
      if (key && (typeof cells[`m${k}`] === 'bigint')) figures[`m${k}`] = key;
    }
    for (const k of offsets) {
      if (k === 0) continue;
      const a = cells.m0 ?? null;
      const b = cells[`m${k}`] ?? null;
      // A capped value (provision coverage "> 1,000%") still has its real number: the change is computed
      // on the numbers and, for a KPI value line, capped at the KPI's change cap ("> +100.00 个百分点 pp").
      const na = cellNumber(a);
      const nb = cellNumber(b);
      const kv = l.metric && (l.value ?? 'value') === 'value' ? kpis.get(kpiKey(l.metric, ctx.asOfDate)) : undefined;
      cells[`delta${k}`] = isNoData(a)
        ? a
        : isNoData(b)
          ? b
          : a === null || b === null
            ? null
            : typeof a === 'bigint' && typeof b === 'bigint'
              ? a - b
              : kv
                ? capChange(na! - nb!, kv, notes)
                : na! - nb!;
    }
    if (l.metric) {
      const k = kpis.get(kpiKey(l.metric, ctx.asOfDate));
      cells.target = (l.value ?? 'value') === 'value' ? (k?.target ?? null) : null;
      cells.rag = (l.value ?? 'value') === 'value' ? kpiRag(k) : null;
    } else {
      cells.target = null;
      cells.rag = null;
    }
    const used = notesOf(cells);
    cells.note = used.length ? used.map((n) => notes.text(n)).join(' ') : null;
    // A KPI line of format `kpi` is shown as the catalogue says (as on the report site).
    const c = l.metric ? catalog.get(l.metric) : undefined;
    return {
      kind: 'data',
      ...(l.id ? { id: l.id } : {}),
      cells,
      figures,
      format: l.format ?? 'wan',
      ...(c ? { unit: c.unit, display: catalogDisplay(c) } : {}),
    };
  });
  return { spec, rows, footnotes: notes.list() };
}

/**
 * Rounds each month's movements to 0.01 万元 so that the displayed roll-forward adds up; opening
 * and closing are rounded half up (as every stock amount in the package). Movements that are not
 * part of the roll-forward (sign 0, e.g. cash collected) are rounded half up. Returns
 * `month|movement` → units.
 */
function roundMovements(movements: readonly Movement[], figures: PublishedFigures): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const byMonth = new Map<string, Movement[]>();
  for (const m of movements) (byMonth.get(m.as_of_month) ?? byMonth.set(m.as_of_month, []).get(m.as_of_month)!).push(m);
  for (const [month, ms] of byMonth) {
    const flow = ms.filter((m) => m.sign !== 0 || m.movement === 'opening' || m.movement === 'closing');
    for (const m of ms) if (!flow.includes(m)) out.set(`${month}|${m.movement}`, roundHalfUp(m.fen, FEN_PER_WAN_UNIT));
    const units = roundRollForward(
      flow.map((m): RollForwardLine =>
        m.movement === 'opening'
          ? { role: 'opening', fen: m.fen, fixed: figures.halfUp(figureKey('npl', 'book', monthEndBefore(month, 1)), m.fen) }
          : m.movement === 'closing'
            ? { role: 'closing', fen: m.fen, fixed: figures.halfUp(figureKey('npl', 'book', month), m.fen) }
            : { role: m.sign > 0 ? 'in' : 'out', fen: m.fen },
      ),
      FEN_PER_WAN_UNIT,
    );
    flow.forEach((m, i) => out.set(`${month}|${m.movement}`, units[i]!));
  }
  return out;
}
