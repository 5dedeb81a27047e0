import { performance } from 'node:perf_hooks';
import { runAndSettle } from '../internal/settle.js';
import { createRedactor, defaultRedactor, type RedactionOptions, type Redactor } from '../redaction/redactor.js';
import { describeError } from '../spans/error-recording.js';
import { currentSpanId, currentTraceId } from '../spans/trace-scope.js';
import type { SerializedError, TelemetryEvent, TelemetryLevel } from './event.js';
import { jsonLinesSink, type TelemetrySink } from './sinks.js';

/** The code given to errors that carry none of their own. */
export const UNEXPECTED_ERROR_CODE = 'UNEXPECTED_ERROR';

/** Options of {@link createTelemetry}. */
export interface TelemetryOptions {
  /** Service name stamped on every event. */
  service?: string;
  /** Where events go. Default: JSON Lines on stdout. */
  sink?: TelemetrySink;
  /** A redactor, or options to build one. Default: {@link defaultRedactor}. */
  redaction?: Redactor | RedactionOptions;
  /** Include error stacks in events. Default `false`: stacks can reveal paths and data. */
  includeStacks?: boolean;
  /** Clock for timestamps, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

/** What {@link Telemetry.logOperation} takes. */
export interface OperationRecord {
  operation: string;
  success: boolean;
  details?: Record<string, unknown>;
  durationMs?: number;
  /** Defaults to the active trace id. */
  traceId?: string;
  /** Defaults to `error` when `error` is given or `success` is false, else `info`. */
  level?: TelemetryLevel;
  error?: unknown;
  /** The code to report when `error` carries none. */
  errorCode?: string;
}

/** A structured operation log, created by {@link createTelemetry}. */
export interface Telemetry {
  /** Redacts and emits one event; returns the event as the sink received it. */
  logOperation(record: OperationRecord): TelemetryEvent;
  /**
   * Runs `fn`, measures it, and logs one event: success with its duration, or failure with the
   * error, which is then re-thrown unchanged. Sync and async functions both work.
   */
  trackOperation<T>(operation: string, details: Record<string, unknown> | undefined, fn: () => T): T;
  /** The redactor this telemetry applies, for callers that redact other output the same way. */
  readonly redactor: Redactor;
}

function isRedactor(value: Redactor | RedactionOptions | undefined): value is Redactor {
  return typeof (value as Redactor | undefined)?.redact === 'function';
}

/**
 * Creates a telemetry log. Every event is redacted before it reaches the sink, carries the
 * active trace id, and a failing sink never breaks the operation that logged.
 *
 * @example
 * ```ts
 * const telemetry = createTelemetry({ service: 'ingest-api' });
 * telemetry.logOperation({ operation: 'upload', success: true, details: { bytes: 1024 } });
 * ```
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const sink = options.sink ?? jsonLinesSink();
  const redactor = isRedactor(options.redaction)
    ? options.redaction
    : options.redaction
      ? createRedactor(options.redaction)
      : defaultRedactor;
  const now = options.now;
  let sinkFailures = 0;
  // Events come many to a millisecond under load: the ISO text of the last one is reused.
  let lastMs = Number.NaN;
  let lastTimestamp = '';
  const timestamp = (): string => {
    if (now) return now().toISOString();
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastTimestamp = new Date(ms).toISOString();
    }
    return lastTimestamp;
  };

  function serializeError(error: unknown, fallbackCode: string | undefined): SerializedError {
    const described = describeError(error);
    return {
      name: described.name,
      code: described.code ?? fallbackCode ?? UNEXPECTED_ERROR_CODE,
      message: redactor.redactString(described.message),
      ...(options.includeStacks && described.stack ? { stack: redactor.redactString(described.stack) } : {}),
    };
  }

  function emit(event: TelemetryEvent): void {
    try {
      sink(event);
    } catch (error) {
      sinkFailures += 1;
      if (sinkFailures === 1) {
        process.emitWarning(
          `telemetry sink failed (${describeError(error).message}); later failures are counted, not reported`,
          { code: 'PLATFORM_TELEMETRY_SINK_FAILED' },
        );
      }
    }
  }

  function logOperation(record: OperationRecord): TelemetryEvent {
    const traceId = record.traceId ?? currentTraceId();
    const spanId = currentSpanId();
    const failed = record.error !== undefined || !record.success;
    const event: TelemetryEvent = {
      timestamp: timestamp(),
      level: record.level ?? (failed ? 'error' : 'info'),
      operation: record.operation,
      success: record.success,
      ...(traceId ? { traceId } : {}),
      ...(spanId ? { spanId } : {}),
      ...(options.service ? { service: options.service } : {}),
      ...(record.durationMs === undefined ? {} : { durationMs: roundMs(record.durationMs) }),
      ...(record.details ? { details: redactor.redact(record.details) as Record<string, unknown> } : {}),
      ...(record.error === undefined ? {} : { error: serializeError(record.error, record.errorCode) }),
    };
    emit(event);
    return event;
  }

  function trackOperation<T>(operation: string, details: Record<string, unknown> | undefined, fn: () => T): T {
    const started = performance.now();
    return runAndSettle(fn, (outcome) => {
      logOperation({
        operation,
        success: !outcome.failed,
        durationMs: performance.now() - started,
        ...(details ? { details } : {}),
        // A bare `throw undefined` is still a failure, and is reported as one.
        ...(outcome.failed ? { error: outcome.error ?? new Error('undefined was thrown') } : {}),
      });
    });
  }

  return { logOperation, trackOperation, redactor };
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
