import { generateSpanId, generateTraceId, isValidSpanId, normalizeTraceId } from './ids.js';
import {
  formatTraceParent,
  MAX_TRACE_HEADER_LENGTH,
  parseTraceParent,
  type TraceContextRejection,
} from './traceparent.js';

/** The W3C Trace Context header. */
export const TRACEPARENT_HEADER = 'traceparent';
/** The plain trace id header many gateways and the original platform use. */
export const TRACE_ID_HEADER = 'x-trace-id';

/** A header value as Node, fetch and most frameworks hand it over. */
export type HeaderValue = string | readonly string[] | number | null | undefined;

/** Headers with a `get` method, such as the fetch API's `Headers`. */
export interface HeaderGetter {
  get(name: string): string | null | undefined;
}

/** Anything headers can be read from: a fetch `Headers`, or a plain record (any key case). */
export type ReadableHeaders = HeaderGetter | Readonly<Record<string, HeaderValue>>;

/**
 * A request-like object a trace id can be read from: an HTTP request (Node, fetch, Express,
 * Fastify), a queue message, or a plain payload with a `traceId` / `trace_id` field.
 */
export interface TraceCarrier {
  headers?: ReadableHeaders | null | undefined;
  traceId?: unknown;
  trace_id?: unknown;
}

/** Where an extracted trace id came from; `generated` when no source held a valid one. */
export type TraceIdSource = 'traceparent' | 'x-trace-id' | 'traceId' | 'trace_id' | 'generated';

/** The outcome of {@link extractTraceContext}. */
export interface ExtractedTraceContext {
  /** Always a valid trace id: the carrier's, or a fresh one. */
  traceId: string;
  source: TraceIdSource;
  /** The caller's span id, when it came from a valid `traceparent`. */
  parentSpanId?: string;
  /** The caller's sampling decision, when it came from a valid `traceparent`. */
  sampled?: boolean;
  /** Sources that were present but refused, in the order they were read. */
  rejected: Array<{ source: Exclude<TraceIdSource, 'generated'>; reason: TraceContextRejection }>;
}

function isHeaderGetter(headers: ReadableHeaders): headers is HeaderGetter {
  return typeof (headers as HeaderGetter).get === 'function';
}

function readHeader(
  headers: ReadableHeaders,
  name: string,
): { value: string } | { reason: TraceContextRejection } | undefined {
  let raw: HeaderValue;
  if (isHeaderGetter(headers)) {
    raw = headers.get(name);
  } else {
    raw = Object.hasOwn(headers, name) ? headers[name] : findCaseInsensitive(headers, name);
  }
  if (raw === undefined || raw === null) return undefined;
  if (Array.isArray(raw)) {
    // Two values for one trace header cannot both be trusted: refuse rather than pick one.
    if (raw.length !== 1) return raw.length === 0 ? undefined : { reason: 'ambiguous' };
    raw = raw[0];
  }
  if (typeof raw !== 'string') return { reason: 'malformed' };
  if (raw.length > MAX_TRACE_HEADER_LENGTH) return { reason: 'oversized' };
  return { value: raw };
}

function findCaseInsensitive(headers: Readonly<Record<string, HeaderValue>>, name: string): HeaderValue {
  for (const key of Object.keys(headers)) {
    if (key.length === name.length && key.toLowerCase() === name) return headers[key];
  }
  return undefined;
}

function readField(value: unknown): { value: string } | { reason: TraceContextRejection } {
  if (typeof value !== 'string') return { reason: 'malformed' };
  if (value.length > MAX_TRACE_HEADER_LENGTH) return { reason: 'oversized' };
  return { value };
}

/**
 * Reads the trace context of an incoming request-like object. Sources are tried in this order,
 * and the first valid one wins: the `traceparent` header, the `X-Trace-ID` header, a `traceId`
 * field, a `trace_id` field. A value that is present but invalid or hostile (wrong length,
 * non-hex, all zeros, oversized, several values) is refused and listed in `rejected`; it is never
 * propagated. When nothing valid is found a fresh trace id is generated.
 *
 * @example
 * ```ts
 * const { traceId, source } = extractTraceContext(req); // Node, fetch or Express request
 * ```
 */
export function extractTraceContext(carrier: TraceCarrier | null | undefined): ExtractedTraceContext {
  const rejected: ExtractedTraceContext['rejected'] = [];
  const headers = carrier?.headers ?? undefined;

  if (headers) {
    const traceparent = readHeader(headers, TRACEPARENT_HEADER);
    if (traceparent && 'value' in traceparent) {
      const parsed = parseTraceParent(traceparent.value);
      if (parsed.ok) {
        const { traceId, parentSpanId, sampled } = parsed.value;
        return { traceId, source: 'traceparent', parentSpanId, sampled, rejected };
      }
      rejected.push({ source: 'traceparent', reason: parsed.reason });
    } else if (traceparent) {
      rejected.push({ source: 'traceparent', reason: traceparent.reason });
    }

    const plain = readHeader(headers, TRACE_ID_HEADER);
    if (plain) {
      const traceId = 'value' in plain ? normalizeTraceId(plain.value) : undefined;
      if (traceId) return { traceId, source: 'x-trace-id', rejected };
      rejected.push({ source: 'x-trace-id', reason: 'reason' in plain ? plain.reason : 'invalid-trace-id' });
    }
  }

  for (const field of ['traceId', 'trace_id'] as const) {
    const raw = carrier?.[field];
    if (raw === undefined || raw === null) continue;
    const read = readField(raw);
    const traceId = 'value' in read ? normalizeTraceId(read.value) : undefined;
    if (traceId) return { traceId, source: field, rejected };
    rejected.push({ source: field, reason: 'reason' in read ? read.reason : 'invalid-trace-id' });
  }

  return { traceId: generateTraceId(), source: 'generated', rejected };
}

/** Shorthand for `extractTraceContext(carrier).traceId`: always a valid trace id. */
export function extractTraceId(carrier: TraceCarrier | null | undefined): string {
  return extractTraceContext(carrier).traceId;
}

/** Headers that can be written: a plain record, a fetch `Headers`, or a Node `ServerResponse`. */
export type WritableHeaders =
  | Record<string, HeaderValue>
  | { set(name: string, value: string): unknown }
  | { setHeader(name: string, value: string): unknown };

/** What {@link injectTraceHeaders} writes. */
export interface InjectableTraceContext {
  traceId: string;
  /** The span the receiver should treat as its parent; a fresh id when omitted. */
  spanId?: string | undefined;
  sampled?: boolean | undefined;
}

/**
 * Writes `traceparent` and `X-Trace-ID` into outgoing headers (a request to another service, or
 * a response back to the caller) and returns the same headers object.
 *
 * @throws {TypeError} when `traceId` or `spanId` is invalid: nothing invalid is ever written.
 */
export function injectTraceHeaders<H extends WritableHeaders>(headers: H, context: InjectableTraceContext): H {
  const spanId = context.spanId ?? generateSpanId();
  if (!isValidSpanId(spanId)) throw new TypeError('injectTraceHeaders: invalid span id');
  const traceparent = formatTraceParent({
    traceId: context.traceId,
    spanId,
    ...(context.sampled === undefined ? {} : { sampled: context.sampled }),
  });
  write(headers, TRACEPARENT_HEADER, traceparent);
  write(headers, TRACE_ID_HEADER, context.traceId);
  return headers;
}

function write(headers: WritableHeaders, name: string, value: string): void {
  if ('setHeader' in headers && typeof headers.setHeader === 'function') headers.setHeader(name, value);
  else if ('set' in headers && typeof headers.set === 'function') headers.set(name, value);
  else (headers as Record<string, HeaderValue>)[name] = value;
}
