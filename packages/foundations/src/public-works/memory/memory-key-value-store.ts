import { checkIncrement, checkKey, checkTtl, jsonEquals, jsonText, notANumber } from '../key-value-input.js';
import type { JsonValue, KeyValueStore, KeyValueWriteOptions } from '../ports/key-value-store.js';

interface Entry {
  value: JsonValue;
  expiresAt: number | undefined;
}

/** Options of {@link MemoryKeyValueStore}. */
export interface MemoryKeyValueStoreOptions {
  /** Clock in milliseconds, for tests of expiry. Default `Date.now`. */
  now?: () => number;
}

/**
 * A {@link KeyValueStore} in process memory: one process only (use the SQLite, SQL or Redis
 * adapter to share state between processes). Expiry is checked on read; an expired entry is
 * removed when it is next touched. Every method runs synchronously to its end, so `increment`
 * and `compareAndSet` are atomic within the process.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly kind = 'memory';
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(options: MemoryKeyValueStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  #live(address: string): Entry | undefined {
    const entry = this.#entries.get(address);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.#now()) {
      this.#entries.delete(address);
      return undefined;
    }
    return entry;
  }

  #expiry(options: KeyValueWriteOptions | undefined): number | undefined {
    return options?.ttlMs === undefined ? undefined : this.#now() + options.ttlMs;
  }

  async get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined> {
    checkKey(tenantId, key);
    const entry = this.#live(`${tenantId}\u0000${key}`);
    return entry ? (structuredClone(entry.value) as T) : undefined;
  }

  async set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void> {
    checkKey(tenantId, key);
    checkTtl(options);
    this.#entries.set(`${tenantId}\u0000${key}`, {
      value: JSON.parse(jsonText(value)) as JsonValue,
      expiresAt: this.#expiry(options),
    });
  }

  async delete(tenantId: string, key: string): Promise<boolean> {
    checkKey(tenantId, key);
    const address = `${tenantId}\u0000${key}`;
    return this.#live(address) !== undefined && this.#entries.delete(address);
  }

  async increment(tenantId: string, key: string, by = 1, options?: KeyValueWriteOptions): Promise<number> {
    checkKey(tenantId, key);
    checkTtl(options);
    checkIncrement(by);
    const address = `${tenantId}\u0000${key}`;
    const entry = this.#live(address);
    if (entry && typeof entry.value !== 'number') throw notANumber(key);
    const value = ((entry?.value as number | undefined) ?? 0) + by;
    this.#entries.set(address, { value, expiresAt: entry ? entry.expiresAt : this.#expiry(options) });
    return value;
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
    const stored = JSON.parse(jsonText(next)) as JsonValue;
    const wanted = expected === undefined ? undefined : (JSON.parse(jsonText(expected, 'expected')) as JsonValue);
    const address = `${tenantId}\u0000${key}`;
    const entry = this.#live(address);
    const matches =
      entry === undefined ? wanted === undefined : wanted !== undefined && jsonEquals(entry.value, wanted);
    if (!matches) return false;
    this.#entries.set(address, { value: stored, expiresAt: this.#expiry(options) });
    return true;
  }
}
