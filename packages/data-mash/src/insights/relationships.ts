import { quantile } from './column-profiler.js';
import { addToPair, mergeMoments } from './correlation-set.js';

/** The co-moments of one pair of columns (one-pass form of Welford's method). */
export interface PairMoments {
  n: number;
  meanX: number;
  meanY: number;
  cxy: number;
  m2x: number;
  m2y: number;
}

/**
 * Pearson correlations between numeric columns in one pass: co-moments updated per row (the
 * pairwise form of Welford's method), so a file of any length needs memory only for the pairs.
 * A pair counts rows where both values are numbers.
 */
export class CorrelationAccumulator {
  readonly #columns: readonly string[];
  readonly #pairs: PairMoments[];

  constructor(columns: readonly string[]) {
    this.#columns = columns;
    this.#pairs = Array.from({ length: (columns.length * (columns.length - 1)) / 2 }, () => ({
      n: 0,
      meanX: 0,
      meanY: 0,
      cxy: 0,
      m2x: 0,
      m2y: 0,
    }));
  }

  /** Adds one row's numeric values (`undefined` or `NaN` where a value is missing or not a number). */
  add(values: ArrayLike<number | undefined>): void {
    let index = 0;
    for (let i = 0; i < this.#columns.length; i += 1) {
      for (let j = i + 1; j < this.#columns.length; j += 1) {
        const x = values[i];
        const y = values[j];
        const pair = this.#pairs[index] as PairMoments;
        index += 1;
        // biome-ignore lint/suspicious/noSelfCompare: x !== x is the allocation-free NaN test
        if (x === undefined || y === undefined || x !== x || y !== y) continue;
        addToPair(pair, x, y);
      }
    }
  }

  /** The co-moments of every pair, for merging elsewhere. */
  state(): { columns: string[]; pairs: PairMoments[] } {
    return { columns: [...this.#columns], pairs: this.#pairs.map((pair) => ({ ...pair })) };
  }

  /** Adds another accumulator's rows (same columns): co-moments merge by Chan's formula. */
  merge(state: { columns: readonly string[]; pairs: readonly PairMoments[] }): void {
    if (state.columns.join('\u0000') !== this.#columns.join('\u0000'))
      throw new RangeError('cannot merge correlations of other columns');
    this.#pairs.forEach((pair, index) => {
      const other = state.pairs[index] as PairMoments;
      if (other.n > 0) mergeMoments(pair, other);
    });
  }

  /** Every pair with its coefficient (-1 to 1), or `null` when a column is constant or too few rows. */
  correlations(): Array<{ a: string; b: string; pearson: number | null; rows: number }> {
    const out = [];
    let index = 0;
    for (let i = 0; i < this.#columns.length; i += 1) {
      for (let j = i + 1; j < this.#columns.length; j += 1) {
        const pair = this.#pairs[index] as PairMoments;
        index += 1;
        const denominator = Math.sqrt(pair.m2x * pair.m2y);
        out.push({
          a: this.#columns[i] as string,
          b: this.#columns[j] as string,
          pearson: pair.n < 3 || denominator === 0 ? null : Math.max(-1, Math.min(1, pair.cxy / denominator)),
          rows: pair.n,
        });
      }
    }
    return out;
  }
}

/** A value flagged as an outlier, by the row it came from. */
export interface Outlier {
  row: number;
  value: number;
  /** `iqr`: beyond 1.5 interquartile ranges of the quartiles; `robust_z`: |0.6745 (x - median) / MAD| above 3.5. */
  method: 'iqr' | 'robust_z';
  /** For `robust_z`, the score; for `iqr`, how many IQRs beyond the nearer quartile. */
  score: number;
}

/**
 * Outliers of a numeric column by Tukey's fences (outside Q1 - 1.5 IQR, Q3 + 1.5 IQR) and by the
 * robust z-score of Iglewicz and Hoaglin (modified z above 3.5, from the median and the median
 * absolute deviation). A value flagged by both is listed under each method.
 */
export function findOutliers(values: ReadonlyArray<{ row: number; value: number }>): Outlier[] {
  if (values.length < 4) return [];
  const sorted = values.map((entry) => entry.value).sort((a, b) => a - b);
  const q1 = quantile(sorted, 0.25);
  const q3 = quantile(sorted, 0.75);
  const iqr = q3 - q1;
  const median = quantile(sorted, 0.5);
  const deviations = sorted.map((value) => Math.abs(value - median)).sort((a, b) => a - b);
  const mad = quantile(deviations, 0.5);
  const outliers: Outlier[] = [];
  for (const { row, value } of values) {
    if (iqr > 0 && (value < q1 - 1.5 * iqr || value > q3 + 1.5 * iqr)) {
      outliers.push({
        row,
        value,
        method: 'iqr',
        score: Math.round(((value < q1 ? q1 - value : value - q3) / iqr) * 1000) / 1000,
      });
    }
    if (mad > 0) {
      const score = (0.6745 * (value - median)) / mad;
      if (Math.abs(score) > 3.5)
        outliers.push({ row, value, method: 'robust_z', score: Math.round(score * 1000) / 1000 });
    }
  }
  return outliers;
}
