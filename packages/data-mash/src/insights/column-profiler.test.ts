import { describe, expect, it } from 'vitest';
import { ColumnProfiler, quantile } from './column-profiler.js';
import { HyperLogLog } from './hyperloglog.js';

function profileOf(values: unknown[], limits = {}) {
  const profiler = new ColumnProfiler('c', limits);
  for (const value of values) profiler.add(value);
  return profiler.profile();
}

describe('ColumnProfiler', () => {
  it('matches hand-computed statistics on 1..100 (as strings, with nulls)', () => {
    const values: unknown[] = [...Array.from({ length: 100 }, (_, index) => String(index + 1)), '', null];
    const profile = profileOf(values);
    expect(profile).toMatchObject({ count: 102, nulls: 2, distinct: 100, distinctMethod: 'exact' });
    const numeric = profile.numeric;
    expect(numeric?.mean).toBeCloseTo(50.5, 10);
    // Sample standard deviation of 1..100: sqrt(100 * 101 / 12) = 29.011491975882016.
    expect(numeric?.stdDev).toBeCloseTo(29.011491975882016, 10);
    expect(numeric).toMatchObject({ min: 1, max: 100, median: 50.5, quantileMethod: 'exact' });
    // Type 7 quantiles: 1 + 99q.
    expect(numeric?.quantiles).toEqual({ p05: 5.95, p25: 25.75, p75: 75.25, p95: 95.05 });
    expect(numeric?.histogram.map((bin) => bin.count)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10]);
  });

  it('reports top values and text lengths for text columns', () => {
    const profile = profileOf(['red', 'blue', 'red', 'green', 'red', 'blue']);
    expect(profile.topValues).toEqual([
      { value: 'red', count: 3 },
      { value: 'blue', count: 2 },
      { value: 'green', count: 1 },
    ]);
    // red ×3 (3), blue ×2 (4), green (5): 22 characters over 6 values.
    expect(profile.text).toEqual({ minLength: 3, maxLength: 5, meanLength: 22 / 6, keywords: [] });
    expect(profile.numeric).toBeUndefined();
  });

  it('switches to HyperLogLog past the exact limit, within a few percent', () => {
    const values = Array.from({ length: 50_000 }, (_, index) => `user-${index}`);
    const profile = profileOf(values, { exactDistinct: 1000 });
    expect(profile.distinctMethod).toBe('hyperloglog');
    expect(Math.abs(profile.distinct - 50_000) / 50_000).toBeLessThan(0.03);
    // Every value is distinct: none is frequent enough to list.
    expect(profile.topValuesMethod).toBe('estimate');
    expect(profile.topValues).toEqual([]);
  });

  it('still finds the frequent values among many distinct ones, with counts within their stated error', () => {
    // 'popular' is 10 % of 60,000 values; every other value is unique.
    const values = Array.from({ length: 60_000 }, (_, index) => (index % 10 === 0 ? 'popular' : `v-${index}`));
    const profile = profileOf(values, { exactDistinct: 1000 });
    expect(profile.topValuesMethod).toBe('estimate');
    expect(profile.topValues).toHaveLength(1);
    const [top] = profile.topValues;
    expect(top?.value).toBe('popular');
    expect(top?.count).toBeGreaterThanOrEqual(6000);
    expect((top?.count ?? 0) - (top?.maxError ?? 0)).toBeLessThanOrEqual(6000);
    expect(top?.maxError).toBeLessThanOrEqual(60_000 / 2000);
  });

  it('never lists a rare value of a high-cardinality column first, nor overstates it (issue 14, point 7)', () => {
    // 200,000 rows: 'Springfield' 0.27 %, 'Riverside' 2 %, 'Franklin' 1 %, every other city unique.
    // A 500-value sample once listed a 0.27 % city first with 4x its count.
    const values: string[] = [];
    for (let index = 0; index < 200_000; index += 1) {
      const slot = (index * 7919) % 1000;
      values.push(slot < 20 ? 'Riverside' : slot < 30 ? 'Franklin' : slot < 32 ? 'Springfield' : `city-${index}`);
    }
    const truth = new Map<string, number>();
    for (const value of values) truth.set(value, (truth.get(value) ?? 0) + 1);
    const profile = profileOf(values, { exactDistinct: 1000 });
    expect(profile.topValues.map((entry) => entry.value)).toEqual(['Riverside', 'Franklin', 'Springfield']);
    for (const entry of profile.topValues) {
      const actual = truth.get(entry.value) as number;
      expect(actual).toBeLessThanOrEqual(entry.count);
      expect(actual).toBeGreaterThanOrEqual(entry.count - (entry.maxError ?? 0));
      // Never a value under the stated share (0.1 %).
      expect(actual).toBeGreaterThanOrEqual(0.001 * 200_000);
    }
  });

  it('estimates quantiles from a uniform sample past the sample size', () => {
    const values = Array.from({ length: 200_000 }, (_, index) => (index * 7919) % 200_000);
    const profile = profileOf(values, { sampleSize: 5000 });
    expect(profile.numeric?.quantileMethod).toBe('sample');
    expect(profile.numeric?.mean).toBeCloseTo(99_999.5, 6);
    expect(Math.abs((profile.numeric?.median ?? 0) - 100_000) / 200_000).toBeLessThan(0.03);
    expect(profile.numeric?.min).toBe(0);
    expect(profile.numeric?.max).toBe(199_999);
  });

  it('handles empty and all-null columns', () => {
    expect(profileOf([])).toMatchObject({ count: 0, nulls: 0, distinct: 0 });
    expect(profileOf([null, ' '])).toMatchObject({ count: 2, nulls: 2, distinct: 0, topValues: [] });
  });
});

describe('quantile and HyperLogLog', () => {
  it('interpolates between closest ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10], 0.9)).toBe(10);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('counts small and large sets of distinct values', () => {
    for (const size of [10, 1000, 200_000]) {
      const sketch = new HyperLogLog();
      for (let index = 0; index < size; index += 1) sketch.add(`value-${index}`);
      for (let index = 0; index < size; index += 1) sketch.add(`value-${index}`);
      expect(Math.abs(sketch.estimate() - size) / size).toBeLessThan(size < 100 ? 0.1 : 0.03);
    }
  });
});
