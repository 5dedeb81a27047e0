import type { Attributes, Tracer } from '@opentelemetry/api';
import { createErrorAudit, type ErrorAudit } from './errors/error-audit.js';
import { createHealthMetrics, type HealthMetrics, type HealthMetricsOptions } from './metrics/health-metrics.js';
import type { RedactionOptions, Redactor } from './redaction/redactor.js';
import { globalTracerFor, type SpanFunction, type SpanRunOptions, withSpan } from './spans/with-span.js';
import type { TelemetrySink } from './telemetry/sinks.js';
import { createTelemetry, type Telemetry } from './telemetry/telemetry.js';

/** Options of {@link createObservability}. */
export interface ObservabilityOptions {
  /** The service (or role) being observed: stamped on events and metrics. */
  service: string;
  /** Instrumentation scope of spans and meters, usually the npm package. Default: `service`. */
  scope?: string;
  /** Version of that scope, reported with spans. */
  scopeVersion?: string;
  /** Where telemetry events go. Default: JSON Lines on stdout. */
  sink?: TelemetrySink;
  /** A redactor, or options to build one, applied to events, span attributes and errors. */
  redaction?: Redactor | RedactionOptions;
  /** Include error stacks in telemetry events. Default `false`. */
  includeStacks?: boolean;
  /** A meter provider other than the global one. */
  meterProvider?: HealthMetricsOptions['meterProvider'];
  /** A tracer other than the global provider's, for hosts that keep several providers. */
  tracer?: Tracer;
}

/** The observability toolkit of one service, created by {@link createObservability}. */
export interface Observability extends ErrorAudit, Pick<Telemetry, 'logOperation' | 'trackOperation'> {
  readonly service: string;
  readonly telemetry: Telemetry;
  readonly metrics: HealthMetrics;
  /** {@link withSpan} with this service's tracer and redaction. */
  withSpan<T>(name: string, fn: SpanFunction<T>): T;
  withSpan<T>(
    name: string,
    attributes: Attributes | undefined,
    fn: SpanFunction<T>,
    options?: Omit<SpanRunOptions, 'tracer' | 'redactor'>,
  ): T;
}

/**
 * Creates one service's observability toolkit: spans, operation log, health metrics and error
 * audit, sharing one redaction policy. This is what platform roles and host services hold.
 *
 * @example
 * ```ts
 * const obs = createObservability({ service: 'ingest-api' });
 * await obs.withSpan('ingest', { 'file.name': name }, () =>
 *   obs.trackOperation('ingest', { name }, () => ingest(file)),
 * );
 * ```
 */
export function createObservability(options: ObservabilityOptions): Observability {
  if (typeof options?.service !== 'string' || options.service.trim() === '') {
    throw new TypeError('createObservability: `service` must be a non-empty string');
  }
  const telemetry = createTelemetry({
    service: options.service,
    ...(options.sink ? { sink: options.sink } : {}),
    ...(options.redaction ? { redaction: options.redaction } : {}),
    ...(options.includeStacks ? { includeStacks: true } : {}),
  });
  const scope = options.scope ?? options.service;
  const metrics = createHealthMetrics({
    service: options.service,
    meterName: scope,
    ...(options.meterProvider ? { meterProvider: options.meterProvider } : {}),
  });
  const audit = createErrorAudit({ telemetry, metrics });
  const fixedTracer = options.tracer;
  const tracer = fixedTracer ? () => fixedTracer : globalTracerFor(scope, options.scopeVersion);
  const redactor = telemetry.redactor;

  function boundWithSpan<T>(
    name: string,
    attributesOrFn: Attributes | undefined | SpanFunction<T>,
    maybeFn?: SpanFunction<T>,
    spanOptions: Omit<SpanRunOptions, 'tracer' | 'redactor'> = {},
  ): T {
    const fn = typeof attributesOrFn === 'function' ? attributesOrFn : maybeFn;
    const attributes = typeof attributesOrFn === 'function' ? undefined : attributesOrFn;
    return withSpan(name, attributes, fn as SpanFunction<T>, { ...spanOptions, tracer: tracer(), redactor });
  }

  return {
    service: options.service,
    telemetry,
    metrics,
    withSpan: boundWithSpan,
    logOperation: telemetry.logOperation,
    trackOperation: telemetry.trackOperation,
    auditError: audit.auditError,
  };
}
