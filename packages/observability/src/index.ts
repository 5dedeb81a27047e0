/**
 * @packageDocumentation
 * Trace context, spans, structured telemetry events with redaction, health metrics and error
 * audit for the @platform SDK. Built on the OpenTelemetry API only: the host application chooses
 * and registers an OpenTelemetry SDK and exporters; without one, everything here is a cheap
 * no-op except the telemetry event log and trace id propagation, which always work.
 */
export * from './errors/index.js';
export * from './metrics/index.js';
export { createObservability, type Observability, type ObservabilityOptions } from './observability.js';
export * from './redaction/index.js';
export * from './spans/index.js';
export * from './telemetry/index.js';
export type { FinishedSpan, TraceSpanSource } from './trace-buffer/finished-span.js';
export * from './trace-context/index.js';
