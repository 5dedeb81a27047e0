import { ErrorCode, type SerializedPlatformError, serializeError } from '@platform/foundations';

/**
 * The HTTP status of each stable error code: the one table the front door answers by. A code not
 * listed answers 500. `TENANT_ACCESS_DENIED` answers 404 (and is told as `NOT_FOUND`) so that a
 * caller cannot learn that another tenant's resource exists.
 */
export const PROBLEM_STATUS: Readonly<Record<string, number>> = Object.freeze({
  [ErrorCode.VALIDATION_FAILED]: 400,
  AUTHENTICATION_FAILED: 401,
  PERMISSION_DENIED: 403,
  POLICY_DENIED: 403,
  [ErrorCode.TENANT_ACCESS_DENIED]: 404,
  [ErrorCode.NOT_FOUND]: 404,
  METHOD_NOT_ALLOWED: 405,
  [ErrorCode.CONFLICT]: 409,
  FILE_CHANGED: 409,
  [ErrorCode.FILE_TOO_LARGE]: 413,
  REQUEST_TOO_LARGE: 413,
  [ErrorCode.UNSUPPORTED_FILE_TYPE]: 415,
  UNSUPPORTED_MEDIA_TYPE: 415,
  FILE_QUARANTINED: 422,
  MALFORMED_FILE: 422,
  ENCRYPTED_FILE: 422,
  PARSE_LIMIT_EXCEEDED: 422,
  UPGRADE_REQUIRED: 426,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.CONTRACT_VIOLATION]: 500,
  [ErrorCode.INTERNAL]: 500,
  // A realm reaching for a port it is not granted, a bad configuration or wiring: the server's fault.
  [ErrorCode.REALM_ACCESS_DENIED]: 500,
  [ErrorCode.CONFIG_INVALID]: 500,
  [ErrorCode.SERVICE_WIRING_INVALID]: 500,
  [ErrorCode.SERVICE_UNAVAILABLE]: 503,
  [ErrorCode.ADAPTER_UNAVAILABLE]: 503,
  [ErrorCode.STARTUP_FAILED]: 503,
  [ErrorCode.TIMEOUT]: 504,
});

/** The HTTP status of an error code, by {@link PROBLEM_STATUS}; 500 for a code it does not list. */
export function problemStatus(code: string): number {
  return Object.hasOwn(PROBLEM_STATUS, code) ? (PROBLEM_STATUS[code] as number) : 500;
}

/** The media type of problem details (RFC 9457). */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** An RFC 9457 problem details object, with the platform's stable `code` and the `traceId`. */
export interface ProblemDetails {
  /** A URI naming the problem type: `<problemTypeBase><code in kebab case>`. */
  type: string;
  /** A short, fixed summary of the problem type (`Not found`, `Rate limited`...). */
  title: string;
  /** The HTTP status. */
  status: number;
  /** What went wrong this time; generic for 5xx (internal messages never leave the server). */
  detail: string;
  /** The request path the problem occurred on. */
  instance: string;
  /** The stable platform error code clients match on. */
  code: string;
  /** The trace id of the request: quote it when reporting a problem. */
  traceId: string;
  /** Structured context (which field, which limit); never on 5xx nor 404. */
  details?: Record<string, unknown>;
}

/** How {@link toProblem} words a problem. */
export interface ProblemOptions {
  /** The request path, as `instance`. */
  instance: string;
  /** The request's trace id. */
  traceId: string;
  /** Prefix of `type`. Default `urn:platform:problem:`. */
  typeBase?: string;
}

const GENERIC_DETAIL: Readonly<Record<number, string>> = {
  500: 'The server could not complete the request. Quote the trace id when reporting it.',
  503: 'A service the request needs is unavailable. Retry later; quote the trace id if it persists.',
  504: 'The request took too long to complete. Retry later; quote the trace id if it persists.',
};

function titleOf(code: string): string {
  const words = code.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// What may leave the server in `details`: JSON-safe values, without keys that name internals.
function publicDetails(details: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!details) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (key === 'cause' || key === 'stack' || key === 'userId') continue;
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    out[key] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The problem details of an error (a {@link SerializedPlatformError} or anything thrown): the
 * status from {@link PROBLEM_STATUS}; for 5xx a generic `detail` and no `details` (the code and
 * the trace id stay, so that the server's logs can be searched); for 404 a generic `detail` and
 * another tenant's resource told as `NOT_FOUND`, the same answer as a resource that does not exist.
 */
export function toProblem(error: SerializedPlatformError | unknown, options: ProblemOptions): ProblemDetails {
  const serialized = isSerialized(error) ? error : serializeError(error);
  const status = problemStatus(serialized.code);
  // Another tenant's resource is answered exactly like a missing one: same code, same words.
  const code = serialized.code === ErrorCode.TENANT_ACCESS_DENIED ? ErrorCode.NOT_FOUND : serialized.code;
  let detail: string;
  let details: Record<string, unknown> | undefined;
  if (status >= 500) {
    detail = GENERIC_DETAIL[status] ?? (GENERIC_DETAIL[500] as string);
  } else if (status === 404) {
    detail = 'Nothing was found at this address for the caller.';
  } else {
    detail = serialized.message;
    details = publicDetails(serialized.details);
  }
  const typeBase = options.typeBase ?? 'urn:platform:problem:';
  return {
    type: `${typeBase}${code.toLowerCase().replace(/_/g, '-')}`,
    title: titleOf(code),
    status,
    detail,
    instance: options.instance,
    code,
    traceId: options.traceId,
    ...(details ? { details } : {}),
  };
}

function isSerialized(value: unknown): value is SerializedPlatformError {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as SerializedPlatformError).code === 'string' &&
    typeof (value as SerializedPlatformError).message === 'string'
  );
}

/**
 * A `Response` carrying a problem (`application/problem+json`), with `headers` added: a 401 gets
 * `WWW-Authenticate: Bearer` unless `headers` set one.
 */
export function problemResponse(problem: ProblemDetails, headers: Record<string, string> = {}): Response {
  const out = new Headers(headers);
  out.set('content-type', PROBLEM_MEDIA_TYPE);
  out.set('cache-control', 'no-store');
  out.set('x-content-type-options', 'nosniff');
  if (problem.status === 401 && !out.has('www-authenticate')) out.set('www-authenticate', 'Bearer');
  return new Response(JSON.stringify(problem), { status: problem.status, headers: out });
}
