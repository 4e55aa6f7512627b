/**
 * The SQL engine of the built site, in Node: DuckDB-wasm 1.28 (DuckDB 0.9.1), the same build and the
 * same settings Evidence uses to write the site's Parquet files (`evidence sources`) and to run page
 * queries while prerendering (`@evidence-dev/universal-sql/client-duckdb/node.js`). Audience sites are
 * derived with it, so their Parquet files and query results are what Evidence itself would have
 * written: same writer, same types, same Arrow IPC bytes (test/publish/site/audience-sites.test.ts
 * replays the head-office queries and gets Evidence's own result hashes back).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const DUCKDB_DIST = dirname(require.resolve('@duckdb/duckdb-wasm'));
// Arrow through duckdb-wasm's own copy (v13): its Table classes are the ones the engine returns, and
// its IPC writer is the one Evidence hashes (universal-sql/src/cache-duckdb.js does the same).
const arrow = createRequire(resolve(DUCKDB_DIST, 'duckdb-node-blocking.cjs'))('apache-arrow') as {
  tableToIPC(table: unknown): Uint8Array;
};
const wasm = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking') as {
  createDuckDB(bundles: unknown, logger: unknown, runtime: unknown): Promise<WasmDb>;
  NODE_RUNTIME: unknown;
  VoidLogger: new () => unknown;
};

interface WasmDb {
  instantiate(): Promise<void>;
  open(config: unknown): void;
  connect(): WasmConnection;
  reset(): Promise<void> | void;
}
interface WasmConnection {
  query(sql: string): { numRows: number; toArray(): Array<{ toJSON(): Record<string, unknown> }> };
  close(): void;
}

/** One DuckDB-wasm database in this process (Evidence's settings). */
export interface SiteEngine {
  /** Runs SQL; returns its result rows as plain objects. */
  rows(sql: string): Record<string, unknown>[];
  /** Runs SQL; returns its result as Arrow IPC bytes and their md5, named as Evidence names a prerendered result. */
  ipc(sql: string): { bytes: Uint8Array; hash: string };
  /** Closes the connection. */
  close(): void;
}

/** md5 hex of bytes or text: Evidence's name for a result (`<md5>.arrow`) and a Parquet folder. */
export function md5(data: Uint8Array | string): string {
  return createHash('md5').update(data).digest('hex');
}

/**
 * Opens DuckDB-wasm in Node with Evidence's query settings.
 *
 * @example
 * const engine = await openSiteEngine();
 * engine.rows(`select count(*) as n from read_parquet('/site/data/warehouse/kpi_values/x/kpi_values.parquet')`);
 * engine.close();
 */
export async function openSiteEngine(): Promise<SiteEngine> {
  const bundles = {
    mvp: { mainModule: resolve(DUCKDB_DIST, 'duckdb-mvp.wasm'), mainWorker: resolve(DUCKDB_DIST, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: resolve(DUCKDB_DIST, 'duckdb-eh.wasm'), mainWorker: resolve(DUCKDB_DIST, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await wasm.createDuckDB(bundles, new wasm.VoidLogger(), wasm.NODE_RUNTIME);
  await db.instantiate();
  db.open({ query: { castBigIntToDouble: true, castTimestampToDate: true, castDecimalToDouble: true, castDurationToTime64: true } });
  const connection = db.connect();
  return {
    rows(sql) {
      return connection.query(sql).toArray().map((r) => r.toJSON());
    },
    ipc(sql) {
      const bytes = arrow.tableToIPC(connection.query(sql));
      return { bytes, hash: md5(bytes) };
    },
    close() {
      connection.close();
    },
  };
}
