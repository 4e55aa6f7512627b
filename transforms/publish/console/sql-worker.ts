/**
 * The query process of the analyst console: a child process started by sql-worker-client.ts
 * that owns one locked-down session (sql-session.ts) and runs the queries it is sent, so the
 * parent can stop any query at its deadline or memory limit by killing this process, even
 * while DuckDB is busy in its planner where an interrupt is not noticed.
 *
 * Protocol (one JSON object per line):
 * - stdin, first line: `{"session": SqlSessionOptions}`; then one `{"id": n, "request": QueryRequest}` per query;
 * - fd 3: `{"type":"ready","attachedFile":…,"relations":[…]}` once the session is open, then per query
 *   `{"type":"done","id":n,"result":…,"stdoutBytes":k}` or `{"type":"error","id":n,"error":{code,message,where}}`;
 *   a failure to open the session is `{"type":"error","id":0,…}` and the process exits;
 * - stdout: the result bytes of queries without `out` (csv, json, …), `stdoutBytes` of them per query;
 * - SIGINT interrupts the running query (Ctrl-C in the console).
 */
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { isCqError } from '../../lib/errors.js';
import type { QueryRequest } from './query-request.js';
import { runRequestOnSession } from './run-request.js';
import { openSqlSession, type SqlSession, type SqlSessionOptions } from './sql-session.js';

const messages = createWriteStream('', { fd: 3 });
const send = (m: unknown) => new Promise<void>((done) => messages.write(`${JSON.stringify(m)}\n`, () => done()));

function errorRecord(e: unknown): { code: string; message: string; where?: unknown } {
  if (isCqError(e)) return { code: e.code, message: e.message, where: e.where };
  return { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) };
}

/** Counts the bytes a query writes to stdout, so the parent knows when it has all of them. */
function countingStdout(): { stream: NodeJS.WritableStream; take(): number } {
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (process.stdout.write(chunk)) cb();
      else process.stdout.once('drain', () => cb());
    },
  });
  return {
    stream,
    take() {
      const n = bytes;
      bytes = 0;
      return n;
    },
  };
}

async function main(): Promise<void> {
  let session: SqlSession | undefined;
  const out = countingStdout();
  process.on('SIGINT', () => session?.conn.interrupt());
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const msg = JSON.parse(line) as { session?: SqlSessionOptions; id?: number; request?: QueryRequest };
    if (msg.session) {
      try {
        session = await openSqlSession(msg.session);
      } catch (e) {
        await send({ type: 'error', id: 0, error: errorRecord(e) });
        break;
      }
      const relations = session.relations.map((r) => ({ ...r, masked: [...r.masked] }));
      await send({ type: 'ready', attachedFile: session.attachedFile, relations });
      continue;
    }
    const id = msg.id ?? 0;
    try {
      const result = await runRequestOnSession(session!, msg.request!, out.stream);
      await new Promise<void>((r) => out.stream.write('', () => r()));
      await send({ type: 'done', id, result, stdoutBytes: out.take() });
    } catch (e) {
      await send({ type: 'error', id, error: errorRecord(e), stdoutBytes: out.take() });
    }
  }
  session?.close();
  await new Promise<void>((r) => messages.end(() => r()));
}

await main();
