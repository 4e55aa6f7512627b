import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { isProcessAlive } from './lock.js';

/**
 * The run ledger: an append-only NDJSON file outside the warehouse, written at the start and
 * end of every run and step. Because it is appended before each step begins, a run killed
 * with SIGKILL still shows up (as `failed`, "interrupted") while the published warehouse and
 * site stay byte-identical. Each successful run copies the ledger into `ops.runs` /
 * `ops.run_steps` of the warehouse it publishes, for the data-quality page.
 */
export type LedgerEvent =
  | { type: 'run_started'; run_id: string; at: string; pid: number; mode: 'incremental' | 'full'; business_dates: string[]; extract_checksums?: Record<string, string> }
  | { type: 'step_started'; run_id: string; at: string; step: string }
  | { type: 'step_finished'; run_id: string; at: string; step: string; status: 'succeeded' | 'failed'; seconds: number; rows?: number; detail?: string }
  | { type: 'run_finished'; run_id: string; at: string; status: 'succeeded' | 'failed' | 'noop'; error?: string; failed_step?: string };

/** A run folded from the ledger. */
export interface RunRecord {
  run_id: string;
  mode: string;
  business_dates: string[];
  pid: number;
  started_at: string;
  finished_at: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'noop';
  failed_step: string | null;
  error: string | null;
  extract_checksums: Record<string, string>;
  steps: { step: string; started_at: string; finished_at: string | null; status: string; seconds: number | null; rows: number | null; detail: string | null }[];
}

/** Appends one event (creating the ledger if needed). @example appendLedger(path, { type: 'step_started', ... }) */
export function appendLedger(path: string, event: LedgerEvent): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(event)}\n`);
}

/**
 * Folds the ledger into runs, newest first. A run that never finished and whose process is
 * gone is reported `failed` with error "interrupted"; its open step is the failed step.
 *
 * @example
 * const [last] = readRuns('data/runs/ledger.ndjson');
 */
export function readRuns(path: string, currentRunId?: string): RunRecord[] {
  if (!existsSync(path)) return [];
  const runs = new Map<string, RunRecord>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let e: LedgerEvent;
    try {
      e = JSON.parse(line) as LedgerEvent;
    } catch {
      continue; // a line cut by a kill mid-write
    }
    if (e.type === 'run_started') {
      runs.set(e.run_id, {
        run_id: e.run_id,
        mode: e.mode,
        business_dates: e.business_dates,
        pid: e.pid,
        started_at: e.at,
        finished_at: null,
        status: 'running',
        failed_step: null,
        error: null,
        extract_checksums: e.extract_checksums ?? {},
        steps: [],
      });
      continue;
    }
    const run = runs.get(e.run_id);
    if (!run) continue;
    if (e.type === 'step_started') run.steps.push({ step: e.step, started_at: e.at, finished_at: null, status: 'running', seconds: null, rows: null, detail: null });
    else if (e.type === 'step_finished') {
      const s = [...run.steps].reverse().find((x) => x.step === e.step && x.finished_at === null);
      if (s) Object.assign(s, { finished_at: e.at, status: e.status, seconds: e.seconds, rows: e.rows ?? null, detail: e.detail ?? null });
    } else if (e.type === 'run_finished') {
      Object.assign(run, { finished_at: e.at, status: e.status, error: e.error ?? null, failed_step: e.failed_step ?? null });
    }
  }
  for (const run of runs.values()) {
    if (run.status === 'running' && run.run_id !== currentRunId && !isProcessAlive(run.pid)) {
      const open = run.steps.find((s) => s.finished_at === null);
      run.status = 'failed';
      run.failed_step = open?.step ?? null;
      run.error = `interrupted: the process (pid ${run.pid}) ended during step "${open?.step ?? 'unknown'}" without finishing (killed or crashed); nothing was published`;
      if (open) open.status = 'interrupted';
    }
  }
  return [...runs.values()].sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : b.run_id.localeCompare(a.run_id)));
}
