/**
 * Fast unit tests (no Evidence build, no browser) of the site tooling (transforms/publish/site/):
 * the source-SQL guard, the build-output scanner, the remote-reference guard, the checks
 * buildSite makes before it starts Evidence, the static server, and the page lists of the
 * browser test (test/publish/site/site-pages.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCqError } from '../../../transforms/lib/errors.js';
import { buildSite, WAREHOUSE_ENV } from '../../../transforms/publish/site/build-site.js';
import { scanOutput } from '../../../transforms/publish/site/output-scan.js';
import { findRemoteRefs } from '../../../transforms/publish/site/remote-refs.js';
import { resolveFile, serveStatic, type StaticServer } from '../../../transforms/publish/site/serve-site.js';
import { checkSourceSql } from '../../../transforms/publish/site/source-sql-guard.js';
import { discoverPages, PAGES_DIR, reportPages, sourcePages, unbuiltPages } from './site-pages.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'site-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sqlDir(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, sql] of Object.entries(files)) writeFileSync(join(dir, f), sql);
  return dir;
}

describe('checkSourceSql', () => {
  it('accepts the repo’s warehouse source queries', () => {
    expect(checkSourceSql(join(REPO_ROOT, 'sources', 'warehouse'))).toEqual([]);
  });

  it('accepts metrics/marts/ops reads, CTEs, joins, count(*) and comments mentioning raw', () => {
    const dir = sqlDir('ok', {
      'a.sql': `-- not from raw.customers\nwith latest as (select metric_id, value from metrics.kpi_values)\nselect l.metric_id, b.n from latest l join "marts"."branch_month" b on true`,
      'b.sql': 'select entity, reason_code, count(*) as n from ops.rejected_rows group by entity, reason_code',
      'c.sql': 'select run_id, status from ops.runs r join ops.run_steps s using (run_id)',
      'd.sql': 'select as_of_month, count(*) as new_npls from marts.mart_risk__new_npls group by all',
    });
    expect(checkSourceSql(dir)).toEqual([]);
  });

  it.each([
    ['select name, phone from raw.customers', 'raw.customers'],
    ['select k.value from metrics.kpi_values k join core.loans l on true', 'core.loans'],
    ['select value from kpi_values', 'not schema-qualified'],
    ["select x from read_parquet('/data/x.parquet')", 'read_parquet'],
    ['select x from warehouse.staging.customers', 'staging.customers'],
    ['select * from metrics.kpi_values', '* projection'],
    ['select k.* from metrics.kpi_values k', '* projection'],
    ['select * exclude (raw) from ops.load_audit', '* projection'],
    ['select columns(\'.*\') from ops.load_audit', 'columns()'],
    ['select entity, raw_record from ops.rejected_rows group by all', 'raw_record'],
    ['select entity, line from ops.rejected_rows', 'without GROUP BY'],
    ['select loan_id, lead_days from marts.mart_risk__new_npls', 'without GROUP BY'],
    ['select column_name, source_value from ops.mapping_source_values', 'of the ops schema only'],
  ])('rejects %s', (sql, expected) => {
    const dir = sqlDir(`bad-${Math.random().toString(36).slice(2)}`, { 'q.sql': sql });
    const problems = checkSourceSql(dir);
    expect(problems.join('\n')).toContain(expected);
  });

  it('rejects initialize.sql', () => {
    const dir = sqlDir('init', { 'initialize.sql': 'attach ...', 'ok.sql': 'select 1 from metrics.kpi_values' });
    expect(checkSourceSql(dir).join('\n')).toContain('initialize.sql');
  });
});

describe('scanOutput', () => {
  it('passes a clean Evidence log', () => {
    const log = [
      '[INFO]:  Enabling strict mode',
      '  kpi_values ✔ Finished, wrote 117 rows.',
      'npm warn Unknown user config "nodedir".',
      '> Using @sveltejs/adapter-static',
      '  Wrote site to "./build"',
      'Build complete --> ./build',
    ].join('\n');
    expect(scanOutput(log)).toEqual([]);
  });

  it.each([
    'bad | Error in Query! Binder Error: Referenced column "x" not found',
    '\x1b[31m%s\x1b[0m Error in BigValue: Dataset is empty',
    '  kpi_values ⚠ No results returned.',
    'Error connecting to datasource warehouse: IO Error: Cannot open file',
    'Build failed',
    'Warning: Column "first_date" (type Date) contains only null values so it has been cast to Float64',
  ])('flags %s', (line) => {
    expect(scanOutput(`ok\n${line}\nok`).length).toBeGreaterThan(0);
  });

  it('flags an empty source table unless allowed', () => {
    const log = '  kpi_values ✔ Finished, wrote 0 rows.\n  overdue_list ✔ Finished, wrote 0 rows.';
    expect(scanOutput(log)).toHaveLength(1);
    expect(scanOutput(log, ['overdue_list']).join('\n')).toContain('kpi_values');
    expect(scanOutput(log, ['overdue_list', 'kpi_values'])).toEqual([]);
  });

  it('names the env var that overrides the warehouse file', () => {
    expect(WAREHOUSE_ENV).toBe('EVIDENCE_SOURCE__warehouse__filename');
  });
});

describe('findRemoteRefs', () => {
  it('flags remote scripts, stylesheets, fonts and imports but not links or comments', () => {
    const dir = join(tmp, 'remote');
    mkdirSync(join(dir, '_app'), { recursive: true });
    writeFileSync(
      join(dir, 'index.html'),
      `<link href="https://fonts.googleapis.com/css2?family=Inter" rel="stylesheet"><script src="//cdn.example.com/x.js"></script>
       <a href="https://docs.evidence.dev">docs</a><img src="/local.png"><style>@import url("https://fonts.example/a.css");</style>`,
    );
    writeFileSync(
      join(dir, '_app', 'a.css'),
      `/*! license https://docsearch.algolia.com */ @font-face{src:url(https://fonts.gstatic.com/s/inter.woff2)} .x{background:url(/_app/a.png)}`,
    );
    const refs = findRemoteRefs(dir);
    expect(refs).toHaveLength(4);
    expect(refs.join('\n')).toMatch(/fonts\.googleapis\.com/);
    expect(refs.join('\n')).toMatch(/cdn\.example\.com/);
    expect(refs.join('\n')).toMatch(/fonts\.example/);
    expect(refs.join('\n')).toMatch(/fonts\.gstatic\.com/);
    expect(refs.join('\n')).not.toMatch(/docs\.evidence\.dev|algolia/);
  });
});

describe('serveStatic', () => {
  let server: StaticServer;
  const site = join(tmp, 'site');
  beforeAll(async () => {
    mkdirSync(join(site, 'kpi', 'npl'), { recursive: true });
    mkdirSync(join(site, '_app'), { recursive: true });
    mkdirSync(join(site, 'data', 'warehouse'), { recursive: true });
    mkdirSync(join(site, 'api'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<h1>home</h1>');
    writeFileSync(join(site, 'kpi', 'npl', 'index.html'), '<h1>npl</h1>');
    writeFileSync(join(site, 'flat.html'), '<h1>flat</h1>');
    writeFileSync(join(site, 'api', 'pagesManifest.json'), '{}');
    writeFileSync(join(site, '_app', 'x.js'), 'export {}');
    writeFileSync(join(site, '_app', 'duckdb.wasm'), Buffer.from([0, 97, 115, 109]));
    writeFileSync(join(site, 'data', 'warehouse', 't.parquet'), '0123456789');
    writeFileSync(join(site, 'q.arrow'), 'ARROW1');
    server = await serveStatic(site);
  });
  afterAll(async () => server.close());

  it('binds to 127.0.0.1', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it.each([
    ['/', 200, 'text/html', '<h1>home</h1>'],
    ['/kpi/npl/', 200, 'text/html', '<h1>npl</h1>'],
    ['/kpi/npl', 200, 'text/html', '<h1>npl</h1>'],
    ['/flat', 200, 'text/html', '<h1>flat</h1>'],
    ['/_app/x.js', 200, 'text/javascript', 'export {}'],
    ['/api/pagesManifest.json', 200, 'application/json', '{}'],
    ['/data/warehouse/t.parquet', 200, 'application/vnd.apache.parquet', '0123456789'],
    ['/q.arrow', 200, 'application/vnd.apache.arrow.file', 'ARROW1'],
    ['/missing/', 404, 'text/plain', undefined],
    ['/../../etc/passwd', 404, 'text/plain', undefined],
    ['/%2e%2e/%2e%2e/etc/passwd', 404, 'text/plain', undefined],
  ])('GET %s → %i %s', async (path, status, type, body) => {
    const res = await fetch(`${server.url}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain(type);
    if (body !== undefined) expect(await res.text()).toBe(body);
  });

  it('serves wasm as application/wasm', async () => {
    const res = await fetch(`${server.url}/_app/duckdb.wasm`);
    expect(res.headers.get('content-type')).toBe('application/wasm');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([0, 97, 115, 109]));
  });

  it('answers HEAD and byte ranges (DuckDB-wasm reads Parquet with them)', async () => {
    const head = await fetch(`${server.url}/data/warehouse/t.parquet`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('10');
    expect(head.headers.get('accept-ranges')).toBe('bytes');

    const part = await fetch(`${server.url}/data/warehouse/t.parquet`, { headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(await part.text()).toBe('2345');

    const tail = await fetch(`${server.url}/data/warehouse/t.parquet`, { headers: { range: 'bytes=-3' } });
    expect(await tail.text()).toBe('789');

    const bad = await fetch(`${server.url}/data/warehouse/t.parquet`, { headers: { range: 'bytes=20-30' } });
    expect(bad.status).toBe(416);
  });

  it('rejects other methods', async () => {
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(405);
  });

  it('never resolves outside the root', () => {
    expect(resolveFile(site, '/../index.html')).toBeNull();
    expect(resolveFile(site, '/kpi/../index.html')?.path).toBe(join(site, 'index.html'));
    expect(resolveFile(site, '/..%2f..%2fetc/passwd')).toBeNull();
  });

  it('discovers report pages but not Evidence internals', () => {
    expect(discoverPages(site)).toEqual(['/', '/flat', '/kpi/npl/']);
  });
});

describe('buildSite refuses before starting Evidence (CqError)', () => {
  const project = (name: string, sql: string) => {
    const dir = join(tmp, name);
    mkdirSync(join(dir, 'sources', 'warehouse'), { recursive: true });
    writeFileSync(join(dir, 'evidence.config.yaml'), 'plugins: {}\n');
    writeFileSync(join(dir, 'sources', 'warehouse', 'q.sql'), sql);
    return dir;
  };
  const warehouse = join(tmp, 'fake-warehouse.duckdb');
  beforeAll(() => writeFileSync(warehouse, ''));
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('buildSite resolved'),
      (e: unknown) => e,
    );

  it('a folder that is not an Evidence project: SITE_BUILD_FAILED', async () => {
    const dir = join(tmp, 'not-a-project');
    mkdirSync(dir, { recursive: true });
    const e = await failure(buildSite({ warehouse, out: join(tmp, 'out1'), project: dir, log: () => {} }));
    expect(isCqError(e, 'SITE_BUILD_FAILED'), String(e)).toBe(true);
    expect((e as Error).message).toBe(`${dir}: no evidence.config.yaml (not an Evidence project?)`);
  });

  it('a missing warehouse: WAREHOUSE_MISSING, naming the file and the fix', async () => {
    const missing = join(tmp, 'no-such.duckdb');
    const e = await failure(buildSite({ warehouse: missing, out: join(tmp, 'out2'), project: project('p-ok', 'select 1 from metrics.kpi_values'), log: () => {} }));
    expect(isCqError(e, 'WAREHOUSE_MISSING'), String(e)).toBe(true);
    expect((e as Error).message).toBe(`warehouse not found: ${missing}. Build it first (npm run transform) or pass --warehouse PATH.`);
  });

  it('a source query reading raw data: SITE_BUILD_FAILED with the guard’s reasons', async () => {
    const e = await failure(buildSite({ warehouse, out: join(tmp, 'out3'), project: project('p-raw', 'select name from raw.customers'), log: () => {} }));
    expect(isCqError(e, 'SITE_BUILD_FAILED'), String(e)).toBe(true);
    expect((e as Error).message).toMatch(/^source queries rejected:\n {2}q\.sql: reads "raw\.customers" \(raw holds customer\/loan-level data\)/);
  });

  it('an output folder that would replace the project: SITE_BUILD_FAILED', async () => {
    const dir = project('p-out', 'select 1 from metrics.kpi_values');
    const e = await failure(buildSite({ warehouse, out: dir, project: dir, log: () => {} }));
    expect(isCqError(e, 'SITE_BUILD_FAILED'), String(e)).toBe(true);
    expect((e as Error).message).toBe(`--out ${dir} would replace the project`);
  });
});

describe('pages the browser test opens (site-pages.ts)', () => {
  const pages = join(tmp, 'pages-src');
  const site = join(tmp, 'pages-site');
  beforeAll(() => {
    for (const f of ['index.md', 'npl.md', 'branches/index.md', 'branches/[branch].md', 'branches/map.md', 'products/[product].md', 'new-page.md']) {
      mkdirSync(dirname(join(pages, f)), { recursive: true });
      writeFileSync(join(pages, f), '# page\n');
    }
    for (const f of ['index.html', 'npl/index.html', 'branches/index.html', 'branches/SH01/index.html', 'branches/BJ01/index.html', 'branches/ZZ01/index.html', 'branches/map/index.html', 'products/car/index.html', '_app/x.html', '404.html']) {
      mkdirSync(dirname(join(site, f)), { recursive: true });
      writeFileSync(join(site, f), '<h1>x</h1>');
    }
  });

  it('maps every page file to its built paths; a templated page to every prerendered value', () => {
    expect(sourcePages(site, pages)).toEqual([
      { source: 'branches/[branch].md', paths: ['/branches/BJ01/', '/branches/SH01/', '/branches/ZZ01/'] },
      { source: 'branches/index.md', paths: ['/branches/'] },
      { source: 'branches/map.md', paths: ['/branches/map/'] },
      { source: 'index.md', paths: ['/'] },
      { source: 'new-page.md', paths: [] },
      { source: 'npl.md', paths: ['/npl/'] },
      { source: 'products/[product].md', paths: ['/products/car/'] },
    ]);
  });

  it('opens every page, two values of a templated one, and names the page files that were not built', () => {
    expect(reportPages(site, pages)).toEqual(['/', '/branches/', '/branches/BJ01/', '/branches/SH01/', '/branches/map/', '/npl/', '/products/car/']);
    expect(reportPages(site, pages, 1)).toContain('/branches/BJ01/');
    expect(reportPages(site, pages, 1)).not.toContain('/branches/SH01/');
    expect(unbuiltPages(site, pages)).toEqual(['new-page.md']);
    // The built site's own list holds every value.
    expect(discoverPages(site)).toContain('/branches/ZZ01/');
  });

  it('reads the repository’s pages/ folder, including its templated pages', () => {
    const sources = sourcePages(site, PAGES_DIR).map((p) => p.source);
    expect(sources).toContain('index.md');
    expect(sources).toContain('branches/[branch].md');
    expect(sources).toContain('products/[product].md');
  });
});
