import type { z } from 'zod';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';

/** A JSON value as stored in a {@link KeyValueStore}. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options of writes to a {@link KeyValueStore}. */
export interface KeyValueWriteOptions {
  /** Expire the entry this many milliseconds after the write. No expiry when omitted. */
  ttlMs?: number;
}

/**
 * Small JSON values by key, per tenant, with optional expiry: sessions, rate-limit state,
 * counters. Keys are 1-512 characters; tenant ids are checked like every other port's.
 *
 * Every adapter behaves alike (the conformance suite of `@platform/foundations/testing` checks it):
 * - an expired entry reads as absent everywhere (`get`, `delete`, `increment`, `compareAndSet`),
 *   whether or not the adapter has removed it yet;
 * - values are returned as copies: mutating a read value never changes the stored one;
 * - `increment` and `compareAndSet` are atomic against every other writer of the same store,
 *   in this process or another one sharing the backend (SQLite file, Postgres, Redis).
 */
export interface KeyValueStore {
  /** `memory`, `sqlite`, `postgres`, `pglite`, `redis`, ... */
  readonly kind: string;
  /** The live value of `key`, or `undefined` when it is absent or expired. */
  get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined>;
  /** Writes `value`, replacing any entry and its expiry (no expiry unless `ttlMs` is given). */
  set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void>;
  /** `false` when there was no (live) entry. */
  delete(tenantId: string, key: string): Promise<boolean>;
  /**
   * Adds `by` (default 1, any finite number) to a numeric entry (absent or expired counts as 0)
   * atomically and returns the new value. `ttlMs` applies only when the entry is created, so a
   * fixed window does not slide with every hit; a live entry keeps its expiry.
   * @throws {PlatformError} `CONFLICT` when the entry holds something other than a number.
   */
  increment(tenantId: string, key: string, by?: number, options?: KeyValueWriteOptions): Promise<number>;
  /**
   * Writes `next` only if the live entry equals `expected` (JSON equality: object key order does
   * not matter), or, with `expected` `undefined`, only if there is no live entry. Atomic: of
   * several writers racing from the same `expected`, exactly one wins. Like {@link set}, a
   * successful write replaces the expiry (no expiry unless `ttlMs` is given).
   * @returns whether `next` was written.
   */
  compareAndSet(
    tenantId: string,
    key: string,
    expected: JsonValue | undefined,
    next: JsonValue,
    options?: KeyValueWriteOptions,
  ): Promise<boolean>;
}

/**
 * A {@link KeyValueStore} seen through one namespace, with values of one type: what a module
 * keeps (sessions, limiter state) without colliding with another module's keys.
 */
export interface KeyValueNamespace<T extends JsonValue = JsonValue> {
  /** The namespace; its keys are stored as `<name>:<key>`. */
  readonly name: string;
  /**
   * The live value, checked against the schema.
   * @throws {PlatformError} `CONTRACT_VIOLATION` when the stored value does not match the schema.
   */
  get(tenantId: string, key: string): Promise<T | undefined>;
  /**
   * Writes a value after checking it against the schema.
   * @throws {PlatformError} `VALIDATION_FAILED` when `value` does not match the schema.
   */
  set(tenantId: string, key: string, value: T, options?: KeyValueWriteOptions): Promise<void>;
  /** `false` when there was no (live) entry. */
  delete(tenantId: string, key: string): Promise<boolean>;
  /**
   * {@link KeyValueStore.increment} in the namespace; the new value is checked like a read.
   * @throws {PlatformError} `CONTRACT_VIOLATION` when the schema refuses the new number.
   */
  increment(tenantId: string, key: string, by?: number, options?: KeyValueWriteOptions): Promise<number>;
  /**
   * {@link KeyValueStore.compareAndSet} in the namespace; `next` is checked against the schema.
   * @throws {PlatformError} `VALIDATION_FAILED` when `next` does not match the schema.
   */
  compareAndSet(
    tenantId: string,
    key: string,
    expected: T | undefined,
    next: T,
    options?: KeyValueWriteOptions,
  ): Promise<boolean>;
}

const NAMESPACE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

// Where a value failed its schema, never the value itself: it may be a secret.
function issuesOf(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

/**
 * A namespace of `store` (keys stored as `<name>:<key>`), with values checked by `schema` when
 * given (a zod schema whose output is JSON). Writes are checked before they reach the store;
 * a stored value that no longer matches (written by an older version, or by hand) is an error
 * on read, never returned unchecked.
 *
 * @example
 * ```ts
 * const sessions = keyValueNamespace(store, 'session', z.object({ userId: z.string() }));
 * await sessions.set('acme', id, { userId: 'ada' }, { ttlMs: 60_000 });
 * ```
 * @throws {PlatformError} `VALIDATION_FAILED` when `name` is not 1-64 letters, digits, `_`, `.` or `-`.
 */
export function keyValueNamespace<T extends JsonValue = JsonValue>(
  store: KeyValueStore,
  name: string,
  schema?: z.ZodType<T>,
): KeyValueNamespace<T> {
  if (typeof name !== 'string' || !NAMESPACE_NAME.test(name)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid namespace: expected 1-64 letters, digits, _ . -', {
      details: { field: 'name' },
    });
  }
  const address = (key: string) => `${name}:${key}`;
  const checkWrite = (key: string, value: unknown): T => {
    if (!schema) return value as T;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `value for '${name}:${key}' does not match its schema`, {
      details: { namespace: name, key, issues: issuesOf(parsed.error) },
    });
  };
  const checkRead = <V>(key: string, value: V): V => {
    if (!schema || value === undefined) return value;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as unknown as V;
    throw new PlatformError(
      ErrorCode.CONTRACT_VIOLATION,
      `the stored value of '${name}:${key}' does not match its schema`,
      { details: { namespace: name, key, issues: issuesOf(parsed.error) } },
    );
  };
  return {
    name,
    get: async (tenantId, key) => checkRead(key, await store.get<T>(tenantId, address(key))),
    set: async (tenantId, key, value, options) => store.set(tenantId, address(key), checkWrite(key, value), options),
    delete: async (tenantId, key) => store.delete(tenantId, address(key)),
    increment: async (tenantId, key, by, options) =>
      checkRead(key, await store.increment(tenantId, address(key), by, options)),
    compareAndSet: async (tenantId, key, expected, next, options) =>
      store.compareAndSet(tenantId, address(key), expected, checkWrite(key, next), options),
  };
}
