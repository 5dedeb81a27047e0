import type { SerializedPlatformError } from '@platform/foundations';
import { z } from 'zod';
import { TRANSIENT_ERROR_CODES } from '../journeys/journey-orchestrator.js';

/** What a job carries: references and the caller, never the file. */
export interface FlowJobData {
  fileId: string;
  userContext: { userId: string; tenantId: string; roles: string[]; permissions: string[]; sessionId?: string };
  traceId: string;
}

// What a worker accepts off the queue: the job crossed a process boundary, so it is checked
// before anything acts on it (the user context is parsed again when vouched for).
export const FlowJobDataSchema = z
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
  /**
   * Set once the job failed for good (its attempts ran out; it is then a dead letter): why its
   * last attempt failed, e.g. `ADAPTER_UNAVAILABLE`, `WORKER_LOST`, `WORKER_STOPPED`.
   */
  reason?: NonNullable<DeadLetteredFlow['reason']>;
}

/**
 * The flow queue's counts, read live from the queue's table (not from pg-boss's monitor cache).
 * `queued` includes `deferred` (waiting for a start time, mostly a retry's backoff) and `retrying`
 * (queued again after a failed attempt, deferred or not).
 */
export interface FlowQueueStats {
  queue: string;
  deadLetterQueue: string;
  /** Jobs waiting for a worker (created or retry). */
  queued: number;
  /** Of `queued`: not yet due (a retry's backoff). */
  deferred: number;
  /** Of `queued`: jobs that failed an attempt and wait for the next one. */
  retrying: number;
  /** Jobs a worker holds. */
  active: number;
  /** Jobs completed (a flow's failure for good is a completed job with a failure as output), still retained. */
  completed: number;
  /** Jobs that exhausted their retries (each also copied to the dead-letter queue), still retained. */
  failed: number;
  /** Jobs cancelled, still retained. */
  cancelled: number;
  /** Jobs waiting in the dead-letter queue for `retryDeadLetters`. */
  deadLettered: number;
}

/** A job in the dead-letter queue: a flow whose transient failures outlasted its retries. */
export interface DeadLetteredFlow {
  /** Its id in the dead-letter queue (what `retryDeadLetters` takes). */
  jobId: string;
  /** The id of the flow job that failed. */
  sourceJobId: string | null;
  fileId: string | undefined;
  tenantId: string | undefined;
  traceId: string | undefined;
  /** When it was dead-lettered. */
  deadLetteredAt: Date;
  /** Attempts after the first the failed job had. */
  retryCount: number | null;
  /** The last attempt's failure: its error code and message (and journey, phase when known). */
  reason: { code: string; message: string; journeyId?: string; failedPhase?: string } | undefined;
}

/**
 * Failures after which the job is retried with backoff (the journey resumes): the transient codes
 * the journey already retried within its run, plus a milestone timeout and a version conflict
 * with another worker. Anything else is final.
 */
export const QUEUE_RETRY_ERROR_CODES: ReadonlySet<string> = new Set([...TRANSIENT_ERROR_CODES, 'TIMEOUT', 'CONFLICT']);

/**
 * A flow that failed for a transient reason: thrown so that pg-boss retries the job. Its enumerable
 * fields are what pg-boss stores as the failed attempt's output (and a dead letter's reason).
 */
export class TransientFlowFailure extends Error {
  readonly code: string;
  readonly journeyId: string | undefined;
  readonly failedPhase: string | undefined;
  readonly traceId: string;
  constructor(output: FlowJobOutput & { success: false }) {
    super(`${output.error.code}: ${output.error.message}`);
    this.code = output.error.code;
    this.journeyId = output.journeyId;
    this.failedPhase = output.failedPhase;
    this.traceId = output.traceId;
  }
}

/**
 * Reads a stored failure (a thrown {@link TransientFlowFailure}, a release, pg-boss's own) as a
 * reason. pg-boss's own are named: `WORKER_LOST` when the worker running the flow stopped
 * refreshing its heartbeat (it was killed, or cut off), `TIMEOUT` when the job expired.
 */
export function failureReason(output: unknown): DeadLetteredFlow['reason'] {
  if (!output || typeof output !== 'object') return undefined;
  const value = output as Record<string, unknown>;
  // pg-boss's own failures are `{ value: { message } }` (a heartbeat that lapsed, a job that expired).
  const inner = value.value && typeof value.value === 'object' ? (value.value as Record<string, unknown>) : {};
  const message =
    typeof value.message === 'string'
      ? value.message
      : typeof value.value === 'string'
        ? value.value
        : typeof inner.message === 'string'
          ? inner.message
          : '';
  const code =
    typeof value.code === 'string'
      ? value.code
      : /heartbeat/i.test(message)
        ? 'WORKER_LOST'
        : /expired|timed? ?out/i.test(message)
          ? 'TIMEOUT'
          : 'INTERNAL';
  return {
    code,
    message: message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message,
    ...(typeof value.journeyId === 'string' ? { journeyId: value.journeyId } : {}),
    ...(typeof value.failedPhase === 'string' ? { failedPhase: value.failedPhase } : {}),
  };
}
