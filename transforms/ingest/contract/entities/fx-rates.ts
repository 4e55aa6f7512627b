import { CURRENCY_ALIASES, CURRENCY_CODES, ISO_4217_FILE, REPORTING_CURRENCY } from '../currencies.js';
import { defineEntity } from '../types.js';

/**
 * FX rates (汇率): CNY per one unit of a foreign currency on a business date. Optional: a book
 * whose loans are all in CNY needs none. A loan in another currency has its month-end amounts
 * converted at the rate dated its balance snapshot's date (core.fct_loan_month_ends).
 */
export const fxRates = defineEntity({
  name: 'fx_rates',
  description: `FX rates (汇率): ${REPORTING_CURRENCY} per one unit of each foreign currency the loans are in, as of the business date. Optional: deliver it whenever some loan is not in ${REPORTING_CURRENCY}; a loan's month-end amounts are converted at the rate dated its balance snapshot's date.`,
  history: 'events',
  optional: true,
  columns: [
    { name: 'as_of_date', type: 'date', required: true, description: 'Date of the rate: the business date of the folder (normally a month end).', businessDate: true },
    {
      name: 'currency',
      type: 'text',
      required: true,
      description: `ISO 4217 code of the foreign currency, e.g. EUR (a ${REPORTING_CURRENCY} row, if delivered, must have rate 1).`,
      values: CURRENCY_CODES,
      valuesList: { name: 'an ISO 4217 currency code', file: ISO_4217_FILE, aliases: CURRENCY_ALIASES },
    },
    {
      name: 'cny_per_unit',
      type: 'rate',
      required: true,
      description: `${REPORTING_CURRENCY} per one unit of the currency (7.8234 = 1 EUR is 7.8234 CNY), e.g. the PBOC central parity rate of the date; at most 10 decimals are used.`,
    },
  ],
  primaryKey: ['as_of_date', 'currency'],
  references: [],
  rules: [
    { id: 'rate_positive', sql: 'cny_per_unit > 0', message: 'cny_per_unit is not greater than 0 (a rate is CNY per one unit of the currency)' },
    { id: 'reporting_currency_is_one', sql: `currency <> '${REPORTING_CURRENCY}' OR cny_per_unit = 1`, message: `a ${REPORTING_CURRENCY} rate must be 1 (${REPORTING_CURRENCY} is the reporting currency; the row may be left out)` },
  ],
});
