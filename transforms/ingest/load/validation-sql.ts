import { COLUMN_TYPES, type ColumnContract, type EntityContract } from '../contract/index.js';
import { quoteIdent as q, quoteLiteral as lit } from '../../lib/duckdb.js';

/**
 * SQL builders that enforce the extract contract inside DuckDB (no row passes through JS).
 * Input relation: `_line` + one VARCHAR column per contract column. Each row gets a
 * `_reason` STRUCT(code, column_name, message), NULL when the row is valid. The first
 * failing check wins, in contract column order, then row rules, then keys.
 */

/** Reason codes written to `ops.rejected_rows.reason_code`. */
export const REASON_CODES = {
  missing_value: 'a required value is empty',
  invalid_type: 'a value does not parse as the column type',
  invalid_date: 'a date or timestamp does not parse',
  invalid_code: 'a code is not one of the allowed values',
  negative_amount: 'an amount is negative',
  out_of_range: 'a number is outside its allowed range',
  wrong_business_date: 'a snapshot date is not the business date of the folder the file was delivered in',
  future_date: 'an event date is after the business date of the folder the file was delivered in',
  control_character: 'a text value holds a control character (NUL, line break, …; a tab is allowed)',
  rule_violation: 'a row-level rule of the contract is broken',
  duplicate_key: 'the primary key repeats an earlier row',
  unknown_reference: 'a referenced customer / loan / branch / product does not exist',
  malformed_line: 'the CSV line cannot be parsed (wrong number of fields, bad quoting)',
  truncated_line: 'the file ends without a newline: the last line is cut off',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;

function reason(code: ReasonCode, column: string | null, messageSql: string): string {
  return `{'code': ${lit(code)}, 'column_name': ${column === null ? 'NULL::VARCHAR' : lit(column)}, 'message': ${messageSql}}`;
}

/** C0 control characters except tab: not allowed in text values (RE2 class, as SQL string text). */
const CONTROL_CHARS = '[\\x00-\\x08\\x0A-\\x1F]';

/** A value quoted in a message: at most 60 characters, control characters shown as '?'. */
const shown = (v: string) => `'''' || regexp_replace(left(${v}, 60), '${CONTROL_CHARS}', '?', 'g') || ''''`;

/**
 * The bounds a typed (Parquet) value must lie within to have a text form the contract accepts:
 * the same limits the text patterns of {@link columnChecks} put on digits and years.
 */
const TYPED_BOUNDS: Partial<Record<ColumnContract['type'], { lo: string; hi: string; code: ReasonCode; text: string }>> = {
  integer: { lo: '-999999999', hi: '999999999', code: 'invalid_type', text: ' is not a whole number of at most 9 digits' },
  money: { lo: '-9999999999999999.99', hi: '9999999999999999.99', code: 'invalid_type', text: ' is not an amount of at most 16 digits before the decimal point' },
  date: { lo: "DATE '0001-01-01'", hi: "DATE '9999-12-31'", code: 'invalid_date', text: ' is not a valid date (years 0001-9999)' },
  timestamp: { lo: "TIMESTAMP '0001-01-01'", hi: "TIMESTAMP '9999-12-31 23:59:59.999999'", code: 'invalid_date', text: ' is not a valid timestamp (years 0001-9999)' },
};

/**
 * The CASE branches (WHEN … THEN …) that check one column's value. Text input (CSV, or a
 * Parquet column whose type is not the contract's) is checked against the contract's text
 * patterns. Typed input (`typed`: a Parquet column already of the contract type, see
 * `typedInputColumn`) cannot be malformed, so only its bounds, required-ness and value rules are
 * checked, on the typed value: the same rows are rejected either way, with the same codes.
 * Free text (a text column without a list of codes) must hold no control character but tab.
 * A column the contract ties to the business date (`col.businessDate`) must equal `businessDate`
 * (`YYYY-MM-DD`, the date of the file's folder) when given; one marked `notAfterBusinessDate`
 * must not be after it.
 */
export function columnChecks(col: ColumnContract, typed = false, castValue?: string, businessDate?: string): string[] {
  const v = q(col.name);
  // The text value cast to the contract type (TRY_CAST), computed once by typedCheckSql. Range
  // checks come after the format check of the same column, so they only see values whose text is
  // well-formed, for which this cast is exact.
  const cast = (type: string) => castValue ?? `TRY_CAST(${v} AS ${type})`;
  const checks: string[] = [];
  const present = `${v} IS NOT NULL`;
  if (col.required) checks.push(`WHEN ${v} IS NULL THEN ${reason('missing_value', col.name, lit(`${col.name} is required but empty`))}`);
  // What the range checks compare, and what the messages show.
  const num = typed ? v : cast('DOUBLE');
  const display = typed ? `CAST(${v} AS VARCHAR)` : v;
  if (typed) {
    const bounds = TYPED_BOUNDS[col.type];
    if (bounds) {
      checks.push(`WHEN ${present} AND NOT (${v} BETWEEN ${bounds.lo} AND ${bounds.hi}) THEN ${reason(bounds.code, col.name, `${shown(display)} || ${lit(bounds.text)}`)}`);
    }
  } else {
    switch (col.type) {
      case 'integer':
        checks.push(
          `WHEN ${present} AND (NOT regexp_full_match(${v}, '-?[0-9]{1,9}')) THEN ${reason('invalid_type', col.name, `${shown(v)} || ' is not a whole number'`)}`,
        );
        break;
      case 'money':
        checks.push(
          `WHEN ${present} AND (NOT regexp_full_match(${v}, '-?[0-9]{1,16}(\\.[0-9]{1,2})?')) THEN ${reason('invalid_type', col.name, `${shown(v)} || ' is not an amount (digits with at most 2 decimals, no thousands separators)'`)}`,
        );
        break;
      case 'rate':
        checks.push(`WHEN ${present} AND ${cast('DOUBLE')} IS NULL THEN ${reason('invalid_type', col.name, `${shown(v)} || ' is not a number'`)}`);
        break;
      case 'date':
        checks.push(
          `WHEN ${present} AND (NOT regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') OR ${cast('DATE')} IS NULL) THEN ${reason('invalid_date', col.name, `${shown(v)} || ' is not a valid date (YYYY-MM-DD)'`)}`,
        );
        break;
      case 'timestamp':
        checks.push(
          `WHEN ${present} AND (NOT regexp_full_match(${v}, '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?') OR ${cast('TIMESTAMP')} IS NULL) THEN ${reason('invalid_date', col.name, `${shown(v)} || ' is not a valid timestamp (YYYY-MM-DD HH:MM:SS)'`)}`,
        );
        break;
      case 'boolean':
        checks.push(
          `WHEN ${present} AND NOT list_contains(['true', 'false', '1', '0'], lower(${v})) THEN ${reason('invalid_type', col.name, `${shown(v)} || ' is not a boolean (true/false)'`)}`,
        );
        break;
      case 'text':
        if (!col.values) {
          const at = `length(regexp_extract(${v}, '^[^${CONTROL_CHARS.slice(1)}*')) + 1`;
          checks.push(
            `WHEN ${present} AND regexp_matches(${v}, '${CONTROL_CHARS}') THEN ${reason('control_character', col.name, `${lit(`${col.name} holds control character U+`)} || printf('%04X', unicode(regexp_extract(${v}, '${CONTROL_CHARS}'))) || ' at character ' || ${at} || ${lit('. Fix: remove control characters (NUL, line breaks, …) from text values in the export; only a tab is allowed.')}`)}`,
          );
        }
        break;
    }
  }
  if (col.businessDate && businessDate !== undefined && col.type === 'date') {
    const date = typed ? v : cast('DATE');
    checks.push(
      `WHEN ${present} AND ${date} <> DATE ${lit(businessDate)} THEN ${reason('wrong_business_date', col.name, `${shown(display)} || ${lit(` is not the business date ${businessDate} of the folder the file was delivered in. Fix: correct ${col.name} to ${businessDate}, or deliver the row in the folder of its own date.`)}`)}`,
    );
  }
  if (col.notAfterBusinessDate && businessDate !== undefined && col.type === 'date') {
    const date = typed ? v : cast('DATE');
    checks.push(
      `WHEN ${present} AND ${date} > DATE ${lit(businessDate)} THEN ${reason('future_date', col.name, `${shown(display)} || ${lit(` is after the business date ${businessDate} of the folder the file was delivered in. Fix: correct ${col.name}, or deliver the row in the folder of a business date on or after it.`)}`)}`,
    );
  }
  if (col.values && col.valuesList) {
    checks.push(`WHEN ${present} AND NOT list_contains([${col.values.map(lit).join(', ')}], ${v}) THEN ${reason('invalid_code', col.name, codeListMessageSql(col, v))}`);
  } else if (col.values) {
    checks.push(
      `WHEN ${present} AND NOT list_contains([${col.values.map(lit).join(', ')}], ${v}) THEN ${reason('invalid_code', col.name, `${shown(v)} || ${lit(` is not one of: ${col.values.join(', ')}`)}`)}`,
    );
  }
  if (col.min !== undefined) {
    const code: ReasonCode = col.type === 'money' && col.min >= 0 ? 'negative_amount' : 'out_of_range';
    const cond = code === 'negative_amount' ? `${num} < 0` : `${num} < ${col.min}`;
    const text = code === 'negative_amount' ? ' is negative: amounts must be zero or more' : ` is below the minimum ${col.min}`;
    checks.push(`WHEN ${present} AND ${cond} THEN ${reason(code, col.name, `${shown(display)} || ${lit(text)}`)}`);
    if (code === 'negative_amount' && col.min > 0) {
      checks.push(`WHEN ${present} AND ${num} < ${col.min} THEN ${reason('out_of_range', col.name, `${shown(display)} || ${lit(` is below the minimum ${col.min}`)}`)}`);
    }
  }
  if (col.max !== undefined) {
    checks.push(`WHEN ${present} AND ${num} > ${col.max} THEN ${reason('out_of_range', col.name, `${shown(display)} || ${lit(` is above the maximum ${col.max}`)}`)}`);
  }
  return checks;
}

/**
 * Message SQL of a value missing from a long code list kept as data (`col.valuesList`, e.g. ISO
 * 4217): names the value, the list and its file, and the fix — the code in upper case when that is
 * what differs, the code for a known alias (`RMB` → `CNY`), else an example.
 *
 * @example
 * codeListMessageSql(loans.currency, '"currency"');
 * // SQL giving e.g. "'RMB' is not an ISO 4217 currency code (transforms/ingest/contract/iso-4217.json). Fix: use CNY."
 */
export function codeListMessageSql(col: ColumnContract, v: string): string {
  const list = col.valuesList!;
  const values = `[${col.values!.map(lit).join(', ')}]`;
  const aliases = Object.entries(list.aliases ?? {})
    .map(([from, to]) => `WHEN upper(${v}) = ${lit(from)} THEN ${lit(`use ${to}`)}`)
    .join(' ');
  const examples = ['CNY', 'EUR', 'USD'].filter((c) => col.values!.includes(c));
  const example = lit(`deliver ${list.name}, e.g. ${examples.length ? examples.join(', ') : col.values![0]}; the list is in ${list.file}`);
  return `${shown(v)} || ${lit(` is not ${list.name} (${list.file}). Fix: `)} || CASE WHEN list_contains(${values}, upper(${v})) THEN 'write it in upper case: ' || upper(${v}) ${aliases} ELSE ${example} END || '.'`;
}

/**
 * Whether a Parquet column of DuckDB type `duckdbType` can be checked as typed input for `col`
 * (see {@link columnChecks}): its every value has a text form the contract's pattern accepts,
 * once the bounds in TYPED_BOUNDS hold. Anything else (e.g. DOUBLE for money, which may carry
 * fractions of a cent; TIMESTAMP_NS) is cast to VARCHAR and checked as text.
 *
 * @example
 * typedInputColumn({ name: 'principal', type: 'money', … }, 'DECIMAL(18,2)') // true
 * typedInputColumn({ name: 'principal', type: 'money', … }, 'DOUBLE') // false
 */
export function typedInputColumn(col: ColumnContract, duckdbType: string): boolean {
  const t = duckdbType.toUpperCase().replace(/\s+/g, '');
  // HUGEINT is left to the text checks: its values can exceed every DECIMAL the bounds compare with.
  const integerType = /^U?(TINYINT|SMALLINT|INTEGER|BIGINT)$/.test(t);
  if (col.values) return false;
  switch (col.type) {
    case 'integer':
      return integerType;
    case 'money': {
      const dec = /^DECIMAL\((\d+),(\d+)\)$/.exec(t);
      return integerType || (dec !== null && Number(dec[2]) <= 2);
    }
    case 'rate':
      return integerType || t === 'FLOAT' || t === 'DOUBLE' || /^DECIMAL\(\d+,\d+\)$/.test(t);
    case 'date':
      return t === 'DATE';
    case 'timestamp':
      return t === 'TIMESTAMP' || t === 'TIMESTAMP_S' || t === 'TIMESTAMP_MS';
    case 'boolean':
      return t === 'BOOLEAN';
    case 'text':
      return false;
  }
}

/** Expression that converts a checked value (text, or typed input) to its contract type. */
export function typedExpr(col: ColumnContract, typed = false): string {
  const v = q(col.name);
  // TRY_CAST: a value outside the bounds (e.g. a BIGINT above INTEGER's range) is rejected by its
  // check, and must not fail the whole pass here.
  if (typed) return `TRY_CAST(${v} AS ${COLUMN_TYPES[col.type]})`;
  if (col.type === 'boolean') return `CASE lower(${v}) WHEN 'true' THEN true WHEN '1' THEN true WHEN 'false' THEN false WHEN '0' THEN false END`;
  if (col.type === 'text') return v;
  return `TRY_CAST(${v} AS ${COLUMN_TYPES[col.type]})`;
}

/**
 * A text value with surrounding spaces removed, '' as NULL: `nullif(trim(v), '')`, where
 * DuckDB's trim removes Unicode space separators (' ', U+00A0, U+3000 …; not tabs). trim
 * copies every string, which cost a quarter of a big file's check pass, so it runs only for
 * values that start or end with a space, or that hold non-ASCII text with a space separator at
 * either end (the regex runs only on non-ASCII values: byte length ≠ character length).
 * test/ingest/load-contract.test.ts checks it equals `nullif(trim(v), '')` for every code point.
 *
 * @example
 * normalisedText('"loan_id"') // CASE WHEN starts_with("loan_id", ' ') OR … THEN nullif(trim("loan_id"), '') ELSE nullif("loan_id", '') END
 */
export function normalisedText(v: string): string {
  const spaced = `starts_with(${v}, ' ') OR ends_with(${v}, ' ') OR (strlen(${v}) <> length(${v}) AND regexp_matches(${v}, '^\\p{Zs}|\\p{Zs}$'))`;
  return `CASE WHEN ${spaced} THEN nullif(trim(${v}), '') ELSE nullif(${v}, '') END`;
}

/**
 * Phase 1, one pass from the input relation (one VARCHAR column per contract column — or, for
 * the columns named in `typedColumns`, a value already of the contract type — plus
 * `_rn` when the relation numbers its own rows) to typed columns and the first column- or
 * rule-level failure as `_reason`. The text of a row is kept (`_raw`, JSON) only when the row
 * fails a column check, or for every row when `keepAllText` (the last line may be truncated).
 * Row numbers are not computed here: numbering is a sequential pipeline in DuckDB, so native
 * files are numbered by the order-preserving insert into the result table (its rowid).
 */
export function typedCheckSql(
  entity: EntityContract,
  inputRelation: string,
  opts: { hasRowNumber: boolean; keepAllText: boolean; typedColumns?: readonly string[]; businessDate?: string },
): string {
  const isTyped = (c: ColumnContract) => opts.typedColumns?.includes(c.name) ?? false;
  const normalised = entity.columns
    .map((c) => `${isTyped(c) ? q(c.name) : normalisedText(q(c.name))} AS ${q(c.name)}, ${q(c.name)} AS ${q(`_o_${c.name}`)}`)
    .join(',\n    ');
  // Text values of typed columns are cast once (`_t_<column>`), for the checks and the output.
  const castOnce = entity.columns.filter((c) => !isTyped(c) && c.type !== 'text' && c.type !== 'boolean');
  const castName = (c: ColumnContract) => q(`_t_${c.name}`);
  const casts = castOnce.map((c) => `, ${typedExpr(c)} AS ${castName(c)}`).join('');
  const whens = entity.columns.flatMap((c) => columnChecks(c, isTyped(c), castOnce.includes(c) ? castName(c) : undefined, opts.businessDate));
  const columnReason = whens.length
    ? `CASE\n      ${whens.join('\n      ')}\n    END`
    : 'CAST(NULL AS STRUCT(code VARCHAR, column_name VARCHAR, message VARCHAR))';
  const typed = entity.columns.map((c) => `${castOnce.includes(c) ? castName(c) : typedExpr(c, isTyped(c))} AS ${q(c.name)}`).join(',\n    ');
  const original = (c: ColumnContract) => (isTyped(c) ? `CAST(${q(`_o_${c.name}`)} AS VARCHAR)` : q(`_o_${c.name}`));
  const text = `CAST(json_object(${entity.columns.map((c) => `${lit(c.name)}, ${original(c)}`).join(', ')}) AS VARCHAR)`;
  const ruleWhens = (entity.rules ?? []).map(
    (r) => `WHEN NOT coalesce((${r.sql}), false) THEN ${reason('rule_violation', null, lit(`${r.message} (rule ${r.id}: ${r.sql})`))}`,
  );
  const ruleReason = ruleWhens.length ? `coalesce(_col_reason, CASE ${ruleWhens.join(' ')} END)` : '_col_reason';
  return `
SELECT * EXCLUDE (_col_reason), ${ruleReason} AS _reason FROM (
  SELECT ${opts.hasRowNumber ? '_rn, ' : ''}
    ${typed},
    _col_reason,
    ${opts.keepAllText ? text : `CASE WHEN _col_reason IS NOT NULL THEN ${text} END`} AS _raw
  FROM (
    SELECT ${columnReason} AS _col_reason, *
    FROM (SELECT *${casts} FROM (SELECT ${opts.hasRowNumber ? '_rn, ' : ''}${normalised} FROM ${inputRelation}))
  )
)`;
}

/** The STRUCT literal of a truncated-last-line reason, for `line`. */
export function truncatedReasonSql(line: number): string {
  return reason(
    'truncated_line',
    null,
    lit(`line ${line} is the last line and the file does not end with a newline: the line is probably cut off. Fix: re-deliver the complete file.`),
  );
}

/**
 * Phase 2: key checks over the typed rows that passed phase 1, as a small relation
 * (`_line`, `_reason`) of the rows that fail them: duplicate primary keys within the file (the
 * first occurrence is kept), keys already loaded for another business date (events), and
 * references to parents that exist neither in this load nor in earlier ones. Only the keys
 * in the file are looked up (a hash aggregate for duplicates; each reference is one anti-join of
 * the file's rows against the parent table, cheaper than first collecting the distinct keys).
 * The first failing check wins, in that order. `opts.checkedReferences` gives, for a reference
 * (by its index in `entity.references`), the file's rows already found unknown by a check
 * shared with the date's other files ({@link referenceCheckSql}): a relation (`_line`, `_key`).
 */
export function keyCheckSql(
  entity: EntityContract,
  typedRelation: string,
  opts: { crossDateUnique: boolean; checkedReferences?: ReadonlyMap<number, string>; businessDate?: string },
): string {
  const pk = entity.primaryKey.map(q);
  const pkList = pk.join(', ');
  const pkName = entity.primaryKey.join(',');
  const keyText = (alias: string) =>
    `'(${entity.primaryKey.join(', ')}) = (' || ${entity.primaryKey.map((c) => `coalesce(CAST(${alias}.${q(c)} AS VARCHAR), '')`).join(` || ', ' || `)} || ')'`;
  const parts: string[] = [];
  parts.push(`SELECT ok._line, 1 AS _prio, ${reason('duplicate_key', pkName, `${keyText('ok')} || ' repeats line ' || d._first`)} AS _reason
    FROM ok JOIN (SELECT ${pkList}, min(_line) AS _first FROM ok GROUP BY ${pkList} HAVING count(*) > 1) d
      ON ${entity.primaryKey.map((c) => `d.${q(c)} = ok.${q(c)}`).join(' AND ')}
    WHERE ok._line <> d._first`);
  if (opts.crossDateUnique) {
    // Events keep their key across dates, so raw holds each key once.
    parts.push(`SELECT ok._line, 2 AS _prio, ${reason('duplicate_key', pkName, `${keyText('ok')} || ' was already loaded for business date ' || CAST(prev._business_date AS VARCHAR)`)} AS _reason
    FROM ok JOIN raw.${entity.name} prev ON ${entity.primaryKey.map((c) => `prev.${q(c)} = ok.${q(c)}`).join(' AND ')}`);
  }
  entity.references.forEach((ref, i) => {
    // A parent row of this delivery that was itself rejected (e.g. a loan with a bad currency code)
    // is named, so the child's reason leads to the cause: ': its loans row (line 2) was rejected …'.
    const rejectedParent = opts.businessDate
      ? `LEFT JOIN (SELECT json_extract_string(raw_record, ${lit(`$.${ref.entityColumn}`)}) AS _pk, min(line) AS _pline FROM ops.rejected_rows
           WHERE business_date = DATE ${lit(opts.businessDate)} AND entity = ${lit(ref.entity)} AND json_valid(raw_record) GROUP BY 1) rp ON rp._pk = `
      : null;
    const unknown = (value: string) =>
      reason(
        'unknown_reference',
        ref.column,
        `${lit(`${ref.column} `)} || ${shown(value)} || ${lit(` does not exist in ${ref.entity} (this or any earlier business date)`)}${
          rejectedParent ? ` || CASE WHEN rp._pline IS NOT NULL THEN ${lit(`: its ${ref.entity} row in this delivery (line `)} || rp._pline || ${lit(`) was rejected; fix that row first (its reason is in ops.rejected_rows)`)} ELSE '' END` : ''
        }`,
      );
    const checked = opts.checkedReferences?.get(i);
    if (checked) {
      parts.push(`SELECT r._line, ${3 + i} AS _prio, ${unknown('r._key')} AS _reason FROM ${checked} r ${rejectedParent ? `${rejectedParent}r._key` : ''}`);
      return;
    }
    parts.push(`SELECT ok._line, ${3 + i} AS _prio, ${unknown(`ok.${q(ref.column)}`)} AS _reason
    FROM ok ${rejectedParent ? `${rejectedParent}ok.${q(ref.column)}` : ''} ANTI JOIN raw.${ref.entity} p ON p.${q(ref.entityColumn)} = ok.${q(ref.column)}
    WHERE ok.${q(ref.column)} IS NOT NULL`);
  });
  const cols = [...new Set([...entity.primaryKey, ...entity.references.map((r) => r.column)])].map(q).join(', ');
  return `
WITH ok AS (SELECT _line, ${cols} FROM ${typedRelation} WHERE _reason IS NULL)
SELECT _line, arg_min(_reason, _prio) AS _reason FROM (
  ${parts.join('\n  UNION ALL\n  ')}
) GROUP BY _line`;
}

/** One file's column that references a parent, for {@link referenceCheckSql}. */
export interface ReferencingColumn {
  /** Number of the file among the date's files (`_file` in the result). */
  file: number;
  /** Index of the reference in the file entity's `references` (`_ref` in the result). */
  ref: number;
  /** The file's staged rows (relation with `_line`, `_reason` and the column). */
  rows: string;
  column: string;
}

/**
 * Reference check of several files against the same parent key at once: the rows (that passed
 * their column checks) whose value is absent from `raw.<parent>`, as (`_file`, `_ref`, `_line`,
 * `_key`). One anti-join builds the parent's hash table once for all of a business date's files
 * that point at it (balances, schedule, repayments and warnings all reference loans), instead of
 * once per file. Run it after the parent's own file of the date is inserted.
 *
 * @example
 * referenceCheckSql({ entity: 'loans', column: 'loan_id' }, [{ file: 4, ref: 0, rows: '_rows_4', column: 'loan_id' }])
 */
export function referenceCheckSql(parent: { entity: string; column: string }, columns: readonly ReferencingColumn[]): string {
  const keys = columns
    .map((c) => `SELECT ${c.file} AS _file, ${c.ref} AS _ref, _line, ${q(c.column)} AS _key FROM ${c.rows} WHERE _reason IS NULL AND ${q(c.column)} IS NOT NULL`)
    .join('\n  UNION ALL\n  ');
  return `SELECT c._file, c._ref, c._line, c._key FROM (\n  ${keys}\n) c ANTI JOIN raw.${parent.entity} p ON p.${q(parent.column)} = c._key`;
}
