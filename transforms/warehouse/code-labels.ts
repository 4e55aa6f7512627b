import { customers, FILE_ELEMENTS, loans, products, warnings, type FileElement } from '../ingest/contract/index.js';
import { FIVE_CLASSES, type FiveClass } from '../policy/five-category.js';
import { OWNER_ROLES, type OwnerRole } from '../policy/warning-rules.js';
import { MIGRATION_EXITS, MIGRATION_PERIODS, MIGRATION_TO_STATES } from './class-migration.js';
import { NPL_MOVEMENTS, type NplMovement } from './npl-movements.js';
import { DELINQUENCY_BUCKETS } from './rules-sql.js';

/**
 * The Chinese and English label of every code the reports show that has no reference extract of
 * its own (branches and products have theirs: `core.dim_branches`, `core.dim_products`). One
 * home: `core.dim_code_labels` is built from this list (plus branches and products), and the
 * report site, the exports and the console read the labels from that table.
 *
 * Each list is typed by the code list it labels (the contract's values, the five classes, the
 * delinquency buckets), so a code added there without a label here fails to compile.
 */

/** One code of one kind with its labels and its display order within the kind. */
export interface CodeLabel {
  /** What the code is, e.g. 'five_class', 'customer_type', 'lag_bucket'. */
  kind: string;
  code: string;
  zh: string;
  en: string;
  /** Display order within the kind (1 = first). */
  order: number;
}

type Labels<C extends string> = Readonly<Record<C, readonly [zh: string, en: string]>>;

function valuesOf<const E extends { columns: readonly { name: string; values?: readonly string[] }[] }>(entity: E, column: string): readonly string[] {
  const values = entity.columns.find((c) => c.name === column)?.values;
  if (!values) throw new Error(`contract column ${column} has no value list`);
  return values;
}

/** Labels of `codes` in their order; throws when a code has no label (a contract value added without one). */
function kindOf(kind: string, codes: readonly string[], labels: Readonly<Record<string, readonly [string, string]>>): CodeLabel[] {
  return codes.map((code, i) => {
    const l = labels[code];
    if (!l) throw new Error(`code-labels.ts: ${kind} '${code}' has no label; add it to the ${kind} labels`);
    return { kind, code, zh: l[0], en: l[1], order: i + 1 };
  });
}

/** 五级分类 (recorded or floor class). */
export const FIVE_CLASS_LABELS: Labels<FiveClass> = {
  正常: ['正常', 'Pass'],
  关注: ['关注', 'Special mention'],
  次级: ['次级', 'Substandard'],
  可疑: ['可疑', 'Doubtful'],
  损失: ['损失', 'Loss'],
};

/** Delinquency buckets of the roll-rate matrix (rules-sql.ts DELINQUENCY_BUCKETS). */
export const DELINQUENCY_BUCKET_LABELS: Labels<(typeof DELINQUENCY_BUCKETS)[number]> = {
  current: ['未逾期', 'Current'],
  '1-30': ['1-30天', '1-30 dpd'],
  '31-60': ['31-60天', '31-60 dpd'],
  '61-90': ['61-90天', '61-90 dpd'],
  '90+': ['90天以上', '90+ dpd'],
  written_off: ['核销', 'Written off'],
  closed: ['结清', 'Closed'],
};

/**
 * Signal-to-raise lag buckets of warnings (marts.mart_warning__lag_distribution), in days, in
 * display order (the mart's bucket_order); test/warehouse/code-labels.test.ts checks that every
 * code of the marts has a label and that the orders agree.
 */
export const LAG_BUCKET_LABELS: Readonly<Record<string, readonly [string, string]>> = {
  '0': ['0天', '0 d'],
  '1': ['1天', '1 d'],
  '2': ['2天', '2 d'],
  '3': ['3天', '3 d'],
  '4-7': ['4-7天', '4-7 d'],
  '8-14': ['8-14天', '8-14 d'],
  '15-30': ['15-30天', '15-30 d'],
  '31+': ['31天以上', '31+ d'],
};

/** Lead-time bands of new NPLs (days from the first warning to the NPL month end), longest first. */
export const LEAD_BAND_LABELS: Readonly<Record<string, readonly [string, string]>> = {
  '180+': ['180天以上', '180+ d'],
  '90-179': ['90-179天', '90-179 d'],
  '30-89': ['30-89天', '30-89 d'],
  '0-29': ['0-29天', '0-29 d'],
  none: ['无预警', 'No warning'],
};

/**
 * NPL movement waterfall lines (marts.mart_risk__npl_movements.movement), in display order
 * (transforms/warehouse/npl-movements.ts); the memo lines that detail a bar start with 其中 / of which.
 */
export const NPL_MOVEMENT_LABELS: Labels<NplMovement> = {
  opening: ['期初不良余额', 'Opening NPL balance'],
  new_npl: ['新增不良（下迁）', 'New NPLs (downgrades)'],
  new_npl_from_normal: ['其中：由正常类下迁', 'of which from pass'],
  new_npl_from_special_mention: ['其中：由关注类下迁', 'of which from special mention'],
  new_npl_not_on_book: ['其中：上月末未在账', 'of which not on book last month'],
  cured: ['上迁（转回正常/关注）', 'Upgrades out (cured)'],
  repaid: ['还款与清收', 'Repayments and collections'],
  repaid_settled: ['其中：全额结清', 'of which settled in full'],
  repaid_paydown: ['其中：持续不良贷款本金压降', 'of which paydown of continuing NPLs'],
  written_off: ['核销', 'Write-offs'],
  transferred: ['转让/处置', 'Transfers and disposals'],
  exited_unreported: ['未报送退出', 'Left the book unreported'],
  moved_in: ['划入（机构/产品变更）', 'Moved in (branch or product change)'],
  moved_out: ['划出（机构/产品变更）', 'Moved out (branch or product change)'],
  closing: ['期末不良余额', 'Closing NPL balance'],
  cash_collected: ['备注：不良贷款回收本金', 'Memo: principal collected on NPLs'],
};

/**
 * States at the end of a loan-migration period (marts.mart_credit__class_migrations.to_class): the five
 * classes, then the exits, in display order.
 */
export const MIGRATION_STATE_LABELS: Labels<FiveClass | (typeof MIGRATION_EXITS)[number]> = {
  ...FIVE_CLASS_LABELS,
  settled: ['结清', 'Settled'],
  written_off: ['核销', 'Written off'],
  transferred: ['转让', 'Transferred'],
  exited_unreported: ['未报送退出', 'Exited (not reported)'],
};

/** Loan-migration periods (marts.mart_credit__class_migrations.period). */
export const MIGRATION_PERIOD_LABELS: Labels<(typeof MIGRATION_PERIODS)[number]> = {
  month: ['本月', 'Month'],
  ytd: ['本年累计', 'Year to date'],
};

/** The slices of metrics.kpi_values and the sliced marts (transforms/warehouse/dimensions.ts). */
export const SLICE_LABELS: Readonly<Record<'all' | 'branch' | 'product' | 'customer_type' | 'grade', readonly [string, string]>> = {
  all: ['全行', 'Whole bank'],
  branch: ['分行', 'Branch'],
  product: ['产品', 'Product'],
  customer_type: ['客户类型', 'Customer type'],
  grade: ['客户等级', 'Customer grade'],
};

const CUSTOMER_TYPE: Readonly<Record<string, readonly [string, string]>> = {
  individual: ['个人客户', 'Individual'],
  small_business: ['小微企业', 'Small business'],
  unknown: ['未知', 'Unknown'],
};
const GRADE: Readonly<Record<string, readonly [string, string]>> = {
  A: ['A 优质', 'Prime'],
  B: ['B 一般', 'Standard'],
  C: ['C 高风险', 'High risk'],
  ungraded: ['未分级', 'Ungraded'],
};
const GRADE_BASIS = { recorded: ['银行认定', 'Recorded'], rule: ['规则测算', 'Rule-based'] } as const;
const SEGMENT: Readonly<Record<string, readonly [string, string]>> = {
  retail: ['零售', 'Retail'],
  small_business: ['小微企业', 'Small business'],
};
const GUARANTEE: Readonly<Record<string, readonly [string, string]>> = {
  credit: ['信用', 'Unsecured'],
  mortgage: ['抵押', 'Mortgage'],
  pledge: ['质押', 'Pledge'],
  guarantee: ['保证', 'Guarantee'],
};
const SEVERITY: Readonly<Record<string, readonly [string, string]>> = {
  low: ['低', 'Low'],
  medium: ['中', 'Medium'],
  high: ['高', 'High'],
};
const SIGNAL_TYPE: Readonly<Record<string, readonly [string, string]>> = {
  overdue_other_bank: ['他行逾期', 'Overdue at another bank'],
  income_drop: ['收入下降', 'Income drop'],
  court_case: ['涉诉', 'Court case'],
  tax_arrears: ['欠税', 'Tax arrears'],
  industry_downturn: ['行业下行', 'Industry downturn'],
  contact_lost: ['失联', 'Contact lost'],
  collateral_value_drop: ['押品贬值', 'Collateral value drop'],
  credit_inquiries: ['征信查询频繁', 'Frequent credit inquiries'],
};
/** Credit-file elements (credit_file_updates.file_element), in display order. */
export const FILE_ELEMENT_LABELS: Labels<FileElement> = {
  financial_statements: ['财务报表', 'Financial statements'],
  credit_report: ['征信报告', 'Credit report'],
  collateral_valuation: ['押品估值', 'Collateral valuation'],
  site_visit: ['实地走访', 'Site visit'],
  kyc_documents: ['身份及资质证明', 'KYC documents'],
};

const OWNER_ROLE: Labels<OwnerRole> = {
  account_manager: ['客户经理', 'Account manager'],
  risk_officer: ['风险经理', 'Risk officer'],
  collections: ['催收岗', 'Collections'],
  branch_head: ['支行负责人', 'Branch head'],
};
/** Status of a watch-list entry against the previous reporting month. */
export const WATCH_STATUSES = ['new', 'still', 'cleared'] as const;
const WATCH_STATUS: Labels<(typeof WATCH_STATUSES)[number]> = {
  new: ['新增', 'New'],
  still: ['持续', 'Still on the list'],
  cleared: ['解除', 'Cleared'],
};

/** Every labelled code, kind by kind (branches and products come from their extracts). */
export const CODE_LABELS: readonly CodeLabel[] = [
  ...kindOf('slice', Object.keys(SLICE_LABELS), SLICE_LABELS),
  ...kindOf('five_class', FIVE_CLASSES, FIVE_CLASS_LABELS),
  ...kindOf('delinquency_bucket', DELINQUENCY_BUCKETS, DELINQUENCY_BUCKET_LABELS),
  ...kindOf('lag_bucket', Object.keys(LAG_BUCKET_LABELS), LAG_BUCKET_LABELS),
  ...kindOf('lead_band', Object.keys(LEAD_BAND_LABELS), LEAD_BAND_LABELS),
  ...kindOf('npl_movement', NPL_MOVEMENTS, NPL_MOVEMENT_LABELS),
  ...kindOf('migration_state', MIGRATION_TO_STATES, MIGRATION_STATE_LABELS),
  ...kindOf('migration_period', MIGRATION_PERIODS, MIGRATION_PERIOD_LABELS),
  ...kindOf('customer_type', [...valuesOf(customers, 'customer_type'), 'unknown'], CUSTOMER_TYPE),
  ...kindOf('grade', [...valuesOf(customers, 'grade'), 'ungraded'], GRADE),
  ...kindOf('grade_basis', Object.keys(GRADE_BASIS), GRADE_BASIS),
  ...kindOf('segment', valuesOf(products, 'segment'), SEGMENT),
  ...kindOf('guarantee', valuesOf(loans, 'guarantee_type'), GUARANTEE),
  ...kindOf('warning_severity', valuesOf(warnings, 'severity'), SEVERITY),
  ...kindOf('signal_type', Object.keys(SIGNAL_TYPE), SIGNAL_TYPE),
  ...kindOf('owner_role', OWNER_ROLES, OWNER_ROLE),
  ...kindOf('watch_status', WATCH_STATUSES, WATCH_STATUS),
  ...kindOf('file_element', FILE_ELEMENTS, FILE_ELEMENT_LABELS),
];
