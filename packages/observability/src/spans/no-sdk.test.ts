import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { currentSpanId, currentTraceId, runWithTraceId } from './trace-scope.js';
import { withSpan } from './with-span.js';

// This file runs with no OpenTelemetry SDK and no context manager registered, as a host that
// has not set one up would.
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('without an OpenTelemetry SDK', () => {
  it('has no provider registered in this file', () => {
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
  });

  it('withSpan still runs sync and async work and passes results and errors through', async () => {
    expect(withSpan('sync', () => 1)).toBe(1);
    await expect(withSpan('async', { a: 1 }, async () => 2)).resolves.toBe(2);
    expect(() =>
      withSpan('throws', () => {
        throw new RangeError('x');
      }),
    ).toThrow(RangeError);
  });

  it('runWithTraceId still makes the trace id current, across awaits and inside spans', async () => {
    expect(currentTraceId()).toBeUndefined();
    const seen = await runWithTraceId(TRACE_ID, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return withSpan('inside', async () => currentTraceId());
    });
    expect(seen).toBe(TRACE_ID);
    expect(currentTraceId()).toBeUndefined();
    expect(currentSpanId()).toBeUndefined();
  });
});
