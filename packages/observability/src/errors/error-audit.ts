import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HealthMetrics } from '../metrics/health-metrics.js';
import { describeError, markRecorded, wasRecorded } from '../spans/error-recording.js';
import { currentTraceId } from '../spans/trace-scope.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { UNEXPECTED_ERROR_CODE } from '../telemetry/telemetry.js';

/** The counter every audited error increments, with `error.code` and `operation` attributes. */
export const ERRORS_COUNTER = 'platform.errors';

/** Context of an audited error. */
export interface ErrorAuditContext {
  /** The operation that failed; default `'error'`. */
  operation?: string;
  /** The code to report when the error carries no string `code` of its own. */
  code?: string;
  /** Context to keep with the record (redacted before it leaves the process). */
  details?: Record<string, unknown>;
  /** Defaults to the active trace id. */
  traceId?: string;
}

/** What {@link ErrorAudit.auditError} recorded; handy for a result envelope. */
export interface ErrorAuditRecord {
  code: string;
  name: string;
  /** The redacted message. */
  message: string;
  operation: string;
  traceId?: string;
  timestamp: string;
}

/** Records errors as telemetry, metrics and span status, created by {@link createErrorAudit}. */
export interface ErrorAudit {
  /**
   * Records `error` with its trace id, stable code and context: one `error` telemetry event, one
   * increment of {@link ERRORS_COUNTER}, and the exception on the active span. It never throws
   * and never swallows: the caller still re-throws or returns the error.
   *
   * @example
   * ```ts
   * try { await store.put(key, bytes); }
   * catch (error) { audit.auditError(error, { operation: 'blob.put', details: { key } }); throw error; }
   * ```
   */
  auditError(error: unknown, context?: ErrorAuditContext): ErrorAuditRecord;
}

/** Creates an error audit writing to the given telemetry and metrics. */
export function createErrorAudit(deps: { telemetry: Telemetry; metrics: HealthMetrics }): ErrorAudit {
  return {
    auditError(error, auditContext = {}) {
      const operation = auditContext.operation ?? 'error';
      const traceId = auditContext.traceId ?? currentTraceId();
      let event: ReturnType<Telemetry['logOperation']> | undefined;
      try {
        event = deps.telemetry.logOperation({
          operation,
          success: false,
          error,
          ...(auditContext.code ? { errorCode: auditContext.code } : {}),
          ...(auditContext.details ? { details: auditContext.details } : {}),
          ...(traceId ? { traceId } : {}),
        });
      } catch {
        // Auditing must not replace the caller's error with one of its own.
      }
      const described = describeError(error);
      const code = described.code ?? auditContext.code ?? UNEXPECTED_ERROR_CODE;
      const message = event?.error?.message ?? deps.telemetry.redactor.redactString(described.message);
      try {
        deps.metrics.incrementCounter(ERRORS_COUNTER, 1, { 'error.code': code, operation });
      } catch {
        // Same as above: a metrics failure is not the caller's failure.
      }
      const span = trace.getSpan(context.active());
      if (span?.isRecording()) {
        if (!wasRecorded(error, span)) {
          span.recordException({ name: described.name, message });
          markRecorded(error, span);
        }
        span.setStatus({ code: SpanStatusCode.ERROR, message });
        span.setAttribute('error.type', code);
      }
      return {
        code,
        name: described.name,
        message,
        operation,
        ...(traceId ? { traceId } : {}),
        timestamp: event?.timestamp ?? new Date().toISOString(),
      };
    },
  };
}
