import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { type Migration, pendingMigrations } from '../sql/migrations.js';

/** Options of {@link SqliteDatabase.open}. */
export interface SqliteDatabaseOptions {
  /** The database file; `:memory:` (the default) for a private in-memory database. */
  path?: string;
  /**
   * How long a statement waits for another process's write lock before failing with
   * `ADAPTER_UNAVAILABLE`, in milliseconds. Default 60 s: several CLI processes on one data
   * directory queue behind each other instead of failing.
   */
  busyTimeoutMs?: number;
  /**
   * `normal` (default): WAL mode's usual setting: a commit survives the process being killed at
   * any point; a power cut may roll back the last commits, never corrupt the file. `full` also
   * syncs the log on every commit (durable against power loss, a few ms a commit).
   */
  synchronous?: 'normal' | 'full';
  /** Loadable extensions to load after opening (absolute paths, e.g. sqlite-vec's). */
  extensions?: readonly string[];
  /**
   * Pages the write-ahead log may hold before a commit copies it into the database file (SQLite's
   * `wal_autocheckpoint`). Default 10,000 (about 40 MB): a checkpoint syncs both files to disk, and
   * SQLite's default of 1,000 made one every few small-file flows (about 40 commits each); with
   * more pages a page written by many commits is copied once. The last connection to close
   * checkpoints and removes the log.
   */
  checkpointPages?: number;
  /**
   * Bytes of the database file SQLite reads through memory mapping instead of `read()` calls
   * (SQLite's `mmap_size`; writes still go through the write-ahead log, and pages the log holds
   * are still read from it). Default 256 MiB: a semantic search reads about a thousand rows
   * scattered over the file, and through SQLite's own 2 MB page cache each was a system call and
   * a copy (top-10 search at 100k vectors of 384 dimensions: median 12.2 → 6.9 ms, ADR 0027).
   * Mapped pages are the operating system's file cache, shared and reclaimable, but they count in
   * the RSS of each connection's process once read. An I/O error under a mapped read is a SIGBUS,
   * not an error SQLite can report. 0 turns it off.
   */
  mmapBytes?: number;
}

/** The default of {@link SqliteDatabaseOptions.mmapBytes}. */
export const DEFAULT_SQLITE_MMAP_BYTES = 256 * 1024 * 1024;

// Extended result codes of SQLite (https://sqlite.org/rescode.html).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CONSTRAINT = 19;
// How long one statement sleeps the thread waiting for a lock before write() takes over.
const SYNC_WAIT_MS = 25;

function isBusy(error: unknown): boolean {
  return (error as PlatformError | null)?.details?.busy === true;
}

/** The SQLite result code of a `node:sqlite` error (extended codes reduced to their primary code). */
export function sqliteResultCode(error: unknown): number | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

/** Whether `error` is a constraint violation (unique, primary key, foreign key, check). */
export function isSqliteConstraint(error: unknown): boolean {
  return sqliteResultCode(error) === SQLITE_CONSTRAINT;
}

/** The extended constraint code: `unique` (2067, 1555 primary key), `foreign_key` (787), `check` (275), ... */
export function sqliteConstraintKind(error: unknown): 'unique' | 'foreign_key' | 'check' | 'other' | undefined {
  const code = (error as { errcode?: unknown } | null)?.errcode;
  if (typeof code !== 'number' || (code & 0xff) !== SQLITE_CONSTRAINT) return undefined;
  if (code === 2067 || code === 1555) return 'unique';
  if (code === 787) return 'foreign_key';
  if (code === 275) return 'check';
  return 'other';
}

// Switching a new file to WAL reads it under a shared lock, then upgrades to an exclusive one. While
// another connection holds the write lock (another process opening or migrating the same new file),
// SQLite refuses the upgrade at once with SQLITE_BUSY instead of waiting out the busy timeout, as
// waiting there could deadlock. So the switch is retried here, within the same timeout. Once the
// file is in WAL mode, the pragma changes nothing and takes no lock.
async function enableWal(db: DatabaseSync, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      db.exec('pragma journal_mode = wal');
      return;
    } catch (error) {
      if (sqliteResultCode(error) !== SQLITE_BUSY || Date.now() >= deadline) throw error;
      await sleep(Math.min(2 ** attempt, 50));
    }
  }
}

// Loaded on first use: a host whose stores are all remote never loads SQLite. Through
// getBuiltinModule, not import(): the package's bundler (esbuild) rewrites `import('node:sqlite')`
// to `import('sqlite')`, a name that does not exist (node:sqlite only has its prefixed name).
function loadSqlite(): typeof import('node:sqlite') {
  const sqlite = process.getBuiltinModule?.('node:sqlite');
  if (!sqlite) throw new Error(`node:sqlite is missing from Node ${process.version}; Node 22.13 or later is required`);
  return sqlite;
}

/**
 * One SQLite connection through `node:sqlite` (built into Node 22.13+), set up for several
 * processes sharing one file: WAL journal (readers never block the writer), a busy timeout (a
 * writer waits for another process's write instead of failing), foreign keys on, and write
 * transactions begun `IMMEDIATE` (the write lock is taken first, so two writers never deadlock
 * upgrading a read lock).
 *
 * `node:sqlite` is synchronous: a transaction runs as one synchronous function, so no other work
 * of this process can interleave with it.
 */
export class SqliteDatabase {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #busyTimeoutMs: number;
  #closed = false;

  private constructor(db: DatabaseSync, path: string, busyTimeoutMs: number) {
    this.#db = db;
    this.path = path;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  /**
   * Opens (creating when missing) a database file and its directory.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the file cannot be opened or an extension loaded.
   */
  static async open(options: SqliteDatabaseOptions = {}): Promise<SqliteDatabase> {
    const path = options.path ?? ':memory:';
    const busyTimeoutMs = options.busyTimeoutMs ?? 60_000;
    const mmapBytes = options.mmapBytes ?? DEFAULT_SQLITE_MMAP_BYTES;
    if (!Number.isSafeInteger(mmapBytes) || mmapBytes < 0) {
      throw new PlatformError(
        ErrorCode.CONFIG_INVALID,
        'sqlite: mmapBytes must be a whole number of bytes, 0 or more',
        {
          details: { adapter: 'sqlite', mmapBytes },
        },
      );
    }
    let db: DatabaseSync | undefined;
    try {
      const { DatabaseSync } = loadSqlite();
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new DatabaseSync(path, {
        // SQLite waits for a lock by sleeping the thread: kept short, so a process waiting for
        // another's write still serves its event loop; write() waits the rest asynchronously.
        timeout: Math.min(busyTimeoutMs, SYNC_WAIT_MS),
        enableForeignKeyConstraints: true,
        ...(options.extensions?.length ? { allowExtension: true } : {}),
      });
      for (const extension of options.extensions ?? []) db.loadExtension(extension);
      if (options.extensions?.length) db.enableLoadExtension(false);
      if (path !== ':memory:') {
        await enableWal(db, busyTimeoutMs);
        db.exec(`pragma wal_autocheckpoint = ${Math.max(1, Math.trunc(options.checkpointPages ?? 10_000))}`);
        db.exec(`pragma mmap_size = ${mmapBytes}`);
      }
      db.exec(`pragma synchronous = ${options.synchronous === 'full' ? 'full' : 'normal'}`);
      // Deleted content is overwritten with zeros in the database file, so that an erasure does
      // not leave values in free pages (the write-ahead log keeps them until its next checkpoint).
      db.exec('pragma secure_delete = on');
      return new SqliteDatabase(db, path, busyTimeoutMs);
    } catch (error) {
      db?.close();
      throw new PlatformError(
        ErrorCode.ADAPTER_UNAVAILABLE,
        `sqlite: cannot open the database '${path}': ${(error as Error).message}`,
        { details: { adapter: 'sqlite', path }, cause: error },
      );
    }
  }

  /** A prepared statement, cached by its text. */
  statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#guard(() => this.#db.prepare(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a statement; returns the rows changed. */
  run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.#guard(() => this.statement(sql).run(...params)).changes);
  }

  /** The first row of a query, if any. */
  get<R>(sql: string, ...params: SQLInputValue[]): R | undefined {
    return this.#guard(() => this.statement(sql).get(...params)) as R | undefined;
  }

  /** Every row of a query. */
  all<R>(sql: string, ...params: SQLInputValue[]): R[] {
    return this.#guard(() => this.statement(sql).all(...params)) as R[];
  }

  /** Runs a script of several statements without parameters. */
  exec(sql: string): void {
    this.#guard(() => this.#db.exec(sql));
  }

  /**
   * Runs `work` in one write transaction (`BEGIN IMMEDIATE`): committed when it returns, rolled
   * back when it throws. `work` is synchronous on purpose: nothing else runs inside it.
   */
  transaction<T>(work: () => T): T {
    this.exec('begin immediate');
    try {
      const result = work();
      this.exec('commit');
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec('rollback');
      throw error;
    }
  }

  /**
   * {@link transaction}, waiting without blocking the event loop while another process holds the
   * write lock: tried again with backoff until the busy timeout, then `ADAPTER_UNAVAILABLE`.
   * Every write of the stores goes through here.
   */
  async write<T>(work: () => T): Promise<T> {
    const deadline = Date.now() + this.#busyTimeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return this.transaction(work);
      } catch (error) {
        if (!isBusy(error) || Date.now() >= deadline) throw error;
        await sleep(Math.min(2 ** attempt, 50) * (0.5 + Math.random()));
      }
    }
  }

  /**
   * Applies the migrations not applied yet, in order, in one write transaction (so concurrent
   * processes opening a fresh file apply them once), recording each in `platform_migrations`.
   * @throws {PlatformError} `MIGRATION_CHECKSUM_MISMATCH` when an applied migration's file changed.
   */
  applyMigrations(migrations: readonly Migration[]): Promise<{ applied: string[] }> {
    return this.write(() => {
      this.#db.exec(
        'create table if not exists platform_migrations (id text primary key, checksum text not null, applied_at text not null)',
      );
      const done = new Map(
        this.all<{ id: string; checksum: string }>('select id, checksum from platform_migrations').map((row) => [
          row.id,
          row.checksum,
        ]),
      );
      const applied: string[] = [];
      for (const migration of pendingMigrations(done, migrations)) {
        this.#db.exec(migration.sql);
        this.run(
          'insert into platform_migrations (id, checksum, applied_at) values (?, ?, ?)',
          migration.id,
          migration.checksum,
          new Date().toISOString(),
        );
        applied.push(migration.id);
      }
      return { applied };
    });
  }

  /**
   * Copies the write-ahead log into the database file and empties it (`wal_checkpoint(TRUNCATE)`).
   * Best effort: answers `false` when another connection's reading or writing kept it from
   * completing (SQLite's next automatic checkpoint does it then).
   */
  checkpoint(): boolean {
    try {
      const result = this.get<{ busy: number }>('pragma wal_checkpoint(TRUNCATE)');
      return result?.busy === 0;
    } catch (error) {
      if (isBusy(error)) return false;
      throw error;
    }
  }

  /** Closes the connection (idempotent). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#db.close();
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  // A lock held by another process past the busy timeout, or a closed database, is
  // ADAPTER_UNAVAILABLE (worth another attempt); other errors pass through for the stores to classify.
  #guard<T>(work: () => T): T {
    if (this.#closed) {
      throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `sqlite: the database '${this.path}' is closed`, {
        details: { adapter: 'sqlite', path: this.path },
      });
    }
    try {
      return work();
    } catch (error) {
      const code = sqliteResultCode(error);
      if (code === SQLITE_BUSY || code === SQLITE_LOCKED) {
        throw new PlatformError(
          ErrorCode.ADAPTER_UNAVAILABLE,
          `sqlite: '${this.path}' stayed locked by another process past the busy timeout`,
          { details: { adapter: 'sqlite', path: this.path, busy: true }, cause: error },
        );
      }
      throw error;
    }
  }
}
