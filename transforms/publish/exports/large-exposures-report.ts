import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { FIVE_CLASSES } from './five-category-report.js';
import { inputDelivery, kpiKey, readKpiValues } from './kpi-lookup.js';
import { figureKey } from './published-figures.js';
import { maskIdNumber, maskName } from './mask-id.js';
import { FEN_PER_WAN_UNIT, Footnotes, yuanToFen, type BuiltReport, type BuiltTable, type Cell, type PackageContext, type TableRow } from './report-table.js';
import { numberOption, stringOption, templateError, type ReportTemplate } from './report-template.js';
import { roundParts, roundTwoWay } from './two-way-rounding.js';

interface Borrower {
  customer_id: string;
  customer_type: string | null;
  customer_name: string | null;
  id_number: string | null;
  industry: string | null;
  branch_id: string | null;
  branch_name_zh: string | null;
  loans: bigint;
  npl_loans: bigint;
  exposure_fen: bigint;
  npl_fen: bigint;
  provision_fen: bigint;
  worst_rank: number;
  max_dpd: number;
}

// Fallback only, until core.dim_code_labels (the one home of code labels) is in the warehouse.
const TYPE_LABELS: Record<string, string> = { individual: '个人客户 Individual', small_business: '小微企业 Small business' };

/**
 * Code labels "中文 English" from `core.dim_code_labels` (kind, code, label_zh, label_en), keyed
 * `kind|code`; empty when the warehouse has no such table yet (then codes print as delivered,
 * customer types from the fallback above).
 *
 * @example
 * (await codeLabels(wh, ['customer_type'])).get('customer_type|individual'); // '个人客户 Individual'
 */
async function codeLabels(wh: WarehouseHandle, kinds: readonly string[]): Promise<Map<string, string>> {
  const [t] = await wh.all<{ n: number }>(
    `SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_schema = 'core' AND table_name = 'dim_code_labels'`,
  );
  if (!t?.n) return new Map();
  const rows = await wh.all<{ kind: string; code: string; label: string }>(
    `SELECT kind, code, label_zh || ' ' || label_en AS label FROM core.dim_code_labels WHERE kind IN (${kinds.map(lit).join(', ')})`,
  );
  return new Map(rows.map((r) => [`${r.kind}|${r.code}`, r.label]));
}

/**
 * Builds the large non-performing exposures list: the `options.top_n` (default 20) borrowers with
 * the largest NPL balance at the month end (ties: larger exposure, then customer id), with their
 * total exposure, NPL balance, provisions, worst recorded class and longest days past due, and a
 * total row. Names and ID numbers come from the customer version as of the month end
 * (`staging.stg_lender__customers`); ID numbers are masked to their last 4 characters and
 * individuals' names to their first character unless the package is exported `--unmasked`.
 * `share_of_npl` divides by the whole-book NPL balance of the KPI tables
 * (numerator of `options.npl_ratio_metric`, default npl_ratio).
 *
 * Customer type and industry print as "中文 English" labels from `core.dim_code_labels` (kinds
 * `customer_type`, `industry` — GB/T 4754 sections — and `occupation` — individuals' occupation
 * groups); a code without a label there prints as delivered.
 *
 * Fields: rank, customer_id, customer_name, id_number, id_type, customer_type, industry,
 * branch_id, branch_name, loans, npl_loans, exposure, npl_balance, provision, worst_class,
 * max_dpd, share_of_npl.
 *
 * @example
 * const report = await buildLargeExposures(wh, template, { ...ctx, unmasked: false });
 */
export async function buildLargeExposures(wh: WarehouseHandle, t: ReportTemplate, ctx: PackageContext): Promise<BuiltReport> {
  const topN = numberOption(t, 'top_n', 20);
  const metric = stringOption(t, 'npl_ratio_metric', 'npl_ratio');
  const borrowers = await wh.all<Borrower>(
    `WITH l AS (
       SELECT customer_id, as_of_month, is_npl, recorded_class_rank, days_past_due,
         CAST(on_book_balance * 100 AS BIGINT) AS fen, CAST(provision_amount * 100 AS BIGINT) AS prov
       FROM core.fct_loan_month_ends WHERE as_of_month = ${lit(ctx.asOfDate)}::DATE AND is_on_book
     ),
     b AS (
       SELECT customer_id, min(as_of_month) AS as_of_month, count(*)::BIGINT AS loans, count(*) FILTER (WHERE is_npl)::BIGINT AS npl_loans,
         sum(fen)::BIGINT AS exposure_fen, coalesce(sum(fen) FILTER (WHERE is_npl), 0)::BIGINT AS npl_fen, sum(prov)::BIGINT AS provision_fen,
         max(recorded_class_rank)::INTEGER AS worst_rank, max(days_past_due)::INTEGER AS max_dpd
       FROM l GROUP BY customer_id HAVING count(*) FILTER (WHERE is_npl) > 0
       ORDER BY npl_fen DESC NULLS LAST, exposure_fen DESC NULLS LAST, customer_id LIMIT ${topN}
     )
     SELECT b.customer_id, c.customer_type, c.customer_name, c.id_number, c.industry, c.branch_id, br.branch_name_zh,
       b.loans, b.npl_loans, b.exposure_fen, b.npl_fen, b.provision_fen, b.worst_rank, b.max_dpd
     FROM b
     -- The borrower as of the month end: the latest version delivered by then.
     LEFT JOIN (
       SELECT customer_id, customer_type, customer_name, id_number, industry, branch_id,
         row_number() OVER (PARTITION BY customer_id ORDER BY business_date DESC) AS latest
       FROM staging.stg_lender__customers
       WHERE business_date <= ${lit(ctx.asOfDate)}::DATE AND customer_id IN (SELECT customer_id FROM b)
     ) AS c ON c.customer_id = b.customer_id AND c.latest = 1
     LEFT JOIN core.dim_branches br ON br.branch_id = c.branch_id
     ORDER BY b.npl_fen DESC NULLS LAST, b.exposure_fen DESC NULLS LAST, b.customer_id`,
  );
  // Industry: a GB/T 4754 section letter for a business, an occupation group (self_employed, …) for an individual.
  const labels = await codeLabels(wh, ['customer_type', 'industry', 'occupation']);
  const label = (kinds: readonly string[], code: string | null): string | null =>
    code === null ? null : (kinds.map((k) => labels.get(`${k}|${code}`)).find((l) => l !== undefined) ?? null);
  const kpis = await readKpiValues(wh, { metrics: [metric], months: [ctx.asOfDate], slices: ['all'] });
  const bookNpl = kpis.get(kpiKey(metric, ctx.asOfDate))?.numerator;
  const bookNplFen = bookNpl === null || bookNpl === undefined ? null : yuanToFen(bookNpl);

  // Provisions the lender never delivered (e.g. a mapping's placeholder 0.00) are not shown as amounts.
  const notes = new Footnotes();
  const prov = await inputDelivery(wh, 'loan_balances.provision_amount', ctx.asOfDate);
  const noProvision = prov && !prov.delivered ? notes.cell(`输入数据截至本月从未交付：${prov.labelZh}`, `Input never delivered up to this month: ${prov.labelEn}`) : undefined;
  // Exposure = NPL + performing part, rounded as one two-way table (rows = borrowers, columns =
  // NPL / performing): each row's NPL balance is part of its exposure, so it can never exceed it.
  const split = borrowers.length ? roundTwoWay([borrowers.map((b) => [b.npl_fen, b.exposure_fen - b.npl_fen])], FEN_PER_WAN_UNIT) : undefined;
  const exposure = { parts: split?.sections[0]!.rowTotals ?? [], total: split?.total ?? 0n };
  const npl = { parts: split?.sections[0]!.cells.map((c) => c[0]!) ?? [], total: split?.columnTotals[0] ?? 0n };
  const provision = roundParts(borrowers.map((b) => b.provision_fen), FEN_PER_WAN_UNIT);
  const share = (fen: bigint): number | null => (bookNplFen ? Number(fen) / Number(bookNplFen) : null);

  const rows: TableRow[] = borrowers.map((b, i) => {
    const person = b.customer_type !== 'small_business';
    const cells: Record<string, Cell> = {
      rank: i + 1,
      customer_id: b.customer_id,
      customer_name: ctx.unmasked ? b.customer_name : maskName(b.customer_name, person),
      id_number: ctx.unmasked ? b.id_number : maskIdNumber(b.id_number),
      id_type: person ? '居民身份证 resident ID' : '统一社会信用代码 credit code',
      customer_type: label(['customer_type'], b.customer_type) ?? TYPE_LABELS[b.customer_type ?? ''] ?? b.customer_type,
      industry: label(person ? ['occupation', 'industry'] : ['industry', 'occupation'], b.industry) ?? b.industry,
      branch_id: b.branch_id,
      branch_name: b.branch_name_zh,
      loans: b.loans,
      npl_loans: b.npl_loans,
      exposure: exposure.parts[i]!,
      npl_balance: npl.parts[i]!,
      provision: noProvision ?? provision.parts[i]!,
      worst_class: FIVE_CLASSES[b.worst_rank - 1]?.name ?? String(b.worst_rank),
      max_dpd: b.max_dpd,
      share_of_npl: share(b.npl_fen),
    };
    return { kind: 'data', id: `rank${i + 1}`, cells, figures: { exposure: figureKey('balance', `customer:${b.customer_id}`, ctx.asOfDate), npl_balance: figureKey('npl', `customer:${b.customer_id}`, ctx.asOfDate) } };
  });
  const sum = (f: (b: Borrower) => bigint) => borrowers.reduce((a, b) => a + f(b), 0n);
  rows.push({
    kind: 'total',
    id: 'total',
    cells: {
      rank: '合计 Total',
      customer_id: null,
      customer_name: `前 ${borrowers.length} 户 top ${borrowers.length}`,
      loans: sum((b) => b.loans),
      npl_loans: sum((b) => b.npl_loans),
      exposure: exposure.total,
      npl_balance: npl.total,
      provision: noProvision ?? provision.total,
      share_of_npl: share(sum((b) => b.npl_fen)),
    },
  });
  const tables: BuiltTable[] = t.tables.map((spec, ti) => {
    if (spec.source !== 'borrowers') templateError(t, `tables[${ti}].source`, `must be "borrowers" for a large_exposures report, got "${spec.source}".`);
    // An unmasked package must not claim masking: the template's masking sentence is replaced.
    const masked = (n: string) => !/证件号码|ID numbers/.test(n);
    const shown = ctx.unmasked
      ? {
          ...spec,
          notes_zh: [...(spec.notes_zh ?? []).filter(masked), '本表证件号码及客户姓名未脱敏。'],
          notes_en: [...(spec.notes_en ?? []).filter(masked), 'ID numbers and names in this table are not masked.'],
        }
      : spec;
    return { spec: shown, rows, footnotes: notes.list() };
  });
  return { template: t, tables };
}
