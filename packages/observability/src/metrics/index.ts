export {
  createHealthMetrics,
  DEFAULT_METER_NAME,
  HEALTH_STATUS_VALUES,
  type HealthMetrics,
  type HealthMetricsOptions,
  type HealthStatus,
  type InstrumentOptions,
} from './health-metrics.js';
