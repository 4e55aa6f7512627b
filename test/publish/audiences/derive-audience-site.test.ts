import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAudienceSites } from '../../../transforms/publish/site/audiences/audience-sites.js';
import { foreignValues, scanForLeaks, valueOwners } from '../../../transforms/publish/site/audiences/isolation-scan.js';
import { openSiteEngine, type SiteEngine } from '../../../transforms/publish/site/audiences/site-engine.js';
import { queryFolder, writeFixtureSite } from '../../helpers/audience-site-fixture.js';

/**
 * Branch sites derived from a hand-built head-office site (test/helpers/audience-site-fixture.ts:
 * branches BJ01 and SH01, every figure distinct) with the real engine (DuckDB-wasm, as Evidence).
 */
let root: string;
let engine: SiteEngine;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cq-audience-'));
  engine = await openSiteEngine();
  writeFixtureSite(engine, join(root, 'site'), join(root, 'queries'));
  await buildAudienceSites({ hoSite: join(root, 'site'), queryCache: join(root, 'queries'), out: join(root, 'book'), share: 'book' });
  await buildAudienceSites({ hoSite: join(root, 'site'), queryCache: join(root, 'queries'), out: join(root, 'none'), share: 'none' });
}, 60_000);

afterAll(() => {
  engine?.close();
  rmSync(root, { recursive: true, force: true });
});

/** The rows of one table of a derived site's data. */
function siteRows(site: string, table: string): Record<string, unknown>[] {
  const manifest = JSON.parse(readFileSync(join(site, 'data', 'manifest.json'), 'utf8')) as { renderedFiles: { warehouse: string[] } };
  const file = manifest.renderedFiles.warehouse.find((f) => f.endsWith(`/${table}.parquet`))!;
  return engine.rows(`select * from read_parquet('${join(site, file.replace(/^static\//, ''))}')`);
}

/** The prerendered result of a query of a derived page, decoded. */
function result(site: string, route: string, params: Record<string, string>, name: string): Record<string, unknown>[] {
  const all = JSON.parse(readFileSync(join(site, 'api', queryFolder(route, params), 'all-queries.json'), 'utf8')) as Record<string, string>;
  return tableFromIPC(readFileSync(join(site, 'api', 'prerendered_queries', `${all[name]}.arrow`))).toArray().map((r) => (r as { toJSON(): Record<string, unknown> }).toJSON());
}

describe('a branch site holds its own rows only', () => {
  it('cuts every source: own branch rows, whole-bank KPI rows when shared, never another branch, nothing of sources not listed', () => {
    const bj = join(root, 'book', 'BJ01');
    // kpi_values: 4 rows (all, BJ01, SH01, mortgage) → BJ01 + all (shared book totals) = 2.
    expect(siteRows(bj, 'kpi_values').map((r) => r.slice_value).sort()).toEqual(['BJ01', 'all']);
    // commentary: the whole-bank sentence names 上海分行, so it is never shared: BJ01's sentence only.
    expect(siteRows(bj, 'commentary').map((r) => r.text_zh)).toEqual(['北京分行不良率为 1.01%']);
    expect(siteRows(bj, 'new_npl_list')).toEqual([{ branch_id: 'BJ01', loan_ref: 'L******0001', balance_wan: 12.5 }]);
    // code labels: every kind but branch, and its own branch.
    expect(siteRows(bj, 'code_labels').map((r) => r.code).sort()).toEqual(['BJ01', '正常']);
    // a source not in the branch-site scope (data quality) reaches the site empty, with its columns.
    expect(siteRows(bj, 'dq_loads')).toEqual([]);
    expect(siteRows(bj, 'audience')).toEqual([{ audience_id: 'BJ01', kind: 'branch', branch_id: 'BJ01', label_zh: '北京分行', label_en: 'Beijing Branch', book_totals: 'yes' }]);
    expect(siteRows(join(root, 'none', 'BJ01'), 'audience')[0]).toMatchObject({ book_totals: 'no' });
    // shareWithBranches none: the branch's KPI row only.
    expect(siteRows(join(root, 'none', 'BJ01'), 'kpi_values').map((r) => r.slice_value)).toEqual(['BJ01']);
  });

  it("replays each page's recorded SQL on the branch's data", () => {
    const bj = join(root, 'book', 'BJ01');
    const params = { branch: 'BJ01' };
    expect(result(bj, '/branches/[branch]', params, 'board_data')).toEqual([{ month: '2026-10', value: 0.0101234 }]);
    expect(result(bj, '/branches/[branch]', params, 'bank_data')).toEqual([{ month: '2026-10', value: 0.0123456 }]);
    expect(result(join(root, 'none', 'BJ01'), '/branches/[branch]', params, 'bank_data')).toEqual([]);
    expect(result(bj, '/branches/[branch]', params, 'audience_data')[0]).toMatchObject({ kind: 'branch', label_en: 'Beijing Branch' });
    expect(result(bj, '/glossary', {}, 'labels_data').map((r) => r.code)).toEqual(['BJ01', '正常']);
    // SH01's page, the home page and the head office's results are not in BJ01's site.
    expect(existsSync(join(bj, 'api', queryFolder('/branches/[branch]', { branch: 'SH01' })))).toBe(false);
    expect(existsSync(join(bj, 'api', queryFolder('/', {})))).toBe(false);
    const hoResults = readdirSync(join(root, 'site', 'api', 'prerendered_queries'));
    expect(hoResults.filter((f) => existsSync(join(bj, 'api', 'prerendered_queries', f)))).toEqual([]);
  });

  it('pages: data-free shells of its own pages, a home that opens its own page, a page tree without other pages', () => {
    const bj = join(root, 'book', 'BJ01');
    const own = readFileSync(join(bj, 'branches', 'BJ01', 'index.html'), 'utf8');
    expect(own).not.toContain('0.0101234'); // the head office's markup of the page is gone
    expect(own).not.toContain('data-sveltekit-fetched');
    expect(own).toContain('kit.start(app, element);');
    expect(readFileSync(join(bj, 'index.html'), 'utf8')).toContain('location.replace("/branches/BJ01/" + location.search');
    expect(readdirSync(join(bj, 'branches'))).toEqual(['BJ01']);
    expect(existsSync(join(bj, 'data-quality'))).toBe(false);
    const tree = JSON.parse(readFileSync(join(bj, 'api', 'pagesManifest.json'), 'utf8')) as { children: Record<string, { href: string }> };
    expect(Object.keys(tree.children)).toEqual(['branches', 'glossary']);
    expect(tree.children['branches']!.href).toBe('/branches/BJ01');
    // the code is the head office's, the same file (hard link)
    expect(readFileSync(join(bj, '_app', 'immutable', 'entry', 'start.js'), 'utf8')).toBe('export function start() {}\n');
    const list = JSON.parse(readFileSync(join(root, 'book', 'audiences.json'), 'utf8')) as { audiences: { id: string; path: string }[] };
    expect(list.audiences.map((a) => `${a.id} ${a.path}`)).toEqual(['ho site', 'BJ01 audience-sites/BJ01', 'SH01 audience-sites/SH01']);
  });
});

describe('the isolation scan', () => {
  it('finds no other branch value in either branch site', () => {
    for (const [b, other] of [['BJ01', 'SH01'], ['SH01', 'BJ01']] as const) {
      const foreign = foreignValues(valueOwners(engine, join(root, 'site')), b);
      // its codes, names, figures and masked loan ids are what the scan looks for
      expect(foreign.has(other)).toBe(true);
      expect([...foreign.keys()]).toEqual(expect.arrayContaining(b === 'BJ01' ? ['上海分行', 'Shanghai Branch', '0.0234567', 'L******0077', '88.125'] : ['北京分行', '0.0101234', 'L******0001']));
      expect(scanForLeaks(engine, join(root, 'book', b), foreign)).toEqual([]);
    }
  });

  it('finds what the head-office site shows of other branches, in markup and data', () => {
    const leaks = scanForLeaks(engine, join(root, 'site'), foreignValues(valueOwners(engine, join(root, 'site')), 'BJ01'));
    const where = new Set(leaks.map((l) => `${l.file.split('/')[0]} ${l.value}`));
    expect([...where]).toEqual(expect.arrayContaining(['index.html SH01', 'index.html 上海分行', 'branches SH01', 'branches 0.0234567', 'data L******0077', 'data 88.125', 'api SH01', 'api 0.0234567']));
  });

  it('the night refuses to publish branch sites when the shared code carries a branch figure', async () => {
    const ho = join(root, 'leaky-site');
    cpSync(join(root, 'site'), ho, { recursive: true });
    writeFileSync(join(ho, '_app', 'immutable', 'entry', 'start.js'), 'const example = "上海分行 0.0234567";\n');
    const built = buildAudienceSites({ hoSite: ho, queryCache: join(root, 'queries'), out: join(root, 'leaky'), share: 'book' });
    await expect(built).rejects.toThrow(/value\(s\) of other branches found in branch sites/);
    await expect(built).rejects.toThrow(/BJ01\/_app\/immutable\/entry\/start\.js: "0\.0234567" \(kpi_values: slice_value = SH01\)/);
    expect(existsSync(join(root, 'leaky', 'audiences.json'))).toBe(false);
  });

  it('a category value (a status) held only by another branch this month is not a leak; its figures and name are', () => {
    const ho = join(root, 'category-site');
    const file = join(ho, 'data', 'warehouse', 'kpi_values', 'h', 'kpi_values.parquet');
    mkdirSync(dirname(file), { recursive: true });
    // 8 rows, status_change has 2 values (each repeated 4 times on average: a category); values distinct.
    const rows = [
      ['BJ01', 0.0101234, 'none'], ['BJ01', 0.0111234, 'none'], ['BJ01', 0.0121234, 'none'], ['BJ01', 0.0131234, 'none'],
      ['SH01', 0.0234567, 'target_moved'], ['SH01', 0.0244567, 'none'], ['SH01', 0.0254567, 'none'], ['SH01', 0.0264567, 'none'],
    ].map(([b, v, st]) => `('branch', '${b}', ${v}, '${st}')`);
    engine.rows(`copy (select * from (values ${rows.join(', ')}) t(slice, slice_value, value, status_change)) to '${file}' (format 'parquet')`);
    const labels = join(ho, 'data', 'warehouse', 'code_labels', 'h', 'code_labels.parquet');
    mkdirSync(dirname(labels), { recursive: true });
    engine.rows(`copy (select * from (values ('branch', 'BJ01', '北京分行', 'Beijing Branch'), ('branch', 'SH01', '上海分行', 'Shanghai Branch')) t(kind, code, label_zh, label_en)) to '${labels}' (format 'parquet')`);
    writeFileSync(join(ho, 'data', 'manifest.json'), JSON.stringify({ renderedFiles: { warehouse: ['static/data/warehouse/kpi_values/h/kpi_values.parquet', 'static/data/warehouse/code_labels/h/code_labels.parquet'] } }));
    const foreign = foreignValues(valueOwners(engine, ho), 'BJ01');
    expect(foreign.has('target_moved')).toBe(false);
    expect([...foreign.keys()]).toEqual(expect.arrayContaining(['SH01', '上海分行', 'Shanghai Branch', '0.0234567']));
  });

  it('finds a planted leak: another branch page copied into a branch site', () => {
    const planted = join(root, 'planted');
    cpSync(join(root, 'book', 'BJ01'), planted, { recursive: true });
    cpSync(join(root, 'site', 'branches', 'SH01', 'index.html'), join(planted, 'glossary', 'index.html'));
    const leaks = scanForLeaks(engine, planted, foreignValues(valueOwners(engine, join(root, 'site')), 'BJ01'));
    expect(leaks.map((l) => `${l.file} ${l.value}`)).toEqual(expect.arrayContaining(['glossary/index.html SH01', 'glossary/index.html 0.0234567', 'glossary/index.html 上海分行']));
  });
});
