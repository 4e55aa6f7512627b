import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import { FIVE_CLASSES as CLASS_NAMES, type FiveClass } from '../../policy/five-category.js';
import { kpiFigure, kpiKey, readKpiValues } from './kpi-lookup.js';
import type { BuiltReport, BuiltTable, Cell, PackageContext, TableRow } from './report-table.js';
import { FEN_PER_WAN_UNIT, Footnotes } from './report-table.js';
import { stringOption, templateError, type ReportTemplate, type RowMatch, type SectionSpec, type TableSpec } from './report-template.js';
import { createHash } from 'node:crypto';
import { roundCirculation, type FlowEdge } from './controlled-rounding.js';
import { figureKey, type PublishedFigures } from './published-figures.js';

/** Template field name of each class (`balance_<key>`, `loans_<key>`). */
const CLASS_KEYS: Readonly<Record<FiveClass, string>> = {
  正常: 'pass',
  关注: 'special_mention',
  次级: 'substandard',
  可疑: 'doubtful',
  损失: 'loss',
};

/**
 * The five regulatory classes in the policy's order (transforms/policy/five-category.ts,
 * 《商业银行金融资产风险分类办法》) with their template field names.
 */
export const FIVE_CLASSES: readonly { readonly name: FiveClass; readonly key: string }[] = CLASS_NAMES.map((name) => ({ name, key: CLASS_KEYS[name] }));

/** KPI slice of a `rows_from` attribute (so row NPL ratios can come from the KPI tables). */
const SLICE_OF_ATTRIBUTE = { product_id: 'product', branch_id: 'branch', customer_type: 'customer_type' } as const;

const CUSTOMER_TYPE_LABELS: Record<string, [string, string]> = {
  individual: ['个人客户', 'Individuals'],
  small_business: ['小微企业', 'Small businesses'],
  unknown: ['未知', 'Unknown'],
};

/** On-book loans of the month grouped by every attribute a section can match on. */
interface LoanGroup {
  product_id: string;
  branch_id: string;
  customer_type: string;
  industry: string;
  recorded_class: string;
  /** The warehouse's NPL flag (core.fct_loan_month_ends.is_npl): which loans are 不良贷款 is not decided here. */
  is_npl: boolean;
  loans: bigint;
  fen: bigint;
}

interface ResolvedRow {
  code: string;
  label_zh: string;
  label_en: string;
  match: RowMatch | 'other';
  /** KPI slice and value that give this row's NPL ratio, when the row is a KPI slice. */
  kpi?: { slice: string; value: string };
}

/**
 * Builds the five-category asset-quality table (laid out like 1104 G11): one block of rows per
 * template section (e.g. by product, by industry), columns = the five classes with balances in
 * 万元 and loan counts, row and column totals, NPL balance and ratio. Balances are rounded with
 * controlled rounding (two-way-rounding.ts): in every section, rows add up to the total row, the
 * classes add up to the row total, and the grand total is the exact book rounded half up.
 * Which loans are non-performing is the warehouse's `is_npl` (core.fct_loan_month_ends), not a
 * class list of the export. NPL ratios come from `metrics.kpi_values` (`options.npl_ratio_metric`,
 * default npl_ratio) for the total row and for rows that are KPI slices (rows_from: product_id /
 * branch_id / customer_type), checked against the row's own NPL balance ÷ balance; rows that are
 * no KPI slice (e.g. industry, not a KPI dimension) show that row's NPL balance ÷ balance.
 *
 * Fields: code, label_zh, label_en, balance_<class>, loans_<class> (class = pass,
 * special_mention, substandard, doubtful, loss), balance_total, loans_total, balance_npl,
 * loans_npl, npl_ratio.
 *
 * @example
 * const report = await buildFiveCategory(wh, template, ctx);
 */
export async function buildFiveCategory(wh: WarehouseHandle, t: ReportTemplate, ctx: PackageContext): Promise<BuiltReport> {
  const groups = await wh.all<LoanGroup>(
    `SELECT f.product_id, f.branch_id, f.customer_type, coalesce(c.industry, '') AS industry, f.recorded_class, f.is_npl,
       count(*)::BIGINT AS loans, sum(CAST(f.on_book_balance * 100 AS BIGINT))::BIGINT AS fen
     FROM (SELECT * FROM core.fct_loan_month_ends WHERE as_of_month = ${lit(ctx.asOfDate)}::DATE AND is_on_book) f
     LEFT JOIN (
       SELECT customer_id, industry, row_number() OVER (PARTITION BY customer_id ORDER BY business_date DESC) AS latest
       FROM staging.stg_lender__customers WHERE business_date <= ${lit(ctx.asOfDate)}::DATE
     ) AS c ON c.customer_id = f.customer_id AND c.latest = 1
     GROUP BY f.product_id, f.branch_id, f.customer_type, coalesce(c.industry, ''), f.recorded_class, f.is_npl
     ORDER BY product_id, branch_id, customer_type, industry, recorded_class, is_npl, loans, fen`,
  );
  const classIndex = new Map<string, number>(FIVE_CLASSES.map((c, i) => [c.name, i]));
  // A class column is an NPL column when the warehouse flags its loans NPL (one class, one answer).
  const nplClass = FIVE_CLASSES.map(() => false);
  const seenNpl = new Map<string, boolean>();
  for (const g of groups) {
    if (!classIndex.has(g.recorded_class)) {
      throw new CqError('EXPORT_FAILED', `core.fct_loan_month_ends has recorded_class "${g.recorded_class}" at ${ctx.asOfDate}; the five-category table knows ${FIVE_CLASSES.map((c) => c.name).join(', ')}.`);
    }
    if (seenNpl.has(g.recorded_class) && seenNpl.get(g.recorded_class) !== g.is_npl) {
      throw new CqError('EXPORT_FAILED', `core.fct_loan_month_ends flags some on-book ${g.recorded_class} loans NPL and others not at ${ctx.asOfDate}; the NPL columns need one answer per class. Rebuild the warehouse (npm run transform).`);
    }
    seenNpl.set(g.recorded_class, g.is_npl);
    if (g.is_npl) nplClass[classIndex.get(g.recorded_class)!] = true;
  }
  const metric = stringOption(t, 'npl_ratio_metric', 'npl_ratio');
  const kpis = await readKpiValues(wh, { metrics: [metric], months: [ctx.asOfDate] });
  const tables: BuiltTable[] = [];
  for (const [ti, spec] of t.tables.entries()) {
    if (spec.source !== 'matrix') templateError(t, `tables[${ti}].source`, `must be "matrix" for a five_category report, got "${spec.source}".`);
    if (!spec.sections?.length) templateError(t, `tables[${ti}].sections`, 'are required for a five_category table.');
    tables.push(await buildMatrix(wh, t, ti, spec, groups, classIndex, nplClass, metric, kpis, ctx));
  }
  return { template: t, tables };
}

async function resolveRows(wh: WarehouseHandle, section: SectionSpec, groups: readonly LoanGroup[]): Promise<ResolvedRow[]> {
  if (section.rows) return section.rows.map((r) => ({ code: r.code, label_zh: r.label_zh, label_en: r.label_en, match: r.match }));
  const attr = section.rows_from!;
  const slice = SLICE_OF_ATTRIBUTE[attr];
  const labels = new Map<string, [string, string]>();
  if (attr === 'product_id') {
    for (const p of await wh.all<{ id: string; zh: string; en: string }>('SELECT product_id AS id, product_name_zh AS zh, product_name_en AS en FROM core.dim_products ORDER BY product_id')) labels.set(p.id, [p.zh, p.en]);
  } else if (attr === 'branch_id') {
    for (const b of await wh.all<{ id: string; zh: string; en: string }>('SELECT branch_id AS id, branch_name_zh AS zh, branch_name_en AS en FROM core.dim_branches ORDER BY branch_id')) labels.set(b.id, [b.zh, b.en]);
  } else {
    for (const [k, v] of Object.entries(CUSTOMER_TYPE_LABELS)) if (k !== 'unknown') labels.set(k, v);
  }
  for (const g of groups) if (!labels.has(g[attr])) labels.set(g[attr], CUSTOMER_TYPE_LABELS[g[attr]] ?? [g[attr], g[attr]]);
  return [...labels.keys()].sort().map((code) => ({
    code,
    label_zh: labels.get(code)![0],
    label_en: labels.get(code)![1],
    match: { [attr]: [code] },
    kpi: { slice, value: code },
  }));
}

function matches(m: RowMatch, g: LoanGroup): boolean {
  return (Object.keys(m) as (keyof RowMatch)[]).every((k) => m[k]!.includes(g[k]));
}

async function buildMatrix(
  wh: WarehouseHandle,
  t: ReportTemplate,
  ti: number,
  spec: TableSpec,
  groups: readonly LoanGroup[],
  classIndex: Map<string, number>,
  nplClass: readonly boolean[],
  metric: string,
  kpis: Awaited<ReturnType<typeof readKpiValues>>,
  ctx: PackageContext,
): Promise<BuiltTable> {
  const nClasses = FIVE_CLASSES.length;
  const sections: { spec: SectionSpec; rows: ResolvedRow[]; fen: bigint[][]; loans: bigint[][]; members: LoanGroup[][] }[] = [];
  for (const [si, section] of spec.sections!.entries()) {
    const rows = await resolveRows(wh, section, groups);
    const fen = rows.map(() => new Array<bigint>(nClasses).fill(0n));
    const loans = rows.map(() => new Array<bigint>(nClasses).fill(0n));
    const members: LoanGroup[][] = rows.map(() => []);
    const unmatched = new Set<string>();
    for (const g of groups) {
      let r = rows.findIndex((row) => row.match !== 'other' && matches(row.match, g));
      if (r < 0) r = rows.findIndex((row) => row.match === 'other');
      if (r < 0) {
        unmatched.add(`product ${g.product_id} / branch ${g.branch_id} / ${g.customer_type} / industry "${g.industry}"`);
        continue;
      }
      const c = classIndex.get(g.recorded_class)!;
      fen[r]![c]! += g.fen;
      loans[r]![c]! += g.loans;
      members[r]!.push(g);
    }
    if (unmatched.size) {
      templateError(
        t,
        `tables[${ti}].sections[${si}] (${section.id})`,
        `leaves loans of ${ctx.asOfDate} in no row: ${[...unmatched].slice(0, 5).join('; ')}${unmatched.size > 5 ? '; …' : ''}. Add a row for them or a row with "match: other".`,
      );
    }
    sections.push({ spec: section, rows, fen, loans, members });
  }
  const exactTotal = sections[0]!.fen.flat().reduce((a, b) => a + b, 0n);
  // Which loans each row holds: rows of different sections with the same loans are the same figures.
  const groupId = (g: LoanGroup) => `${g.product_id}|${g.branch_id}|${g.customer_type}|${g.industry}`;
  const allIds = groups.map(groupId).sort().join('\n');
  const populations = sections.map((s) => s.rows.map((_, ri) => {
    const ids = s.members[ri]!.map(groupId).sort().join('\n');
    if (ids === allIds) return 'book';
    return ids === '' ? 'none' : `loans:${createHash('sha256').update(ids).digest('hex').slice(0, 12)}`;
  }));
  const rounded = roundSections(sections.map((s) => s.fen), populations, ctx.figures, ctx.asOfDate, nplClass);

  const rowCells = (units: bigint[], counts: bigint[], exactFen: bigint[]): Record<string, Cell> => {
    const cells: Record<string, Cell> = {};
    let nplUnits = 0n;
    let nplLoans = 0n;
    let nplFen = 0n;
    FIVE_CLASSES.forEach((c, i) => {
      cells[`balance_${c.key}`] = units[i]!;
      cells[`loans_${c.key}`] = counts[i]!;
      if (nplClass[i]) {
        nplUnits += units[i]!;
        nplLoans += counts[i]!;
        nplFen += exactFen[i]!;
      }
    });
    cells.balance_total = units.reduce((a, b) => a + b, 0n);
    cells.loans_total = counts.reduce((a, b) => a + b, 0n);
    cells.balance_npl = nplUnits;
    cells.loans_npl = nplLoans;
    const totalFen = exactFen.reduce((a, b) => a + b, 0n);
    cells.npl_ratio = totalFen === 0n ? null : Number(nplFen) / Number(totalFen);
    return cells;
  };
  /** field → published figure key, so validation can check that one figure shows one value everywhere. */
  const figureFields = (population: string): Record<string, string> => ({
    ...Object.fromEntries(FIVE_CLASSES.map((c) => [`balance_${c.key}`, figureKey(`balance:${c.name}`, population, ctx.asOfDate)])),
    balance_total: figureKey('balance', population, ctx.asOfDate),
    balance_npl: figureKey('npl', population, ctx.asOfDate),
  });
  const notes = new Footnotes();
  const ratioFromKpi = (cells: Record<string, Cell>, slice: string, value: string, label: string) => {
    const k = kpis.get(kpiKey(metric, ctx.asOfDate, slice, value));
    if (!k) return;
    const computed = cells.npl_ratio as number | null;
    if (computed !== null && k.value !== null && Math.abs(computed - k.value) > 1e-9 * Math.max(1, Math.abs(k.value))) {
      throw new CqError(
        'EXPORT_FAILED',
        `${t.path}: row "${label}" has NPL ratio ${computed} from the five-category balances but metrics.kpi_values says ${metric} = ${k.value} (slice ${slice} ${value}, ${ctx.asOfDate}). The table and the KPI disagree; rebuild the warehouse (npm run transform).`,
      );
    }
    // A KPI row without data (e.g. no on-book balance in the slice) is "— [n]" with its reason as a footnote.
    cells.npl_ratio = kpiFigure(k, 'value', notes);
  };

  const rows: TableRow[] = [];
  sections.forEach((s, si) => {
    rows.push({ kind: 'section', cells: { code: s.spec.id, label_zh: s.spec.label_zh, label_en: s.spec.label_en } });
    s.rows.forEach((r, ri) => {
      const cells = rowCells(rounded.cells[si]![ri]!, s.loans[ri]!, s.fen[ri]!);
      if (r.kpi) ratioFromKpi(cells, r.kpi.slice, r.kpi.value, r.label_zh);
      rows.push({ kind: 'data', id: `${s.spec.id}.${r.code}`, cells: { code: r.code, label_zh: r.label_zh, label_en: r.label_en, ...cells }, figures: figureFields(populations[si]![ri]!) });
    });
  });
  const colFen = FIVE_CLASSES.map((_, c) => sections[0]!.fen.reduce((a, row) => a + row[c]!, 0n));
  const colLoans = FIVE_CLASSES.map((_, c) => sections[0]!.loans.reduce((a, row) => a + row[c]!, 0n));
  const total = rowCells(rounded.columnTotals, colLoans, colFen);
  if (total.balance_total !== rounded.total || colFen.reduce((a, b) => a + b, 0n) !== exactTotal) throw new Error('five-category: grand total does not reconcile');
  ratioFromKpi(total, 'all', 'ALL', '合计');
  rows.push({ kind: 'total', id: 'total', cells: { code: 'total', label_zh: '合计', label_en: 'Total', ...total }, figures: figureFields('book') });
  return { spec, rows, footnotes: notes.list() };
}

/**
 * Rounds the sections of the five-category table to 0.01 万元 against the package's published
 * figures: the column (class) totals and the grand total are the book's published figures
 * (published-figures.ts `publishBook`), and a row whose loans are the same as a row already
 * rounded (e.g. "consumer instalment" by product and "other personal loans" by borrower type)
 * takes that row's published cells, so the same loans show the same amounts in every section.
 * Each section is a circulation total → rows → cells → classes → total (controlled-rounding.ts):
 * cells add up to their row, rows to the class totals. Publishes every row's cells, row total and
 * NPL balance (`balance:<class>@<population>`, `balance@…`, `npl@…`).
 */
function roundSections(
  sections: readonly (readonly (readonly bigint[])[])[],
  populations: readonly (readonly string[])[],
  figures: PublishedFigures,
  month: string,
  nplClass: readonly boolean[],
): { cells: bigint[][][]; columnTotals: bigint[]; total: bigint } {
  const nC = FIVE_CLASSES.length;
  const exactCols = Array.from({ length: nC }, (_, c) => sections[0]!.reduce((a, row) => a + row[c]!, 0n));
  const exactTotal = exactCols.reduce((a, b) => a + b, 0n);
  const columnTotals = FIVE_CLASSES.map((c) => figures.get(figureKey(`balance:${c.name}`, 'book', month))!);
  const total = figures.get(figureKey('balance', 'book', month))!;
  const out: bigint[][][] = [];
  sections.forEach((sec, si) => {
    const build = (reuse: boolean) => {
      const edges: FlowEdge[] = [{ from: 'snk', to: 'src', value: exactTotal, fixed: total }];
      const idx: number[][] = [];
      sec.forEach((row, r) => {
        const pop = populations[si]![r]!;
        const known = reuse ? FIVE_CLASSES.map((c) => figures.get(figureKey(`balance:${c.name}`, pop, month))) : [];
        const fixedRow = known.length && known.every((k) => k !== undefined) ? (known as bigint[]) : undefined;
        const rowSum = row.reduce((a, b) => a + b, 0n);
        edges.push({ from: 'src', to: `r${r}`, value: rowSum, weight: 2, ...(fixedRow ? { fixed: fixedRow.reduce((a, b) => a + b, 0n) } : {}) });
        idx.push(row.map((v, c) => edges.push({ from: `r${r}`, to: `c${c}`, value: v, weight: 1, ...(fixedRow ? { fixed: fixedRow[c]! } : {}) }) - 1));
      });
      exactCols.forEach((v, c) => edges.push({ from: `c${c}`, to: 'snk', value: v, fixed: columnTotals[c]! }));
      const u = roundCirculation(edges, FEN_PER_WAN_UNIT);
      return idx.map((row) => row.map((i) => u[i]!));
    };
    let cells: bigint[][];
    try {
      cells = build(true);
    } catch {
      // Rounding with the shared rows held has no solution: round this section on its own; the
      // export's validation (same figure, same value) then refuses the package, naming the rows.
      cells = build(false);
    }
    sec.forEach((row, r) => {
      const pop = populations[si]![r]!;
      const units = cells[r]!;
      try {
        FIVE_CLASSES.forEach((c, i) => figures.set(figureKey(`balance:${c.name}`, pop, month), row[i]!, units[i]!));
        figures.set(figureKey('balance', pop, month), row.reduce((a, b) => a + b, 0n), units.reduce((a, b) => a + b, 0n));
        const nplFen = row.reduce((a, v, i) => (nplClass[i] ? a + v : a), 0n);
        figures.set(figureKey('npl', pop, month), nplFen, units.reduce((a, v, i) => (nplClass[i] ? a + v : a), 0n));
      } catch {
        // Left to validation (same_figure), which names the cells that disagree.
      }
    });
    out.push(cells);
  });
  return { cells: out, columnTotals, total };
}
