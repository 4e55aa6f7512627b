import { describe, expect, it } from 'vitest';
import { csvField, isFormulaLike, parseCsv } from '../../transforms/lib/csv.js';

describe('csvField', () => {
  it('guards text a spreadsheet would run as a formula, not numbers, and only when asked (text values)', () => {
    for (const t of ['=1+1', '+1', '-cmd', '@SUM(A1)', '\tx', '\rx', '-', '-1e5']) expect(isFormulaLike(t), t).toBe(true);
    for (const t of ['-12.50', '-5', '12', 'a=b', '', '张伟']) expect(isFormulaLike(t), t).toBe(false);
    expect(csvField('=1+1', true)).toBe("'=1+1");
    expect(csvField('=1+1')).toBe('=1+1');
    expect(csvField('-12.50', true)).toBe('-12.50');
  });

  it('quotes a comma, a quote, a line break and leading or trailing white space; reads back what it wrote', () => {
    const fields = ['a,b', 'say "hi"', 'two\nlines', ' pad', 'pad ', 'plain', ''];
    expect(fields.map((f) => csvField(f))).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', '" pad"', '"pad "', 'plain', '']);
    expect(parseCsv(`${fields.map((f) => csvField(f)).join(',')}\r\n`)).toEqual([fields]);
  });
});
