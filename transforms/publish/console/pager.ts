import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The console's pager: long results are shown through `$PAGER` or `less -SFRX` when the output is
 * a terminal and taller than it. The decision ({@link shouldPage}) and the command
 * ({@link pagerCommand}) are pure; {@link runPager} spawns the command and feeds it the text.
 */

/** The pager used when `$PAGER` is not set: chop long lines (-S), quit if one screen (-F), keep colours (-R), leave the text on screen (-X). */
export const DEFAULT_PAGER = 'less -SFRX';

/**
 * True when `name` is an executable file in one of the `PATH` folders.
 *
 * @example
 * hasCommand('less'); // true on most systems
 */
export function hasCommand(name: string, path: string = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      /* not here */
    }
  }
  return false;
}

/**
 * The pager command line (run by the shell): `$PAGER` when set, else {@link DEFAULT_PAGER} when
 * `less` is installed, else none. An empty `PAGER=` means no pager.
 *
 * @example
 * pagerCommand({ PAGER: 'more' }, true); // 'more'
 * pagerCommand({}, true); // 'less -SFRX'
 * pagerCommand({}, false); // undefined
 */
export function pagerCommand(env: NodeJS.ProcessEnv = process.env, lessInstalled: boolean = hasCommand('less', env.PATH)): string | undefined {
  if (env.PAGER !== undefined) return env.PAGER.trim() || undefined;
  return lessInstalled ? DEFAULT_PAGER : undefined;
}

/** What {@link shouldPage} decides on. */
export interface PageDecision {
  /** `.pager on|off` (on by default). */
  enabled: boolean;
  /** The console's output is a terminal. */
  isTTY: boolean;
  /** Lines the result takes (table + summary). */
  lines: number;
  /** Rows of the terminal. */
  rows: number;
  /** Widest line of the result, in terminal columns. */
  width?: number;
  /** Columns of the terminal. */
  columns?: number;
}

/**
 * Whether a result goes through the pager: only when paging is on, the output is a terminal
 * and the result does not fit on one screen (taller than the terminal less the prompt line, or
 * wider than it — the pager shows wide lines unwrapped).
 *
 * @example
 * shouldPage({ enabled: true, isTTY: true, lines: 60, rows: 40 }); // true
 * shouldPage({ enabled: true, isTTY: false, lines: 60, rows: 40 }); // false
 */
export function shouldPage(d: PageDecision): boolean {
  if (!d.enabled || !d.isTTY) return false;
  if (d.lines > d.rows - 1) return true;
  return d.width !== undefined && d.columns !== undefined && d.width > d.columns;
}

/**
 * Runs the pager command through the shell with `text` on its standard input and waits for it
 * to end. `stdout` is where the pager writes ('inherit': the terminal; a file descriptor in
 * tests). Resolves true when the pager ran, false when it could not start (then print the text
 * instead); a pager quit before reading everything (`q` in less) is normal.
 *
 * @example
 * if (!(await runPager(table, pagerCommand()!))) process.stdout.write(table);
 */
export function runPager(text: string, command: string, stdout: 'inherit' | number = 'inherit'): Promise<boolean> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command, { shell: true, stdio: ['pipe', stdout, 'inherit'] });
    } catch {
      resolve(false);
      return;
    }
    child.on('error', () => resolve(false));
    // 127: the shell did not find the command; nothing was shown.
    child.on('close', (code) => resolve(code !== 127));
    child.stdin!.on('error', () => undefined); // EPIPE when the pager quits early
    child.stdin!.end(text);
  });
}
