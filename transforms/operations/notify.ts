import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { CqError } from '../lib/errors.js';
import type { NightlyConfig, NightlyPaths } from '../config/config.js';
import { publishAccess, securePath, type PublishAccess } from './permissions.js';

/** What a run reports to operators and monitoring. */
export interface RunSummary {
  runId: string;
  status: 'succeeded' | 'failed';
  businessDates: string[];
  steps: { step: string; seconds: number; detail?: string }[];
  logFile: string;
  failedStep?: string | undefined;
  error?: CqError;
  /** When the run started (given for runs found interrupted: their finish time is unknown). */
  startedAt?: string;
  /** Published with these warnings (files above their warn reject limit, a skipped PDF). */
  warnings?: string[];
  /** Packages published without their PDF (exportPdf "optional", no Chromium): month, why, the command that adds it. */
  pdfSkipped?: { month: string; reason: string; fix: string }[];
}

/** What to do next, per error code: shown in status.json and the webhook. */
export function nextAction(error: CqError): string {
  switch (error.code) {
    case 'EXTRACT_MISSING_FILE':
    case 'EXTRACT_MISSING_COLUMN':
    case 'EXTRACT_ENCODING':
    case 'EXTRACT_UNREADABLE':
    case 'EXTRACT_DUPLICATE_FILE':
    case 'EXTRACT_MANIFEST':
      return 'Ask the lender to re-deliver the named extract file (see docs/extracts.md), then run `npm run nightly` again. The site still shows the previous night.';
    case 'REJECT_LIMIT':
      return 'An extract file rejected more rows than its limit (the message names the file, the counts and the top reasons with a line each): have the lender correct and re-deliver it, then run `npm run nightly` again. If the rejects are expected, raise rejectLimits.perEntity.<entity>.fail in cq.config.json (docs/operations.md, "Reject limits"). Nothing was published.';
    case 'DATA_TEST_FAILED':
      return 'A data test failed: inspect the failing query in the message, fix the data or the model, then run `npm run nightly` again.';
    case 'RUN_ALREADY_RUNNING':
      return 'Another run holds the lock; wait for it to finish.';
    case 'RUN_INTERRUPTED':
      return 'The run was killed (out-of-memory killer, kill -9, reboot or power loss) and published nothing. Run `npm run nightly` again (it catches up every pending date); if runs keep dying, check the system log (journalctl -k, dmesg) for the OOM killer and lower memoryLimit in the config.';
    default:
      return 'Read the log file named here, fix the cause, then run `npm run nightly` again (add --debug for stack traces).';
  }
}

/**
 * Replaces `<data>/status.json` atomically (a reader sees the old or the new file, never half
 * of one) with `access` applied. `undefined` removes it.
 *
 * @example
 * writeStatus(paths, { run_id: 'R1', status: 'running' }, publishAccess(undefined));
 */
export function writeStatus(paths: NightlyPaths, body: Record<string, unknown> | undefined, access: PublishAccess): void {
  if (body === undefined) {
    rmSync(paths.status, { force: true });
    return;
  }
  const tmp = `${paths.status}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`, { mode: access.fileMode });
  securePath(tmp, access);
  renameSync(tmp, paths.status);
}

/** The current `<data>/status.json`, or undefined (missing or unreadable). @example readStatus(paths)?.status // 'succeeded' */
export function readStatus(paths: NightlyPaths): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(readFileSync(paths.status, 'utf8')) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `<data>/status.json` (read by monitoring) and, when configured, POSTs the
 * same JSON to the webhook (always on failure; on success if `webhookOnSuccess`). A webhook
 * that fails or times out is logged to stderr and never fails the run.
 *
 * @example
 * await notify(config, paths, { runId, status: 'failed', businessDates, steps, logFile, failedStep, error });
 */
export async function notify(config: NightlyConfig, paths: NightlyPaths, s: RunSummary): Promise<void> {
  const body = {
    run_id: s.runId,
    status: s.status,
    business_dates: s.businessDates,
    ...(s.startedAt ? { started_at: s.startedAt } : {}),
    finished_at: new Date().toISOString(),
    steps: s.steps,
    log_file: s.logFile,
    ...(s.warnings?.length ? { warnings: s.warnings } : {}),
    ...(s.pdfSkipped?.length ? { pdf_skipped: s.pdfSkipped } : {}),
    ...(s.status === 'failed'
      ? {
          failed_step: s.failedStep ?? null,
          error_code: s.error?.code ?? 'INTERNAL',
          error: s.error?.message ?? 'unknown error',
          file: s.error?.where.file ?? null,
          what_to_do: s.error ? nextAction(s.error) : '',
          published: 'unchanged: the previous warehouse and site are still live',
        }
      : {}),
  };
  writeStatus(paths, body, publishAccess(config.publishGroup));
  if (s.status === 'failed') {
    console.error(`\nnightly ${s.runId} FAILED at step "${s.failedStep ?? '?'}": [${body.error_code}] ${body.error}\nWhat to do: ${body.what_to_do}\nLog: ${s.logFile}`);
  }
  if (config.webhookUrl && (s.status === 'failed' || config.webhookOnSuccess)) {
    try {
      const res = await fetch(config.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      if (!res.ok) console.error(`webhook ${config.webhookUrl} answered ${res.status}`);
    } catch (e) {
      console.error(`webhook ${config.webhookUrl} failed: ${(e as Error).message}`);
    }
  }
}
