import type { PgBoss, QueueOptions } from 'pg-boss';
import { type DeadLetteredFlow, type FlowQueueStats, failureReason } from './flow-job.js';

// Reads and admin of the flow queue that pg-boss has no single call for. The counts are read live
// from pg-boss's job table (partitioned by queue name), so back-pressure and `data-mash queue`
// see the queue as it is, not as of pg-boss's last monitor pass.

/**
 * Creates the flow queue and its dead-letter queue, or brings an existing flow queue up to date:
 * its retry, expiry and heartbeat settings set to `options`, a dead-letter queue added when it
 * has none (jobs already queued keep their own settings).
 * Answers the dead-letter queue in use (an existing queue's own choice wins).
 */
export async function ensureFlowQueues(
  boss: PgBoss,
  queue: string,
  deadLetterQueue: string,
  options: QueueOptions,
  /** The settings the host gave itself (not defaults): these replace an existing queue's. */
  given: Partial<Pick<QueueOptions, 'retryLimit' | 'retryDelay' | 'expireInSeconds' | 'heartbeatSeconds'>> = {},
): Promise<string> {
  const existing = await boss.getQueue(queue);
  // The settings a host gives are the queue's from its next start on: the last deployment's choice
  // wins, as for any setting in code. Defaults never replace what an operator set; a queue made
  // before heartbeats were used gets them. Jobs already queued keep the settings they were sent with.
  if (existing) {
    const changed: Record<string, number> = {};
    for (const [key, wanted] of Object.entries(given)) {
      if (wanted !== undefined && existing[key as keyof typeof existing] !== wanted) changed[key] = wanted;
    }
    if (existing.heartbeatSeconds == null && changed.heartbeatSeconds === undefined && options.heartbeatSeconds) {
      changed.heartbeatSeconds = options.heartbeatSeconds;
    }
    if (Object.keys(changed).length > 0) await boss.updateQueue(queue, changed);
  }
  if (existing?.deadLetter) return existing.deadLetter;
  await boss.createQueue(deadLetterQueue);
  if (existing) await boss.updateQueue(queue, { deadLetter: deadLetterQueue });
  else await boss.createQueue(queue, { ...options, deadLetter: deadLetterQueue });
  return deadLetterQueue;
}

function table(schema: string): string {
  // pg-boss accepts only [\w.-/] in a schema name: quoted, it cannot break out of the identifier.
  return `"${schema.replaceAll('"', '""')}".job`;
}

/** Jobs waiting for a worker on `queue` (created or retry, due or not). */
export async function countQueued(boss: PgBoss, schema: string, queue: string): Promise<number> {
  const { rows } = await boss
    .getDb()
    .executeSql(`SELECT count(*)::int AS n FROM ${table(schema)} WHERE name = $1 AND state < 'active'`, [queue]);
  return Number(rows[0]?.n ?? 0);
}

/** The flow queue's counts by state, and its dead letters waiting to be retried. */
export async function readQueueStats(
  boss: PgBoss,
  schema: string,
  queue: string,
  deadLetterQueue: string,
): Promise<FlowQueueStats> {
  const { rows } = await boss.getDb().executeSql(
    `SELECT name, state::text AS state, count(*)::int AS n,
            count(*) FILTER (WHERE start_after > now())::int AS deferred
       FROM ${table(schema)} WHERE name = ANY($1::text[]) GROUP BY name, state`,
    [[queue, deadLetterQueue]],
  );
  const count = (name: string, state: string) =>
    rows.filter((row) => row.name === name && row.state === state).reduce((sum, row) => sum + Number(row.n), 0);
  const deferred = rows
    .filter((row) => row.name === queue && (row.state === 'created' || row.state === 'retry'))
    .reduce((sum, row) => sum + Number(row.deferred), 0);
  return {
    queue,
    deadLetterQueue,
    queued: count(queue, 'created') + count(queue, 'retry'),
    deferred,
    retrying: count(queue, 'retry'),
    active: count(queue, 'active'),
    completed: count(queue, 'completed'),
    failed: count(queue, 'failed'),
    cancelled: count(queue, 'cancelled'),
    deadLettered: count(deadLetterQueue, 'created') + count(deadLetterQueue, 'retry'),
  };
}

/** The dead letters waiting to be retried, oldest first, with the reason their last attempt failed. */
export async function listDeadLetters(
  boss: PgBoss,
  schema: string,
  deadLetterQueue: string,
  limit: number,
): Promise<DeadLetteredFlow[]> {
  const { rows } = await boss.getDb().executeSql(
    `SELECT id, data, created_on, source_id, source_retry_count, source_output
       FROM ${table(schema)} WHERE name = $1 AND state < 'active' ORDER BY created_on, id LIMIT $2`,
    [deadLetterQueue, limit],
  );
  return rows.map((row) => {
    const data = (row.data ?? {}) as { fileId?: string; traceId?: string; userContext?: { tenantId?: string } };
    return {
      jobId: String(row.id),
      sourceJobId: row.source_id ? String(row.source_id) : null,
      fileId: data.fileId,
      tenantId: data.userContext?.tenantId,
      traceId: data.traceId,
      deadLetteredAt: new Date(row.created_on),
      retryCount: row.source_retry_count ?? null,
      reason: failureReason(row.source_output),
    };
  });
}
