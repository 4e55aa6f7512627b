import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  /** Working directory of the child (default: this process's). */
  cwd?: string;
  /** Environment of the child (default: `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed (without it, stdin is an empty pipe, as with `spawnSync`). */
  input?: string;
  /** Milliseconds after which the child is sent SIGTERM, as `spawnSync`'s `timeout` does (status null, signal 'SIGTERM'). */
  timeout?: number;
  /** Output is always decoded as UTF-8; accepted so `spawnSync` options carry over unchanged. */
  encoding?: 'utf8';
}

export interface RunProcessResult {
  /** Exit code, or null when the child was ended by a signal. */
  status: number | null;
  /** The signal that ended the child, or null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion without blocking the event loop, and resolves with the fields
 * tests read from `spawnSync`'s result (status, signal, stdout, stderr; all output is collected,
 * there is no `maxBuffer`). It rejects only when the command cannot be started (e.g. ENOENT).
 *
 * Why not `spawnSync`/`execFileSync`: a vitest worker (pool 'forks') reports each test's progress
 * to the main process over an RPC channel (birpc) with a fixed 60 s timeout. A test that blocks the
 * worker's event loop for longer than that — a synchronous child process running a CLI on a busy
 * machine — lets that timer fire before the reply is read, and vitest fails the run with
 * "Unhandled Error: [vitest-worker]: Timeout calling "onTaskUpdate"" although every test passed.
 * Awaiting a child keeps the event loop free, so tests never block on long child processes.
 *
 * @example
 * const r = await runProcess(process.execPath, ['--import', 'tsx', 'transforms/cli/cq.ts', 'policy:check'], { encoding: 'utf8' });
 * expect(r.status, r.stdout + r.stderr).toBe(0);
 */
export function runProcess(command: string, args: string[], options: RunProcessOptions = {}): Promise<RunProcessResult> {
  const { cwd, env, input, timeout } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status, signal) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    if (timeout !== undefined && timeout > 0) timer = setTimeout(() => child.kill('SIGTERM'), timeout);
    child.stdin.on('error', () => {}); // EPIPE when the child exits without reading all of its input, which spawnSync ignores too
    child.stdin.end(input ?? '');
  });
}
