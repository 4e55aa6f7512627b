import type { FiveClass } from './five-category.js';

/**
 * Customer grade rules (客户分级规则): the grade a customer SHOULD have at a month end,
 * compared with the grade the lender recorded (classification_error_rate). This is the typed
 * in-memory form; the rules themselves are data in `policy/customer-grading.yaml` (or the
 * operator's `policyDir`), read and checked by `loadPolicy` (transforms/policy/read-policy.ts).
 *
 * Rules are checked in order; the first whose condition holds gives the grade; otherwise
 * the customer is `fallback` (A). A condition holds when ANY of its set parts holds:
 * - `loanClassAtLeast`: some loan of the customer at the month end (on book, or settled /
 *   written off in the month) is recorded at this class or worse;
 * - `loanDpdOver`: some loan is MORE than this many days past due (90: 91 days or more);
 * - `pdAtLeast`: the customer's latest risk score known at the month end (scored on or after the
 *   same day `pdMaxAgeMonths` months before the month end) has a probability of default of at
 *   least this (0.2: a PD of exactly 0.2 counts);
 * - `writtenOff`: a loan of the customer was written off in the month.
 *
 * Documented in docs/grading.md. Override one build with `buildWarehouse(wh, { rules: { grading } })`.
 *
 * @example
 * loadPolicy().grading.rules[0]; // { grade: 'C', loanClassAtLeast: '次级', loanDpdOver: 90, pdAtLeast: 0.2, writtenOff: true }
 */
export interface GradingRules {
  readonly rules: readonly GradeRule[];
  readonly fallback: Grade;
  /** A risk score is used while scored on or after the same day this many months before the month end. */
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
