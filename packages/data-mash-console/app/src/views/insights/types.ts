// The insights of a flow as `GET /journeys/{journeyId}/insights` answers them: the subset of
// `InsightsResult` (packages/data-mash/src/content/content-insights.ts) and `TableInsights`,
// `ColumnProfile` (packages/data-mash/src/insights/) the console draws, as plain interfaces, so
// that the console bundles none of @platform/data-mash.

/** A column's one type, as the profiler decides it. */
export type ColumnType =
  | 'integer'
  | 'decimal'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'identifier'
  | 'categorical'
  | 'text'
  | 'empty';

export type DateUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface NumericProfile {
  count: number;
  min: number;
  max: number;
  /** Exact min and max as decimal text, for integers beyond 2^53. */
  exactMin?: string;
  exactMax?: string;
  mean: number;
  stdDev: number;
  variance: number;
  sum: number;
  skewness: number | null;
  kurtosis: number | null;
  zeros: number;
  negatives: number;
  infinite: number;
  median: number;
  quantiles: { p05: number; p25: number; p75: number; p95: number };
  iqr: number;
  mad: number;
  /** Equal-width bins; far outliers are counted in `histogramOutside` instead. */
  histogram: Array<{ from: number; to: number; count: number }>;
  histogramOutside?: { below: number; above: number };
  quantileMethod: 'exact' | 'sample';
  unit?: string;
}

export interface DateProfile {
  count: number;
  /** ISO 8601 instants (UTC). */
  min: string;
  max: string;
  precision: DateUnit;
  granularity?: DateUnit;
  medianGapSeconds?: number;
  order?: { order: 'day-first' | 'month-first'; evidence: 'values' | 'assumed' };
  histogram: Array<{ from: string; to: string; count: number }>;
  missingPeriods?: { unit: DateUnit; count: number; runs: Array<{ from: string; to: string }> };
}

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  physicalType: string;
  count: number;
  nulls: number;
  otherTypeValues: number;
  formulaValues: number;
  distinct: number;
  distinctMethod: 'exact' | 'hyperloglog';
  topValues: Array<{ value: string; count: number; maxError?: number }>;
  topValuesMethod: 'exact' | 'estimate';
  numeric?: NumericProfile;
  boolean?: { true: number; false: number };
  dates?: DateProfile;
  /** The kind of personal data the column holds (`email`...): its values are then tokens, as the server masked them. */
  pii?: string;
  text?: { minLength: number; maxLength: number; meanLength: number; keywords: Array<{ word: string; count: number }> };
}

export interface QualityFlag {
  kind: string;
  severity: 'warning' | 'info';
  column?: string;
  figure: number;
  message: string;
}

export interface ColumnOutliers {
  column: string;
  method: 'iqr' | 'robust_z';
  low: number;
  high: number;
  count: number;
  countMethod: 'exact' | 'sample';
  examples: Array<{ row: number; value: number }>;
}

export interface Correlation {
  a: string;
  b: string;
  pearson: number | null;
  rows: number;
  spearman: number | null;
}

export interface TableInsights {
  rowCount: number;
  columns: ColumnProfile[];
  correlations: Correlation[];
  categoricalAssociations: Array<{ a: string; b: string; cramersV: number | null; rows: number }>;
  categoricalAssociationLimit?: { columns: number; leftOut: string[] };
  associationSample: { rows: number; method: 'exact' | 'sample' };
  correlationLimit?: { columns: number; leftOut: string[] };
  outliers: ColumnOutliers[];
  duplicateRows: { count: number; checkedRows: number; method: string };
  quality: QualityFlag[];
  rows?: {
    firstRows: Array<Array<string | null>>;
    /** Missing values in a uniform sample of rows: one character a column, `1` where missing. */
    missing: Array<{ row: number; pattern: string }>;
    firstRowNumber: number;
  };
}

export interface InsightsResult {
  tables: Array<{ name: string; rowsKey: string; insights: TableInsights }>;
  text?: { characters: number; words: number; chunks: number; keywords: Array<{ word: string; count: number }> };
  /** Plain-language statements, each naming the figures (JSON pointers into this result) it states. */
  summary: Array<{ text: string; figures: string[] }>;
}
