import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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

// A freshly initialized cluster (its data directory as a tar), kept once asked for: creating a
// database runs initdb (2-3 s of CPU), loading the tar takes a fifth of that.
let clusterTemplate: Blob | undefined;
let keepTemplate = process.env.PLATFORM_PGLITE_REUSE_CLUSTER === '1';

/**
 * Makes {@link PGliteDriver.open} keep the first new database's freshly initialized cluster in
 * memory (about 40 MB) and start every later new database (in memory, or in an empty directory)
 * from it instead of running initdb again: 0.4-0.7 s instead of 2-3 s each. For processes that
 * open many databases, such as test suites; also on with `PLATFORM_PGLITE_REUSE_CLUSTER=1`.
 * `false` turns it off and lets the kept cluster go.
 */
export function reuseInitializedPGliteClusters(enabled = true): void {
  keepTemplate = enabled;
  if (!enabled) clusterTemplate = undefined;
}

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
  /** Whether the database started from a kept cluster ({@link reuseInitializedPGliteClusters}). */
  readonly fromKeptCluster: boolean;
  readonly #db: PGlite;
  readonly #executor: SqlExecutor;

  private constructor(db: PGlite, fromKeptCluster: boolean) {
    this.#db = db;
    this.#executor = executor(db);
    this.fromKeptCluster = fromKeptCluster;
  }

  /**
   * Opens (creating when missing) a PGlite database.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the directory cannot be used.
   */
  static async open(options: PGliteDriverOptions = {}): Promise<PGliteDriver> {
    try {
      if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
      // A new cluster (not a directory that holds one) may start from the kept one.
      const fresh = keepTemplate && (!options.dataDir || !existsSync(join(options.dataDir, 'PG_VERSION')));
      const template = fresh ? clusterTemplate : undefined;
      const db = await PGlite.create({
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.extensions ? { extensions: options.extensions } : {}),
        ...(template ? { loadDataDir: template } : {}),
      });
      // Taken before the caller writes anything: the cluster exactly as initdb left it.
      if (fresh && !template && !clusterTemplate) clusterTemplate = await db.dumpDataDir('none');
      return new PGliteDriver(db, template !== undefined);
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
