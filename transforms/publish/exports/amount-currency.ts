import { REPORTING_CURRENCY, tenThousandUnit } from '../../ingest/contract/index.js';
import type { WarehouseHandle } from '../../lib/warehouse-handle.js';
import { CqError } from '../../lib/errors.js';
import { group } from './digit-grouping.js';
import type { BusinessMonth } from './run-info.js';

/**
 * The currency and unit a package's amounts are in, read from the warehouse
 * (`marts.mart_credit__currency_monthly`), and the check that every amount the package shows could
 * be converted to it.
 */

/** How the package states its amounts. */
export interface AmountCurrency {
  /** ISO 4217 code of every amount in the package (the warehouse's reporting currency). */
  currency: string;
  /** Unit label of money shown in 10,000s, e.g. `{ zh: '万元', en: 'CNY 10,000' }`. */
  unit: { zh: string; en: string };
  /** Loans in other currencies in the business month, and the rate they were converted at. */
  conversions: {
    currency: string;
    loans: number;
    fx_rate: string;
    fx_rate_date: string;
    /** Distinct rates used in the month (1 unless some snapshot is not dated the month end). */
    fx_rates_used: number;
    orig_balance: string;
    balance: string;
  }[];
}

/** Months before the business month whose figures a package also shows (KPI history, same month last year). */
export const PACKAGE_MONTHS_BACK = 12;

/**
 * Reads the reporting currency of the business month and refuses (`EXPORT_CURRENCY`) when some
 * loan of the month or of the {@link PACKAGE_MONTHS_BACK} months before it (figures the package
 * shows) is in a currency whose FX rate was not delivered for its snapshot date: its CNY amount
 * is unknown, so no total of the package would be right. The message names each currency with
 * its loans and balance as delivered, the dates that lack a rate, and the fix.
 *
 * @example
 * const amounts = await amountCurrency(wh, parseBusinessMonth('2026-10'));
 * amounts.unit; // { zh: '万元', en: 'CNY 10,000' }
 * // SQL: SELECT … FROM marts.mart_credit__currency_monthly WHERE unconverted_loans > 0
 * //        AND as_of_month BETWEEN last_day(DATE '2026-10-31' - INTERVAL '12 month') AND DATE '2026-10-31'
 */
export async function amountCurrency(wh: WarehouseHandle, bm: BusinessMonth): Promise<AmountCurrency> {
  const asOf = `DATE '${bm.asOfDate}'`;
  const missing = await wh.all<{ currency: string; months: string; dates: string; loans: bigint; orig_balance: string; last_month: string }>(
    `SELECT currency,
       string_agg(strftime(as_of_month, '%Y-%m'), ', ' ORDER BY as_of_month) AS months,
       string_agg(missing_rate_dates, ', ' ORDER BY as_of_month) AS dates,
       arg_max(unconverted_loans, as_of_month) AS loans,
       CAST(arg_max(unconverted_orig_balance, as_of_month) AS VARCHAR) AS orig_balance,
       strftime(max(as_of_month), '%Y-%m-%d') AS last_month
     FROM marts.mart_credit__currency_monthly
     WHERE unconverted_loans > 0
       AND as_of_month BETWEEN CAST(last_day(${asOf} - INTERVAL '${PACKAGE_MONTHS_BACK} month') AS DATE) AND ${asOf}
     GROUP BY currency ORDER BY currency`,
  );
  if (missing.length) {
    const lines = missing.map(
      (m) =>
        `  ${m.currency}: ${m.loans} loan(s) at ${m.last_month} with an on-book balance of ${m.currency} ${group(m.orig_balance)} as delivered (months affected: ${m.months}); no ${m.currency} rate on ${m.dates}`,
    );
    const fixes = missing.map((m) => `rates for ${m.currency} on ${m.dates}`).join('; ');
    const dates = [...new Set(missing.flatMap((m) => m.dates.split(', ')))].sort();
    throw new CqError(
      'EXPORT_CURRENCY',
      `${wh.path}: the ${bm.month} regulator package states every amount in ${REPORTING_CURRENCY}, but loans in these currencies have no FX rate for their balance date, so their ${REPORTING_CURRENCY} value is unknown and no total would be right:\n${lines.join('\n')}\n` +
        `Fix: deliver fx_rates.csv with ${fixes} (columns as_of_date,currency,cny_per_unit: ${REPORTING_CURRENCY} per 1 unit; one file in each of those business-date folders, see docs/extracts.md), ` +
        `load those dates again (npm run load -- --extracts DIR ${dates.map((d) => `--date ${d}`).join(' ')}), run npm run transform, then export. Nothing was written.`,
      { file: wh.path },
    );
  }
  const rows = await wh.all<{ currency: string; reporting_currency: string; loans: bigint; fx_rate: string | null; fx_rate_date: string | null; fx_rates_used: bigint; orig_balance: string; balance: string }>(
    `SELECT currency, reporting_currency, loans, CAST(fx_rate AS VARCHAR) AS fx_rate, strftime(fx_rate_date, '%Y-%m-%d') AS fx_rate_date,
       fx_rates_used, CAST(orig_balance AS VARCHAR) AS orig_balance, CAST(balance AS VARCHAR) AS balance
     FROM marts.mart_credit__currency_monthly WHERE as_of_month = ${asOf} ORDER BY currency`,
  );
  const reporting = [...new Set(rows.map((r) => r.reporting_currency))];
  if (reporting.length > 1) {
    throw new CqError('EXPORT_FAILED', `${wh.path}: ${bm.month} has amounts in several reporting currencies (${reporting.join(', ')}); a package states one. Fix: rebuild the warehouse (npm run transform).`, { file: wh.path });
  }
  const currency = reporting[0] ?? REPORTING_CURRENCY;
  return {
    currency,
    unit: tenThousandUnit(currency),
    conversions: rows
      .filter((r) => r.currency !== currency)
      .map((r) => ({
        currency: r.currency,
        loans: Number(r.loans),
        fx_rate: trimRate(r.fx_rate!),
        fx_rate_date: r.fx_rate_date!,
        fx_rates_used: Number(r.fx_rates_used),
        orig_balance: r.orig_balance,
        balance: r.balance,
      })),
  };
}

/** A DECIMAL(18,10) rate without trailing zeros. @example trimRate('7.8234000000') // '7.8234' */
export function trimRate(rate: string): string {
  return rate.includes('.') ? rate.replace(/0+$/, '').replace(/\.$/, '') : rate;
}

/**
 * Replaces the amount placeholders of template text with the package's currency: `{amount_unit_zh}`
 * (万元), `{amount_unit_en}` (CNY 10,000), `{amount_currency}` (CNY). Other text is unchanged.
 *
 * @example
 * withAmountUnit('金额单位：{amount_unit_zh}', amounts); // '金额单位：万元'
 */
export function withAmountUnit(text: string, amounts: Pick<AmountCurrency, 'currency' | 'unit'>): string {
  return text.replaceAll('{amount_unit_zh}', amounts.unit.zh).replaceAll('{amount_unit_en}', amounts.unit.en).replaceAll('{amount_currency}', amounts.currency);
}
