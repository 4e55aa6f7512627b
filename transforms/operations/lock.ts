import { linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { CqError } from '../lib/errors.js';
import { holderState, isProcessAlive, processIdentity, type HolderState, type ProcessIdentity } from './process-identity.js';

export { isProcessAlive };

/** What a lock file holds: who holds it, since when, for which run. */
export interface LockHolder extends ProcessIdentity {
  pid: number;
  /** ISO time the lock was written. */
  startedAt?: string;
  /** Run id of the nightly holding it (absent in locks written before run ids were recorded). */
  runId?: string;
}

/** A stale lock that was taken over: whose it was and why it was stale. */
export interface LockTakeover {
  /** The previous holder (undefined when the lock file was empty or unreadable: killed between create and write). */
  holder?: LockHolder;
  reason: Exclude<HolderState, 'alive'> | 'unreadable';
}

/** A held lock; `release()` removes it. */
export interface HeldLock {
  path: string;
  release(): void;
  /** PID of the process whose stale lock was taken over, if any. */
  tookOverFrom?: number;
  /** The stale lock taken over, if any. */
  takeover?: LockTakeover;
}

/**
 * Creates `path` with `content`, atomically and exclusively: the content goes to a private
 * temporary file that is then hard-linked to `path` (link fails with EEXIST if `path` exists),
 * so nobody ever sees an empty or half-written lock. False when `path` exists.
 */
function tryCreate(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function readHolder(path: string): { holder?: LockHolder; raw: string } | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    try {
      const parsed = JSON.parse(raw) as Partial<LockHolder>;
      return Number.isSafeInteger(parsed.pid) && parsed.pid! > 0 ? { holder: parsed as LockHolder, raw } : { raw };
    } catch {
      return { raw }; // half-written by a process killed between open and write
    }
  } catch {
    return undefined; // vanished meanwhile
  }
}

/**
 * Takes an exclusive lock file (created whole by an atomic link(), so two processes can never
 * both succeed and nobody sees a half-written lock) holding this process's PID, its start time and the boot id (see `processIdentity`), the time
 * and `runId`. The lock is stale, and is taken over, when its process is dead, when the PID is
 * alive but belongs to another process (different start time: the PID was reused), or when the
 * machine rebooted since (different boot id). Takeovers are serialised through
 * `<path>.takeover` so two processes finding the same stale lock cannot both win; the returned
 * lock says what it took over. A live holder throws `RUN_ALREADY_RUNNING`.
 *
 * @example
 * const lock = acquireLock('data/nightly.lock', { runId: 'R20261031T023000-4242' });
 * if (lock.takeover) console.log(`took over pid ${lock.takeover.holder?.pid} (${lock.takeover.reason})`);
 * try { ... } finally { lock.release(); }
 */
export function acquireLock(path: string, options: { runId?: string; procRoot?: string } = {}): HeldLock {
  const me: LockHolder = { pid: process.pid, ...(processIdentity(process.pid, options.procRoot) ?? {}), startedAt: new Date().toISOString(), ...(options.runId ? { runId: options.runId } : {}) };
  const content = JSON.stringify(me);
  const release = () => {
    // Only remove the lock if it is still ours (never a lock another process took over meanwhile).
    if (readHolder(path)?.raw === content) rmSync(path, { force: true });
  };
  let found: ReturnType<typeof readHolder>;
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(path, content)) return { path, release };
    found = readHolder(path);
    if (found || attempt === 2) break; // else released between our create and our read: try again
  }
  if (!found) throw new CqError('RUN_ALREADY_RUNNING', `the lock ${path} keeps changing hands; nothing was done. Run again in a minute.`, { file: path });
  // A lock without a readable holder was cut by a kill of an older version (written in two
  // steps); locks are now written whole (see tryCreate), so it is stale.
  const state: LockTakeover['reason'] | 'alive' = found.holder ? holderState({ ...found.holder, recordedAt: found.holder.startedAt }, options.procRoot) : 'unreadable';
  if (state === 'alive') {
    const h = found.holder;
    throw new CqError(
      'RUN_ALREADY_RUNNING',
      `nightly is already running (pid ${h?.pid ?? '?'}${h?.runId ? `, run ${h.runId}` : ''}, started ${h?.startedAt ?? 'unknown'}; lock ${path}). Nothing was done. Wait for it to finish; a lock left by a dead process (or one whose PID now belongs to another process) is taken over automatically.`,
      { file: path },
    );
  }
  const takeover = `${path}.takeover`;
  try {
    if (Date.now() - statSync(takeover).mtimeMs > 30_000) rmSync(takeover, { force: true }); // left by a killed takeover
  } catch {
    // no takeover file
  }
  if (!tryCreate(takeover, content)) {
    throw new CqError('RUN_ALREADY_RUNNING', `another process is taking over the stale lock ${path}; nothing was done. Run again in a minute.`, { file: path });
  }
  try {
    const again = readHolder(path);
    if (again && again.raw !== found.raw) {
      throw new CqError('RUN_ALREADY_RUNNING', `nightly was started by another process meanwhile (lock ${path}); nothing was done.`, { file: path });
    }
    rmSync(path, { force: true });
    if (!tryCreate(path, content)) throw new CqError('RUN_ALREADY_RUNNING', `lost the race for ${path}; nothing was done.`, { file: path });
    return {
      path,
      release,
      takeover: { reason: state, ...(found.holder ? { holder: found.holder } : {}) },
      ...(found.holder ? { tookOverFrom: found.holder.pid } : {}),
    };
  } finally {
    rmSync(takeover, { force: true });
  }
}
