import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createObservability } from './observability.js';
import { runWithTraceId } from './spans/trace-scope.js';
import { installObservabilityRecorder } from './testing/index.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('createObservability', () => {
  it('gives one service spans, events, metrics and error audit that share trace id and redaction', async () => {
    const obs = createObservability({
      service: 'content-steward',
      scope: '@platform/smart-city',
      sink: recorder.sink,
      redaction: { keys: ['fileOwner'], censor: '***' },
    });
    await runWithTraceId(TRACE_ID, () =>
      obs.withSpan('upload', { fileOwner: 'Jo' }, () =>
        obs.trackOperation('upload', { fileOwner: 'Jo', size: 10 }, async () => {
          obs.metrics.incrementCounter('platform.uploads');
          return 'stored';
        }),
      ),
    );
    const span = recorder.span('upload');
    expect(span).toMatchObject({
      traceId: TRACE_ID,
      scope: '@platform/smart-city',
      attributes: { fileOwner: '***' },
    });
    expect(recorder.events).toEqual([
      expect.objectContaining({
        operation: 'upload',
        success: true,
        traceId: TRACE_ID,
        spanId: span.spanId,
        service: 'content-steward',
        details: { fileOwner: '***', size: 10 },
      }),
    ]);
    const uploads = (await recorder.collectMetrics()).find((metric) => metric.name === 'platform.uploads');
    expect(uploads).toMatchObject({
      scope: '@platform/smart-city',
      points: [{ value: 1, attributes: { 'service.name': 'content-steward' } }],
    });
    recorder.assertNoOpenSpans();
  });

  it('accepts withSpan without attributes and audits errors', () => {
    const obs = createObservability({ service: 'svc', sink: recorder.sink });
    expect(obs.withSpan('plain', () => 'v')).toBe('v');
    expect(obs.auditError(new Error('x'), { code: 'NOT_FOUND' }).code).toBe('NOT_FOUND');
    expect(recorder.span('plain').scope).toBe('svc');
  });

  it('refuses a missing service name', () => {
    expect(() => createObservability({ service: ' ' })).toThrow(/service/);
  });
});
