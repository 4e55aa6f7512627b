import { join } from 'node:path';
import { CqError } from '../lib/errors.js';
import type { NightlyConfig, NightlyPaths } from '../config/config.js';
import { appendLedger, interruptedMessage, readRuns, type RunRecord } from './ledger.js';
import type { LockTakeover } from './lock.js';
import { notify } from './notify.js';

/** A run found interrupted and now recorded as failed. */
export interface InterruptedRun {
  runId: string;
  pid: number;
  failedStep: string | null;
  error: CqError;
}

/**
 * Run id of a nightly: `R<UTC yyyymmddThhmmss>-<pid>`.
 *
 * @example
 * nightlyRunId(new Date('2026-10-31T02:30:00Z'), 4242) // 'R20261031T023000-4242'
 */
export function nightlyRunId(at: Date, pid: number): string {
  return `R${at.toISOString().replace(/[-:]/g, '').slice(0, 15)}-${pid}`;
}

/**
 * Records runs that were killed (SIGKILL, out-of-memory killer, power loss) as failed and
 * alerts about each, before a new run starts. Call it only while holding the nightly lock:
 * then no other run is alive, so every run in the ledger without `run_finished` was
 * interrupted; so was the holder of a stale lock taken over (even one killed before it wrote
 * `run_started`). Each gets a `run_finished` line (status `failed`, error "interrupted: …
 * during step X", `interrupted_found_by`), `status.json` says so and the webhook is called,
 * like for any failed run; the newest interrupted run is written last, so status.json ends on it.
 *
 * @example
 * const lock = acquireLock(paths.lock, { runId });
 * const interrupted = await recordInterruptedRuns(config, paths, runId, lock.takeover);
 */
export async function recordInterruptedRuns(config: NightlyConfig, paths: NightlyPaths, currentRunId: string, takeover?: LockTakeover): Promise<InterruptedRun[]> {
  const all = readRuns(paths.ledger, currentRunId);
  const runs = all.filter((r) => r.finished_at === null && r.run_id !== currentRunId);
  const holder = takeover?.holder;
  // A lock without a run in the ledger: its run was killed before it wrote run_started (while
  // choosing the dates). A lock of a run that did finish was left by a kill after run_finished:
  // nothing to report. (Locks of older versions carry no run id: matched by PID.)
  const known = holder && all.some((r) => (holder.runId ? r.run_id === holder.runId : r.pid === holder.pid));
  if (holder && !known) {
    const startedMs = Date.parse(holder.startedAt ?? '');
    const at = new Date(Number.isFinite(startedMs) ? startedMs : Date.now()).toISOString();
    const runId = holder.runId ?? nightlyRunId(new Date(at), holder.pid);
    appendLedger(paths.ledger, { type: 'run_started', run_id: runId, at, pid: holder.pid, mode: 'incremental', business_dates: [] });
    runs.push(synthetic(runId, holder.pid, at));
  }
  const found: InterruptedRun[] = [];
  for (const run of runs.sort((a, b) => (a.started_at < b.started_at ? -1 : a.started_at > b.started_at ? 1 : 0))) {
    const open = run.steps.find((s) => s.finished_at === null)?.step;
    const message = interruptedMessage(run.pid, open);
    const error = new CqError('RUN_INTERRUPTED', `nightly ${run.run_id} (started ${run.started_at}) ${message} Found by ${currentRunId}; ledger ${paths.ledger}.`, {
      file: paths.ledger,
    });
    appendLedger(paths.ledger, {
      type: 'run_finished',
      run_id: run.run_id,
      at: new Date().toISOString(),
      status: 'failed',
      error: message,
      ...(open ? { failed_step: open } : {}),
      interrupted_found_by: currentRunId,
    });
    await notify(config, paths, {
      runId: run.run_id,
      status: 'failed',
      businessDates: run.business_dates,
      steps: run.steps.filter((s) => s.status === 'succeeded').map((s) => ({ step: s.step, seconds: s.seconds ?? 0 })),
      logFile: join(paths.logsDir, `nightly-${run.run_id}.ndjson`),
      failedStep: open,
      error,
      startedAt: run.started_at,
    });
    found.push({ runId: run.run_id, pid: run.pid, failedStep: open ?? null, error });
  }
  return found;
}

function synthetic(runId: string, pid: number, at: string): RunRecord {
  return {
    run_id: runId,
    mode: 'incremental',
    business_dates: [],
    pid,
    pid_identity: null,
    started_at: at,
    finished_at: null,
    status: 'running',
    failed_step: null,
    error: null,
    extract_checksums: {},
    steps: [],
  };
}
