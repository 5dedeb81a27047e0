import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { installObservabilityRecorder } from '../testing/index.js';
import { currentSpanId, currentTraceId, runWithTraceContext, runWithTraceId } from './trace-scope.js';
import { withSpan } from './with-span.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

class CodedError extends Error {
  readonly code = 'VALIDATION_FAILED';
}

describe('withSpan with an SDK registered', () => {
  it('runs a sync function in an active span and returns its value', () => {
    const value = withSpan('sync.work', { 'file.rows': 3 }, (span) => {
      expect(currentSpanId()).toBe(span.spanContext().spanId);
      return 42;
    });
    expect(value).toBe(42);
    const span = recorder.span('sync.work');
    expect(span).toMatchObject({
      ended: true,
      attributes: { 'file.rows': 3 },
      status: { code: 'unset' },
      parentSpanId: undefined,
    });
    recorder.assertNoOpenSpans();
  });

  it('keeps the span open until an async function settles', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = withSpan('async.work', async () => {
      await gate;
      return 'done';
    });
    expect(recorder.openSpans().map((span) => span.name)).toEqual(['async.work']);
    release();
    await expect(running).resolves.toBe('done');
    recorder.assertNoOpenSpans();
  });

  it('nests spans as parent and children of one trace, across awaits', async () => {
    await withSpan('parent', async () => {
      await withSpan('child.a', async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        withSpan('grandchild', () => undefined);
      });
      await Promise.all([withSpan('child.b', async () => 1), withSpan('child.c', async () => 2)]);
    });
    const parent = recorder.span('parent');
    expect(
      recorder
        .childrenOf(parent)
        .map((span) => span.name)
        .sort(),
    ).toEqual(['child.a', 'child.b', 'child.c']);
    expect(recorder.span('grandchild').parentSpanId).toBe(recorder.span('child.a').spanId);
    expect(new Set(recorder.spans().map((span) => span.traceId))).toEqual(new Set([parent.traceId]));
    recorder.assertNoOpenSpans();
  });

  it('records a thrown error with status, exception event and error.type, and re-throws it unchanged', () => {
    const error = new CodedError('bad column');
    expect(() =>
      withSpan('sync.fail', () => {
        throw error;
      }),
    ).toThrow(error);
    const span = recorder.span('sync.fail');
    expect(span.status).toEqual({ code: 'error', message: 'bad column' });
    expect(span.attributes['error.type']).toBe('VALIDATION_FAILED');
    expect(span.events).toHaveLength(1);
    expect(span.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.type': 'Error', 'exception.message': 'bad column' },
    });
    recorder.assertNoOpenSpans();
  });

  it('records a rejection and passes it through', async () => {
    const failing = withSpan('async.fail', async () => {
      throw new TypeError('nope');
    });
    await expect(failing).rejects.toThrow(TypeError);
    expect(recorder.span('async.fail')).toMatchObject({
      status: { code: 'error' },
      attributes: { 'error.type': 'TypeError' },
    });
  });

  it('records non-Error throws', () => {
    expect(() =>
      withSpan('odd.throw', () => {
        throw 'plain string';
      }),
    ).toThrow('plain string');
    expect(recorder.span('odd.throw').status).toEqual({ code: 'error', message: 'plain string' });
  });

  it('ends each span exactly once, even when the function ends it itself', () => {
    withSpan('self.ended', (span) => span.end());
    expect(recorder.spans().filter((span) => span.name === 'self.ended')).toHaveLength(1);
    expect(recorder.diagnostics).toEqual([]);
  });

  it('redacts sensitive attributes and e-mails in attribute values and exception messages', () => {
    expect(() =>
      withSpan(
        'redacted',
        {
          'user.email': 'a@b.co',
          'http.request.header.authorization': 'Bearer abcdefghijk',
          note: 'mail me: jo@example.com',
        },
        () => {
          throw new Error('user jo@example.com not allowed');
        },
      ),
    ).toThrow();
    const span = recorder.span('redacted');
    expect(span.attributes).toEqual({
      'user.email': '[REDACTED]',
      'http.request.header.authorization': '[REDACTED]',
      note: 'mail me: [REDACTED]',
      'error.type': 'Error',
    });
    expect(span.status.message).toBe('user [REDACTED] not allowed');
    expect(JSON.stringify(span.events)).not.toContain('jo@example.com');
  });

  it('honours kind and root options', () => {
    withSpan('outer', () => withSpan('detached', {}, () => undefined, { root: true, kind: SpanKind.SERVER }));
    const detached = recorder.span('detached');
    expect(detached.kind).toBe('SERVER');
    expect(detached.parentSpanId).toBeUndefined();
    expect(detached.traceId).not.toBe(recorder.span('outer').traceId);
  });

  it('refuses a call without a function', () => {
    expect(() => withSpan('missing', {} as never)).toThrow(/a function to run is required/);
  });
});

describe('runWithTraceContext with an SDK registered', () => {
  it('makes spans inside carry the given trace id, under the caller span when known', async () => {
    await runWithTraceContext({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' }, async () => {
      expect(currentTraceId()).toBe(TRACE_ID);
      await withSpan('handler', async () => withSpan('inner', () => currentTraceId()));
    });
    const handler = recorder.span('handler');
    expect(handler).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7', parentIsRemote: true });
    expect(recorder.span('inner')).toMatchObject({ traceId: TRACE_ID, parentSpanId: handler.spanId });
  });

  it('keeps concurrent traces apart', async () => {
    const other = 'aaaabbbbccccddddeeeeffff00001111';
    const seen = await Promise.all(
      [TRACE_ID, other].map((traceId) =>
        runWithTraceId(traceId, async () => {
          await new Promise((resolve) => setTimeout(resolve, 2));
          return withSpan(`span.${traceId.slice(0, 4)}`, () => currentTraceId());
        }),
      ),
    );
    expect(seen).toEqual([TRACE_ID, other]);
    expect(recorder.span('span.4bf9').traceId).toBe(TRACE_ID);
    expect(recorder.span('span.aaaa').traceId).toBe(other);
  });

  it('passes an unsampled decision on to the spans inside', () => {
    runWithTraceContext({ traceId: TRACE_ID, sampled: false }, () => withSpan('unsampled', () => undefined));
    // The default sampler follows the parent: an unsampled caller means nothing is recorded.
    expect(recorder.spans().filter((span) => span.name === 'unsampled')).toEqual([]);
  });

  it('refuses invalid ids', () => {
    expect(() => runWithTraceId('not-a-trace', () => undefined)).toThrow(TypeError);
    expect(() => runWithTraceContext({ traceId: TRACE_ID, parentSpanId: 'zz' }, () => undefined)).toThrow(TypeError);
  });
});

describe('withSpan ending discipline (counting tracer)', () => {
  function countingTracer() {
    const ends: string[] = [];
    const tracer = {
      startSpan(name: string) {
        let recording = true;
        return {
          spanContext: () => ({ traceId: TRACE_ID, spanId: '00f067aa0ba902b7', traceFlags: 1 }),
          isRecording: () => recording,
          end: () => {
            ends.push(name);
            recording = false;
          },
          recordException: () => undefined,
          setStatus: () => undefined,
          setAttribute: () => undefined,
        };
      },
    };
    return { ends, tracer: tracer as never };
  }

  it.each([
    ['sync return', () => 1],
    [
      'sync throw',
      () => {
        throw new Error('x');
      },
    ],
    ['async resolve', async () => 1],
    [
      'async reject',
      async () => {
        throw new Error('x');
      },
    ],
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a Promise is the case under test
    ['thenable', () => ({ then: (resolve: (value: number) => void) => resolve(1) })],
  ])('ends once on %s', async (_label, fn) => {
    const { ends, tracer } = countingTracer();
    try {
      await withSpan('counted', undefined, fn as () => unknown, { tracer });
    } catch {
      // the failure paths re-throw by design
    }
    expect(ends).toEqual(['counted']);
  });
});
