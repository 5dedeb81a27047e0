import { isValidSpanId, isValidTraceId } from './ids.js';

/** The parts of a W3C `traceparent` header. */
export interface TraceParent {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** The caller's span id: 16 lowercase hex characters. */
  parentSpanId: string;
  /** Whether the caller sampled this trace (flag bit 0). */
  sampled: boolean;
  /** The raw trace flags byte. */
  traceFlags: number;
}

/** Why a header or field was refused. Stable strings, safe to log and to match on. */
export type TraceContextRejection =
  | 'oversized'
  | 'malformed'
  | 'unsupported-version'
  | 'invalid-trace-id'
  | 'invalid-span-id'
  | 'ambiguous';

/** Longest header value read at all; longer values are refused before any parsing. */
export const MAX_TRACE_HEADER_LENGTH = 512;

const HEX2 = /^[0-9a-f]{2}$/;

/**
 * Parses a W3C Trace Context `traceparent` value (https://www.w3.org/TR/trace-context/).
 * Strict as the spec asks: lowercase hex only, version `ff` refused, version `00` must be exactly
 * 55 characters, later versions may append `-`-separated fields, which are ignored.
 *
 * @returns the parsed parts, or the reason the value was refused.
 */
export function parseTraceParent(
  value: string,
): { ok: true; value: TraceParent } | { ok: false; reason: TraceContextRejection } {
  if (value.length > MAX_TRACE_HEADER_LENGTH) return { ok: false, reason: 'oversized' };
  const header = value.trim();
  if (header.length < 55) return { ok: false, reason: 'malformed' };
  const version = header.slice(0, 2);
  if (!HEX2.test(version)) return { ok: false, reason: 'malformed' };
  if (version === 'ff') return { ok: false, reason: 'unsupported-version' };
  if (version === '00' && header.length !== 55) return { ok: false, reason: 'malformed' };
  if (header.length > 55 && header[55] !== '-') return { ok: false, reason: 'malformed' };
  if (header[2] !== '-' || header[35] !== '-' || header[52] !== '-') {
    return { ok: false, reason: 'malformed' };
  }
  const traceId = header.slice(3, 35);
  const parentSpanId = header.slice(36, 52);
  const flags = header.slice(53, 55);
  if (!isValidTraceId(traceId)) return { ok: false, reason: 'invalid-trace-id' };
  if (!isValidSpanId(parentSpanId)) return { ok: false, reason: 'invalid-span-id' };
  if (!HEX2.test(flags)) return { ok: false, reason: 'malformed' };
  const traceFlags = Number.parseInt(flags, 16);
  return { ok: true, value: { traceId, parentSpanId, traceFlags, sampled: (traceFlags & 1) === 1 } };
}

/**
 * Formats a version-00 `traceparent` value.
 *
 * @throws {TypeError} when the trace id or span id is not valid: an invalid id is never emitted.
 */
export function formatTraceParent(context: { traceId: string; spanId: string; sampled?: boolean }): string {
  if (!isValidTraceId(context.traceId)) throw new TypeError('formatTraceParent: invalid trace id');
  if (!isValidSpanId(context.spanId)) throw new TypeError('formatTraceParent: invalid span id');
  return `00-${context.traceId}-${context.spanId}-${context.sampled === false ? '00' : '01'}`;
}
