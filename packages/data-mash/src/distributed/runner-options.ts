import { PlatformError } from '@platform/foundations';
import type { PgBoss } from 'pg-boss';
import { ensureFlowQueues } from './queue-admin.js';

/** Options of the distributed runner. */
export interface DistributedRunnerOptions {
  /** The Postgres holding the queue (pg-boss creates its tables in `schema`). */
  connectionString: string;
  /** Default `pgboss`. */
  schema?: string;
  /** Default `data-mash-flow`. */
  queue?: string;
  /**
   * Where jobs go whose transient failures outlasted `retryLimit`. Default `<queue>.dead-letters`.
   * A queue that already has a dead-letter queue keeps its own.
   */
  deadLetterQueue?: string;
  /** Flows this process runs at once while working. Default 2. */
  concurrency?: number;
  /** Attempts after the first for a flow that failed for a transient reason. Default 5. */
  retryLimit?: number;
  /** First retry delay in seconds, doubled each time (with jitter). Default 2. */
  retryDelaySeconds?: number;
  /** A flow running longer is taken to have lost its worker and is run again. Default 900. */
  expireInSeconds?: number;
  /**
   * A running flow's worker refreshes its job every half of this; a job not refreshed for this
   * long (its worker was killed, or lost its connection) is failed and retried by another worker.
   * At least 10. Default 30.
   */
  heartbeatSeconds?: number;
  /** How often idle workers look for jobs when no notification comes. Default 2. */
  pollingIntervalSeconds?: number;
  /**
   * When the platform stops, how long running flows get to finish before their jobs are released
   * to other workers (failed with `WORKER_STOPPED` and due again at once). Default 30.
   */
  drainTimeoutSeconds?: number;
}

// Each numeric option: whether it must be whole, and its bounds (pg-boss's own where it has them).
const BOUNDS: Record<string, { whole: boolean; min: number; max: number }> = {
  concurrency: { whole: true, min: 1, max: 1_000 },
  retryLimit: { whole: true, min: 0, max: 1_000 },
  retryDelaySeconds: { whole: true, min: 0, max: 86_400 },
  expireInSeconds: { whole: true, min: 1, max: 86_400 },
  heartbeatSeconds: { whole: true, min: 10, max: 86_400 },
  pollingIntervalSeconds: { whole: false, min: 0.5, max: 3_600 },
  drainTimeoutSeconds: { whole: false, min: 0, max: 86_400 },
};

/**
 * Checks the runner's options before anything is created.
 * @throws {PlatformError} `CONFIG_INVALID` naming every option out of range, with its bounds.
 */
export function checkRunnerOptions(options: DistributedRunnerOptions): void {
  const problems: string[] = [];
  if (typeof options.connectionString !== 'string' || !/^postgres(ql)?:\/\//i.test(options.connectionString)) {
    problems.push('connectionString must be a postgres:// URL');
  }
  for (const [name, { whole, min, max }] of Object.entries(BOUNDS)) {
    const value = (options as unknown as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (whole && !Number.isInteger(value)) ||
      value < min ||
      value > max
    ) {
      problems.push(
        `${name} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new PlatformError('CONFIG_INVALID', `distributed runner: ${problems.join('; ')}`, { details: { problems } });
  }
}

/**
 * Starts pg-boss on the queue's Postgres and makes (or brings up to date) the flow queue and its
 * dead-letter queue. Answers the started instance and the dead-letter queue in use.
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when pg-boss is not installed or the queue's
 *   Postgres cannot be reached (the instance is stopped).
 */
export async function startFlowQueue(
  options: DistributedRunnerOptions,
  schema: string,
  queue: string,
  deadLetterQueue: string,
  onError: (error: Error) => void,
): Promise<{ boss: PgBoss; deadLetterQueue: string }> {
  let PgBossClass: typeof PgBoss;
  try {
    ({ PgBoss: PgBossClass } = await import('pg-boss'));
  } catch (error) {
    throw new PlatformError('ADAPTER_UNAVAILABLE', "the distributed runner needs the 'pg-boss' package: install it", {
      details: { adapter: 'pg-boss' },
      cause: error,
    });
  }
  // Supervision (which fails the jobs of silent workers) runs a few times per heartbeat, so that
  // a killed worker's flow waits about one heartbeat, not pg-boss's default minute on top.
  const supervise = Math.max(5, Math.floor((options.heartbeatSeconds ?? 30) / 3));
  const boss = new PgBossClass({
    connectionString: options.connectionString,
    schema,
    superviseIntervalSeconds: supervise,
    // The queue's backlog as workers see it (what `burstWhenReadyExceeds` reads) is counted by
    // the monitor and cached: both every few seconds, so a backlog is worked through at once.
    monitorIntervalSeconds: 5,
    queueCacheIntervalSeconds: 5,
  });
  boss.on('error', onError);
  try {
    await boss.start();
    const inUse = await ensureFlowQueues(
      boss,
      queue,
      deadLetterQueue,
      {
        retryLimit: options.retryLimit ?? 5,
        retryDelay: options.retryDelaySeconds ?? 2,
        retryBackoff: true,
        expireInSeconds: options.expireInSeconds ?? 900,
        heartbeatSeconds: options.heartbeatSeconds ?? 30,
      },
      {
        ...(options.retryLimit === undefined ? {} : { retryLimit: options.retryLimit }),
        ...(options.retryDelaySeconds === undefined ? {} : { retryDelay: options.retryDelaySeconds }),
        ...(options.expireInSeconds === undefined ? {} : { expireInSeconds: options.expireInSeconds }),
        ...(options.heartbeatSeconds === undefined ? {} : { heartbeatSeconds: options.heartbeatSeconds }),
      },
    );
    return { boss, deadLetterQueue: inUse };
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    throw new PlatformError('ADAPTER_UNAVAILABLE', `the flow queue is unreachable: ${(error as Error).message}`, {
      details: { adapter: 'pg-boss' },
      cause: error,
    });
  }
}
