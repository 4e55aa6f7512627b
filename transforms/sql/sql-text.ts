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

/**
 * Removes trailing whitespace, comments and statement terminators (`;`), so the statement
 * can be wrapped, e.g. in `COPY (…) TO …`.
 *
 * @example
 * stripTerminator('select 1; -- done\n'); // 'select 1'
 */
export function stripTerminator(sql: string): string {
  const segs = scanSql(sql);
  let end = sql.length;
  for (let k = segs.length - 1; k >= 0; k--) {
    const s = segs[k]!;
    if (s.kind === 'comment') {
      end = s.start;
      continue;
    }
    if (s.kind !== 'code') break;
    const text = sql.slice(s.start, end);
    const trimmed = text.replace(/[\s;]+$/, '');
    end = s.start + trimmed.length;
    if (trimmed.length > 0) break;
  }
  return sql.slice(0, end);
}

/**
 * For `EXPLAIN [ANALYZE] <query>` returns `<query>`; otherwise undefined. Comments before
 * the keyword are allowed.
 *
 * @example
 * explainTarget('explain analyze select 1'); // 'select 1'
 */
export function explainTarget(sql: string): string | undefined {
  const segs = scanSql(sql);
  let offset = 0;
  for (const s of segs) {
    if (s.kind === 'comment' || sql.slice(s.start, s.end).trim() === '') {
      offset = s.end;
      continue;
    }
    break;
  }
  const m = /^\s*explain(\s+analyze)?\b/i.exec(sql.slice(offset));
  return m ? sql.slice(offset + m[0].length) : undefined;
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
