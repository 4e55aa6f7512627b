import type { SampleCalendar } from './calendar.js';
import { MODEL } from './model-parameters.js';

/**
 * SQL creating table `kyc`: every KYC / information verification check submitted in the window —
 * one at onboarding for customers onboarded in the window, and periodic re-verifications
 * (`MODEL.reverificationRate` of open customers a month). `sm` is the month submitted.
 *
 * 85% complete within 24 hours, the rest in 1–5 days; 6% fail; 10% of checks are sampled by the
 * quality audit, 98% of those found correct. A check still running at the end of its month is
 * sent as `pending` (no verified_at, result or audit) and re-sent complete the next month
 * (verifications are versioned) — that is where the few pending rows come from.
 *
 * Columns: vid, ci, sm, submitted_at, done_at, result, audit.
 *
 * @example
 * await wh.exec(verificationEventsSql(sampleCalendar('2024-11', 24)));
 */
export function verificationEventsSql(calendar: SampleCalendar): string {
  const { first: f, last: l } = calendar;
  return `
CREATE OR REPLACE TABLE kyc AS
WITH checks AS (
  SELECT ci, onb_m AS sm,
    onb_on::TIMESTAMP + to_seconds((32400 + floor(rnd(ci, onb_m, 500) * 32400))::BIGINT) AS submitted_at
  FROM cust2 WHERE onb_m BETWEEN ${f} AND ${l}
  UNION ALL
  SELECT c.ci, mm::INTEGER,
    mday(mm, 1 + floor(rnd(c.ci, mm, 501) * 31)::INTEGER)::TIMESTAMP
      + to_seconds((28800 + floor(rnd(c.ci, mm, 503) * 43200))::BIGINT)
  FROM cust2 c, range(${f}, ${l + 1}) t(mm)
  WHERE c.onb_m < mm AND (c.close_m IS NULL OR c.close_m >= mm) AND rnd(c.ci, mm, 502) < ${MODEL.reverificationRate}
)
SELECT 'KV' || strftime(mstart(sm), '%Y%m') || lpad(ci::VARCHAR, 9, '0') AS vid, ci, sm, submitted_at,
  submitted_at + to_seconds((CASE WHEN rnd(ci, sm, 510) < ${MODEL.verifiedWithinDay}
                                  THEN 300 + floor(rnd(ci, sm, 511) * 86100)
                                  ELSE 86400 + floor(rnd(ci, sm, 511) * 345600) END)::BIGINT) AS done_at,
  CASE WHEN rnd(ci, sm, 512) < ${MODEL.verificationFailShare} THEN 'fail' ELSE 'pass' END AS result,
  CASE WHEN rnd(ci, sm, 513) < ${MODEL.auditSample}
       THEN CASE WHEN rnd(ci, sm, 514) < ${MODEL.auditCorrect} THEN 'correct' ELSE 'incorrect' END END AS audit
FROM checks
ORDER BY vid;
`;
}
