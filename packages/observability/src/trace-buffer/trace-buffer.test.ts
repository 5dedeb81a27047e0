import { ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { withSpan } from '../spans/with-span.js';
import { installObservabilityRecorder } from '../testing/index.js';
import { installTraceBuffer, TraceBuffer } from './index.js';

// A provider feeding `buffer`, used directly (no global registration): each root span is a trace.
function tracerFor(buffer: TraceBuffer) {
  return new TracerProvider({ spanProcessors: [buffer] }).getTracer('test');
}

function traceOf(tracer: ReturnType<typeof tracerFor>, spans: number): string {
  const root = tracer.startSpan('root');
  const parent = trace.setSpan(ROOT_CONTEXT, root);
  for (let index = 1; index < spans; index += 1) tracer.startSpan(`child.${index}`, {}, parent).end();
  root.end();
  return root.spanContext().traceId;
}

describe('TraceBuffer', () => {
  it('keeps finished spans by trace, with parent ids, epoch start times, status and events', () => {
    const buffer = new TraceBuffer();
    const tracer = tracerFor(buffer);
    const before = Date.now();
    const root = tracer.startSpan('flow', { attributes: { 'file.id': 'file_1' } });
    const child = tracer.startSpan('parse', {}, trace.setSpan(ROOT_CONTEXT, root));
    child.addEvent('exception', { 'exception.type': 'PARSE_FAILED' });
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'PARSE_FAILED' });
    child.end();
    root.end();
    const traceId = root.spanContext().traceId;
    // Spans started within the same millisecond may come in either order: found by name.
    const spans = buffer.spansOf(traceId);
    const flow = spans.find((span) => span.name === 'flow');
    const parse = spans.find((span) => span.name === 'parse');
    expect(spans).toHaveLength(2);
    expect(flow).toMatchObject({ name: 'flow', traceId, status: 'unset', attributes: { 'file.id': 'file_1' } });
    expect(flow?.parentSpanId).toBeUndefined();
    expect(flow?.startMs).toBeGreaterThanOrEqual(before - 1);
    expect(flow?.startMs).toBeLessThanOrEqual(Date.now());
    expect(parse).toMatchObject({
      name: 'parse',
      parentSpanId: root.spanContext().spanId,
      status: 'error',
      statusMessage: 'PARSE_FAILED',
      events: [{ name: 'exception', attributes: { 'exception.type': 'PARSE_FAILED' } }],
    });
    expect(parse?.durationMs).toBeGreaterThanOrEqual(0);
    expect(buffer.spansOf('0'.repeat(32))).toEqual([]);
  });

  it('evicts the least recent trace when over maxTraces', () => {
    const buffer = new TraceBuffer({ maxTraces: 2 });
    const tracer = tracerFor(buffer);
    const first = traceOf(tracer, 2);
    const second = traceOf(tracer, 2);
    const third = traceOf(tracer, 2);
    expect(buffer.traceIds()).toEqual([second, third]);
    expect(buffer.spansOf(first)).toEqual([]);
    expect(buffer.spansOf(third)).toHaveLength(2);
    expect(buffer.size).toBe(4);
  });

  it('counts recency by the last span received: a trace still running is kept', () => {
    const buffer = new TraceBuffer({ maxTraces: 2 });
    const tracer = tracerFor(buffer);
    const long = tracer.startSpan('long');
    const longContext = trace.setSpan(ROOT_CONTEXT, long);
    tracer.startSpan('long.step', {}, longContext).end();
    const other = traceOf(tracer, 1);
    // A new span of the long trace makes it the most recent: the other goes first.
    tracer.startSpan('long.step', {}, longContext).end();
    const last = traceOf(tracer, 1);
    expect(buffer.traceIds()).toEqual([long.spanContext().traceId, last]);
    expect(buffer.spansOf(other)).toEqual([]);
  });

  it('evicts whole traces, oldest first, when over the span budget', () => {
    const buffer = new TraceBuffer({ maxTraces: 100, maxSpans: 10 });
    const tracer = tracerFor(buffer);
    const first = traceOf(tracer, 4);
    const second = traceOf(tracer, 4);
    expect(buffer.size).toBe(8);
    const third = traceOf(tracer, 4);
    expect(buffer.traceIds()).toEqual([second, third]);
    expect(buffer.spansOf(first)).toEqual([]);
    expect(buffer.size).toBe(8);
  });

  it('keeps the most recent spans of a trace that alone is over the span budget', () => {
    const buffer = new TraceBuffer({ maxSpans: 3 });
    const tracer = tracerFor(buffer);
    const traceId = traceOf(tracer, 5);
    expect(buffer.size).toBe(3);
    // The spans that ended last: two children and the root.
    expect(buffer.spansOf(traceId).map((span) => span.name)).toEqual(
      expect.arrayContaining(['root', 'child.3', 'child.4']),
    );
  });

  it('keeps only the traces keepTrace accepts, with their earlier spans; others cannot push them out', () => {
    const buffer = new TraceBuffer({
      maxTraces: 2,
      maxPendingTraces: 3,
      maxPendingSpans: 2,
      keepTrace: (span) => span.name.startsWith('journey.'),
    });
    const tracer = tracerFor(buffer);
    // A flow: the request's own spans end first, then the journey's, then the request.
    const request = tracer.startSpan('http.request');
    const parent = trace.setSpan(ROOT_CONTEXT, request);
    tracer.startSpan('authenticate', {}, parent).end();
    tracer.startSpan('journey.data_mash_flow', {}, parent).end();
    request.end();
    const flow = request.spanContext().traceId;
    // Many requests that start no journey: they wait, bounded, and never evict the flow.
    const others = Array.from({ length: 50 }, () => traceOf(tracer, 4));
    expect(buffer.traceIds()).toEqual([flow]);
    expect(
      buffer
        .spansOf(flow)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['authenticate', 'http.request', 'journey.data_mash_flow']);
    expect(buffer.size).toBe(3);
    expect(others.every((traceId) => buffer.spansOf(traceId).length === 0)).toBe(true);
    // A waiting trace that turns out to matter is kept with at most maxPendingSpans of its earlier spans.
    const late = tracer.startSpan('http.request');
    const lateParent = trace.setSpan(ROOT_CONTEXT, late);
    for (let index = 0; index < 4; index += 1) tracer.startSpan(`step.${index}`, {}, lateParent).end();
    tracer.startSpan('journey.data_mash_flow', {}, lateParent).end();
    late.end();
    expect(
      buffer
        .spansOf(late.spanContext().traceId)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['http.request', 'journey.data_mash_flow', 'step.2', 'step.3']);
    expect(buffer.traceIds()).toEqual([flow, late.spanContext().traceId]);
  });

  it('refuses bounds that are not positive integers, and forgets everything on shutdown', async () => {
    expect(() => new TraceBuffer({ maxTraces: 0 })).toThrow(RangeError);
    expect(() => new TraceBuffer({ maxSpans: 1.5 })).toThrow(/maxSpans/);
    const buffer = new TraceBuffer();
    traceOf(tracerFor(buffer), 2);
    await buffer.shutdown();
    expect(buffer.size).toBe(0);
    expect(buffer.traceIds()).toEqual([]);
  });
});

describe('installTraceBuffer', () => {
  let uninstall: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await uninstall?.();
    uninstall = undefined;
  });

  it("keeps withSpan's spans, parented across await, until uninstalled", async () => {
    const installed = installTraceBuffer();
    uninstall = installed.uninstall;
    const traceId = await withSpan('outer', { 'file.rows': 3 }, async (outer) => {
      await withSpan('inner', async () => {
        await new Promise((resolve) => setTimeout(resolve, 2));
      });
      return outer.spanContext().traceId;
    });
    const spans = installed.buffer.spansOf(traceId);
    const outer = spans.find((span) => span.name === 'outer');
    expect(spans).toHaveLength(2);
    expect(spans.find((span) => span.name === 'inner')?.parentSpanId).toBe(outer?.spanId);
    expect(outer?.attributes).toMatchObject({ 'file.rows': 3 });
    await installed.uninstall();
    uninstall = undefined;
    // Uninstalled: spans are no longer recorded (and a recorder may now be installed).
    withSpan('after', () => undefined);
    expect(installed.buffer.size).toBe(0);
    const recorder = installObservabilityRecorder();
    await recorder.uninstall();
  });

  it('throws when a provider is already registered, leaving it in place', async () => {
    const recorder = installObservabilityRecorder();
    uninstall = () => recorder.uninstall();
    expect(() => installTraceBuffer()).toThrow(/installTraceBuffer: .*already registered/);
    withSpan('still.recorded', () => undefined);
    expect(recorder.span('still.recorded').ended).toBe(true);
  });
});
