import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { JsonValue, KeyValueStore, KeyValueWriteOptions } from '../ports/key-value-store.js';
import { assertTenantId } from '../ports/tenancy.js';

interface Entry {
  value: JsonValue;
  expiresAt: number | undefined;
}

/** Options of {@link MemoryKeyValueStore}. */
export interface MemoryKeyValueStoreOptions {
  /** Clock in milliseconds, for tests of expiry. Default `Date.now`. */
  now?: () => number;
}

export function checkKey(tenantId: string, key: string): void {
  assertTenantId(tenantId);
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid key: expected 1-512 characters', {
      details: { field: 'key' },
    });
  }
}

export function checkTtl(options: KeyValueWriteOptions | undefined): void {
  const ttl = options?.ttlMs;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `ttlMs must be a positive whole number, got ${ttl}`, {
      details: { field: 'ttlMs' },
    });
  }
}

/** A {@link KeyValueStore} in process memory, with expiry checked on read. */
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

  async get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined> {
    checkKey(tenantId, key);
    const entry = this.#live(`${tenantId}\u0000${key}`);
    return entry ? (structuredClone(entry.value) as T) : undefined;
  }

  async set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void> {
    checkKey(tenantId, key);
    checkTtl(options);
    const serialized = JSON.stringify(value);
    if (serialized === undefined) {
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'value must be JSON', { details: { field: 'value' } });
    }
    this.#entries.set(`${tenantId}\u0000${key}`, {
      value: JSON.parse(serialized) as JsonValue,
      expiresAt: options?.ttlMs === undefined ? undefined : this.#now() + options.ttlMs,
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
    if (!Number.isFinite(by))
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'by must be a finite number', { details: { field: 'by' } });
    const address = `${tenantId}\u0000${key}`;
    const entry = this.#live(address);
    if (entry && typeof entry.value !== 'number') {
      throw new PlatformError(ErrorCode.CONFLICT, `key '${key}' holds a value that is not a number`, {
        details: { key },
      });
    }
    const value = ((entry?.value as number | undefined) ?? 0) + by;
    const expiresAt = entry ? entry.expiresAt : options?.ttlMs === undefined ? undefined : this.#now() + options.ttlMs;
    this.#entries.set(address, { value, expiresAt });
    return value;
  }
}
