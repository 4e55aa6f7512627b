import type { FiveClass } from './five-category.js';

/**
 * Customer grade rules (客户分级规则): the grade a customer SHOULD have at a month end,
 * compared with the grade the lender recorded (classification_error_rate).
 *
 * Rules are checked in order; the first whose condition holds gives the grade; otherwise
 * the customer is `fallback` (A). A condition holds when ANY of its set parts holds:
 * - `loanClassAtLeast`: some loan of the customer at the month end (on book, or settled /
 *   written off in the month) is recorded at this class or worse;
 * - `loanDpdOver`: some loan is more than this many days past due;
 * - `pdAtLeast`: the customer's latest risk score known at the month end (not older than
 *   `pdMaxAgeMonths`) has a probability of default at least this;
 * - `writtenOff`: a loan of the customer was written off in the month.
 *
 * Documented in docs/grading.md. Override per build with `buildWarehouse(wh, { rules: { grading } })`.
 *
 * @example
 * DEFAULT_GRADING_RULES.rules[0]; // { grade: 'C', loanClassAtLeast: '次级', loanDpdOver: 90, pdAtLeast: 0.2, writtenOff: true }
 */
export interface GradingRules {
  readonly rules: readonly GradeRule[];
  readonly fallback: Grade;
  /** Risk scores older than this many months at the month end are ignored. */
  readonly pdMaxAgeMonths: number;
}

/** Customer grade: A 优质 (prime), B 一般 (standard), C 高风险 (high risk). */
export type Grade = 'A' | 'B' | 'C';

export interface GradeRule {
  readonly grade: Grade;
  readonly loanClassAtLeast?: FiveClass;
  readonly loanDpdOver?: number;
  readonly pdAtLeast?: number;
  readonly writtenOff?: boolean;
}

export const GRADE_LABELS: Readonly<Record<Grade, string>> = { A: 'A 优质', B: 'B 一般', C: 'C 高风险' };

export const DEFAULT_GRADING_RULES: GradingRules = {
  rules: [
    // C 高风险: any non-performing loan (次级 or worse), any loan 90+ days past due, a write-off, or PD ≥ 20%.
    { grade: 'C', loanClassAtLeast: '次级', loanDpdOver: 90, pdAtLeast: 0.2, writtenOff: true },
    // B 一般: any loan 关注 or overdue at all, or PD ≥ 5%.
    { grade: 'B', loanClassAtLeast: '关注', loanDpdOver: 0, pdAtLeast: 0.05 },
  ],
  // A 优质: everything else (including customers without loans or scores).
  fallback: 'A',
  pdMaxAgeMonths: 12,
};
