import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';

/**
 * A small hand-written loan ledger in a typical Chinese core-banking layout (贷款台账: Chinese
 * headers, amounts in 万元, rates in %, dates YYYYMMDD, 五级分类 codes 10–50, days past due inside
 * a status text, GB18030) and its mapping, for the mapping tests (test/mapping-*.test.ts).
 */

export const LEDGER_HEADER = '借据号,客户号,客户名称,证件号码,机构号,产品,贷款金额(万元),年利率(%),放款日期,到期日期,五级分类,逾期状态,余额(元),违约标志';
/** Lines 2–5. L3 is C2's second loan; L4's balance is negative (rejected). */
export const LEDGER_ROWS = [
  'L1,C1,张三,110101199003074514,BJ01,经营,100,4.35,20240115,20270115,10,正常,950000.00,0',
  'L2,C2,李四,,SH01,消费,5.5,12,20230301,20260301,20,逾期35天,30000.50,0',
  'L3,C2,李四,,SH01,消费,20,6,20220601,20250601,30,逾期120天,150000,1',
  'L4,C3,"杭州明远贸易有限公司",91330100MA27XL0E2K,SH01,经营,50,5.5,20240601,20270601,10,正常,-5.00,0',
];

/** The mapping of the ledger (YAML); `businessDates`, `codes` (the five_class table body) and `extraEntities` (appended under `entities:`) vary it. */
export function ledgerMapping(opts: { businessDates?: string; extraEntities?: string; codes?: string } = {}): string {
  return `# test ledger mapping
name: ledger
${opts.businessDates ?? ''}
sources:
  book:
    file: 贷款台账.csv
code_tables:
  five_class:
${opts.codes ?? `    '10': 正常
    '20': 关注
    '30': 次级
    '40': 可疑
    '50': 损失`}
  product:
    经营: business
    消费: consumer_instalment
  branch:
    columns: [name_zh, name_en, region]
    rows:
      BJ01: [北京分行, Beijing Branch, 华北]
      SH01: [上海分行, Shanghai Branch, 华东]
entities:
  branches:
    from: book
    one_row_per: branch_id
    columns:
      branch_id: 机构号
      name_zh: { source: 机构号, translate: branch.name_zh }
      name_en: { source: 机构号, translate: branch.name_en }
      region: { source: 机构号, translate: branch.region }
  products:
    rows:
      - { product_id: business, name_zh: 小微经营贷款, name_en: Small-business loan, segment: small_business }
      - { product_id: consumer_instalment, name_zh: 个人消费贷款, name_en: Consumer loan, segment: retail }
  customers:
    from: book
    one_row_per: customer_id
    columns:
      customer_id: 客户号
      customer_type: { expr: "CASE WHEN length({证件号码}) = 18 AND {证件号码} LIKE '9%' THEN 'small_business' ELSE 'individual' END" }
      name: 客户名称
      id_number: { source: 证件号码, default: '(missing)', note: "Some ledger rows lack the ID number." }
      branch_id: 机构号
      onboarded_on: { source: 放款日期, date_format: '%Y%m%d' }
  loans:
    from: book
    columns:
      loan_id: 借据号
      customer_id: 客户号
      branch_id: 机构号
      product_id: { source: 产品, translate: product }
      principal: { source: 贷款金额(万元), scale: 10000 }
      currency: { const: CNY }
      annual_rate: { source: 年利率(%), scale: 0.01 }
      term_months: { expr: "date_diff('month', strptime({放款日期}, '%Y%m%d'), strptime({到期日期}, '%Y%m%d'))" }
      repayment_method: { default: equal_instalment, note: "The ledger does not say; the bank's standard." }
      guarantee_type: { const: credit }
      disbursed_on: { source: 放款日期, date_format: '%Y%m%d' }
      maturity_on: { source: 到期日期, date_format: '%Y%m%d' }
      restructured: { const: 'false' }
  loan_balances:
    from: book
    columns:
      as_of_date: { const: '\${business_date}' }
      loan_id: 借据号
      outstanding_principal: 余额(元)
      overdue_principal: { default: '0.00', note: "Not in the ledger." }
      overdue_interest: { default: '0.00', note: "Not in the ledger." }
      days_past_due: { expr: "coalesce(TRY_CAST(regexp_extract({逾期状态}, '逾期([0-9]+)天', 1) AS INTEGER), 0)" }
      recorded_class: { source: 五级分类, translate: five_class }
      provision_amount: { default: '0.00', note: "Not in the ledger." }
      status: { const: active }
    retain:
      default_flag: 违约标志
${opts.extraEntities ?? ''}`;
}

/**
 * Writes `<dir>/policy/mappings/ledger.yaml`, and the ledger into `<dir>/x/<date>/` (dated layout) with a
 * manifest naming the mapping `ledger` (a manifest may only name a mapping of the mappings folder:
 * tests point CQ_MAPPINGS_DIR, or the mappingsDir option, at `<dir>/mappings`).
 */
export function writeLedger(dir: string, opts: { rows?: string[]; date?: string; manifest?: Record<string, unknown>; crlf?: boolean; lineEnd?: string; mapping?: string } = {}) {
  const mappingPath = join(dir, 'mappings', 'ledger.yaml');
  mkdirSync(join(dir, 'mappings'), { recursive: true });
  writeFileSync(mappingPath, opts.mapping ?? ledgerMapping());
  const dateDir = join(dir, 'x', opts.date ?? '2026-09-30');
  mkdirSync(dateDir, { recursive: true });
  const nl = opts.lineEnd ?? (opts.crlf ? '\r\n' : '\n');
  writeFileSync(join(dateDir, '贷款台账.csv'), iconv.encode([LEDGER_HEADER, ...(opts.rows ?? LEDGER_ROWS)].join(nl) + nl, 'gb18030'));
  writeFileSync(join(dateDir, 'manifest.json'), JSON.stringify(opts.manifest ?? { mapping: 'ledger', encoding: 'gb18030' }));
  return { extracts: join(dir, 'x'), dateDir, mappingPath, mappingsDir: join(dir, 'mappings') };
}

