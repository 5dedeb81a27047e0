import { type Context, type HrTime, SpanStatusCode } from '@opentelemetry/api';
import { type ReadableSpan, type Span, type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { registerGlobalProviders } from '../internal/global-providers.js';
import type { FinishedSpan, TraceSpanSource } from './finished-span.js';

/** Bounds of a {@link TraceBuffer}. */
export interface TraceBufferOptions {
  /** Traces kept at most; the one that received a span longest ago goes first. Default 200. */
  maxTraces?: number;
  /**
   * Spans kept at most, over all traces; when over, whole traces go, least recent first. A trace
   * that alone holds more keeps its most recent spans. Default 20,000.
   */
  maxSpans?: number;
  /**
   * Which traces to keep: a trace is kept from the first of its spans that this accepts (with the
   * spans it had before), so that traces nobody will look for (a health probe, a refused request)
   * cannot push out those that matter. Until then its spans wait among at most
   * `maxPendingTraces` traces of at most `maxPendingSpans` spans each. Default: every trace.
   */
  keepTrace?: (span: FinishedSpan) => boolean;
  /** Traces waiting for a span `keepTrace` accepts; the least recent goes first. Default 100. */
  maxPendingTraces?: number;
  /** Spans a waiting trace holds at most (its most recent). Default 500. */
  maxPendingSpans?: number;
}

const STATUS = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
} as const;

function hrToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`TraceBuffer: ${name} must be a positive integer, not ${value}`);
  }
  return value;
}

/** An SDK span as a {@link FinishedSpan}. */
export function toFinishedSpan(span: ReadableSpan): FinishedSpan {
  const context = span.spanContext();
  const parent = span.parentSpanContext?.spanId;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    ...(parent && span.parentSpanContext?.isRemote ? { parentIsRemote: true } : {}),
    name: span.name,
    startMs: hrToMs(span.startTime),
    durationMs: hrToMs(span.duration),
    status: STATUS[span.status.code],
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    attributes: { ...span.attributes },
    ...(span.events.length > 0
      ? {
          events: span.events.map((event) => ({
            name: event.name,
            timeMs: hrToMs(event.time),
            ...(event.attributes && Object.keys(event.attributes).length > 0
              ? { attributes: { ...event.attributes } }
              : {}),
          })),
        }
      : {}),
  };
}

/**
 * An OpenTelemetry span processor keeping, in memory, the finished spans of the most recent
 * traces: at most `maxTraces` traces and `maxSpans` spans in all, the trace that received a
 * span longest ago evicted first. What a process shows of its own recent work (a console's
 * waterfall of a flow) without an exporter or a tracing backend; spans of a process that
 * stopped are gone.
 *
 * Register it with a tracer provider of `@opentelemetry/sdk-trace` beside the host's exporters,
 * or let {@link installTraceBuffer} register one.
 */
export class TraceBuffer implements SpanProcessor, TraceSpanSource {
  readonly maxTraces: number;
  readonly maxSpans: number;
  // By recency: a trace moves to the end when it receives a span, so the first is the oldest.
  readonly #traces = new Map<string, FinishedSpan[]>();
  #spans = 0;
  readonly #keepTrace: ((span: FinishedSpan) => boolean) | undefined;
  readonly #pending = new Map<string, FinishedSpan[]>();
  readonly #maxPendingTraces: number;
  readonly #maxPendingSpans: number;

  constructor(options: TraceBufferOptions = {}) {
    this.maxTraces = positive('maxTraces', options.maxTraces, 200);
    this.maxSpans = positive('maxSpans', options.maxSpans, 20_000);
    this.#keepTrace = options.keepTrace;
    this.#maxPendingTraces = positive('maxPendingTraces', options.maxPendingTraces, 100);
    this.#maxPendingSpans = positive('maxPendingSpans', options.maxPendingSpans, 500);
  }

  /** Spans kept now, over all traces. */
  get size(): number {
    return this.#spans;
  }

  /** The ids of the traces kept now, least recent first. */
  traceIds(): string[] {
    return [...this.#traces.keys()];
  }

  /** {@inheritDoc TraceSpanSource.spansOf} */
  spansOf(traceId: string): FinishedSpan[] {
    return [...(this.#traces.get(traceId) ?? [])].sort((a, b) => a.startMs - b.startMs);
  }

  /** Called by the SDK when a span starts: nothing is kept of an open span. */
  onStart(_span: Span, _parentContext: Context): void {}

  /** Called by the SDK when a span ends: keeps it, then evicts what is over the bounds. */
  onEnd(span: ReadableSpan): void {
    const finished = toFinishedSpan(span);
    const { traceId } = finished;
    let spans = this.#traces.get(traceId);
    if (!spans && this.#keepTrace) {
      const waiting = this.#pending.get(traceId) ?? [];
      this.#pending.delete(traceId);
      waiting.push(finished);
      if (!this.#keepTrace(finished)) {
        if (waiting.length > this.#maxPendingSpans) waiting.shift();
        this.#pending.set(traceId, waiting);
        for (const oldest of this.#pending.keys()) {
          if (this.#pending.size <= this.#maxPendingTraces) break;
          this.#pending.delete(oldest);
        }
        return;
      }
      // Kept from now on, with the spans it had while waiting.
      this.#traces.set(traceId, waiting);
      this.#spans += waiting.length;
      this.#evict(traceId);
      return;
    }
    spans ??= [];
    this.#traces.delete(traceId);
    spans.push(finished);
    this.#traces.set(traceId, spans);
    this.#spans += 1;
    this.#evict(traceId);
  }

  #evict(current: string): void {
    for (const [traceId, spans] of this.#traces) {
      if (this.#traces.size <= this.maxTraces && this.#spans <= this.maxSpans) return;
      if (traceId === current) break;
      this.#traces.delete(traceId);
      this.#spans -= spans.length;
    }
    // Only the current trace is left over the span budget: its oldest spans go.
    const spans = this.#traces.get(current);
    if (spans && this.#spans > this.maxSpans) {
      const over = this.#spans - this.maxSpans;
      spans.splice(0, over);
      this.#spans -= over;
    }
  }

  /** Forgets every span. */
  clear(): void {
    this.#traces.clear();
    this.#pending.clear();
    this.#spans = 0;
  }

  /** Nothing is pending: spans are kept as they end. */
  async forceFlush(): Promise<void> {}

  /** Called when the tracer provider shuts down: forgets every span. */
  async shutdown(): Promise<void> {
    this.clear();
  }
}

/** Options of {@link installTraceBuffer}. */
export interface InstallTraceBufferOptions extends TraceBufferOptions {
  /** More processors for the same provider (the host's exporters), after the buffer. */
  spanProcessors?: readonly SpanProcessor[];
}

/** A {@link TraceBuffer} registered globally by {@link installTraceBuffer}. */
export interface InstalledTraceBuffer {
  readonly buffer: TraceBuffer;
  /** Unregisters the tracer provider and the context manager, and shuts the provider down. */
  uninstall(): Promise<void>;
}

/**
 * Registers a tracer provider of `@opentelemetry/sdk-trace` feeding a new {@link TraceBuffer}
 * (and `spanProcessors`) as the global one, with the AsyncLocalStorage context manager, so that
 * the spans of `withSpan` and every OpenTelemetry instrumentation of the process are kept.
 * Needs the optional peers `@opentelemetry/sdk-trace` and `@opentelemetry/context-async-hooks`.
 *
 * @throws {Error} when a tracer provider or context manager is already registered globally.
 *
 * @example
 * ```ts
 * const tracing = installTraceBuffer({ maxTraces: 100 });
 * const platform = createPlatform({ modules: dataMashModules({ traces: tracing.buffer }) });
 * // ... on stop:
 * await tracing.uninstall();
 * ```
 */
export function installTraceBuffer(options: InstallTraceBufferOptions = {}): InstalledTraceBuffer {
  const buffer = new TraceBuffer(options);
  const tracerProvider = new TracerProvider({ spanProcessors: [buffer, ...(options.spanProcessors ?? [])] });
  const globals = registerGlobalProviders('installTraceBuffer', { tracerProvider });
  return {
    buffer,
    async uninstall() {
      globals.unregister();
      await tracerProvider.shutdown();
    },
  };
}
