/**
 * @packageDocumentation
 * The data mash flow on a distributed runner: workers on any number of machines share a queue in
 * Postgres (pg-boss, an optional peer dependency: install it to use this entry).
 */
export {
  DataMashDistributedRunner,
  DataMashDistributedRunnerRef,
  type DistributedRunnerOptions,
  dataMashDistributedRunner,
  type RunnerReadiness,
} from './distributed-runner.js';
export {
  type DeadLetteredFlow,
  type FlowJobData,
  type FlowJobOutput,
  type FlowJobStatus,
  type FlowQueueStats,
  QUEUE_RETRY_ERROR_CODES,
} from './flow-job.js';
export { RUNNER_METER_NAME, RUNNER_METRICS } from './runner-metrics.js';
export {
  startWorkerHealthServer,
  type WorkerHealthServer,
  type WorkerHealthServerOptions,
} from './worker-health-server.js';
export { WORKER_STOPPED } from './worker-release.js';
