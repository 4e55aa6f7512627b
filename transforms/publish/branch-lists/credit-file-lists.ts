import { quoteLiteral as lit } from '../../lib/duckdb.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { maskIdentifierSql } from '../../lib/identifier-masks.js';
import type { BusinessMonth } from '../exports/run-info.js';
import { codeLabelSql, writeBranchWorkbooks, type BranchListIds, type BranchListSpec } from './branch-list-xlsx.js';

const COLUMNS: BranchListSpec['columns'] = [
  { key: 'customer', zh: '客户号', en: 'Customer', kind: 'text', width: 16 },
  { key: 'customer_type', zh: '客户类型', en: 'Customer type', kind: 'text', width: 20 },
  { key: 'element', zh: '档案要素', en: 'File element', kind: 'text', width: 28 },
  { key: 'status', zh: '状态', en: 'Status', kind: 'text', width: 18 },
  { key: 'cycle_months', zh: '更新周期（月）', en: 'Cycle (months)', kind: 'int', width: 12 },
  { key: 'last_updated_on', zh: '最近更新日', en: 'Last update', kind: 'date', width: 12 },
  { key: 'due_on', zh: '应更新日', en: 'Due', kind: 'date', width: 12 },
  { key: 'days_overdue', zh: '逾期天数', en: 'Days overdue', kind: 'int', width: 12 },
];

/**
 * SQL of one branch's overdue-files list of a month (marts.mart_customer__overdue_credit_files; the
 * branch is `$1`): missing elements first, then the longest overdue; labels from
 * core.dim_code_labels; the customer id masked unless `ids` is `full`. No name or ID number is read.
 *
 * @example
 * await wh.all(overdueFileListSql(parseBusinessMonth('2026-10'), 'masked'), ['BJ01']);
 * // SQL: SELECT … AS customer, … FROM marts.mart_customer__overdue_credit_files f
 * //      WHERE f.as_of_month = '2026-10-31'::DATE AND f.branch_id = $1 ORDER BY …
 */
export function overdueFileListSql(bm: BusinessMonth, ids: BranchListIds): string {
  return `SELECT ${ids === 'full' ? 'f.customer_id' : maskIdentifierSql('id_number', 'f.customer_id')} AS customer,
       ${codeLabelSql('customer_type', 'f.customer_type')} AS customer_type, ${codeLabelSql('file_element', 'f.file_element')} AS element,
       CASE f.file_status WHEN 'missing' THEN '缺失 Missing' ELSE '逾期未更新 Overdue' END AS status,
       f.cycle_months, strftime(f.last_updated_on, '%Y-%m-%d') AS last_updated_on, strftime(f.due_on, '%Y-%m-%d') AS due_on, f.days_overdue
     FROM marts.mart_customer__overdue_credit_files f
     WHERE f.as_of_month = ${lit(bm.asOfDate)}::DATE AND f.branch_id = $1
     ORDER BY CASE f.file_status WHEN 'missing' THEN 0 ELSE 1 END, f.days_overdue DESC NULLS FIRST, f.customer_id, f.file_element`;
}

/**
 * Writes one overdue credit-files workbook per branch for the month into `outDir`.
 *
 * @example
 * await writeCreditFileLists(wh, parseBusinessMonth('2026-10'), { outDir: 'release/branch-lists/credit-files', generatedAt, ids: 'masked' });
 */
export async function writeCreditFileLists(
  wh: WarehouseHandle,
  bm: BusinessMonth,
  o: { outDir: string; generatedAt: string; ids: BranchListIds },
): Promise<{ files: string[]; entries: number }> {
  const spec: BranchListSpec = {
    titleZh: '授信档案逾期更新清单',
    titleEn: 'Overdue credit-file updates',
    notes: [
      '在账贷款客户的必备档案要素中，月末已过应更新日或从未提供的要素。 Required credit-file elements of customers with an on-book loan that are past their due date or were never delivered at the month end.',
      o.ids === 'full'
        ? '客户号为完整编号，本文件须按客户资料保密。 Customer ids are shown in full: keep this file as confidential as customer records.'
        : '客户号已脱敏（仅显示末位）；不含姓名与证件号码。 Customer ids are masked (last characters only); no names or ID numbers.',
    ],
    columns: COLUMNS,
  };
  return writeBranchWorkbooks(wh, spec, overdueFileListSql(bm, o.ids), { outDir: o.outDir, kind: 'credit-files', month: bm.month, asOfDate: bm.asOfDate, generatedAt: o.generatedAt });
}
