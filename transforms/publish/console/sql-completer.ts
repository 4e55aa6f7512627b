/**
 * Tab completion for the console (readline's `completer`): SQL keywords, schemas, tables as
 * `schema.table`, columns (of the tables the statement names first), and dot commands, from the
 * relations of the open session — the warehouse's tables and views exactly as the analyst can
 * query them (sql-session.ts).
 */

/** What completion needs to know of a relation. */
export interface CompletionRelation {
  schema: string;
  name: string;
  columns: readonly { name: string }[];
}

/** Keywords and functions offered for completion (upper case; offered in the case typed). */
export const SQL_KEYWORDS: readonly string[] = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'WITH', 'AS', 'AND', 'OR', 'NOT', 'IN', 'IS',
  'NULL', 'LIKE', 'ILIKE', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER',
  'CROSS', 'ON', 'USING', 'UNION', 'ALL', 'EXCEPT', 'INTERSECT', 'DISTINCT', 'ASC', 'DESC', 'NULLS', 'FIRST', 'LAST', 'OVER',
  'PARTITION', 'QUALIFY', 'WINDOW', 'ROWS', 'RANGE', 'VALUES', 'DESCRIBE', 'SHOW', 'SUMMARIZE', 'EXPLAIN', 'ANALYZE', 'PIVOT',
  'UNPIVOT', 'EXCLUDE', 'REPLACE', 'CAST', 'TRY_CAST', 'DATE', 'TIMESTAMP', 'INTERVAL', 'TRUE', 'FALSE', 'COUNT', 'SUM', 'AVG',
  'MIN', 'MAX', 'COALESCE', 'NULLIF', 'ROUND', 'DATE_TRUNC', 'LAST_DAY', 'STRFTIME', 'ROW_NUMBER', 'RANK', 'LAG', 'LEAD',
  'DECIMAL', 'VARCHAR', 'INTEGER', 'BIGINT', 'DOUBLE',
];

/** The console's dot commands, for completion at the start of a line. */
export const DOT_COMMANDS: readonly string[] = [
  '.tables', '.schema', '.metrics', '.queries', '.run', '.limit', '.timeout', '.mode', '.pager', '.reopen', '.help', '.quit', '.exit',
];

const DOT_ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  '.mode': ['table', 'vertical', 'auto'],
  '.pager': ['on', 'off'],
};

/** Tables named after FROM / JOIN (and after `.schema`), as `schema.name` or `name`. */
function namedTables(text: string): string[] {
  return [...text.matchAll(/\b(?:from|join|describe|summarize)\s+("?[\w]+"?(?:\."?[\w]+"?)?)/gi)].map((m) => m[1]!.replaceAll('"', '').toLowerCase());
}

/** Completions in the case the word was typed in (keywords in upper case only when the word is). */
function inCaseOf(word: string, candidate: string): string {
  return word && word === word.toUpperCase() && /[A-Z]/.test(word) ? candidate.toUpperCase() : candidate.toLowerCase();
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/**
 * A readline completer: given the line up to the cursor, the words that complete the word
 * being typed and that word. After `schema.` the tables of that schema; after `schema.table.`
 * or `table.` the table's columns; otherwise keywords, schemas (`core.`), tables by their
 * short name (completed to `schema.table`) and columns — those of the tables named in the
 * statement (`from`, `join`), else every column. Matching ignores case. `context` is the
 * multi-line statement typed so far, so columns complete on its later lines too. `source` is the
 * relations or a function returning the current ones (the console's change on `.reopen`).
 *
 * @example
 * const complete = sqlCompleter(session.relations);
 * complete('select * from core.dim_lo'); // [['core.dim_loans'], 'core.dim_lo']
 * complete('select branch_n', 'from core.dim_branches'); // [['branch_name_en', 'branch_name_zh'], 'branch_n']
 */
export function sqlCompleter(source: readonly CompletionRelation[] | (() => readonly CompletionRelation[])): (line: string, context?: string) => [string[], string] {
  const rels = typeof source === 'function' ? source : () => source;
  return (line, context = '') => {
    const all = rels();
    // Dot commands: the command itself, then its argument.
    const dot = /^\s*(\.\w*)$/.exec(line);
    if (dot && !context) return [DOT_COMMANDS.filter((c) => c.startsWith(dot[1]!.toLowerCase())), dot[1]!];
    const dotArg = /^\s*(\.\w+)\s+(\S*)$/.exec(line);
    if (dotArg && !context) {
      const [, cmd, word] = dotArg as unknown as [string, string, string];
      const choices = cmd === '.schema' || cmd === '.tables' ? all.map((r) => `${r.schema}.${r.name}`) : (DOT_ARGUMENTS[cmd] ?? []);
      return [choices.filter((c) => c.startsWith(word.toLowerCase())).sort(), word];
    }
    const word = /[\w.]*$/.exec(line)![0];
    const lw = word.toLowerCase();
    const parts = lw.split('.');
    if (parts.length >= 2) {
      const head = parts.slice(0, -1).join('.');
      const last = parts[parts.length - 1]!;
      const prefix = word.slice(0, word.length - last.length);
      // schema.table → the schema's tables; schema.table.col or table.col → the table's columns.
      const tables = all.filter((r) => r.schema === head && r.name.startsWith(last)).map((r) => `${prefix}${r.name}`);
      const owner = all.filter((r) => `${r.schema}.${r.name}` === head || r.name === head);
      const columns = owner.flatMap((r) => r.columns.map((c) => c.name)).filter((c) => c.toLowerCase().startsWith(last)).map((c) => `${prefix}${c}`);
      return [unique([...tables, ...columns]).sort(), word];
    }
    if (!word) return [[], word];
    const named = namedTables(`${context}\n${line}`);
    const inStatement = all.filter((r) => named.includes(`${r.schema}.${r.name}`) || named.includes(r.name));
    const columnPool = (inStatement.length ? inStatement : all).flatMap((r) => r.columns.map((c) => c.name));
    const schemas = unique(all.map((r) => `${r.schema}.`));
    const prefixMatches = unique([
      ...columnPool.filter((c) => c.toLowerCase().startsWith(lw)),
      ...schemas.filter((s) => s.startsWith(lw)),
      ...SQL_KEYWORDS.filter((k) => k.toLowerCase().startsWith(lw)).map((k) => inCaseOf(word, k)),
    ]).sort();
    // A table typed by its short name completes to schema.table.
    const tables = all.filter((r) => r.name.startsWith(lw)).map((r) => `${r.schema}.${r.name}`);
    return [unique([...prefixMatches, ...tables]), word];
  };
}
