/**
 * Runs a child process and samples the memory of its whole process tree (Evidence's build spawns
 * vite and workers; the peak of their summed RSS is what the machine must have).
 * Reads Linux's /proc; elsewhere the figures are 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** How often {@link runSampled} samples the process tree's memory. */
export const SAMPLE_INTERVAL_MS = 250;

/** What {@link runSampled} observed. */
export interface RunStats {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** Combined stdout + stderr, in arrival order. */
  output: string;
  /** Peak summed RSS of the process tree, bytes. */
  peakTreeRss: number;
  /** Peak RSS of the largest single process of the tree, bytes. */
  peakProcessRss: number;
}

function readProcTable(): Map<number, { ppid: number; rss: number }> {
  const table = new Map<number, { ppid: number; rss: number }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm may contain spaces/parens: fields after the last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const rssPages = Number(fields[21]);
      table.set(Number(name), { ppid, rss: rssPages * 4096 });
    } catch {
      /* process exited meanwhile */
    }
  }
  return table;
}

/**
 * Summed and largest RSS (bytes) of the process `root` and all its descendants, now.
 *
 * @example
 * treeRss(process.pid); // { total: 183500800, max: 150994944 }
 */
export function treeRss(root: number): { total: number; max: number } {
  if (!existsSync('/proc')) return { total: 0, max: 0 };
  const table = readProcTable();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid)!.push(pid);
  }
  let total = 0;
  let max = 0;
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const rss = table.get(pid)?.rss ?? 0;
    total += rss;
    max = Math.max(max, rss);
    stack.push(...(children.get(pid) ?? []));
  }
  return { total, max };
}

/**
 * Runs `cmd args` in `cwd` with `env` (stdin closed), echoes its output to `log`, and samples the
 * memory of its process tree every {@link SAMPLE_INTERVAL_MS} ms. Resolves when it exits, whatever
 * the exit code; rejects only when it cannot be started.
 *
 * @example
 * const r = await runSampled(process.execPath, ['cli.js', 'build:strict'], staging, process.env, (s) => process.stdout.write(s));
 * if (r.code !== 0) … ; console.log(r.peakTreeRss);
 */
export function runSampled(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, log: (s: string) => void): Promise<RunStats> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let peakTreeRss = 0;
    let peakProcessRss = 0;
    const sample = () => {
      if (!child.pid) return;
      const { total, max } = treeRss(child.pid);
      peakTreeRss = Math.max(peakTreeRss, total);
      peakProcessRss = Math.max(peakProcessRss, max);
    };
    const timer = setInterval(sample, SAMPLE_INTERVAL_MS);
    const onData = (buf: Buffer) => {
      const s = buf.toString('utf8');
      output += s;
      log(s);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (err) => {
      clearInterval(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      resolvePromise({ code, output, peakTreeRss, peakProcessRss });
    });
  });
}
