import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { maskIdentifierSql } from '../../lib/identifier-masks.js';
import type { BusinessMonth } from '../exports/run-info.js';
import { branchListFileName, codeLabelSql, writeBranchWorkbooks, type BranchListIds, type BranchListSpec } from './branch-list-xlsx.js';


const WATCH_LIST_COLUMNS: BranchListSpec['columns'] = [
  { key: 'rule', zh: '预警规则', en: 'Rule', kind: 'text', width: 30 },
  { key: 'severity', zh: '严重程度', en: 'Severity', kind: 'text', width: 10 },
  { key: 'owner', zh: '跟进岗位', en: 'Owner', kind: 'text', width: 18 },
  { key: 'status', zh: '状态', en: 'Status', kind: 'text', width: 14 },
  { key: 'loan', zh: '借据号', en: 'Loan', kind: 'text', width: 16 },
  { key: 'customer', zh: '客户号', en: 'Customer', kind: 'text', width: 16 },
  { key: 'product', zh: '产品', en: 'Product', kind: 'text', width: 18 },
  { key: 'first_flagged_on', zh: '首次预警日', en: 'First flagged', kind: 'date', width: 12 },
  { key: 'days_on_list', zh: '在单天数', en: 'Days on list', kind: 'int', width: 10 },
  { key: 'balance', zh: '贷款余额（元）', en: 'Balance (CNY)', kind: 'money', width: 16 },
  { key: 'evidence', zh: '触发依据', en: 'Evidence', kind: 'text', width: 44 },
];

/** File name of a branch's watch-list. @example watchListFileName('BJ01', '2026-10') // 'watch-list-BJ01-2026-10.xlsx' */
export function watchListFileName(branchId: string, month: string): string {
  return branchListFileName('watch-list', branchId, month);
}

/**
 * SQL of one branch's watch-list of a month (marts.mart_monitoring__watch_list; the branch is `$1`),
 * with labels from core.dim_warning_rules and core.dim_code_labels, new entries first, then still,
 * then cleared; within each, high severity and larger balances first. Ids masked with the ID-number
 * mask unless `ids` is `full`; no name or ID number is read.
 *
 * @example
 * await wh.all(watchListSql(parseBusinessMonth('2026-10'), 'masked'), ['BJ01']);
 * // SQL: SELECT r.label AS rule, … CASE WHEN length(trim(w.loan_id)) >= 15 … END AS loan … FROM marts.mart_monitoring__watch_list w …
 * //      WHERE w.as_of_month = '2026-10-31'::DATE AND w.branch_id = $1 ORDER BY …
 */
export function watchListSql(bm: BusinessMonth, ids: BranchListIds): string {
  const id = (col: string) => (ids === 'full' ? col : maskIdentifierSql('id_number', col));
  return `SELECT r.label AS rule, ${codeLabelSql('warning_severity', 'w.severity')} AS severity, ${codeLabelSql('owner_role', 'w.owner_role')} AS owner,
       ${codeLabelSql('watch_status', 'w.status')} AS status, ${id('w.loan_id')} AS loan, ${id('w.customer_id')} AS customer,
       ${codeLabelSql('product', 'w.product_id')} AS product, strftime(w.first_flagged_on, '%Y-%m-%d') AS first_flagged_on, w.days_on_list,
       CAST(w.balance AS VARCHAR) AS balance, w.evidence
     FROM marts.mart_monitoring__watch_list w JOIN core.dim_warning_rules r USING (rule_id)
     WHERE w.as_of_month = ${lit(bm.asOfDate)}::DATE AND w.branch_id = $1
     ORDER BY CASE w.status WHEN 'new' THEN 1 WHEN 'still' THEN 2 ELSE 3 END,
       CASE w.severity WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END, w.balance DESC NULLS LAST, w.loan_id, r.sort_order`;
}

/**
 * Writes one watch-list workbook per branch for the month into `outDir` (replacing the folder as a
 * whole). Returns the files and the number of entries.
 *
 * @example
 * await writeWatchLists(wh, parseBusinessMonth('2026-10'), { outDir: 'release/branch-lists/watch-list', generatedAt, ids: 'masked' });
 */
export async function writeWatchLists(
  wh: WarehouseHandle,
  bm: BusinessMonth,
  o: { outDir: string; generatedAt: string; ids: BranchListIds },
): Promise<{ files: string[]; entries: number }> {
  const spec: BranchListSpec = {
    titleZh: '贷后预警监控名单',
    titleEn: 'Post-loan watch-list',
    notes: [
      '本名单由贷后预警规则于月末自动生成：新增、持续及本月解除的贷款。 Loans the post-loan warning rules flag at the month end: new, still on the list, and cleared this month.',
      o.ids === 'full'
        ? '借据号与客户号为完整编号，本文件须按客户资料保密。 Loan and customer ids are shown in full: keep this file as confidential as customer records.'
        : '借据号与客户号已脱敏（仅显示末位）；不含姓名与证件号码。 Loan and customer ids are masked (last characters only); no names or ID numbers.',
    ],
    columns: WATCH_LIST_COLUMNS,
  };
  return writeBranchWorkbooks(wh, spec, watchListSql(bm, o.ids), { outDir: o.outDir, kind: 'watch-list', month: bm.month, asOfDate: bm.asOfDate, generatedAt: o.generatedAt });
}
