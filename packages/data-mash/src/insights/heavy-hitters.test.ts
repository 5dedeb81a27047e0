import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeavyHitters, type HeavyKey } from './heavy-hitters.js';
import { hash32 } from './hyperloglog.js';

// Skewed streams: value i drawn with weight 1 / (i + 1)^skew among `values` values.
const streams = fc
  .record({
    values: fc.integer({ min: 1, max: 400 }),
    skew: fc.double({ min: 0, max: 2, noNaN: true }),
    length: fc.integer({ min: 1, max: 6000 }),
    seed: fc.integer(),
  })
  .map(({ values, skew, length, seed }) => {
    const weights = Array.from({ length: values }, (_, index) => 1 / (index + 1) ** skew);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let state = seed | 1;
    const stream: string[] = [];
    for (let index = 0; index < length; index += 1) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      let pick = ((state >>> 0) / 2 ** 32) * total;
      let value = 0;
      while (value < values - 1 && pick >= (weights[value] as number)) {
        pick -= weights[value] as number;
        value += 1;
      }
      stream.push(`v${value}`);
    }
    return stream;
  });

const idOf = (text: string): HeavyKey<string> => ({ key: text, check: 0, hash: hash32(text) });

function summarise(stream: readonly string[], capacity: number): HeavyHitters<string> {
  const summary = new HeavyHitters<string>(capacity);
  for (const value of stream) if (summary.offer(idOf(value))) summary.take(value, value, 0);
  return summary;
}

function truthOf(stream: readonly string[]): Map<string, number> {
  const truth = new Map<string, number>();
  for (const value of stream) truth.set(value, (truth.get(value) ?? 0) + 1);
  return truth;
}

// What Space-Saving promises: every listed count brackets the truth, errors are at most n / k,
// and every value above n / k (plus the listing threshold) is listed.
function expectGuarantees(summary: HeavyHitters<string>, truth: Map<string, number>, total: number, capacity: number) {
  const minCount = Math.floor(total / 50);
  const listed = summary.top(capacity, minCount);
  for (const entry of listed) {
    const actual = truth.get(entry.value) ?? 0;
    expect(actual).toBeLessThanOrEqual(entry.count);
    expect(actual).toBeGreaterThanOrEqual(entry.count - entry.maxError);
    expect(actual).toBeGreaterThanOrEqual(minCount);
    expect(entry.maxError).toBeLessThanOrEqual(total / capacity);
  }
  const names = new Set(listed.map((entry) => entry.value));
  for (const [value, count] of truth) if (count >= minCount + total / capacity) expect(names.has(value)).toBe(true);
}

describe('HeavyHitters (Space-Saving)', () => {
  it('brackets every true count, within n / k, and lists every value above the threshold', () => {
    fc.assert(
      fc.property(streams, fc.integer({ min: 5, max: 60 }), (stream, capacity) => {
        const summary = summarise(stream, capacity);
        expect(summary.total).toBe(stream.length);
        expectGuarantees(summary, truthOf(stream), stream.length, capacity);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps the guarantees when summaries of parts are merged', () => {
    fc.assert(
      fc.property(
        streams,
        fc.integer({ min: 5, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (stream, capacity, cut) => {
          const at = Math.floor(stream.length * cut);
          const first = summarise(stream.slice(0, at), capacity);
          first.merge(summarise(stream.slice(at), capacity).state(), idOf);
          expect(first.total).toBe(stream.length);
          expectGuarantees(first, truthOf(stream), stream.length, capacity);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps its bounds on long streams of mostly unique values, where the filter skips most takeovers', () => {
    // 300,000 values: 'hot' 1 %, 'warm' 0.3 %, the rest unique; 100 counters.
    const stream: string[] = [];
    for (let index = 0; index < 300_000; index += 1)
      stream.push(index % 100 === 0 ? 'hot' : index % 333 === 1 ? 'warm' : `u${index}`);
    const summary = summarise(stream, 100);
    const truth = truthOf(stream);
    expectGuarantees(summary, truth, stream.length, 100);
    const listed = summary.top(10, 0.002 * stream.length).map((entry) => entry.value);
    expect(listed).toEqual(['hot', 'warm']);
  });

  it('counts values sharing a key into every error instead of into each other', () => {
    const summary = new HeavyHitters<number>(4);
    const offer = (check: number, text: string) => {
      if (summary.offer({ key: 7, check, hash: 7 })) summary.take(7, text, check);
    };
    for (let index = 0; index < 10; index += 1) offer(1, 'a');
    // 'b' hashes to the same key with another check: not counted as 'a'.
    for (let index = 0; index < 3; index += 1) offer(2, 'b');
    expect(summary.total).toBe(13);
    expect(summary.top(5, 0)).toEqual([{ value: 'a', count: 10, maxError: 3 }]);
  });
});
