import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Who a PID is, beyond the number: PIDs are reused, so a lock or ledger entry that only holds
 * a PID can point at an unrelated live process (after a kill, a crash or a reboot). On Linux
 * the identity is field 22 of `/proc/<pid>/stat` (`starttime`, clock ticks since boot) plus
 * the boot id (`/proc/sys/kernel/random/boot_id`, new at every boot). Where `/proc` is missing
 * (macOS, BSD) it falls back to `ps -o lstart= -p <pid>` (start time to the second); where
 * that fails too, only "is the PID alive" is known (plus, for a record with a timestamp,
 * "did this PID's process start after the record was written").
 */
export interface ProcessIdentity {
  /** Linux: `starttime` of /proc/<pid>/stat (clock ticks since boot). */
  startTime?: number;
  /** Linux: /proc/sys/kernel/random/boot_id at the time. */
  bootId?: string;
  /** Without /proc: the start time as `ps -o lstart=` prints it. */
  psStart?: string;
}

/** True when a process with this PID exists (EPERM: it exists but belongs to another user). @example isProcessAlive(process.pid) // true */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The boot id of this machine, or undefined without /proc. @example currentBootId('/proc') // 'bd36082e-…' */
export function currentBootId(procRoot = '/proc'): string | undefined {
  try {
    return readFileSync(join(procRoot, 'sys/kernel/random/boot_id'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Field 22 (`starttime`) of `<procRoot>/<pid>/stat`; undefined if the process or /proc is missing. @example procStartTime(process.pid) // 1504321 */
export function procStartTime(pid: number, procRoot = '/proc'): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(join(procRoot, String(pid), 'stat'), 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 is "(comm)" and comm may contain spaces and parentheses: count from the last ")".
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const value = Number(rest[22 - 3]);
  return Number.isSafeInteger(value) ? value : undefined;
}

function psStartOf(pid: number): string | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    return out.trim().replace(/\s+/g, ' ') || undefined;
  } catch {
    return undefined; // no such process, or no ps
  }
}

/**
 * The identity of a running process: `{ startTime, bootId }` from /proc, else `{ psStart }`
 * from ps, else `{}` (alive, identity unknown; callers fall back to the PID alone). Undefined
 * when no process has this PID.
 *
 * @example
 * processIdentity(process.pid) // { startTime: 1504321, bootId: 'bd36082e-…' }
 */
export function processIdentity(pid: number, procRoot = '/proc'): ProcessIdentity | undefined {
  const bootId = currentBootId(procRoot);
  const startTime = bootId === undefined ? undefined : procStartTime(pid, procRoot);
  if (startTime !== undefined) return { startTime, bootId: bootId! };
  if (!isProcessAlive(pid)) return undefined;
  // /proc missing, or this process's entry hidden (hidepid): ps, else unknown.
  const psStart = psStartOf(pid);
  return psStart !== undefined ? { psStart } : {};
}

/** What became of the process a lock or ledger entry names. */
export type HolderState = 'alive' | 'dead' | 'pid-reused' | 'rebooted';

/**
 * Compares a recorded `pid` (+ identity, + the time it recorded itself) with what runs now:
 * `rebooted` when the boot id differs, `dead` when no process has the PID, `pid-reused` when
 * a process has the PID but its start time differs (or, for a record without identity, it
 * started after the record was written), else `alive`.
 *
 * @example
 * holderState({ pid: 4242, startTime: 99, bootId: 'x' }) // 'pid-reused' when pid 4242 started at another tick
 */
export function holderState(
  recorded: { pid: number; recordedAt?: string | undefined } & ProcessIdentity,
  procRoot = '/proc',
): HolderState {
  const bootId = currentBootId(procRoot);
  if (recorded.bootId && bootId && recorded.bootId !== bootId) return 'rebooted';
  if (!isProcessAlive(recorded.pid)) return 'dead';
  const now = processIdentity(recorded.pid, procRoot);
  if (!now) return 'dead'; // gone between the two looks
  if (recorded.startTime !== undefined && now.startTime !== undefined) return recorded.startTime === now.startTime ? 'alive' : 'pid-reused';
  if (recorded.psStart !== undefined && now.psStart !== undefined) return recorded.psStart === now.psStart ? 'alive' : 'pid-reused';
  // A record without a comparable identity (written before identities were recorded, or on
  // another system): the holder started before it wrote the record, so a process with this
  // PID that started more than 2 s after the record is another process.
  const recordedMs = recorded.recordedAt ? Date.parse(recorded.recordedAt) : NaN;
  const startedMs = processStartedAtMs(recorded.pid, procRoot);
  if (Number.isFinite(recordedMs) && startedMs !== undefined && startedMs > recordedMs + 2000) return 'pid-reused';
  return 'alive';
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 100;
    } catch {
      clockTicks = 100; // USER_HZ on every Linux architecture in use
    }
  }
  return clockTicks;
}

/** Wall-clock start of a process in ms since the epoch (/proc: boot time + starttime; else ps), or undefined. */
export function processStartedAtMs(pid: number, procRoot = '/proc'): number | undefined {
  const ticks = procStartTime(pid, procRoot);
  if (ticks !== undefined) {
    try {
      const btime = /^btime (\d+)$/m.exec(readFileSync(join(procRoot, 'stat'), 'utf8'))?.[1];
      if (btime) return Number(btime) * 1000 + (ticks / ticksPerSecond()) * 1000;
    } catch {
      // fall through to ps
    }
  }
  const ps = psStartOf(pid);
  const ms = ps ? Date.parse(ps) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}
