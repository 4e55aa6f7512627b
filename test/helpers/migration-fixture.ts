import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityContract } from '../../transforms/ingest/contract/index.js';
import { writeExtractCsv, type ExtractRow } from './extract-rows.js';
import { BRANCH_ROWS, PRODUCT_ROWS } from './reference-rows.js';

/**
 * A hand-built extract for the loan migration rates (贷款迁徙率): 3 business dates, 18 loans (CNY),
 * loaded through the real loader. Every figure the tests expect is worked out by hand below
 * ({@link MIGRATION_EXPECTED}); the check month is M = 2026-06-30.
 *
 *   Y 2025-12-31 (start of the year-to-date period)   P 2026-05-31 (start of the month period)   M 2026-06-30
 *
 * Loans (branch; outstanding principal in CNY and recorded class at Y, P, M):
 *
 *   loan branch  Y                 P                 M                      what it shows
 *   A01  BJ01    100,000.00 正常   90,000.00 正常    85,000.00 关注         migration with paydown (ytd and month)
 *   A02  BJ01     50,000.00 正常   40,000.00 正常    settled                settled loan
 *   A03  SH01     30,000.00 关注   30,000.00 次级    written off            write-off (a 关注 loan that went 次级, then 核销)
 *   A04  SH01     20,000.00 次级   20,000.00 正常    19,000.50 正常         class improved (ytd), cents
 *   A05  BJ01     —                60,000.00 正常    59,000.00 次级         new during the year (not in the ytd opening)
 *   A06  SH01     10,000.25 可疑   10,000.25 损失    10,000.25 损失
 *   A07  BJ01     40,000.00 关注   38,000.00 关注    37,500.00 关注
 *   A08  SH01     25,000.00 次级   24,000.00 可疑    24,000.00 可疑
 *   A09  BJ01     15,000.00 关注   15,000.00 关注    14,000.00 次级         migration with paydown
 *   A10  SH01     12,000.00 正常    8,000.00 损失    written off            write-off after paydown: 4,000 repaid + 8,000 written off (ytd)
 *   A11  BJ01      5,000.00 可疑    5,000.00 可疑     4,000.00 次级         class improved (month and ytd)
 *   A12  SH01    200,000.00 正常  195,000.00 正常   194,000.00 正常
 *   A13  BJ01      8,000.00 关注    8,000.00 正常     7,000.00 正常         class improved (ytd)
 *   A14  SH01      3,000.00 正常    3,000.00 正常    no snapshot            left the book unreported
 *   A15  BJ01     —                16,000.00 次级    16,000.00 损失         new during the year
 *   A16  SH01      9,000.00 次级    9,000.00 次级     8,500.00 次级
 *   A17  BJ01      7,000.00 可疑    7,000.00 可疑     7,000.00 损失
 *   A18  SH01     —                —                 50,000.00 正常         new during the month (in no opening balance)
 *
 * Per loan of a period's cohort (on book at its start): decrease = opening − period-end balance for a loan
 * still on book (never negative); the whole opening balance for one that left, split into the amount
 * outstanding on its last on-book snapshot before the exit (written off / unreported) and the rest
 * (repaid; all of it for a settled loan). remaining = opening − decrease; migrated = remaining of the
 * loans now in a worse class.
 */
export const MIGRATION_FIXTURE_DATES = ['2025-12-31', '2026-05-31', '2026-06-30'] as const;

/** The check month. */
export const MIGRATION_M = '2026-06-30';

/** One loan of the table above: id, branch, product, disbursed, states at Y, P, M ([balance, class] | 'settled' | 'written_off' | null). */
type State = readonly [number, string] | 'settled' | 'written_off' | null;
const LOANS: readonly (readonly [string, string, string, string, State, State, State])[] = [
  ['A01', 'BJ01', 'mortgage', '2024-01-10', [100000, '正常'], [90000, '正常'], [85000, '关注']],
  ['A02', 'BJ01', 'car', '2024-02-10', [50000, '正常'], [40000, '正常'], 'settled'],
  ['A03', 'SH01', 'business', '2024-03-10', [30000, '关注'], [30000, '次级'], 'written_off'],
  ['A04', 'SH01', 'consumer_instalment', '2024-04-10', [20000, '次级'], [20000, '正常'], [19000.5, '正常']],
  ['A05', 'BJ01', 'working_capital', '2026-02-10', null, [60000, '正常'], [59000, '次级']],
  ['A06', 'SH01', 'business', '2023-05-10', [10000.25, '可疑'], [10000.25, '损失'], [10000.25, '损失']],
  ['A07', 'BJ01', 'consumer_instalment', '2024-06-10', [40000, '关注'], [38000, '关注'], [37500, '关注']],
  ['A08', 'SH01', 'car', '2024-07-10', [25000, '次级'], [24000, '可疑'], [24000, '可疑']],
  ['A09', 'BJ01', 'business', '2024-08-10', [15000, '关注'], [15000, '关注'], [14000, '次级']],
  ['A10', 'SH01', 'car', '2024-09-10', [12000, '正常'], [8000, '损失'], 'written_off'],
  ['A11', 'BJ01', 'working_capital', '2024-10-10', [5000, '可疑'], [5000, '可疑'], [4000, '次级']],
  ['A12', 'SH01', 'mortgage', '2022-11-10', [200000, '正常'], [195000, '正常'], [194000, '正常']],
  ['A13', 'BJ01', 'car', '2024-12-10', [8000, '关注'], [8000, '正常'], [7000, '正常']],
  ['A14', 'SH01', 'consumer_instalment', '2025-01-10', [3000, '正常'], [3000, '正常'], null],
  ['A15', 'BJ01', 'business', '2026-03-05', null, [16000, '次级'], [16000, '损失']],
  ['A16', 'SH01', 'car', '2025-03-10', [9000, '次级'], [9000, '次级'], [8500, '次级']],
  ['A17', 'BJ01', 'business', '2025-04-10', [7000, '可疑'], [7000, '可疑'], [7000, '损失']],
  ['A18', 'SH01', 'mortgage', '2026-06-15', null, null, [50000, '正常']],
];

/**
 * With `eur: true`, one more loan in EUR (amounts below in EUR; CNY per EUR 7.80 at Y, 7.90 at P, 8.00 at M):
 *   A19  BJ01    10,000.00 正常    9,000.00 正常     8,000.00 关注
 * Every migration amount is at the period-start snapshot's rate, so the exchange-rate move is neither a
 * decrease nor a migration: ytd opening 10,000 × 7.80 = 78,000.00, decrease 2,000 × 7.80 = 15,600.00,
 * migrated 62,400.00 (its period-end balance in CNY at M's rate would be 64,000.00); month opening
 * 9,000 × 7.90 = 71,100.00, decrease 1,000 × 7.90 = 7,900.00, migrated 63,200.00.
 */
const EUR_LOAN = ['A19', 'BJ01', 'car', '2025-01-10', [10000, '正常'], [9000, '正常'], [8000, '关注']] as const;
const EUR_RATES = ['7.8000000000', '7.9000000000', '8.0000000000'] as const;

/**
 * Expected per period and class at M, whole book (CNY). `rate` = migrated ÷ remaining (remaining =
 * opening − decrease).
 */
export const MIGRATION_EXPECTED = {
  ytd: {
    // 正常 at Y: A01 100,000 + A02 50,000 + A10 12,000 + A12 200,000 + A14 3,000 = 365,000.
    // Decrease: A01 15,000 (100,000 − 85,000) + A02 50,000 (settled) + A10 12,000 (4,000 repaid to P, 8,000 written
    //   off = its P balance) + A12 6,000 + A14 3,000 (unreported) = 86,000; repaid 15,000 + 50,000 + 4,000 + 6,000 = 75,000.
    // Remaining 279,000 (A01 85,000 关注 + A12 194,000 正常); migrated (关注 or worse): A01 85,000 → 85,000 / 279,000.
    正常: { opening: 365_000, decrease: 86_000, repaid: 75_000, writtenOff: 8_000, unreported: 3_000, remaining: 279_000, migrated: 85_000, toNpl: 0 },
    // 关注 at Y: A03 30,000 + A07 40,000 + A09 15,000 + A13 8,000 = 93,000.
    // Decrease: A03 30,000 written off (its P balance; it was 次级 at P but is written off at M: a decrease, not a
    //   migration) + A07 2,500 + A09 1,000 + A13 1,000 = 34,500; remaining 58,500; to NPL: A09 14,000 → 14,000 / 58,500.
    关注: { opening: 93_000, decrease: 34_500, repaid: 4_500, writtenOff: 30_000, unreported: 0, remaining: 58_500, migrated: 14_000, toNpl: 14_000 },
    // 次级 at Y: A04 20,000 + A08 25,000 + A16 9,000 = 54,000; decrease 999.50 + 1,000 + 500 = 2,499.50;
    // remaining 51,500.50 (A04 19,000.50 正常: improved; A08 24,000 可疑; A16 8,500); migrated A08 24,000 → 24,000 / 51,500.50.
    次级: { opening: 54_000, decrease: 2_499.5, repaid: 2_499.5, writtenOff: 0, unreported: 0, remaining: 51_500.5, migrated: 24_000, toNpl: 32_500 },
    // 可疑 at Y: A06 10,000.25 + A11 5,000 + A17 7,000 = 22,000.25; decrease A11 1,000; remaining 21,000.25;
    // migrated (损失): A06 10,000.25 + A17 7,000 = 17,000.25 → 17,000.25 / 21,000.25.
    可疑: { opening: 22_000.25, decrease: 1_000, repaid: 1_000, writtenOff: 0, unreported: 0, remaining: 21_000.25, migrated: 17_000.25, toNpl: 21_000.25 },
  },
  month: {
    // 正常 at P: A01 90,000 + A02 40,000 + A04 20,000 + A05 60,000 + A12 195,000 + A13 8,000 + A14 3,000 = 416,000.
    // Decrease: A01 5,000 + A02 40,000 (settled) + A04 999.50 + A05 1,000 + A12 1,000 + A13 1,000 + A14 3,000 (unreported)
    //   = 51,999.50; remaining 364,000.50; migrated: A01 85,000 (关注) + A05 59,000 (次级) = 144,000 → 144,000 / 364,000.50.
    正常: { opening: 416_000, decrease: 51_999.5, repaid: 48_999.5, writtenOff: 0, unreported: 3_000, remaining: 364_000.5, migrated: 144_000, toNpl: 59_000 },
    // 关注 at P: A07 38,000 + A09 15,000 = 53,000; decrease 500 + 1,000 = 1,500; remaining 51,500; to NPL A09 14,000.
    关注: { opening: 53_000, decrease: 1_500, repaid: 1_500, writtenOff: 0, unreported: 0, remaining: 51_500, migrated: 14_000, toNpl: 14_000 },
    // 次级 at P: A03 30,000 (written off in M) + A15 16,000 + A16 9,000 = 55,000; decrease 30,000 + 0 + 500 = 30,500;
    // remaining 24,500; migrated (可疑/损失): A15 16,000 → 16,000 / 24,500.
    次级: { opening: 55_000, decrease: 30_500, repaid: 500, writtenOff: 30_000, unreported: 0, remaining: 24_500, migrated: 16_000, toNpl: 24_500 },
    // 可疑 at P: A08 24,000 + A11 5,000 + A17 7,000 = 36,000; decrease A11 1,000; remaining 35,000 (A11 4,000 次级: improved);
    // migrated (损失): A17 7,000 → 7,000 / 35,000 = 0.2.
    可疑: { opening: 36_000, decrease: 1_000, repaid: 1_000, writtenOff: 0, unreported: 0, remaining: 35_000, migrated: 7_000, toNpl: 35_000 },
  },
} as const;

/**
 * The ten KPIs at M: [numerator, denominator, value], whole book and branch BJ01 (A01, A02, A05, A07, A09, A11,
 * A13, A15, A17 are BJ01).
 */
export const MIGRATION_KPI_EXPECTED = {
  // ytd 正常: 85,000 / 279,000. BJ01: 正常 at Y A01 100,000 + A02 50,000 = 150,000, decrease 15,000 + 50,000, remaining 85,000, migrated 85,000 → 1.
  migration_rate_normal: { all: [85_000, 279_000, 85_000 / 279_000], BJ01: [85_000, 85_000, 1] },
  // ytd 关注: 14,000 / 58,500. BJ01: A07 40,000 + A09 15,000 + A13 8,000 = 63,000, decrease 4,500, remaining 58,500, A09 14,000.
  migration_rate_special_mention: { all: [14_000, 58_500, 14_000 / 58_500], BJ01: [14_000, 58_500, 14_000 / 58_500] },
  // ytd 次级: 24,000 / 51,500.50. BJ01: no 次级 loan at Y → denominator 0 (no value).
  migration_rate_substandard: { all: [24_000, 51_500.5, 24_000 / 51_500.5] },
  // ytd 可疑: 17,000.25 / 21,000.25. BJ01: A11 5,000 + A17 7,000 = 12,000, decrease 1,000, remaining 11,000, A17 7,000.
  migration_rate_doubtful: { all: [17_000.25, 21_000.25, 17_000.25 / 21_000.25], BJ01: [7_000, 11_000, 7_000 / 11_000] },
  // ytd (正常 + 关注) → NPL: (0 + 14,000) / (279,000 + 58,500) = 14,000 / 337,500. BJ01: 14,000 / (85,000 + 58,500).
  migration_rate_normal_loans: { all: [14_000, 337_500, 14_000 / 337_500], BJ01: [14_000, 143_500, 14_000 / 143_500] },
  // month 正常: 144,000 / 364,000.50. BJ01: A01 90,000 + A02 40,000 + A05 60,000 + A13 8,000 = 198,000, decrease
  //   5,000 + 40,000 + 1,000 + 1,000 = 47,000, remaining 151,000, migrated A01 85,000 + A05 59,000 = 144,000.
  migration_rate_normal_mom: { all: [144_000, 364_000.5, 144_000 / 364_000.5], BJ01: [144_000, 151_000, 144_000 / 151_000] },
  // month 关注: 14,000 / 51,500 (all 关注 loans at P are BJ01).
  migration_rate_special_mention_mom: { all: [14_000, 51_500, 14_000 / 51_500], BJ01: [14_000, 51_500, 14_000 / 51_500] },
  // month 次级: 16,000 / 24,500. BJ01: A15 16,000 → 16,000 / 16,000.
  migration_rate_substandard_mom: { all: [16_000, 24_500, 16_000 / 24_500], BJ01: [16_000, 16_000, 1] },
  // month 可疑: 7,000 / 35,000. BJ01: A11 5,000 + A17 7,000, decrease 1,000 → 7,000 / 11,000.
  migration_rate_doubtful_mom: { all: [7_000, 35_000, 0.2], BJ01: [7_000, 11_000, 7_000 / 11_000] },
  // month (正常 + 关注) → NPL: (59,000 + 14,000) / (364,000.50 + 51,500) = 73,000 / 415,500.50.
  // BJ01: (59,000 + 14,000) / (151,000 + 51,500) = 73,000 / 202,500.
  migration_rate_normal_loans_mom: { all: [73_000, 415_500.5, 73_000 / 415_500.5], BJ01: [73_000, 202_500, 73_000 / 202_500] },
} as const satisfies Record<string, Record<string, readonly [number, number, number]>>;

const customer = (id: string, branch: string): ExtractRow => ({
  customer_id: id,
  customer_type: 'individual',
  name: `测试客户${id}`,
  id_number: `ID${id}X`,
  branch_id: branch,
  onboarded_on: '2020-01-01',
  grade: 'A',
  graded_on: '2025-01-01',
});

const loanRow = (id: string, branch: string, product: string, disbursed: string): ExtractRow => ({
  loan_id: id,
  customer_id: `C${id}`,
  branch_id: branch,
  product_id: product,
  principal: '300000.00',
  currency: 'CNY',
  annual_rate: '0.0500',
  term_months: '60',
  repayment_method: 'equal_instalment',
  guarantee_type: 'credit',
  disbursed_on: disbursed,
  maturity_on: `${Number(disbursed.slice(0, 4)) + 5}${disbursed.slice(4)}`,
  restructured: 'false',
});

const DPD: Readonly<Record<string, number>> = { 正常: 0, 关注: 40, 次级: 120, 可疑: 200, 损失: 400 };

const balanceRow = (date: string, id: string, s: Exclude<State, null>): ExtractRow => {
  const [out, cls, status] = s === 'settled' ? [0, '正常', 'settled'] : s === 'written_off' ? [0, '损失', 'written_off'] : [s[0], s[1], 'active'];
  return {
    as_of_date: date,
    loan_id: id,
    outstanding_principal: out.toFixed(2),
    overdue_principal: '0.00',
    overdue_interest: '0.00',
    days_past_due: String(DPD[cls]),
    recorded_class: cls,
    provision_amount: '0.00',
    status,
  };
};

/**
 * Writes the fixture (one folder per business date, every entity; loans and their borrowers delivered
 * on the first date the loan has a snapshot) and returns its folder.
 *
 * @example
 * await loadExtracts(wh, writeMigrationFixture());
 */
export function writeMigrationFixture(dir = mkdtempSync(join(tmpdir(), 'cq-mig-')), opts: { eur?: boolean } = {}): string {
  const loans = opts.eur ? [...LOANS, EUR_LOAN] : LOANS;
  MIGRATION_FIXTURE_DATES.forEach((date, i) => {
    const rows: Record<string, ExtractRow[]> = { customers: [], loans: [], loan_balances: [] };
    if (opts.eur) rows.fx_rates = [{ as_of_date: date, currency: 'EUR', cny_per_unit: EUR_RATES[i]! }];
    for (const [id, branch, product, disbursed, ...states] of loans) {
      const s = states[i]!;
      const first = states.findIndex((x) => x !== null);
      if (first === i) {
        rows.customers!.push(customer(`C${id}`, branch));
        rows.loans!.push({ ...loanRow(id, branch, product, disbursed), ...(id === EUR_LOAN[0] ? { currency: 'EUR' } : {}) });
      }
      if (s !== null) rows.loan_balances!.push(balanceRow(date, id, s));
    }
    const dateDir = join(dir, date);
    mkdirSync(dateDir, { recursive: true });
    for (const e of ENTITIES) {
      if ((e as EntityContract).optional && !rows[e.name]) continue; // optional (fx_rates: delivered only with the EUR loan; credit_file_updates: never)
      const lines = e.name === 'branches' ? BRANCH_ROWS : e.name === 'products' ? PRODUCT_ROWS : (rows[e.name] ?? []);
      writeExtractCsv(join(dateDir, `${e.name}.csv`), e.name, lines);
    }
  });
  return dir;
}
