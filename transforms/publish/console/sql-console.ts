import { appendFileSync, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { isCqError } from '../../lib/errors.js';
import { DEFAULT_TIMEOUT_SECONDS, type QueryParams } from './execute-query.js';
import { DEFAULT_TABLE_LIMIT, resultSummary } from './run-query.js';
import { listSavedQueries, loadSavedQuery, QUERIES_DIR, resolveParams } from './saved-queries.js';
import { appendSqlAudit, auditLogPath } from './sql-audit-log.js';
import type { SqlSessionOptions } from './sql-session.js';
import { startSqlWorker, type SqlWorker, type WorkerReady } from './sql-worker-client.js';
import { isBlankSql, isStatementComplete } from './sql-text.js';
import { EXIT_HINT, onInterrupt } from './console-interrupt.js';
import { displayWidth } from './display-width.js';
import { pagerCommand, runPager, shouldPage } from './pager.js';
import { sqlCompleter } from './sql-completer.js';
import { DEFAULT_TERMINAL_WIDTH, DISPLAY_MODES, renderTable, type DisplayMode } from './table-output.js';
import { definitionDocs, type DictionaryTable } from './warehouse-dictionary.js';

/** Options of {@link runConsole}. */
export interface ConsoleOptions extends SqlSessionOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Prompts, line editing and history keys (default: input is a TTY). */
  terminal?: boolean;
  /** History file (default ~/.cq_sql_history or $CQ_SQL_HISTORY; '' = none). */
  historyFile?: string;
  limit?: number;
  timeoutSeconds?: number;
  auditLog?: string;
  queriesDir?: string;
  /** Result layout: auto (default: vertical when the table is wider than the terminal), table or vertical (`--vertical`). */
  mode?: DisplayMode;
  /** Terminal columns (default: the output's when it is a terminal, else 120). */
  width?: number;
  /** Long results through $PAGER / `less -SFRX` when the output is a terminal (default true; `.pager on|off`). */
  pager?: boolean;
}

const HELP = `Statements end with ; and may span lines. Only read-only queries run (SELECT, WITH, FROM,
VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN); personal data is masked unless started with --unmasked.
  .tables [TEXT]        tables and views (optionally those whose name contains TEXT)
  .schema NAME          columns, types and descriptions of a table (schema.name or name)
  .metrics              the KPIs (metrics.metric_catalog)
  .queries              saved queries in queries/
  .run NAME [k=v ...]   run a saved query with parameters
  .limit N              rows shown per result (now: {limit})
  .timeout SECONDS      statement timeout (now: {timeout} s)
  .mode MODE            table, vertical or auto (now: {mode}); auto: one field per line when wider than the terminal
  \\x [on|off|auto]      vertical on / off / auto; \\x alone toggles vertical and table
  .pager on|off         long results through $PAGER or less -SFRX when the output is a terminal (now: {pager})
  .reopen               switch to the warehouse the nightly job published since this console opened
  .help                 this text
  .quit                 leave (also .exit or Ctrl-D)
Tab completes keywords, schema.table names, columns and dot commands. Ctrl-C cancels a running query or
clears the current input; a second Ctrl-C on an empty line leaves.`;

function loadHistory(file: string): string[] {
  if (!file || !existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-1000).reverse();
}

/**
 * The interactive console (`npm run sql` with no query): multi-line statements ended by `;`,
 * persistent history, dot commands (`.tables`, `.schema NAME`, `.metrics`, `.queries`, `.run`,
 * `.limit`, `.timeout`, `.mode`, `\x`, `.pager`, `.reopen`, `.help`, `.quit`), results as aligned
 * tables — or one field per line when wider than the terminal (table-output.ts) — with row count
 * and time, through the pager when taller than the terminal (pager.ts), Tab completion of keywords,
 * tables and columns (sql-completer.ts). Each statement gets the statement timeout; Ctrl-C
 * interrupts it, or clears the input, or (twice on an empty line) leaves (console-interrupt.ts).
 * With `unmasked` the session and every statement are written to the audit log first. Resolves
 * when the input ends, on `.quit` or on the second Ctrl-C.
 *
 * @example
 * await runConsole({ warehouse: 'data/warehouse.duckdb' });
 */
export async function runConsole(options: ConsoleOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const terminal = options.terminal ?? !!(input as { isTTY?: boolean }).isTTY;
  const historyFile = options.historyFile ?? process.env.CQ_SQL_HISTORY ?? join(homedir(), '.cq_sql_history');
  const auditLog = auditLogPath(options.auditLog);
  const queriesDir = options.queriesDir ?? QUERIES_DIR;
  let limit = options.limit ?? DEFAULT_TABLE_LIMIT;
  let timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  let mode: DisplayMode = options.mode ?? 'auto';
  let paging = options.pager ?? true;
  const tty = output as { isTTY?: boolean; columns?: number; rows?: number; fd?: number };
  const columns = () => options.width ?? (tty.isTTY && tty.columns ? tty.columns : DEFAULT_TERMINAL_WIDTH);
  const print = (s = '') => output.write(`${s}\n`);
  const warehouse = options.warehouse ?? 'data/warehouse.duckdb';
  const masked = !options.unmasked;
  const sessionOptions: SqlSessionOptions = {
    warehouse: resolve(warehouse),
    unmasked: !masked,
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
  };
  if (options.unmasked) appendSqlAudit({ event: 'unmasked_session', unmasked: true, warehouse }, auditLog);
  // Queries run in a child process that is killed at the statement timeout or memory limit
  // (sql-worker-client.ts); after a kill the next statement starts a new one on the same snapshot.
  const open = async (): Promise<{ worker: SqlWorker; info: WorkerReady }> => {
    // The table comes back in the result and is printed here; the process's own copy is dropped.
    const w = startSqlWorker(sessionOptions, new Writable({ write: (_c, _e, cb) => cb() }));
    try {
      return { worker: w, info: await w.ready };
    } catch (e) {
      await w.close();
      throw e;
    }
  };
  let { worker, info: session } = await open();
  const identity = () => {
    const st = statSync(realpathSync(warehouse));
    return `${st.dev}:${st.ino}`;
  };
  let openedIdentity = identity();
  const republished = () => {
    try {
      return identity() !== openedIdentity;
    } catch {
      return true;
    }
  };
  let openedAt = new Date();
  let warnedRepublish = false;
  let docs: Map<string, DictionaryTable> | undefined;
  let running = false;

  const banner = () =>
    `warehouse ${warehouse} (read-only snapshot opened ${openedAt.toISOString().slice(0, 19).replace('T', ' ')}; personal data ${masked ? 'masked' : 'UNMASKED — every statement is logged'}). .help for commands.`;
  print(banner());

  const complete = sqlCompleter(() => session.relations);
  const rl = createInterface({
    input,
    output,
    terminal,
    history: loadHistory(historyFile),
    historySize: 1000,
    prompt: 'sql> ',
    completer: (line: string) => complete(line, buffer),
  });
  // Ctrl-C (console-interrupt.ts): cancel the query, or clear the line and the unfinished
  // statement, or say how to leave; a second one on an empty line leaves.
  let armed = false;
  let quit = false;
  // Lines typed but not yet handled (typed ahead while a statement runs, or faster than they are
  // handled): part of the input a Ctrl-C drops.
  const typedAhead: string[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  rl.on('line', (l: string) => {
    armed = false;
    typedAhead.push(l);
    wake?.();
  });
  rl.on('close', () => {
    ended = true;
    wake?.();
  });
  const nextLine = async (): Promise<string | undefined> => {
    while (!typedAhead.length) {
      if (ended) return undefined;
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    return typedAhead.shift();
  };
  rl.on('SIGINT', () => {
    const next = onInterrupt({ running, line: rl.line, buffer: [buffer, ...typedAhead].filter(Boolean).join('\n'), armed });
    armed = next.armed;
    switch (next.action) {
      case 'cancel-query':
        typedAhead.length = 0;
        worker.interrupt();
        return;
      case 'clear-input':
        typedAhead.length = 0;
        buffer = '';
        rl.setPrompt('sql> ');
        rl.write(null, { ctrl: true, name: 'e' }); // cursor to the end of the text, so ^C follows it
        output.write('^C\n');
        rl.write(null, { ctrl: true, name: 'u' }); // the text is dropped, not left for the next line
        prompt();
        return;
      case 'hint':
        output.write(`^C\n${EXIT_HINT}\n`);
        prompt();
        return;
      case 'exit':
        output.write('^C\n');
        quit = true;
        rl.close();
    }
  });
  if (terminal) {
    input.on('keypress', (_s: unknown, key?: { ctrl?: boolean; name?: string }) => {
      if (!(key?.ctrl && key.name === 'c')) armed = false;
    });
  }

  /** Shows a result: through the pager when it is taller (or wider) than the terminal, else printed. */
  const show = async (text: string) => {
    const command = pagerCommand();
    const lines = text.split('\n');
    const page =
      command !== undefined &&
      shouldPage({
        enabled: paging,
        isTTY: !!tty.isTTY,
        lines: lines.length - (text.endsWith('\n') ? 1 : 0),
        rows: tty.rows ?? 24,
        width: Math.max(0, ...lines.map(displayWidth)),
        columns: columns(),
      });
    if (!page) {
      output.write(text);
      return;
    }
    // The pager reads the keyboard itself: readline lets go of the terminal meanwhile, and a
    // Ctrl-C in the pager is the pager's, not a signal that ends the console.
    const raw = input as { isTTY?: boolean; setRawMode?: (on: boolean) => void };
    const ignore = () => undefined;
    rl.pause();
    if (raw.isTTY) raw.setRawMode?.(false);
    process.on('SIGINT', ignore);
    try {
      if (!(await runPager(text, command!, tty.fd ?? 'inherit'))) output.write(text);
    } finally {
      process.off('SIGINT', ignore);
      if (raw.isTTY) raw.setRawMode?.(true);
      rl.resume();
    }
  };

  const remember = (text: string) => {
    if (!historyFile) return;
    try {
      appendFileSync(historyFile, `${text.replace(/\s*\n\s*/g, ' ').trim()}\n`);
    } catch {
      /* history is a convenience */
    }
  };

  const runStatement = async (sql: string, params: QueryParams = {}, label?: string) => {
    if (!warnedRepublish && republished()) {
      warnedRepublish = true;
      print('note: the nightly job has published a new warehouse since this console opened; you are still reading the earlier snapshot. .reopen switches.');
    }
    const audit = { warehouse, query: sql, ...(label ? { saved_query: label } : {}), ...(Object.keys(params).length ? { params } : {}) };
    try {
      if (!masked) appendSqlAudit({ event: 'unmasked_query', unmasked: true, ...audit }, auditLog);
      if (!worker.alive) ({ worker, info: session } = await open());
      running = true;
      const r = await worker.run({ sql, params, format: 'table', limit, timeoutSeconds, display: { mode, width: columns() } });
      running = false;
      await show(`${r.table ?? ''}${resultSummary(r.rowCount, r.truncated, r.elapsedMs, 'table')}\n`);
    } catch (e) {
      if (isCqError(e, 'SQL_FORBIDDEN')) appendSqlAudit({ event: 'refused', unmasked: !masked, ...audit, message: e.message }, auditLog);
      report(e);
    } finally {
      running = false;
    }
  };

  const report = (e: unknown) => {
    if (isCqError(e)) print(`error [${e.code}]: ${e.message}`);
    else print(`internal error: ${e instanceof Error ? e.message : String(e)}`);
  };

  const relationNamed = (name: string) => {
    const lc = name.toLowerCase();
    const exact = session.relations.filter((r) => `${r.schema}.${r.name}` === lc);
    return exact.length ? exact : session.relations.filter((r) => r.name === lc);
  };

  const dot = async (line: string): Promise<boolean> => {
    const [cmd, ...args] = line.trim().split(/\s+/);
    switch (cmd) {
      case '.quit':
      case '.exit':
        return false;
      case '.help':
        print(HELP.replace('{limit}', String(limit)).replace('{timeout}', String(timeoutSeconds)).replace('{mode}', mode).replace('{pager}', paging ? 'on' : 'off'));
        break;
      case '.mode': {
        const m = (args[0] ?? '').toLowerCase() as DisplayMode;
        if (args[0] !== undefined && !DISPLAY_MODES.includes(m)) print('usage: .mode table|vertical|auto');
        else if (args[0] !== undefined) mode = m;
        print(`mode: ${mode}`);
        break;
      }
      case '\\x': {
        const a = (args[0] ?? '').toLowerCase();
        const next: DisplayMode | undefined = a === '' ? (mode === 'vertical' ? 'table' : 'vertical') : a === 'on' ? 'vertical' : a === 'off' ? 'table' : a === 'auto' ? 'auto' : undefined;
        if (next) mode = next;
        else print('usage: \\x [on|off|auto]');
        print(`mode: ${mode}`);
        break;
      }
      case '.pager': {
        const a = (args[0] ?? '').toLowerCase();
        if (a === 'on' || a === 'off') paging = a === 'on';
        else if (a) print('usage: .pager on|off');
        print(`pager: ${paging ? 'on' : 'off'}${paging && !tty.isTTY ? ' (not used: the output is not a terminal)' : ''}${paging && tty.isTTY && !pagerCommand() ? ' (no pager: set $PAGER or install less)' : ''}`);
        break;
      }
      case '.tables': {
        const filter = (args[0] ?? '').toLowerCase();
        const rows = session.relations
          .filter((r) => `${r.schema}.${r.name}`.includes(filter))
          .map((r) => [`${r.schema}.${r.name}`, r.kind, String(r.columns.length), [...r.masked.keys()].join(', ')]);
        output.write(renderTable(['table', 'kind', 'columns', 'masked columns'], ['', '', '', ''], rows, [false, false, true, false]));
        print(`${rows.length} relation(s)`);
        break;
      }
      case '.schema': {
        if (!args[0]) {
          print('usage: .schema NAME (schema.name or name; .tables lists them)');
          break;
        }
        const found = relationNamed(args[0]);
        if (found.length !== 1) {
          print(found.length ? `ambiguous: ${found.map((r) => `${r.schema}.${r.name}`).join(', ')}` : `no table or view "${args[0]}" (.tables lists them)`);
          break;
        }
        const rel = found[0]!;
        docs ??= await definitionDocs().catch(() => new Map<string, DictionaryTable>());
        const doc = docs.get(`${rel.schema}.${rel.name}`);
        print(`${rel.schema}.${rel.name} (${rel.kind})`);
        if (doc) {
          print(`  ${doc.description}`);
          if (doc.grain) print(`  grain: ${doc.grain}`);
          if (doc.primaryKey.length) print(`  primary key: ${doc.primaryKey.join(', ')}`);
        }
        const rows = rel.columns.map((c) => [
          c.name,
          c.type,
          rel.masked.has(c.name) ? `masked (${rel.masked.get(c.name)})` : '',
          doc?.columns.find((d) => d.name === c.name)?.description ?? '',
        ]);
        output.write(renderTable(['column', 'type', 'personal data', 'description'], ['', '', '', ''], rows, [false, false, false, false]));
        break;
      }
      case '.metrics':
        if (!session.relations.some((r) => r.schema === 'metrics' && r.name === 'metric_catalog')) print('this warehouse has no metrics.metric_catalog.');
        else await runStatement('SELECT metric_id, name_zh, name_en, unit, target_text, dimensions FROM metrics.metric_catalog ORDER BY sort_order, metric_id');
        break;
      case '.queries': {
        const qs = listSavedQueries(queriesDir);
        output.write(
          renderTable(['name', 'title', 'parameters'], ['', '', ''], qs.map((q) => [q.name, q.title, q.params.map((p) => `${p.name}${p.required ? '' : '?'}`).join(', ')]), [false, false, false]),
        );
        print('run one with .run NAME [param=value ...]');
        break;
      }
      case '.run': {
        if (!args[0]) {
          print('usage: .run NAME [param=value ...] (.queries lists them)');
          break;
        }
        let q;
        try {
          q = loadSavedQuery(args[0], queriesDir);
        } catch (e) {
          if (isCqError(e, 'SQL_FORBIDDEN')) appendSqlAudit({ event: 'refused', unmasked: !masked, warehouse, saved_query: args[0], message: e.message }, auditLog);
          throw e;
        }
        const given = Object.fromEntries(args.slice(1).map((a) => a.split(/=(.*)/s, 2) as [string, string]));
        await runStatement(q.sql, resolveParams(q, given), q.name);
        break;
      }
      case '.limit':
      case '.timeout': {
        const n = Number(args[0]);
        if (!Number.isInteger(n) || n < 0) print(`usage: ${cmd} N (a whole number)`);
        else if (cmd === '.limit') limit = n;
        else timeoutSeconds = n;
        print(`${cmd.slice(1)}: ${cmd === '.limit' ? `${limit} rows` : `${timeoutSeconds} s`}`);
        break;
      }
      case '.reopen': {
        const next = await open();
        await worker.close();
        ({ worker, info: session } = next);
        openedIdentity = identity();
        openedAt = new Date();
        warnedRepublish = false;
        print(banner());
        break;
      }
      default:
        print(`unknown command ${cmd}; .help lists the commands`);
    }
    return true;
  };

  let buffer = '';
  const prompt = () => {
    if (!terminal) return;
    rl.setPrompt(buffer ? '  -> ' : 'sql> ');
    rl.prompt();
  };
  prompt();
  try {
    for (;;) {
      const line = await nextLine();
      if (line === undefined || quit) break;
      if (!buffer && /^\s*(\.|\\x(\s|$))/.test(line)) {
        remember(line);
        let keepGoing = true;
        try {
          keepGoing = await dot(line);
        } catch (e) {
          report(e);
        }
        if (!keepGoing) {
          quit = true;
          break;
        }
      } else {
        buffer = buffer ? `${buffer}\n${line}` : line;
        if (isBlankSql(buffer) && !buffer.includes(';')) {
          if (!buffer.trim()) buffer = '';
        } else if (isStatementComplete(buffer)) {
          const sql = buffer;
          buffer = '';
          remember(sql);
          if (!isBlankSql(sql)) await runStatement(sql);
        }
      }
      prompt();
    }
    // Input ended (piped script, Ctrl-D) with a statement lacking its final ';': run it.
    if (!quit && !isBlankSql(buffer)) await runStatement(buffer);
  } finally {
    rl.close();
    await worker.close();
  }
}
