import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createHealthMetrics } from '../metrics/health-metrics.js';
import { runWithTraceId } from '../spans/trace-scope.js';
import { withSpan } from '../spans/with-span.js';
import { createTelemetry } from '../telemetry/telemetry.js';
import { installObservabilityRecorder } from '../testing/index.js';
import { createErrorAudit, ERRORS_COUNTER } from './error-audit.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const audit = createErrorAudit({
  telemetry: createTelemetry({ service: 'steward', sink: recorder.sink }),
  metrics: createHealthMetrics({ service: 'steward' }),
});

describe('auditError', () => {
  it('records the error with trace id, stable code and context, and returns a record', () => {
    const error = Object.assign(new Error('file a.csv rejected for jo@example.com'), { code: 'UNSUPPORTED_FILE_TYPE' });
    const record = runWithTraceId(TRACE_ID, () =>
      audit.auditError(error, { operation: 'content.validate', details: { fileName: 'a.csv', token: 't' } }),
    );
    expect(record).toMatchObject({
      code: 'UNSUPPORTED_FILE_TYPE',
      name: 'Error',
      message: 'file a.csv rejected for [REDACTED]',
      operation: 'content.validate',
      traceId: TRACE_ID,
    });
    expect(recorder.events).toHaveLength(1);
    expect(recorder.events[0]).toMatchObject({
      level: 'error',
      success: false,
      operation: 'content.validate',
      traceId: TRACE_ID,
      service: 'steward',
      details: { fileName: 'a.csv', token: '[REDACTED]' },
      error: { code: 'UNSUPPORTED_FILE_TYPE' },
    });
  });

  it('counts errors by code and operation', async () => {
    audit.auditError(new Error('x'), { operation: 'op.a', code: 'FILE_TOO_LARGE' });
    audit.auditError(new Error('y'), { operation: 'op.a', code: 'FILE_TOO_LARGE' });
    const counter = (await recorder.collectMetrics()).find((metric) => metric.name === ERRORS_COUNTER);
    expect(counter?.points).toContainEqual({
      value: 2,
      attributes: { 'service.name': 'steward', 'error.code': 'FILE_TOO_LARGE', operation: 'op.a' },
    });
  });

  it('marks the active span and records the exception once even when withSpan sees it too', () => {
    const error = new Error('boom');
    expect(() =>
      withSpan('audited', () => {
        audit.auditError(error, { code: 'ADAPTER_UNAVAILABLE' });
        throw error;
      }),
    ).toThrow(error);
    const span = recorder.span('audited');
    expect(span.status.code).toBe('error');
    expect(span.events.filter((event) => event.name === 'exception')).toHaveLength(1);
  });

  it('does not throw when telemetry or metrics fail, so the caller still sees its own error', () => {
    const fragile = createErrorAudit({
      telemetry: {
        logOperation: () => {
          throw new Error('sink gone');
        },
        trackOperation: (_operation, _details, fn) => fn(),
        redactor: createTelemetry({ sink: () => {} }).redactor,
      },
      metrics: {
        incrementCounter: () => {
          throw new Error('meter gone');
        },
        recordHealthMetric: () => undefined,
        setHealthStatus: () => undefined,
      },
    });
    expect(fragile.auditError('plain failure', { code: 'X' })).toMatchObject({
      code: 'X',
      name: 'NonErrorThrown',
      message: 'plain failure',
    });
  });
});
