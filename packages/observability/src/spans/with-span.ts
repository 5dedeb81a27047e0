import {
  type Attributes,
  context,
  isSpanContextValid,
  type Link,
  type Span,
  type SpanKind,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { runAndSettle } from '../internal/settle.js';
import { defaultRedactor, type Redactor } from '../redaction/redactor.js';
import { describeError, markRecorded, wasRecorded } from './error-recording.js';

/** The instrumentation scope of spans started by the package-level {@link withSpan}. */
export const DEFAULT_TRACER_NAME = '@platform/observability';

/** Less common span settings, for {@link withSpan}'s fourth argument. */
export interface SpanRunOptions {
  kind?: SpanKind;
  links?: Link[];
  /** Start a new trace instead of joining the active one. */
  root?: boolean;
  /** The tracer to use; the package's default tracer when omitted. */
  tracer?: Tracer;
  /** Redactor applied to attributes and exception messages; the default redactor when omitted. */
  redactor?: Redactor;
}

/** The function a span wraps; it receives the span to add attributes or events. */
export type SpanFunction<T> = (span: Span) => T;

/**
 * Returns a function giving the global provider's tracer for `name`. `trace.getTracer` allocates
 * on every call when no SDK is registered, so the tracer is reused for as long as the global
 * provider is the same object (registering or disabling an SDK replaces it).
 */
export function globalTracerFor(name: string, version?: string): () => Tracer {
  let cachedProvider: TracerProvider | undefined;
  let cachedTracer: Tracer | undefined;
  return () => {
    const provider = trace.getTracerProvider();
    if (provider !== cachedProvider || cachedTracer === undefined) {
      cachedProvider = provider;
      cachedTracer = provider.getTracer(name, version);
    }
    return cachedTracer;
  };
}

const defaultTracer = globalTracerFor(DEFAULT_TRACER_NAME);

function redactAttributes(attributes: Attributes, redactor: Redactor): Attributes {
  const out: Attributes = {};
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined) continue;
    if (redactor.isSensitiveKey(key)) out[key] = redactor.censor;
    else if (typeof value === 'string') out[key] = redactor.redactString(value);
    else out[key] = value;
  }
  return out;
}

const NO_START_OPTIONS: SpanOptions = {};

function startOptions(options: SpanRunOptions): SpanOptions {
  if (options.kind === undefined && options.links === undefined && !options.root) return NO_START_OPTIONS;
  return {
    ...(options.kind === undefined ? {} : { kind: options.kind }),
    ...(options.links ? { links: options.links } : {}),
    ...(options.root ? { root: true } : {}),
  };
}

function recordFailure(span: Span, error: unknown, redactor: Redactor): void {
  const described = describeError(error);
  const message = redactor.redactString(described.message);
  if (!wasRecorded(error, span)) {
    span.recordException({
      name: described.name,
      message,
      ...(described.stack ? { stack: redactor.redactString(described.stack) } : {}),
    });
    markRecorded(error, span);
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute('error.type', described.code ?? described.name);
}

function endOnce(span: Span): void {
  // A span the caller already ended is not ended again (that would be reported by the SDK).
  if (span.isRecording()) span.end();
}

/**
 * Runs `fn` inside a new span that is a child of the active span (or of the trace set by
 * `runWithTraceContext`), makes it the active span while `fn` runs, and ends it exactly once
 * when `fn` returns, throws, resolves or rejects. An exception is recorded on the span with
 * status `ERROR` and an `error.type` attribute (the error's `code` when it has one), then
 * re-thrown unchanged. Attribute values under sensitive keys are redacted; they are set just
 * after the span starts, so samplers see the name but not the attributes. With no SDK
 * registered, `fn` runs directly and the cost is a few hundred nanoseconds at most.
 *
 * Works for sync and async functions: the return value (or promise) is passed through.
 *
 * @example
 * ```ts
 * const rows = await withSpan('parse.csv', { 'file.id': fileId }, async (span) => {
 *   const result = await parse(file);
 *   span.setAttribute('rows', result.rows);
 *   return result.rows;
 * });
 * ```
 */
export function withSpan<T>(name: string, fn: SpanFunction<T>): T;
export function withSpan<T>(
  name: string,
  attributes: Attributes | undefined,
  fn: SpanFunction<T>,
  options?: SpanRunOptions,
): T;
export function withSpan<T>(
  name: string,
  attributesOrFn: Attributes | undefined | SpanFunction<T>,
  maybeFn?: SpanFunction<T>,
  options: SpanRunOptions = {},
): T {
  const fn = typeof attributesOrFn === 'function' ? attributesOrFn : maybeFn;
  if (typeof fn !== 'function') throw new TypeError(`withSpan('${name}'): a function to run is required`);
  const attributes = typeof attributesOrFn === 'function' ? undefined : attributesOrFn;
  const tracer = options.tracer ?? defaultTracer();
  const parent = context.active();
  const span = tracer.startSpan(name, startOptions(options), parent);

  if (!span.isRecording()) {
    // No SDK registered (or no parent trace to carry): nothing to record and nothing to
    // propagate, so run the function as it is. This is what keeps the no-SDK cost near zero.
    if (!isSpanContextValid(span.spanContext())) return fn(span);
    // Not sampled, but part of a real trace: children must still see its context.
    return context.with(trace.setSpan(parent, span), fn, undefined, span);
  }
  // Attributes are redacted only for spans that will be exported. They are set right after
  // start, so a sampler sees the span name but not these attributes.
  const redactor = options.redactor ?? defaultRedactor;
  if (attributes) span.setAttributes(redactAttributes(attributes, redactor));

  return runAndSettle(
    () => context.with(trace.setSpan(parent, span), fn, undefined, span),
    (outcome) => {
      if (outcome.failed) recordFailure(span, outcome.error, redactor);
      endOnce(span);
    },
  );
}
