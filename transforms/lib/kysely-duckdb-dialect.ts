import type { DuckDBConnection } from '@duckdb/node-api';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * A Kysely dialect for DuckDB over `@duckdb/node-api`. DuckDB speaks PostgreSQL-flavoured
 * SQL with `$1` placeholders, so Kysely's Postgres compiler, adapter and introspector fit.
 * One DuckDB connection is shared (DuckDB serialises statements on a connection anyway).
 *
 * @example
 * const db = new Kysely<Warehouse>({ dialect: new DuckDbDialect({ connection: conn }) });
 */
export class DuckDbDialect implements Dialect {
  constructor(private readonly config: { connection: DuckDBConnection }) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new DuckDbDriver(this.config.connection);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}

class DuckDbDriver implements Driver {
  private readonly connection: DuckDbKyselyConnection;
  private queue: Promise<void> = Promise.resolve();
  constructor(conn: DuckDBConnection) {
    this.connection = new DuckDbKyselyConnection(conn);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    // Serialise users of the single connection (transactions must not interleave).
    let release!: () => void;
    const previous = this.queue;
    this.queue = new Promise<void>((r) => (release = r));
    await previous;
    this.connection.release = release;
    return this.connection;
  }
  async beginTransaction(c: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('BEGIN TRANSACTION'));
  }
  async commitTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('COMMIT'));
  }
  async rollbackTransaction(c: DatabaseConnection): Promise<void> {
    await c.executeQuery(CompiledQuery.raw('ROLLBACK'));
  }
  async releaseConnection(c: DatabaseConnection): Promise<void> {
    (c as DuckDbKyselyConnection).release?.();
  }
  async destroy(): Promise<void> {}
}

class DuckDbKyselyConnection implements DatabaseConnection {
  release: (() => void) | undefined;
  constructor(private readonly conn: DuckDBConnection) {}
  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const reader = await this.conn.runAndReadAll(compiled.sql, compiled.parameters as never);
    const rows = reader.getRowObjectsJS() as R[];
    const changed = reader.rowsChanged;
    return { rows, numAffectedRows: changed > 0 ? BigInt(changed) : undefined };
  }
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streamQuery is not supported by the DuckDB dialect; use the connection directly');
  }
}
