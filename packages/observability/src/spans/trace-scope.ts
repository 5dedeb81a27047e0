import { AsyncLocalStorage } from 'node:async_hooks';
import { context, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { generateSpanId, isValidSpanId, isValidTraceId } from '../trace-context/ids.js';

interface TraceScope {
  readonly traceId: string;
}

// The OpenTelemetry API propagates context only when the host has registered a context manager
// (it comes with an SDK). The platform's trace id must survive without one, so it is also kept
// in an AsyncLocalStorage of our own. It lives on globalThis so that the ESM and CJS builds,
// or two copies of this package, share one store.
const STORE_KEY = Symbol.for('@platform/observability:trace-scope:v1');
const globalStore = globalThis as { [STORE_KEY]?: AsyncLocalStorage<TraceScope> };
const storage: AsyncLocalStorage<TraceScope> = globalStore[STORE_KEY] ?? new AsyncLocalStorage<TraceScope>();
globalStore[STORE_KEY] = storage;

/** A trace to run code under; typically what `extractTraceContext` returned. */
export interface TraceScopeInput {
  traceId: string;
  /** The caller's span id (from `traceparent`); spans created inside become its children. */
  parentSpanId?: string | undefined;
  /** The caller's sampling decision; unknown means sampled. */
  sampled?: boolean | undefined;
}

/**
 * Runs `fn` under the given trace: spans created inside carry this trace id (as children of the
 * caller's span when `parentSpanId` is known), and {@link currentTraceId} returns it, with or
 * without an OpenTelemetry SDK registered. Returns what `fn` returns (a promise stays a promise).
 *
 * @throws {TypeError} when the trace id or parent span id is not valid; validate untrusted input
 * with `extractTraceContext` first.
 *
 * @example
 * ```ts
 * const incoming = extractTraceContext(req);
 * await runWithTraceContext(incoming, () => handle(req));
 * ```
 */
export function runWithTraceContext<T>(scope: TraceScopeInput, fn: () => T): T {
  if (!isValidTraceId(scope.traceId)) throw new TypeError('runWithTraceContext: invalid trace id');
  if (scope.parentSpanId !== undefined && !isValidSpanId(scope.parentSpanId)) {
    throw new TypeError('runWithTraceContext: invalid parent span id');
  }
  // Without a known parent, spans inside hang under a remote parent id of our making: the only
  // way the OpenTelemetry API offers to start spans in a trace id chosen by the caller.
  const parent: SpanContext = {
    traceId: scope.traceId,
    spanId: scope.parentSpanId ?? generateSpanId(),
    traceFlags: scope.sampled === false ? TraceFlags.NONE : TraceFlags.SAMPLED,
    isRemote: true,
  };
  const otelContext = trace.setSpanContext(context.active(), parent);
  return storage.run({ traceId: scope.traceId }, () => context.with(otelContext, fn));
}

/** Shorthand for {@link runWithTraceContext} with a trace id alone. */
export function runWithTraceId<T>(traceId: string, fn: () => T): T {
  return runWithTraceContext({ traceId }, fn);
}

/**
 * The trace id of the code running now: the active span's, else the one set by
 * {@link runWithTraceContext}, else `undefined`.
 */
export function currentTraceId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext && isValidTraceId(spanContext.traceId)) return spanContext.traceId;
  return storage.getStore()?.traceId;
}

/**
 * The span id to name as parent in outgoing calls: the active span's, or the caller's span set by
 * {@link runWithTraceContext}; `undefined` when there is neither.
 */
export function currentSpanId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isValidSpanId(spanContext.spanId) && isValidTraceId(spanContext.traceId)
    ? spanContext.spanId
    : undefined;
}
