import {
  BUSINESS_LINES,
  GIVEN_NAME_CHARS,
  OCCUPATION_GROUPS,
  SAMPLE_BRANCHES,
  SURNAMES,
  TRADE_NAME_CHARS,
} from './reference-data.js';
import { pickFromList, sqlStringList, weightedPick } from './sql-text.js';

/**
 * SQL expressions for the personal data of a customer (columns of `cust2`: ci, ctype, bi,
 * area_bi, birth; ID numbers also need `idPartsFrom`). Every value is a deterministic function of the seed and the customer number.
 * They are fake but look real, and distinctive enough for leak tests to search for:
 *
 * - names: surname + one or two given-name characters (个人), or city + trade name + business line +
 *   legal form (小微企业), e.g. 杭州恒达贸易有限公司;
 * - ID numbers: 18-character 居民身份证号 with a valid ISO 7064 MOD 11-2 check character, unique per
 *   customer (birth date and sequence come from a bijection of the customer number);
 * - 统一社会信用代码: 18 characters with valid GB 11714 and GB 32100 check characters, unique per customer;
 * - phones: 11-digit mobile numbers 1[35789]xxxxxxxxx, unique per customer; ~3% empty.
 */

/** Individual's name. @example personNameSql() // "CASE WHEN … END" over columns ci */
export function personNameSql(): string {
  const surname = pickFromList(sqlStringList(SURNAMES), SURNAMES.length, 'pow(rnd(ci, 0, 800), 1.6)');
  const given = sqlStringList(GIVEN_NAME_CHARS);
  const g1 = pickFromList(given, GIVEN_NAME_CHARS.length, 'rnd(ci, 0, 801)');
  const g2 = pickFromList(given, GIVEN_NAME_CHARS.length, 'rnd(ci, 0, 802)');
  return `(${surname} || ${g1} || CASE WHEN rnd(ci, 0, 803) < 0.7 THEN ${g2} ELSE '' END)`;
}

/** Small business's registered name, e.g. 杭州恒达贸易有限公司. @example companyNameSql() */
export function companyNameSql(): string {
  const city = `(${sqlStringList(SAMPLE_BRANCHES.map((b) => b.cityZh))})[bi + 1]`;
  const trade = sqlStringList(TRADE_NAME_CHARS);
  const t1 = pickFromList(trade, TRADE_NAME_CHARS.length, 'rnd(ci, 0, 810)');
  const t2 = pickFromList(trade, TRADE_NAME_CHARS.length, 'rnd(ci, 0, 811)');
  const line = pickFromList(sqlStringList(BUSINESS_LINES.map(([w]) => w)), BUSINESS_LINES.length, 'rnd(ci, 0, 812)');
  const form = `CASE WHEN rnd(ci, 0, 813) < 0.75 THEN '有限公司' WHEN rnd(ci, 0, 813) < 0.93 THEN '有限责任公司' ELSE '商行' END`;
  return `(${city} || ${t1} || ${t2} || ${line} || ${form})`;
}

/**
 * Industry: GB/T 4754 section of the business line (matching the company name), or the
 * individual's occupation group (8% empty).
 *
 * @example
 * `SELECT ${industrySql()} AS industry FROM cust2` // 'F' for 杭州恒达贸易有限公司, 'professional' for a person
 */
export function industrySql(): string {
  const section = pickFromList(sqlStringList(BUSINESS_LINES.map(([, s]) => s)), BUSINESS_LINES.length, 'rnd(ci, 0, 812)');
  const occupation = pickFromList(sqlStringList(OCCUPATION_GROUPS), OCCUPATION_GROUPS.length, 'rnd(ci, 0, 820)');
  return `CASE WHEN ctype = 1 THEN ${section} WHEN rnd(ci, 0, 821) < 0.08 THEN NULL ELSE ${occupation} END`;
}

/** Σ value(char i) × weight i over a 17-character body (unrolled, no lambdas). */
function weightedSum(body: string, weights: readonly number[], value: (ch: string) => string): string {
  return weights.map((w, i) => `${value(`substr(${body}, ${i + 1}, 1)`)} * ${w}`).join(' + ');
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/**
 * A FROM clause adding the building blocks of ID numbers to `source` (which must provide ci,
 * ctype, area_bi and birth): `id_body` (17 characters of the 居民身份证号), `uscc_body` (17
 * characters of the 统一社会信用代码). Staged in subqueries so the check-character sums below
 * reference columns instead of repeating long expressions.
 *
 * @example
 * `SELECT ${idNumberSql()} FROM ${idPartsFrom('cust2')}`
 */
export function idPartsFrom(source: string): string {
  const area = `(${sqlStringList(SAMPLE_BRANCHES.map((b) => b.areaCode))})[area_bi + 1]`;
  const seq = `lpad((((ci // 16000) * 7 + floor(rnd(ci % 16000, 0, 830) * 1000)::BIGINT) % 1000)::VARCHAR, 3, '0')`;
  const digit = (ch: string) => `(ascii(${ch}) - 48)`;
  const orgSum = weightedSum('org_body', ORG_WEIGHTS, digit);
  const orgCheck = `CASE 11 - ((${orgSum}) % 11) WHEN 10 THEN 'X' WHEN 11 THEN '0' ELSE (11 - ((${orgSum}) % 11))::VARCHAR END`;
  return `(SELECT *,
      ${area} || strftime(birth, '%Y%m%d') || ${seq} AS id_body,
      '9' || CASE WHEN rnd(ci, 0, 831) < 0.9 THEN '1' ELSE '2' END || ${area} || org_body || ${orgCheck} AS uscc_body
    FROM (SELECT *, lpad(((ci * 61803399 + 13) % 100000000)::VARCHAR, 8, '0') AS org_body FROM ${source}))`;
}

/**
 * 18-character ID: 居民身份证号 for individuals, 统一社会信用代码 for businesses. Needs the columns
 * of `idPartsFrom` in scope.
 *
 * @example
 * idNumberSql() // evaluates to e.g. '11010519820315041X' or '91330106612345678Q'
 */
export function idNumberSql(): string {
  const digit = (ch: string) => `(ascii(${ch}) - 48)`;
  const idCheck = `('10X98765432')[((${weightedSum('id_body', ID_WEIGHTS, digit)}) % 11) + 1]`;
  const charValue = (ch: string) => `(instr('${USCC_CHARSET}', ${ch}) - 1)`;
  const usccCheck = `('${USCC_CHARSET}')[((31 - ((${weightedSum('uscc_body', USCC_WEIGHTS, charValue)}) % 31)) % 31) + 1]`;
  return `CASE WHEN ctype = 0 THEN id_body || ${idCheck} ELSE uscc_body || ${usccCheck} END`;
}

/** Mobile phone number (empty for ~3% of customers). @example phoneSql() */
export function phoneSql(): string {
  const second = weightedPick('rnd(ci, 0, 840)', [
    ["'3'", 30],
    ["'5'", 20],
    ["'7'", 10],
    ["'8'", 30],
    ["'9'", 10],
  ]);
  return `CASE WHEN rnd(ci, 0, 841) < 0.03 THEN NULL ELSE '1' || ${second} || lpad(((ci * 618033989 + 4242) % 1000000000)::VARCHAR, 9, '0') END`;
}
