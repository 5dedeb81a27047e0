import pg from 'pg';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { SqlDriver, SqlExecutor, SqlResult } from '../sql/driver.js';
import { redactConnectionString } from './redact.js';

export { redactConnectionString } from './redact.js';

/** Options of {@link PostgresDriver.connect}. */
export interface PostgresDriverOptions {
  /** A `postgres://` or `postgresql://` URL. */
  connectionString: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Milliseconds to wait for a connection before failing. Default 10 000. */
  connectTimeoutMs?: number;
}

type Queryable = Pick<pg.PoolClient, 'query'>;

function executor(client: Queryable): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await client.query(sql, params as unknown[]);
      return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string) {
      await client.query(sql);
    },
  };
}

/** A {@link SqlDriver} on a real Postgres through a `pg` connection pool. */
export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #executor: SqlExecutor;

  private constructor(pool: pg.Pool) {
    this.#pool = pool;
    this.#executor = executor(pool);
  }

  /**
   * Opens a pool and checks that the server answers.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` naming the server (never the password) and the reason.
   */
  static async connect(options: PostgresDriverOptions): Promise<PostgresDriver> {
    const pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // An idle client losing its connection must not crash the process; the next query reports it.
    pool.on('error', () => {});
    try {
      await pool.query('select 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new PlatformError(
        ErrorCode.ADAPTER_UNAVAILABLE,
        `postgres: cannot connect to ${redactConnectionString(options.connectionString)}: ${(error as Error).message}`,
        { details: { adapter: 'postgres' }, cause: error },
      );
    }
    return new PostgresDriver(pool);
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
    return this.#executor.query<R>(sql, params);
  }

  exec(sql: string) {
    return this.#executor.exec(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      await client.query('begin');
      const result = await work(executor(client));
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}
