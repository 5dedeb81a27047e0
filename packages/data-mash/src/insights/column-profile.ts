import type { PiiType } from '@platform/smart-city';
import { type ColumnType, decideColumnType, physicalTypeOf } from './column-type.js';
import type { DateAccumulator, DateAccumulatorState, DateOrder, DateProfile } from './dates.js';
import type { HeavyHitters, HeavyHittersState } from './heavy-hitters.js';
import type { KeywordCounter } from './keywords.js';
import type { NumberSummary, NumberSummaryState } from './number-summary.js';

/** Limits and reading rules of a {@link ColumnProfiler}. */
export interface ProfilerLimits {
  /** Distinct values counted exactly (and top values kept exactly) up to this many. Default 10,000. */
  exactDistinct?: number;
  /** Numeric values kept (uniform reservoir sample) for quantiles and histograms. Default 10,000. */
  sampleSize?: number;
  /** Histogram bins. Default 10. */
  bins?: number;
  /** Top values reported. Default 10. */
  topValues?: number;
  /** The first text values (of at least two words) whose words are counted for keywords. Default 5,000. */
  keywordValues?: number;
  /**
   * Counters of the Space-Saving summary of top values past `exactDistinct`: a count is over
   * by at most (non-null values / this). Default 2,000 (0.05 %).
   */
  topValuesCapacity?: number;
  /**
   * Past `exactDistinct`, a value is listed among the top values only when its count is surely
   * (count minus its possible error) at least this share of the non-null values. Default 0.001.
   */
  topValuesMinShare?: number;
  /** Values read as null besides empty ones. Default {@link DEFAULT_NULL_TOKENS}; `[]` for none. */
  nullTokens?: readonly string[];
}

/** Physical storage types (the semantic layer's `PhysicalType`). */
export type PhysicalType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'string';

/** The figures of a column's numbers. */
export interface NumericProfile {
  count: number;
  min: number;
  max: number;
  /**
   * The exact min and max as decimal text, present when a value is written as an integer beyond
   * +-2^53 (where `min`/`max` are rounded doubles). Values beyond 2^53 written otherwise (`1e20`,
   * `1.5e17`) count as their double.
   */
  exactMin?: string;
  exactMax?: string;
  mean: number;
  /** Sample standard deviation (n - 1) and variance. */
  stdDev: number;
  variance: number;
  /** Compensated (Neumaier) sum. */
  sum: number;
  /** Sample skewness (G1) and excess kurtosis (G2), as DuckDB and pandas define them; null when undefined. */
  skewness: number | null;
  kurtosis: number | null;
  zeros: number;
  negatives: number;
  /** Infinite values (`inf`, `-Infinity`, `1e400`), left out of every other figure. */
  infinite: number;
  median: number;
  quantiles: { p05: number; p25: number; p75: number; p95: number };
  /** p75 - p25. */
  iqr: number;
  /** Median absolute deviation from the median. */
  mad: number;
  /**
   * Equal-width bins. Over min to max, unless far outliers (beyond 3 IQR from the quartiles)
   * would squeeze the rest into one bin: then over the values within those fences, with the
   * values beyond counted in `histogramOutside`.
   */
  histogram: Array<{ from: number; to: number; count: number }>;
  histogramOutside?: { below: number; above: number };
  /** `exact`, or `sample` when quantiles and histogram come from a uniform sample. */
  quantileMethod: 'exact' | 'sample';
  /** The unit at least 90 % of the numbers were written with (`%`, `$`, `€`...). */
  unit?: string;
}

/** The profile of one column. */
export interface ColumnProfile {
  name: string;
  /** The column's one type, shared by the profile, the semantic phase and the report. */
  type: ColumnType;
  /** How its values are stored: `integer` for integer ids, `string` for codes and text. */
  physicalType: PhysicalType;
  count: number;
  nulls: number;
  /** Non-null values that do not fit `type` (text in a number column...): a mixed-types alert. */
  otherTypeValues: number;
  /**
   * Values a spreadsheet would run as a formula (text starting with `=`, `+`, `-`, `@`, a tab or
   * a CR; numbers such as `-5` excepted): a formula-injection alert.
   */
  formulaValues: number;
  distinct: number;
  /** `exact`, or `hyperloglog` (0.81 % standard error, unbiased) past `exactDistinct` values. */
  distinctMethod: 'exact' | 'hyperloglog';
  /**
   * Most frequent values with counts: exact while distinct values stayed within `exactDistinct`;
   * past that (`estimate`), from a Space-Saving summary: the true count lies within
   * `[count - maxError, count]`, and only values whose share is surely at least
   * `topValuesMinShare` are listed.
   */
  topValues: Array<{ value: string; count: number; maxError?: number }>;
  topValuesMethod: 'exact' | 'estimate';
  numeric?: NumericProfile;
  /** Counts of true and false values (a boolean column). */
  boolean?: { true: number; false: number };
  /** Present when at least 90 % of the non-null values are dates or date-times. */
  dates?: DateProfile;
  /**
   * The kind of personal data the column holds (`email`, `card_number`...), when classification
   * found one: its top values and first-row cells are then tokens (`[email]`), and its figures,
   * dates and words are left out.
   */
  pii?: PiiType;
  /** Lengths of the values that are not numbers, and the top content words of multi-word values. */
  text?: {
    minLength: number;
    maxLength: number;
    meanLength: number;
    keywords: Array<{ word: string; count: number }>;
  };
}

/** A {@link ColumnProfiler}'s accumulated state as plain data: what a worker thread sends back to be merged. */
export interface ColumnProfilerState {
  /** Distinct values were keyed by their bytes (see {@link ColumnProfiler.addBytes}). */
  byteMode: boolean;
  count: number;
  nulls: number;
  counts: Array<[string, number]> | null;
  heavy: HeavyHittersState | null;
  hll: Uint8Array;
  numbers: NumberSummaryState;
  codes: number;
  formulas: number;
  booleans: [number, number];
  values: string[];
  textCount: number;
  spaced: number;
  lengthSum: number;
  minLength: number;
  maxLength: number;
  /** Dates read the same in both orders, and the readings of `d/m/yyyy` values day first and month first. */
  dates: DateAccumulatorState;
  dayFirst: DateAccumulatorState;
  monthFirst: DateAccumulatorState;
  dayFirstOnly: number;
  monthFirstOnly: number;
  ambiguous: number;
  keywords: Array<[string, number]>;
  keywordBudget: number;
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

/** What a column profiler hands over to have its profile made. */
export interface ProfileInput {
  name: string;
  limits: Required<ProfilerLimits>;
  count: number;
  nulls: number;
  exact: Array<{ value: string; count: number }> | undefined;
  heavy: HeavyHitters<string | number> | undefined;
  distinctEstimate: number;
  numbers: NumberSummary;
  codes: number;
  formulas: number;
  booleans: { true: number; false: number };
  text: {
    count: number;
    spaced: number;
    lengthSum: number;
    minLength: number;
    maxLength: number;
    keywords: KeywordCounter;
  };
  dates: {
    dayFirst: DateAccumulator;
    monthFirst: DateAccumulator;
    dayFirstOnly: number;
    monthFirstOnly: number;
    ambiguous: number;
  };
}

/** Makes a column's profile: its one type, and the figures that fit it. */
export function profileOf(input: ProfileInput): ColumnProfile {
  const { limits, numbers } = input;
  const nonNull = input.count - input.nulls;
  const exact = input.exact !== undefined;
  const topValues = input.exact
    ? [...input.exact].sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, limits.topValues)
    : (input.heavy?.top(limits.topValues, Math.max(1, limits.topValuesMinShare * nonNull)) ?? []);
  const { order, evidence } = dateOrder(input.dates);
  const dates = order === 'month-first' ? input.dates.monthFirst : input.dates.dayFirst;
  const dateProfile = dates.profile();
  const textCount = input.text.count;
  const type = decideColumnType({
    name: input.name,
    nonNull,
    numbers: numbers.count + numbers.infinite,
    integers: numbers.integers,
    codes: input.codes,
    booleans: input.booleans.true + input.booleans.false,
    dates: dates.count,
    timeOfDay: dateProfile !== undefined && ['second', 'minute', 'hour'].includes(dateProfile.precision),
    distinct: input.exact ? input.exact.length : input.distinctEstimate,
    distinctExact: exact,
    spacedShare: textCount > 0 ? input.text.spaced / textCount : 0,
    meanLength: textCount > 0 ? input.text.lengthSum / textCount : 0,
  });
  const numericValues = numbers.count > 0 && numbers.count + numbers.infinite >= nonNull * 0.9 && input.codes === 0;
  const profile: ColumnProfile = {
    name: input.name,
    type,
    physicalType: type === 'identifier' && numericValues ? 'integer' : physicalTypeOf(type),
    count: input.count,
    nulls: input.nulls,
    otherTypeValues: 0,
    formulaValues: input.formulas,
    distinct: input.exact ? input.exact.length : input.distinctEstimate,
    distinctMethod: exact ? 'exact' : 'hyperloglog',
    topValues,
    topValuesMethod: exact ? 'exact' : 'estimate',
  };
  if (numericValues) {
    profile.numeric = numericProfile(numbers, limits.bins, limits.sampleSize);
    profile.otherTypeValues = nonNull - numbers.count - numbers.infinite;
    return profile;
  }
  if (type === 'boolean') profile.boolean = { ...input.booleans };
  if (type === 'identifier' && input.codes > 0) profile.otherTypeValues = nonNull - input.codes - numbers.count;
  if ((type === 'date' || type === 'datetime') && dateProfile) {
    profile.dates = { ...dateProfile, ...(evidence ? { order: { order, evidence } } : {}) };
    profile.otherTypeValues = nonNull - dates.count;
  }
  if (textCount > 0) {
    profile.text = {
      minLength: input.text.minLength,
      maxLength: input.text.maxLength,
      meanLength: input.text.lengthSum / textCount,
      keywords: input.text.keywords.top(limits.topValues),
    };
  }
  return profile;
}

// The order of day and month, from values possible in one order only; month first when none.
function dateOrder(dates: ProfileInput['dates']): { order: DateOrder; evidence?: 'values' | 'assumed' } {
  if (dates.monthFirstOnly > dates.dayFirstOnly) return { order: 'month-first', evidence: 'values' };
  if (dates.dayFirstOnly > dates.monthFirstOnly) return { order: 'day-first', evidence: 'values' };
  if (dates.dayFirstOnly > 0) return { order: 'month-first', evidence: 'values' };
  if (dates.ambiguous > 0) return { order: 'month-first', evidence: 'assumed' };
  return { order: 'day-first' };
}

// Keep object literals with number fields ahead of long loops here (this runs once a column):
// Maglev (V8 13.6, Node 24.21) could rebuild such a literal, run in the on-stack-replacement code
// of a loop before it, with its boilerplate's own number boxes on a deoptimization, so that
// columns shared min, max and mean (issue 14, point 1; a minimal reproduction is in the notes).
function numericProfile(numbers: NumberSummary, bins: number, sampleSize: number): NumericProfile {
  const sorted = [...numbers.sample].sort((a, b) => a - b);
  const p25 = quantile(sorted, 0.25);
  const p75 = quantile(sorted, 0.75);
  const median = quantile(sorted, 0.5);
  const iqr = p75 - p25;
  const deviations = sorted.map((value) => Math.abs(value - median)).sort((a, b) => a - b);
  const exactRange = numbers.exactRange();
  const unit = numbers.unit();
  const profile: NumericProfile = {
    count: numbers.count,
    min: numbers.min,
    max: numbers.max,
    ...(exactRange ? { exactMin: exactRange.min, exactMax: exactRange.max } : {}),
    mean: numbers.mean,
    stdDev: Math.sqrt(numbers.variance()),
    variance: numbers.variance(),
    sum: numbers.sum,
    skewness: numbers.skewness(),
    kurtosis: numbers.kurtosis(),
    zeros: numbers.zeros,
    negatives: numbers.negatives,
    infinite: numbers.infinite,
    median,
    quantiles: { p05: quantile(sorted, 0.05), p25, p75, p95: quantile(sorted, 0.95) },
    iqr,
    mad: quantile(deviations, 0.5),
    histogram: [],
    quantileMethod: numbers.count <= sampleSize ? 'exact' : 'sample',
    ...(unit ? { unit } : {}),
  };
  // Far outliers would squeeze every other value into one bin: bin within the far fences then.
  let from = numbers.min;
  let to = numbers.max;
  if (iqr > 0 && (numbers.min < p25 - 3 * iqr || numbers.max > p75 + 3 * iqr)) {
    from = Math.max(numbers.min, p25 - 3 * iqr);
    to = Math.min(numbers.max, p75 + 3 * iqr);
    let below = 0;
    let above = 0;
    for (const value of sorted) {
      if (value < from) below += 1;
      else if (value > to) above += 1;
    }
    profile.histogramOutside = { below, above };
  }
  const width = (to - from) / bins || 1;
  // Sample counts are scaled to the column, so bins (and values outside) sum to the numeric count.
  const scale = numbers.count / Math.max(1, sorted.length);
  const histogram = Array.from({ length: bins }, (_, index) => ({
    from: from + index * width,
    to: from + (index + 1) * width,
    count: 0,
  }));
  for (const value of sorted) {
    if (value < from || value > to) continue;
    // The bin whose reported edges hold the value (from <= value < to; the last bin takes its
    // upper edge too), whatever the rounding of the division.
    let index = Math.min(bins - 1, Math.floor((value - from) / width));
    while (index > 0 && value < (histogram[index] as { from: number }).from) index -= 1;
    while (index < bins - 1 && value >= (histogram[index] as { to: number }).to) index += 1;
    (histogram[index] as { count: number }).count += 1;
  }
  if (scale !== 1) {
    for (const bin of histogram) bin.count = Math.round(bin.count * scale);
    if (profile.histogramOutside) {
      profile.histogramOutside.below = Math.round(profile.histogramOutside.below * scale);
      profile.histogramOutside.above = Math.round(profile.histogramOutside.above * scale);
    }
  }
  profile.histogram = histogram;
  return profile;
}
