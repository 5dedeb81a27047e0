import { ErrorCode, type Platform, PlatformError, type ServiceRef } from '@platform/foundations';

/**
 * The running role behind `ref`. A role the platform does not run is the host's wiring fault, not
 * the caller's: it answers `SERVICE_UNAVAILABLE` (503), never `NOT_FOUND` (which would read as
 * "no such resource").
 * @throws {PlatformError} `SERVICE_UNAVAILABLE` naming the role.
 */
export function locateRole<T>(platform: Platform, ref: ServiceRef<T>): T {
  try {
    return platform.get(ref);
  } catch (error) {
    if (error instanceof PlatformError && error.code === ErrorCode.SERVICE_UNAVAILABLE) throw error;
    throw new PlatformError(
      ErrorCode.SERVICE_UNAVAILABLE,
      `the front door needs '${ref.id}', which the platform does not run`,
      {
        details: { service: ref.id },
        cause: error,
      },
    );
  }
}

/** The running role behind `ref`, or `undefined` when the platform does not run it. */
export function optionalRole<T>(platform: Platform, ref: ServiceRef<T>): T | undefined {
  try {
    return platform.get(ref);
  } catch {
    return undefined;
  }
}
