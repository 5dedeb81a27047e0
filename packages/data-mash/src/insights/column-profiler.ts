import { HyperLogLog } from './hyperloglog.js';

/** Limits of a {@link ColumnProfiler}. */
export interface ProfilerLimits {
  /** Distinct values counted exactly (and top values kept exactly) up to this many. Default 10,000. */
  exactDistinct?: number;
  /** Numeric values kept (uniform reservoir sample) for quantiles and histograms. Default 10,000. */
  sampleSize?: number;
  /** Histogram bins. Default 10. */
  bins?: number;
  /** Top values reported. Default 10. */
  topValues?: number;
}

/** The profile of one column. */
export interface ColumnProfile {
  name: string;
  count: number;
  nulls: number;
  distinct: number;
  /** `exact`, or `hyperloglog` (about 0.8 % standard error) past `exactDistinct` values. */
  distinctMethod: 'exact' | 'hyperloglog';
  /** Most frequent values with counts; exact while distinct values stayed within `exactDistinct`. */
  topValues: Array<{ value: string; count: number }>;
  numeric?: {
    count: number;
    min: number;
    max: number;
    mean: number;
    /** Sample standard deviation. */
    stdDev: number;
    median: number;
    quantiles: { p05: number; p25: number; p75: number; p95: number };
    histogram: Array<{ from: number; to: number; count: number }>;
    /** `exact`, or `sample` when quantiles and histogram come from a uniform sample. */
    quantileMethod: 'exact' | 'sample';
  };
  text?: { minLength: number; maxLength: number; meanLength: number };
}

const isNull = (value: unknown) =>
  value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/** Linear interpolation between closest ranks (the "type 7" quantile of R, NumPy and DuckDB's quantile_cont). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  return low + ((sorted[upper] as number) - low) * (position - lower);
}

/**
 * Profiles one column in a single pass with bounded memory: counts, nulls, distinct values (exact,
 * then HyperLogLog), top values, numeric moments (Welford), quantiles and histogram (exact, then
 * from a uniform reservoir sample), and text lengths.
 */
export class ColumnProfiler {
  readonly name: string;
  readonly #limits: Required<ProfilerLimits>;
  #count = 0;
  #nulls = 0;
  #counts: Map<string, number> | undefined = new Map();
  readonly #hll = new HyperLogLog();
  #numericCount = 0;
  #mean = 0;
  #m2 = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  readonly #sample: number[] = [];
  #textCount = 0;
  #lengthSum = 0;
  #minLength = Number.POSITIVE_INFINITY;
  #maxLength = 0;
  #seed = 0x2545f491;

  constructor(name: string, limits: ProfilerLimits = {}) {
    this.name = name;
    this.#limits = { exactDistinct: 10_000, sampleSize: 10_000, bins: 10, topValues: 10, ...limits };
  }

  #random(): number {
    // xorshift32: a deterministic sample, so the same file always gives the same profile.
    this.#seed ^= this.#seed << 13;
    this.#seed ^= this.#seed >>> 17;
    this.#seed ^= this.#seed << 5;
    return (this.#seed >>> 0) / 0x100000000;
  }

  /** Adds one value of the column. */
  add(value: unknown): void {
    this.#count += 1;
    if (isNull(value)) {
      this.#nulls += 1;
      return;
    }
    const text = typeof value === 'string' ? value : String(value);
    this.#hll.add(text);
    if (this.#counts) {
      this.#counts.set(text, (this.#counts.get(text) ?? 0) + 1);
      if (this.#counts.size > this.#limits.exactDistinct) this.#counts = undefined;
    }
    const number = toNumber(value);
    if (number !== undefined) {
      this.#numericCount += 1;
      const delta = number - this.#mean;
      this.#mean += delta / this.#numericCount;
      this.#m2 += delta * (number - this.#mean);
      if (number < this.#min) this.#min = number;
      if (number > this.#max) this.#max = number;
      if (this.#sample.length < this.#limits.sampleSize) this.#sample.push(number);
      else {
        const slot = Math.floor(this.#random() * this.#numericCount);
        if (slot < this.#limits.sampleSize) this.#sample[slot] = number;
      }
    } else {
      this.#textCount += 1;
      this.#lengthSum += text.length;
      if (text.length < this.#minLength) this.#minLength = text.length;
      if (text.length > this.#maxLength) this.#maxLength = text.length;
    }
  }

  /** The profile of what was added so far. */
  profile(): ColumnProfile {
    const exact = this.#counts !== undefined;
    const top = exact
      ? [...(this.#counts as Map<string, number>).entries()]
          .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
          .slice(0, this.#limits.topValues)
          .map(([value, count]) => ({ value, count }))
      : [];
    const profile: ColumnProfile = {
      name: this.name,
      count: this.#count,
      nulls: this.#nulls,
      distinct: exact ? (this.#counts as Map<string, number>).size : this.#hll.estimate(),
      distinctMethod: exact ? 'exact' : 'hyperloglog',
      topValues: top,
    };
    // A column is numeric when most of its non-null values are numbers.
    const nonNull = this.#count - this.#nulls;
    if (this.#numericCount > 0 && this.#numericCount >= nonNull * 0.9) {
      const sorted = [...this.#sample].sort((a, b) => a - b);
      const bins = this.#limits.bins;
      const width = (this.#max - this.#min) / bins || 1;
      const histogram = Array.from({ length: bins }, (_, index) => ({
        from: this.#min + index * width,
        to: this.#min + (index + 1) * width,
        count: 0,
      }));
      for (const value of sorted)
        (histogram[Math.min(bins - 1, Math.floor((value - this.#min) / width))] as { count: number }).count += 1;
      profile.numeric = {
        count: this.#numericCount,
        min: this.#min,
        max: this.#max,
        mean: this.#mean,
        stdDev: this.#numericCount > 1 ? Math.sqrt(this.#m2 / (this.#numericCount - 1)) : 0,
        median: quantile(sorted, 0.5),
        quantiles: {
          p05: quantile(sorted, 0.05),
          p25: quantile(sorted, 0.25),
          p75: quantile(sorted, 0.75),
          p95: quantile(sorted, 0.95),
        },
        histogram,
        quantileMethod: this.#numericCount <= this.#limits.sampleSize ? 'exact' : 'sample',
      };
    } else if (this.#textCount > 0) {
      profile.text = {
        minLength: this.#minLength,
        maxLength: this.#maxLength,
        meanLength: this.#lengthSum / this.#textCount,
      };
    }
    return profile;
  }
}
