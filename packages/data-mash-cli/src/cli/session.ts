import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { DataMashSolutionOrchestratorRef, dataMashModules } from '@platform/data-mash';
import {
  type AnyServiceDefinition,
  createPlatform,
  loadPlatformConfig,
  type Platform,
  type PlatformConfig,
  type PlatformConfigInput,
} from '@platform/foundations';
import type { TelemetryEvent, TraceSpanSource } from '@platform/observability';
import { LibrarianRef, serviceIdentity, type VerifiedUserContext } from '@platform/smart-city';
import { governanceFromEnv } from './governance-env.js';
import { jsonText, UsageError } from './output.js';

/** The options every command takes. */
export interface GlobalOptions {
  tenant: string;
  user?: string;
  dataDir?: string;
  json?: boolean;
  verbose?: boolean;
}

/** Configuration from `PLATFORM_*` variables, with `--data-dir` over `PLATFORM_DATA_DIR`. */
export function cliConfig(options: GlobalOptions): PlatformConfig {
  return loadPlatformConfig(
    { ...(options.dataDir ? { dataDir: options.dataDir } : {}), telemetry: { sink: 'silent' } },
    { env: process.env },
  );
}

/**
 * Who the CLI acts as: the platform's own process (internal track), in `--tenant`, on behalf of
 * `--user` (default: the OS user). Whoever runs the CLI on the data directory has the data, so
 * the identity is trusted with the tenant; the user's name goes to the audit trail.
 */
export function cliUser(options: GlobalOptions): VerifiedUserContext {
  let userId = options.user;
  if (!userId) {
    try {
      userId = userInfo().username || 'cli';
    } catch {
      userId = 'cli';
    }
  }
  return serviceIdentity({ service: 'data-mash-cli', tenantId: options.tenant, actingFor: userId });
}

/**
 * Starts the platform with the data mash for one command. Telemetry events go to `listener` (the
 * progress bars) and, with `--verbose`, to stderr as JSON lines; never to stdout, which belongs
 * to the command's output.
 */
export async function openSession(
  options: GlobalOptions,
  listener?: (event: TelemetryEvent) => void,
  queue?: QueueOptions,
  config: PlatformConfigInput = {},
  /** More Smart City roles (the front door's, for `serve` and `mcp`). */
  roles: readonly AnyServiceDefinition[] = [],
  /**
   * `traces`: where the API's `GET /journeys/{journeyId}/trace` reads spans (for `serve`: the
   * buffer of `installTraceBuffer()` from `@platform/observability/trace-buffer`).
   */
  observe: { traces?: TraceSpanSource } = {},
) {
  // The queue's runner (and pg-boss behind it) only for the commands that work with a queue.
  const distributed = queue ? await import('@platform/data-mash/distributed') : undefined;
  const platform: Platform = createPlatform({
    config: { ...config, ...(options.dataDir ? { dataDir: options.dataDir } : {}), telemetry: { sink: 'silent' } },
    env: process.env,
    modules: dataMashModules({
      ...governanceFromEnv(process.env),
      ...(roles.length > 0 ? { roles } : {}),
      ...(observe.traces ? { traces: observe.traces } : {}),
    }),
    ...(queue && distributed
      ? {
          services: [
            distributed.dataMashDistributedRunner({
              connectionString: queue.url,
              ...(queue.concurrency ? { concurrency: queue.concurrency } : {}),
              ...(queue.drainTimeoutSeconds !== undefined ? { drainTimeoutSeconds: queue.drainTimeoutSeconds } : {}),
              pollingIntervalSeconds: 1,
            }),
          ],
        }
      : {}),
    telemetrySink: (event) => {
      listener?.(event);
      if (options.verbose) process.stderr.write(`${jsonText(event, 0)}\n`);
    },
  });
  await platform.start();
  return {
    platform,
    user: cliUser(options),
    flow: platform.get(DataMashSolutionOrchestratorRef),
    librarian: platform.get(LibrarianRef),
    runner: distributed ? platform.get(distributed.DataMashDistributedRunnerRef) : undefined,
    close: () => platform.stop(),
  };
}

/**
 * {@link openSession} for commands that read what was ingested (journeys, insights, search,
 * report, doctor): on the embedded default, a data directory that does not exist is a mistyped
 * `--data-dir` or `PLATFORM_DATA_DIR`, refused instead of created empty.
 */
export async function openExistingSession(options: GlobalOptions) {
  const config = cliConfig(options);
  if (config.profile === 'local' && !config.stores.metadata && !existsSync(config.dataDir)) {
    throw new UsageError(
      `no data directory at '${resolve(config.dataDir)}': nothing was ingested there (check --data-dir or PLATFORM_DATA_DIR)`,
    );
  }
  return openSession(options);
}

/** The flow queue a command submits to or works on (`--queue`, `PLATFORM_QUEUE_URL`). */
export interface QueueOptions {
  /** The Postgres holding the queue. */
  url: string;
  /** Flows a worker runs at once. */
  concurrency?: number;
  /** How long a stopping worker waits for its running flows before releasing them. */
  drainTimeoutSeconds?: number;
}

/** An open session, as commands use it. */
export type Session = Awaited<ReturnType<typeof openSession>>;
