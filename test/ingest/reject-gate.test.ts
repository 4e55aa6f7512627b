import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPackage } from '../../transforms/publish/exports/export-package.js';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import { isCqError } from '../../transforms/lib/errors.js';
import { loadExtracts } from '../../transforms/ingest/load-extracts.js';
import { checkRejectRates, DEFAULT_REJECT_LIMITS, limitFor, parseRejectLimits } from '../../transforms/ingest/load/reject-gate.js';
import { buildWarehouse } from '../../transforms/kpi/build-warehouse.js';
import { loadCheckedConfig as loadConfig } from '../../transforms/operations/check-config.js';
import { runNightly } from '../../transforms/operations/run-nightly.js';
import type { ExtractRow } from '../helpers/extract-rows.js';
import { writeMiniExtract } from '../helpers/mini-extract.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * The publish gate (issue 15): a file that rejects more than its fail limit of its rows, or all of
 * them, fails `npm run load`, stops the night before publish and makes the export refuse the month;
 * above the warn limit it only warns. Fixtures are the mini extract (test/helpers/mini-extract.ts)
 * with surveys.csv grown to 50 rows, so one row is 2 %:
 *   2 rejected of 50 =  4 % → above warn 0.5 %, not above fail 5 %: warning, exit 0;
 *   3 rejected of 50 =  6 % → above fail 5 %: exit 1;
 *   1 rejected of 1  = 100 % → every row rejected: fails whatever the limit.
 * A survey is rejected by a score of 150 (out_of_range: the contract allows 0–100).
 */

const LOAD = ['--import', 'tsx', 'transforms/cli/load.ts'];
const EXPORT = ['--import', 'tsx', 'transforms/cli/export.ts'];
let root: string;
let n = 0;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cq-reject-gate-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 50 surveys (S001…S050, data lines 2…51); the first `bad` get score 150 (rejected). */
function surveys(bad: number): ExtractRow[] {
  return Array.from({ length: 50 }, (_, i) => ({ survey_id: `S${String(i + 1).padStart(3, '0')}`, customer_id: 'C001', surveyed_on: '2026-09-15', channel: 'app', score: i < bad ? '150' : '80' }));
}

/** A mini extract (2026-09-30) whose surveys.csv is `rows`. */
function extract(rows: ExtractRow[]): string {
  return writeMiniExtract((r) => (r.surveys = rows), { dir: join(root, `x${++n}`) }).dir;
}

function config(body: unknown): string {
  const file = join(root, `cq${++n}.config.json`);
  writeFileSync(file, JSON.stringify(body));
  return file;
}

async function load(extracts: string, cfg: string) {
  const r = await runProcess(process.execPath, [...LOAD, '--extracts', extracts, '--warehouse', join(root, `w${++n}.duckdb`), '--config', cfg], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}`, stderr: r.stderr };
}

describe('rejectLimits in cq.config.json', () => {
  it('defaults to warn above 0.5 %, fail above 5 %; per-entity keys override one entity', () => {
    expect(parseRejectLimits(undefined, 'cq.config.json')).toEqual({ warn: 0.005, fail: 0.05, perEntity: {} });
    expect(DEFAULT_REJECT_LIMITS).toEqual({ warn: 0.005, fail: 0.05, perEntity: {} });
    const l = parseRejectLimits({ fail: 0.02, perEntity: { surveys: { fail: 0.2 } } }, 'x.json');
    expect(limitFor(l, 'surveys')).toEqual({ warn: 0.005, fail: 0.2 });
    expect(limitFor(l, 'loans')).toEqual({ warn: 0.005, fail: 0.02 });
  });

  it.each([
    [{ fail: 5 }, 'rejectLimits.fail must be a fraction of the rows read between 0 and 1 (0.05 = 5 %), got 5'],
    [{ warn: '1%' }, 'rejectLimits.warn must be a fraction of the rows read between 0 and 1 (0.05 = 5 %), got "1%"'],
    [{ warn: 0.1, fail: 0.05 }, 'rejectLimits has warn 0.1 above fail 0.05; make warn at most fail'],
    [{ perEntity: { survey: { fail: 0.2 } } }, 'rejectLimits.perEntity.survey is not an extract entity; entities: branches, '],
    [{ perEntity: { loans: { fail: 0.001 } } }, 'rejectLimits.perEntity.loans has warn 0.005 (from rejectLimits.warn) above fail 0.001; set rejectLimits.perEntity.loans.warn so that warn is at most fail'],
    [{ perEntity: { loans: { max: 0.1 } } }, 'rejectLimits.perEntity.loans.max is not a known key; known: warn, fail'],
    [{ limit: 0.1 }, 'rejectLimits.limit is not a known key; known: warn, fail, perEntity'],
    [[0.05], 'rejectLimits must be an object such as'],
  ])('%j is refused naming the config file, the key and the fix', (value, message) => {
    const file = config({ rejectLimits: value });
    let error: unknown;
    try {
      loadConfig({}, file);
    } catch (e) {
      error = e;
    }
    expect(isCqError(error, 'CLI_USAGE')).toBe(true);
    expect((error as Error).message).toContain(`${file}: ${message}`);
    expect((error as Error).message).toContain('docs/operations.md, "Reject limits"');
  });
});

describe('npm run load: the gate', { timeout: 600_000 }, () => {
  it('a file with its only row rejected (1 of 1) exits 1 naming the file, the counts and the reason with its line — even with a limit of 100 %', async () => {
    const dir = extract([{ survey_id: 'S001', customer_id: 'C001', surveyed_on: '2026-09-15', channel: 'app', score: '150' }]);
    const r = await load(dir, config({ rejectLimits: { perEntity: { surveys: { warn: 1, fail: 1 } } } }));
    expect(r.status, r.out).toBe(1);
    expect(r.stderr).toContain('error [REJECT_LIMIT]: 1 extract file(s) rejected too many rows, so the load fails');
    expect(r.stderr).toContain(`${join(dir, '2026-09-30', 'surveys.csv')} (surveys, 2026-09-30): read 1, loaded 0, rejected 1 (100.0 %, every row rejected)`);
    expect(r.stderr).toMatch(/ {4}out_of_range in score: 1 row, e\.g\. line 2: .*150.* above the maximum 100/);
    expect(r.stderr).toContain('a file whose every row is rejected fails whatever the limit');
  });

  it('4 % rejected (2 of 50) warns and exits 0', async () => {
    const dir = extract(surveys(2));
    const r = await load(dir, config({}));
    expect(r.status, r.out).toBe(0);
    expect(r.stderr).toContain(`warning: ${join(dir, '2026-09-30', 'surveys.csv')} (surveys, 2026-09-30): read 50, loaded 48, rejected 2 (4.0 %, above the warn limit 0.5 %)`);
    expect(r.stderr).toMatch(/out_of_range in score: 2 rows, e\.g\. line 2:/);
    expect(r.stderr).not.toContain('REJECT_LIMIT');
  });

  it('6 % rejected (3 of 50) exits 1 with the counts and the reason', async () => {
    const dir = extract(surveys(3));
    const r = await load(dir, config({}));
    expect(r.status, r.out).toBe(1);
    expect(r.stderr).toContain(`${join(dir, '2026-09-30', 'surveys.csv')} (surveys, 2026-09-30): read 50, loaded 47, rejected 3 (6.0 %, above the fail limit 5.0 %)`);
    expect(r.stderr).toMatch(/out_of_range in score: 3 rows, e\.g\. line 2:/);
    expect(r.stderr).toContain('"rejectLimits": {"perEntity": {"surveys": {"fail": …}}}');
    // The date is loaded all the same: every rejected row is kept for inspection.
    expect(r.out).toContain('2026-09-30  read');
  });

  it('a per-entity override lets 6 % of surveys through with a warning, while the global limit still applies to the others', async () => {
    const dir = extract(surveys(3));
    const lenient = await load(dir, config({ rejectLimits: { perEntity: { surveys: { fail: 0.1 } } } }));
    expect(lenient.status, lenient.out).toBe(0);
    expect(lenient.stderr).toContain('rejected 3 (6.0 %, above the warn limit 0.5 %)');
    // The same override for another entity does not help surveys.
    const other = await load(dir, config({ rejectLimits: { perEntity: { loans: { fail: 0.1 } } } }));
    expect(other.status, other.out).toBe(1);
    // A stricter global fail limit catches 4 %: 2/50 = 0.04 > 0.03.
    const strict = await load(extract(surveys(2)), config({ rejectLimits: { warn: 0.01, fail: 0.03 } }));
    expect(strict.status, strict.out).toBe(1);
    expect(strict.stderr).toContain('rejected 2 (4.0 %, above the fail limit 3.0 %)');
  });
});

describe('the three most frequent reasons, each with its first line', () => {
  it('counts per reason and column, most frequent first, ties by first line; the fourth is left out', async () => {
    const rows = surveys(0);
    // Data row k is on line k + 1. Rejects: score 150 on rows 5, 9, 30 (lines 6, 10, 31);
    // channel 'fax' on rows 7 and 3 (lines 8, 4); surveyed_on empty on row 20 (line 21);
    // S001 again on row 12 (line 13: duplicate_key). 7 of 50 = 14 %.
    for (const k of [5, 9, 30]) rows[k - 1] = { ...rows[k - 1]!, score: '150' };
    for (const k of [7, 3]) rows[k - 1] = { ...rows[k - 1]!, channel: 'fax' };
    rows[19] = { ...rows[19]!, surveyed_on: '' };
    rows[11] = rows[0]!;
    const dir = extract(rows);
    const wh = await openWarehouse(':memory:');
    try {
      await loadExtracts(wh, dir);
      const checks = await checkRejectRates(wh, { businessDates: ['2026-09-30'] }, DEFAULT_REJECT_LIMITS);
      const s = checks.find((c) => c.entity === 'surveys')!;
      expect(checks[0]).toBe(s); // failing files first
      expect(s).toMatchObject({ read: 50, loaded: 43, rejected: 7, level: 'fail', allRejected: false });
      expect(s.rate).toBeCloseTo(0.14, 10);
      expect(s.reasons.map((r) => [r.reasonCode, r.column, r.rows, r.exampleLine])).toEqual([
        ['out_of_range', 'score', 3, 6],
        ['invalid_code', 'channel', 2, 4],
        ['duplicate_key', 'survey_id', 1, 13], // line 13 < line 21: the tie goes to the earlier line
      ]);
      // Every other file of the mini extract loads whole: not warned about.
      expect(checks.filter((c) => c.level !== 'ok').map((c) => c.entity)).toEqual(['surveys']);
    } finally {
      await wh.close();
    }
  });
});

describe('the night and the export are gated the same way', { timeout: 900_000 }, () => {
  it('a night with a file over its fail limit fails at its load step and publishes nothing; status.json names the file and the reasons', async () => {
    const extracts = extract(surveys(3));
    const data = join(root, `data${++n}`);
    const result = await runNightly({
      config: { ...loadConfig({}, join(root, 'none.json')), extractsDir: extracts, dataDir: data, buildSite: false, buildExports: false },
      print: () => {},
    });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('REJECT_LIMIT');
    expect(result.steps.map((s) => s.step)).toEqual(['prepare warehouse']); // the load step failed: nothing after it ran
    expect(existsSync(join(data, 'current'))).toBe(false);
    expect(existsSync(join(data, 'warehouse.duckdb'))).toBe(false);
    const status = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as Record<string, string>;
    expect(status).toMatchObject({ status: 'failed', failed_step: 'load 2026-09-30', error_code: 'REJECT_LIMIT', published: 'unchanged: the previous warehouse and site are still live' });
    expect(status.error).toContain('so the night publishes nothing');
    expect(status.error).toContain('surveys.csv (surveys, 2026-09-30): read 50, loaded 47, rejected 3 (6.0 %');
    expect(status.what_to_do).toContain('rejectLimits.perEntity.<entity>.fail');
  });

  it('a night with a file above its warn limit publishes, with the warning in status.json', async () => {
    const extracts = extract(surveys(2));
    const data = join(root, `data${++n}`);
    const result = await runNightly({
      config: { ...loadConfig({}, join(root, 'none.json')), extractsDir: extracts, dataDir: data, buildSite: false, buildExports: false },
      print: () => {},
    });
    expect(result.status, result.error?.message).toBe('succeeded');
    expect(existsSync(join(data, 'current', 'warehouse.duckdb'))).toBe(true);
    const status = JSON.parse(readFileSync(join(data, 'status.json'), 'utf8')) as { status: string; warnings: string[] };
    expect(status.status).toBe('succeeded');
    expect(status.warnings).toHaveLength(1);
    expect(status.warnings[0]).toContain('surveys.csv (surveys, 2026-09-30): read 50, loaded 48, rejected 2 (4.0 %, above the warn limit 0.5 %)');
  });

  it('the export refuses a month whose business date exceeded the fail limit (library and CLI), and exports it under a per-entity override', async () => {
    const extracts = extract(surveys(3));
    const warehouse = join(root, `w${++n}.duckdb`);
    const w = await openWarehouse(warehouse);
    await loadExtracts(w, extracts); // the library loads ungated; the export must still refuse
    await buildWarehouse(w);
    await w.exec('CHECKPOINT');
    await w.close();
    const wh = await openWarehouse(warehouse, { readOnly: true });
    try {
      const refused = await exportPackage(wh, { month: '2026-09', outDir: join(root, 'out-refused'), pdf: false }).catch((e: unknown) => e);
      expect(isCqError(refused, 'REJECT_LIMIT')).toBe(true);
      expect((refused as Error).message).toContain('so the 2026-09 package is not exported');
      expect((refused as Error).message).toContain('surveys.csv (surveys, 2026-09-30): read 50, loaded 47, rejected 3 (6.0 %, above the fail limit 5.0 %)');
      expect(existsSync(join(root, 'out-refused', '2026-09'))).toBe(false);
      const limits = parseRejectLimits({ perEntity: { surveys: { fail: 0.1 } } }, 'x.json');
      const ok = await exportPackage(wh, { month: '2026-09', outDir: join(root, 'out-ok'), pdf: false, rejectLimits: limits });
      expect(ok.manifest.files.length).toBeGreaterThan(0);
    } finally {
      await wh.close();
    }
    const cli = await runProcess(process.execPath, [...EXPORT, '--month', '2026-09', '--warehouse', warehouse, '--out', join(root, 'out-cli'), '--no-pdf', '--config', config({})], { encoding: 'utf8' });
    expect(cli.status, cli.stdout + cli.stderr).toBe(1);
    expect(cli.stderr).toContain('error [REJECT_LIMIT]');
    expect(cli.stderr).toContain('rejected 3 (6.0 %, above the fail limit 5.0 %)');
    const cliOk = await runProcess(
      process.execPath,
      [...EXPORT, '--month', '2026-09', '--warehouse', warehouse, '--out', join(root, 'out-cli'), '--no-pdf', '--quiet', '--config', config({ rejectLimits: { perEntity: { surveys: { fail: 0.1 } } } })],
      { encoding: 'utf8' },
    );
    expect(cliOk.status, cliOk.stdout + cliOk.stderr).toBe(0);
    expect(existsSync(join(root, 'out-cli', '2026-09', 'manifest.json'))).toBe(true);
  });
});
