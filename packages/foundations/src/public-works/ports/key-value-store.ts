/** A JSON value as stored in a {@link KeyValueStore}. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Options of writes to a {@link KeyValueStore}. */
export interface KeyValueWriteOptions {
  /** Expire the entry this many milliseconds after the write. No expiry when omitted. */
  ttlMs?: number;
}

/**
 * Small JSON values by key, per tenant, with optional expiry: sessions, rate-limit counters.
 * An expired entry reads as absent.
 */
export interface KeyValueStore {
  readonly kind: string;
  get<T extends JsonValue = JsonValue>(tenantId: string, key: string): Promise<T | undefined>;
  set(tenantId: string, key: string, value: JsonValue, options?: KeyValueWriteOptions): Promise<void>;
  /** `false` when there was no (live) entry. */
  delete(tenantId: string, key: string): Promise<boolean>;
  /**
   * Adds `by` to a numeric entry (absent or expired counts as 0) atomically and returns the new
   * value. `ttlMs` applies only when the entry is created, so a window does not slide.
   */
  increment(tenantId: string, key: string, by?: number, options?: KeyValueWriteOptions): Promise<number>;
}
