import { AsyncLocalStorage } from 'node:async_hooks';
import { context, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';
import { extractTraceContext, type TraceCarrier } from '../trace-context/carrier.js';
import { generateSpanId, generateTraceId, isValidSpanId, isValidTraceId } from '../trace-context/ids.js';

interface TraceScope {
  readonly traceId: string;
  readonly sampled?: boolean | undefined;
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
  return storage.run({ traceId: scope.traceId, sampled: scope.sampled }, () => context.with(otelContext, fn));
}

/**
 * Runs `fn` in the caller's trace, whichever way the caller gave it, without cutting the trace in
 * two:
 * - a carrier with a valid `traceparent` / `X-Trace-ID` / `traceId` that names another trace than
 *   the active one: `fn` runs under it (as {@link runWithTraceContext}, sampling flag honoured);
 * - otherwise, when a trace is active (a host span, or an enclosing `runWithTraceContext`): `fn`
 *   runs in it as it is, so its spans are children of the active span;
 * - otherwise: a new trace.
 *
 * `fn` receives the trace id it runs under. Use this at entry points (a request handler, a flow),
 * where `runWithTraceId(request.traceId ?? currentTraceId())` would hang the work under a parent
 * span id of its own making and lose the caller's span and sampling decision.
 *
 * @example
 * ```ts
 * return continueTrace(request, (traceId) => withSpan('ingest', () => ingest(request, traceId)));
 * ```
 */
export function continueTrace<T>(carrier: TraceCarrier | null | undefined, fn: (traceId: string) => T): T {
  const active = currentTraceId();
  const incoming = carrier ? extractTraceContext(carrier) : undefined;
  if (incoming && incoming.source !== 'generated' && incoming.traceId !== active) {
    return runWithTraceContext(incoming, () => fn(incoming.traceId));
  }
  if (active !== undefined) return fn(active);
  const traceId = generateTraceId();
  return runWithTraceContext({ traceId }, () => fn(traceId));
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
 * Whether the code running now is in a sampled trace: the active span's flag, else the caller's
 * decision given to {@link runWithTraceContext} (a `traceparent` ending `-00`: `false`), else
 * `undefined` (no trace, or a caller that did not say). Pass it on in outgoing `traceparent`
 * headers so that a caller's "do not record" holds downstream.
 */
export function currentTraceSampled(): boolean | undefined {
  const spanContext = trace.getSpanContext(context.active());
  if (spanContext && isValidTraceId(spanContext.traceId)) return (spanContext.traceFlags & TraceFlags.SAMPLED) === 1;
  return storage.getStore()?.sampled;
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
