import {
  defineService,
  defineServiceRef,
  PlatformError,
  type SerializedPlatformError,
  type ServiceHealth,
  serializeError,
} from '@platform/foundations';
import { currentTraceId, generateTraceId } from '@platform/observability';
import {
  ContentStewardRef,
  type IncomingFile,
  RealmServiceBase,
  type RealmServiceDeps,
  trustUserContext,
  type VerifiedUserContext,
} from '@platform/smart-city';
import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { TRANSIENT_ERROR_CODES } from '../journeys/journey-orchestrator.js';
import { DATA_MASH_REALM } from '../phases/phase-service.js';
import {
  type DataMashFlowResult,
  type DataMashSolutionOrchestrator,
  DataMashSolutionOrchestratorRef,
} from '../phases/solution-orchestrator.js';

/** Options of the distributed runner. */
export interface DistributedRunnerOptions {
  /** The Postgres holding the queue (pg-boss creates its tables in `schema`). */
  connectionString: string;
  /** Default `pgboss`. */
  schema?: string;
  /** Default `data-mash-flow`. */
  queue?: string;
  /** Flows this process runs at once while working. Default 2. */
  concurrency?: number;
  /** Attempts after the first for a flow that failed for a transient reason. Default 5. */
  retryLimit?: number;
  /** First retry delay in seconds, doubled each time (with jitter). Default 2. */
  retryDelaySeconds?: number;
  /** A flow running longer is taken to have lost its worker and is run again. Default 900. */
  expireInSeconds?: number;
  /** How often idle workers look for jobs when no notification comes. Default 2. */
  pollingIntervalSeconds?: number;
}

/** What a job carries: references and the caller, never the file. */
export interface FlowJobData {
  fileId: string;
  userContext: { userId: string; tenantId: string; roles: string[]; permissions: string[]; sessionId?: string };
  traceId: string;
}

// What a worker accepts off the queue: the job crossed a process boundary, so it is checked
// before anything acts on it (the user context is parsed again when vouched for).
const FlowJobDataSchema = z
  .object({
    fileId: z.string().min(1).max(200),
    userContext: z.object({}).passthrough(),
    traceId: z.string().regex(/^[0-9a-f]{32}$/),
  })
  .strict();

/** A flow job's output: the flow's result, without its handoffs (they stay with the journey). */
export type FlowJobOutput =
  | { success: true; journeyId: string; traceId: string; run: 'new' | 'resumed' | 'reused' }
  | {
      success: false;
      journeyId?: string;
      traceId: string;
      failedPhase?: string;
      error: SerializedPlatformError;
    };

/** Where a submitted flow is. */
export interface FlowJobStatus {
  jobId: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  /** Attempts after the first so far. */
  retryCount: number;
  /** Set once the job completed: the flow's outcome (which may be a failure that retrying cannot fix). */
  output?: FlowJobOutput;
}

/**
 * Failures after which the job is retried with backoff (the journey resumes): the transient codes
 * the journey already retried within its run, plus a milestone timeout and a version conflict
 * with another worker. Anything else is final.
 */
export const QUEUE_RETRY_ERROR_CODES: ReadonlySet<string> = new Set([...TRANSIENT_ERROR_CODES, 'TIMEOUT', 'CONFLICT']);

/** A flow that failed for a transient reason: thrown so that pg-boss retries the job. */
class TransientFlowFailure extends Error {
  constructor(readonly output: FlowJobOutput & { success: false }) {
    super(`${output.error.code}: ${output.error.message}`);
  }
}

/**
 * Runs the data mash flow on workers that share a Postgres queue (pg-boss): `submit` stores the
 * file through the Content Steward and enqueues a job of references (file id, caller, trace id);
 * `work` makes this process one of the workers. The journey, not the queue, is the record of
 * progress: a worker that dies leaves its job to expire and be taken again, and the flow resumes at
 * its next milestone; a transient failure (a store unreachable, a version conflict) is retried
 * with exponential backoff; any other failure completes the job with the failure as its output.
 * Every worker needs the same stores as the submitter (blob, metadata and semantic).
 */
export class DataMashDistributedRunner extends RealmServiceBase<
  RealmServiceDeps & { flow: DataMashSolutionOrchestrator; options: DistributedRunnerOptions }
> {
  readonly realm = DATA_MASH_REALM;
  #boss: PgBoss | undefined;
  readonly #queue: string;
  #workerId: string | undefined;

  constructor(deps: RealmServiceDeps & { flow: DataMashSolutionOrchestrator; options: DistributedRunnerOptions }) {
    super(deps);
    this.#queue = deps.options.queue ?? 'data-mash-flow';
  }

  /** The queue's name. */
  get queue(): string {
    return this.#queue;
  }

  async initialize(): Promise<void> {
    let PgBossClass: typeof PgBoss;
    try {
      ({ PgBoss: PgBossClass } = await import('pg-boss'));
    } catch (error) {
      throw new PlatformError('ADAPTER_UNAVAILABLE', "the distributed runner needs the 'pg-boss' package: install it", {
        details: { adapter: 'pg-boss' },
        cause: error,
      });
    }
    const { options } = this.deps;
    const boss = new PgBossClass({ connectionString: options.connectionString, schema: options.schema ?? 'pgboss' });
    boss.on('error', (error) => this.auditError(error, { operation: 'data_mash.runner' }));
    try {
      await boss.start();
      await boss.createQueue(this.#queue, {
        retryLimit: options.retryLimit ?? 5,
        retryDelay: options.retryDelaySeconds ?? 2,
        retryBackoff: true,
        expireInSeconds: options.expireInSeconds ?? 900,
      });
    } catch (error) {
      await boss.stop({ graceful: false }).catch(() => undefined);
      throw new PlatformError('ADAPTER_UNAVAILABLE', `the flow queue is unreachable: ${(error as Error).message}`, {
        details: { adapter: 'pg-boss' },
        cause: error,
      });
    }
    this.#boss = boss;
  }

  async drain(): Promise<void> {
    // Stop taking jobs; running flows finish (pg-boss waits for them up to its timeout).
    if (this.#boss && this.#workerId) await this.#boss.offWork(this.#queue, { id: this.#workerId, wait: true });
    this.#workerId = undefined;
  }

  async shutdown(): Promise<void> {
    await this.#boss?.stop({ graceful: true, timeout: 30_000 });
    this.#boss = undefined;
  }

  override async health(): Promise<ServiceHealth> {
    if (!this.#boss) return { status: 'unhealthy', message: 'not started' };
    try {
      const queue = await this.#boss.getQueue(this.#queue);
      return { status: 'healthy', details: { queue: this.#queue, working: this.#workerId !== undefined, ...queue } };
    } catch (error) {
      return { status: 'unhealthy', message: (error as Error).message };
    }
  }

  /**
   * Stores a new file (or takes a stored one) and enqueues its flow. Answers at once; the flow
   * runs on whichever worker takes the job.
   * @throws {PlatformError} `FILE_QUARANTINED` (the file is kept in quarantine), the Content
   * Steward's validation errors, `VALIDATION_FAILED` for a bad user context.
   */
  async submit(
    request: { userContext: unknown; traceId?: string } & ({ file: IncomingFile } | { fileId: string }),
  ): Promise<{ jobId: string; fileId: string; traceId: string }> {
    const user = this.requireUserContext(request.userContext);
    this.requirePermission(user, 'files:write');
    const traceId = request.traceId ?? currentTraceId() ?? generateTraceId();
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
    if (this.#workerId) return;
    const { options } = this.deps;
    this.#workerId = await this.#requireBoss().work<FlowJobData, FlowJobOutput>(
      this.#queue,
      {
        batchSize: 1,
        localConcurrency: options.concurrency ?? 2,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
      },
      async ([job]) => this.#run(job as { id: string; data: FlowJobData; retryCount: number }),
    );
  }

  /** Where a submitted flow is. @throws `NOT_FOUND` for an unknown job. */
  async status(jobId: string): Promise<FlowJobStatus> {
    const [job] = await this.#requireBoss().findJobs<FlowJobData>(this.#queue, { id: jobId });
    if (!job) throw new PlatformError('NOT_FOUND', `no flow job '${jobId}'`, { details: { jobId } });
    const output = (job as { output?: unknown }).output as FlowJobOutput | undefined;
    return {
      jobId,
      state: job.state,
      retryCount: job.retryCount,
      ...(job.state === 'completed' && output ? { output } : {}),
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
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
    }
  }

  async #run(job: { id: string; data: FlowJobData; retryCount: number }): Promise<FlowJobOutput> {
    let data: FlowJobData;
    let userContext: VerifiedUserContext;
    try {
      data = FlowJobDataSchema.parse(job.data) as FlowJobData;
      // The submitter was verified when it submitted; the queue is the platform's own, so the
      // worker (internal track) acts for that caller again, saying so in the audit trail.
      userContext = trustUserContext(data.userContext, { verifiedBy: 'data-mash.flow-queue' });
    } catch (error) {
      // A malformed job fails for good: another attempt would read the same bytes.
      const failure = new PlatformError('VALIDATION_FAILED', `flow job '${job.id}' is malformed`, {
        details: { jobId: job.id, reason: error instanceof Error ? error.message.slice(0, 500) : String(error) },
      });
      this.logOperation('data_mash.flow_job', false, { jobId: job.id, code: failure.code });
      return { success: false, traceId: currentTraceId() ?? generateTraceId(), error: serializeError(failure) };
    }
    const result: DataMashFlowResult = await this.deps.flow.executeDataMashFlow({
      fileId: data.fileId,
      userContext,
      traceId: data.traceId,
    });
    if (result.success) {
      this.logOperation('data_mash.flow_job', true, {
        jobId: job.id,
        journeyId: result.journeyId,
        run: result.run,
        retryCount: job.retryCount,
      });
      return { success: true, journeyId: result.journeyId, traceId: result.traceId, run: result.run };
    }
    const output: FlowJobOutput = {
      success: false,
      traceId: result.traceId,
      error: result.error,
      ...(result.journeyId ? { journeyId: result.journeyId } : {}),
      ...(result.failedPhase ? { failedPhase: result.failedPhase } : {}),
    };
    if (QUEUE_RETRY_ERROR_CODES.has(result.error.code)) {
      this.logOperation('data_mash.flow_retry', false, {
        jobId: job.id,
        attempt: job.retryCount + 1,
        code: result.error.code,
      });
      throw new TransientFlowFailure(output);
    }
    this.logOperation('data_mash.flow_job', false, {
      jobId: job.id,
      journeyId: result.journeyId,
      failedPhase: result.failedPhase,
      code: result.error.code,
      retryCount: job.retryCount,
    });
    return output;
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
    description: {
      description: 'The data mash flow on workers sharing a Postgres queue (pg-boss)',
      realm: DATA_MASH_REALM,
      tags: ['data-mash', 'runner'],
    },
  });
}
