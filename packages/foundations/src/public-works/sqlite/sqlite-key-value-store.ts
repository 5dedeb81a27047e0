import type { ServiceLifecycle } from '../../kernel/service-definition.js';
import { probeHealth } from '../health-probe.js';
import { checkIncrement, checkKey, checkTtl, jsonEquals, jsonText, notANumber } from '../key-value-input.js';
import type { JsonValue, KeyValueStore, KeyValueWriteOptions } from '../ports/key-value-store.js';
import { loadMigrations } from '../sql/migrations.js';
import type { SqliteDatabase } from './sqlite-database.js';

/** Options of {@link SqliteKeyValueStore}. */
export interface SqliteKeyValueStoreOptions {
  /** The connection, from {@link SqliteDatabase.open}. */
  database: SqliteDatabase;
  /** Close the database in `shutdown()`. Default `true`; `false` when other stores share the file. */
  ownsDatabase?: boolean;
  /** Apply the package's `migrations/sqlite-key-value` in `initialize()`. Default `true`. */
  migrate?: boolean;
  /** Clock in milliseconds (expiry is stored and compared in this clock). Default `Date.now`. */
  now?: () => number;
  /**
   * At most how often a write also deletes expired rows (up to {@link SWEEP_BATCH} of them), in
   * milliseconds. Default 60 s. Expired rows read as absent whether or not they were deleted.
   */
  sweepIntervalMs?: number;
}

/** How many expired rows one sweep deletes at most, so that a sweep never holds the lock long. */
export const SWEEP_BATCH = 1000;

const LIVE = '(expires_at is null or expires_at > ?)';
const SELECT = `select value, expires_at from platform_key_values where tenant_id = ? and key = ? and ${LIVE}`;
const UPSERT = `insert into platform_key_values (tenant_id, key, value, expires_at) values (?, ?, ?, ?)
  on conflict (tenant_id, key) do update set value = excluded.value, expires_at = excluded.expires_at`;
const SWEEP = `delete from platform_key_values where (tenant_id, key) in
  (select tenant_id, key from platform_key_values where expires_at <= ? limit ${SWEEP_BATCH})`;

/**
 * A {@link KeyValueStore} in an SQLite file through `node:sqlite`: the embedded default, shared by
 * every process that opens the same file. Each write (`set`, `delete`, `increment`,
 * `compareAndSet`) runs as one `BEGIN IMMEDIATE` transaction through {@link SqliteDatabase.write},
 * so a read-then-write is serialized against every other process's writes; reads need no lock
 * (WAL).
 *
 * Expiry: `expires_at` is milliseconds in this store's clock, and a row past it reads as absent.
 * Expired rows are deleted by a sweep that runs inside a write at most once per
 * `sweepIntervalMs` (a batch of {@link SWEEP_BATCH} through an index on `expires_at`), or
 * by calling {@link sweepExpired}.
 */
export class SqliteKeyValueStore implements KeyValueStore, ServiceLifecycle {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;
  readonly #ownsDatabase: boolean;
  readonly #migrate: boolean;
  readonly #now: () => number;
  readonly #sweepIntervalMs: number;
  #nextSweepAt = 0;

  constructor(options: SqliteKeyValueStoreOptions) {
    this.#db = options.database;
    this.#ownsDatabase = options.ownsDatabase ?? true;
    this.#migrate = options.migrate ?? true;
    this.#now = options.now ?? Date.now;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  }

  /**
   * Applies the migrations not applied yet.
   * @throws {PlatformError} `MIGRATION_CHECKSUM_MISMATCH` when an applied migration was edited.
   */
  async initialize(): Promise<void> {
    if (this.#migrate) await this.#db.applyMigrations(loadMigrations('sqlite-key-value'));
  }

  /** Closes the database when this store owns it; every later call is `ADAPTER_UNAVAILABLE`. */
  async shutdown(): Promise<void> {
    if (this.#ownsDatabase) this.#db.close();
  }

  /** Healthy while the database answers a query. */
  health() {
    return probeHealth(async () => this.#db.get('select 1'));
  }

  /** Deletes up to {@link SWEEP_BATCH} expired entries now; returns how many. */
  async sweepExpired(): Promise<number> {
    const now = this.#now();
    return this.#db.write(() => this.#db.run(SWEEP, now));
  }

  // Runs a write transaction, sweeping expired rows first when a sweep is due.
  #write<T>(work: (now: number) => T): Promise<T> {
    return this.#db.write(() => {
      const now = this.#now();
      if (now >= this.#nextSweepAt) {
        this.#nextSweepAt = now + this.#sweepIntervalMs;
        this.#db.run(SWEEP, now);
      }
      return work(now);
    });
  }

  #row(tenantId: string, key: string, now: number): { value: string; expires_at: number | null } | undefined {
    return this.#db.get(SELECT, tenantId, key, now);
  }

  async get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined> {
    checkKey(tenantId, key);
    const row = this.#row(tenantId, key, this.#now());
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void> {
    checkKey(tenantId, key);
    checkTtl(options);
    const text = jsonText(value);
    await this.#write((now) => {
      this.#db.run(UPSERT, tenantId, key, text, options?.ttlMs === undefined ? null : now + options.ttlMs);
    });
  }

  async delete(tenantId: string, key: string): Promise<boolean> {
    checkKey(tenantId, key);
    return this.#write((now) => {
      const live = this.#row(tenantId, key, now) !== undefined;
      this.#db.run('delete from platform_key_values where tenant_id = ? and key = ?', tenantId, key);
      return live;
    });
  }

  async increment(tenantId: string, key: string, by = 1, options?: KeyValueWriteOptions): Promise<number> {
    checkKey(tenantId, key);
    checkTtl(options);
    checkIncrement(by);
    return this.#write((now) => {
      const row = this.#row(tenantId, key, now);
      const current = row ? (JSON.parse(row.value) as JsonValue) : 0;
      if (typeof current !== 'number') throw notANumber(key);
      const value = current + by;
      const expiresAt = row ? row.expires_at : options?.ttlMs === undefined ? null : now + options.ttlMs;
      this.#db.run(UPSERT, tenantId, key, JSON.stringify(value), expiresAt);
      return value;
    });
  }

  async compareAndSet(
    tenantId: string,
    key: string,
    expected: JsonValue | undefined,
    next: JsonValue,
    options?: KeyValueWriteOptions,
  ): Promise<boolean> {
    checkKey(tenantId, key);
    checkTtl(options);
    const text = jsonText(next);
    const wanted = expected === undefined ? undefined : (JSON.parse(jsonText(expected, 'expected')) as JsonValue);
    return this.#write((now) => {
      const row = this.#row(tenantId, key, now);
      const matches =
        row === undefined
          ? wanted === undefined
          : wanted !== undefined && jsonEquals(JSON.parse(row.value) as JsonValue, wanted);
      if (!matches) return false;
      this.#db.run(UPSERT, tenantId, key, text, options?.ttlMs === undefined ? null : now + options.ttlMs);
      return true;
    });
  }
}
