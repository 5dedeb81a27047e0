import { performance } from 'node:perf_hooks';
import { defineService, defineServiceRef, PlatformError, type ServiceHealth } from '@platform/foundations';
import { currentTraceId, generateTraceId } from '@platform/observability';
import { ContentStewardRef, type IncomingFile, RealmServiceBase, type RealmServiceDeps } from '@platform/smart-city';
import type { JobWithMetadata, PgBoss } from 'pg-boss';
import { DATA_MASH_REALM } from '../phases/phase-service.js';
import { type DataMashSolutionOrchestrator, DataMashSolutionOrchestratorRef } from '../phases/solution-orchestrator.js';
import {
  type DeadLetteredFlow,
  type FlowJobData,
  type FlowJobOutput,
  type FlowJobStatus,
  type FlowQueueStats,
  failureReason,
  TransientFlowFailure,
} from './flow-job.js';
import { runFlowJob } from './flow-job-runner.js';
import { countQueued, listDeadLetters, readQueueStats } from './queue-admin.js';
import { RunnerMetrics } from './runner-metrics.js';
import { checkRunnerOptions, type DistributedRunnerOptions, startFlowQueue } from './runner-options.js';

export type { DistributedRunnerOptions } from './runner-options.js';

import { releaseJobs } from './worker-release.js';

/** Whether a worker should be sent flows: see {@link DataMashDistributedRunner.readiness}. */
export interface RunnerReadiness {
  ready: boolean;
  /** Why not: `not started`, `not working`, `draining`, or the queue's error. */
  reason?: string;
}

type FlowJob = JobWithMetadata<FlowJobData>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs the data mash flow on workers that share a Postgres queue (pg-boss): `submit` stores the
 * file through the Content Steward and enqueues a job of references (file id, caller, trace id);
 * `work` makes this process one of the workers. The journey, not the queue, is the record of
 * progress: the job of a worker that dies stops being refreshed (`heartbeatSeconds`) and is taken
 * again, and the flow resumes at its next milestone; a worker that stops (`drain`) waits for its flows
 * up to `drainTimeoutSeconds`, then releases the rest to other workers at once. A transient
 * failure (a store unreachable, a version conflict) is retried with exponential backoff, and
 * after `retryLimit` retries the job goes to the dead-letter queue (see `retryDeadLetters`); any
 * other failure completes the job with the failure as its output.
 * Every worker needs the same stores as the submitter (blob, metadata and semantic).
 * Metrics go to the global OpenTelemetry meter provider (see `RUNNER_METRICS`).
 */
export class DataMashDistributedRunner extends RealmServiceBase<
  RealmServiceDeps & { flow: DataMashSolutionOrchestrator; options: DistributedRunnerOptions }
> {
  readonly realm = DATA_MASH_REALM;
  #boss: PgBoss | undefined;
  readonly #queue: string;
  readonly #schema: string;
  #deadLetterQueue: string;
  #workerId: string | undefined;
  #draining = false;
  #metrics: RunnerMetrics | undefined;
  /** Jobs this worker holds: id to attempt. */
  readonly #inFlight = new Map<string, number>();
  /** Jobs released by `drain` while their flow still ran here: their outcome is no longer theirs. */
  readonly #released = new Set<string>();

  constructor(deps: RealmServiceDeps & { flow: DataMashSolutionOrchestrator; options: DistributedRunnerOptions }) {
    super(deps);
    this.#queue = deps.options.queue ?? 'data-mash-flow';
    this.#schema = deps.options.schema ?? 'pgboss';
    this.#deadLetterQueue = deps.options.deadLetterQueue ?? `${this.#queue}.dead-letters`;
  }

  /** The queue's name. */
  get queue(): string {
    return this.#queue;
  }

  /** The dead-letter queue's name (known once started: an existing queue may name its own). */
  get deadLetterQueue(): string {
    return this.#deadLetterQueue;
  }

  /** Whether this process is taking jobs (after `work`, before `drain`). */
  get working(): boolean {
    return this.#workerId !== undefined && !this.#draining;
  }

  async initialize(): Promise<void> {
    // A wrong setting is the host's to fix, not an outage: refused before anything is made.
    checkRunnerOptions(this.deps.options);
    const { boss, deadLetterQueue } = await startFlowQueue(
      this.deps.options,
      this.#schema,
      this.#queue,
      this.#deadLetterQueue,
      (error) => this.auditError(error, { operation: 'data_mash.runner' }),
    );
    this.#deadLetterQueue = deadLetterQueue;
    this.#boss = boss;
    this.#metrics = new RunnerMetrics(this.#queue, () => this.stats());
  }

  /**
   * Stops taking jobs and waits for the running flows up to `drainTimeoutSeconds`; the jobs of
   * flows still running then are released: failed with `WORKER_STOPPED` (an attempt, like any
   * transient failure) and due again at once, so another worker takes them without waiting for
   * `expireInSeconds`. Their journeys resume at their last milestone.
   */
  async drain(): Promise<void> {
    this.#draining = true;
    const boss = this.#boss;
    if (!boss || !this.#workerId) return;
    await boss.offWork(this.#queue, { id: this.#workerId, wait: false });
    const deadline = Date.now() + (this.deps.options.drainTimeoutSeconds ?? 30) * 1000;
    while (this.#inFlight.size > 0 && Date.now() < deadline) await sleep(100);
    const held = [...this.#inFlight].map(([id, retryCount]) => ({ id, retryCount }));
    if (held.length > 0) {
      const released = await releaseJobs(boss, this.#schema, this.#queue, held);
      for (const id of released) {
        this.#released.add(id);
        this.#metrics?.recordFailure('WORKER_STOPPED', 'released');
        this.logOperation('data_mash.flow_released', false, { jobId: id, code: 'WORKER_STOPPED' });
      }
    }
  }

  async shutdown(): Promise<void> {
    this.#metrics?.close();
    // Flows released by drain still run here: pg-boss must not wait for them.
    await this.#boss?.stop({ graceful: this.#inFlight.size === 0, timeout: 5_000 });
    this.#boss = undefined;
  }

  override async health(): Promise<ServiceHealth> {
    if (!this.#boss) return { status: 'unhealthy', message: 'not started' };
    try {
      const stats = await this.stats();
      return {
        status: 'healthy',
        details: { ...stats, working: this.#workerId !== undefined, draining: this.#draining },
      };
    } catch (error) {
      return { status: 'unhealthy', message: (error as Error).message };
    }
  }

  /**
   * Whether this worker should count as ready (a `/readyz`): started, working, not draining, and
   * its queue answering. The stores' health is the platform's (`platform.health()`).
   */
  async readiness(): Promise<RunnerReadiness> {
    if (!this.#boss) return { ready: false, reason: 'not started' };
    if (this.#draining) return { ready: false, reason: 'draining' };
    if (!this.#workerId) return { ready: false, reason: 'not working' };
    try {
      await countQueued(this.#boss, this.#schema, this.#queue);
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: `the flow queue is unreachable: ${(error as Error).message}` };
    }
  }

  /**
   * Stores a new file (or takes a stored one) and enqueues its flow. Answers once queued; the
   * flow runs on whichever worker takes the job. With `maxQueued`, it first waits (before storing
   * anything) while the queue holds that many jobs or more waiting for a worker: a submitter
   * faster than the workers then holds one file at a time. The bound is approximate with several
   * submitters (each checks, then sends).
   * @throws {PlatformError} `FILE_QUARANTINED` (the file is kept in quarantine), the Content
   * Steward's validation errors, `VALIDATION_FAILED` for a bad user context or `maxQueued`.
   */
  async submit(
    request: { userContext: unknown; traceId?: string; maxQueued?: number } & (
      | { file: IncomingFile }
      | { fileId: string }
    ),
  ): Promise<{ jobId: string; fileId: string; traceId: string }> {
    const user = this.requireUserContext(request.userContext);
    this.requirePermission(user, 'files:write');
    const traceId = request.traceId ?? currentTraceId() ?? generateTraceId();
    if (request.maxQueued !== undefined) await this.#waitForRoom(request.maxQueued);
    let fileId: string;
    if ('fileId' in request) fileId = request.fileId;
    else {
      const stored = await this.getSmartCityApi(ContentStewardRef).processClientFile(user, request.file);
      if (stored.validationStatus === 'quarantined') {
        throw new PlatformError('FILE_QUARANTINED', `the file was quarantined: ${stored.reason}`, {
          details: { fileId: stored.fileId, reason: stored.reason },
        });
      }
      fileId = stored.fileId;
    }
    const data: FlowJobData = {
      fileId,
      traceId,
      userContext: {
        userId: user.userId,
        tenantId: user.tenantId,
        roles: [...user.roles],
        permissions: [...user.permissions],
        ...(user.sessionId ? { sessionId: user.sessionId } : {}),
      },
    };
    const jobId = await this.#requireBoss().send(this.#queue, data);
    if (!jobId) throw new PlatformError('INTERNAL', 'the queue did not accept the job', { details: { fileId } });
    this.logOperation('data_mash.flow_submitted', true, { jobId, fileId });
    return { jobId, fileId, traceId };
  }

  /** Makes this process a worker: it takes flow jobs until the platform stops. Idempotent. */
  async work(): Promise<void> {
    if (this.#workerId || this.#draining) return;
    const { options } = this.deps;
    this.#workerId = await this.#requireBoss().work<FlowJobData, FlowJobOutput>(
      this.#queue,
      {
        batchSize: 1,
        includeMetadata: true,
        localConcurrency: options.concurrency ?? 2,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
        // With a backlog, fetch again as soon as a flow ends: the polling interval otherwise
        // comes after every job, capping each slot at one flow per interval however short the flows.
        burstWhenReadyExceeds: 1,
      },
      async ([job]) => this.#track(job as FlowJob),
    );
  }

  /** Where a submitted flow is. @throws `NOT_FOUND` for an unknown job. */
  async status(jobId: string): Promise<FlowJobStatus> {
    // Job ids are UUIDs: anything else is no job (and never reaches Postgres as a bad uuid).
    if (!UUID.test(jobId)) throw new PlatformError('NOT_FOUND', `no flow job '${String(jobId).slice(0, 100)}'`);
    const [job] = await this.#requireBoss().findJobs<FlowJobData>(this.#queue, { id: jobId });
    if (!job) throw new PlatformError('NOT_FOUND', `no flow job '${jobId}'`, { details: { jobId } });
    const output = (job as { output?: unknown }).output;
    const reason = job.state === 'failed' ? failureReason(output) : undefined;
    return {
      jobId,
      state: job.state,
      retryCount: job.retryCount,
      ...(job.state === 'completed' && output ? { output: output as FlowJobOutput } : {}),
      ...(reason ? { reason } : {}),
    };
  }

  /**
   * Waits until the job completed or failed for good, polling its state.
   * @throws {PlatformError} `TIMEOUT` after `timeoutMs` (default 10 minutes).
   */
  async waitFor(jobId: string, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<FlowJobStatus> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const status = await this.status(jobId);
      if (status.state === 'completed' || status.state === 'failed' || status.state === 'cancelled') return status;
      if (Date.now() > deadline) {
        throw new PlatformError('TIMEOUT', `flow job '${jobId}' is still ${status.state}`, { details: { ...status } });
      }
      await sleep(options.intervalMs ?? 200);
    }
  }

  /** The queue's counts, read live: queued (deferred, retrying), active, completed, failed, dead-lettered. */
  async stats(): Promise<FlowQueueStats> {
    return readQueueStats(this.#requireBoss(), this.#schema, this.#queue, this.#deadLetterQueue);
  }

  /** The dead letters waiting to be retried (oldest first, at most `limit`, default 100), with their reasons. */
  async deadLetters(options: { limit?: number } = {}): Promise<DeadLetteredFlow[]> {
    const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? 100)), 10_000);
    return listDeadLetters(this.#requireBoss(), this.#schema, this.#deadLetterQueue, limit);
  }

  /**
   * Moves dead letters (by their ids in the dead-letter queue, or `'all'`) back to the flow queue
   * as new jobs with fresh retries; their journeys resume at their last milestone. Answers how
   * many moved (an unknown id is skipped).
   * @throws {PlatformError} `VALIDATION_FAILED` for an id that is not a job id.
   */
  async retryDeadLetters(ids: readonly string[] | 'all'): Promise<{ moved: number }> {
    const boss = this.#requireBoss();
    if (ids !== 'all') {
      const bad = ids.find((id) => !UUID.test(id));
      if (bad !== undefined) {
        throw new PlatformError('VALIDATION_FAILED', `'${bad}' is not a job id`, { details: { jobId: bad } });
      }
      if (ids.length === 0) return { moved: 0 };
    }
    let moved = 0;
    for (;;) {
      const batch = await boss.redrive(this.#deadLetterQueue, {
        destination: this.#queue,
        limit: 1000,
        ...(ids === 'all' ? {} : { ids: [...ids] }),
      });
      moved += batch;
      if (ids !== 'all' || batch < 1000) break;
    }
    this.logOperation('data_mash.dead_letters_retried', true, { moved, queue: this.#queue });
    return { moved };
  }

  async #waitForRoom(maxQueued: number): Promise<void> {
    if (!Number.isInteger(maxQueued) || maxQueued < 1) {
      throw new PlatformError('VALIDATION_FAILED', `maxQueued must be a whole number >= 1, got ${maxQueued}`);
    }
    const boss = this.#requireBoss();
    const intervalMs = Math.min(Math.max((this.deps.options.pollingIntervalSeconds ?? 2) * 500, 100), 1000);
    while ((await countQueued(boss, this.#schema, this.#queue)) >= maxQueued) await sleep(intervalMs);
  }

  async #track(job: FlowJob): Promise<FlowJobOutput> {
    this.#inFlight.set(job.id, job.retryCount);
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const output = await runFlowJob(job, this.deps.flow, (operation, success, details) =>
        this.logOperation(operation, success, details),
      );
      if (!this.#released.has(job.id)) {
        if (!output.success) this.#metrics?.recordFailure(output.error.code, 'permanent');
        this.#metrics?.recordRun(seconds(), output.success ? 'completed' : 'failed', job.createdOn);
      }
      return output;
    } catch (error) {
      if (!this.#released.has(job.id)) {
        const code = error instanceof TransientFlowFailure ? error.code : 'INTERNAL';
        this.#metrics?.recordFailure(code, 'transient');
        if (job.retryCount >= job.retryLimit) {
          this.#metrics?.recordDeadLettered();
          this.#metrics?.recordRun(seconds(), 'dead_lettered');
          this.logOperation('data_mash.flow_dead_lettered', false, {
            jobId: job.id,
            fileId: job.data?.fileId,
            code,
            retryCount: job.retryCount,
            deadLetterQueue: this.#deadLetterQueue,
          });
        } else {
          this.#metrics?.recordRetry();
          this.#metrics?.recordRun(seconds(), 'retried');
        }
      } else this.#metrics?.recordRun(seconds(), 'released');
      throw error;
    } finally {
      this.#inFlight.delete(job.id);
    }
  }

  #requireBoss(): PgBoss {
    if (!this.#boss) throw new PlatformError('SERVICE_UNAVAILABLE', 'the distributed runner has not started');
    return this.#boss;
  }
}

/** The distributed runner service. */
export const DataMashDistributedRunnerRef = defineServiceRef<DataMashDistributedRunner>({
  id: 'data-mash.distributed-runner',
  tier: 'realm',
});

/** Defines the distributed runner (add it next to `dataMashModules()`). */
export function dataMashDistributedRunner(options: DistributedRunnerOptions) {
  return defineService({
    ref: DataMashDistributedRunnerRef,
    deps: { flow: DataMashSolutionOrchestratorRef },
    factory: (deps, context) => new DataMashDistributedRunner({ ...context, ...deps, options }),
    // The drain waits for running flows up to drainTimeoutSeconds, then releases the rest.
    stopTimeoutMs: ((options.drainTimeoutSeconds ?? 30) + 15) * 1000,
    description: {
      description: 'The data mash flow on workers sharing a Postgres queue (pg-boss)',
      realm: DATA_MASH_REALM,
      tags: ['data-mash', 'runner'],
    },
  });
}
