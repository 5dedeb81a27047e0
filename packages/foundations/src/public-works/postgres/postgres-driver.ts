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

/** Socket-level failures: the server went away or could not be reached. */
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server that is going away, restarting or out of connections. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
/** Transactions the server gave up on that can simply run again. */
const RETRYABLE_STATES = new Set(['40001', '40P01']);

/**
 * A failed query as the port's errors where the failure is the connection's, not the query's:
 * `ADAPTER_UNAVAILABLE` for a lost or refused connection (so a journey retries the step), and
 * `CONFLICT` for a serialization failure or deadlock. Anything else (a constraint, a syntax
 * error) is returned as it is, with its SQLSTATE, for the store to map.
 */
export function classifyPostgresError(error: unknown, server: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const state = typeof code === 'string' ? code : undefined;
  const message = (error as Error | null)?.message ?? String(error);
  const lost =
    (state !== undefined && (state.startsWith('08') || UNAVAILABLE_STATES.has(state) || NETWORK_ERRORS.has(state))) ||
    /connection terminated|terminating connection|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  if (lost) {
    return new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `postgres: ${server}: ${message.split('\n')[0]}`, {
      details: { adapter: 'postgres', ...(state ? { sqlState: state } : {}) },
      cause: error,
    });
  }
  if (state !== undefined && RETRYABLE_STATES.has(state)) {
    return new PlatformError(ErrorCode.CONFLICT, `postgres: ${message.split('\n')[0]}; the transaction can run again`, {
      details: { adapter: 'postgres', sqlState: state },
      cause: error,
    });
  }
  return error;
}

function executor(client: Queryable, server: string): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      try {
        const result = await client.query(sql, params as unknown[]);
        return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw classifyPostgresError(error, server);
      }
    },
    async exec(sql: string) {
      try {
        await client.query(sql);
      } catch (error) {
        throw classifyPostgresError(error, server);
      }
    },
  };
}

/** A {@link SqlDriver} on a real Postgres through a `pg` connection pool. */
export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #executor: SqlExecutor;
  /** The server as errors name it (host, port, database; never the password). */
  readonly #server: string;

  private constructor(pool: pg.Pool, server: string) {
    this.#pool = pool;
    this.#server = server;
    this.#executor = executor(pool, server);
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
    return new PostgresDriver(pool, redactConnectionString(options.connectionString));
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
    return this.#executor.query<R>(sql, params);
  }

  exec(sql: string) {
    return this.#executor.exec(sql);
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (error) {
      throw classifyPostgresError(error, this.#server);
    }
    let broken: Error | undefined;
    try {
      const tx = executor(client, this.#server);
      await tx.exec('begin');
      const result = await work(tx);
      await tx.exec('commit');
      return result;
    } catch (error) {
      // A client whose connection failed is destroyed, not returned to the pool for the next caller.
      if (error instanceof PlatformError && error.code === ErrorCode.ADAPTER_UNAVAILABLE) broken = error;
      else await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}
