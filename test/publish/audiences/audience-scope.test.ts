import { describe, expect, it } from 'vitest';
import { branchAudiences } from '../../../transforms/publish/site/audiences/audience.js';
import { BRANCH_SITE_SOURCES, branchRowsWhere } from '../../../transforms/publish/site/audiences/branch-site-scope.js';
import { pageShell, redirectPage } from '../../../transforms/publish/site/audiences/page-shell.js';
import { loadConfig } from '../../../transforms/config/config.js';
import { CqError } from '../../../transforms/lib/errors.js';
import { fixturePage } from '../../helpers/audience-site-fixture.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('audiences', () => {
  it('one per branch of the reference rows, in code order; a code that cannot be a folder is reported', () => {
    const { audiences, unusable } = branchAudiences([
      { code: 'SH01', label_zh: '上海分行', label_en: 'Shanghai Branch' },
      { code: 'BJ01', label_zh: '北京分行', label_en: 'Beijing Branch' },
      { code: '../x', label_zh: '坏', label_en: 'Bad' },
      { code: 'HO', label_zh: '总行', label_en: 'Head office' },
    ]);
    expect(audiences.map((a) => a.id)).toEqual(['BJ01', 'SH01']);
    expect(unusable).toEqual(['../x', 'HO']);
  });
});

describe('branch-site scope', () => {
  it('keeps own rows, whole-bank rows only where shared, and nothing of an unlisted source', () => {
    expect(branchRowsWhere('kpi_values', 'BJ01', 'book')).toBe(`(slice = 'branch' and slice_value = 'BJ01') or slice = 'all'`);
    expect(branchRowsWhere('kpi_values', 'BJ01', 'none')).toBe(`(slice = 'branch' and slice_value = 'BJ01')`);
    expect(branchRowsWhere('commentary', 'BJ01', 'book')).toBe(`(slice = 'branch' and slice_value = 'BJ01')`);
    expect(branchRowsWhere('new_npl_list', "B'1", 'book')).toBe(`branch_id = 'B''1'`);
    expect(branchRowsWhere('dq_loads', 'BJ01', 'book')).toBe('false');
    expect(branchRowsWhere('toString', 'BJ01', 'book')).toBe('false');
  });

  it('lists only sources the site has', async () => {
    const { readdirSync } = await import('node:fs');
    const sources = readdirSync('sources/warehouse').filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, ''));
    expect(Object.keys(BRANCH_SITE_SOURCES).filter((s) => !sources.includes(s))).toEqual([]);
  });
});

describe('page shells', () => {
  it('drop the content and the inlined fetches and start the app without hydration', () => {
    const shell = pageShell(fixturePage('分行 Branch', '北京分行 0.0101234', '0, 4'), 'x.html');
    expect(shell).not.toContain('0.0101234');
    expect(shell).not.toContain('data-sveltekit-fetched');
    expect(shell).toContain('<title>分行 Branch</title>');
    expect(shell).toMatch(/kit\.start\(app, element\);/);
    expect(shell).toContain('const data = [];');
  });

  it('refuse a page of an unknown form, naming the file', () => {
    expect(() => pageShell('<html><body>x</body></html>', 'site/a/index.html')).toThrow(CqError);
    expect(() => pageShell('<html><body>x</body></html>', 'site/a/index.html')).toThrow(/site\/a\/index.html: no "<!-- SvelteKit Hydrated Content -->"/);
  });

  it('a redirect keeps the query string (the month)', () => {
    const page = redirectPage('branches/BJ01/', '北京分行 Beijing Branch');
    expect(page).toContain('url=/branches/BJ01/');
    expect(page).toContain('location.replace("/branches/BJ01/" + location.search + location.hash)');
  });
});

describe('config siteAudiences', () => {
  const write = (o: unknown) => {
    const f = join(mkdtempSync(join(tmpdir(), 'cq-aud-cfg-')), 'cq.config.json');
    writeFileSync(f, JSON.stringify(o));
    return f;
  };
  it('defaults to branch sites sharing the book totals; a partial object keeps the other default', () => {
    expect(loadConfig({}, write({})).siteAudiences).toEqual({ branchSites: true, shareWithBranches: 'book' });
    expect(loadConfig({}, write({ siteAudiences: { shareWithBranches: 'none' } })).siteAudiences).toEqual({ branchSites: true, shareWithBranches: 'none' });
  });
  it('names the key and the allowed values', () => {
    expect(() => loadConfig({}, write({ siteAudiences: { shareWithBranches: 'all' } }))).toThrow(/siteAudiences\.shareWithBranches must be "book" .* or "none", got "all"/);
    expect(() => loadConfig({}, write({ siteAudiences: { regions: true } }))).toThrow(/siteAudiences\.regions is not a known key/);
  });
});
