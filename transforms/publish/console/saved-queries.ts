import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CqError } from '../../lib/errors.js';
import { normalizeSqlText, scanSql } from './sql-text.js';

/** The folder of saved queries. */
export const QUERIES_DIR = 'queries';

/** A declared parameter of a saved query. */
export interface SavedQueryParam {
  name: string;
  required: boolean;
  description: string;
}

/** A saved query: `queries/<name>.sql` with its header. */
export interface SavedQuery {
  name: string;
  file: string;
  title: string;
  author: string;
  description: string;
  params: SavedQueryParam[];
  examples: string[];
  sql: string;
}

/**
 * Parses a saved query. The file starts with a header of `-- key: value` comment lines
 * (a line starting `--` followed by two or more spaces continues the previous value):
 *
 * ```sql
 * -- title: Roll rates by branch
 * -- author: Credit risk analytics
 * -- description: Count roll rates between delinquency buckets per branch for one month end.
 * -- param month: optional. Month to report, YYYY-MM (default: the latest reported month).
 * -- example: npm run sql -- --query roll-rates-by-branch --param month=2026-10
 * select … where as_of_month = coalesce(last_day(($month || '-01')::DATE), …)
 * ```
 *
 * `title` and `author` are required; every `$name` in the SQL must be declared with
 * `param name: required|optional. description`, and every declared one used. Parameters
 * are bound as VARCHAR (NULL when an optional one is not given).
 *
 * @example
 * const q = parseSavedQuery('queries/roll-rates-by-branch.sql', readFileSync(path, 'utf8'));
 */
export function parseSavedQuery(file: string, raw: string): SavedQuery {
  const bad = (why: string) => new CqError('SQL_ERROR', `${file}: ${why}`, { file });
  let text: string;
  try {
    text = normalizeSqlText(raw);
  } catch (e) {
    throw new CqError('SQL_FORBIDDEN', `${file}: ${(e as Error).message}`, { ...(e as CqError).where, file });
  }
  const header: [string, string][] = [];
  const lines = text.split(/\r?\n/);
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      if (header.length) break;
      continue;
    }
    if (!line.startsWith('--')) break;
    const cont = /^--\s{2,}(\S.*)$/.exec(line);
    const kv = /^--\s?([a-z]+(?: [A-Za-z_][A-Za-z0-9_]*)?):\s*(.*)$/.exec(line);
    if (kv) header.push([kv[1]!, kv[2]!.trim()]);
    else if (cont && header.length) header[header.length - 1]![1] += ` ${cont[1]!.trim()}`;
    else if (line.replace(/^--\s*/, '') !== '') throw bad(`header line ${i + 1} is not "-- key: value": ${line}`);
  }
  const q: SavedQuery = { name: basename(file).replace(/\.sql$/, ''), file, title: '', author: '', description: '', params: [], examples: [], sql: text };
  for (const [key, value] of header) {
    if (key === 'title') q.title = value;
    else if (key === 'author') q.author = value;
    else if (key === 'description') q.description = value;
    else if (key === 'example') q.examples.push(value);
    else if (key.startsWith('param ')) {
      const m = /^(required|optional)\.?\s*(.*)$/i.exec(value);
      if (!m) throw bad(`"${key}: ${value}" must say "required" or "optional" first, e.g. "-- param month: optional. Month, YYYY-MM".`);
      q.params.push({ name: key.slice(6), required: m[1]!.toLowerCase() === 'required', description: m[2]! });
    } else throw bad(`unknown header key "${key}" (known: title, author, description, param NAME, example).`);
  }
  if (!q.title) throw bad('the header needs "-- title: …".');
  if (!q.author) throw bad('the header needs "-- author: …".');
  const used = parametersUsed(text);
  const declared = new Set(q.params.map((p) => p.name));
  const undeclared = [...used].filter((n) => !declared.has(n));
  if (undeclared.length) throw bad(`uses ${undeclared.map((n) => `$${n}`).join(', ')} without declaring it ("-- param ${undeclared[0]}: optional. …").`);
  const unused = [...declared].filter((n) => !used.has(n));
  if (unused.length) throw bad(`declares param ${unused.join(', ')} but the SQL never uses $${unused[0]}.`);
  return q;
}

/** `$name` parameters used in SQL code (not in strings or comments). @example parametersUsed("select $a, '$b'") // Set {'a'} */
export function parametersUsed(sql: string): Set<string> {
  const used = new Set<string>();
  for (const s of scanSql(sql)) {
    if (s.kind !== 'code') continue;
    for (const m of sql.slice(s.start, s.end).matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)) used.add(m[1]!);
  }
  return used;
}

/**
 * Loads a saved query by name (`roll-rates-by-branch` → `queries/roll-rates-by-branch.sql`)
 * or by path to a `.sql` file.
 *
 * @example
 * const q = loadSavedQuery('roll-rates-by-branch');
 */
export function loadSavedQuery(nameOrPath: string, dir: string = QUERIES_DIR): SavedQuery {
  const file = nameOrPath.endsWith('.sql') || nameOrPath.includes('/') ? nameOrPath : join(dir, `${nameOrPath}.sql`);
  if (!existsSync(file)) {
    const known = existsSync(dir) ? listSavedQueries(dir).map((q) => q.name) : [];
    throw new CqError('CLI_USAGE', `no saved query "${nameOrPath}" (${file} does not exist).${known.length ? ` Saved queries: ${known.join(', ')}.` : ''}`, { file });
  }
  return parseSavedQuery(file, readFileSync(file, 'utf8'));
}

/** Every saved query in `dir`, by name. @example listSavedQueries().map((q) => q.name) */
export function listSavedQueries(dir: string = QUERIES_DIR): SavedQuery[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseSavedQuery(join(dir, f), readFileSync(join(dir, f), 'utf8')));
}

/**
 * The parameter values to bind: given ones, NULL for optional ones not given. Throws
 * `CLI_USAGE` for an unknown name or a missing required one.
 *
 * @example
 * resolveParams(q, { month: '2026-10' }); // { month: '2026-10' }
 */
export function resolveParams(q: SavedQuery, given: Readonly<Record<string, string>>): Record<string, string | null> {
  const declared = new Map(q.params.map((p) => [p.name, p]));
  const usage = q.params.map((p) => `--param ${p.name}=…${p.required ? '' : ' (optional)'}`).join(' ');
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) throw new CqError('CLI_USAGE', `${q.file} has no parameter "${name}". It takes: ${usage || 'no parameters'}.`);
  }
  const out: Record<string, string | null> = {};
  for (const p of q.params) {
    if (p.name in given) out[p.name] = given[p.name]!;
    else if (p.required) throw new CqError('CLI_USAGE', `${q.file} needs --param ${p.name}=VALUE (${p.description}).`);
    else out[p.name] = null;
  }
  return out;
}
