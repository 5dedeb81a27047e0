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
  type FlowJobData,
  type FlowJobOutput,
  type FlowJobStatus,
  QUEUE_RETRY_ERROR_CODES,
} from './distributed-runner.js';
