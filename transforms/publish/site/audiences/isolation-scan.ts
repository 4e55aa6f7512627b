/**
 * Proof that a branch site holds no other branch's data. From the head-office site's own Parquet
 * files it collects every value that belongs only to other branches — their codes and names, and every
 * cell of a row that is another branch's (whose `slice_value` or `branch_id` is another
 * branch's code) that appears in no
 * other row — then reads every file of the branch site, decoded (Parquet and Arrow cell by cell,
 * everything else as text), and reports each such value it finds.
 */
import { readFileSync, statSync } from 'node:fs';
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
 * A text column with at most this many distinct values, each repeated four times or more on
 * average, is a category (a status, a class, a code), not branch data.
 */
export const CATEGORY_MAX_VALUES = 64;

/** Which branch each value of the head-office data belongs to (see {@link valueOwners}). */
export interface ValueOwners {
  /** Branch codes of the reference data. */
  branches: string[];
  /** Value → the branches whose rows hold it, and the first such row (for messages). */
  owned: Map<string, { branches: Set<string>; row: string }>;
  /** Values also held by a row of no branch (whole bank, products, reference data): never a leak. */
  shared: Set<string>;
}

/**
 * Reads the head-office site's Parquet files once and records, for every cell value, the branches
 * whose rows hold it: a row belongs to a branch when its `slice_value` or `branch_id` is that
 * branch's code (branch codes are unique among slice values) or it is the branch's code label.
 * Values of categorical text columns of a branch's rows (at most {@link CATEGORY_MAX_VALUES}
 * distinct values, each repeated: statuses, classes, month keys…) are not counted as the branch's,
 * except the branches' own codes and names.
 *
 * @example
 * const owners = valueOwners(engine, 'release/site');
 * owners.owned.get('上海分行')?.branches; // Set { 'SH01' }
 */
export function valueOwners(engine: SiteEngine, hoSite: string): ValueOwners {
  const manifest = JSON.parse(readFileSync(`${hoSite}/data/manifest.json`, 'utf8')) as { renderedFiles: Record<string, string[]> };
  const shippedFiles = manifest.renderedFiles['warehouse'] ?? [];
  const path = (shipped: string) => quoteLiteral(`${hoSite}/${shipped.replace(/^static\//, '')}`);
  const labels = shippedFiles.find((f) => f.endsWith('/code_labels.parquet'));
  const branches = labels ? engine.rows(`select code from read_parquet(${path(labels)}) where kind = 'branch' order by code`).map((r) => String(r.code)) : [];
  const list = branches.length ? branches.map(quoteLiteral).join(', ') : "''";
  const owned: ValueOwners['owned'] = new Map();
  const shared = new Set<string>();
  for (const shipped of shippedFiles) {
    const table = shipped.split('/').at(-1)!.replace(/\.parquet$/, '');
    const columns = engine.rows(`describe select * from read_parquet(${path(shipped)})`).map((r) => String(r.column_name));
    const owners = [
      ...['slice_value', 'branch_id'].filter((c) => columns.includes(c)).map((c) => `case when "${c}" in (${list}) then "${c}" end`),
      ...(table === 'code_labels' ? [`case when kind = 'branch' then code end`] : []),
    ];
    // A column of few distinct values is a category (a status, a class, a code): its values say
    // nothing about a branch, even when only one branch's rows hold one of them this month.
    const stats = engine.rows(`select count(*) as n, ${columns.map((c, i) => `count(distinct "${c}") as d${i}`).join(', ')} from read_parquet(${path(shipped)})`)[0] ?? {};
    const types = engine.rows(`describe select * from read_parquet(${path(shipped)})`).map((r) => String(r.column_type));
    const categorical = new Set(
      columns.filter((_, i) => {
        const d = Number(stats[`d${i}`]);
        return /^(VARCHAR|BOOLEAN)/.test(types[i] ?? '') && d <= CATEGORY_MAX_VALUES && d * 4 <= Number(stats.n);
      }),
    );
    // …except the branches' own codes and names, which always say whose row it is.
    const identity = table === 'code_labels' ? new Set(['code', 'label_zh', 'label_en', 'label']) : new Set<string>();
    const rows = engine.rows(`select *, coalesce(${[...owners, 'null'].join(', ')}) as "__branch" from read_parquet(${path(shipped)})`);
    for (const row of rows) {
      const branch = row.__branch === null || row.__branch === undefined ? undefined : String(row.__branch);
      const where = branch ? `${table}: ${['slice_value', 'branch_id', 'code'].filter((c) => c in row).map((c) => `${c} = ${String(row[c])}`).join(', ')}` : '';
      for (const [col, v] of Object.entries(row)) {
        if (col === '__branch') continue;
        const text = cellText(v);
        if (text === undefined) continue;
        if (!branch) shared.add(text);
        else if (categorical.has(col) && !(identity.has(col) && row.kind === 'branch')) continue;
        else {
          const o = owned.get(text);
          if (o) o.branches.add(branch);
          else owned.set(text, { branches: new Set([branch]), row: where });
        }
      }
    }
  }
  return { branches, owned, shared };
}

/**
 * The values that belong only to branches other than `branchId`: held by another branch's rows,
 * by none of its own and by no row of the whole bank, a product or reference data.
 *
 * @example
 * foreignValues(valueOwners(engine, 'release/site'), 'BJ01').get('上海分行'); // 'code_labels: code = SH01'
 */
export function foreignValues(owners: ValueOwners, branchId: string): ForeignValues {
  const foreign: ForeignValues = new Map();
  for (const [text, o] of owners.owned) {
    if (o.branches.has(branchId) || owners.shared.has(text) || !distinctiveCell(text)) continue;
    foreign.set(text, o.row);
  }
  return foreign;
}

/** Words and Chinese runs of text files already read, by inode (hard-linked code is read once). */
export type TextCache = Map<string, { words: Set<string>; cjk: string[] }>;

/**
 * Every value of `foreign` found in a file of `site` (Parquet and Arrow decoded cell by cell; text
 * files word by word, Chinese values within runs of Chinese text). Empty means isolated. Pass one
 * `cache` to scans of sites that share hard-linked files.
 *
 * @example
 * const owners = valueOwners(engine, 'release/site');
 * scanForLeaks(engine, 'release/audience-sites/BJ01', foreignValues(owners, 'BJ01')); // []
 */
export function scanForLeaks(engine: SiteEngine, site: string, foreign: ForeignValues, cache: TextCache = new Map()): Leak[] {
  const leaks: Leak[] = [];
  const cjkValues = [...foreign.keys()].filter((v) => CJK.test(v));
  const report = (file: string, value: string) => leaks.push({ file: relative(site, file), value, owner: foreign.get(value)! });
  const checkText = (file: string, text: { words: Set<string>; cjk: string[] }) => {
    for (const word of text.words) if (foreign.has(word) && distinctiveWord(word)) report(file, word);
    for (const v of cjkValues) if (text.cjk.some((run) => run.includes(v))) report(file, v);
  };
  const cellCheck = (file: string, v: unknown) => {
    const s = cellText(v);
    if (s === undefined) return;
    if (foreign.has(s)) report(file, s);
    else if (typeof v === 'string' && v.length > 2) checkText(file, textParts(v));
  };
  for (const file of walk(site)) {
    if (file.endsWith('.parquet')) {
      for (const row of engine.rows(`select * from read_parquet(${quoteLiteral(file)})`)) for (const v of Object.values(row)) cellCheck(file, v);
    } else if (file.endsWith('.arrow')) {
      for (const row of tableFromIPC(readFileSync(file)).toArray()) for (const v of Object.values((row as { toJSON(): Record<string, unknown> }).toJSON())) cellCheck(file, v);
    } else if (TEXT_FILE.test(file)) {
      const st = statSync(file);
      const key = `${st.dev}:${st.ino}`;
      let parts = cache.get(key);
      if (!parts) cache.set(key, (parts = textParts(readFileSync(file, 'utf8'))));
      checkText(file, parts);
    }
  }
  return leaks;
}

/** The distinct words of a text (a trailing `.`, `+` or `-` also dropped) and its pieces holding Chinese (between quotes, tags, braces or line ends). */
function textParts(text: string): { words: Set<string>; cjk: string[] } {
  const words = new Set<string>();
  for (const w of text.match(/[\p{L}\p{N}_.+-]+/gu) ?? []) {
    words.add(w);
    words.add(w.replace(/[.+-]+$/, ''));
  }
  return { words, cjk: [...new Set(text.match(/[^"'`<>{}\n]*[\u3400-\u9fff][^"'`<>{}\n]*/g) ?? [])] };
}
