import { describe, expect, it } from 'vitest';
import { CorrelationAccumulator, findOutliers } from './relationships.js';

describe('CorrelationAccumulator', () => {
  it('matches hand-computed Pearson coefficients, skipping rows with a missing value', () => {
    const accumulator = new CorrelationAccumulator(['x', 'double', 'inverse', 'noise', 'constant']);
    const noise = [3, -1, 4, 1, -5, 9, 2, -6];
    for (let index = 0; index < 8; index += 1) accumulator.add([index, index * 2 + 1, -index, noise[index], 7]);
    accumulator.add([100, undefined, undefined, undefined, 7]);
    const byPair = Object.fromEntries(accumulator.correlations().map((entry) => [`${entry.a}~${entry.b}`, entry]));
    expect(byPair['x~double']).toMatchObject({ pearson: 1, rows: 8 });
    expect(byPair['x~inverse']?.pearson).toBeCloseTo(-1, 12);
    expect(byPair['x~constant']).toMatchObject({ pearson: null, rows: 9 });
    // By hand: x = 0..7 (mean 3.5), noise (mean 0.875): sum of co-deviations -19.5, sums of squares 42 and 166.875.
    expect(byPair['x~noise']?.pearson).toBeCloseTo(-19.5 / Math.sqrt(42 * 166.875), 12);
  });
});

describe('findOutliers', () => {
  it('flags values beyond Tukey fences and by robust z-score, with their rows', () => {
    const values = [10, 12, 11, 13, 12, 11, 10, 12, 95, 11].map((value, row) => ({ row, value }));
    const outliers = findOutliers(values);
    expect(outliers.map((outlier) => [outlier.row, outlier.method])).toEqual([
      [8, 'iqr'],
      [8, 'robust_z'],
    ]);
    expect(findOutliers([1, 1, 1, 1].map((value, row) => ({ row, value })))).toEqual([]);
    expect(findOutliers([{ row: 0, value: 5 }])).toEqual([]);
  });
});
