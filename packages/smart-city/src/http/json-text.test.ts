import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonText } from './json-text.js';

describe('jsonText', () => {
  it('writes exactly what JSON.stringify writes, Dates of every year and invalid ones included', () => {
    const dates = [
      new Date(0),
      new Date('2026-11-29T13:55:53.648Z'),
      new Date('0099-01-02T03:04:05.006Z'),
      new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
      new Date(Date.UTC(10_000, 0, 1)),
      new Date(-62_198_755_200_000),
      new Date(Number.NaN),
    ];
    const value = {
      at: dates[1],
      dates,
      nested: { list: [1, 'two', null, undefined, () => 3, { when: dates[2], deep: [[dates[6]]] }], none: undefined },
      // A hole is written as null.
      sparse: Object.assign(new Array(3), { 0: 1, 2: 3 }),
      7: 'numeric key first',
      map: new Map([['a', 1]]),
      own: { toJSON: (key: string) => `own toJSON under '${key}'` },
      boxed: [new String('s'), new Number(2), new Boolean(false)],
    };
    for (const input of [value, ...dates, [dates], 'text', 42, null, undefined, true]) {
      expect(jsonText(input)).toBe(JSON.stringify(input));
    }
  });

  it('leaves Dates with a patched method, class instances and deep values to JSON.stringify', () => {
    const patched = new Date(0);
    patched.toISOString = () => 'patched';
    class Stamp {
      readonly at = new Date(1000);
    }
    let deep: unknown = { at: new Date(2000) };
    for (let level = 0; level < 100; level += 1) deep = { level, deep };
    const value = {
      patched,
      stamp: new Stamp(),
      deep,
      nullProto: Object.assign(Object.create(null), { d: new Date(3) }),
    };
    expect(jsonText(value)).toBe(JSON.stringify(value));
  });

  it('keeps a key named __proto__ as a key, and never changes its input', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}, "at": null}') as Record<string, unknown>;
    input.at = new Date(5);
    const text = jsonText(input);
    expect(text).toBe(JSON.stringify(input));
    expect(input.at).toBeInstanceOf(Date);
  });

  it('throws as JSON.stringify does for a cycle or a bigint', () => {
    const cyclic: Record<string, unknown> = { at: new Date(0) };
    cyclic.self = cyclic;
    expect(() => jsonText(cyclic)).toThrow(TypeError);
    expect(() => jsonText({ at: new Date(0), n: 1n })).toThrow(TypeError);
  });

  it('matches JSON.stringify on arbitrary values with Dates', () => {
    const date = fc.date({ noInvalidDate: false });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue(),
        date,
        fc.array(tie('node'), { maxLength: 5 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('node'), { maxKeys: 5 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (input) => {
        expect(jsonText(input)).toBe(JSON.stringify(input));
      }),
      { numRuns: 500 },
    );
  });

  it('falls back to JSON.stringify whole while Object.prototype has an enumerable property', () => {
    const value = { at: new Date(0), list: [{ b: 1 }] };
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      expect(jsonText(value)).toBe(JSON.stringify(value));
    } finally {
      delete (Object.prototype as { polluted?: unknown }).polluted;
    }
  });
});
