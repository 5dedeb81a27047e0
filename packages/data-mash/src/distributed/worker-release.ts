import type { JobAttempt, PgBoss } from 'pg-boss';

/** The failure a released job's attempt ends with (stored as that attempt's output). */
export const WORKER_STOPPED = {
  code: 'WORKER_STOPPED',
  message: 'the worker stopped before the flow finished: released to another worker',
} as const;

/**
 * Releases jobs a stopping worker still holds: fails each held attempt (fenced to it, so a job
 * another worker took meanwhile is left alone) with {@link WORKER_STOPPED}, then makes the ones
 * queued for a retry due at once instead of after their backoff. A job whose retries were used up
 * goes to the dead-letter queue as pg-boss does with any last failure. Answers the released ids.
 */
export async function releaseJobs(
  boss: PgBoss,
  schema: string,
  queue: string,
  held: readonly JobAttempt[],
): Promise<string[]> {
  if (held.length === 0) return [];
  await boss.fail(queue, [...held], { ...WORKER_STOPPED });
  const ids = held.map((attempt) => attempt.id);
  // pg-boss accepts only [\w.-/] in a schema name: quoted, it cannot break out of the identifier.
  await boss
    .getDb()
    .executeSql(
      `UPDATE "${schema.replaceAll('"', '""')}".job SET start_after = now() WHERE name = $1 AND id = ANY($2::uuid[]) AND state = 'retry'`,
      [queue, ids],
    );
  return ids;
}
