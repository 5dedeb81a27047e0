import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { installObservabilityRecorder } from '../testing/index.js';
import { isValidTraceId } from '../trace-context/ids.js';
import { continueTrace, currentTraceId, currentTraceSampled, runWithTraceId } from './trace-scope.js';
import { withSpan } from './with-span.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparent = (traceId: string, flags: '00' | '01') => ({
  headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-${flags}` },
});

describe('continueTrace', () => {
  it('continues an incoming traceparent: its trace, under its span', async () => {
    const seen = await continueTrace(traceparent(TRACE_ID, '01'), async (traceId) => {
      expect(currentTraceId()).toBe(TRACE_ID);
      await withSpan('handler', () => undefined);
      return traceId;
    });
    expect(seen).toBe(TRACE_ID);
    expect(recorder.span('handler')).toMatchObject({
      traceId: TRACE_ID,
      parentSpanId: CALLER_SPAN,
      parentIsRemote: true,
    });
  });

  it('keeps the active span when the carrier names no trace, or only an invalid one', async () => {
    for (const carrier of [undefined, null, {}, { headers: { traceparent: 'not-a-traceparent' }, traceId: 'nope' }]) {
      recorder.reset();
      await withSpan('host', async (host) => {
        const seen = await continueTrace(carrier, (traceId) => withSpan('inner', async () => traceId));
        expect(seen).toBe(host.spanContext().traceId);
      });
      const host = recorder.span('host');
      expect(recorder.span('inner')).toMatchObject({
        traceId: host.traceId,
        parentSpanId: host.spanId,
        parentIsRemote: false,
      });
    }
  });

  it('keeps the active span as parent when the carrier names the active trace', async () => {
    await withSpan('host', async (host) => {
      const { traceId } = host.spanContext();
      // The same trace by id, or by a traceparent naming another span of it: no new remote parent.
      await continueTrace({ traceId }, () => withSpan('by.id', () => undefined));
      await continueTrace({ headers: { 'X-Trace-ID': traceId } }, () => withSpan('by.header', () => undefined));
      await continueTrace(traceparent(traceId, '01'), () => withSpan('by.traceparent', () => undefined));
    });
    const host = recorder.span('host');
    for (const name of ['by.id', 'by.header', 'by.traceparent']) {
      expect(recorder.span(name)).toMatchObject({ traceId: host.traceId, parentSpanId: host.spanId });
    }
  });

  it('re-roots under a carrier naming another trace than the active one', async () => {
    await withSpan('host', () => continueTrace(traceparent(TRACE_ID, '01'), () => withSpan('other', () => undefined)));
    expect(recorder.span('other')).toMatchObject({ traceId: TRACE_ID, parentSpanId: CALLER_SPAN });
  });

  it('honours the sampled flag: an unsampled caller records nothing inside, and the trace id still flows', async () => {
    const seen = await continueTrace(traceparent(TRACE_ID, '00'), (traceId) =>
      withSpan('unsampled', async () => withSpan('unsampled.child', () => currentTraceId() === traceId)),
    );
    expect(seen).toBe(true);
    expect(recorder.spans()).toEqual([]);

    await continueTrace(traceparent(TRACE_ID, '01'), () => withSpan('sampled', () => undefined));
    expect(recorder.spans().map((span) => span.name)).toEqual(['sampled']);
  });

  it('keeps an unsampled active trace unsampled', async () => {
    await continueTrace(traceparent(TRACE_ID, '00'), () =>
      continueTrace({ traceId: TRACE_ID }, () => withSpan('still.unsampled', () => undefined)),
    );
    expect(recorder.spans()).toEqual([]);
  });

  it('starts a new trace when there is none, a different one each time', async () => {
    const first = await continueTrace(undefined, (traceId) =>
      withSpan('first', () => {
        expect(currentTraceId()).toBe(traceId);
        return traceId;
      }),
    );
    const second = continueTrace({}, (traceId) => traceId);
    expect(isValidTraceId(first)).toBe(true);
    expect(isValidTraceId(second)).toBe(true);
    expect(second).not.toBe(first);
    expect(recorder.span('first').traceId).toBe(first);
  });

  it('continues a trace set by runWithTraceId, without an active span of its own', () => {
    const seen = runWithTraceId(TRACE_ID, () => continueTrace({}, (traceId) => traceId));
    expect(seen).toBe(TRACE_ID);
  });

  it('returns what the function returns, sync or async, and passes errors through', async () => {
    expect(continueTrace(undefined, () => 42)).toBe(42);
    await expect(continueTrace(undefined, async () => 'done')).resolves.toBe('done');
    const error = new Error('boom');
    expect(() =>
      continueTrace(traceparent(TRACE_ID, '01'), () => {
        throw error;
      }),
    ).toThrow(error);
  });
});

describe('currentTraceSampled', () => {
  it("tells the caller's sampling decision inside its trace, without an SDK too", () => {
    const traceId = '6bf92f3577b34da6a3ce929d0e0e4736';
    expect(currentTraceSampled()).toBeUndefined();
    expect(
      continueTrace({ headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-00` } }, () => currentTraceSampled()),
    ).toBe(false);
    expect(
      continueTrace({ headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } }, () => currentTraceSampled()),
    ).toBe(true);
    expect(continueTrace({ headers: { 'x-trace-id': traceId } }, () => currentTraceSampled())).toBe(true);
  });
});
