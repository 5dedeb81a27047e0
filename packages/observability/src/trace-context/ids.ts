import { randomFillSync } from 'node:crypto';

const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;
const SPAN_ID_PATTERN = /^[0-9a-f]{16}$/;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

// Random bytes are drawn in blocks: one syscall per 256 ids instead of one per id.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

function randomHex(byteLength: number): string {
  if (poolOffset + byteLength > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + byteLength);
  poolOffset += byteLength;
  return hex;
}

/**
 * Generates a W3C Trace Context trace id: 32 lowercase hex characters, never all zeros.
 *
 * @example
 * ```ts
 * generateTraceId(); // '4bf92f3577b34da6a3ce929d0e0e4736'
 * ```
 */
export function generateTraceId(): string {
  let id = randomHex(16);
  while (id === INVALID_TRACE_ID) id = randomHex(16);
  return id;
}

/** Generates a W3C Trace Context span (parent) id: 16 lowercase hex characters, never all zeros. */
export function generateSpanId(): string {
  let id = randomHex(8);
  while (id === INVALID_SPAN_ID) id = randomHex(8);
  return id;
}

/**
 * True when `value` is a valid W3C trace id: exactly 32 lowercase hex characters, not all zeros.
 * Uppercase is not accepted here; {@link normalizeTraceId} lower-cases lenient inputs first.
 */
export function isValidTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID_PATTERN.test(value) && value !== INVALID_TRACE_ID;
}

/** True when `value` is a valid W3C span id: exactly 16 lowercase hex characters, not all zeros. */
export function isValidSpanId(value: unknown): value is string {
  return typeof value === 'string' && SPAN_ID_PATTERN.test(value) && value !== INVALID_SPAN_ID;
}

/**
 * Returns the canonical (lowercase) form of a trace id given in a lenient source such as an
 * `X-Trace-ID` header, or `undefined` when it is not a valid trace id in any case.
 * Surrounding whitespace is ignored; anything else (dashes, prefixes, wrong length) is refused.
 */
export function normalizeTraceId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const candidate = value.trim().toLowerCase();
  return isValidTraceId(candidate) ? candidate : undefined;
}
