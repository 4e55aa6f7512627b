import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nightlyPaths } from '../config/config.js';
import { quoteLiteral as lit } from '../lib/duckdb.js';
import type { WarehouseHandle } from '../lib/warehouse-handle.js';
import { CqError } from '../lib/errors.js';
import { opsTableDdl } from '../lib/ops-tables.js';
import { appendClose, latestCloses, readCloses, type MonthCloseEvent } from './close-ledger.js';
import { canonicalKpiLine, kpiRowKey, monthKpiSnapshot, type KpiRowSnapshot } from './month-kpi-snapshot.js';
import { currentRelease } from './release-layout.js';
import { sourceRowsAfterClose, writeRestatementReport, type KpiRowChange } from './restatement-report.js';

/** Outcome of the closed-month check of a night. */
export interface ClosedMonthsCheck {
  /** Step detail for the ledger. */
  detail: string;
  /** Closed months whose KPI rows this build changes, with the reports written. */
  changed: { month: string; changes: KpiRowChange[]; report: { markdown: string; csv: string } }[];
  /** Appends the re-closes of the restated months to the close ledger: call once the release is published. */
  commit: () => void;
}

/**
 * Compares the KPI rows of every closed month (close ledger, the close in force) with the
 * warehouse the night just built. A row differs when its canonical line (status, value,
 * numerator, denominator, sample size; see `canonicalKpiLine`) differs, or it is gone, or it is
 * new for a KPI that the close had (a KPI added to the catalogue since the close is not a change).
 * For each changed month it writes a restatement report into `<dataDir>/restatements/`. Then:
 * - without `restate`, it throws CLOSED_MONTH_CHANGED naming the months, KPIs and reports (the
 *   night then publishes nothing, like the reject limit);
 * - with `restate`, each changed month gets a re-close (kind restatement, who, why, this run, the
 *   new hash), recorded in the warehouse now and in the close ledger by `commit()` after publishing.
 * Either way the warehouse gets `ops.month_closes` / `ops.month_close_values` from the ledger.
 *
 * @example
 * const check = await checkClosedMonths(wh, { ledger: 'data/runs/closes.ndjson', dataDir: 'data', runId });
 * // … publish …
 * check.commit();
 */
export async function checkClosedMonths(
  wh: WarehouseHandle,
  options: { ledger: string; dataDir: string; runId: string; restate?: { by: string; reason: string } | undefined; now?: Date },
): Promise<ClosedMonthsCheck> {
  const closes = readCloses(options.ledger);
  const latest = latestCloses(closes);
  const changed: ClosedMonthsCheck['changed'] = [];
  const pending: MonthCloseEvent[] = [];
  for (const [month, close] of [...latest].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const snap = await monthKpiSnapshot(wh, month);
    if (snap.hash === close.kpi_hash) continue;
    const changes = diffKpiRows(close.rows, snap.rows);
    if (!changes.length) continue; // only KPIs added since the close differ
    const sources = await withPublished(wh, options.dataDir, (published) => sourceRowsAfterClose(wh, close, changes, published));
    const report = writeRestatementReport(join(options.dataDir, 'restatements'), {
      runId: options.runId,
      close,
      changes,
      sources,
      restate: options.restate,
      names: await kpiNames(wh),
      labels: await sliceLabels(wh, month),
    });
    changed.push({ month, changes, report });
    if (options.restate) {
      pending.push({
        type: 'month_closed',
        month,
        close_no: close.close_no + 1,
        kind: 'restatement',
        closed_by: options.restate.by,
        closed_at: (options.now ?? new Date()).toISOString(),
        kpi_hash: snap.hash,
        kpi_rows: snap.rows.length,
        load_id: await latestLoadId(wh),
        run_id: options.runId,
        reason: options.restate.reason,
        changed_rows: changes.length,
        report: relative(options.dataDir, report.markdown),
        rows: snap.rows,
      });
    }
  }
  if (changed.length && !options.restate) {
    const what = changed.map((c) => `${c.month}: ${[...new Set(c.changes.map((x) => x.metric_id))].join(', ')} (${c.changes.length} KPI row(s); report ${c.report.markdown})`);
    throw new CqError(
      'CLOSED_MONTH_CHANGED',
      `this load changes KPIs of closed month(s) — ${what.join('; ')}. The night publishes nothing (the site, warehouse and exports stay as they were). ` +
        'Fix: check the report; if the new figures are right, run the night again with the same flags plus --restate --by NAME --reason "why" ' +
        '(it publishes them, records the restatement and re-closes the month); if not, correct the extract and run the night again.',
      { file: changed[0]!.report.markdown },
    );
  }
  await recordClosesInWarehouse(wh, [...closes, ...pending]);
  const detail = latest.size === 0
    ? 'no closed month'
    : changed.length
      ? `restated ${changed.map((c) => `${c.month} (${c.changes.length} KPI row(s))`).join(', ')}; reports in ${join(options.dataDir, 'restatements')}`
      : `${latest.size} closed month(s) unchanged${options.restate ? ' (--restate: nothing to restate)' : ''}`;
  return { detail, changed, commit: () => pending.forEach((e) => appendClose(options.ledger, e)) };
}

/**
 * The changed rows between a close and a new build, in key order.
 *
 * @example
 * diffKpiRows(close.rows, snap.rows) // [{ metric_id: 'npl_ratio', slice: 'all', slice_value: 'ALL', old: {…}, new: {…} }]
 */
export function diffKpiRows(closed: readonly KpiRowSnapshot[], current: readonly KpiRowSnapshot[]): KpiRowChange[] {
  const oldBy = new Map(closed.map((r) => [kpiRowKey(r), r]));
  const newBy = new Map(current.map((r) => [kpiRowKey(r), r]));
  const closedMetrics = new Set(closed.map((r) => r.metric_id));
  const keys = [...new Set([...oldBy.keys(), ...[...newBy.keys()].filter((k) => closedMetrics.has(newBy.get(k)!.metric_id))])].sort();
  const out: KpiRowChange[] = [];
  for (const k of keys) {
    const o = oldBy.get(k) ?? null;
    const n = newBy.get(k) ?? null;
    if (o && n && canonicalKpiLine(o) === canonicalKpiLine(n)) continue;
    const r = (o ?? n)!;
    out.push({ metric_id: r.metric_id, slice: r.slice, slice_value: r.slice_value, old: o, new: n });
  }
  return out;
}

/**
 * Writes the close ledger into `ops.month_closes` and `ops.month_close_values` (replaced).
 *
 * @example
 * await recordClosesInWarehouse(wh, readCloses('data/runs/closes.ndjson'));
 */
export async function recordClosesInWarehouse(wh: WarehouseHandle, closes: readonly MonthCloseEvent[]): Promise<void> {
  await wh.exec(opsTableDdl('month_closes', 'month_close_values'));
  const s = (v: string | null) => (v === null ? 'NULL' : lit(v));
  const d = (v: number | null) => (v === null || !Number.isFinite(v) ? 'NULL' : String(v));
  for (const c of closes) {
    await wh.exec(
      `INSERT INTO ops.month_closes VALUES (${lit(c.month)}, ${c.close_no}, ${lit(c.kind)}, ${lit(c.closed_by)}, TIMESTAMP ${lit(c.closed_at.replace('T', ' ').replace('Z', ''))},
        ${lit(c.kpi_hash)}, ${c.kpi_rows}, ${s(c.load_id)}, ${s(c.run_id)}, ${s(c.reason)}, ${c.changed_rows ?? 'NULL'}, ${s(c.report)})`,
    );
    for (let i = 0; i < c.rows.length; i += 500) {
      const values = c.rows
        .slice(i, i + 500)
        .map((r) => `(${lit(c.month)}, ${c.close_no}, ${lit(r.metric_id)}, ${lit(r.slice)}, ${lit(r.slice_value)}, ${s(r.status)}, ${d(r.value)}, ${d(r.numerator)}, ${d(r.denominator)}, ${d(r.n)})`);
      await wh.exec(`INSERT INTO ops.month_close_values VALUES ${values.join(',\n')}`);
    }
  }
}

/** Runs `fn` with the live release's warehouse ATTACHed read-only (its schema name; undefined before the first publish). */
async function withPublished<T>(wh: WarehouseHandle, dataDir: string, fn: (published: string | undefined) => Promise<T>): Promise<T> {
  const live = currentRelease(nightlyPaths(dataDir));
  const file = live ? join(live, 'warehouse.duckdb') : undefined;
  if (!file || !existsSync(file) || file === wh.path) return fn(undefined);
  await wh.exec(`ATTACH ${lit(file)} AS published_release (READ_ONLY)`);
  try {
    return await fn('published_release');
  } finally {
    await wh.exec('DETACH published_release');
  }
}

async function kpiNames(wh: WarehouseHandle): Promise<Map<string, string>> {
  const rows = await wh.all<{ metric_id: string; name: string }>(`SELECT metric_id, name_zh || ' ' || name_en AS name FROM metrics.metric_catalog`).catch(() => []);
  return new Map(rows.map((r) => [r.metric_id, r.name]));
}

async function sliceLabels(wh: WarehouseHandle, month: string): Promise<Map<string, string>> {
  const rows = await wh.all<{ k: string; label: string }>(
    `SELECT DISTINCT slice || '|' || slice_value AS k, slice_label AS label FROM metrics.kpi_values WHERE strftime(as_of_month, '%Y-%m') = ${lit(month)} AND slice_label IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.k, r.label]));
}

async function latestLoadId(wh: WarehouseHandle): Promise<string | null> {
  const [r] = await wh.all<{ load_id: string | null }>(`SELECT max_by(load_id, finished_at) AS load_id FROM ops.load_audit`).catch(() => [{ load_id: null }]);
  return r?.load_id ?? null;
}
