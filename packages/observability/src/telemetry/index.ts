export type { SerializedError, TelemetryEvent, TelemetryLevel } from './event.js';
export {
  fanOutSink,
  jsonLinesSink,
  loggerSink,
  type StructuredLogger,
  silentSink,
  type TelemetrySink,
  type TextWritable,
} from './sinks.js';
export {
  createTelemetry,
  type OperationRecord,
  type Telemetry,
  type TelemetryOptions,
  UNEXPECTED_ERROR_CODE,
} from './telemetry.js';
