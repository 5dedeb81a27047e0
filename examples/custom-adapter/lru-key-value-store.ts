import { type JsonValue, type KeyValueStore, type KeyValueWriteOptions, keyValueInput } from '@platform/foundations';

interface Entry {
  value: JsonValue;
  expiresAt: number | undefined;
}

/** Options of {@link LruKeyValueStore}. */
export interface LruKeyValueStoreOptions {
  /** Entries kept, all tenants together; the least recently used go first. */
  maxEntries: number;
  /** Clock in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/**
 * A key-value store bounded in size: at most `maxEntries` entries in this process's memory, the
 * least recently used evicted first. For caches whose loss costs a recomputation, never for
 * sessions or limits shared by processes. The input checks are foundations' own
 * (`keyValueInput`), so it refuses what every adapter refuses, with the same errors.
 */
export class LruKeyValueStore implements KeyValueStore {
  readonly kind = 'lru';
  // A Map iterates in insertion order: re-inserting an entry on use keeps the least recent first.
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: LruKeyValueStoreOptions) {
    if (!Number.isSafeInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive whole number, got ${options.maxEntries}`);
    }
    this.#max = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /** Entries held now (expired ones included until touched). */
  get size(): number {
    return this.#entries.size;
  }

  #use(address: string): Entry | undefined {
    const entry = this.#entries.get(address);
    if (!entry) return undefined;
    this.#entries.delete(address);
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.#now()) return undefined;
    this.#entries.set(address, entry);
    return entry;
  }

  #put(address: string, entry: Entry): void {
    this.#entries.delete(address);
    this.#entries.set(address, entry);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  #expiry(options: KeyValueWriteOptions | undefined): number | undefined {
    return options?.ttlMs === undefined ? undefined : this.#now() + options.ttlMs;
  }

  async get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined> {
    keyValueInput.checkKey(tenantId, key);
    const entry = this.#use(`${tenantId}\u0000${key}`);
    return entry ? (structuredClone(entry.value) as T) : undefined;
  }

  async set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void> {
    keyValueInput.checkKey(tenantId, key);
    keyValueInput.checkTtl(options);
    const copy = JSON.parse(keyValueInput.jsonText(value)) as JsonValue;
    this.#put(`${tenantId}\u0000${key}`, { value: copy, expiresAt: this.#expiry(options) });
  }

  async delete(tenantId: string, key: string): Promise<boolean> {
    keyValueInput.checkKey(tenantId, key);
    const address = `${tenantId}\u0000${key}`;
    return this.#use(address) !== undefined && this.#entries.delete(address);
  }

  async increment(tenantId: string, key: string, by = 1, options?: KeyValueWriteOptions): Promise<number> {
    keyValueInput.checkKey(tenantId, key);
    keyValueInput.checkTtl(options);
    keyValueInput.checkIncrement(by);
    const address = `${tenantId}\u0000${key}`;
    const entry = this.#use(address);
    if (entry && typeof entry.value !== 'number') throw keyValueInput.notANumber(key);
    const value = ((entry?.value as number | undefined) ?? 0) + by;
    this.#put(address, { value, expiresAt: entry ? entry.expiresAt : this.#expiry(options) });
    return value;
  }

  async compareAndSet(
    tenantId: string,
    key: string,
    expected: JsonValue | undefined,
    next: JsonValue,
    options?: KeyValueWriteOptions,
  ): Promise<boolean> {
    keyValueInput.checkKey(tenantId, key);
    keyValueInput.checkTtl(options);
    const copy = JSON.parse(keyValueInput.jsonText(next)) as JsonValue;
    if (expected !== undefined) keyValueInput.jsonText(expected, 'expected');
    const address = `${tenantId}\u0000${key}`;
    const entry = this.#use(address);
    const matches =
      expected === undefined
        ? entry === undefined
        : entry !== undefined && keyValueInput.jsonEquals(entry.value, expected);
    if (!matches) return false;
    this.#put(address, { value: copy, expiresAt: this.#expiry(options) });
    return true;
  }
}
