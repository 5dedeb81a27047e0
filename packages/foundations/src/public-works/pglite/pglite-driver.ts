import { mkdir } from 'node:fs/promises';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { SqlDriver, SqlExecutor, SqlResult } from '../sql/driver.js';

/** Options of {@link PGliteDriver.open}. */
export interface PGliteDriverOptions {
  /** Directory of the database files; in memory when omitted. */
  dataDir?: string;
  /** PGlite extensions, e.g. `{ vector }` from `@electric-sql/pglite-pgvector`. */
  extensions?: PGliteOptions['extensions'];
}

type PGliteExecutor = Pick<PGlite, 'query' | 'exec'>;

function executor(db: PGliteExecutor): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      const result = await db.query<R>(sql, params as unknown[]);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string) {
      await db.exec(sql);
    },
  };
}

/**
 * A {@link SqlDriver} on PGlite: a real Postgres compiled to WebAssembly, in process, file-backed
 * or in memory. One connection; statements run one at a time.
 */
export class PGliteDriver implements SqlDriver {
  readonly kind = 'pglite';
  readonly #db: PGlite;
  readonly #executor: SqlExecutor;

  private constructor(db: PGlite) {
    this.#db = db;
    this.#executor = executor(db);
  }

  /**
   * Opens (creating when missing) a PGlite database.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the directory cannot be used.
   */
  static async open(options: PGliteDriverOptions = {}): Promise<PGliteDriver> {
    try {
      if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
      const db = await PGlite.create({
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.extensions ? { extensions: options.extensions } : {}),
      });
      return new PGliteDriver(db);
    } catch (error) {
      throw new PlatformError(
        ErrorCode.ADAPTER_UNAVAILABLE,
        `pglite: cannot open the database${options.dataDir ? ` in '${options.dataDir}'` : ''}: ${(error as Error).message}`,
        { details: { adapter: 'pglite' }, cause: error },
      );
    }
  }

  /** The PGlite instance, for tools that need its own API. */
  get database(): PGlite {
    return this.#db;
  }

  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
    return this.#executor.query<R>(sql, params);
  }

  exec(sql: string) {
    return this.#executor.exec(sql);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#db.transaction((tx) => work(executor(tx)));
  }

  async close(): Promise<void> {
    if (!this.#db.closed) await this.#db.close();
  }
}
