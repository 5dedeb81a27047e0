import { redactConnectionString } from '@platform/foundations';
import type { TelemetryEvent } from '@platform/observability';
import { EXIT, jsonText, print, printable, UsageError } from './output.js';
import { type GlobalOptions, openSession } from './session.js';

/** Options of `data-mash work`. */
export interface WorkOptions extends GlobalOptions {
  queue?: string;
  concurrency?: string;
}

/** `--concurrency`: 1 to 64 flows at once. */
export function concurrencyOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 64) {
    throw new UsageError(`--concurrency must be a whole number from 1 to 64, got '${value}'`);
  }
  return number;
}

/** `--queue` (for `work`, also `PLATFORM_QUEUE_URL`): a Postgres URL, required. */
export function queueOption(value: string | undefined): string {
  if (!value) throw new UsageError('name the flow queue: --queue postgres://... (or PLATFORM_QUEUE_URL for work)');
  if (!/^postgres(ql)?:\/\//.test(value)) {
    throw new UsageError(`--queue takes the queue's Postgres URL (postgres://...), got '${value}'`);
  }
  return value;
}

/**
 * `data-mash work --queue <postgres-url>`: makes this process a worker of the distributed runner,
 * running flows other processes submitted (`ingest --queue`), a line per flow it finishes, until
 * SIGINT or SIGTERM; then it stops taking jobs, lets the running flows finish, and exits 0.
 * The stores must be the submitters' (PLATFORM_BLOB_STORE, PLATFORM_METADATA_STORE, ...).
 */
export async function work(options: WorkOptions): Promise<number> {
  const url = queueOption(options.queue);
  const concurrency = concurrencyOption(options.concurrency);
  const finished = (event: TelemetryEvent) => {
    if (event.operation !== 'data_mash.flow_job') return;
    const details = event.details ?? {};
    const line = options.json
      ? jsonText({ success: event.success, ...details }, 0)
      : `${event.success ? '✔' : '✖'} job ${printable(details.jobId)} journey ${printable(details.journeyId ?? '–')}${
          event.success
            ? ` (${printable(details.run)})`
            : ` failed at ${printable(details.failedPhase ?? 'start')}: ${printable(details.code)}`
        }`;
    print(line);
  };
  const session = await openSession(options, finished, { url, ...(concurrency ? { concurrency } : {}) });
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    await session.runner?.work();
    process.stderr.write(
      `data-mash: working on ${printable(redactConnectionString(url))} (queue ${session.runner?.queue}, ${concurrency ?? 2} at once); stop with Ctrl-C\n`,
    );
    await stopped;
    process.stderr.write('data-mash: stopping: running flows finish first\n');
  } finally {
    await session.close();
  }
  return EXIT.ok;
}
