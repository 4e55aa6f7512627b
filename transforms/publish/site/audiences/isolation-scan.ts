/**
 * Proof that a branch site holds no other branch's data. From the head-office site's own Parquet
 * files it collects every value that belongs only to other branches — their codes and names, and every
 * cell of a row that is another branch's (whose `slice_value` or `branch_id` is another
 * branch's code) that appears in no
 * other row — then reads every file of the branch site, decoded (Parquet and Arrow cell by cell,
 * everything else as text), and reports each such value it finds.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { quoteLiteral } from '../../../lib/duckdb.js';
import { walk } from '../../../lib/walk-files.js';
import type { SiteEngine } from './site-engine.js';

/** A value of another branch found in a site. */
export interface Leak {
  /** Site-relative file. */
  file: string;
  value: string;
  /** Where the value comes from in the head-office data (`kpi_values: slice_value = SH01`). */
  owner: string;
}

/** Values that only other branches' rows hold, with the row they come from. */
export type ForeignValues = Map<string, string>;

const TEXT_FILE = /\.(html|js|mjs|css|json|svg|webmanifest|txt|map)$/;
/** CJK text: searched as a substring (Chinese has no word breaks). */
const CJK = /[\u3400-\u9fff]/;

/** The text form of a cell, the same for DuckDB-wasm rows and Arrow rows. */
function cellText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
/** Significant digits of a number's text (`0.0234567` → 6, `88.125` → 5, `1000` → 4). */
const digits = (s: string) => s.replace(/^-/, '').replace('.', '').replace(/e.*$/i, '').replace(/^0+/, '').length;

/**
 * Whether a cell value says something about a branch on its own, so that finding it elsewhere is
 * evidence of a leak: text of two characters or more, numbers with a fraction and at least three
 * significant digits, whole numbers of five digits or more (small counts and booleans coincide).
 */
function distinctiveCell(s: string): boolean {
  if (NUMBER.test(s)) return s.includes('.') ? digits(s) >= 3 : digits(s) >= 5;
  if (s === 'true' || s === 'false') return false;
  return s.length >= 2;
}

/**
 * The stricter test for words of text files (code, markup): a number needs a fraction of four
 * digits or more and five significant digits; a word three characters (two in Chinese).
 */
function distinctiveWord(s: string): boolean {
  if (NUMBER.test(s)) return /\.\d{4,}/.test(s) && digits(s) >= 5;
  return CJK.test(s) ? s.length >= 2 : s.length >= 3 && distinctiveCell(s);
}

/**
 * The SQL condition of "this row belongs to a branch other than the audience's": its `slice_value` or
 * `branch_id` is another branch's code (branch codes are unique among slice values), or it is another
 * branch's code label.
 */
function foreignRow(table: string, columns: readonly string[], others: readonly string[]): string | undefined {
  if (!others.length) return undefined;
  const list = others.map(quoteLiteral).join(', ');
  const parts: string[] = [];
  for (const c of ['slice_value', 'branch_id']) if (columns.includes(c)) parts.push(`${c} in (${list})`);
  if (table === 'code_labels') parts.push(`(kind = 'branch' and code in (${list}))`);
  return parts.length ? parts.join(' or ') : undefined;
}

/**
 * The values of the head-office site that belong only to branches other than `branchId`.
 *
 * @example
 * const foreign = foreignValues(engine, 'release/site', 'BJ01');
 * foreign.get('上海分行'); // 'code_labels: kind = branch, code = SH01'
 */
export function foreignValues(engine: SiteEngine, hoSite: string, branchId: string): ForeignValues {
  const manifest = JSON.parse(readFileSync(`${hoSite}/data/manifest.json`, 'utf8')) as { renderedFiles: Record<string, string[]> };
  const foreign = new Map<string, string>();
  const elsewhere = new Set<string>();
  const shippedFiles = manifest.renderedFiles['warehouse'] ?? [];
  const labels = shippedFiles.find((f) => f.endsWith('/code_labels.parquet'));
  const others = labels
    ? engine.rows(`select code from read_parquet(${quoteLiteral(`${hoSite}/${labels.replace(/^static\//, '')}`)}) where kind = 'branch' and code <> ${quoteLiteral(branchId)}`).map((r) => String(r.code))
    : [];
  for (const shipped of shippedFiles) {
    const table = shipped.split('/').at(-1)!.replace(/\.parquet$/, '');
    const file = quoteLiteral(`${hoSite}/${shipped.replace(/^static\//, '')}`);
    const columns = engine.rows(`describe select * from read_parquet(${file})`).map((r) => String(r.column_name));
    const cond = foreignRow(table, columns, others);
    const rows = engine.rows(`select *, ${cond ?? 'false'} as "__foreign" from read_parquet(${file})`);
    for (const row of rows) {
      const isForeign = row.__foreign === true;
      const owner = isForeign ? `${table}: ${['slice_value', 'branch_id', 'code'].filter((c) => c in row).map((c) => `${c} = ${String(row[c])}`).join(', ')}` : '';
      for (const [col, v] of Object.entries(row)) {
        if (col === '__foreign') continue;
        const s = cellText(v);
        if (s === undefined) continue;
        if (isForeign) {
          if (!foreign.has(s)) foreign.set(s, owner);
        } else elsewhere.add(s);
      }
    }
  }
  for (const s of [...foreign.keys()]) if (elsewhere.has(s) || !distinctiveCell(s)) foreign.delete(s);
  return foreign;
}

/**
 * Every value of `foreign` found in a file of `site` (Parquet and Arrow decoded cell by cell; text
 * files token by token, Chinese values as substrings). Empty means isolated.
 *
 * @example
 * scanForLeaks(engine, 'release/audience-sites/BJ01', foreignValues(engine, 'release/site', 'BJ01')); // []
 */
export function scanForLeaks(engine: SiteEngine, site: string, foreign: ForeignValues): Leak[] {
  const leaks: Leak[] = [];
  const cjk = [...foreign.keys()].filter((s) => CJK.test(s));
  const check = (file: string, text: string) => {
    for (const token of text.match(/[\p{L}\p{N}_.+-]+/gu) ?? []) {
      const word = foreign.has(token) ? token : token.replace(/[.+-]+$/, '');
      const owner = foreign.get(word);
      if (owner && distinctiveWord(word)) leaks.push({ file: relative(site, file), value: word, owner });
    }
    if (CJK.test(text)) for (const s of cjk) if (text.includes(s)) leaks.push({ file: relative(site, file), value: s, owner: foreign.get(s)! });
  };
  for (const file of walk(site)) {
    if (file.endsWith('.parquet')) {
      for (const row of engine.rows(`select * from read_parquet(${quoteLiteral(file)})`)) for (const v of Object.values(row)) cellCheck(file, v);
    } else if (file.endsWith('.arrow')) {
      for (const row of tableFromIPC(readFileSync(file)).toArray()) for (const v of Object.values((row as { toJSON(): Record<string, unknown> }).toJSON())) cellCheck(file, v);
    } else if (TEXT_FILE.test(file)) {
      check(file, readFileSync(file, 'utf8'));
    }
  }
  function cellCheck(file: string, v: unknown) {
    const s = cellText(v);
    if (s === undefined) return;
    const owner = foreign.get(s);
    if (owner) leaks.push({ file: relative(site, file), value: s, owner });
    else if (typeof v === 'string' && v.length > 2) check(file, v);
  }
  return leaks;
}
