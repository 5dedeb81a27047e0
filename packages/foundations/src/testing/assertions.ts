import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { PlatformError, type PlatformErrorCode } from '../errors/platform-error.js';

/**
 * Awaits `work` and asserts it rejects with a {@link PlatformError} of `code`; returns the error
 * for further assertions.
 *
 * @example
 * ```ts
 * const error = await expectPlatformError(store.getFile('t1', id), 'NOT_FOUND');
 * ```
 */
export async function expectPlatformError(
  work: Promise<unknown> | (() => unknown),
  code: PlatformErrorCode,
): Promise<PlatformError> {
  let caught: unknown;
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a PlatformError ${code}, but nothing was thrown`).toBeDefined();
  expect(caught, `expected a PlatformError ${code}, got ${String(caught)}`).toBeInstanceOf(PlatformError);
  expect((caught as PlatformError).code, (caught as Error).message).toBe(code);
  return caught as PlatformError;
}

/** A tenant id no other test uses, so suites sharing one store never see each other's data. */
export function uniqueTenant(label = 'tenant'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
