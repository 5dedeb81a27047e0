import { currentTraceId } from '@platform/observability';

/**
 * Stable error codes of the platform. Hosts and clients match on these, never on messages.
 * Packages add their own codes as plain upper-case strings; these are the shared ones.
 */
export const ErrorCode = Object.freeze({
  /** Input did not match its schema or rules. */
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  /** A handoff between phases or services broke its declared contract. */
  CONTRACT_VIOLATION: 'CONTRACT_VIOLATION',
  /** A caller tried to reach another tenant's data. */
  TENANT_ACCESS_DENIED: 'TENANT_ACCESS_DENIED',
  /** A realm tried to use a port or service its access table does not grant. */
  REALM_ACCESS_DENIED: 'REALM_ACCESS_DENIED',
  NOT_FOUND: 'NOT_FOUND',
  /** Something with the same identity exists already. */
  CONFLICT: 'CONFLICT',
  /** A backend (database, bucket, queue) cannot be reached or refused the adapter. */
  ADAPTER_UNAVAILABLE: 'ADAPTER_UNAVAILABLE',
  UNSUPPORTED_FILE_TYPE: 'UNSUPPORTED_FILE_TYPE',
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** The platform configuration is invalid; `details.issues` lists every problem. */
  CONFIG_INVALID: 'CONFIG_INVALID',
  /** Services are wired wrongly: a cycle, a missing dependency, a dependency on a higher tier. */
  SERVICE_WIRING_INVALID: 'SERVICE_WIRING_INVALID',
  /** A required service failed to start; the platform did not start. */
  STARTUP_FAILED: 'STARTUP_FAILED',
  /** A lifecycle hook did not finish within its time limit. */
  TIMEOUT: 'TIMEOUT',
  /** A service was asked for that is not running (not started, failed, or stopped). */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** A bug or an unexpected failure: the message says what, the cause says why. */
  INTERNAL: 'INTERNAL',
} as const);

/** One of the shared {@link ErrorCode}s, or a package's own upper-case code. */
export type PlatformErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode] | (string & {});

/** A {@link PlatformError} as JSON: what result envelopes and HTTP answers carry. */
export interface SerializedPlatformError {
  name: string;
  code: PlatformErrorCode;
  message: string;
  details?: Record<string, unknown>;
  traceId?: string;
}

/** Options of a {@link PlatformError}. */
export interface PlatformErrorOptions {
  /** Structured, JSON-safe context: which field, which limit, which service. */
  details?: Record<string, unknown>;
  /** The error this one wraps. */
  cause?: unknown;
  /** Defaults to the active trace id. */
  traceId?: string;
}

/**
 * The base of every error the SDK throws on purpose: a stable `code`, a human `message`,
 * structured `details` and the `traceId` of the operation that failed.
 *
 * @example
 * ```ts
 * throw new PlatformError('FILE_TOO_LARGE', 'file is 2.1 GB; the limit is 1 GB', {
 *   details: { sizeBytes: 2_100_000_000, limitBytes: 1_000_000_000 },
 * });
 * ```
 */
export class PlatformError extends Error {
  readonly code: PlatformErrorCode;
  readonly details: Record<string, unknown>;
  readonly traceId: string | undefined;

  constructor(code: PlatformErrorCode, message: string, options: PlatformErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
    this.traceId = options.traceId ?? currentTraceId();
  }

  /** True when `error` is a PlatformError, and has `code` when one is given. */
  static is(error: unknown, code?: PlatformErrorCode): error is PlatformError {
    return error instanceof PlatformError && (code === undefined || error.code === code);
  }

  toJSON(): SerializedPlatformError {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
      ...(this.traceId ? { traceId: this.traceId } : {}),
    };
  }
}

/**
 * Serializes any thrown value for a result envelope: a PlatformError as itself, anything else as
 * `INTERNAL` with its message (the original is not exposed beyond its name and message).
 */
export function serializeError(error: unknown): SerializedPlatformError {
  if (error instanceof PlatformError) return error.toJSON();
  const traceId = currentTraceId();
  const code = (error as { code?: unknown } | null)?.code;
  return {
    name: error instanceof Error ? error.name : 'NonErrorThrown',
    code: typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? code : ErrorCode.INTERNAL,
    message: error instanceof Error ? error.message : String(error),
    ...(traceId ? { traceId } : {}),
  };
}
