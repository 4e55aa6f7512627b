/**
 * The project's CSV text: one field encoder (RFC 4180 quoting plus the spreadsheet
 * formula-injection guard) used by the regulator exports and the analyst console, and the
 * matching reader.
 */

/** UTF-8 byte order mark: Excel needs it to read Chinese text in a CSV correctly. */
export const UTF8_BOM = '\uFEFF';

/**
 * True when a spreadsheet would run `text` as a formula: it starts with `=` `+` `-` `@`, a tab or a
 * carriage return, and is not a plain decimal number (`-12.50` stays a number).
 *
 * @example
 * isFormulaLike('=HYPERLINK("http://x")'); // true
 * isFormulaLike('-12.50'); // false
 */
export function isFormulaLike(text: string): boolean {
  return /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text);
}

/**
 * One CSV field, RFC 4180 quoted when it holds `,` `"` or a line break, or starts or ends with
 * white space. When `isText` (the value is text from data, not a number or a date), text that a
 * spreadsheet would run as a formula ({@link isFormulaLike}) is prefixed with an apostrophe, so
 * Excel / LibreOffice show it instead of running it.
 *
 * @example
 * csvField('a,b'); // '"a,b"'
 * csvField('=HYPERLINK("x")', true); // `"'=HYPERLINK(""x"")"`
 * csvField('-12.50', true); // '-12.50'
 */
export function csvField(text: string, isText = false): string {
  const t = isText && isFormulaLike(text) ? `'${text}` : text;
  return /[",\r\n]|^\s|\s$/.test(t) ? `"${t.replaceAll('"', '""')}"` : t;
}

/**
 * Parses CSV text (optional BOM, quoted fields with doubled quotes and line breaks, CRLF or LF
 * line ends) into rows of fields.
 *
 * @example
 * parseCsv('\uFEFFa,"b,c"\r\n'); // [['a', 'b,c']]
 */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith(UTF8_BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
