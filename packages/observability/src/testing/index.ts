/**
 * @packageDocumentation
 * In-memory recording of spans, telemetry events and metrics for tests of code built on
 * `@platform/observability`. Needs the optional peers `@opentelemetry/sdk-trace`,
 * `@opentelemetry/sdk-metrics` and `@opentelemetry/context-async-hooks` (dev dependencies of
 * the tests that use it).
 */

export { createMemorySink, type MemorySink } from './memory-sink.js';
export {
  installObservabilityRecorder,
  type ObservabilityRecorder,
  type RecordedMetric,
  type RecordedMetricPoint,
} from './recorder.js';
export type { RecordedSpan } from './span-recorder.js';
