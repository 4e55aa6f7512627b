import { entity, type EntityName } from '../ingest/contract/index.js';
import type { SampleCalendar } from './calendar.js';
import { LOAN_ACTIONS, LOAN_STATUSES } from './loan-simulation.js';
import { MODEL } from './model-parameters.js';
import type { SampleFormat } from './options.js';
import { companyNameSql, idNumberSql, idPartsFrom, industrySql, personNameSql, phoneSql } from './people.js';
import { projectColumns } from './projection.js';
import { LOAN_CLASSES, PRODUCT_IDS, REPAYMENT_METHODS, SAMPLE_BRANCHES, SAMPLE_FX_CURRENCIES, SAMPLE_PRODUCTS, sampleFxRate } from './reference-data.js';
import { quoteLiteral } from '../lib/duckdb.js';
import { sqlNumberList, sqlStringList } from './sql-text.js';

/*
 * What each business date's files hold (month end D):
 *
 * - branches, products: the full reference lists;
 * - customers: on the first date every customer onboarded by then; afterwards customers onboarded in
 *   the month or changed in it (re-graded, downgraded after a default, relationship closed);
 * - loans: on the first date the whole book (loans with a balance row at D); afterwards loans
 *   disbursed in the month and loans restructured in it (restructured = true, restructured_on in
 *   the month, term_months and maturity_on extended by the deferral);
 * - loan_balances: one row per loan on book at D plus loans settled, written off or transferred in the month.
 *   Active: outstanding_principal = principal − principal repaid so far. Settled: outstanding 0.
 *   Written off (核销): outstanding, overdue amounts and provision 0, class 损失, days_past_due as at
 *   write-off — the written-off amount is the previous month's outstanding_principal; transferred
 *   (转让, in June and December batches): the same with the class by days past due as before;
 * - repayment_schedule: the instalment falling due in the month for every loan on book (not re-sent
 *   for a loan restructured in the month: its deferred instalments follow in later months);
 * - repayments: one row per instalment paid in the month (a prepayment pays the whole balance under
 *   the next instalment number); ids are unique across dates;
 * - warnings, risk_scores, verifications, surveys: the events of the month (see their modules);
 * - credit_file_updates: the updates dated in the month (the first date: also the latest update
 *   of every element before the window; credit-file-events.ts).
 */

/** How one extract file is selected: column expressions, source and sort key. */
interface FileQuery {
  readonly columns: Readonly<Record<string, string>>;
  readonly from: string;
  readonly orderBy: string;
}

/**
 * The loan month with the recorded five-category class `cls` (0 = 正常 … 4 = 损失), the
 * outstanding principal `o` and `due_end` (instalments due by the month end), from table `cur`.
 *
 * Recorded class: 0 dpd → 正常, 1–90 → 关注, 91–270 → 次级, 271–360 → 可疑, >360 or written off → 损失;
 * restructured loans are at least 次级 for `MODEL.restructuredFloorMonths` month ends; loans flagged
 * `under` (2%) are recorded one class milder (under-classification).
 */
function classifiedMonth(m: number): string {
  return `(SELECT *, (CASE WHEN under AND st <> 2 AND cls_floor > 0 THEN cls_floor - 1 ELSE cls_floor END)::TINYINT AS cls
  FROM (SELECT *, CASE WHEN rs_m IS NOT NULL AND ${m} - rs_m < ${MODEL.restructuredFloorMonths} THEN greatest(cls_rule, 2)
                       ELSE cls_rule END AS cls_floor
    FROM (SELECT *,
        CASE WHEN st = 2 THEN 4 WHEN dpd = 0 THEN 0 WHEN dpd <= 90 THEN 1 WHEN dpd <= 270 THEN 2
             WHEN dpd <= 360 THEN 3 ELSE 4 END AS cls_rule,
        CASE WHEN st = 0 THEN bal(meth, p, r, n, paid) ELSE 0::DECIMAL(18,2) END AS o,
        greatest(0, least(n, ${m} - dmi - off)) AS due_end
      FROM cur)))`;
}

/** Entities written from the loan month while the simulation runs (table `cur`). */
export const LOAN_LEVEL_ENTITIES: readonly EntityName[] = ['loans', 'loan_balances', 'repayment_schedule', 'repayments'];

function branchId(col: string): string {
  return `(${sqlStringList(SAMPLE_BRANCHES.map((b) => b.branchId))})[${col} + 1]`;
}

function yyyymm(m: string): string {
  return `strftime(mstart(${m}), '%Y%m')`;
}

function fileQuery(name: EntityName, m: number, calendar: SampleCalendar): FileQuery {
  const A = LOAN_ACTIONS;
  const bal = (k: string) => `bal(meth, p, r, n, ${k})`;
  switch (name) {
    case 'branches':
      return {
        columns: { branch_id: 'branch_id', name_zh: 'name_zh', name_en: 'name_en', region: 'region' },
        from: `(VALUES ${SAMPLE_BRANCHES.map((b) => `(${[b.branchId, b.nameZh, b.nameEn, b.region].map(quoteLiteral).join(', ')})`).join(', ')}) t(branch_id, name_zh, name_en, region)`,
        orderBy: 'branch_id',
      };
    case 'products':
      return {
        columns: { product_id: 'product_id', name_zh: 'name_zh', name_en: 'name_en', segment: 'segment' },
        from: `(VALUES ${SAMPLE_PRODUCTS.map((p) => `(${[p.productId, p.nameZh, p.nameEn, p.segment].map(quoteLiteral).join(', ')})`).join(', ')}) t(product_id, name_zh, name_en, segment)`,
        orderBy: 'product_id',
      };
    case 'customers': {
      const filter =
        m === calendar.first
          ? `onb_m <= ${m}`
          : `onb_m = ${m} OR dg_m = ${m} OR rv_m = ${m} OR close_m = ${m}`;
      return {
        columns: {
          customer_id: 'cid(ci)',
          customer_type: `CASE ctype WHEN 0 THEN 'individual' ELSE 'small_business' END`,
          name: `CASE WHEN ctype = 0 THEN ${personNameSql()} ELSE ${companyNameSql()} END`,
          id_number: idNumberSql(),
          phone: phoneSql(),
          branch_id: branchId('bi'),
          industry: industrySql(),
          onboarded_on: 'onb_on',
          grade: `(['A', 'B', 'C'])[(CASE WHEN dg_m <= ${m} THEN 2 WHEN rv_m <= ${m} THEN rv_grade ELSE g0 END) + 1]`,
          graded_on: `CASE WHEN dg_m <= ${m} THEN dg_on WHEN rv_m <= ${m} THEN rv_on ELSE g0_on END`,
          relationship_closed_on: `CASE WHEN close_m <= ${m} THEN close_on END`,
        },
        from: idPartsFrom(`cust2 WHERE (${filter})`),
        orderBy: 'ci',
      };
    }
    case 'loans':
      return {
        columns: {
          loan_id: 'lid(lk)',
          customer_id: 'cid(ci)',
          branch_id: branchId('bi'),
          product_id: `(${sqlStringList(PRODUCT_IDS)})[prod + 1]`,
          principal: 'p',
          currency: 'ccy',
          annual_rate: 'rate',
          term_months: 'n + off',
          repayment_method: `(${sqlStringList(REPAYMENT_METHODS)})[meth + 1]`,
          guarantee_type: 'guar',
          disbursed_on: 'mday(dmi, dday)',
          maturity_on: 'due_on(dmi, dday, n + off)',
          restructured: 'rs_m IS NOT NULL',
          restructured_on: 'CASE WHEN rs_m IS NOT NULL THEN mday(rs_m, 1 + floor(rnd(lk, rs_m, 700) * 28)::INTEGER) END',
        },
        from: `(SELECT c.lk, c.ci, c.n, c.off, c.rs_m, c.dmi, c.dday, l.bi, l.prod, l.p, l.ccy, l.rate, l.meth, l.guar
                FROM cur c JOIN loan l ON l.lk = c.lk
                ${m === calendar.first ? '' : `WHERE c.act IN (${A.new}, ${A.restructure})`})`,
        orderBy: 'lk',
      };
    case 'loan_balances': {
      const rates = sqlNumberList(LOAN_CLASSES.map(([, rate]) => rate));
      return {
        columns: {
          as_of_date: `mend(${m})`,
          loan_id: 'lid(lk)',
          outstanding_principal: 'o',
          overdue_principal: `CASE WHEN st = 0 AND due_end > paid THEN ${bal('paid')} - ${bal('due_end')} ELSE 0 END`,
          overdue_interest: `CASE WHEN st = 0 AND due_end > paid
            THEN list_sum(list_transform(range(paid + 1, due_end + 1), k -> int_due(meth, p, r, n, k))) ELSE 0 END`,
          days_past_due: 'dpd',
          recorded_class: `(${sqlStringList(LOAN_CLASSES.map(([c]) => c))})[cls + 1]`,
          provision_amount: `round(o * CAST((${rates})[cls + 1] AS DECIMAL(5,3)), 2)`,
          status: `(${sqlStringList(LOAN_STATUSES)})[st + 1]`,
        },
        from: classifiedMonth(m),
        orderBy: 'lk',
      };
    }
    case 'repayment_schedule':
      return {
        columns: {
          loan_id: 'lid(lk)',
          instalment_no: 'k',
          due_on: 'due_on(dmi, dday, k + off)',
          principal_due: 'b_before - b_after',
          interest_due: 'round(b_before::DOUBLE * r, 2)',
        },
        // b_before / b_after: scheduled balance before and after instalment k (each computed once)
        from: `(SELECT *, ${bal('k - 1')} AS b_before, ${bal('k')} AS b_after
                FROM (SELECT *, ${m} - dmi - off AS k FROM cur WHERE act <> ${A.restructure}) WHERE k BETWEEN 1 AND n)`,
        orderBy: 'lk, k',
      };
    case 'repayments': {
      // one uniform draw per payment: < 0.8 on the due date, < 0.9 1–3 days early, else 1–3 days late
      const regular = `greatest(mstart(${m}), mday(dmi, dday) + 1, least(mend(${m}),
        due_on(dmi, dday, k + off) + (CASE WHEN u_day < 0.8 THEN 0 WHEN u_day < 0.9 THEN -1 - floor(u_day * 1000) % 3
                                          ELSE 1 + floor(u_day * 1000) % 3 END)::INTEGER))`;
      return {
        columns: {
          repayment_id: `'RP' || lpad(lk::VARCHAR, 10, '0') || lpad(k::VARCHAR, 3, '0')`,
          loan_id: 'lid(lk)',
          instalment_no: 'k',
          paid_on: `CASE WHEN act = ${A.pay} THEN ${regular} ELSE mday(${m}, 1 + floor(u_day * 31)::INTEGER) END`,
          principal_paid: `CASE WHEN act = ${A.prepay} THEN b_before ELSE b_before - ${bal('k')} END`,
          interest_paid: 'round(b_before::DOUBLE * r, 2)',
        },
        // a prepayment (one row, next instalment number) repays the whole balance b_before
        from: `(SELECT *, ${bal('k - 1')} AS b_before, rnd(lk, ${m}, 710) AS u_day FROM (
            SELECT *, unnest(range(paid0 + 1, CASE WHEN act = ${A.prepay} THEN paid0 + 2 ELSE paid + 1 END)) AS k
            FROM cur WHERE paid > paid0))`,
        orderBy: 'lk, k',
      };
    }
    case 'warnings':
      return {
        columns: {
          warning_id: 'wid',
          customer_id: 'cid(ci)',
          loan_id: 'CASE WHEN lk IS NOT NULL THEN lid(lk) END',
          signal_type: 'signal_type',
          signal_on: 'signal_on',
          raised_at: 'raised_at',
          severity: 'severity',
          closed_at: 'closed_at',
        },
        from: `warn WHERE rm = ${m}`,
        orderBy: 'wid',
      };
    case 'risk_scores': {
      const newModel = m > calendar.last - MODEL.newModelMonths && calendar.last - calendar.first >= MODEL.newModelMonths;
      const sigma = newModel ? 1.35 : 1.65;
      const z = `-4.1 + CASE tg WHEN 0 THEN -0.8 WHEN 1 THEN 0 ELSE 1.1 END
        + CASE WHEN cf90_on > mend(${m}) AND cf90_on <= mend(${m + 12}) THEN 2.9 ELSE 0 END
        + CASE WHEN cf90_on <= mend(${m}) THEN 2.5 ELSE 0 END
        + CASE WHEN max_dpd > 0 THEN 1.0 ELSE 0 END
        + ${sigma} * rnorm(ci, ${m}, 900)`;
      return {
        columns: {
          customer_id: 'cid(ci)',
          scored_on: `mend(${m})`,
          model_version: quoteLiteral(newModel ? 'pd-3.0' : 'pd-2.3'),
          pd: 'pd',
          predicted_default: `pd >= ${MODEL.pdThreshold}`,
        },
        from: `(SELECT ci, round(1 / (1 + exp(-(${z}))), 6) AS pd
                FROM (SELECT ci, max(dpd) AS max_dpd FROM panel WHERE m = ${m} AND st = 0 AND (ci + ${m}) % 3 = 0 GROUP BY ci) s
                JOIN cust2 c USING (ci))`,
        orderBy: 'ci',
      };
    }
    case 'verifications': {
      const current = `SELECT vid, ci, submitted_at,
          CASE WHEN done_at::DATE > mend(${m}) THEN NULL ELSE done_at END AS verified_at,
          CASE WHEN done_at::DATE > mend(${m}) THEN 'pending' ELSE result END AS result,
          CASE WHEN done_at::DATE > mend(${m}) THEN NULL ELSE audit END AS audit
        FROM kyc WHERE sm = ${m}`;
      const completed = `SELECT vid, ci, submitted_at, done_at, result, audit
        FROM kyc WHERE sm = ${m - 1} AND done_at::DATE > mend(${m - 1})`;
      return {
        columns: {
          verification_id: 'vid',
          customer_id: 'cid(ci)',
          submitted_at: 'submitted_at',
          verified_at: 'verified_at',
          result: 'result',
          audit_outcome: 'audit',
        },
        from: `(${current}${m > calendar.first ? ` UNION ALL ${completed}` : ''})`,
        orderBy: 'vid',
      };
    }
    case 'fx_rates':
      // The month-end rate of every foreign currency sample loans are in.
      return {
        columns: { as_of_date: `mend(${m})`, currency: 'currency', cny_per_unit: 'cny_per_unit' },
        from: `(VALUES ${SAMPLE_FX_CURRENCIES.map((c) => `(${quoteLiteral(c.currency)}, ${sampleFxRate(c, m).toFixed(4)})`).join(', ')}) t(currency, cny_per_unit)`,
        orderBy: 'currency',
      };
    case 'surveys': {
      const t = m - calendar.first;
      return {
        columns: {
          survey_id: `'SV' || ${yyyymm(String(m))} || lpad(ci::VARCHAR, 9, '0')`,
          customer_id: 'cid(ci)',
          surveyed_on: `greatest(onb_on, mday(${m}, 1 + floor(rnd(ci, ${m}, 601) * 31)::INTEGER))`,
          channel: `CASE WHEN u_ch < 0.45 THEN 'app' WHEN u_ch < 0.7 THEN 'branch' WHEN u_ch < 0.9 THEN 'phone' ELSE 'web' END`,
          score: `greatest(0, least(100, round(100 + ln(1 - rnd(ci, ${m}, 603)) * ${(20 * (1 - 0.006 * t)).toFixed(4)})))`,
        },
        from: `(SELECT *, rnd(ci, ${m}, 602) AS u_ch FROM cust2
                WHERE onb_m <= ${m} AND (close_m IS NULL OR close_m > ${m}) AND rnd(ci, ${m}, 600) < ${MODEL.surveyRate})`,
        orderBy: 'ci',
      };
    }
    case 'credit_file_updates':
      return {
        columns: { customer_id: 'cid(ci)', file_element: 'el', updated_on: 'updated_on' },
        from: `cfu WHERE dm = ${m}`,
        orderBy: 'ci, el, updated_on',
      };
  }
}

/**
 * The SELECT statement of one extract file for business month `m`, columns in contract order and
 * typed for `format`, rows ordered by the primary key so that output bytes are deterministic.
 * Loan-level files (`LOAN_LEVEL_ENTITIES`) read the month's loan states in table `cur` (while the
 * simulation is at month m); the others read the tables derived afterwards (`cust2`, `panel`,
 * `warn`, `kyc`).
 *
 * @example
 * extractSelectSql('loans', 24298, sampleCalendar('2024-11', 24), 'csv');
 */
export function extractSelectSql(name: EntityName, m: number, calendar: SampleCalendar, format: SampleFormat): string {
  const q = fileQuery(name, m, calendar);
  return `SELECT ${projectColumns(entity(name), q.columns, format)}\nFROM ${q.from}\nORDER BY ${q.orderBy}`;
}
