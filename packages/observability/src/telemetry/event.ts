/** Severity of a telemetry event: `error` for failures, `info` otherwise unless set. */
export type TelemetryLevel = 'info' | 'warn' | 'error';

/** An error as it appears in telemetry: no stack unless asked for, message redacted. */
export interface SerializedError {
  name: string;
  /** A stable code such as `VALIDATION_FAILED` or `ENOENT`; `UNEXPECTED_ERROR` when the error had none. */
  code: string;
  message: string;
  stack?: string;
}

/**
 * One structured operation record, as every sink receives it. Field names are stable: hosts
 * index and alert on them.
 */
export interface TelemetryEvent {
  /** ISO-8601 time the event was logged. */
  timestamp: string;
  level: TelemetryLevel;
  /** What was done, as a dotted name: `content_steward.upload`, `kernel.start`. */
  operation: string;
  success: boolean;
  /** The trace this operation belongs to, when one is active or given. */
  traceId?: string;
  spanId?: string;
  /** The service that logged the event, as given to `createTelemetry`. */
  service?: string;
  durationMs?: number;
  /** Redacted context of the operation. */
  details?: Record<string, unknown>;
  error?: SerializedError;
}
