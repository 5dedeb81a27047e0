export { type ColumnProfile, ColumnProfiler, type ProfilerLimits, quantile } from './column-profiler.js';
export { HyperLogLog } from './hyperloglog.js';
