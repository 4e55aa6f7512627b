import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../transforms/lib/duckdb.js';
import { closeLedgerPath, readCloses } from '../../transforms/operations/close-ledger.js';
import { diffKpiRows } from '../../transforms/operations/closed-months-check.js';
import { canonicalKpiText, canonicalNumber, type KpiRowSnapshot } from '../../transforms/operations/month-kpi-snapshot.js';
import { checkSourceSql } from '../../transforms/publish/site/source-sql-guard.js';
import { withColumns } from '../helpers/extract-rows.js';
import { writeMiniExtract, type MiniRows } from '../helpers/mini-extract.js';
import { runProcess } from '../helpers/run-process.js';

/**
 * Month-end close and restatements end to end, as operators run them (a child process per
 * command), on the mini extract of business date 2026-08-31 (3 loans; test/helpers/mini-extract.ts):
 *
 *   balances L001 950,000.00 正常 (BJ01, mortgage), L002 25,000.00 关注 45 dpd (SH01, consumer_instalment),
 *   L003 800,000.00 次级 120 dpd (SH01, business) → on book 1,775,000.00, non-performing 800,000.00
 *   npl_ratio (whole book) = 800,000 / 1,775,000 = 0.450704225352 (12 significant digits)
 *
 * The "corrected" re-delivery moves L002 to 次级 with 95 days past due (line 3 of loan_balances.csv:
 * line 1 is the header, L001 is line 2): non-performing 825,000.00 → npl_ratio = 825,000 / 1,775,000
 * = 0.464788732394; branch SH01 800,000 / 825,000 = 0.969696969697 → 825,000 / 825,000 = 1.
 */

const TSX = ['--import', 'tsx'];
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cq-close-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DATE = '2026-08-31';

function writeExtract(extracts: string, edit: (r: MiniRows) => void = () => {}) {
  writeMiniExtract(
    (r) => {
      r.loan_balances = r.loan_balances.map((l) => withColumns(l, { as_of_date: DATE }));
      edit(r);
    },
    { dir: extracts, date: DATE },
  );
}

/** L002 reclassified: 次级, 95 days past due (the rest of the delivery unchanged). */
const reclassifyL002 = (r: MiniRows) => {
  r.loan_balances = r.loan_balances.map((l) => withColumns(l, (row): Record<string, string> => (row.loan_id === 'L002' ? { recorded_class: '次级', days_past_due: '95' } : {})));
};

function nightly(extracts: string, data: string, extra: string[] = []) {
  return runProcess(process.execPath, [...TSX, 'transforms/cli/nightly.ts', '--extracts', extracts, '--data', data, '--no-site', '--no-exports', ...extra], { encoding: 'utf8' });
}

function close(data: string, extra: string[]) {
  return runProcess(process.execPath, [...TSX, 'transforms/cli/close.ts', '--data', data, ...extra], { encoding: 'utf8' });
}

/** SHA-256 over every file of the live release, by relative path, and the release it points at. */
function published(data: string): { release: string; sha: string } {
  const h = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, `${rel}/${e}`);
      else h.update(`${rel}/${e}\0`).update(readFileSync(p));
    }
  };
  walk(join(data, 'current'), '');
  return { release: readlinkSync(join(data, 'current')), sha: h.digest('hex') };
}

async function query<T>(data: string, sql: string): Promise<T[]> {
  const wh = await openWarehouse(join(data, 'warehouse.duckdb'), { readOnly: true });
  try {
    return await wh.all<T>(sql);
  } finally {
    await wh.close();
  }
}

describe('canonical KPI text', () => {
  const row = (o: Partial<KpiRowSnapshot>): KpiRowSnapshot => ({ metric_id: 'npl_ratio', slice: 'all', slice_value: 'ALL', status: 'measured', value: null, numerator: null, denominator: null, n: null, ...o });

  it('writes 12 significant digits (no float noise), sorts by key in code-unit order, and diffs by that text', () => {
    expect(canonicalNumber(0.1 + 0.2)).toBe('0.3'); // 0.30000000000000004 is the same figure
    expect(canonicalNumber(800000 / 1775000)).toBe('0.450704225352');
    expect(canonicalNumber(null)).toBe('');
    const text = canonicalKpiText([row({ slice: 'branch', slice_value: 'SH01', value: 1 }), row({ value: 0.5, numerator: 1, denominator: 2 })]);
    expect(text).toBe('metric_id|slice|slice_value|status|value|numerator|denominator|n\nnpl_ratio|all|ALL|measured|0.5|1|2|\nnpl_ratio|branch|SH01|measured|1|||\n');
    // Same figure computed in another order: no change. A new KPI (not in the close): no change.
    // A new slice value of a closed KPI and a changed value: changes.
    const closed = [row({ value: 0.3 })];
    expect(diffKpiRows(closed, [row({ value: 0.1 + 0.2 }), row({ metric_id: 'new_kpi', value: 1 })])).toEqual([]);
    const d = diffKpiRows(closed, [row({ value: 0.31 }), row({ slice: 'branch', slice_value: 'GZ01', value: 1 })]);
    expect(d.map((c) => [c.slice_value, c.old?.value ?? null, c.new?.value ?? null])).toEqual([
      ['ALL', 0.3, 0.31],
      ['GZ01', null, 1],
    ]);
  });
});

describe('month-end close and restatements', { timeout: 600_000 }, () => {
  it('closes a month; a changed re-delivery is refused with a report until --restate, which publishes, re-closes and marks the month', async () => {
    const dir = join(root, 'restate');
    const extracts = join(dir, 'extracts');
    const data = join(dir, 'data');
    writeExtract(extracts);
    const first = await nightly(extracts, data);
    expect(first.status, first.stdout + first.stderr).toBe(0);

    // Close 2026-08: one close in the ledger, holding the rows and their hash.
    const closed = await close(data, ['--month', '2026-08', '--by', '王芳']);
    expect(closed.status, closed.stdout + closed.stderr).toBe(0);
    expect(closed.stdout).toContain('closed 2026-08');
    const ledger = closeLedgerPath({ runsDir: join(data, 'runs') });
    const [c1] = readCloses(ledger);
    expect(c1).toMatchObject({ month: '2026-08', close_no: 1, kind: 'close', closed_by: '王芳' });
    const text = canonicalKpiText(c1!.rows);
    expect(createHash('sha256').update(text).digest('hex')).toBe(c1!.kpi_hash);
    expect(c1!.kpi_rows).toBe(c1!.rows.length);
    // npl_ratio, whole book: 800,000 / 1,775,000 (see the header).
    expect(text).toMatch(/^npl_ratio\|all\|ALL\|measured\|0\.450704225352\|800000\|1775000\|/m);
    const [count] = await query<{ n: number }>(data, `SELECT count(*)::INTEGER AS n FROM metrics.kpi_values WHERE as_of_month = DATE '2026-08-31'`);
    expect(c1!.kpi_rows).toBe(count!.n);

    // Closing again without a change records nothing (idempotent).
    const again = await close(data, ['--month', '2026-08', '--by', '王芳']);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain('already closed');
    expect(readCloses(ledger)).toHaveLength(1);

    // An unchanged re-delivery of the closed month publishes normally.
    const before0 = published(data);
    const same = await nightly(extracts, data, ['--date', DATE, '--force']);
    expect(same.status, same.stdout + same.stderr).toBe(0);
    expect(same.stdout).toContain('1 closed month(s) unchanged');
    expect(published(data).release).not.toBe(before0.release);
    expect(await query(data, `SELECT month, close_no, kind, closed_by FROM ops.month_closes`)).toEqual([{ month: '2026-08', close_no: 1, kind: 'close', closed_by: '王芳' }]);
    // The site's source has the month, not restated (never empty: an empty source fails the site build).
    const unmarked = await query<{ month: string; restatements: bigint }>(data, readFileSync('sources/warehouse/month_restatements.sql', 'utf8'));
    expect(unmarked.map((m) => [m.month, Number(m.restatements)])).toEqual([['2026-08', 0]]);

    // A corrected delivery changes npl_ratio of the closed month: refused, nothing published.
    writeExtract(extracts, reclassifyL002);
    const before = published(data);
    const refused = await nightly(extracts, data, ['--date', DATE, '--force']);
    expect(refused.status).not.toBe(0);
    const out = refused.stdout + refused.stderr;
    expect(out).toContain('CLOSED_MONTH_CHANGED');
    expect(out).toMatch(/2026-08: [^;]*npl_ratio/);
    expect(out).toContain('--restate --by NAME --reason');
    expect(published(data)).toEqual(before);
    expect(readCloses(ledger)).toHaveLength(1);
    // The report: the changed KPI with its old and new value, and the extract row that caused it.
    const reports = readdirSync(join(data, 'restatements'));
    expect(reports.filter((f) => f.endsWith('.md'))).toHaveLength(1);
    const md = readFileSync(join(data, 'restatements', reports.find((f) => f.endsWith('.md'))!), 'utf8');
    expect(md).toMatch(/\| npl_ratio \(.*\) \| all \| ALL[^|]*\| measured \| measured \| 0\.450704225352 \| 0\.464788732394 \| 800000 \| 825000 \|/);
    expect(md).toMatch(/\| npl_ratio \(.*\) \| branch \| SH01[^|]*\| measured \| measured \| 0\.969696969697 \| 1 \|/);
    expect(md).not.toMatch(/\| npl_ratio \(.*\) \| branch \| BJ01/); // BJ01's figures did not move
    // The one row that differs from the published release: L002's balance (line 3). Every other row of
    // the re-delivered files was loaded after the close too, but is identical to what was published.
    const sourceRows = md.split('\n').filter((l) => /\.csv \| \d+ \|/.test(l));
    expect(sourceRows).toHaveLength(1);
    expect(sourceRows[0]).toMatch(/^\| [^|]*extracts\/2026-08-31\/loan_balances\.csv \| 3 \| loan_balances \| 2026-08-31 \| L20260831-/);
    expect(md).toContain('Not published');
    const csv = readFileSync(join(data, 'restatements', reports.find((f) => f.endsWith('.csv'))!), 'utf8');
    expect(csv).toMatch(/^2026-08,npl_ratio,[^\n]*,all,ALL,[^\n]*,measured,measured,0\.450704225352,0\.464788732394,800000,825000,1775000,1775000\r$/m);

    // --restate without who/why is a usage error; with them the night publishes and re-closes.
    const noWho = await nightly(extracts, data, ['--date', DATE, '--force', '--restate']);
    expect(noWho.status).not.toBe(0);
    expect(noWho.stderr).toContain('--restate needs --by NAME and --reason TEXT');
    const restated = await nightly(extracts, data, ['--date', DATE, '--force', '--restate', '--by', '李雷', '--reason', 'L002 reclassified by the credit committee']);
    expect(restated.status, restated.stdout + restated.stderr).toBe(0);
    expect(published(data).release).not.toBe(before.release);
    const closes = readCloses(ledger);
    expect(closes).toHaveLength(2);
    expect(closes[1]).toMatchObject({ month: '2026-08', close_no: 2, kind: 'restatement', closed_by: '李雷', reason: 'L002 reclassified by the credit committee' });
    expect(closes[1]!.kpi_hash).not.toBe(c1!.kpi_hash);
    expect(canonicalKpiText(closes[1]!.rows)).toMatch(/^npl_ratio\|all\|ALL\|measured\|0\.464788732394\|825000\|1775000\|/m);
    const [npl] = await query<{ value: number }>(data, `SELECT value FROM metrics.kpi_values WHERE metric_id = 'npl_ratio' AND slice = 'all' AND as_of_month = DATE '2026-08-31'`);
    expect(canonicalNumber(npl!.value)).toBe('0.464788732394');
    expect(await query(data, `SELECT close_no, kind, closed_by, reason, changed_rows > 0 AS changed FROM ops.month_closes ORDER BY close_no`)).toEqual([
      { close_no: 1, kind: 'close', closed_by: '王芳', reason: null, changed: null },
      { close_no: 2, kind: 'restatement', closed_by: '李雷', reason: 'L002 reclassified by the credit committee', changed: true },
    ]);
    // Old values stay in the warehouse next to the new ones.
    expect(
      await query(data, `SELECT close_no, numerator FROM ops.month_close_values WHERE metric_id = 'npl_ratio' AND slice = 'all' ORDER BY close_no`),
    ).toEqual([
      { close_no: 1, numerator: 800000 },
      { close_no: 2, numerator: 825000 },
    ]);
    // The site's source marks the month restated, and the source guard allows it.
    expect(checkSourceSql('sources/warehouse')).toEqual([]);
    const marker = await query<{ month: string; restatements: bigint }>(data, readFileSync('sources/warehouse/month_restatements.sql', 'utf8'));
    expect(marker.map((m) => [m.month, Number(m.restatements)])).toEqual([['2026-08', 1]]);

    // The month is closed with the new figures: the same delivery again publishes without --restate.
    const after = await nightly(extracts, data, ['--date', DATE, '--force']);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    expect(existsSync(join(data, 'current'))).toBe(true);
  });
});
