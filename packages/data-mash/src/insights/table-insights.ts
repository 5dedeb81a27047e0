import type { ColumnOutliers } from './column-outliers.js';
import type { ColumnProfile } from './column-profiler.js';
import type { QualityFlag } from './quality.js';
import type { RowSampleResult } from './row-sample.js';

/** Everything the Insights Pillar computes about one table. */
export interface TableInsights {
  rowCount: number;
  columns: ColumnProfile[];
  /**
   * Between every two measure columns (integer or decimal), over the rows where both are
   * numbers: Pearson's r (all rows), and Spearman's rho from the association sample.
   */
  correlations: Array<{ a: string; b: string; pearson: number | null; rows: number; spearman: number | null }>;
  /**
   * Cramér's V between every two categorical or boolean columns (at most 50 values each; the
   * first `correlationColumns` of them), from the association sample.
   */
  categoricalAssociations: Array<{ a: string; b: string; cramersV: number | null; rows: number }>;
  /** Present when more categorical columns qualified than `correlationColumns`: the ones left out. */
  categoricalAssociationLimit?: { columns: number; leftOut: string[] };
  /**
   * The rows Spearman's rho and Cramér's V are computed over: every row (`exact`) up to
   * `associationRows`, else a uniform sample of that many (`sample`).
   */
  associationSample: { rows: number; method: 'exact' | 'sample' };
  /**
   * Present when more columns had numbers than `correlationColumns`: the measures left out. The
   * cap counts every column with a number when it first shows one (its type is decided at the
   * end), so ids and codes with numbers take places too; raise `correlationColumns` for tables
   * with many such columns.
   */
  correlationLimit?: { columns: number; leftOut: string[] };
  outliers: ColumnOutliers[];
  duplicateRows: { count: number; checkedRows: number; method: 'exact' };
  quality: QualityFlag[];
  /** The first rows, and missing values in a uniform sample of 200 rows: a report's sample table and missing-values matrix. */
  rows: RowSampleResult;
}
