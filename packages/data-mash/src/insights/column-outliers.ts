import { type ColumnProfile, type ColumnProfiler, quantile } from './column-profiler.js';
import { isMeasure } from './column-type.js';
import type { Extremes } from './extremes.js';

/** Outliers of one numeric column. */
export interface ColumnOutliers {
  column: string;
  /** `iqr`: outside Tukey's fences Q1 - 1.5 IQR, Q3 + 1.5 IQR. `robust_z`: |0.6745 (x - median) / MAD| > 3.5. */
  method: 'iqr' | 'robust_z';
  /** The fences values were compared with. */
  low: number;
  high: number;
  /** How many values fall outside: exact while the column fits the sample, else scaled from it. */
  count: number;
  countMethod: 'exact' | 'sample';
  /** The most extreme outliers, with the row they are on (see {@link TableProfiler.numberRowsFrom}). */
  examples: Array<{ row: number; value: number }>;
}

/** The most extreme values of a numeric column kept with their rows, on each side: outlier examples. */
export interface ColumnExtremes {
  low: Extremes;
  high: Extremes;
}

/**
 * The outliers of a numeric column: fences from its quartiles and median (Tukey's, and the
 * modified z-score's), the count beyond them, and the most extreme values kept with their rows as
 * examples. `rowBase` is added to row numbers (see {@link TableProfiler.numberRowsFrom}).
 */
export function outliersOf(
  profile: ColumnProfile,
  profiler: ColumnProfiler,
  extremes: ColumnExtremes,
  outlierExamples: number,
  rowBase: number,
): ColumnOutliers[] {
  const numeric = profile.numeric;
  if (!numeric || numeric.count < 4 || !isMeasure(profile.type)) return [];
  const sample = profiler.numericSample();
  const candidates = [...extremes.high.entries(), ...extremes.low.entries()];
  const scale = numeric.count / sample.length;
  const countMethod = numeric.quantileMethod === 'exact' ? 'exact' : 'sample';
  const found: ColumnOutliers[] = [];
  const collect = (method: ColumnOutliers['method'], low: number, high: number) => {
    const outside = (value: number) => value < low || value > high;
    const inSample = sample.filter(outside).length;
    if (inSample === 0 && !candidates.some((candidate) => outside(candidate.value))) return;
    const examples = dedupe(candidates.filter((candidate) => outside(candidate.value))).sort(
      (x, y) => Math.abs(y.value - numeric.median) - Math.abs(x.value - numeric.median) || x.row - y.row,
    );
    found.push({
      column: profile.name,
      method,
      low,
      high,
      count: Math.max(examples.length, Math.round(inSample * scale)),
      countMethod,
      examples: examples
        .slice(0, outlierExamples)
        .map((example) => ({ row: example.row + rowBase, value: example.value })),
    });
  };
  const iqr = numeric.quantiles.p75 - numeric.quantiles.p25;
  if (iqr > 0) collect('iqr', numeric.quantiles.p25 - 1.5 * iqr, numeric.quantiles.p75 + 1.5 * iqr);
  const deviations = sample.map((value) => Math.abs(value - numeric.median)).sort((x, y) => x - y);
  const mad = quantile(deviations, 0.5);
  if (mad > 0) {
    const reach = (3.5 * mad) / 0.6745;
    collect('robust_z', numeric.median - reach, numeric.median + reach);
  }
  return found;
}

function dedupe(list: Array<{ row: number; value: number }>): Array<{ row: number; value: number }> {
  const seen = new Set<number>();
  return list.filter((entry) => !seen.has(entry.row) && seen.add(entry.row));
}
