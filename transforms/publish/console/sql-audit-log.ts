import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { CqError } from '../../lib/errors.js';
import { loadConfig } from '../../config/config.js';

/** One audit record. */
export interface SqlAuditRecord {
  /** ISO timestamp (UTC). */
  at: string;
  /** OS user running the console. */
  user: string;
  host: string;
  pid: number;
  /**
   * `unmasked_session`: a console was opened with --unmasked; `unmasked_query`: a query ran
   * with personal data unmasked (logged before it runs); `unmasked_export`: a regulator package
   * was written with personal data unmasked (logged before it is written); `refused`: a
   * statement was refused.
   */
  event: 'unmasked_session' | 'unmasked_query' | 'unmasked_export' | 'refused';
  unmasked: boolean;
  warehouse: string;
  query?: string;
  saved_query?: string;
  params?: Readonly<Record<string, string | null>>;
  message?: string;
  /** Result file of an unmasked query, or the export folder. */
  out?: string;
}

/**
 * The audit log path, set by the operator: `sqlAuditLog` in `cq.config.json` (default
 * logs/sql-audit.ndjson). No command-line flag or environment variable changes it, so the user
 * whose access is being recorded cannot send the record elsewhere. `explicit` is for programs
 * that embed the console (the tests); the CLIs never pass it.
 *
 * @example
 * auditLogPath(); // 'logs/sql-audit.ndjson'
 */
export function auditLogPath(explicit?: string, configFile?: string): string {
  return explicit ?? loadConfig({}, configFile).sqlAuditLog;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? `uid:${process.getuid?.() ?? '?'}`;
  }
}

/**
 * Appends one record (who, when, which warehouse, the query, the flag) and syncs it to disk.
 * The log must be a regular file (not /dev/null, a pipe or a terminal). For unmasked access the
 * write must succeed before anything is shown: a failure throws `AUDIT_FAILED`, so personal data
 * is never shown without a trace. A refusal that cannot be logged is not an error.
 *
 * @example
 * appendSqlAudit({ event: 'unmasked_query', unmasked: true, warehouse, query: sql });
 */
export function appendSqlAudit(record: Omit<SqlAuditRecord, 'at' | 'user' | 'host' | 'pid'>, path: string = auditLogPath()): SqlAuditRecord {
  const full: SqlAuditRecord = { at: new Date().toISOString(), user: osUser(), host: hostname(), pid: process.pid, ...record };
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const fd = openSync(path, 'a', 0o600);
    try {
      if (!fstatSync(fd).isFile()) throw new Error('it is not a regular file');
      writeSync(fd, `${JSON.stringify(full)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (record.unmasked && record.event !== 'refused') {
      throw new CqError(
        'AUDIT_FAILED',
        `refused: cannot write the audit log ${path} (${(e as Error).message}); unmasked access is only allowed when it is logged. Fix: the operator sets "sqlAuditLog" in cq.config.json to a writable regular file.`,
        { file: path },
        { cause: e },
      );
    }
  }
  return full;
}
