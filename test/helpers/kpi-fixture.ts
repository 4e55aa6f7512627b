import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENTITIES, type EntityContract } from '../../transforms/ingest/contract/index.js';
import { writeExtractCsv, type ExtractRow } from './extract-rows.js';
import { BRANCH_ROWS, PRODUCT_ROWS } from './reference-rows.js';

/**
 * A hand-built extract for the KPI engine: 4 business dates, 11 customers, 15 loans, a few
 * dozen rows, loaded through the real loader. Every KPI value the tests expect is worked out
 * by hand below (see {@link KPI_EXPECTED}); the main check month is M = 2026-10-31.
 *
 * Business dates (one folder each; the reporting months are the months that hold one):
 *   D0 2025-09-30   D1 2025-10-31   D2 2026-09-30 (= M−1)   D3 2026-10-31 (= M)
 * 2025-10 is "the same month a year earlier" (prior-year targets) and the score month of the
 * 12-month model validation evaluated at M.
 *
 * Customers (branch, type, onboarded, recorded grade; versions):
 *   C01 BJ01 individual     2020-01-15 A
 *   C02 BJ01 individual     2021-03-01 B → C on 2026-10-20 (version in D3)
 *   C03 SH01 small_business 2019-05-20 C
 *   C04 SH01 individual     2022-07-01 A
 *   C05 BJ01 small_business 2023-02-01 B
 *   C06 SH01 individual     2024-01-10 (not graded)
 *   C07 BJ01 individual     2024-06-01 A, relationship closed 2026-10-15 (version in D3) → churn in M
 *   C08 SH01 individual     2026-10-05 A (first delivered in D3: new in M)
 *   C09 SH01 individual     2023-01-01 B, closed 2025-10-20 (version in D1) → churn in 2025-10
 *   C10 BJ01 individual     2025-01-01 A, closed 2026-09-10 (version in D2)
 *
 * Loans at M−1 (2026-09-30) and M (2026-10-31): outstanding (thousand CNY), dpd, recorded class,
 * provision (thousand); booking branch = the borrower's branch.
 *
 *   loan cust product             M−1                        M                          floor at M
 *   L01  C01  mortgage            505  0   正常 5.05         500  0   正常 5              正常
 *   L02  C02  consumer_instalment  42  15  关注 2.1           40  45  关注 2              关注
 *   L03  C03  business            300  90  关注 30           300  120 次级 90   (new NPL)  次级
 *   L04  C04  car                  62  61  关注 3.1           60  91  关注 6    (under)    次级  ← 91 dpd
 *   L05  C05  working_capital     200  270 次级 100          200  300 可疑 150             可疑
 *   L06  C06  consumer_instalment  31  0   关注 1.55          30  0   关注 1.5  (under)    次级  ← restructured 2025-11-01, in observation
 *   L07  C03  business            100  0   次级 25           100  0   正常 1    (cured)    正常  ← restructured 2025-10-31, observation ended
 *   L08  C07  car                  10  0   正常 0.1          settled (0)
 *   L09  C02  consumer_instalment  20  370 损失 20           written off (0), dpd 400, 损失
 *   L10  C08  mortgage            —                          800  0   正常 8   (disbursed 2026-10-10)
 *   L11  C05  business            150  331 可疑 75           150  361 损失 150              损失  ← 361 dpd
 *   L12  C05  car                  20  240 关注 2             20  271 次级 10   (new NPL, under) 可疑 ← 271 dpd
 *   L13  C06  consumer_instalment  10  330 可疑 5             10  360 可疑 8                可疑  ← 360 dpd
 *   L14  C06  car                  25  239 关注 2.5           25  270 次级 12.5 (new NPL)  次级  ← 270 dpd
 *   L15  C10  car                 only 2025-09 (dpd 90 关注) and 2025-10 (dpd 120 次级)
 *
 * Warnings (raised in M unless noted; lag = raised date − signal date):
 *   W01 C03 L03  signal 10-01 raised 10-03 (lag 2, timely)
 *   W02 C04 —    signal 10-05 raised 10-09 (lag 4, late)
 *   W03 C01 —    signal 10-10 raised 10-13 (lag 3, timely: the boundary)
 *   W04 C05 L11  signal 10-20 raised 10-20 (lag 0, timely)
 *   W05 C03 —    signal 09-20 raised 10-01 (lag 11, late; 30 days before M: covers L03)
 *   W06 C03 L03  raised 2026-08-20 (D2; closed in a D3 version) — 72 days before M
 *   W07 C05 L12  raised 2026-09-01 (D2) — 60 days before M
 *   W08 C06 —    signal 10-08 raised 10-10 (lag 2, timely) — 21 days before M
 *   W09 C06 —    raised 2025-09-15 (D0) — 411 days before M: outside the 365-day look-back
 *
 * Credit-file updates (policy/credit-file-cycles.yaml: individual credit report 12, KYC 12 months;
 * small business financial statements 3, credit report 6, collateral 12, site visit 3, KYC 12).
 * Due = update + cycle months (last day of the month when shorter); current at a month end ≤ due.
 * Population: active at the month end with an on-book loan — M: C01 C02 C04 C06 C08 (individual),
 * C03 C05 (small business); M−1: C01..C07 (C08 not yet onboarded).
 *   element (cycle)  update [delivered]        due          at M−1 (09-30)     at M (10-31)
 *   C01 credit (12)  2025-10-31 [D1]           2026-10-31   current            current (due = M)
 *   C01 kyc (12)     2026-03-01 [D2]           2027-03-01   current            current (2025-12-01 [D3] is older: ignored)
 *   C02 credit (12)  2025-10-30 [D1]           2026-10-30   current            overdue 1 day
 *   C02 kyc (12)     2026-01-15 [D2]           2027-01-15   current            current
 *   C04 credit (12)  2026-05-01 [D2]           2027-05-01   current            current
 *   C04 kyc          never                                  missing            missing
 *   C06 credit (12)  2026-02-01 [D2]           2027-02-01   current            current
 *   C06 kyc (12)     2025-11-01 [D2]           2026-11-01   current            current
 *   C07 credit (12)  2025-09-15 [D0]           2026-09-15   overdue 15 days    (closed: not in M)
 *   C07 kyc          never                                  missing
 *   C08 credit, kyc  2026-10-05 [D3]           2027-10-05   (not yet a customer) current
 *   C03 fin. st. (3) 2026-07-31 [D2]           2026-10-31   current            current (due = M)
 *   C03 credit (6)   2026-03-31 [D2]           2026-09-30   current (clamped)  overdue 31 days
 *   C03 collat. (12) 2026-01-10 [D2]           2027-01-10   current            current
 *   C03 visit (3)    2026-07-30 [D2]           2026-10-30   current            overdue 1 day
 *   C03 kyc (12)     2026-02-02 [D2]           2027-02-02   current            current
 *   C05 fin. st. (3) 2026-06-30 [D2]           2026-09-30   current (due = M−1)
 *                    2026-09-25 [D3]           2026-12-25                      current
 *   C05 credit (6)   2026-03-29 [D2]           2026-09-29   overdue 1 day
 *                    2026-10-12 [D3]           2027-04-12                      current
 *   C05 collat. (12) 2025-10-31 [D2]           2026-10-31   current            current (due = M)
 *   C05 visit (3)    2026-07-15 [D2]           2026-10-15   current            overdue 16 days
 *   C05 kyc (12)     2026-04-10 [D2]           2027-04-10   current            current
 */
export const KPI_FIXTURE_DATES = ['2025-09-30', '2025-10-31', '2026-09-30', '2026-10-31'] as const;

/** The main check month. */
export const M = '2026-10-31';

/**
 * Expected KPI values at M (2026-10-31), worked out by hand from the tables above.
 * `all` = whole book; `BJ01` / `SH01` = the branch slice. Balances in thousand CNY.
 */
export const KPI_EXPECTED = {
  // On book at M: L01 500, L02 40, L03 300, L04 60, L05 200, L06 30, L07 100, L10 800, L11 150,
  // L12 20, L13 10, L14 25 = 2,235 (L08 settled, L09 written off: off book).
  //   BJ01: L01 500 + L02 40 + L05 200 + L11 150 + L12 20 = 910;  SH01: 2,235 − 910 = 1,325.
  // NPL (recorded 次级/可疑/损失): L03 300, L05 200, L11 150, L12 20, L13 10, L14 25 = 705
  //   BJ01: L05 + L11 + L12 = 370;  SH01: L03 + L13 + L14 = 335.
  npl_ratio: { all: [705_000, 2_235_000, 705 / 2235], BJ01: [370_000, 910_000, 370 / 910] }, // 0.3154, 0.4066
  // NPL loans 6 of 12 on book; BJ01 3 (L05, L11, L12) of 5.
  npl_ratio_count: { all: [6, 12, 0.5], BJ01: [3, 5, 0.6] },
  // dpd > 0 on book: L02 40, L03 300, L04 60, L05 200, L11 150, L12 20, L13 10, L14 25 = 805; BJ01: 40+200+150+20 = 410.
  overdue_ratio: { all: [805_000, 2_235_000, 805 / 2235], BJ01: [410_000, 910_000, 410 / 910] }, // 0.3602, 0.4505
  // dpd > 90: L03 300, L04 60, L05 200, L11 150, L12 20, L13 10, L14 25 = 765 (L02 at 45 is not); BJ01: 200+150+20 = 370.
  overdue_90_ratio: { all: [765_000, 2_235_000, 765 / 2235], BJ01: [370_000, 910_000, 370 / 910] }, // 0.3423, 0.4066
  // 90+ balance ÷ NPL balance: 765 / 705; BJ01 370 / 370.
  loan_classification_deviation: { all: [765_000, 705_000, 765 / 705], BJ01: [370_000, 370_000, 1] }, // 1.0851, 1
  // Recorded milder than floor: L04 (关注 < 次级, 91 dpd) 60, L06 (关注 < 次级, restructured) 30,
  // L12 (次级 < 可疑, 271 dpd) 20 = 110; BJ01: L12 20.
  under_classified_share: { all: [110_000, 2_235_000, 110 / 2235], BJ01: [20_000, 910_000, 20 / 910] }, // 0.0492, 0.0220
  // Provisions on book: 5+2+90+6+150+1.5+1+8+150+10+8+12.5 = 444; BJ01: 5+2+150+150+10 = 317.
  provision_coverage: { all: [444_000, 705_000, 444 / 705], BJ01: [317_000, 370_000, 317 / 370] }, // 0.6298, 0.8568
  loan_provision_ratio: { all: [444_000, 2_235_000, 444 / 2235], BJ01: [317_000, 910_000, 317 / 910] }, // 0.1987, 0.3484
  // Active at the month end and graded: C01 A, C02 C, C03 C, C04 A, C05 B, C08 A (C06 not graded; C07 closed).
  // Rule grades: C01 A (L01 clean, PD 0.01 scored 2026-09-30); C02 C (L09 written off in M);
  // C03 C (L03 次级); C04 C (L04 91 dpd, although only 关注); C05 C (L05 可疑); C08 B (PD 0.06 ≥ 0.05).
  // Misgraded: C04, C05, C08 → 3 of 6; BJ01 (C01, C02, C05): 1 of 3.
  classification_error_rate: { all: [3, 6, 0.5], BJ01: [1, 3, 1 / 3] },
  // Active at the month end: C01..C06, C08 = 7; recorded C: C02 (since 2026-10-20), C03 → 2/7.
  // BJ01: C01, C02, C05 → C02 → 1/3.
  high_risk_share: { all: [2, 7, 2 / 7], BJ01: [1, 3, 1 / 3] }, // 0.2857, 0.3333
  // Active at the start of M: C01..C07 = 7; closed in M: C07 → 1/7. BJ01: C01, C02, C05, C07 → 1/4.
  // Target = 2025-10 value − 3 points: 2025-10 active at start C01..C07, C09, C10 = 9, churned C09 → 1/9;
  // target 1/9 − 0.03 = 0.0811. BJ01 2025-10: C01, C02, C05, C07, C10 = 5, none churned → target −0.03.
  churn_rate: { all: [1, 7, 1 / 7], BJ01: [1, 4, 0.25] },
  // Raised in M: W01, W02, W03, W04, W05, W08 = 6; within 3 days: W01 (2), W03 (3), W04 (0), W08 (2) = 4.
  // BJ01 (customer's branch): W03 (C01), W04 (C05) → 2 of 2.
  warning_timeliness: { all: [4, 6, 4 / 6], BJ01: [2, 2, 1] }, // 0.6667, 1
  // New NPLs in M: L03, L12, L14 (NPL now, 关注 at M−1). Warning ≥ 30 days before M (within 365 days):
  // L03: W06 (72 d, loan-specific), W05 (30 d, customer-level) → yes; L12: W07 (60 d) → yes;
  // L14: W08 only 21 d (W09 is 411 d, outside the look-back) → no. → 2 of 3. BJ01: L12 → 1 of 1.
  warning_coverage: { all: [2, 3, 2 / 3], BJ01: [1, 1, 1] },
  // Lead days from the earliest warning: L03 72 (W06), L12 60 (W07), L14 21 (W08) → median 60;
  // BJ01: L12 → 60; SH01: median(72, 21) = 46.5. Numerator NULL, denominator = n.
  warning_lead_time_median: { all: [null, 3, 60], BJ01: [null, 1, 60], SH01: [null, 2, 46.5] },
  // Audits first delivered in October: V01 correct, V03 incorrect, V06 correct (V06 submitted in
  // September, audit outcome re-sent in D3) → 2 of 3. BJ01: V01 (C01), V06 (C05) → 2 of 2.
  verification_accuracy: { all: [2, 3, 2 / 3], BJ01: [2, 2, 1] },
  // Submitted in M: V01 6 h, V02 24 h (boundary: within), V03 25 h, V04 pending, V05 2.5 h → 3 of 5.
  // BJ01: V01 (C01), V02 (C02) → 2 of 2; SH01: V03, V04, V05 → 1 of 3.
  verification_within_24h: { all: [3, 5, 0.6], BJ01: [2, 2, 1], SH01: [1, 3, 1 / 3] },
  // Completed checks submitted in M: 2.5, 6, 24, 25 → median 15; BJ01: 6, 24 → 15; SH01: 2.5, 25 → 13.75.
  verification_hours_median: { all: [null, 4, 15], BJ01: [null, 2, 15], SH01: [null, 2, 13.75] },
  // Scores of 2025-10-15, evaluated at M (default = 次级+, > 90 dpd or written off at 2026-09 / 2026-10):
  //   C01 0.02 pred no  → no default (L01)            correct
  //   C02 0.30 pred yes → L09 损失 at M−1             correct
  //   C03 0.10 pred no  → L07 次级 at M−1, L03 at M   wrong
  //   C04 0.25 pred yes → L04 91 dpd at M             correct
  //   C05 0.10 pred no  → L05 次级 at M−1             wrong
  //   C06 0.40 pred yes → L13 可疑 at M−1             correct
  //   C07 0.10 pred no  → no default (L08)            correct
  //   C10 0.15 pred yes → already in default at 2025-10 (L15 次级): not evaluable
  // → 5 of 7. BJ01 (C01, C02, C05, C07): 3 of 4.
  model_accuracy: { all: [5, 7, 5 / 7], BJ01: [3, 4, 0.75] }, // 0.7143
  // Defaulters (pos) PD: 0.30, 0.10, 0.25, 0.10, 0.40; non-defaulters (neg): 0.02, 0.10.
  // U = 0.30:2 + 0.10:(1 + ½ tie) + 0.25:2 + 0.10:1.5 + 0.40:2 = 9; pairs 5 × 2 = 10 → AUC 0.9.
  // BJ01: pos 0.30, 0.10; neg 0.02, 0.10 → U = 2 + 1.5 = 3.5 of 4 → 0.875.
  model_auc: { all: [9, 10, 0.9], BJ01: [3.5, 4, 0.875] },
  // Cumulative by PD bin (pos / 5, neg / 2): 0.02 → 0, .5 (.5); 0.10 → .4, 1 (.6); 0.25 → .6, 1 (.4)…
  // → KS 0.6. BJ01: 0.02 → 0, .5; 0.10 → .5, 1; 0.30 → 1, 1 → 0.5. Denominator = number of scores.
  model_ks: { all: [null, 7, 0.6], BJ01: [null, 4, 0.5] },
  // Calibration (whole book only), the same 7 evaluable scores cut into deciles: 7 scores → 7 groups of one, each
  // gap |PD − defaulted| (numerator Σ gaps, denominator scores): C01 |0.02 − 0| = 0.02, C03 |0.10 − 1| = 0.90,
  // C05 |0.10 − 1| = 0.90, C07 |0.10 − 0| = 0.10, C04 |0.25 − 1| = 0.75, C02 |0.30 − 1| = 0.70, C06 |0.40 − 1| = 0.60
  // → 3.97 ÷ 7 = 0.5671 (too_few: 7 < 300 scores; the value is kept).
  model_calibration_error: { all: [3.97, 7, 3.97 / 7] },
  // PSI (whole book only): pd-2.3's reference month is its first, 2025-10: 8 scores 0.02, 0.10 ×3, 0.15, 0.25, 0.30, 0.40
  // (C10 counts: stability looks at every score, not only the evaluable ones). Edges = the PDs at positions
  // ceil(k × 8 ÷ 10), k = 1 … 9 → 1, 2, 3, 4, 4, 5, 6, 7, 8 → 0.02, 0.10, 0.10, 0.10, 0.10, 0.15, 0.25, 0.30, 0.40;
  // distinct: 0.02, 0.10, 0.15, 0.25, 0.30, 0.40 → 7 bins; reference shares e = 1/8, 3/8, 1/8, 1/8, 1/8, 1/8, 0.
  // M: one score (C08 0.06) → bin 2: a = 0, 1, 0, 0, 0, 0, 0. Shares floored at 0.0001:
  //   bins 1, 3–6: (0.0001 − 0.125) × ln(0.0001 ÷ 0.125) = −0.1249 × −7.130899 = 0.890649, × 5 = 4.453246
  //   bin 2: (1 − 0.375) × ln(1 ÷ 0.375) = 0.625 × 0.980829 = 0.613018;  bin 7: both 0 → floored equal → 0
  // → PSI 5.066265 (too_few: 1 < 400 scores). No numerator; denominator = the month's scores.
  model_psi: { all: [null, 1, 5.066264602652398] },
  // Surveys in M: C01 90, C02 80, C03 60, C08 70 → 300 / 4 = 75; BJ01: 90 + 80 → 85.
  // Target = 2025-10 mean + 5: 2025-10 surveys C01 82, C03 65 → 73.5 → 78.5; BJ01: 82 → 87.
  satisfaction_index: { all: [300, 4, 75], BJ01: [170, 2, 85] },
  // Loan migration rates (贷款迁徙率; the arithmetic of the decrease and its components: test/helpers/migration-fixture.ts).
  // Year to date: the period starts at 2025-12-31, which the fixture does not load → no_data (no_prior_month), with
  // numerator, denominator and value NULL ([null, null, null]).
  migration_rate_normal: { all: [null, null, null] },
  migration_rate_special_mention: { all: [null, null, null] },
  migration_rate_substandard: { all: [null, null, null] },
  migration_rate_doubtful: { all: [null, null, null] },
  migration_rate_normal_loans: { all: [null, null, null] },
  // Month on month (M−1 → M), cohorts by the class at M−1; remaining = opening − decrease (repaid, settled, written off):
  // 正常 L01 505 + L08 10 = 515; decrease L01 5 + L08 10 (settled) = 15; remaining 500 (L01 still 正常) → 0 / 500.
  //   BJ01: L01, L08 are both BJ01 → the same.
  migration_rate_normal_mom: { all: [0, 500_000, 0], BJ01: [0, 500_000, 0] },
  // 关注 L02 42 + L03 300 + L04 62 + L06 31 + L12 20 + L14 25 = 480; decrease L02 2 + L04 2 + L06 1 = 5; remaining 475;
  //   to NPL: L03 300 + L12 20 + L14 25 = 345 → 345 / 475. BJ01: L02 42 + L12 20, decrease 2, remaining 60, L12 20 → 20 / 60.
  migration_rate_special_mention_mom: { all: [345_000, 475_000, 345 / 475], BJ01: [20_000, 60_000, 1 / 3] }, // 0.7263
  // 次级 L05 200 + L07 100 = 300, no decrease; to 可疑/损失: L05 200 (L07 cured to 正常) → 200 / 300. BJ01: L05 → 1.
  migration_rate_substandard_mom: { all: [200_000, 300_000, 2 / 3], BJ01: [200_000, 200_000, 1] },
  // 可疑 L11 150 + L13 10 = 160, no decrease; to 损失: L11 150 → 150 / 160. BJ01: L11 → 1. (L09 was 损失: written off, no rate.)
  migration_rate_doubtful_mom: { all: [150_000, 160_000, 0.9375], BJ01: [150_000, 150_000, 1] },
  // (正常 + 关注) → NPL: (0 + 345) / (500 + 475) = 345 / 975; BJ01: (0 + 20) / (500 + 60) = 20 / 560.
  migration_rate_normal_loans_mom: { all: [345_000, 975_000, 345 / 975], BJ01: [20_000, 560_000, 20 / 560] }, // 0.3538, 0.0357
  // Credit files at M (table above): population C01 C02 C04 C06 C08 C03 C05 = 7; every required element
  // current: C01, C06, C08 (C02 credit 1 day overdue, C04 kyc missing, C03 credit and visit overdue,
  // C05 visit overdue) → 3/7. BJ01 (C01, C02, C05): C01 → 1/3.
  credit_file_current_share: { all: [3, 7, 3 / 7], BJ01: [1, 3, 1 / 3] }, // 0.4286
  // Every required element delivered at least once: all but C04 (kyc never) → 6/7; BJ01: 3/3.
  credit_file_complete_share: { all: [6, 7, 6 / 7], BJ01: [3, 3, 1] }, // 0.8571
} as const satisfies Record<string, Record<string, readonly [number | null, number, number] | readonly [null, null, null]>>;

/** Expected targets and RAG at M for a few KPIs whose target is not a constant or is interesting. */
export const KPI_EXPECTED_RAG = {
  // 1/7 = 0.1429 vs target 0.0811 (+0.005 tolerance) → red.
  // BJ01: 0 churned of BJ01's actives a year earlier → 0 − 3 points = −0.03, clamped to 0 (a rate never targets below 0 %) → red.
  churn_rate: { all: { target: 1 / 9 - 0.03, rag: 'red' }, BJ01: { target: 0, rag: 'red' }, SH01: { target: 0.25 - 0.03, rag: 'green' } },
  // 4 responses at M (2 in BJ01) < the minimum 20 → too_few: no colour; and the 2025-10 baseline (2 responses) is
  // too_few too, so no derived target (a target is never built on a month too small to show).
  satisfaction_index: { all: { target: null, rag: 'none' }, BJ01: { target: null, rag: 'none' } },
  // 0.5 ≥ 0.05 + 0.02 → red
  classification_error_rate: { all: { target: 0.05, rag: 'red' } },
  // 0.9 ≥ 0.75, but 7 scores < the minimum 30 → too_few: no colour (the value 0.9 is kept).
  model_auc: { all: { target: 0.75, rag: 'none' } },
  // BJ01 1.0 ≤ 1.0 → green; whole 1.0851 within 0.1 above → amber
  loan_classification_deviation: { all: { target: 1, rag: 'amber' }, BJ01: { target: 1, rag: 'green' } },
  // no target → none
  verification_hours_median: { all: { target: null, rag: 'none' } },
} as const;

/** Rows of one business date: entity name → rows by column name (columns not given are empty). */
type Rows = Record<string, ExtractRow[]>;

/** A customers row (name and id number made up from the id; industry F for a small business). */
const cust = (id: string, type: string, branch: string, onb: string, grade: string, gradedOn: string, closed = ''): ExtractRow => ({
  customer_id: id,
  customer_type: type,
  name: `测试客户${id}`,
  id_number: `ID${id}X`,
  branch_id: branch,
  industry: type === 'small_business' ? 'F' : '',
  onboarded_on: onb,
  grade,
  graded_on: gradedOn,
  relationship_closed_on: closed,
});

/** A loans row: CNY, 5 %, 36 months, equal instalments, unsecured; restructured when `restructuredOn` is given. */
const loan = (id: string, c: string, b: string, p: string, principal: string, disb: string, mat: string, restructuredOn = ''): ExtractRow => ({
  loan_id: id,
  customer_id: c,
  branch_id: b,
  product_id: p,
  principal,
  currency: 'CNY',
  annual_rate: '0.0500',
  term_months: '36',
  repayment_method: 'equal_instalment',
  guarantee_type: 'credit',
  disbursed_on: disb,
  maturity_on: mat,
  restructured: restructuredOn ? 'true' : 'false',
  restructured_on: restructuredOn,
});

/** A loan_balances row (amounts in CNY, no overdue interest). */
const bal = (d: string, id: string, out: number, overdue: number, dpd: number, cls: string, prov: number, status = 'active'): ExtractRow => ({
  as_of_date: d,
  loan_id: id,
  outstanding_principal: out.toFixed(2),
  overdue_principal: overdue.toFixed(2),
  overdue_interest: '0.00',
  days_past_due: String(dpd),
  recorded_class: cls,
  provision_amount: prov.toFixed(2),
  status,
});

/** A repayment_schedule row. */
const due = (loanId: string, no: number, dueOn: string, principal: string, interest: string): ExtractRow => ({
  loan_id: loanId,
  instalment_no: String(no),
  due_on: dueOn,
  principal_due: principal,
  interest_due: interest,
});

/** A repayments row. */
const paid = (id: string, loanId: string, no: number, paidOn: string, principal: string, interest: string): ExtractRow => ({
  repayment_id: id,
  loan_id: loanId,
  instalment_no: String(no),
  paid_on: paidOn,
  principal_paid: principal,
  interest_paid: interest,
});

/** A warnings row (`loanId` '' = a customer-level warning; `closedAt` '' = still open). */
const warn = (id: string, c: string, loanId: string, type: string, signalOn: string, raisedAt: string, severity: string, closedAt = ''): ExtractRow => ({
  warning_id: id,
  customer_id: c,
  loan_id: loanId,
  signal_type: type,
  signal_on: signalOn,
  raised_at: raisedAt,
  severity,
  closed_at: closedAt,
});

/** A risk_scores row of model pd-2.3. */
const score = (c: string, on: string, pd: string, predicted: boolean): ExtractRow => ({
  customer_id: c,
  scored_on: on,
  model_version: 'pd-2.3',
  pd,
  predicted_default: String(predicted),
});

/** A verifications row (`verifiedAt` '' = not yet verified; `outcome` '' = no audit outcome). */
const verif = (id: string, c: string, submittedAt: string, verifiedAt: string, result: string, outcome = ''): ExtractRow => ({
  verification_id: id,
  customer_id: c,
  submitted_at: submittedAt,
  verified_at: verifiedAt,
  result,
  audit_outcome: outcome,
});

/** A surveys row. */
const survey = (id: string, c: string, on: string, channel: string, sc: number): ExtractRow => ({
  survey_id: id,
  customer_id: c,
  surveyed_on: on,
  channel,
  score: String(sc),
});

/** A credit_file_updates row. */
const cfu = (c: string, element: string, on: string): ExtractRow => ({ customer_id: c, file_element: element, updated_on: on });

/** The rows of each business date (versioned entities carry only new or changed records). */
export function kpiFixtureRows(): Record<(typeof KPI_FIXTURE_DATES)[number], Rows> {
  const D0 = '2025-09-30';
  const D1 = '2025-10-31';
  const D2 = '2026-09-30';
  const D3 = '2026-10-31';
  return {
    [D0]: {
      customers: [
        cust('C01', 'individual', 'BJ01', '2020-01-15', 'A', '2025-01-01'),
        cust('C02', 'individual', 'BJ01', '2021-03-01', 'B', '2025-01-01'),
        cust('C03', 'small_business', 'SH01', '2019-05-20', 'C', '2025-01-01'),
        cust('C04', 'individual', 'SH01', '2022-07-01', 'A', '2025-01-01'),
        cust('C05', 'small_business', 'BJ01', '2023-02-01', 'B', '2025-01-01'),
        cust('C06', 'individual', 'SH01', '2024-01-10', '', ''),
        cust('C07', 'individual', 'BJ01', '2024-06-01', 'A', '2025-01-01'),
        cust('C09', 'individual', 'SH01', '2023-01-01', 'B', '2025-01-01'),
        cust('C10', 'individual', 'BJ01', '2025-01-01', 'A', '2025-01-01'),
      ],
      loans: [
        loan('L01', 'C01', 'BJ01', 'mortgage', '600000.00', '2020-02-01', '2040-02-01'),
        loan('L02', 'C02', 'BJ01', 'consumer_instalment', '60000.00', '2024-05-01', '2027-05-01'),
        loan('L03', 'C03', 'SH01', 'business', '300000.00', '2024-03-01', '2027-03-01'),
        loan('L04', 'C04', 'SH01', 'car', '90000.00', '2024-01-15', '2027-01-15'),
        loan('L05', 'C05', 'BJ01', 'working_capital', '200000.00', '2025-06-01', '2027-06-01'),
        loan('L06', 'C06', 'SH01', 'consumer_instalment', '40000.00', '2024-02-01', '2027-02-01'),
        loan('L07', 'C03', 'SH01', 'business', '120000.00', '2024-08-01', '2027-08-01'),
        loan('L08', 'C07', 'BJ01', 'car', '30000.00', '2024-07-01', '2027-07-01'),
        loan('L09', 'C02', 'BJ01', 'consumer_instalment', '30000.00', '2024-01-01', '2026-01-01'),
        loan('L11', 'C05', 'BJ01', 'business', '150000.00', '2024-09-01', '2027-09-01'),
        loan('L12', 'C05', 'BJ01', 'car', '30000.00', '2024-10-01', '2027-10-01'),
        loan('L13', 'C06', 'SH01', 'consumer_instalment', '15000.00', '2024-09-01', '2026-09-01'),
        loan('L14', 'C06', 'SH01', 'car', '40000.00', '2024-11-01', '2027-11-01'),
        loan('L15', 'C10', 'BJ01', 'car', '50000.00', '2025-01-15', '2028-01-15'),
      ],
      loan_balances: [bal(D0, 'L15', 45000, 1500, 90, '关注', 2250)],
      repayment_schedule: [due('L01', 69, '2026-09-10', '5000.00', '1700.00'), due('L01', 70, '2026-10-10', '5000.00', '1680.00')],
      repayments: [],
      warnings: [warn('W09', 'C06', '', 'income_drop', '2025-09-10', '2025-09-15 10:00:00', 'low', '2025-09-30 10:00:00')],
      risk_scores: [],
      verifications: [],
      surveys: [],
      credit_file_updates: [cfu('C07', 'credit_report', '2025-09-15'), cfu('C06', 'kyc_documents', '2024-11-01')],
    },
    [D1]: {
      customers: [cust('C09', 'individual', 'SH01', '2023-01-01', 'B', '2025-01-01', '2025-10-20')],
      // L07 restructured on 2025-10-31: observation period [2025-10-31, 2026-10-31) — ends exactly at M.
      loans: [loan('L07', 'C03', 'SH01', 'business', '120000.00', '2024-08-01', '2027-08-01', '2025-10-31')],
      loan_balances: [bal(D1, 'L15', 44000, 3000, 120, '次级', 13200)],
      repayment_schedule: [],
      repayments: [],
      warnings: [],
      risk_scores: [
        score('C01', '2025-10-15', '0.020000', false),
        score('C02', '2025-10-15', '0.300000', true),
        score('C03', '2025-10-15', '0.100000', false),
        score('C04', '2025-10-15', '0.250000', true),
        score('C05', '2025-10-15', '0.100000', false),
        score('C06', '2025-10-15', '0.400000', true),
        score('C07', '2025-10-15', '0.100000', false),
        score('C10', '2025-10-15', '0.150000', true),
      ],
      verifications: [],
      surveys: [survey('S05', 'C01', '2025-10-12', 'app', 82), survey('S06', 'C03', '2025-10-20', 'branch', 65)],
      credit_file_updates: [cfu('C01', 'credit_report', '2025-10-31'), cfu('C02', 'credit_report', '2025-10-30')],
    },
    [D2]: {
      customers: [cust('C10', 'individual', 'BJ01', '2025-01-01', 'A', '2025-01-01', '2026-09-10')],
      // L06 restructured on 2025-11-01 (delivered late): observation until 2026-11-01, so still in it at M.
      loans: [loan('L06', 'C06', 'SH01', 'consumer_instalment', '40000.00', '2024-02-01', '2027-02-01', '2025-11-01')],
      loan_balances: [
        bal(D2, 'L01', 505000, 0, 0, '正常', 5050),
        bal(D2, 'L02', 42000, 1000, 15, '关注', 2100),
        bal(D2, 'L03', 300000, 25000, 90, '关注', 30000),
        bal(D2, 'L04', 62000, 4000, 61, '关注', 3100),
        bal(D2, 'L05', 200000, 40000, 270, '次级', 100000),
        bal(D2, 'L06', 31000, 0, 0, '关注', 1550),
        bal(D2, 'L07', 100000, 0, 0, '次级', 25000),
        bal(D2, 'L08', 10000, 0, 0, '正常', 100),
        bal(D2, 'L09', 20000, 20000, 370, '损失', 20000),
        bal(D2, 'L11', 150000, 50000, 331, '可疑', 75000),
        bal(D2, 'L12', 20000, 6000, 240, '关注', 2000),
        bal(D2, 'L13', 10000, 4000, 330, '可疑', 5000),
        bal(D2, 'L14', 25000, 8000, 239, '关注', 2500),
      ],
      repayment_schedule: [],
      repayments: [paid('R02', 'L01', 69, '2026-09-10', '5000.00', '1700.00')],
      warnings: [
        warn('W06', 'C03', 'L03', 'court_case', '2026-08-18', '2026-08-20 09:00:00', 'high'),
        warn('W07', 'C05', 'L12', 'overdue_other_bank', '2026-08-30', '2026-09-01 11:00:00', 'medium'),
      ],
      risk_scores: [score('C01', '2026-09-30', '0.010000', false)],
      verifications: [
        verif('V06', 'C05', '2026-09-10 09:00:00', '2026-09-10 17:00:00', 'pass'),
        verif('V07', 'C04', '2026-09-25 10:00:00', '', 'pending'),
      ],
      surveys: [],
      credit_file_updates: [
        cfu('C01', 'kyc_documents', '2026-03-01'),
        cfu('C02', 'kyc_documents', '2026-01-15'),
        cfu('C04', 'credit_report', '2026-05-01'),
        cfu('C06', 'credit_report', '2026-02-01'),
        cfu('C06', 'kyc_documents', '2025-11-01'),
        cfu('C03', 'financial_statements', '2026-07-31'),
        cfu('C03', 'credit_report', '2026-03-31'),
        cfu('C03', 'collateral_valuation', '2026-01-10'),
        cfu('C03', 'site_visit', '2026-07-30'),
        cfu('C03', 'kyc_documents', '2026-02-02'),
        cfu('C05', 'financial_statements', '2026-06-30'),
        cfu('C05', 'credit_report', '2026-03-29'),
        cfu('C05', 'collateral_valuation', '2025-10-31'),
        cfu('C05', 'site_visit', '2026-07-15'),
        cfu('C05', 'kyc_documents', '2026-04-10'),
      ],
    },
    [D3]: {
      customers: [
        cust('C02', 'individual', 'BJ01', '2021-03-01', 'C', '2026-10-20'),
        cust('C07', 'individual', 'BJ01', '2024-06-01', 'A', '2025-01-01', '2026-10-15'),
        cust('C08', 'individual', 'SH01', '2026-10-05', 'A', '2026-10-05'),
      ],
      loans: [loan('L10', 'C08', 'SH01', 'mortgage', '800000.00', '2026-10-10', '2046-10-10')],
      loan_balances: [
        bal(D3, 'L01', 500000, 0, 0, '正常', 5000),
        bal(D3, 'L02', 40000, 4000, 45, '关注', 2000),
        bal(D3, 'L03', 300000, 30000, 120, '次级', 90000),
        bal(D3, 'L04', 60000, 6000, 91, '关注', 6000),
        bal(D3, 'L05', 200000, 50000, 300, '可疑', 150000),
        bal(D3, 'L06', 30000, 0, 0, '关注', 1500),
        bal(D3, 'L07', 100000, 0, 0, '正常', 1000),
        bal(D3, 'L08', 0, 0, 0, '正常', 0, 'settled'),
        bal(D3, 'L09', 0, 0, 400, '损失', 0, 'written_off'),
        bal(D3, 'L10', 800000, 0, 0, '正常', 8000),
        bal(D3, 'L11', 150000, 60000, 361, '损失', 150000),
        bal(D3, 'L12', 20000, 8000, 271, '次级', 10000),
        bal(D3, 'L13', 10000, 5000, 360, '可疑', 8000),
        bal(D3, 'L14', 25000, 10000, 270, '次级', 12500),
      ],
      repayment_schedule: [],
      repayments: [paid('R01', 'L01', 70, '2026-10-10', '5000.00', '1680.00')],
      warnings: [
        warn('W01', 'C03', 'L03', 'court_case', '2026-10-01', '2026-10-03 09:00:00', 'high'),
        warn('W02', 'C04', '', 'income_drop', '2026-10-05', '2026-10-09 10:00:00', 'medium'),
        warn('W03', 'C01', '', 'credit_inquiries', '2026-10-10', '2026-10-13 16:00:00', 'low'),
        warn('W04', 'C05', 'L11', 'overdue_other_bank', '2026-10-20', '2026-10-20 08:30:00', 'high'),
        warn('W05', 'C03', '', 'tax_arrears', '2026-09-20', '2026-10-01 10:00:00', 'medium'),
        warn('W06', 'C03', 'L03', 'court_case', '2026-08-18', '2026-08-20 09:00:00', 'high', '2026-10-25 12:00:00'),
        warn('W08', 'C06', '', 'contact_lost', '2026-10-08', '2026-10-10 14:00:00', 'medium'),
      ],
      risk_scores: [score('C08', '2026-10-20', '0.060000', false)],
      verifications: [
        verif('V01', 'C01', '2026-10-02 09:00:00', '2026-10-02 15:00:00', 'pass', 'correct'),
        verif('V02', 'C02', '2026-10-05 10:00:00', '2026-10-06 10:00:00', 'pass'),
        verif('V03', 'C03', '2026-10-07 08:00:00', '2026-10-08 09:00:00', 'fail', 'incorrect'),
        verif('V04', 'C04', '2026-10-30 12:00:00', '', 'pending'),
        verif('V05', 'C08', '2026-10-06 09:00:00', '2026-10-06 11:30:00', 'pass'),
        verif('V06', 'C05', '2026-09-10 09:00:00', '2026-09-10 17:00:00', 'pass', 'correct'),
        verif('V07', 'C04', '2026-09-25 10:00:00', '2026-09-26 08:00:00', 'pass'),
      ],
      surveys: [survey('S01', 'C01', '2026-10-05', 'app', 90), survey('S02', 'C02', '2026-10-06', 'branch', 80), survey('S03', 'C03', '2026-10-07', 'phone', 60), survey('S04', 'C08', '2026-10-08', 'web', 70)],
      credit_file_updates: [
        cfu('C08', 'credit_report', '2026-10-05'),
        cfu('C08', 'kyc_documents', '2026-10-05'),
        cfu('C05', 'credit_report', '2026-10-12'),
        cfu('C05', 'financial_statements', '2026-09-25'), // dated in September, delivered in October: unknown at M−1
        cfu('C01', 'kyc_documents', '2025-12-01'), // older than the 2026-03-01 update already delivered: never replaces it
        cfu('C06', 'site_visit', '2026-10-20'), // not required of individuals: loaded, not tracked
      ],
    },
  };
}

/**
 * Writes the KPI fixture as an extract folder (`<dir>/<date>/<entity>.csv`, contract headers,
 * branch and product lists on every date; rows by column name, columns a row does not give
 * empty). `dates` limits which business dates are written; `edit` changes the rows first (a
 * variant of the book, e.g. without warnings).
 *
 * @example
 * const dir = writeKpiFixture();
 * await loadExtracts(wh, dir);
 * writeKpiFixture({ edit: (rows) => { for (const d of KPI_FIXTURE_DATES) rows[d].warnings = []; } }); // warnings delivered, 0 rows
 */
export function writeKpiFixture(
  opts: { dir?: string; dates?: readonly string[]; edit?: (rows: ReturnType<typeof kpiFixtureRows>) => void } = {},
): string {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'cq-kpi-'));
  const all = kpiFixtureRows();
  opts.edit?.(all);
  for (const date of opts.dates ?? KPI_FIXTURE_DATES) {
    const rows = all[date as (typeof KPI_FIXTURE_DATES)[number]];
    if (!rows) throw new Error(`no fixture rows for ${date}`);
    const dateDir = join(dir, date);
    mkdirSync(dateDir, { recursive: true });
    for (const e of ENTITIES) {
      // Optional entities without rows are not delivered (fx_rates: the fixture's loans are all in CNY;
      // credit_file_updates when a test deletes them: a lender that does not deliver the extract).
      if ((e as EntityContract).optional && rows[e.name] === undefined) continue;
      const lines = e.name === 'branches' ? BRANCH_ROWS : e.name === 'products' ? PRODUCT_ROWS : (rows[e.name] ?? []);
      writeExtractCsv(join(dateDir, `${e.name}.csv`), e.name, lines);
    }
  }
  return dir;
}
