/**
 * PII scan of a BUILT report site: no customer/loan-level identifying value may be shipped to the
 * browser, in any file.
 *
 *   SITE_DIR=/tmp/site npx vitest run --config test/publish/site/vitest.site.config.ts test/publish/site/pii-scan.test.ts
 *
 * Needles (values that must not appear), first match wins:
 * - PII_NEEDLES: newline-separated values (or a JSON array);
 * - PII_NEEDLES_FILE: a file with one value per line (`#` comments, blank lines ignored);
 * - PII_WAREHOUSE: a DuckDB warehouse: up to PII_SAMPLE (default 500) distinct values, at least
 *   PII_MIN_LENGTH (default 3) characters long, of every contract column marked `pii: true`,
 *   read from `raw.<entity>` (what the nightly uses against the real warehouse);
 * - SAMPLE_DIR (set by scripts/run-tests.ts: the transforms/cli/demo.ts output): the same, from
 *   SAMPLE_DIR/data/warehouse.duckdb — the warehouse the site under test was built from (missing
 *   warehouse = test failure, not a silent fallback);
 * - otherwise the fixture's planted values (test/publish/site/fixture-warehouse.ts FIXTURE_PII_NEEDLES).
 *
 * The "planted needle" tests prove the scanner can fail: they plant needles in a temp copy (of
 * SITE_DIR when set, else of a small synthetic site) as raw html text, as \u-escaped JS, inside a
 * zstd-compressed dictionary-encoded Parquet file and an Arrow IPC file, and expect each detected.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve } from 'node:path';
import { siteDirFromEnv } from './site-pages.js';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { walk } from '../../../transforms/lib/walk-files.js';
import { ENTITIES, type EntityContract } from '../../../transforms/ingest/contract/index.js';
import { openWarehouse, quoteIdent, quoteLiteral } from '../../../transforms/lib/duckdb.js';
import type { WarehouseHandle } from '../../../transforms/lib/warehouse-handle.js';
import { FIXTURE_PII_NEEDLES } from './fixture-warehouse.js';
import { entryData, readZip } from '../../../transforms/publish/exports/zip-file.js';
import ExcelJS from 'exceljs';

/** One needle found in one file. */
export interface PiiHit {
  /** Path relative to the scanned dir. */
  file: string;
  needle: string;
  /** How it was found: 'bytes' (raw UTF-8), 'decoded' (after unescaping), 'parquet', 'arrow', 'gzip'/'br'. */
  how: string;
}

const TEXT_EXTS = new Set(['.html', '.htm', '.js', '.mjs', '.cjs', '.css', '.json', '.map', '.webmanifest', '.svg', '.txt', '.csv', '.xml', '.md']);

/** Undoes the escapings a bundler/serializer may apply: \uXXXX, \u{X}, \xXX, HTML entities, %XX. */
export function decodeEscapes(text: string): string {
  let out = text
    .replace(/\\u\{([0-9a-fA-F]{1,6})\}/g, (_, h: string) => safeFromCodePoint(parseInt(h, 16)))
    .replace(/\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})/g, (_, a: string, b: string) => String.fromCharCode(parseInt(a, 16), parseInt(b, 16)))
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#x([0-9a-fA-F]+);/g, (_, h: string) => safeFromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => safeFromCodePoint(parseInt(d, 10)));
  if (/%[0-9a-fA-F]{2}/.test(out)) {
    out = out.replace(/(?:%[0-9a-fA-F]{2})+/g, (m) => {
      try {
        return decodeURIComponent(m);
      } catch {
        return m;
      }
    });
  }
  return out;
}

function safeFromCodePoint(cp: number): string {
  return cp >= 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
}

function textHits(file: string, text: string, needles: readonly string[], how: string): PiiHit[] {
  const hits: PiiHit[] = [];
  const decoded = decodeEscapes(text);
  for (const needle of needles) {
    if (text.includes(needle)) hits.push({ file, needle, how });
    else if (decoded !== text && decoded.includes(needle)) hits.push({ file, needle, how: `${how}+decoded` });
  }
  return hits;
}

function byteHits(file: string, bytes: Buffer, needles: readonly string[]): PiiHit[] {
  return needles.filter((n) => bytes.includes(Buffer.from(n, 'utf8'))).map((needle) => ({ file, needle, how: 'bytes' }));
}

async function parquetHits(db: WarehouseHandle, abs: string, file: string, needles: readonly string[]): Promise<PiiHit[]> {
  if (needles.length === 0) return [];
  // Casting the whole row (a STRUCT) to VARCHAR renders every column, whatever its type, so a
  // phone number stored as BIGINT is found too. DuckDB decompresses and un-dictionaries the pages.
  const cols = needles.map((n, i) => `count_if(contains(t::VARCHAR, ${quoteLiteral(n)})) AS n${i}`).join(', ');
  const [row] = await db.all<Record<string, number | bigint>>(`SELECT ${cols} FROM read_parquet(${quoteLiteral(abs)}) t`);
  return needles.filter((_, i) => Number(row?.[`n${i}`] ?? 0) > 0).map((needle) => ({ file, needle, how: 'parquet' }));
}

function arrowHits(bytes: Buffer, file: string, needles: readonly string[]): PiiHit[] {
  const table = tableFromIPC(bytes);
  const parts: string[] = [];
  for (const field of table.schema.fields) {
    parts.push(field.name);
    const col = table.getChild(field.name);
    if (!col) continue;
    for (const v of col) parts.push(v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v));
  }
  const text = parts.join('\n');
  return needles.filter((n) => text.includes(n)).map((needle) => ({ file, needle, how: 'arrow' }));
}

/**
 * Scans every file under `dir` for every needle: raw bytes of every file; unescaped text of
 * html/js/json/css/…; all values of .parquet files (read with DuckDB's read_parquet, so compressed
 * and dictionary-encoded strings are seen); all values of .arrow files (apache-arrow); the
 * decompressed content of .gz/.br files; the inflated XML of .xlsx workbooks. Returns all hits (empty = clean). Unreadable data files
 * are reported as hits with needle '<unreadable>' so a scan never passes silently.
 *
 * @example
 * const hits = await scanForPii('/tmp/site', ['13800138000']);
 */
export async function scanForPii(dir: string, needles: readonly string[], scanned: Set<string> = new Set()): Promise<PiiHit[]> {
  const root = resolve(dir);
  const wanted = [...new Set(needles.filter((n) => n.length > 0))];
  if (wanted.length === 0) throw new Error('scanForPii: no needles');
  const hits: PiiHit[] = [];
  let db: WarehouseHandle | undefined;
  try {
    for (const abs of walk(root)) {
      const file = relative(root, abs);
      // A hard link of a file already scanned (the audience sites share the head office's code) is read once.
      const st = statSync(abs);
      const inode = `${st.dev}:${st.ino}`;
      if (scanned.has(inode)) continue;
      scanned.add(inode);
      const bytes = readFileSync(abs);
      hits.push(...byteHits(file, bytes, wanted));
      let ext = extname(abs).toLowerCase();
      let content = bytes;
      if (ext === '.gz' || ext === '.br') {
        try {
          content = ext === '.gz' ? gunzipSync(bytes) : brotliDecompressSync(bytes);
        } catch {
          hits.push({ file, needle: '<unreadable>', how: ext.slice(1) });
          continue;
        }
        hits.push(...byteHits(file, content, wanted).map((h) => ({ ...h, how: ext.slice(1) })));
        ext = extname(abs.slice(0, -ext.length)).toLowerCase();
      }
      const seen = new Set(hits.filter((h) => h.file === file).map((h) => h.needle));
      const rest = wanted.filter((n) => !seen.has(n));
      if (rest.length === 0) continue;
      if (TEXT_EXTS.has(ext)) {
        hits.push(...textHits(file, content.toString('utf8'), rest, 'text'));
      } else if (ext === '.parquet') {
        db ??= await openWarehouse(':memory:');
        let target = abs;
        if (content !== bytes) {
          target = join(mkdtempSync(join(tmpdir(), 'pii-pq-')), 'x.parquet');
          writeFileSync(target, content);
        }
        try {
          hits.push(...(await parquetHits(db, target, file, rest)));
        } catch {
          hits.push({ file, needle: '<unreadable>', how: 'parquet' });
        }
      } else if (ext === '.xlsx') {
        // An XLSX is a ZIP of deflated XML: the strings are only readable after inflating.
        try {
          for (const e of readZip(content)) hits.push(...textHits(file, entryData(e).toString('utf8'), rest, 'xlsx'));
        } catch {
          hits.push({ file, needle: '<unreadable>', how: 'xlsx' });
        }
      } else if (ext === '.arrow' || ext === '.feather' || ext === '.arrows') {
        try {
          hits.push(...arrowHits(content, file, rest));
        } catch {
          hits.push({ file, needle: '<unreadable>', how: 'arrow' });
        }
      }
    }
  } finally {
    await db?.close();
  }
  return hits;
}

/**
 * Distinct values of every contract column marked `pii: true`, read from `raw.<entity>` of a
 * warehouse (read-only). Values shorter than `minLength` characters are skipped (too likely to
 * occur by chance); at most `limit` per column, picked deterministically by hash.
 */
export async function needlesFromWarehouse(path: string, { limit = 500, minLength = 3 } = {}): Promise<string[]> {
  const wh = await openWarehouse(path, { readOnly: true });
  try {
    const tables = new Set(
      (await wh.all<{ t: string }>(`SELECT table_schema || '.' || table_name AS t FROM information_schema.tables`)).map((r) => r.t),
    );
    const out = new Set<string>();
    for (const entity of ENTITIES as readonly EntityContract[]) {
      const table = `raw.${entity.name}`;
      if (!tables.has(table)) continue;
      const existing = new Set(
        (await wh.all<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ${quoteLiteral(entity.name)}`)).map((r) => r.c),
      );
      for (const col of entity.columns) {
        if (!col.pii || !existing.has(col.name)) continue;
        const rows = await wh.all<{ v: string }>(
          `SELECT v FROM (SELECT DISTINCT trim(CAST(${quoteIdent(col.name)} AS VARCHAR)) AS v FROM raw.${quoteIdent(entity.name)})
           WHERE v IS NOT NULL AND length(v) >= ${Number(minLength)} ORDER BY hash(v) LIMIT ${Number(limit)}`,
        );
        for (const r of rows) out.add(r.v);
      }
    }
    return [...out];
  } finally {
    await wh.close();
  }
}

/** The needles for this run, from the environment (see the file comment), and where they came from. */
export async function needlesFromEnv(env = process.env): Promise<{ needles: string[]; source: string }> {
  if (env.PII_NEEDLES?.trim()) {
    const raw = env.PII_NEEDLES.trim();
    const list = raw.startsWith('[') ? (JSON.parse(raw) as string[]) : raw.split(/\r?\n/);
    return { needles: list.map((s) => s.trim()).filter(Boolean), source: 'PII_NEEDLES' };
  }
  if (env.PII_NEEDLES_FILE) {
    const list = readFileSync(env.PII_NEEDLES_FILE, 'utf8')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter((s) => s && !s.startsWith('#'));
    return { needles: list, source: `PII_NEEDLES_FILE=${env.PII_NEEDLES_FILE}` };
  }
  if (env.PII_WAREHOUSE) {
    const needles = await needlesFromWarehouse(env.PII_WAREHOUSE, {
      limit: Number(env.PII_SAMPLE ?? 500),
      minLength: Number(env.PII_MIN_LENGTH ?? 3),
    });
    return { needles, source: `PII_WAREHOUSE=${env.PII_WAREHOUSE}` };
  }
  if (env.SAMPLE_DIR) {
    const warehouse = join(resolve(env.SAMPLE_DIR), 'data', 'warehouse.duckdb');
    if (!existsSync(warehouse)) throw new Error(`SAMPLE_DIR=${env.SAMPLE_DIR}: ${warehouse} not found (build it with transforms/cli/demo.ts)`);
    const needles = await needlesFromWarehouse(warehouse, {
      limit: Number(env.PII_SAMPLE ?? 500),
      minLength: Number(env.PII_MIN_LENGTH ?? 3),
    });
    return { needles, source: `SAMPLE_DIR warehouse ${warehouse}` };
  }
  return { needles: [...FIXTURE_PII_NEEDLES], source: 'fixture (FIXTURE_PII_NEEDLES)' };
}

const SITE_DIR = siteDirFromEnv();


describe.skipIf(!SITE_DIR)('PII scan of the built site (SITE_DIR)', () => {
  it('finds no PII value in any file', async () => {
    expect(existsSync(join(SITE_DIR!, 'index.html')), `${SITE_DIR} is not a built site`).toBe(true);
    const { needles, source } = await needlesFromEnv();
    expect(needles.length, `no needles from ${source}`).toBeGreaterThan(0);
    const files = walk(SITE_DIR!);
    expect(files.some((f) => f.endsWith('.parquet')), 'the site has no parquet data: is it a complete build?').toBe(true);
    const hits = await scanForPii(SITE_DIR!, needles, SCANNED);
    console.log(`[pii-scan] ${files.length} files, ${needles.length} needles from ${source}: ${hits.length} hit(s)`);
    expect(hits).toEqual([]);
  }, 300_000);
});

const SAMPLE_DIR = process.env.SAMPLE_DIR;
/** Files (device:inode) scanned with the same needles in this file: the branch sites' code is the head office's, hard-linked. */
const SCANNED = new Set<string>();

describe.skipIf(!SAMPLE_DIR)('PII scan of the published release files (SAMPLE_DIR/data/current: branch lists, exports, audience sites)', () => {
  it('finds no name or full ID number in the watch-lists, the other branch lists, the export package and the branch sites', async () => {
    const current = join(SAMPLE_DIR!, 'data', 'current');
    const dirs = ['branch-lists', 'exports', 'audience-sites'].map((d) => join(current, d));
    for (const d of dirs) expect(existsSync(d), `${d}: not in the release`).toBe(true);
    const lists = walk(join(current, 'branch-lists')).filter((f) => f.endsWith('.xlsx'));
    expect(lists.length, 'no branch list in the release').toBeGreaterThan(0);
    const { needles, source } = await needlesFromEnv();
    const hits: PiiHit[] = [];
    for (const d of dirs) hits.push(...(await scanForPii(d, needles, SCANNED)));
    console.log(`[pii-scan] release: ${lists.length} branch lists + exports + audience sites, ${needles.length} needles from ${source}: ${hits.length} hit(s)`);
    expect(hits).toEqual([]);
  }, 900_000); // ~20 branch sites' data and results on top of the lists and the package (150–470 s on a busy machine)
});

if (!SITE_DIR) console.warn('[pii-scan] SITE_DIR is not set: skipping the scan of a built site (the planted-needle tests still run).');

describe('scanForPii can fail (planted needles)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'pii-plant-'));
  const site = join(tmp, 'site');
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const [nameNeedle, idNeedle, phoneNeedle] = FIXTURE_PII_NEEDLES;
  const extra = '王测试丙'; // a name planted only in the Arrow file
  const needles = [...FIXTURE_PII_NEEDLES, extra];

  it('prepares a clean temp copy', async () => {
    if (SITE_DIR) {
      cpSync(SITE_DIR, site, { recursive: true });
    } else {
      mkdirSync(site, { recursive: true });
      writeFileSync(join(site, 'index.html'), '<!doctype html><html><body><h1>信贷资产质量</h1></body></html>');
    }
    // The copy is clean before planting (for SITE_DIR this is the real scan again).
    expect(await scanForPii(site, needles)).toEqual([]);
  }, 300_000);

  it('detects needles planted as html text, escaped JS, Parquet and Arrow values', async () => {
    writeFileSync(join(site, 'planted.html'), `<p>客户 ${nameNeedle}</p>`);
    const escaped = [...idNeedle!].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    writeFileSync(join(site, 'planted.js'), `export const x = "${escaped}";`);

    // Parquet: zstd-compressed, dictionary-encoded (many repeats), phone as a BIGINT column.
    const pq = join(site, 'planted.parquet');
    const db = await openWarehouse(':memory:');
    try {
      await db.exec(
        `COPY (SELECT 'row ' || i AS label, CAST(${quoteLiteral(phoneNeedle!)} AS BIGINT) AS phone FROM range(5000) r(i))
         TO ${quoteLiteral(pq)} (FORMAT parquet, COMPRESSION zstd)`,
      );
    } finally {
      await db.close();
    }
    // The raw bytes alone do not contain it (it is binary-encoded): only decoding finds it.
    expect(readFileSync(pq).includes(Buffer.from(phoneNeedle!, 'utf8'))).toBe(false);

    writeFileSync(join(site, 'planted.arrow'), tableToIPC(tableFromArrays({ customer: [extra, '其他'] }), 'file'));

    const hits = await scanForPii(site, needles);
    const found = (file: string) => hits.filter((h) => h.file === file).map((h) => h.needle);
    expect(found('planted.html')).toEqual([nameNeedle]);
    expect(found('planted.js')).toEqual([idNeedle]);
    expect(hits.find((h) => h.file === 'planted.js')?.how).toBe('text+decoded');
    expect(found('planted.parquet')).toEqual([phoneNeedle]);
    expect(hits.find((h) => h.file === 'planted.parquet')?.how).toBe('parquet');
    expect(found('planted.arrow')).toContain(extra);
    // Nothing else in the copy was flagged.
    expect(hits.every((h) => h.file.startsWith('planted.'))).toBe(true);
  }, 300_000);

  it('detects a needle inside an XLSX workbook (deflated XML), and reports a damaged one', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('名单').addRow(['客户', nameNeedle!]);
    writeFileSync(join(site, 'planted.xlsx'), Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer));
    expect(readFileSync(join(site, 'planted.xlsx')).includes(Buffer.from(nameNeedle!, 'utf8'))).toBe(false); // compressed
    writeFileSync(join(site, 'damaged.xlsx'), 'PK not really');
    const hits = await scanForPii(site, needles);
    expect(hits.filter((h) => h.file === 'planted.xlsx')).toEqual([{ file: 'planted.xlsx', needle: nameNeedle, how: 'xlsx' }]);
    expect(hits).toContainEqual({ file: 'damaged.xlsx', needle: '<unreadable>', how: 'xlsx' });
    rmSync(join(site, 'damaged.xlsx'));
  }, 300_000);

  it('reports an unreadable data file instead of passing it', async () => {
    writeFileSync(join(site, 'broken.parquet'), 'not a parquet file');
    const hits = await scanForPii(site, needles);
    expect(hits).toContainEqual({ file: 'broken.parquet', needle: '<unreadable>', how: 'parquet' });
  }, 300_000);
});
