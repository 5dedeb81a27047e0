import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ServiceLifecycle } from '../../kernel/service-definition.js';
import { probeHealth } from '../health-probe.js';
import { checkIncrement, checkKey, checkTtl, jsonText, notANumber } from '../key-value-input.js';
import type { JsonValue, KeyValueStore, KeyValueWriteOptions } from '../ports/key-value-store.js';
import { type SqlDriver, sqlErrorCode } from './driver.js';
import { applyMigrations, loadMigrations } from './migrations.js';

/** Options of {@link SqlKeyValueStore}. */
export interface SqlKeyValueStoreOptions {
  driver: SqlDriver;
  /** Close the driver in `shutdown()`. Default `true`. */
  ownsDriver?: boolean;
  /** Apply the package's `migrations/key-value` in `initialize()`. Default `true`. */
  migrate?: boolean;
  /**
   * Clock in milliseconds. Expiry is stored and compared in this clock (not the server's), so
   * every process should run a synchronized clock, as they do for any TTL. Default `Date.now`.
   */
  now?: () => number;
  /** At most how often a write also deletes a batch of expired rows, in milliseconds. Default 60 s. */
  sweepIntervalMs?: number;
}

/** How many expired rows one sweep deletes at most. */
const SWEEP_BATCH = 1000;
// Postgres refuses \u0000 in jsonb text.
const UNTRANSLATABLE_CHARACTER = '22P05';

const LIVE = '(expires_at is null or expires_at > $3)';
const SWEEP = `delete from platform_key_values where (tenant_id, key) in
  (select tenant_id, key from platform_key_values where expires_at <= $1 limit ${SWEEP_BATCH})`;

/**
 * A {@link KeyValueStore} on any Postgres-compatible database through a {@link SqlDriver}: a real
 * Postgres (shared by every process using it) or PGlite. Each operation is one statement, atomic
 * on its own: `increment` and `compareAndSet` are an `INSERT ... ON CONFLICT DO UPDATE ... WHERE`
 * or an `UPDATE ... WHERE value = expected`, which Postgres re-checks against the latest row
 * version after waiting for a concurrent writer's lock, so of several racing writers exactly
 * one wins. `compareAndSet` compares with jsonb equality; `increment` adds in double precision.
 *
 * Expiry: `expires_at` is milliseconds in this store's clock; a row past it reads as absent. A
 * write deletes a batch of expired rows at most once per `sweepIntervalMs` (through a partial
 * index on `expires_at`), and {@link sweepExpired} does it on demand. The schema is the
 * package's `migrations/key-value/*.sql`, applied in `initialize()`.
 */
export class SqlKeyValueStore implements KeyValueStore, ServiceLifecycle {
  readonly kind: string;
  readonly #db: SqlDriver;
  readonly #ownsDriver: boolean;
  readonly #migrate: boolean;
  readonly #now: () => number;
  readonly #sweepIntervalMs: number;
  #nextSweepAt = 0;

  constructor(options: SqlKeyValueStoreOptions) {
    this.#db = options.driver;
    this.kind = options.driver.kind;
    this.#ownsDriver = options.ownsDriver ?? true;
    this.#migrate = options.migrate ?? true;
    this.#now = options.now ?? Date.now;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
  }

  /**
   * Applies the migrations not applied yet.
   * @throws {PlatformError} `MIGRATION_CHECKSUM_MISMATCH` when an applied migration was edited.
   */
  async initialize(): Promise<void> {
    if (this.#migrate) await applyMigrations(this.#db, loadMigrations('key-value'));
  }

  /** Closes the driver when this store owns it. */
  async shutdown(): Promise<void> {
    if (this.#ownsDriver) await this.#db.close();
  }

  /** Healthy while the database answers a query. */
  health() {
    return probeHealth(() => this.#db.query('select 1'));
  }

  /** Deletes up to 1000 expired entries now; returns how many. */
  async sweepExpired(): Promise<number> {
    return (await this.#db.query(SWEEP, [this.#now()])).rowCount;
  }

  async #sweepIfDue(now: number): Promise<void> {
    if (now < this.#nextSweepAt) return;
    this.#nextSweepAt = now + this.#sweepIntervalMs;
    await this.#db.query(SWEEP, [now]);
  }

  // A jsonb parameter: the value's JSON text, refused like other non-JSON input when Postgres cannot store it.
  async #write<R>(sql: string, params: unknown[], now: number): Promise<{ rows: R[]; rowCount: number }> {
    try {
      const result = await this.#db.query<R>(sql, params);
      await this.#sweepIfDue(now);
      return result;
    } catch (error) {
      if (sqlErrorCode(error) === UNTRANSLATABLE_CHARACTER) {
        throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'value must not contain \\u0000 (Postgres jsonb)', {
          details: { field: 'value' },
          cause: error,
        });
      }
      throw error;
    }
  }

  async get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined> {
    checkKey(tenantId, key);
    const { rows } = await this.#db.query<{ value: string }>(
      `select value::text as value from platform_key_values where tenant_id = $1 and key = $2 and ${LIVE}`,
      [tenantId, key, this.#now()],
    );
    return rows[0] ? (JSON.parse(rows[0].value) as T) : undefined;
  }

  async set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void> {
    checkKey(tenantId, key);
    checkTtl(options);
    const now = this.#now();
    await this.#write(
      `insert into platform_key_values (tenant_id, key, value, expires_at) values ($1, $2, $3::jsonb, $4)
       on conflict (tenant_id, key) do update set value = excluded.value, expires_at = excluded.expires_at`,
      [tenantId, key, jsonText(value), options?.ttlMs === undefined ? null : now + options.ttlMs],
      now,
    );
  }

  async delete(tenantId: string, key: string): Promise<boolean> {
    checkKey(tenantId, key);
    const now = this.#now();
    const { rows } = await this.#write<{ live: boolean }>(
      `delete from platform_key_values where tenant_id = $1 and key = $2 returning ${LIVE} as live`,
      [tenantId, key, now],
      now,
    );
    return rows[0]?.live === true;
  }

  async increment(tenantId: string, key: string, by = 1, options?: KeyValueWriteOptions): Promise<number> {
    checkKey(tenantId, key);
    checkTtl(options);
    checkIncrement(by);
    const now = this.#now();
    // An expired row is replaced as if absent; a row holding something else than a number is
    // left as it is and reported (numeric is false).
    const { rows } = await this.#write<{ value: string; numeric: boolean }>(
      `insert into platform_key_values as kv (tenant_id, key, value, expires_at)
         values ($1, $2, to_jsonb($4::float8), $5)
       on conflict (tenant_id, key) do update set
         value = case
           when kv.expires_at is not null and kv.expires_at <= $3 then excluded.value
           when jsonb_typeof(kv.value) = 'number' then to_jsonb((kv.value::text)::float8 + $4::float8)
           else kv.value end,
         expires_at = case
           when kv.expires_at is not null and kv.expires_at <= $3 then excluded.expires_at
           else kv.expires_at end
       returning value::text as value, jsonb_typeof(value) = 'number' as numeric`,
      [tenantId, key, now, by, options?.ttlMs === undefined ? null : now + options.ttlMs],
      now,
    );
    const row = rows[0];
    if (!row?.numeric) throw notANumber(key);
    return Number(JSON.parse(row.value));
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
    const now = this.#now();
    const params = [tenantId, key, now, jsonText(next), options?.ttlMs === undefined ? null : now + options.ttlMs];
    if (expected === undefined) {
      // Inserted when absent; an existing row is only taken over when it has expired.
      const { rowCount } = await this.#write(
        `insert into platform_key_values as kv (tenant_id, key, value, expires_at) values ($1, $2, $4::jsonb, $5)
         on conflict (tenant_id, key) do update set value = excluded.value, expires_at = excluded.expires_at
           where kv.expires_at is not null and kv.expires_at <= $3`,
        params,
        now,
      );
      return rowCount === 1;
    }
    const { rowCount } = await this.#write(
      `update platform_key_values set value = $4::jsonb, expires_at = $5
       where tenant_id = $1 and key = $2 and ${LIVE} and value = $6::jsonb`,
      [...params, jsonText(expected, 'expected')],
      now,
    );
    return rowCount === 1;
  }
}
