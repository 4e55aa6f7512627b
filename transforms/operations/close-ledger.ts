import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NightlyPaths } from '../config/config.js';
import type { KpiRowSnapshot } from './month-kpi-snapshot.js';

/**
 * The close ledger: an append-only NDJSON file outside the warehouse (`<data>/runs/closes.ndjson`),
 * one line per close of a business month (`cq close`) and per re-close of a restating night
 * (`cq nightly --restate`). Like the run ledger it survives every release and a full rebuild
 * (`--full` starts from an empty warehouse); each night copies it into `ops.month_closes` and
 * `ops.month_close_values` of the warehouse it publishes. Each line keeps the closed KPI rows
 * themselves (not only their hash), so a restatement report can show old and new values.
 */
export interface MonthCloseEvent {
  type: 'month_closed';
  /** Business month, YYYY-MM. */
  month: string;
  /** 1 for the first close of the month, then +1 per re-close. */
  close_no: number;
  kind: 'close' | 'restatement';
  closed_by: string;
  /** ISO UTC time. */
  closed_at: string;
  kpi_hash: string;
  kpi_rows: number;
  /** Latest load in the warehouse closed (null: none recorded). */
  load_id: string | null;
  /** The restating night (null for cq close). */
  run_id: string | null;
  reason: string | null;
  changed_rows: number | null;
  /** Restatement report, relative to the data folder. */
  report: string | null;
  rows: KpiRowSnapshot[];
}

/** Path of the close ledger of a data folder. @example closeLedgerPath(nightlyPaths('data')) // '/abs/data/runs/closes.ndjson' */
export function closeLedgerPath(paths: Pick<NightlyPaths, 'runsDir'>): string {
  return join(paths.runsDir, 'closes.ndjson');
}

/** Appends one close (creating the ledger if needed). @example appendClose(closeLedgerPath(paths), event) */
export function appendClose(path: string, event: MonthCloseEvent): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(event)}\n`);
}

/**
 * Every close in the ledger, in the order recorded (a line cut by a kill mid-write is skipped).
 *
 * @example
 * const closes = readCloses('data/runs/closes.ndjson');
 */
export function readCloses(path: string): MonthCloseEvent[] {
  if (!existsSync(path)) return [];
  const out: MonthCloseEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as MonthCloseEvent;
      if (e.type === 'month_closed') out.push(e);
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * The close in force of each closed month (the highest close_no), by month.
 *
 * @example
 * latestCloses(readCloses(path)).get('2026-08')?.kpi_hash
 */
export function latestCloses(closes: readonly MonthCloseEvent[]): Map<string, MonthCloseEvent> {
  const m = new Map<string, MonthCloseEvent>();
  for (const c of closes) {
    const prev = m.get(c.month);
    if (!prev || c.close_no > prev.close_no) m.set(c.month, c);
  }
  return m;
}
