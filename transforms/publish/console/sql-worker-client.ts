import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CqError, type CqErrorCode } from '../../lib/errors.js';
import type { AnalystRelation } from './analyst-views.js';
import { DEFAULT_TIMEOUT_SECONDS } from './execute-query.js';
import type { QueryRequest, RunQueryResult } from './query-request.js';
import type { SqlSessionOptions } from './sql-session.js';
import { timeoutError } from './sql-errors.js';

/** What the query process reports once its session is open. */
export interface WorkerReady {
  /** The warehouse file it attached (symlinks resolved). */
  attachedFile: string;
  relations: AnalystRelation[];
}

/** A running query process (see sql-worker.ts); one query at a time. */
export interface SqlWorker {
  readonly ready: Promise<WorkerReady>;
  /** Runs one query; rejects with SQL_TIMEOUT / SQL_MEMORY after killing the process when it overruns. */
  run(request: QueryRequest): Promise<RunQueryResult>;
  /** Asks DuckDB to interrupt the running query (Ctrl-C); the process stays. */
  interrupt(): void;
  /** False once the process has ended (killed at a limit, crashed or closed). */
  readonly alive: boolean;
  /** Ends the process (its session closes) and waits for it. */
  close(): Promise<void>;
}

/** How often the query process's resident memory is sampled, ms. */
export const MEMORY_SAMPLE_MS = 100;

/** Extra time a query gets after its timeout to stop by itself before its process is killed, ms. */
const KILL_GRACE_MS = 1000;

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/**
 * Bytes of a DuckDB memory size ('1GB' = 10^9, '1GiB' = 2^30, '500MB', '4 GB').
 *
 * @example
 * parseMemorySize('1.5GB'); // 1500000000
 */
export function parseMemorySize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(text);
  if (!m) throw new CqError('CLI_USAGE', `--memory-limit ${text}: expected a size such as 4GB, 500MB or 2GiB.`);
  return Math.round(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}

/**
 * The resident memory at which the query process is killed: the DuckDB memory limit plus room
 * for Node and DuckDB's own structures (a quarter more, at least 512 MiB); without a limit,
 * 90 % of the machine's memory (DuckDB's own default limit is 80 %).
 *
 * @example
 * memoryCeiling('1GB'); // 1536870912
 */
export function memoryCeiling(memoryLimit?: string): number {
  if (!memoryLimit) return Math.floor(totalmem() * 0.9);
  const limit = parseMemorySize(memoryLimit);
  return limit + Math.max(512 * 2 ** 20, Math.floor(limit / 4));
}

function residentBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function workerCommand(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return ['--import', tsx, fileURLToPath(new URL('./sql-worker.ts', import.meta.url))];
}

type Pending = {
  id: number;
  resolve: (r: RunQueryResult) => void;
  reject: (e: unknown) => void;
  /** Bytes of result data the worker reported for this query; resolve once this many arrived. */
  expectBytes?: number;
  result?: RunQueryResult;
  error?: CqError;
  receivedBytes: number;
};

/**
 * Starts a query process for one analyst session. Each query's deadline starts when it is
 * sent: at `timeoutSeconds` DuckDB is interrupted inside the process, and if the query has not
 * stopped a second later (DuckDB notices no interrupt in parts of its planner) the process is
 * killed and the query fails with `SQL_TIMEOUT`. The process's resident memory is sampled every
 * {@link MEMORY_SAMPLE_MS} ms; above {@link memoryCeiling} it is killed and the query fails with
 * `SQL_MEMORY`. Result data written to the process's stdout is passed on to `stdout`.
 *
 * @example
 * const w = startSqlWorker({ warehouse: '/srv/cq/data/warehouse.duckdb', memoryLimit: '4GB' }, process.stdout);
 * await w.ready;
 * const r = await w.run({ sql: 'select 1', params: {}, format: 'csv' });
 * await w.close();
 */
export function startSqlWorker(session: SqlSessionOptions, stdout: NodeJS.WritableStream = process.stdout): SqlWorker {
  const child: ChildProcess = spawn(process.execPath, workerCommand(), { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] });
  const ceiling = memoryCeiling(session.memoryLimit);
  let alive = true;
  let nextId = 1;
  let pending: Pending | undefined;
  let killedFor: CqError | undefined;
  let readyResolve!: (r: WorkerReady) => void;
  let readyReject!: (e: unknown) => void;
  const ready = new Promise<WorkerReady>((res, rej) => ((readyResolve = res), (readyReject = rej)));
  ready.catch(() => undefined);

  const kill = (reason: CqError) => {
    if (!alive) return;
    killedFor ??= reason;
    child.kill('SIGKILL');
  };
  const sampler = setInterval(() => {
    const rss = child.pid === undefined ? undefined : residentBytes(child.pid);
    if (rss !== undefined && rss > ceiling) {
      kill(
        new CqError(
          'SQL_MEMORY',
          `the query needed more than ${(ceiling / 2 ** 30).toFixed(1)} GiB of memory${session.memoryLimit ? ` (--memory-limit ${session.memoryLimit} plus room for the process)` : ' (90 % of this machine)'} and was stopped. Fix: filter or aggregate more${session.memoryLimit ? ', or raise --memory-limit' : ''}.`,
        ),
      );
    }
  }, MEMORY_SAMPLE_MS);
  sampler.unref();

  const settle = (p: Pending) => {
    if (p.expectBytes === undefined || p.receivedBytes < p.expectBytes) return;
    pending = undefined;
    if (p.error) p.reject(p.error);
    else p.resolve(p.result!);
  };

  (child.stdout as Readable).on('data', (d: Buffer) => {
    stdout.write(d);
    if (pending) {
      pending.receivedBytes += d.length;
      settle(pending);
    }
  });

  const messages = createInterface({ input: child.stdio[3] as Readable, crlfDelay: Infinity });
  messages.on('line', (line) => {
    const m = JSON.parse(line) as {
      type: 'ready' | 'done' | 'error';
      id: number;
      attachedFile?: string;
      relations?: (Omit<AnalystRelation, 'masked'> & { masked: [string, AnalystRelation['masked'] extends Map<string, infer K> ? K : never][] })[];
      result?: RunQueryResult;
      error?: { code: CqErrorCode; message: string; where?: CqError['where'] };
      stdoutBytes?: number;
    };
    if (m.type === 'ready') {
      readyResolve({ attachedFile: m.attachedFile!, relations: (m.relations ?? []).map((r) => ({ ...r, masked: new Map(r.masked) })) });
      return;
    }
    const err = m.error ? new CqError(m.error.code, m.error.message, m.error.where ?? {}) : undefined;
    if (m.id === 0) {
      readyReject(err);
      return;
    }
    if (!pending || pending.id !== m.id) return;
    pending.expectBytes = m.stdoutBytes ?? 0;
    if (err) pending.error = err;
    else pending.result = m.result!;
    settle(pending);
  });

  const exited = new Promise<void>((res) =>
    child.on('close', (code, signal) => {
      alive = false;
      clearInterval(sampler);
      const reason =
        killedFor ?? new CqError('SQL_ERROR', `the query process ended unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`}); the query did not complete.`);
      readyReject(reason);
      if (pending) {
        const p = pending;
        pending = undefined;
        if (p.expectBytes !== undefined && !killedFor) {
          if (p.error) p.reject(p.error);
          else p.resolve(p.result!);
        } else p.reject(reason);
      }
      res();
    }),
  );
  (child.stdin as Writable).on('error', () => undefined);
  (child.stdin as Writable).write(`${JSON.stringify({ session })}\n`);

  return {
    ready,
    get alive() {
      return alive;
    },
    run(request) {
      if (!alive) return Promise.reject(killedFor ?? new CqError('SQL_ERROR', 'the query process has ended.'));
      if (pending) return Promise.reject(new CqError('INTERNAL', 'one query at a time.'));
      const seconds = request.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      const id = nextId++;
      return new Promise<RunQueryResult>((resolve, reject) => {
        const timer = seconds > 0 ? setTimeout(() => kill(timeoutError(seconds)), seconds * 1000 + KILL_GRACE_MS) : undefined;
        const done = <T>(f: (v: T) => void) => (v: T) => {
          if (timer) clearTimeout(timer);
          f(v);
        };
        pending = { id, resolve: done(resolve), reject: done(reject), receivedBytes: 0 };
        (child.stdin as Writable).write(`${JSON.stringify({ id, request })}\n`);
      });
    },
    interrupt() {
      if (alive) child.kill('SIGINT');
    },
    async close() {
      if (alive) {
        (child.stdin as Writable).end();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(force);
      }
      await exited;
    },
  };
}
