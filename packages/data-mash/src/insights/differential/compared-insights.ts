// The SDK's side of the differential comparison: the insights it reads, and the limits that decide when a figure is exact.

/** The profiler's documented default limits, which decide when a figure is exact. */
export const LIMITS = { exactDistinct: 10_000, sampleSize: 10_000, topValues: 10, bins: 10, outlierExamples: 20 };

/**
 * The figures of the SDK's insights this comparison reads: `TableInsights` as docs/insights.md
 * documents it, with the fields issue 14 adds (exact integer min/max, estimated top values'
 * error, moments, booleans, the correlation limit) optional.
 */
export interface ComparedInsights {
  rowCount: number;
  columns: ComparedColumn[];
  correlations: Array<{ a: string; b: string; pearson: number | null; rows: number }>;
  correlationLimit?: { columns: number; leftOut: string[] };
  outliers: Array<{
    column: string;
    method: string;
    low: number;
    high: number;
    count: number;
    examples: Array<{ row: number; value: number }>;
  }>;
  duplicateRows: { count: number; checkedRows: number };
  quality: Array<{ kind: string; column?: string }>;
  /** Where row numbers start (the file's row of the first data row: 2 below a header). */
  rows?: { firstRowNumber: number };
}

export interface ComparedColumn {
  name: string;
  type?: string;
  count: number;
  nulls: number;
  distinct: number;
  distinctMethod: string;
  topValues: Array<{ value: string; count: number; maxError?: number }>;
  topValuesMethod: string;
  numeric?: ComparedNumbers;
  boolean?: { true: number; false: number };
  dates?: {
    count: number;
    min: string;
    max: string;
    precision: string;
    granularity?: string;
    medianGapSeconds?: number;
  };
  text?: { minLength: number; maxLength: number; meanLength: number };
}

export interface ComparedNumbers {
  count: number;
  min: number;
  max: number;
  exactMin?: string;
  exactMax?: string;
  mean: number;
  stdDev: number;
  median: number;
  quantiles: { p05: number; p25: number; p75: number; p95: number };
  histogram: Array<{ from: number; to: number; count: number }>;
  histogramOutside?: { below: number; above: number };
  quantileMethod: string;
  sum?: number;
  variance?: number;
  skewness?: number | null;
  kurtosis?: number | null;
  zeros?: number;
  negatives?: number;
  iqr?: number;
  mad?: number;
}
