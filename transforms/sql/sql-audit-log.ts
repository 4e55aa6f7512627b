import { appendFileSync, mkdirSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname } from 'node:path';
import { CqError } from '../lib/errors.js';

/** Default audit log of the analyst console (one JSON object per line). */
export const DEFAULT_SQL_AUDIT_LOG = 'logs/sql-audit.ndjson';

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
   * with personal data unmasked (logged before it runs); `refused`: a statement was refused.
   */
  event: 'unmasked_session' | 'unmasked_query' | 'refused';
  unmasked: boolean;
  warehouse: string;
  query?: string;
  saved_query?: string;
  params?: Readonly<Record<string, string | null>>;
  message?: string;
}

/** The audit log path: `explicit`, else `$CQ_SQL_AUDIT_LOG`, else logs/sql-audit.ndjson. @example auditLogPath() */
export function auditLogPath(explicit?: string): string {
  return explicit ?? process.env.CQ_SQL_AUDIT_LOG ?? DEFAULT_SQL_AUDIT_LOG;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? `uid:${process.getuid?.() ?? '?'}`;
  }
}

/**
 * Appends one record (who, when, which warehouse, the query, the flag). For unmasked access
 * the write must succeed before the query runs: a failure throws `SQL_FORBIDDEN`, so personal
 * data is never shown without a trace.
 *
 * @example
 * appendSqlAudit({ event: 'unmasked_query', unmasked: true, warehouse, query: sql });
 */
export function appendSqlAudit(record: Omit<SqlAuditRecord, 'at' | 'user' | 'host' | 'pid'>, path: string = auditLogPath()): SqlAuditRecord {
  const full: SqlAuditRecord = { at: new Date().toISOString(), user: osUser(), host: hostname(), pid: process.pid, ...record };
  try {
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, `${JSON.stringify(full)}\n`);
  } catch (e) {
    if (record.unmasked && record.event !== 'refused') {
      throw new CqError('SQL_FORBIDDEN', `refused: cannot write the audit log ${path} (${(e as Error).message}); --unmasked access is only allowed when it is logged.`, { file: path }, { cause: e });
    }
  }
  return full;
}
