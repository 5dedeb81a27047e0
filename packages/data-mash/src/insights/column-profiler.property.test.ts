import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnProfile } from './column-profile.js';
import { ColumnProfiler } from './column-profiler.js';

// Values of every shape the readers tell apart, padded with white space now and then.
const value = fc.oneof(
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((number) => number.toFixed(3)),
  fc.integer({ min: 0, max: 999 }).map((number) => String(number).padStart(5, '0')),
  fc.constantFrom('', 'NA', 'N/A', 'null', 'None', '-', '   '),
  fc.constantFrom('true', 'False', 'yes', 'no', 'T', 'f'),
  fc.constantFrom('inf', '-Infinity', '1e400', '-1E999', 'information'),
  fc.integer({ min: 1, max: 99_999 }).map((number) => `$${number.toLocaleString('en-US')}.50`),
  fc.integer({ min: 0, max: 100 }).map((number) => `${number}%`),
  fc.bigInt({ min: 2n ** 53n, max: 2n ** 60n }).map(String),
  fc
    .date({ min: new Date('1990-01-01'), max: new Date('2030-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  fc
    .record({ day: fc.integer({ min: 1, max: 28 }), month: fc.integer({ min: 1, max: 12 }) })
    .map(({ day, month }) => `${String(month).padStart(2, '0')}/${String(day).padStart(2, '0')}/2024`),
  fc.constantFrom('Jan 01 2024', 'March 5, 2023', '2024/02/29 10:00:00'),
  fc.stringMatching(/^[a-z]{1,6}( [a-z]{1,6}){0,3}$/),
);
const padded = fc
  .tuple(value, fc.constantFrom('', ' ', '\t'), fc.constantFrom('', ' '))
  .map(([text, before, after]) => `${before}${text}${after}`);

function viaText(values: readonly string[], limits: object): ColumnProfile {
  const profiler = new ColumnProfiler('c', limits);
  for (const text of values) profiler.add(text);
  return profiler.profile();
}

function viaBytes(values: readonly string[], limits: object): ColumnProfile {
  const profiler = new ColumnProfiler('c', limits);
  for (const text of values) {
    const bytes = Buffer.from(`,${text},`, 'utf8');
    profiler.addBytes(bytes, 1, bytes.length - 1, (from, start, end) => (from as Buffer).toString('utf8', start, end));
  }
  return profiler.profile();
}

function viaParts(values: readonly string[], limits: object, cut: number): ColumnProfile {
  const first = new ColumnProfiler('c', limits);
  const second = new ColumnProfiler('c', limits);
  values.forEach((text, index) => {
    (index < cut ? first : second).add(text);
  });
  const merged = new ColumnProfiler('c', limits);
  merged.merge(first.state());
  merged.merge(second.state());
  return merged.profile();
}

// The figures that must agree exactly, and the moments to rounding.
function exactFigures(profile: ColumnProfile) {
  const { numeric, dates } = profile;
  return {
    type: profile.type,
    physicalType: profile.physicalType,
    count: profile.count,
    nulls: profile.nulls,
    other: profile.otherTypeValues,
    distinct: profile.distinctMethod === 'exact' ? profile.distinct : 'estimated',
    top: profile.topValuesMethod === 'exact' ? profile.topValues : 'estimated',
    boolean: profile.boolean,
    numeric: numeric && {
      count: numeric.count,
      min: numeric.min,
      max: numeric.max,
      exactMin: numeric.exactMin,
      exactMax: numeric.exactMax,
      zeros: numeric.zeros,
      negatives: numeric.negatives,
      infinite: numeric.infinite,
      unit: numeric.unit,
    },
    dates: dates && { min: dates.min, max: dates.max, precision: dates.precision, order: dates.order },
    text: profile.text && { min: profile.text.minLength, max: profile.text.maxLength },
  };
}

function expectClose(actual: number | null | undefined, expected: number | null | undefined) {
  if (expected === null || expected === undefined) return expect(actual).toBe(expected);
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

describe('ColumnProfiler readings agree whichever way values come', () => {
  it('gives the same figures from text, from bytes, and from merged parts, within and past the exact limit', () => {
    fc.assert(
      fc.property(
        fc.array(padded, { maxLength: 120 }),
        fc.constantFrom(4, 10_000),
        fc.nat(),
        (values, exactDistinct, cutSeed) => {
          const limits = { exactDistinct, topValuesCapacity: 8 };
          const reference = viaText(values, limits);
          const cut = values.length === 0 ? 0 : cutSeed % (values.length + 1);
          for (const other of [viaBytes(values, limits), viaParts(values, limits, cut)]) {
            expect(exactFigures(other)).toEqual(exactFigures(reference));
            expectClose(other.numeric?.mean, reference.numeric?.mean);
            expectClose(other.numeric?.stdDev, reference.numeric?.stdDev);
            expectClose(other.numeric?.sum, reference.numeric?.sum);
            expectClose(other.numeric?.skewness, reference.numeric?.skewness);
            expectClose(other.numeric?.kurtosis, reference.numeric?.kurtosis);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
