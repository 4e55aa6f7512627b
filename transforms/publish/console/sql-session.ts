import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, realpathSync, statSync } from 'node:fs';
import { quoteLiteral as lit } from '../../lib/duckdb.js';
import { CqError } from '../../lib/errors.js';
import { createAnalystViews, type AnalystRelation } from './analyst-views.js';

/**
 * Catalog name under which the warehouse file is attached. Analysts never use it (the
 * query guard refuses it): they query the views of the same names in the in-memory catalog.
 */
export const WAREHOUSE_ALIAS = '__cq_published_warehouse';

/** The default published warehouse. */
export const DEFAULT_WAREHOUSE = 'data/warehouse.duckdb';

/** Options of {@link openSqlSession}. */
export interface SqlSessionOptions {
  /** Warehouse file (or the symlink the nightly job maintains). Default data/warehouse.duckdb. */
  warehouse?: string;
  /** Show personal data unmasked (the caller must have written the audit record). Default false. */
  unmasked?: boolean;
  /** DuckDB threads (default: all cores). */
  threads?: number;
  /** DuckDB memory_limit, e.g. '4GB' (default: DuckDB's, 80% of RAM). */
  memoryLimit?: string;
}

/** An open, locked-down analyst session. */
export interface SqlSession {
  /** The path as given. */
  readonly warehouse: string;
  /** The file actually attached (symlinks resolved at open time). */
  readonly attachedFile: string;
  readonly masked: boolean;
  readonly conn: DuckDBConnection;
  /** Every relation analysts can query, with its columns and masked columns. */
  readonly relations: readonly AnalystRelation[];
  /** True when `warehouse` now names a different file than the one attached (the nightly job republished). */
  republished(): boolean;
  close(): void;
}

/**
 * The settings that lock an analyst session, in the order they are applied. After them the
 * session's DuckDB cannot open any file on the host, the warehouse's own files included:
 * DuckDB adds the attached database's files (and its temp directory) to `allowed_paths` when
 * external access is switched off, so `allowed_paths` alone would still let `read_duckdb()` read
 * the unmasked warehouse or `COPY … TO` overwrite it. Switching off the local file system closes
 * every path at once; the warehouse stays readable through the file handle opened by ATTACH.
 * There is no spilling to disk: a query that needs more than the memory limit fails.
 */
export const SESSION_LOCKS: readonly string[] = [
  `SET enable_external_access = false`,
  `SET disabled_filesystems = 'LocalFileSystem'`,
  `SET lock_configuration = true`,
];

/**
 * Opens the analyst session over the published warehouse:
 *
 * 1. an in-memory DuckDB with extension auto-install / auto-load off and no temp directory;
 * 2. the warehouse file ATTACHed READ_ONLY (symlinks resolved first, so the session keeps
 *    reading the file it opened while the nightly job publishes a new one: a consistent
 *    snapshot, and neither side ever waits for the other);
 * 3. one view per warehouse table in the in-memory catalog, with personal data masked unless
 *    `unmasked` (see analyst-views.ts);
 * 4. {@link SESSION_LOCKS}: external access off (no ATTACH / INSTALL / LOAD), the local file
 *    system off (no file of the host can be opened, the warehouse's own files included), then the
 *    configuration locked so no statement can undo either.
 *
 * Queries run in a child process (sql-worker.ts) so a timeout or the memory limit can stop them
 * even inside DuckDB's planner; this function is what that process calls.
 *
 * @example
 * const s = await openSqlSession({ warehouse: 'data/warehouse.duckdb' });
 * const r = await s.conn.runAndReadAll('select count(*) from core.dim_loans');
 * s.close();
 */
export async function openSqlSession(options: SqlSessionOptions = {}): Promise<SqlSession> {
  const warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
  if (!existsSync(warehouse)) {
    throw new CqError('WAREHOUSE_MISSING', `${warehouse}: no warehouse file. Fix: run the nightly job (npm run nightly) or pass --warehouse PATH.`, { file: warehouse });
  }
  const attachedFile = realpathSync(warehouse);
  const identity = fileIdentity(attachedFile);
  const config: Record<string, string> = {
    temp_directory: '',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  };
  if (options.threads) config.threads = String(options.threads);
  if (options.memoryLimit) config.memory_limit = options.memoryLimit;
  const instance = await DuckDBInstance.create(':memory:', config);
  const conn = await instance.connect();
  const fail = (e: unknown) => {
    conn.closeSync();
    instance.closeSync();
    return e;
  };
  let relations: AnalystRelation[];
  try {
    try {
      await conn.run(`ATTACH ${lit(attachedFile)} AS ${WAREHOUSE_ALIAS} (READ_ONLY)`);
    } catch (e) {
      const msg = (e as Error).message;
      if (/lock/i.test(msg)) {
        throw new CqError('WAREHOUSE_LOCKED', `${warehouse}: the file is open for writing by another process (${msg.split('\n')[0]}). The published warehouse is never opened read-write; point --warehouse at it, not at a build in progress.`, { file: warehouse }, { cause: e });
      }
      throw new CqError('SQL_ERROR', `${warehouse}: cannot open the warehouse read-only: ${msg.split('\n')[0]}`, { file: warehouse }, { cause: e });
    }
    relations = await createAnalystViews(conn, WAREHOUSE_ALIAS, !options.unmasked);
    for (const statement of SESSION_LOCKS) await conn.run(statement);
  } catch (e) {
    throw fail(e);
  }
  let closed = false;
  return {
    warehouse,
    attachedFile,
    masked: !options.unmasked,
    conn,
    relations,
    republished() {
      try {
        const now = fileIdentity(realpathSync(warehouse));
        return now.dev !== identity.dev || now.ino !== identity.ino;
      } catch {
        return true;
      }
    },
    close() {
      if (closed) return;
      closed = true;
      conn.closeSync();
      instance.closeSync();
    },
  };
}

function fileIdentity(path: string): { dev: number; ino: number } {
  const s = statSync(path);
  return { dev: s.dev, ino: s.ino };
}
