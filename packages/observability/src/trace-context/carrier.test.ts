import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractTraceContext, extractTraceId, injectTraceHeaders } from './carrier.js';
import { isValidSpanId, isValidTraceId } from './ids.js';
import { parseTraceParent } from './traceparent.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const OTHER_TRACE_ID = 'aaaabbbbccccddddeeeeffff00001111';
const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('extractTraceContext', () => {
  it('prefers traceparent, then X-Trace-ID, then traceId, then trace_id', () => {
    const all = { headers: { traceparent: TRACEPARENT, 'x-trace-id': OTHER_TRACE_ID }, traceId: OTHER_TRACE_ID };
    expect(extractTraceContext(all)).toMatchObject({
      traceId: TRACE_ID,
      source: 'traceparent',
      parentSpanId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(extractTraceContext({ headers: { 'X-Trace-ID': OTHER_TRACE_ID }, traceId: TRACE_ID })).toMatchObject({
      traceId: OTHER_TRACE_ID,
      source: 'x-trace-id',
    });
    expect(extractTraceContext({ traceId: TRACE_ID, trace_id: OTHER_TRACE_ID })).toMatchObject({
      traceId: TRACE_ID,
      source: 'traceId',
    });
    expect(extractTraceContext({ trace_id: OTHER_TRACE_ID })).toMatchObject({
      traceId: OTHER_TRACE_ID,
      source: 'trace_id',
    });
  });

  it('reads fetch Headers and header names in any case', () => {
    expect(extractTraceId({ headers: new Headers({ TraceParent: TRACEPARENT }) })).toBe(TRACE_ID);
    expect(extractTraceId({ headers: { TRACEPARENT } })).toBe(TRACE_ID);
  });

  it('skips an invalid source, records why, and uses the next valid one', () => {
    const result = extractTraceContext({
      headers: { traceparent: 'garbage', 'x-trace-id': 'nothex!' },
      trace_id: TRACE_ID,
    });
    expect(result).toMatchObject({ traceId: TRACE_ID, source: 'trace_id' });
    expect(result.rejected).toEqual([
      { source: 'traceparent', reason: 'malformed' },
      { source: 'x-trace-id', reason: 'invalid-trace-id' },
    ]);
  });

  it('generates a fresh id when nothing is usable, and never propagates a refused value', () => {
    const hostile = {
      headers: { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 'x-trace-id': 'a'.repeat(10_000) },
      traceId: { toString: () => TRACE_ID },
      trace_id: 12345,
    };
    const result = extractTraceContext(hostile);
    expect(result.source).toBe('generated');
    expect(isValidTraceId(result.traceId)).toBe(true);
    expect(result.rejected.map((entry) => entry.reason)).toEqual([
      'invalid-trace-id',
      'oversized',
      'malformed',
      'malformed',
    ]);
  });

  it('refuses duplicated trace headers as ambiguous', () => {
    const result = extractTraceContext({
      headers: { traceparent: [TRACEPARENT, TRACEPARENT], 'x-trace-id': [OTHER_TRACE_ID] },
    });
    expect(result).toMatchObject({ traceId: OTHER_TRACE_ID, source: 'x-trace-id' });
    expect(result.rejected).toEqual([{ source: 'traceparent', reason: 'ambiguous' }]);
  });

  it('does not read inherited properties as headers', () => {
    const headers = Object.create({ traceparent: TRACEPARENT }) as Record<string, string>;
    expect(extractTraceContext({ headers }).source).toBe('generated');
  });

  it('handles missing carriers and headers', () => {
    for (const carrier of [undefined, null, {}, { headers: null }, { headers: {} }]) {
      const result = extractTraceContext(carrier);
      expect(result.source).toBe('generated');
      expect(result.rejected).toEqual([]);
    }
  });

  it('always returns a valid trace id, and a carrier value only when it is valid (property)', () => {
    const hex = (length: number) =>
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });
    const value = fc.oneof(
      fc.string({ maxLength: 80 }),
      hex(32),
      fc.tuple(hex(32), hex(16)).map(([trace, span]) => `00-${trace}-${span}-01`),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(value, value, value, value, (traceparent, xTraceId, traceId, trace_id) => {
        const result = extractTraceContext({ headers: { traceparent, 'x-trace-id': xTraceId }, traceId, trace_id });
        expect(isValidTraceId(result.traceId)).toBe(true);
        const given = { traceparent, 'x-trace-id': xTraceId, traceId, trace_id }[result.source as string];
        if (result.source === 'generated') return;
        if (result.source === 'traceparent') expect(parseTraceParent(given as string).ok).toBe(true);
        else expect((given as string).trim().toLowerCase()).toBe(result.traceId);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('injectTraceHeaders', () => {
  it('writes traceparent and X-Trace-ID into a plain object', () => {
    const headers = injectTraceHeaders({}, { traceId: TRACE_ID, spanId: '00f067aa0ba902b7' });
    expect(headers).toEqual({ traceparent: TRACEPARENT, 'x-trace-id': TRACE_ID });
  });

  it('writes into fetch Headers and Node-style responses', () => {
    const fetchHeaders = injectTraceHeaders(new Headers(), { traceId: TRACE_ID, sampled: false });
    expect(fetchHeaders.get('x-trace-id')).toBe(TRACE_ID);
    expect(fetchHeaders.get('traceparent')).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));

    const written = new Map<string, string>();
    injectTraceHeaders({ setHeader: (name: string, value: string) => written.set(name, value) }, { traceId: TRACE_ID });
    expect(written.get('x-trace-id')).toBe(TRACE_ID);
    expect(isValidSpanId(written.get('traceparent')?.slice(36, 52))).toBe(true);
  });

  it('round-trips through extract', () => {
    const headers = injectTraceHeaders({}, { traceId: TRACE_ID });
    expect(extractTraceContext({ headers })).toMatchObject({ traceId: TRACE_ID, source: 'traceparent' });
  });

  it('refuses to write an invalid trace or span id', () => {
    expect(() => injectTraceHeaders({}, { traceId: 'abc' })).toThrow(TypeError);
    expect(() => injectTraceHeaders({}, { traceId: TRACE_ID, spanId: '0'.repeat(16) })).toThrow(TypeError);
  });
});
