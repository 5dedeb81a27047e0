export {
  type ColumnProfile,
  ColumnProfiler,
  type ColumnProfilerState,
  type ProfilerLimits,
  quantile,
} from './column-profiler.js';
export type { ColumnType } from './column-type.js';
export {
  DateAccumulator,
  type DateAccumulatorState,
  type DateOrder,
  type DateProfile,
  type DateUnit,
  parseDateValue,
} from './dates.js';
export { HyperLogLog } from './hyperloglog.js';
export { KeywordCounter, topKeywords } from './keywords.js';
export { type FileProfileOptions, profileDelimitedFile } from './parallel/profile-file.js';
export { CorrelationAccumulator, findOutliers, type Outlier, type PairMoments } from './relationships.js';
export { type SummaryStatement, summarizeTable } from './summary.js';
export {
  type ColumnOutliers,
  percent,
  type QualityFlag,
  type TableInsights,
  TableProfiler,
  type TableProfilerOptions,
  type TableProfilerState,
} from './table-profiler.js';
export type { FieldDecoder } from './values.js';
export { formatDuration, formatFigure, formatShare } from './wording.js';
