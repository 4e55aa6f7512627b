import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { CqError } from '../lib/errors.js';

/** A held lock; `release()` removes it. */
export interface HeldLock {
  path: string;
  release(): void;
  /** PID of the dead process whose stale lock was taken over, if any. */
  tookOverFrom?: number;
}

/** True when a process with this PID exists. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryCreate(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function readHolder(path: string): { pid?: number; startedAt?: string; raw: string } | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    try {
      return { ...(JSON.parse(raw) as { pid?: number; startedAt?: string }), raw };
    } catch {
      return { raw }; // half-written by a process killed between open and write
    }
  } catch {
    return undefined; // vanished meanwhile
  }
}

/**
 * Takes an exclusive lock file holding this process's PID (created with O_EXCL, so two
 * processes can never both succeed). A lock whose process is dead is stale and is taken over;
 * takeovers are serialised through `<path>.takeover` so two processes finding the same stale
 * lock cannot both win. A live holder throws `RUN_ALREADY_RUNNING`.
 *
 * @example
 * const lock = acquireLock('data/nightly.lock');
 * try { ... } finally { lock.release(); }
 */
export function acquireLock(path: string): HeldLock {
  const release = () => rmSync(path, { force: true });
  if (tryCreate(path)) return { path, release };
  const holder = readHolder(path);
  if (holder?.pid && isProcessAlive(holder.pid)) {
    throw new CqError(
      'RUN_ALREADY_RUNNING',
      `nightly is already running (pid ${holder.pid}, started ${holder.startedAt ?? 'unknown'}; lock ${path}). Nothing was done. Wait for it to finish; a lock left by a dead process is taken over automatically.`,
      { file: path },
    );
  }
  const takeover = `${path}.takeover`;
  try {
    if (Date.now() - statSync(takeover).mtimeMs > 30_000) rmSync(takeover, { force: true }); // left by a killed takeover
  } catch {
    // no takeover file
  }
  if (!tryCreate(takeover)) {
    throw new CqError('RUN_ALREADY_RUNNING', `another process is taking over the stale lock ${path}; nothing was done.`, { file: path });
  }
  try {
    const again = readHolder(path);
    if (again && again.raw !== holder?.raw) {
      throw new CqError('RUN_ALREADY_RUNNING', `nightly was started by another process meanwhile (lock ${path}); nothing was done.`, { file: path });
    }
    rmSync(path, { force: true });
    if (!tryCreate(path)) throw new CqError('RUN_ALREADY_RUNNING', `lost the race for ${path}; nothing was done.`, { file: path });
    return { path, release, ...(holder?.pid ? { tookOverFrom: holder.pid } : {}) };
  } finally {
    rmSync(takeover, { force: true });
  }
}
