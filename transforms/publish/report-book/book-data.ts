import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import type { Institution, Signatories } from '../../config/config.js';
import { formatKpiValue } from '../../kpi/metric.js';
import { STATUS_LABELS } from '../../kpi/rag.js';
import { FIVE_CLASSES, NPL_FROM, type FiveClass } from '../../policy/five-category.js';
import type { AmountCurrency } from '../exports/amount-currency.js';
import { figureKey, PublishedFigures, publishBook } from '../exports/published-figures.js';
import { roundRollForward, type RollForwardLine } from '../exports/roll-forward-rounding.js';
import { catalogDisplay, readCatalog, type CatalogRow } from '../exports/kpi-lookup.js';
import { relationExists, sourceExtracts, type BusinessMonth, type SourceExtract } from '../exports/run-info.js';

/** Status words of a KPI value (STATUS_LABELS of transforms/kpi/rag.ts). */
export interface StatusWords {
  code: string;
  zh: string;
  en: string;
}

/** One KPI of the catalogue with its whole-book value this month and last month. */
export interface BookKpi {
  metricId: string;
  nameZh: string;
  nameEn: string;
  /** Catalogue page without slashes (`npl`, `early-warning`, `migration`, …; '' when none). */
  page: string;
  value: string | null;
  prev: string | null;
  /** Change in the catalogue's display (`+0.12 个百分点 pp`, `+0.013`), null when either month has no value. */
  change: string | null;
  targetText: string;
  status: StatusWords;
  /** Why there is no figure (kpi_values reason), Chinese and English. */
  reasonZh: string | null;
  reasonEn: string | null;
}

/** One step of the NPL roll-forward (marts.mart_risk__npl_movements, slice all). */
export interface BookMovement {
  code: string;
  labelZh: string;
  labelEn: string;
  order: number;
  /** 0 for opening / closing balances and memo lines, +1 adds to the NPL balance, −1 takes from it. */
  sign: number;
  /** stock (opening / closing), flow (a bar of the waterfall) or memo (其中 / cash collected: detail, not drawn). */
  lineType: 'stock' | 'flow' | 'memo';
  loans: number;
  /** CNY (reporting currency), exact to the cent as a number. */
  balance: number;
  /**
   * The amount as printed, in 万元 with 2 decimals: opening and closing half up, the lines between
   * by controlled rounding so the printed lines add up to the printed closing (as the regulator
   * package's roll-forward); memo lines half up.
   */
  shown: number;
}

/** One class of the five-category distribution this month (and last month). */
export interface BookClass {
  cls: string;
  /** English name of the class (core.dim_code_labels kind five_class), '' when not labelled. */
  clsEn: string;
  rank: number;
  loans: number;
  balance: number;
  /** The balance as printed, in 万元 with 2 decimals: rounded as the regulator package rounds the book's classes (publishBook), so the printed classes add up to the printed total. */
  shown: number;
  share: number;
  prevBalance: number | null;
  prevShare: number | null;
}

/** One branch row of the ranking: the branch and the figure of each ranked KPI. */
export interface BookBranch {
  code: string;
  label: string;
  values: Record<string, { value: number | null; text: string; status: StatusWords }>;
}

/** Data tests of the last build by status and severity. */
export interface BookTestCount {
  status: string;
  severity: string;
  tests: number;
}

/** Rejected extract rows by extract, reason and column (counts only). */
export interface BookRejection {
  entity: string;
  reasonCode: string;
  column: string;
  rows: number;
}

/** Everything the report book shows, read once from the warehouse. */
export interface BookData {
  month: string;
  asOfDate: string;
  prevAsOfDate: string | null;
  runId: string;
  generatedAt: string;
  institution: Institution;
  signatories: Signatories & { date: string; draft: boolean };
  amounts: Pick<AmountCurrency, 'currency' | 'unit'>;
  catalog: CatalogRow[];
  kpis: BookKpi[];
  commentary: { zh: string; en: string }[];
  movements: BookMovement[];
  classes: BookClass[];
  /** KPIs ranked by branch: the catalogue's `npl` page KPIs sliced by branch. */
  branchKpis: BookKpi[];
  branches: BookBranch[];
  loads: SourceExtract[];
  rejections: BookRejection[];
  tests: BookTestCount[];
}

/**
 * The rows of the NPL roll-forward proper, in order: the balances (opening, closing) and the bars
 * between them; memo lines (其中 of which …, cash collected) detail a bar and are not part of it:
 * the book lists them as memo items and does not draw them.
 *
 * @example
 * rollForward(movements).map((m) => m.code); // ['opening', 'new_npl', 'cured', …, 'closing']
 */
export function rollForward<T extends Pick<BookMovement, 'lineType'>>(movements: readonly T[]): T[] {
  return movements.filter((m) => m.lineType !== 'memo');
}

const FEN_PER_WAN_UNIT = 10_000n;
const fenOf = (yuan: number) => BigInt(Math.round(yuan * 100));

/**
 * Sets `shown` of the movements: the roll-forward (see rollForward) by {@link roundRollForward}
 * (opening and closing half up, the lines between so that they add up), memo lines half up.
 *
 * @example
 * shownMovements(movements); // opening 1,000.00 + 161.174 → 161.17, closing 1,161.18 half up → the +161.17 line shows 161.18
 */
export function shownMovements(movements: BookMovement[]): void {
  const flow = rollForward(movements);
  const units = roundRollForward(
    flow.map((m): RollForwardLine => ({ role: m.lineType === 'stock' ? (m === flow[0] ? 'opening' : 'closing') : m.sign > 0 ? 'in' : 'out', fen: fenOf(m.balance) })),
    FEN_PER_WAN_UNIT,
  );
  flow.forEach((m, i) => (m.shown = Number(units[i]!) / 100));
  for (const m of movements) if (!flow.includes(m)) m.shown = wan(m.balance);
}

/**
 * Sets `shown` of the classes: rounded as one tree (total → NPL / performing → classes, see
 * publishBook) exactly as the regulator package rounds the book, so the book and the package print
 * the same class balances and the classes add up to the printed total.
 *
 * @example
 * shownClasses(classes, '2026-10-31');
 */
export function shownClasses(classes: BookClass[], asOfDate: string): void {
  const figures = new PublishedFigures();
  const nplFrom = FIVE_CLASSES.indexOf(NPL_FROM);
  publishBook(figures, asOfDate, classes.map((c) => ({ cls: c.cls, npl: FIVE_CLASSES.indexOf(c.cls as FiveClass) >= nplFrom, fen: fenOf(c.balance) })));
  for (const c of classes) c.shown = Number(figures.get(figureKey(`balance:${c.cls}`, 'book', asOfDate))!) / 100;
}

/** The printed total of the classes (万元): the sum of their printed balances. @example shownTotal(classes) // 123456.78 */
export function shownTotal(classes: readonly Pick<BookClass, 'shown'>[]): number {
  return Math.round(classes.reduce((a, c) => a + c.shown * 100, 0)) / 100;
}

/** Money in 10,000s of the reporting currency, 2 decimals (half up on the cent). @example wan(1234567.8) // 123.46 */
export function wan(amount: number): number {
  return Math.round(amount / 100) / 100;
}

/** Catalogue page code without slashes. @example pageCode('/early-warning/') // 'early-warning' */
export function pageCode(page: string | null | undefined): string {
  return (page ?? '').replace(/^\/+|\/+$/g, '');
}

/** Status words of a status code (STATUS_LABELS), the code itself when unknown. @example statusWords('amber') // { code: 'amber', zh: '预警', en: 'Watch' } */
export function statusWords(code: string | null | undefined): StatusWords {
  const c = code ?? 'no_data';
  const l = (STATUS_LABELS as Record<string, { zh: string; en: string }>)[c];
  return { code: c, zh: l?.zh ?? c, en: l?.en ?? c };
}

function changeText(now: number | null, before: number | null, c: CatalogRow): string | null {
  if (now === null || before === null) return null;
  const d = catalogDisplay(c);
  const diff = now - before;
  if (d.format === 'percent') {
    const t = Math.abs(diff * 100).toFixed(2);
    return `${Number(t) === 0 ? '±' : diff > 0 ? '+' : '−'}${t} 个百分点 pp`;
  }
  const t = formatKpiValue(Math.abs(diff), d);
  return `${Number(t.replace(/,/g, '')) === 0 ? '±' : diff > 0 ? '+' : '−'}${t}`;
}

interface ValueRow {
  metric_id: string;
  slice: string;
  slice_value: string;
  slice_label: string | null;
  value: number | null;
  prev_value: number | null;
  status_word: string | null;
  reason_zh: string | null;
  reason_en: string | null;
}

/**
 * Reads what the monthly report book shows for `bm` from the warehouse: every catalogue KPI
 * (metrics.metric_catalog, in catalogue order) with its whole-book value, last month's value and
 * status words; the month's sentences of metrics.kpi_commentary; the NPL roll-forward of
 * marts.mart_risk__npl_movements (slice all, by movement_order; labels from core.dim_code_labels
 * kind `npl_movement` when that kind exists, else the movement code); the five-category
 * distribution (marts.mart_credit__five_category_distribution, slice all); the catalogue's `npl`
 * KPIs by branch (kpi_values slice `branch`); the extracts behind the month (ops.load_audit), the
 * rejected rows by reason (ops.rejected_rows) and the data tests by status (ops.data_test_results).
 * No metric id is named here: sections are chosen by the catalogue's `page`.
 *
 * @example
 * const data = await readBookData(wh, parseBusinessMonth('2026-10'), { runId, generatedAt, institution, signatories, amounts });
 * // SQL (one of them): SELECT metric_id, slice, slice_value, slice_label, value, prev_value, status_word, reason_zh, reason_en
 * //   FROM metrics.kpi_values WHERE as_of_month = DATE '2026-10-31' AND slice IN ('all', 'branch')
 */
export async function readBookData(
  wh: WarehouseHandle,
  bm: BusinessMonth,
  o: { runId: string; generatedAt: string; institution: Institution; signatories: Signatories & { date: string }; amounts: Pick<AmountCurrency, 'currency' | 'unit'> },
): Promise<BookData> {
  const asOf = `${lit(bm.asOfDate)}::DATE`;
  const catalog = await readCatalog(wh);
  const [prev] = await wh.all<{ d: string | null }>(`SELECT strftime(max(as_of_month), '%Y-%m-%d') AS d FROM core.dim_months WHERE as_of_month < ${asOf}`);
  const values = await wh.all<ValueRow>(
    `SELECT metric_id, slice, slice_value, CAST(slice_label AS VARCHAR) AS slice_label, value, prev_value, CAST(status_word AS VARCHAR) AS status_word,
       CAST(reason_zh AS VARCHAR) AS reason_zh, CAST(reason_en AS VARCHAR) AS reason_en
     FROM metrics.kpi_values WHERE as_of_month = ${asOf} AND slice IN ('all', 'branch') ORDER BY metric_id, slice, slice_value`,
  );
  const whole = new Map(values.filter((v) => v.slice === 'all').map((v) => [v.metric_id, v]));
  const kpiOf = (c: CatalogRow, v: ValueRow | undefined): BookKpi => {
    const d = catalogDisplay(c);
    const value = v?.value ?? null;
    const before = v?.prev_value ?? null;
    return {
      metricId: c.metric_id,
      nameZh: c.name_zh,
      nameEn: c.name_en,
      page: pageCode(c.page),
      value: value === null ? null : formatKpiValue(value, d),
      prev: before === null ? null : formatKpiValue(before, d),
      change: changeText(value, before, c),
      targetText: c.target_text ?? '',
      status: statusWords(v?.status_word),
      reasonZh: v?.reason_zh ?? null,
      reasonEn: v?.reason_en ?? null,
    };
  };
  const kpis = catalog.map((c) => kpiOf(c, whole.get(c.metric_id)));

  const commentary = (await relationExists(wh, 'metrics', 'kpi_commentary'))
    ? (await wh.all<{ zh: string; en: string }>(`SELECT text_zh AS zh, text_en AS en FROM metrics.kpi_commentary WHERE as_of_month = ${asOf} AND slice = 'all' ORDER BY seq`))
    : [];

  const hasCodeLabels = await relationExists(wh, 'core', 'dim_code_labels');
  const hasLabels = hasCodeLabels
    && ((await wh.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM core.dim_code_labels WHERE kind = 'npl_movement'`))[0]?.n ?? 0) > 0;
  const movements = (
    await wh.all<{ code: string; zh: string | null; en: string | null; ord: number; sign: number; line_type: BookMovement['lineType']; loans: number; balance: number }>(
      `SELECT m.movement AS code, ${hasLabels ? 'l.label_zh' : 'NULL'} AS zh, ${hasLabels ? 'l.label_en' : 'NULL'} AS en,
         CAST(m.movement_order AS INTEGER) AS ord, CAST(m.sign AS INTEGER) AS sign, m.line_type, CAST(m.loans AS DOUBLE PRECISION) AS loans, CAST(m.balance AS DOUBLE PRECISION) AS balance
       FROM marts.mart_risk__npl_movements m
       ${hasLabels ? `LEFT JOIN core.dim_code_labels l ON l.kind = 'npl_movement' AND l.code = m.movement` : ''}
       WHERE m.as_of_month = ${asOf} AND m.slice = 'all' ORDER BY m.movement_order, m.movement`,
    )
  ).map((r) => ({ code: r.code, labelZh: r.zh ?? r.code, labelEn: r.en ?? '', order: r.ord, sign: r.sign, lineType: r.line_type, loans: r.loans, balance: r.balance, shown: 0 }));
  shownMovements(movements);

  const classes = (await relationExists(wh, 'marts', 'mart_credit__five_category_distribution'))
    ? (
        await wh.all<{ cls: string; cls_en: string | null; rank: number; loans: number; balance: number; share: number; prev_balance: number | null; prev_share: number | null }>(
          `SELECT CAST(c.recorded_class AS VARCHAR) AS cls, ${hasCodeLabels ? `(SELECT l.label_en FROM core.dim_code_labels l WHERE l.kind = 'five_class' AND l.code = CAST(c.recorded_class AS VARCHAR) LIMIT 1)` : 'NULL'} AS cls_en, CAST(c.class_rank AS INTEGER) AS rank, CAST(c.loans AS DOUBLE PRECISION) AS loans, CAST(c.balance AS DOUBLE PRECISION) AS balance,
             c.balance_share AS share, CAST(p.balance AS DOUBLE PRECISION) AS prev_balance, p.balance_share AS prev_share
           FROM marts.mart_credit__five_category_distribution c
           LEFT JOIN marts.mart_credit__five_category_distribution p
             ON p.slice = 'all' AND p.recorded_class = c.recorded_class AND p.as_of_month = ${prev?.d ? `${lit(prev.d)}::DATE` : 'NULL'}
           WHERE c.as_of_month = ${asOf} AND c.slice = 'all' ORDER BY c.class_rank`,
        )
      ).map((r) => ({ cls: r.cls, clsEn: r.cls_en ?? '', rank: r.rank, loans: r.loans, balance: r.balance, shown: 0, share: r.share, prevBalance: r.prev_balance, prevShare: r.prev_share }))
    : [];
  shownClasses(classes, bm.asOfDate);

  // Branch ranking: the asset-quality KPIs (catalogue page npl) that are sliced by branch.
  const branchCatalog = catalog.filter((c) => pageCode(c.page) === 'npl' && values.some((v) => v.metric_id === c.metric_id && v.slice === 'branch'));
  const branchKpis = branchCatalog.map((c) => kpiOf(c, whole.get(c.metric_id)));
  const byBranch = new Map<string, BookBranch>();
  for (const c of branchCatalog) {
    for (const v of values.filter((x) => x.metric_id === c.metric_id && x.slice === 'branch')) {
      const b = byBranch.get(v.slice_value) ?? { code: v.slice_value, label: v.slice_label ?? v.slice_value, values: {} };
      b.values[c.metric_id] = { value: v.value, text: v.value === null ? '—' : formatKpiValue(v.value, catalogDisplay(c)), status: statusWords(v.status_word) };
      byBranch.set(v.slice_value, b);
    }
  }
  // Worst first: highest value first when lower is better, lowest first when higher is better; no figure last.
  const first = branchCatalog[0];
  const branches = [...byBranch.values()].sort((a, b) => {
    const x = first ? a.values[first.metric_id]?.value ?? null : null;
    const y = first ? b.values[first.metric_id]?.value ?? null : null;
    if (x === null || y === null) return x === y ? a.code.localeCompare(b.code) : x === null ? 1 : -1;
    const d = first?.direction === 'higher_is_better' ? x - y : y - x;
    return d === 0 ? a.code.localeCompare(b.code) : d;
  });

  const loads = await sourceExtracts(wh, bm.asOfDate);
  const rejections = (await relationExists(wh, 'ops', 'rejected_rows'))
    ? (
        await wh.all<{ entity: string; reason_code: string; column_name: string; n: number }>(
          `SELECT entity, reason_code, coalesce(column_name, '—') AS column_name, count(*)::INTEGER AS n
           FROM ops.rejected_rows WHERE business_date <= ${asOf} GROUP BY entity, reason_code, coalesce(column_name, '—') ORDER BY n DESC, entity, reason_code, column_name`,
        )
      ).map((r) => ({ entity: r.entity, reasonCode: r.reason_code, column: r.column_name, rows: r.n }))
    : [];
  const tests = (await relationExists(wh, 'ops', 'data_test_results'))
    ? await wh.all<BookTestCount>(
        `SELECT status, severity, count(*)::INTEGER AS tests FROM ops.data_test_results GROUP BY status, severity
         ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, severity`,
      )
    : [];

  return {
    month: bm.month,
    asOfDate: bm.asOfDate,
    prevAsOfDate: prev?.d ?? null,
    runId: o.runId,
    generatedAt: o.generatedAt,
    institution: o.institution,
    signatories: { ...o.signatories, draft: o.signatories.preparedBy.trim() === '' },
    amounts: o.amounts,
    catalog,
    kpis,
    commentary,
    movements,
    classes,
    branchKpis,
    branches,
    loads,
    rejections,
    tests,
  };
}
