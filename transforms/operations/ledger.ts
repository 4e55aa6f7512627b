import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { holderState, type ProcessIdentity } from './process-identity.js';

/**
 * The run ledger: an append-only NDJSON file outside the warehouse, written at the start and
 * end of every run and step. Because it is appended before each step begins, a run killed
 * with SIGKILL still shows up (as `failed`, "interrupted") while the published warehouse and
 * site stay byte-identical. Each successful run copies the ledger into `ops.runs` /
 * `ops.run_steps` of the warehouse it publishes, for the data-quality page.
 */
export type LedgerEvent =
  | {
      type: 'run_started';
      run_id: string;
      at: string;
      pid: number;
      /** Start time / boot id of the process (a PID alone may have been reused since). */
      pid_identity?: ProcessIdentity;
      mode: 'incremental' | 'full';
      business_dates: string[];
      extract_checksums?: Record<string, string>;
      /** The stale lock this run took over. */
      took_over_lock?: { pid?: number; run_id?: string; reason: string };
    }
  | { type: 'step_started'; run_id: string; at: string; step: string }
  | { type: 'step_finished'; run_id: string; at: string; step: string; status: 'succeeded' | 'failed'; seconds: number; rows?: number; detail?: string }
  | {
      type: 'run_finished';
      run_id: string;
      at: string;
      status: 'succeeded' | 'failed' | 'noop';
      error?: string;
      failed_step?: string;
      /** Written by a later run that found this run interrupted (`at` is when it was found). */
      interrupted_found_by?: string;
    };

/** A run folded from the ledger. */
export interface RunRecord {
  run_id: string;
  mode: string;
  business_dates: string[];
  pid: number;
  pid_identity: ProcessIdentity | null;
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
 * Why a run is recorded as interrupted; `step` is the step it was in.
 *
 * @example
 * interruptedMessage(4242, 'load 2026-10-31') // 'interrupted: the process (pid 4242) ended without finishing …'
 */
export function interruptedMessage(pid: number, step: string | undefined): string {
  return (
    `interrupted: the process (pid ${pid}) ended without finishing (killed or machine stopped) ${step ? `during step "${step}"` : 'before its first step'}; ` +
    'nothing was published (the previous release stayed live). Fix: run `npm run nightly` again (it catches up every pending date); ' +
    'if runs keep dying, look for the out-of-memory killer or a reboot in the system log (journalctl -k, dmesg).'
  );
}

/**
 * Folds the ledger into runs, newest first. A run that never finished and whose process is
 * gone (dead, or its PID now belongs to another process, or the machine rebooted) is
 * reported `failed` with error "interrupted"; its open step is the failed step and is marked
 * `interrupted` (also for runs a later run recorded as interrupted).
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
        pid_identity: e.pid_identity ?? null,
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
    const open = run.steps.find((s) => s.finished_at === null);
    if (run.status === 'running' && run.run_id !== currentRunId && holderState({ pid: run.pid, ...(run.pid_identity ?? {}), recordedAt: run.started_at }) !== 'alive') {
      run.status = 'failed';
      run.failed_step = open?.step ?? null;
      run.error = interruptedMessage(run.pid, open?.step);
    }
    if (run.status !== 'running' && open) open.status = 'interrupted';
  }
  return [...runs.values()].sort((a, b) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : b.run_id.localeCompare(a.run_id)));
}
