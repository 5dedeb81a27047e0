import { type DiagLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { AggregationTemporality, type DataPoint, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { registerGlobalProviders } from '../internal/global-providers.js';
import type { TelemetryEvent, TelemetrySink } from '../telemetry/index.js';
import { type RecordedSpan, RecordingSpanProcessor, toRecordedSpan } from './span-recorder.js';

/** One metric point as tests see it. */
export interface RecordedMetricPoint {
  value: number;
  attributes: Record<string, unknown>;
}

/** One metric with all its points, as tests see it. */
export interface RecordedMetric {
  name: string;
  scope: string;
  description: string;
  unit: string;
  points: RecordedMetricPoint[];
}

/**
 * Records spans, telemetry events, metrics and OpenTelemetry diagnostics in memory, so tests can
 * assert on spans, attributes, parent/child links and trace id propagation. Created by
 * {@link installObservabilityRecorder}; call {@link ObservabilityRecorder.uninstall} after the
 * tests (e.g. in `afterAll`).
 */
export interface ObservabilityRecorder {
  /** Pass it as `sink` to `createObservability` / `createTelemetry`. */
  readonly sink: TelemetrySink;
  /** Telemetry events received by {@link sink}, in order. */
  readonly events: readonly TelemetryEvent[];
  /** Finished spans, in the order they ended. */
  spans(): RecordedSpan[];
  /** Spans started and not yet ended. */
  openSpans(): RecordedSpan[];
  /** The one finished span with this name. @throws when there is none, or several. */
  span(name: string): RecordedSpan;
  /** Finished spans whose parent is `parent`. */
  childrenOf(parent: RecordedSpan): RecordedSpan[];
  /** Throws, listing them, when any span was started and not ended. */
  assertNoOpenSpans(): void;
  /** Warnings and errors the OpenTelemetry API reported (e.g. a span ended twice). */
  readonly diagnostics: readonly string[];
  /** Collects the current value of every metric. */
  collectMetrics(): Promise<RecordedMetric[]>;
  /** Forgets spans, events and diagnostics recorded so far (metrics keep their totals). */
  reset(): void;
  /** Unregisters the providers, context manager and diagnostic logger it installed. */
  uninstall(): Promise<void>;
}

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function pointValue(point: DataPoint<unknown>): number {
  const value = point.value;
  if (typeof value === 'number') return value;
  // Histograms: report the sum, which is what assertions on them usually need.
  return (value as { sum?: number }).sum ?? Number.NaN;
}

/**
 * Registers an in-memory OpenTelemetry tracer provider, meter provider and AsyncLocalStorage
 * context manager as the global ones, and returns the recorder reading them.
 *
 * @throws {Error} when another provider is already registered globally (uninstall it first).
 *
 * @example
 * ```ts
 * const recorder = installObservabilityRecorder();
 * afterAll(() => recorder.uninstall());
 * ```
 */
export function installObservabilityRecorder(): ObservabilityRecorder {
  const processor = new RecordingSpanProcessor();
  const tracerProvider = new TracerProvider({ spanProcessors: [processor] });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const events: TelemetryEvent[] = [];
  const diagnostics: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...args: unknown[]) => {
      diagnostics.push([`${level}: ${message}`, ...args.map(String)].join(' '));
    };
  const diagLogger: DiagLogger = {
    error: record('error'),
    warn: record('warn'),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };

  // One global at a time; a refusal undoes only what this call registered.
  const globals = registerGlobalProviders(
    'installObservabilityRecorder',
    { tracerProvider, meterProvider },
    { silenceDiagnostics: true },
  );
  diag.setLogger(diagLogger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

  const spans = () => processor.finished.map(toRecordedSpan);

  return {
    sink: (event) => {
      events.push(event);
    },
    events,
    diagnostics,
    spans,
    openSpans: () => [...processor.open].map(toRecordedSpan),
    span(name) {
      const matches = spans().filter((span) => span.name === name);
      if (matches.length !== 1) {
        const names = spans().map((span) => span.name);
        throw new Error(
          `expected one finished span named '${name}', found ${matches.length} among [${names.join(', ')}]`,
        );
      }
      return matches[0] as RecordedSpan;
    },
    childrenOf: (parent) =>
      spans().filter((span) => span.traceId === parent.traceId && span.parentSpanId === parent.spanId),
    assertNoOpenSpans() {
      const open = [...processor.open].map(toRecordedSpan);
      if (open.length > 0) {
        throw new Error(`${open.length} span(s) never ended: ${open.map((span) => span.name).join(', ')}`);
      }
    },
    async collectMetrics() {
      const { resourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.map((metric) => ({
          name: metric.descriptor.name,
          scope: scope.scope.name,
          description: metric.descriptor.description,
          unit: metric.descriptor.unit,
          points: (metric.dataPoints as DataPoint<unknown>[]).map((point) => ({
            value: pointValue(point),
            attributes: { ...point.attributes },
          })),
        })),
      );
    },
    reset() {
      processor.clear();
      events.length = 0;
      diagnostics.length = 0;
    },
    async uninstall() {
      globals.unregister();
      diag.disable();
      await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
