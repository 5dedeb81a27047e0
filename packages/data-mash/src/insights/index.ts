export { type ColumnProfile, ColumnProfiler, type ProfilerLimits, quantile } from './column-profiler.js';
export { HyperLogLog } from './hyperloglog.js';
export { CorrelationAccumulator, findOutliers, type Outlier } from './relationships.js';
