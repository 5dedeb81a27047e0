import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  metrics,
  type ObservableGauge,
} from '@opentelemetry/api';
import type { FlowQueueStats } from './flow-job.js';

/** The instrumentation scope of the distributed runner's metrics. */
export const RUNNER_METER_NAME = '@platform/data-mash';

/**
 * The runner's metric names (OpenTelemetry, UCUM units), for dashboards and alerts:
 * - `data_mash.queue.depth` (gauge, `{job}`, attribute `state`: queued, deferred, retrying, active,
 *   dead_lettered), sampled from the queue's table when the metrics SDK collects;
 * - `data_mash.job.latency` (histogram, `s`): from submission to completion of a flow job (retries included);
 * - `data_mash.job.duration` (histogram, `s`, attribute `outcome`): one attempt's run on a worker;
 * - `data_mash.job.retries` (counter, `{retry}`): attempts that failed transiently and were queued again;
 * - `data_mash.job.failures` (counter, `{job}`, attributes `error.code`, `kind`: permanent, transient, released);
 * - `data_mash.job.dead_lettered` (counter, `{job}`): jobs whose last retry failed (moved to the dead-letter queue).
 * Every point carries `queue`.
 */
export const RUNNER_METRICS = {
  depth: 'data_mash.queue.depth',
  latency: 'data_mash.job.latency',
  duration: 'data_mash.job.duration',
  retries: 'data_mash.job.retries',
  failures: 'data_mash.job.failures',
  deadLettered: 'data_mash.job.dead_lettered',
} as const;

// Buckets in seconds: flows take from a fraction of a second to many minutes.
const SECONDS_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** The runner's instruments on the global meter provider (no-ops until the host registers an SDK). */
export class RunnerMetrics {
  readonly #attributes: Attributes;
  readonly #meter: Meter;
  readonly #latency: Histogram;
  readonly #duration: Histogram;
  readonly #retries: Counter;
  readonly #failures: Counter;
  readonly #deadLettered: Counter;
  readonly #depth: ObservableGauge;
  readonly #observe: (result: { observe: (value: number, attributes: Attributes) => void }) => Promise<void>;

  /** Takes the meter from the global provider now: register the metrics SDK before the platform starts. */
  constructor(queue: string, sample: () => Promise<FlowQueueStats>) {
    this.#attributes = { queue };
    this.#meter = metrics.getMeter(RUNNER_METER_NAME);
    const seconds = { unit: 's', advice: { explicitBucketBoundaries: SECONDS_BUCKETS } };
    this.#latency = this.#meter.createHistogram(RUNNER_METRICS.latency, {
      ...seconds,
      description: 'Time from a flow job’s submission to its completion, retries included',
    });
    this.#duration = this.#meter.createHistogram(RUNNER_METRICS.duration, {
      ...seconds,
      description: 'Time one attempt of a flow job ran on a worker',
    });
    this.#retries = this.#meter.createCounter(RUNNER_METRICS.retries, {
      unit: '{retry}',
      description: 'Flow job attempts that failed transiently and were queued again',
    });
    this.#failures = this.#meter.createCounter(RUNNER_METRICS.failures, {
      unit: '{job}',
      description: 'Failed flow job attempts, by error code and kind (permanent, transient, released)',
    });
    this.#deadLettered = this.#meter.createCounter(RUNNER_METRICS.deadLettered, {
      unit: '{job}',
      description: 'Flow jobs whose last retry failed, moved to the dead-letter queue',
    });
    this.#depth = this.#meter.createObservableGauge(RUNNER_METRICS.depth, {
      unit: '{job}',
      description: 'Flow jobs in the queue by state, sampled from the queue when collected',
    });
    this.#observe = async (result) => {
      let stats: FlowQueueStats;
      try {
        stats = await sample();
      } catch {
        return; // The queue is unreachable: no point rather than a wrong one (health says why).
      }
      for (const [state, value] of [
        ['queued', stats.queued],
        ['deferred', stats.deferred],
        ['retrying', stats.retrying],
        ['active', stats.active],
        ['dead_lettered', stats.deadLettered],
      ] as const) {
        result.observe(value, { ...this.#attributes, state });
      }
    };
    this.#depth.addCallback(this.#observe);
  }

  /** A job's attempt ended; `createdOn` is when it was submitted. */
  recordRun(
    seconds: number,
    outcome: 'completed' | 'failed' | 'retried' | 'dead_lettered' | 'released',
    createdOn?: Date,
  ) {
    this.#duration.record(seconds, { ...this.#attributes, outcome });
    if (createdOn && (outcome === 'completed' || outcome === 'failed')) {
      this.#latency.record(Math.max(0, (Date.now() - createdOn.getTime()) / 1000), this.#attributes);
    }
  }

  /** An attempt failed with `code`. */
  recordFailure(code: string, kind: 'permanent' | 'transient' | 'released') {
    this.#failures.add(1, { ...this.#attributes, 'error.code': code, kind });
  }

  /** An attempt failed transiently and the job is queued again. */
  recordRetry() {
    this.#retries.add(1, this.#attributes);
  }

  /** A job's last retry failed: pg-boss moves it to the dead-letter queue. */
  recordDeadLettered() {
    this.#deadLettered.add(1, this.#attributes);
  }

  /** Stops sampling the queue (the runner stopped). */
  close() {
    this.#depth.removeCallback(this.#observe);
  }
}
