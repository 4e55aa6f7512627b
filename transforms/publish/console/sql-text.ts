import { CqError } from '../../lib/errors.js';

/**
 * Lexical helpers over SQL text that only need to know where strings, quoted identifiers
 * and comments are (DuckDB's own parser does everything else): where a statement ends,
 * its first keyword, and the text without a trailing `;`.
 */

/** A run of SQL text of one lexical kind. */
export interface SqlSegment {
  kind: 'code' | 'string' | 'identifier' | 'comment';
  start: number;
  end: number;
}

const DOLLAR_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/**
 * Splits SQL into code, string ('…', E'…', $tag$…$tag$), quoted identifier ("…") and
 * comment (-- …, nested /* … *\/) segments. An unterminated string or comment runs to the end.
 *
 * @example
 * scanSql("select 'a;b' -- c").map((s) => s.kind); // ['code', 'string', 'code', 'comment']
 */
export function scanSql(sql: string): SqlSegment[] {
  const segments: SqlSegment[] = [];
  let i = 0;
  let codeStart = 0;
  const push = (kind: SqlSegment['kind'], start: number, end: number) => {
    if (codeStart < start) segments.push({ kind: 'code', start: codeStart, end: start });
    segments.push({ kind, start, end });
    codeStart = end;
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const nl = sql.indexOf('\n', i);
      const end = nl === -1 ? sql.length : nl;
      push('comment', i, end);
      i = end;
    } else if (ch === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < sql.length && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') (depth++, (j += 2));
        else if (sql[j] === '*' && sql[j + 1] === '/') (depth--, (j += 2));
        else j++;
      }
      push('comment', i, j);
      i = j;
    } else if (ch === "'" || ((ch === 'e' || ch === 'E') && next === "'" && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? ''))) {
      const escapes = ch !== "'";
      let j = escapes ? i + 2 : i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      const end = Math.min(j + 1, sql.length);
      push('string', i, end);
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      const end = Math.min(j + 1, sql.length);
      push('identifier', i, end);
      i = end;
    } else if (ch === '$' && DOLLAR_TAG.test(sql.slice(i, i + 66)) && !/[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 66))![0];
      const close = sql.indexOf(tag, i + tag.length);
      const end = close === -1 ? sql.length : close + tag.length;
      push('string', i, end);
      i = end;
    } else {
      i++;
    }
  }
  if (codeStart < sql.length) segments.push({ kind: 'code', start: codeStart, end: sql.length });
  return segments;
}

/** The SQL with comments removed (strings and identifiers kept verbatim). */
function codeOnly(sql: string): string {
  return scanSql(sql)
    .map((s) => (s.kind === 'comment' ? ' ' : sql.slice(s.start, s.end)))
    .join('');
}

/**
 * True when the text ends a statement: its last character outside comments is a `;`
 * that is not inside a string or quoted identifier. Used by the console for multi-line input.
 *
 * @example
 * isStatementComplete("select ';'"); // false
 * isStatementComplete('select 1; -- done'); // true
 */
export function isStatementComplete(sql: string): boolean {
  const segs = scanSql(sql).filter((s) => s.kind !== 'comment' && sql.slice(s.start, s.end).trim() !== '');
  const last = segs.at(-1);
  return !!last && last.kind === 'code' && sql.slice(last.start, last.end).trimEnd().endsWith(';');
}

/**
 * The first keyword of a statement (comments and whitespace skipped), upper-cased, or ''.
 *
 * @example
 * firstKeyword('-- note\n  copy t to \'x\''); // 'COPY'
 */
export function firstKeyword(sql: string): string {
  const m = /^[\s(]*([A-Za-z_]+)/.exec(codeOnly(sql));
  return m ? m[1]!.toUpperCase() : '';
}

/** Characters refused anywhere in analyst SQL: C0 controls other than tab and newline, DEL, C1 controls, and Unicode line / paragraph separators. */
const REFUSED_CHARACTER = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]/;

/**
 * The analyst's SQL as the console runs it: Windows line ends (`\r\n`) become `\n`; any other
 * control character (a lone `\r`, NUL, vertical tab, form feed, …) anywhere in the text is
 * refused with `SQL_FORBIDDEN`, naming its line and column. DuckDB ends a `--` comment at `\r`
 * as well as `\n`, so a lone `\r` could make the text mean one thing to a reader (or any
 * scanner) and another to DuckDB; no legitimate query needs one (write `chr(13)` in SQL).
 *
 * @example
 * normalizeSqlText('select 1\r\n'); // 'select 1\n'
 * normalizeSqlText('-- c\rselect 1'); // throws SQL_FORBIDDEN (control character U+000D at line 1, column 5)
 */
export function normalizeSqlText(sql: string): string {
  const text = sql.replace(/\r\n/g, '\n');
  const m = REFUSED_CHARACTER.exec(text);
  if (m) {
    const before = text.slice(0, m.index);
    const line = before.split('\n').length;
    const column = m.index - before.lastIndexOf('\n');
    const code = `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new CqError(
      'SQL_FORBIDDEN',
      `refused: control character ${code} at line ${line}, column ${column}. Only tab and newline may appear in a query (a lone carriage return can hide text from review). Fix: remove it; inside a string write chr(${m[0].charCodeAt(0)}) instead.`,
      { line, column: String(column) },
    );
  }
  return text;
}

/** The statement an `EXPLAIN [ANALYZE]` prefix applies to. */
export interface ExplainSplit {
  /** `EXPLAIN` or `EXPLAIN ANALYZE`, or '' when the text is not an EXPLAIN. */
  prefix: '' | 'EXPLAIN' | 'EXPLAIN ANALYZE';
  /** The statement after the prefix (the whole text when there is none). */
  target: string;
}

/**
 * Splits a leading `EXPLAIN [ANALYZE]` off a statement. The keyword must open the text (only
 * whitespace before it, no comment), so what follows is exactly what DuckDB would explain; the
 * console checks `target` and runs `prefix + ' ' + target`, text it built itself.
 *
 * @example
 * splitExplain('explain analyze select 1'); // { prefix: 'EXPLAIN ANALYZE', target: 'select 1' }
 * splitExplain('-- x\nexplain select 1');   // { prefix: '', target: '-- x\nexplain select 1' }
 */
export function splitExplain(sql: string): ExplainSplit {
  const m = /^[ \t\n]*explain(?:[ \t\n]+(analyze))?[ \t\n]+/i.exec(sql);
  if (!m) return { prefix: '', target: sql };
  return { prefix: m[1] ? 'EXPLAIN ANALYZE' : 'EXPLAIN', target: sql.slice(m[0].length) };
}

/**
 * True when the text holds no statement: only whitespace, comments and `;`.
 *
 * @example
 * isBlankSql('-- nothing\n;'); // true
 */
export function isBlankSql(sql: string): boolean {
  return scanSql(sql).every((s) => s.kind === 'comment' || (s.kind === 'code' && /^[\s;]*$/.test(sql.slice(s.start, s.end))));
}
