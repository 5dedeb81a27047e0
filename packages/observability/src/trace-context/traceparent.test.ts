import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSpanId, generateTraceId, isValidSpanId, isValidTraceId, normalizeTraceId } from './ids.js';
import { formatTraceParent, MAX_TRACE_HEADER_LENGTH, parseTraceParent } from './traceparent.js';

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const validTraceId = hex(32).filter((id) => id !== '0'.repeat(32));
const validSpanId = hex(16).filter((id) => id !== '0'.repeat(16));

describe('ids', () => {
  it('generates W3C-valid, distinct trace and span ids', () => {
    const traceIds = new Set(Array.from({ length: 2000 }, generateTraceId));
    const spanIds = new Set(Array.from({ length: 2000 }, generateSpanId));
    expect(traceIds.size).toBe(2000);
    expect(spanIds.size).toBe(2000);
    for (const id of traceIds) expect(isValidTraceId(id)).toBe(true);
    for (const id of spanIds) expect(isValidSpanId(id)).toBe(true);
  });

  it('refuses all-zero, uppercase, short, long and non-hex ids', () => {
    for (const bad of [
      '0'.repeat(32),
      'A'.repeat(32),
      'a'.repeat(31),
      'a'.repeat(33),
      `${'a'.repeat(31)}g`,
      42,
      null,
    ]) {
      expect(isValidTraceId(bad)).toBe(false);
    }
    for (const bad of ['0'.repeat(16), 'a'.repeat(15), `${'a'.repeat(15)}-`]) expect(isValidSpanId(bad)).toBe(false);
  });

  it('normalizes lenient trace ids to lowercase and refuses everything else', () => {
    expect(normalizeTraceId(' 4BF92F3577B34DA6A3CE929D0E0E4736 ')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(normalizeTraceId('4bf92f35-77b3-4da6-a3ce-929d0e0e4736')).toBeUndefined();
    expect(normalizeTraceId('0'.repeat(32))).toBeUndefined();
    expect(normalizeTraceId(`${' '.repeat(40)}${'a'.repeat(32)}`)).toBeUndefined();
  });
});

describe('parseTraceParent', () => {
  it('parses the W3C example', () => {
    expect(parseTraceParent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toEqual({
      ok: true,
      value: {
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        parentSpanId: '00f067aa0ba902b7',
        traceFlags: 1,
        sampled: true,
      },
    });
  });

  it.each([
    ['', 'malformed'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7', 'malformed'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', 'malformed'],
    ['ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'unsupported-version'],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'invalid-trace-id'],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', 'invalid-trace-id'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', 'invalid-span-id'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g', 'malformed'],
    ['00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01', 'malformed'],
    ['zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'malformed'],
    [`00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01${' '.repeat(MAX_TRACE_HEADER_LENGTH)}`, 'oversized'],
  ])('refuses %j as %s', (header, reason) => {
    expect(parseTraceParent(header)).toEqual({ ok: false, reason });
  });

  it('accepts later versions with extra fields, and ignores the extra fields', () => {
    const parsed = parseTraceParent('cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-what-the-future-holds');
    expect(parsed).toMatchObject({ ok: true, value: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', sampled: false } });
  });

  it('round-trips every valid trace context through format and parse', () => {
    fc.assert(
      fc.property(validTraceId, validSpanId, fc.boolean(), (traceId, spanId, sampled) => {
        const parsed = parseTraceParent(formatTraceParent({ traceId, spanId, sampled }));
        expect(parsed).toEqual({
          ok: true,
          value: { traceId, parentSpanId: spanId, sampled, traceFlags: sampled ? 1 : 0 },
        });
      }),
    );
  });

  it('never accepts a value whose ids are invalid, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (header) => {
        const parsed = parseTraceParent(header);
        if (parsed.ok) {
          expect(isValidTraceId(parsed.value.traceId)).toBe(true);
          expect(isValidSpanId(parsed.value.parentSpanId)).toBe(true);
          expect(header.length).toBeLessThanOrEqual(MAX_TRACE_HEADER_LENGTH);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a valid header with any one character replaced by one outside the grammar', () => {
    fc.assert(
      fc.property(
        validTraceId,
        validSpanId,
        fc.nat(54),
        fc.constantFrom('G', 'Z', '-', ' ', 'A', '\n'),
        (traceId, spanId, at, char) => {
          const header = formatTraceParent({ traceId, spanId });
          const mutated = header.slice(0, at) + char + header.slice(at + 1);
          const parsed = parseTraceParent(mutated);
          const separator = at === 2 || at === 35 || at === 52;
          if (mutated === header || (separator && char === '-')) return;
          expect(parsed.ok).toBe(false);
        },
      ),
    );
  });

  it('refuses to format invalid ids', () => {
    expect(() => formatTraceParent({ traceId: '0'.repeat(32), spanId: generateSpanId() })).toThrow(TypeError);
    expect(() => formatTraceParent({ traceId: generateTraceId(), spanId: 'nope' })).toThrow(TypeError);
  });
});
