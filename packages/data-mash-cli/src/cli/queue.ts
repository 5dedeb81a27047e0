import type { FlowQueueStats } from '@platform/data-mash/distributed';
import { EXIT, print, printable, printJson, table, UsageError } from './output.js';
import { type GlobalOptions, openSession } from './session.js';
import { queueOption } from './work.js';

/** Options of `data-mash queue`. */
export interface QueueCommandOptions extends GlobalOptions {
  queue?: string;
  all?: boolean;
  limit?: string;
}

const ACTIONS = ['stats', 'dead-letters', 'retry'] as const;

function statsLines(stats: FlowQueueStats): string {
  const rows: Array<[string, number, string?]> = [
    ['queued', stats.queued, `deferred ${stats.deferred}, retrying ${stats.retrying}`],
    ['in flight', stats.active],
    ['completed', stats.completed],
    ['failed', stats.failed],
    ['dead-lettered', stats.deadLettered],
  ];
  return [
    `queue ${printable(stats.queue)} (dead letters in ${printable(stats.deadLetterQueue)})`,
    ...rows.map(
      ([name, value, note]) => `  ${name.padEnd(14)}${String(value).padStart(8)}${note ? `  (${note})` : ''}`,
    ),
  ].join('\n');
}

/**
 * `data-mash queue [stats|dead-letters|retry] --queue <postgres-url>` (or PLATFORM_QUEUE_URL):
 * the flow queue's counts (queued, of which deferred and retrying; in flight; completed; failed;
 * dead-lettered); the dead letters with their reasons; or `retry <jobId>... | --all`, which moves
 * dead letters back to the flow queue (their journeys resume on the workers). Exits 1 when a
 * named dead letter was not found.
 */
export async function queueCommand(action: string | undefined, jobIds: string[], options: QueueCommandOptions) {
  const url = queueOption(options.queue);
  const chosen = action ?? 'stats';
  if (!(ACTIONS as readonly string[]).includes(chosen)) {
    throw new UsageError(`queue takes ${ACTIONS.join(', ')}, got '${chosen}'`);
  }
  if (chosen !== 'retry' && (jobIds.length > 0 || options.all)) {
    throw new UsageError(`job ids and --all go with 'queue retry'`);
  }
  if (chosen === 'retry' && jobIds.length > 0 === Boolean(options.all)) {
    throw new UsageError('queue retry takes dead-letter job ids or --all (one or the other)');
  }
  const malformed = jobIds.filter((id) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id));
  if (malformed.length > 0) {
    throw new UsageError(`job ids are UUIDs (as 'queue dead-letters' lists them), got '${printable(malformed[0])}'`);
  }
  const limit = options.limit === undefined ? 100 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new UsageError(`--limit must be a whole number from 1 to 10000, got '${options.limit}'`);
  }
  const session = await openSession(options, undefined, { url });
  try {
    const runner = session.runner;
    if (!runner) throw new Error('the distributed runner did not start');
    if (chosen === 'stats') {
      const stats = await runner.stats();
      if (options.json) printJson(stats);
      else print(statsLines(stats));
      return EXIT.ok;
    }
    if (chosen === 'dead-letters') {
      const letters = await runner.deadLetters({ limit });
      if (options.json) printJson(letters);
      else if (letters.length === 0) print('no dead letters');
      else {
        print(
          table(
            ['dead letter', 'file', 'tenant', 'retries', 'reason'],
            letters.map((letter) => [
              letter.jobId,
              letter.fileId ?? '–',
              letter.tenantId ?? '–',
              String(letter.retryCount ?? '–'),
              letter.reason ? `${letter.reason.code}: ${letter.reason.message}` : '–',
            ]),
          ),
        );
      }
      return EXIT.ok;
    }
    const { moved } = await runner.retryDeadLetters(options.all ? 'all' : jobIds);
    const missing = options.all ? 0 : jobIds.length - moved;
    if (options.json) printJson({ moved, missing });
    else
      print(
        `moved ${moved} dead letter(s) back to ${printable(runner.queue)}${missing ? `; ${missing} not found` : ''}`,
      );
    return missing > 0 ? EXIT.failed : EXIT.ok;
  } finally {
    await session.close();
  }
}
