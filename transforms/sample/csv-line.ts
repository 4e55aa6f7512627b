/**
 * RFC 4180 handling of single CSV lines (the generator never writes line breaks inside fields),
 * used to edit generated files when injecting faults.
 */

/**
 * Splits one CSV line into fields; quoted fields may contain commas and doubled quotes.
 *
 * @example
 * parseCsvLine('a,"b,c","d""e",'); // ['a', 'b,c', 'd"e', '']
 */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quoted field in CSV line: ${line.slice(0, 80)}`);
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
    } else {
      const c = line.indexOf(',', i);
      fields.push(line.slice(i, c < 0 ? line.length : c));
      i = c < 0 ? line.length : c;
    }
    if (i >= line.length) break;
    if (line[i] !== ',') throw new Error(`unexpected character after quoted field in CSV line: ${line.slice(0, 80)}`);
    i++;
    if (i === line.length) {
      fields.push('');
      break;
    }
  }
  return fields;
}

/**
 * Joins fields into one CSV line, quoting a field only when it holds a comma, quote or line break.
 *
 * @example
 * formatCsvLine(['a', 'b,c', 'd"e', '']); // 'a,"b,c","d""e",'
 */
export function formatCsvLine(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',');
}
