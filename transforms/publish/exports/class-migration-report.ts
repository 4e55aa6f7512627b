import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import { FIVE_CLASSES, type FiveClass } from '../../policy/five-category.js';
import { MIGRATION_PERIODS, type MigrationPeriod } from '../../warehouse/class-migration.js';
import { roundCirculation, type FlowEdge } from './controlled-rounding.js';
import { kpiFigure, kpiKey, readKpiValues, type KpiValue } from './kpi-lookup.js';
import { figureKey, publishBookFigures } from './published-figures.js';
import { FEN_PER_WAN_UNIT, Footnotes, type BuiltReport, type BuiltTable, type Cell, type PackageContext, type TableRow } from './report-table.js';
import { templateError, type ReportTemplate, type TableSpec } from './report-template.js';

/** Row keys of the form: the five classes (template field suffixes), then 正常贷款 (pass + special mention). */
const CLASS_KEYS: Readonly<Record<FiveClass, string>> = {
  正常: 'pass',
  关注: 'special_mention',
  次级: 'substandard',
  可疑: 'doubtful',
  损失: 'loss',
};

/** The rows of the form in order: key, labels, the classes it holds, and which to-classes count as migrated. */
export const MIGRATION_FORM_ROWS: readonly { key: string; zh: string; en: string; classes: readonly FiveClass[]; migratedTo: (from: FiveClass, to: FiveClass) => boolean }[] = [
  ...FIVE_CLASSES.map((c, i) => ({
    key: CLASS_KEYS[c],
    zh: `${c}类贷款`,
    en: ['Pass', 'Special mention', 'Substandard', 'Doubtful', 'Loss'][i]!,
    classes: [c],
    migratedTo: (from: FiveClass, to: FiveClass) => FIVE_CLASSES.indexOf(to) > FIVE_CLASSES.indexOf(from),
  })),
  {
    key: 'normal_loans',
    zh: '正常贷款（正常类 + 关注类）',
    en: 'Performing loans (pass + special mention)',
    classes: ['正常', '关注'],
    // 正常贷款迁徙率: to non-performing (次级 / 可疑 / 损失) only.
    migratedTo: (_from: FiveClass, to: FiveClass) => FIVE_CLASSES.indexOf(to) >= 2,
  },
];

/** Labels of the total row (the whole book at the period start; its `migrated` = Σ of the five class rows). */
const TOTAL_LABEL = { code: 'total', label_zh: '合计', label_en: 'Total' } as const;

/** Components of the decrease, as template fields. */
const DECREASE_FIELDS = ['decrease_repaid', 'decrease_written_off', 'decrease_transferred', 'decrease_unreported'] as const;

/** One from × to cell of the mart (whole book), exact in fen. */
interface MigrationCell {
  period_start: string;
  from_class: FiveClass;
  to_class: string;
  opening: bigint;
  decrease_repaid: bigint;
  decrease_written_off: bigint;
  decrease_transferred: bigint;
  decrease_unreported: bigint;
  remaining: bigint;
}

/**
 * Builds the loan-quality migration form 贷款质量迁徙情况表 (laid out like 1104 G12): one table per
 * migration period (template table `source`: `ytd` = since the previous year end, the regulatory
 * period; `month` = since the previous month end), rows = the five classes at the period start,
 * 正常贷款 (pass + special mention) and 合计 (the whole book; migrated = Σ of the five class rows; no
 * rate), from `marts.mart_credit__class_migrations` (whole book).
 *
 * Fields: `label_zh`, `label_en`, `opening_balance` (the class's balance at the period start),
 * `decrease` and its parts `decrease_repaid`, `decrease_written_off`, `decrease_transferred`,
 * `decrease_unreported`, `remaining_balance` (= opening − decrease), `to_<class>` (the part of the
 * opening balance in that class at the period end; class = pass, special_mention, substandard,
 * doubtful, loss), `migrated` (the row's migrated amount: to a worse class; for 正常贷款 to
 * non-performing) and `rate` (the row's migration-rate KPI from `metrics.kpi_values`, options
 * `rate_metrics.<table source>.<row key>`, checked against migrated ÷ remaining).
 *
 * Money is rounded to 0.01 万元 with controlled rounding: the opening balances are the published
 * class balances of the period-start month (published-figures.ts, the figures the five-category
 * form of that month's package prints), and in every row decrease + remaining = opening, the
 * decrease parts add up to the decrease and the to-class cells to the remaining balance. A period
 * whose start month is not loaded shows "— [n]" with the reason (the KPI's) in a footnote.
 *
 * @example
 * const report = await buildClassMigration(wh, template, ctx);
 */
export async function buildClassMigration(wh: WarehouseHandle, t: ReportTemplate, ctx: PackageContext): Promise<BuiltReport> {
  const rateMetrics = rateMetricsOf(t);
  const metrics = [...new Set(Object.values(rateMetrics).flatMap((m) => Object.values(m)))];
  const kpis = await readKpiValues(wh, { metrics, months: [ctx.asOfDate], slices: ['all'] });
  const tables: BuiltTable[] = [];
  for (const [ti, spec] of t.tables.entries()) {
    if (!(MIGRATION_PERIODS as readonly string[]).includes(spec.source)) {
      templateError(t, `tables[${ti}].source`, `must be one of ${MIGRATION_PERIODS.join(', ')} for a class_migration report (the migration period), got "${spec.source}".`);
    }
    tables.push(await buildPeriod(wh, t, spec, spec.source as MigrationPeriod, rateMetrics[spec.source] ?? {}, kpis, ctx));
  }
  return { template: t, tables };
}

/** `options.rate_metrics`: period → row key → metric id; validated. */
function rateMetricsOf(t: ReportTemplate): Record<string, Record<string, string>> {
  const raw = t.options.rate_metrics;
  if (raw === undefined) return {};
  const rowKeys = MIGRATION_FORM_ROWS.map((r) => r.key);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) templateError(t, 'options.rate_metrics', 'must map a period (ytd, month) to { <row key>: <metric id> }.');
  const out: Record<string, Record<string, string>> = {};
  for (const [period, rows] of Object.entries(raw as Record<string, unknown>)) {
    if (!(MIGRATION_PERIODS as readonly string[]).includes(period)) templateError(t, `options.rate_metrics.${period}`, `is not a period (${MIGRATION_PERIODS.join(', ')}).`);
    if (typeof rows !== 'object' || rows === null || Array.isArray(rows)) templateError(t, `options.rate_metrics.${period}`, 'must map row keys to metric ids.');
    out[period] = {};
    for (const [row, metric] of Object.entries(rows as Record<string, unknown>)) {
      if (!rowKeys.includes(row)) templateError(t, `options.rate_metrics.${period}.${row}`, `is not a row of the form (${rowKeys.join(', ')}).`);
      if (typeof metric !== 'string' || !metric.trim()) templateError(t, `options.rate_metrics.${period}.${row}`, 'must be a metric id.');
      out[period]![row] = metric;
    }
  }
  return out;
}

async function buildPeriod(
  wh: WarehouseHandle,
  t: ReportTemplate,
  spec: TableSpec,
  period: MigrationPeriod,
  rates: Record<string, string>,
  kpis: Map<string, KpiValue>,
  ctx: PackageContext,
): Promise<BuiltTable> {
  const cells = await wh.all<MigrationCell>(
    `SELECT strftime(period_start, '%Y-%m-%d') AS period_start, from_class, to_class,
       CAST(opening_balance * 100 AS BIGINT) AS opening,
       CAST(decrease_repaid * 100 AS BIGINT) AS decrease_repaid, CAST(decrease_written_off * 100 AS BIGINT) AS decrease_written_off,
       CAST(decrease_transferred * 100 AS BIGINT) AS decrease_transferred, CAST(decrease_unreported * 100 AS BIGINT) AS decrease_unreported,
       CAST(remaining_balance * 100 AS BIGINT) AS remaining
     FROM marts.mart_credit__class_migrations
     WHERE as_of_month = ${lit(ctx.asOfDate)}::DATE AND slice = 'all' AND period = ${lit(period)}
     ORDER BY from_class_rank, to_order`,
  );
  const notes = new Footnotes();
  const label = (r: (typeof MIGRATION_FORM_ROWS)[number]) => ({ code: r.key, label_zh: r.zh, label_en: r.en });
  if (cells.length === 0) {
    // No cohort: the period's start month is not loaded. The reason is the KPI engine's (first rate KPI of the period).
    const k = [...Object.values(rates)].map((m) => kpis.get(kpiKey(m, ctx.asOfDate))).find((x) => x?.reason_zh);
    const dash = notes.cell(
      k?.reason_zh ?? `本期期初月份未加载，${period === 'ytd' ? '本年以来' : '本月'}的迁徙无从得知`,
      k?.reason_en ?? `the month the period starts at is not loaded, so the migration of the ${period === 'ytd' ? 'year' : 'month'} cannot be known`,
    );
    const dashes = Object.fromEntries(spec.columns.filter((c) => c.format === 'wan' || c.format === 'ratio').map((c) => [c.field, dash]));
    const rows: TableRow[] = MIGRATION_FORM_ROWS.map((r) => ({ kind: 'data', id: r.key, cells: { ...label(r), ...dashes } }));
    rows.push({ kind: 'total', id: 'total', cells: { ...TOTAL_LABEL, ...dashes } });
    return { spec, rows, footnotes: notes.list() };
  }
  const start = cells[0]!.period_start;
  // The opening balances are the period-start month's published book figures (rounded once, as its own package prints them).
  await publishBookFigures(wh, start, ctx.figures);

  const byClass = new Map<FiveClass, MigrationCell[]>(FIVE_CLASSES.map((c) => [c, cells.filter((x) => x.from_class === c)]));
  const sum = (xs: readonly MigrationCell[], f: (x: MigrationCell) => bigint) => xs.reduce((a, x) => a + f(x), 0n);
  const toFen = (xs: readonly MigrationCell[], to: FiveClass) => sum(xs.filter((x) => x.to_class === to), (x) => x.remaining);

  // The circulation: total → class rows (held at the published balances) → decrease / remaining → parts → column totals → total.
  const edges: FlowEdge[] = [];
  const add = (e: FlowEdge) => edges.push(e) - 1;
  const exactTotal = sum(cells, (x) => x.opening);
  const total = ctx.figures.get(figureKey('balance', 'book', start));
  add({ from: 'snk', to: 'src', value: exactTotal, ...(total !== undefined ? { fixed: total } : { fixed: true }) });
  const idx = FIVE_CLASSES.map((c) => {
    const xs = byClass.get(c)!;
    const opening = sum(xs, (x) => x.opening);
    const held = ctx.figures.get(figureKey(`balance:${c}`, 'book', start));
    const decParts = DECREASE_FIELDS.map((f) => sum(xs, (x) => x[f]));
    const toParts = FIVE_CLASSES.map((to) => toFen(xs, to));
    const decrease = decParts.reduce((a, b) => a + b, 0n);
    const remaining = toParts.reduce((a, b) => a + b, 0n);
    if (decrease + remaining !== opening) {
      throw new CqError('EXPORT_FAILED', `marts.mart_credit__class_migrations at ${ctx.asOfDate} (${period}, ${c}): decrease ${decrease} + remaining ${remaining} fen ≠ opening ${opening}. Rebuild the warehouse (npm run transform).`);
    }
    return {
      opening: add({ from: 'src', to: `o${c}`, value: opening, ...(held !== undefined ? { fixed: held } : {}), weight: 8 }),
      decrease: add({ from: `o${c}`, to: `d${c}`, value: decrease, weight: 4 }),
      remaining: add({ from: `o${c}`, to: `r${c}`, value: remaining, weight: 4 }),
      decParts: decParts.map((v, k) => add({ from: `d${c}`, to: `D${k}`, value: v, weight: 1 })),
      toParts: toParts.map((v, k) => add({ from: `r${c}`, to: `T${k}`, value: v, weight: 1 })),
    };
  });
  const decTotals = DECREASE_FIELDS.map((f, k) => add({ from: `D${k}`, to: 'snk', value: sum(cells, (x) => x[f]), weight: 2 }));
  const toTotals = FIVE_CLASSES.map((to, k) => add({ from: `T${k}`, to: 'snk', value: toFen(cells, to), weight: 2 }));
  const u = roundCirculation(edges, FEN_PER_WAN_UNIT);

  const rows: TableRow[] = MIGRATION_FORM_ROWS.map((r) => {
    const is = r.classes.map((c) => FIVE_CLASSES.indexOf(c));
    const units = (pick: (i: (typeof idx)[number]) => number) => is.reduce((a, i) => a + u[pick(idx[i]!)]!, 0n);
    const c: Record<string, Cell> = {
      ...label(r),
      opening_balance: units((i) => i.opening),
      decrease: units((i) => i.decrease),
      remaining_balance: units((i) => i.remaining),
    };
    DECREASE_FIELDS.forEach((f, k) => (c[f] = units((i) => i.decParts[k]!)));
    FIVE_CLASSES.forEach((to, k) => (c[`to_${CLASS_KEYS[to]}`] = units((i) => i.toParts[k]!)));
    let migratedUnits = 0n;
    let migratedFen = 0n;
    let remainingFen = 0n;
    for (const from of r.classes) {
      const xs = byClass.get(from)!;
      remainingFen += sum(xs, (x) => x.remaining);
      FIVE_CLASSES.forEach((to, k) => {
        if (!r.migratedTo(from, to)) return;
        migratedUnits += u[idx[FIVE_CLASSES.indexOf(from)]!.toParts[k]!]!;
        migratedFen += toFen(xs, to);
      });
    }
    c.migrated = migratedUnits;
    const metric = rates[r.key];
    if (metric) {
      const k = kpis.get(kpiKey(metric, ctx.asOfDate));
      if (k && k.value !== null && remainingFen > 0n) {
        const own = Number(migratedFen) / Number(remainingFen);
        if (Math.abs(own - k.value) > 1e-9 * Math.max(1, Math.abs(k.value))) {
          throw new CqError(
            'EXPORT_FAILED',
            `${t.path}: row "${r.zh}" (${period}) has migration rate ${own} from marts.mart_credit__class_migrations but metrics.kpi_values says ${metric} = ${k.value} (${ctx.asOfDate}). The form and the KPI disagree; rebuild the warehouse (npm run transform).`,
          );
        }
      }
      c.rate = k ? kpiFigure(k, 'value', notes) : null;
    } else {
      c.rate = null; // 损失类: no worse class, no rate.
    }
    const figure = r.classes.length === 1 ? figureKey(`balance:${r.classes[0]}`, 'book', start) : figureKey('performing', 'book', start);
    return { kind: 'data', id: r.key, cells: c, figures: { opening_balance: figure } };
  });
  // 合计: the whole book at the period start (the column totals of the circulation).
  const classRows = rows.slice(0, FIVE_CLASSES.length);
  const tot: Record<string, Cell> = {
    ...TOTAL_LABEL,
    opening_balance: u[0]!,
    decrease: classRows.reduce((a, r) => a + (r.cells.decrease as bigint), 0n),
    remaining_balance: classRows.reduce((a, r) => a + (r.cells.remaining_balance as bigint), 0n),
    migrated: classRows.reduce((a, r) => a + (r.cells.migrated as bigint), 0n),
    rate: null,
  };
  DECREASE_FIELDS.forEach((f, k) => (tot[f] = u[decTotals[k]!]!));
  FIVE_CLASSES.forEach((to, k) => (tot[`to_${CLASS_KEYS[to]}`] = u[toTotals[k]!]!));
  rows.push({ kind: 'total', id: 'total', cells: tot, figures: { opening_balance: figureKey('balance', 'book', start) } });
  return { spec, rows, footnotes: notes.list() };
}
