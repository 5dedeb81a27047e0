import { isDeepStrictEqual } from 'node:util';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { JsonValue, KeyValueWriteOptions } from './ports/key-value-store.js';
import { assertTenantId } from './ports/tenancy.js';

// The checks every KeyValueStore adapter makes before touching its backend, so that they all
// refuse the same input with the same error.

/** Throws `VALIDATION_FAILED` unless the tenant id is valid and the key is 1-512 characters. */
export function checkKey(tenantId: string, key: string): void {
  assertTenantId(tenantId);
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid key: expected 1-512 characters', {
      details: { field: 'key' },
    });
  }
}

/** Throws `VALIDATION_FAILED` unless `ttlMs` is absent or a positive whole number. */
export function checkTtl(options: KeyValueWriteOptions | undefined): void {
  const ttl = options?.ttlMs;
  if (ttl !== undefined && !(Number.isSafeInteger(ttl) && ttl > 0)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `ttlMs must be a positive whole number, got ${ttl}`, {
      details: { field: 'ttlMs' },
    });
  }
}

/** Throws `VALIDATION_FAILED` unless `by` is a finite number. */
export function checkIncrement(by: number): void {
  if (typeof by !== 'number' || !Number.isFinite(by)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'by must be a finite number', { details: { field: 'by' } });
  }
}

/**
 * The JSON text of `value`, or `VALIDATION_FAILED` when it is not JSON (a function, `undefined`,
 * a non-finite number, which JSON.stringify would silently turn into `null`).
 */
export function jsonText(value: JsonValue, field = 'value'): string {
  let text: string | undefined;
  try {
    text = hasNonFinite(value) ? undefined : JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `${field} must be JSON`, { details: { field } });
  }
  return text;
}

function hasNonFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((item) => hasNonFinite(item, depth + 1));
}

/** Whether two JSON values are equal (object key order does not matter). */
export function jsonEquals(a: JsonValue, b: JsonValue): boolean {
  return isDeepStrictEqual(a, b);
}

/** The `CONFLICT` of an increment of a value that is not a number. */
export function notANumber(key: string): PlatformError {
  return new PlatformError(ErrorCode.CONFLICT, `key '${key}' holds a value that is not a number`, {
    details: { key },
  });
}
