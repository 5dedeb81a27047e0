/**
 * The queue's ceiling for bench/scale-out-throughput.bench.ts: a plain pg-boss worker whose
 * handler does nothing, configured as `data-mash work` configures its runner (same pg-boss, same
 * supervise / monitor intervals, batch size 1, metadata, `localConcurrency`, 1 s polling), on a
 * queue created with the flow queue's options. Run as a child process, one per worker:
 *
 *   node scale-out/noop-worker.ts <postgres-url> <concurrency>
 *
 * It prints `ready` on stderr once working, and stops on SIGTERM / SIGINT.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The parts of pg-boss's PgBoss this bench uses (the bench itself does not depend on pg-boss). */
export interface Boss {
  start(): Promise<unknown>;
  stop(options?: { graceful?: boolean; timeout?: number }): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  createQueue(name: string, options?: Record<string, unknown>): Promise<void>;
  insert(name: string, jobs: Array<{ data: object }>): Promise<unknown>;
  work(name: string, options: Record<string, unknown>, handler: (jobs: unknown[]) => Promise<unknown>): Promise<string>;
  getDb(): {
    executeSql(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  };
}
type BossClass = new (options: Record<string, unknown>) => Boss;

export const NOOP_QUEUE = 'scale-out-noop';
/** What `data-mash work` passes as pollingIntervalSeconds (packages/data-mash-cli/src/cli/session.ts). */
export const POLLING_SECONDS = 1;

/** pg-boss as @platform/data-mash resolves it (the bench has no dependency of its own on it). */
export async function loadPgBoss(): Promise<BossClass> {
  const require = createRequire(join(import.meta.dirname, '..', '..', 'packages', 'data-mash', 'package.json'));
  const module = (await import(pathToFileURL(require.resolve('pg-boss')).href)) as { PgBoss: BossClass };
  return module.PgBoss;
}

/**
 * A PgBoss configured as the distributed runner configures its own (heartbeat 30 s → supervise
 * every 10 s), with `extra` options on top (the bench's own client: no supervision, no schedules).
 */
export async function startBoss(connectionString: string, extra: Record<string, unknown> = {}): Promise<Boss> {
  const PgBoss = await loadPgBoss();
  const boss = new PgBoss({
    connectionString,
    schema: 'pgboss',
    superviseIntervalSeconds: 10,
    monitorIntervalSeconds: 5,
    queueCacheIntervalSeconds: 5,
    ...extra,
  });
  boss.on('error', (error) => process.stderr.write(`pg-boss error: ${error.message}\n`));
  await boss.start();
  return boss;
}

/** Creates the no-op queue with the flow queue's options (see ensureFlowQueues in the runner). */
export async function createNoopQueue(boss: Boss): Promise<void> {
  await boss.createQueue(`${NOOP_QUEUE}.dead-letters`);
  await boss.createQueue(NOOP_QUEUE, {
    retryLimit: 5,
    retryDelay: 2,
    retryBackoff: true,
    expireInSeconds: 900,
    heartbeatSeconds: 30,
    deadLetter: `${NOOP_QUEUE}.dead-letters`,
  });
}

if (process.argv[1] === import.meta.filename) {
  const [url, concurrency] = process.argv.slice(2);
  if (!url) throw new Error('usage: node scale-out/noop-worker.ts <postgres-url> <concurrency>');
  const boss = await startBoss(url);
  await boss.work(
    NOOP_QUEUE,
    {
      batchSize: 1,
      includeMetadata: true,
      localConcurrency: Number(concurrency ?? 1),
      pollingIntervalSeconds: POLLING_SECONDS,
      burstWhenReadyExceeds: 1,
    },
    async () => ({ success: true }),
  );
  process.stderr.write('ready\n');
  const stop = async () => {
    await boss.stop({ graceful: true, timeout: 5_000 });
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
