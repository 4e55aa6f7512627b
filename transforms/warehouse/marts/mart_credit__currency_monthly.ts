import { sql } from 'kysely';
import { REPORTING_CURRENCY } from '../../ingest/contract/index.js';
import { defineModel } from '../model.js';
import { sinceSql } from '../since-sql.js';

export default defineModel({
  name: 'mart_credit__currency_monthly',
  layer: 'marts',
  grain: 'one row per month end × loan currency (loans with a balance snapshot in the month)',
  primaryKey: ['as_of_month', 'currency'],
  description: `The book by the currency its loans are in, and how each currency was converted to the reporting currency ${REPORTING_CURRENCY} (the currency every other mart, KPI and export amount is in): the rate used and its date, the on-book balance as delivered and in ${REPORTING_CURRENCY}, and the loans whose rate was not delivered (their ${REPORTING_CURRENCY} amounts are unknown; the regulator export refuses the month). Read by the report site and the export.`,
  inherits: ['core.fct_loan_month_ends'],
  columns: {
    currency: 'ISO 4217 currency the loans are in.',
    reporting_currency: `Currency of the converted amounts (balance): ${REPORTING_CURRENCY}.`,
    loans: 'Loans with a snapshot in the month (on book or not).',
    on_book_loans: 'Of which on book.',
    orig_balance: 'On-book outstanding principal in the loan currency, as delivered.',
    balance: `On-book outstanding principal in ${REPORTING_CURRENCY} (converted loans only; equals the balance KPIs use).`,
    fx_rate: `${REPORTING_CURRENCY} per one unit used: 1 for ${REPORTING_CURRENCY}; else the rate of the latest snapshot date in the month that has one (the month end for month-end snapshots); NULL when no loan could be converted.`,
    fx_rate_date: `Date of that rate; NULL for ${REPORTING_CURRENCY}.`,
    fx_rates_used: 'Distinct rates used in the month (1 when every snapshot is dated the month end).',
    unconverted_loans: 'Loans whose snapshot date has no rate for the currency (CNY amounts NULL).',
    unconverted_orig_balance: 'Their on-book outstanding principal in the loan currency.',
    missing_rate_dates: "Snapshot dates lacking a rate, 'YYYY-MM-DD, …' (NULL when none): the dates fx_rates.csv must cover.",
  },
  tests: [
    { kind: 'expression', name: 'reporting_currency_at_par', sql: `currency <> '${REPORTING_CURRENCY}' OR fx_rate = 1` },
    { kind: 'expression', name: 'unconverted_have_dates', sql: '(unconverted_loans = 0) = (missing_rate_dates IS NULL)' },
  ],
  incremental: { column: 'as_of_month' },
  query: (_db, { since }) => sql`
    SELECT as_of_month, CAST(currency AS VARCHAR) AS currency, ${sql.lit(REPORTING_CURRENCY)} AS reporting_currency,
      count(*) AS loans,
      count(*) FILTER (WHERE is_on_book) AS on_book_loans,
      coalesce(sum(orig_outstanding_principal) FILTER (WHERE is_on_book), 0) AS orig_balance,
      coalesce(sum(on_book_balance) FILTER (WHERE is_on_book AND fx_rate IS NOT NULL), 0) AS balance,
      arg_max(fx_rate, snapshot_date) FILTER (WHERE fx_rate IS NOT NULL) AS fx_rate,
      max(fx_rate_date) AS fx_rate_date,
      count(DISTINCT fx_rate) AS fx_rates_used,
      count(*) FILTER (WHERE fx_rate IS NULL) AS unconverted_loans,
      coalesce(sum(orig_outstanding_principal) FILTER (WHERE is_on_book AND fx_rate IS NULL), 0) AS unconverted_orig_balance,
      string_agg(DISTINCT strftime(snapshot_date, '%Y-%m-%d'), ', ' ORDER BY strftime(snapshot_date, '%Y-%m-%d')) FILTER (WHERE fx_rate IS NULL) AS missing_rate_dates
    FROM core.fct_loan_month_ends
    WHERE true ${sinceSql(since)}
    GROUP BY as_of_month, currency`,
});
