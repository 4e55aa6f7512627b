import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteLiteral as lit } from '../lib/duckdb.js';
import { CqError } from '../lib/errors.js';
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
  /** Files DuckDB itself may write (the Parquet export's temporary file); nothing else is writable. */
  writablePaths?: readonly string[];
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
 * Opens the analyst session over the published warehouse:
 *
 * 1. an in-memory DuckDB with extension auto-install/auto-load off and a private temp directory;
 * 2. the warehouse file ATTACHed READ_ONLY (symlinks resolved first, so the session keeps
 *    reading the file it opened while the nightly job publishes a new one: a consistent
 *    snapshot, and neither side ever waits for the other);
 * 3. one view per warehouse table in the in-memory catalog, with personal data masked unless
 *    `unmasked` (see analyst-views.ts);
 * 4. `allowed_paths` = `writablePaths` only, `enable_external_access = false` (no reading or
 *    writing host files, no ATTACH / INSTALL / LOAD), then `lock_configuration = true` so no
 *    statement can undo any of it.
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
  const tempDir = mkdtempSync(join(tmpdir(), 'cq-sql-'));
  const config: Record<string, string> = {
    temp_directory: tempDir,
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
    rmSync(tempDir, { recursive: true, force: true });
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
    const writable = (options.writablePaths ?? []).map(lit);
    await conn.run(`SET allowed_paths = [${writable.join(', ')}]`);
    await conn.run(`SET enable_external_access = false`);
    await conn.run(`SET lock_configuration = true`);
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
      rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

function fileIdentity(path: string): { dev: number; ino: number } {
  const s = statSync(path);
  return { dev: s.dev, ino: s.ino };
}
