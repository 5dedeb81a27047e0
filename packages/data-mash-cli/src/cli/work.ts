import { startWorkerHealthServer, type WorkerHealthServer } from '@platform/data-mash/distributed';
import { redactConnectionString } from '@platform/foundations';
import type { TelemetryEvent } from '@platform/observability';
import { EXIT, jsonText, print, printable, UsageError } from './output.js';
import { type GlobalOptions, openSession, type Session } from './session.js';

/** Options of `data-mash work`. */
export interface WorkOptions extends GlobalOptions {
  queue?: string;
  concurrency?: string;
  drainTimeout?: string;
  healthPort?: string;
  healthHost?: string;
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
  if (!value) throw new UsageError('name the flow queue: --queue postgres://... (or PLATFORM_QUEUE_URL)');
  if (!/^postgres(ql)?:\/\//i.test(value)) {
    // The value may hold a password (a Redis URL given by mistake, say): never printed.
    throw new UsageError(
      `--queue takes the queue's Postgres URL (postgres://...), got '${redactConnectionString(value)}'`,
    );
  }
  return value;
}

/** `--drain-timeout`: 0 to 3600 seconds (default 30). */
export function drainTimeoutOption(value: string | undefined): number {
  if (value === undefined) return 30;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 3600) {
    throw new UsageError(`--drain-timeout takes seconds from 0 to 3600, got '${value}'`);
  }
  return number;
}

/** `--health-port`: 0 (any free port) to 65535. */
export function healthPortOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new UsageError(`--health-port must be a port from 0 to 65535, got '${value}'`);
  }
  return number;
}

/** `/readyz`: the runner is working and not draining, and no store is unhealthy. */
async function readiness(session: Session): Promise<{ ready: boolean; reason?: string }> {
  const runner = await (session.runner?.readiness() ?? { ready: false, reason: 'no runner' });
  if (!runner.ready) return runner;
  const health = await session.platform.health();
  if (health.status !== 'unhealthy') return { ready: true };
  const down = Object.entries(health.services)
    .filter(([, record]) => record.status === 'unhealthy')
    .map(([id]) => id);
  return { ready: false, reason: `unhealthy: ${down.join(', ')}` };
}

/**
 * `data-mash work --queue <postgres-url>`: makes this process a worker of the distributed runner,
 * running flows other processes submitted (`ingest --queue`), a line per flow it finishes, until
 * SIGINT or SIGTERM. Then it stops taking jobs and lets the running flows finish for up to
 * `--drain-timeout` seconds (default 30); the jobs of flows still running then are released to
 * other workers at once (their journeys resume there). It exits 0. A second signal exits at once
 * (130 or 143): its running jobs go back to the queue when their heartbeat lapses (about 40 s).
 * `--health-port` serves `GET /healthz` and `GET /readyz` on `--health-host` (default 127.0.0.1;
 * 0.0.0.0 in a container whose probes come from outside it, as the kubelet's do).
 * The stores must be the submitters' (PLATFORM_BLOB_STORE, PLATFORM_METADATA_STORE, ...).
 */
export async function work(options: WorkOptions): Promise<number> {
  const url = queueOption(options.queue);
  const concurrency = concurrencyOption(options.concurrency);
  const drainTimeoutSeconds = drainTimeoutOption(options.drainTimeout);
  const healthPort = healthPortOption(options.healthPort);
  let released = 0;
  const finished = (event: TelemetryEvent) => {
    if (event.operation === 'data_mash.flow_released') released += 1;
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
  const session = await openSession(options, finished, {
    url,
    drainTimeoutSeconds,
    ...(concurrency ? { concurrency } : {}),
  });
  let signals = 0;
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) return stop();
    process.stderr.write(
      `data-mash: ${signal} again: exiting now, running flows go back to the queue when their heartbeat lapses\n`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let health: WorkerHealthServer | undefined;
  try {
    await session.runner?.work();
    if (healthPort !== undefined) {
      const host = options.healthHost ?? '127.0.0.1';
      health = await startWorkerHealthServer({ port: healthPort, host, ready: () => readiness(session) });
      process.stderr.write(
        `data-mash: health on http://${host.includes(':') ? `[${host}]` : host}:${health.port} (/healthz, /readyz)\n`,
      );
    }
    process.stderr.write(
      `data-mash: working on ${printable(redactConnectionString(url))} (queue ${session.runner?.queue}, ${concurrency ?? 2} at once); stop with Ctrl-C\n`,
    );
    await stopped;
    process.stderr.write(
      `data-mash: stopping: running flows finish first (up to ${drainTimeoutSeconds}s, then they go back to the queue)\n`,
    );
  } finally {
    await session.close();
    await health?.close();
  }
  if (released > 0) {
    process.stderr.write(`data-mash: released ${released} unfinished flow(s) to other workers\n`);
    // Their flows were still running here: do not wait for them.
    setTimeout(() => process.exit(process.exitCode ?? EXIT.ok), 1000).unref();
  } else process.stderr.write('data-mash: stopped: every running flow finished\n');
  return EXIT.ok;
}
