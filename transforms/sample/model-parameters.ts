/**
 * The behavioural knobs of the sample book in one place: how many customers are new, how
 * often loans miss, roll, cure, restructure, get written off, how often customers churn,
 * get warned, scored, verified and surveyed. Product-level parameters live with the
 * products in reference-data.ts.
 *
 * @example
 * MODEL.churnRate; // 0.015 — 1.5% of customers try to leave each month
 */
export const MODEL = {
  /** Share of customers that are small businesses (the rest individuals). */
  smallBusinessShare: 0.15,
  /** True risk grade shares A / B / C (the rest). */
  gradeShares: { A: 0.4, B: 0.45 },
  /** Miss-rate multiplier per true grade A / B / C. */
  gradeMissMultiplier: [0.45, 1, 2.4],
  /** Share of customers whose recorded initial grade is drawn at random instead of the true grade. */
  gradeNoise: 0.06,
  /** Share of customers never graded. */
  ungradedShare: 0.02,
  /** Share of customers downgraded to C the month after one of their loans passes 90 days past due. */
  downgradeAfterDefault: 0.85,
  /** Share of new customers over the window is min(cap, perMonth × (months − 1)). */
  newCustomers: { perMonth: 0.0125, cap: 0.3 },
  /** Months before the first business date in which the existing book was disbursed. */
  existingBookMonths: 36,
  /**
   * Months of history simulated month by month before the first business date; loans disbursed
   * earlier enter that period current (all instalments due so far paid). 18 months are enough for
   * the delinquency buckets, the 360+ days stock and write-offs to reach their steady state.
   */
  simulatedHistoryMonths: 18,
  /** Monthly probability that a customer takes a further loan after the first (until churn). */
  followOnLoanRate: 0.025,
  /** Most loans per customer (loan number = customer number × 10 + j, j < 10). */
  maxLoansPerCustomer: 10,
  /** Monthly probability that a customer tries to close the relationship (prepays and leaves). */
  churnRate: 0.015,
  /** Per months past due (1, 2, 3, 4+) : probability to pay all arrears (cure) and to pay one instalment (hold). */
  cure: [0.55, 0.3, 0.2, 0.04],
  hold: [0.1, 0.15, 0.15, 0.08],
  /** Miss-rate multiplier after restructuring. */
  restructuredMissMultiplier: 2,
  /** Monthly probability of restructuring a loan 2–4 instalments behind (once per loan). */
  restructureRate: 0.04,
  /** Monthly probability of writing off a loan more than 360 days past due. */
  writeOffRate: 0.65,
  /**
   * Batch transfers of NPLs to an asset manager (不良资产批量转让): in the half-year and year-end
   * months (June, December), each loan more than `minDpd` days past due at the previous month end is
   * transferred with probability `rate` (checked before write-off), so a few dozen per year on a
   * mid-sized sample book, most of them 可疑 / 损失.
   */
  transfer: { months: [6, 12], minDpd: 180, rate: 0.15 },
  /** Share of loans whose recorded class is one notch milder than the rule (under-classification). */
  underClassifiedShare: 0.02,
  /** Months a restructured loan stays at least 次级. */
  restructuredFloorMonths: 6,
  /** Share of loans reaching 90+ days past due that had a warning 30–120 days before. */
  warningCoverage: 0.75,
  /** Monthly probability of a (mostly false-positive) warning on a customer with an active loan. */
  falseWarningRate: 0.004,
  /** Share of warnings raised 4–20 days after the signal (the rest 0–3 days). */
  lateWarningShare: 0.08,
  /** pd cut-off of predicted_default. */
  pdThreshold: 0.2,
  /** Months at the end of the window scored by model pd-3.0 instead of pd-2.3. */
  newModelMonths: 6,
  /** Monthly probability of a KYC re-verification of an open customer. */
  reverificationRate: 0.008,
  /** Share of KYC checks verified within 24 hours (the rest in 1–5 days). */
  verifiedWithinDay: 0.85,
  /** Share of KYC checks that fail. */
  verificationFailShare: 0.06,
  /** Share of completed KYC checks sampled by the quality audit, and the share of those found correct. */
  auditSample: 0.1,
  auditCorrect: 0.98,
  /** Monthly probability that an open customer answers a survey. */
  surveyRate: 0.02,
  /**
   * Credit-file updates (credit_file_updates). `cycles`: the elements kept per customer type
   * (0 individual, 1 small business) and their cycle in months — the same as the shipped
   * policy/credit-file-cycles.yaml (the generator comes before the policy stage and does not read
   * it). Per customer × element: `neverShare` never delivers it; otherwise each update follows the
   * previous one by the cycle, `earlyDays` early (on time), or with probability `lateShare`
   * `lateDays` late.
   */
  creditFile: {
    cycles: [
      [0, 'credit_report', 12],
      [0, 'kyc_documents', 12],
      [1, 'financial_statements', 3],
      [1, 'credit_report', 6],
      [1, 'collateral_valuation', 12],
      [1, 'site_visit', 3],
      [1, 'kyc_documents', 12],
    ],
    neverShare: 0.015,
    lateShare: 0.1,
    lateDays: [15, 90],
    earlyDays: [3, 20],
  },
} as const;
