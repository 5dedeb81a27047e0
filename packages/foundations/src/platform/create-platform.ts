import { performance } from 'node:perf_hooks';
import {
  createObservability,
  createRedactor,
  jsonLinesSink,
  type Observability,
  silentSink,
  type TelemetrySink,
} from '@platform/observability';
import { Container } from 'inversify';
import { loadPlatformConfig } from '../config/load.js';
import type { PlatformConfig, PlatformConfigInput } from '../config/schema.js';
import { Curator, CuratorRef } from '../curator/curator.js';
import type { PatternRule } from '../curator/pattern-rules.js';
import { defineRealmAccessTable, type RealmAccessTable } from '../curator/realm-access.js';
import { ErrorCode, PlatformError, serializeError } from '../errors/platform-error.js';
import { type NodeOutcome, runInDependencyOrder } from '../kernel/dag-runner.js';
import {
  type AnyServiceDefinition,
  defineService,
  type PlatformModule,
  type ServiceLifecycle,
} from '../kernel/service-definition.js';
import { SERVICE_TIERS, type ServiceRef } from '../kernel/service-ref.js';
import { installSignalHandlers, type SignalTarget } from '../kernel/signals.js';
import { withTimeout } from '../kernel/timeout.js';
import { planServices, type ServicePlan } from '../kernel/wiring.js';
import type { AnyAdapterFactory } from '../public-works/adapter-factory.js';
import { checkCloudProfile, publicWorksModule } from '../public-works/composition.js';
import type { PublicWorksAdapters } from '../public-works/refs.js';
import { activeServices, checkRealmDependencies } from './activation.js';
import { checkHealth } from './health.js';
import type { PlatformHealth, ServiceStartRecord, StartupReport, StopReport } from './reports.js';
import { stopServices } from './shutdown.js';

/** Where the platform is in its life. */
export type PlatformState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** What {@link createPlatform} takes. */
export interface CreatePlatformOptions {
  /** Configuration in code; merged over `PLATFORM_*` environment variables and defaults. */
  config?: PlatformConfigInput;
  /** Groups of services to run. */
  modules?: readonly PlatformModule[];
  /** Services to run that belong to no module (reported as module `app`). */
  services?: readonly AnyServiceDefinition[];
  /**
   * Adapters for Public Works ports, overriding `config.stores` and the embedded defaults. An
   * adapter's `initialize()` / `shutdown()`, when it has them, run with the platform's.
   */
  adapters?: PublicWorksAdapters;
  /**
   * Adapter factories selectable by URL scheme, tried before foundations' own: e.g. a package's
   * `lru://` key-value store, picked by `PLATFORM_KEY_VALUE_STORE=lru://...`. See
   * `defineAdapterFactory` and docs/writing-an-adapter.md.
   */
  adapterFactories?: readonly AnyAdapterFactory[];
  /**
   * On-demand services to start even though no starting service depends on them, e.g.
   * `[MetadataStoreRef]` for a tool that uses the store directly.
   */
  include?: readonly ServiceRef<unknown>[];
  /**
   * Which realm may use which Public Works port and which services. When given, a realm service
   * depending on anything its realm is not granted is refused before start, and Curator's realm
   * views enforce the same table on every lookup.
   */
  realmAccess?: RealmAccessTable;
  /** Curator's pattern rules (default {@link DEFAULT_PATTERN_RULES}), checked on start in development. */
  patternRules?: readonly PatternRule[];
  /** Where kernel and service telemetry goes; by default what `config.telemetry.sink` says. */
  telemetrySink?: TelemetrySink;
  /** Stop the platform on these signals (`true`: SIGINT and SIGTERM). Off by default. */
  shutdownOnSignals?: boolean | readonly NodeJS.Signals[];
  /** Environment to read configuration from; `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** @internal For tests of signal handling: a stand-in for `process`. */
  signalTarget?: SignalTarget;
}

/** A composed platform: start it, use its services, stop it. */
export interface Platform {
  readonly config: PlatformConfig;
  /** The platform-wide registry; every service registers with it as it starts. */
  readonly curator: Curator;
  readonly state: PlatformState;
  /**
   * Starts every service: tier by tier (Public Works, Curator, foundation, Smart City, realms),
   * each tier in dependency order with independent services in parallel, each within its time
   * limit. Calling it again returns the same promise.
   *
   * @throws {PlatformError} `STARTUP_FAILED` when a required service fails (its error, with its own
   *   code, is the `cause`); the services that had
   * started are stopped again, in reverse order, before it rejects. `details.report` holds the
   * start-up report.
   */
  start(): Promise<StartupReport>;
  /**
   * Drains every started service, then shuts them down in reverse dependency order, each hook
   * within its time limit, collecting every error. Safe to call more than once.
   */
  stop(): Promise<StopReport>;
  /** Asks every started service for its health and aggregates the answers. */
  health(): Promise<PlatformHealth>;
  /**
   * The running instance behind `ref`.
   *
   * @throws {PlatformError} `NOT_FOUND` for a ref no module provides; `SERVICE_UNAVAILABLE` when
   * the service is not running (platform not started, the service failed, or it was stopped).
   */
  get<T>(ref: ServiceRef<T>): T;
}

/** Internal view of a started service, shared by start, stop and health. */
export interface RunningService {
  readonly id: string;
  /** What the factory returned, as `get()` hands it out. */
  readonly value: unknown;
  /** The same value seen as lifecycle hooks (empty for a primitive value). */
  readonly lifecycle: ServiceLifecycle;
  readonly definition: AnyServiceDefinition;
}

function isLifecycle(value: unknown): value is ServiceLifecycle {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * Composes a platform from modules of services. Wiring is checked here, before any I/O:
 * duplicate ids, missing dependencies (naming who wanted them), dependencies on a higher tier
 * and cycles (with their whole path) are all refused at once.
 *
 * @throws {PlatformError} `SERVICE_WIRING_INVALID` or `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * const platform = createPlatform({ modules: [myModule], shutdownOnSignals: true });
 * console.log(formatStartupReport(await platform.start()));
 * const reports = platform.get(ReportServiceRef);
 * ```
 */
export function createPlatform(options: CreatePlatformOptions = {}): Platform {
  const config = loadPlatformConfig(options.config ?? {}, options.env ? { env: options.env } : {});
  const adapters = options.adapters ?? {};
  const curator = new Curator({
    ...(options.realmAccess ? { realmAccess: defineRealmAccessTable(options.realmAccess) } : {}),
    ...(options.patternRules ? { rules: options.patternRules } : {}),
  });
  const curatorModule: PlatformModule = {
    id: 'curator',
    services: [defineService({ ref: CuratorRef, onDemand: true, factory: () => curator })],
  };
  const modules = [
    publicWorksModule(config, adapters, options.adapterFactories),
    curatorModule,
    ...(options.modules ?? []),
  ];
  if (options.services?.length) modules.push({ id: 'app', services: options.services });
  const fullPlan = planServices(modules);
  const active = activeServices(fullPlan, options.include ?? []);
  checkCloudProfile(config, adapters, active);
  if (options.realmAccess) checkRealmDependencies(fullPlan, active, curator.realmAccess);
  // The services that will start: everything not on demand, and what those depend on.
  const plan: ServicePlan = new Map([...fullPlan].filter(([id]) => active.has(id)));

  const sink =
    options.telemetrySink ?? (config.telemetry.sink === 'silent' ? silentSink : jsonLinesSink(process.stdout));
  // One redactor for the kernel and every service: its key table is built once.
  const redaction = createRedactor({ keys: config.telemetry.redactKeys });
  // A service's spans and meters carry its own id as instrumentation scope; the kernel's carry
  // the package's name.
  const observabilityFor = (service: string, scope = service): Observability =>
    createObservability({
      service,
      scope,
      sink,
      redaction,
      includeStacks: config.telemetry.includeStacks,
    });
  const kernel = observabilityFor('platform.kernel', '@platform/foundations');

  const container = new Container({ defaultScope: 'Singleton' });
  // `platform` is assigned below; lookups happen at run time, after it exists.
  const get = <T>(ref: ServiceRef<T>): T => platform.get(ref);
  for (const service of fullPlan.values()) bindService(container, service.definition, config, observabilityFor, get);

  let state: PlatformState = 'created';
  const running = new Map<string, RunningService>();
  const startOrder: string[] = [];
  const failures = new Map<string, string>();
  let startPromise: Promise<StartupReport> | undefined;
  let stopPromise: Promise<StopReport> | undefined;
  let removeSignalHandlers: (() => void) | undefined;

  const stopStarted = async () => {
    const report = await stopServices({
      plan,
      running,
      startOrder,
      kernel,
      defaultTimeoutMs: config.kernel.stopTimeoutMs,
    });
    for (const service of report.services) curator.setStatus(service.id, 'stopped');
    return report;
  };

  async function startAll(): Promise<StartupReport> {
    state = 'starting';
    const began = performance.now();
    const records = new Map<string, ServiceStartRecord>();
    const settled = new Map<string, NodeOutcome<unknown>>();
    let aborted = false;

    for (const tier of SERVICE_TIERS) {
      const ids = [...plan.values()]
        .filter((service) => service.definition.ref.tier === tier)
        .map((service) => service.id);
      if (ids.length === 0) continue;
      const outcomes = await runInDependencyOrder(
        ids,
        (id) => plan.get(id)?.dependsOn ?? [],
        async (id) => {
          const startedAt = performance.now();
          try {
            await startOne(id);
            records.set(id, record(id, 'ok', performance.now() - startedAt));
          } catch (error) {
            records.set(id, record(id, 'failed', performance.now() - startedAt, { error: serializeError(error) }));
            if (!plan.get(id)?.definition.optional) aborted = true;
            throw error;
          }
        },
        { shouldStop: () => aborted, settled },
      );
      for (const [id, outcome] of outcomes) {
        settled.set(id, outcome);
        if (outcome.status === 'skipped') {
          records.set(id, record(id, 'skipped', 0, { reason: outcome.reason }));
          failures.set(id, `skipped: ${outcome.reason}`);
          if (!plan.get(id)?.definition.optional) aborted = true;
        } else if (outcome.status === 'failed') {
          failures.set(id, `failed: ${serializeError(outcome.error).message}`);
        }
      }
      if (aborted) break;
    }

    for (const service of plan.values()) {
      if (!records.has(service.id))
        records.set(service.id, record(service.id, 'skipped', 0, { reason: 'start-up was aborted' }));
    }
    const services = [
      ...startOrder.map((id) => records.get(id) as ServiceStartRecord),
      ...[...records.values()].filter((entry) => entry.status !== 'ok'),
    ];
    const findings = !aborted && config.environment === 'development' ? curator.validate() : [];
    for (const finding of findings) {
      kernel.logOperation({
        operation: 'curator.pattern_finding',
        success: finding.severity === 'info',
        level: finding.severity === 'error' ? 'error' : finding.severity === 'warning' ? 'warn' : 'info',
        details: { ...finding },
      });
    }
    const report: StartupReport = {
      ok: !aborted,
      totalMs: performance.now() - began,
      services,
      degraded: services.filter((entry) => entry.optional && entry.status !== 'ok').map((entry) => entry.id),
      findings,
    };
    kernel.logOperation({
      operation: 'kernel.start',
      success: report.ok,
      durationMs: report.totalMs,
      details: {
        services: services.length,
        failed: services.filter((entry) => entry.status !== 'ok').map((entry) => entry.id),
      },
    });

    if (!report.ok) {
      state = 'stopping';
      const stopReport = await stopStarted();
      state = 'failed';
      const unmet = services.filter((entry) => !entry.optional && entry.status !== 'ok');
      // Name the causes; services skipped because of them are in the report.
      const causes = unmet.filter((entry) => entry.status === 'failed');
      const failed = causes.length > 0 ? causes : unmet;
      // The first failure is the cause, with its own code (ADAPTER_UNAVAILABLE, CONFIG_INVALID,
      // SERVICE_WIRING_INVALID...): `error.cause.code` tells a host what to do.
      const first = failed.find((entry) => entry.error)?.error;
      throw new PlatformError(
        ErrorCode.STARTUP_FAILED,
        `the platform did not start: ${failed.map((entry) => `'${entry.id}' ${entry.status}${entry.error ? ` (${entry.error.message})` : entry.reason ? ` (${entry.reason})` : ''}`).join('; ')}`,
        {
          details: { report, stopReport },
          ...(first
            ? { cause: new PlatformError(first.code, first.message, first.details ? { details: first.details } : {}) }
            : {}),
        },
      );
    }
    state = 'running';
    return report;
  }

  function record(
    id: string,
    status: ServiceStartRecord['status'],
    ms: number,
    extra: Pick<ServiceStartRecord, 'error' | 'reason'> = {},
  ): ServiceStartRecord {
    const service = plan.get(id) as NonNullable<ReturnType<ServicePlan['get']>>;
    return {
      id,
      tier: service.definition.ref.tier,
      module: service.moduleId,
      optional: service.definition.optional,
      status,
      ms,
      ...extra,
    };
  }

  async function startOne(id: string): Promise<void> {
    const service = plan.get(id) as NonNullable<ReturnType<ServicePlan['get']>>;
    const definition = service.definition;
    const timeoutMs = definition.startTimeoutMs ?? config.kernel.startTimeoutMs;
    // A start that outlives its time limit is abandoned: if it finishes later, the instance is
    // shut down again instead of joining the running services.
    let abandoned = false;
    const start = async () => {
      const value = await container.getAsync<unknown>(id);
      const lifecycle: ServiceLifecycle = isLifecycle(value) ? value : {};
      await lifecycle.initialize?.();
      if (abandoned) {
        await Promise.resolve(lifecycle.shutdown?.()).catch(() => undefined);
        return;
      }
      running.set(id, { id, value, lifecycle, definition });
      startOrder.push(id);
      curator.register({
        ...definition.description,
        id,
        tier: definition.ref.tier,
        module: service.moduleId,
        dependsOn: [...service.dependsOn],
        lifecycle: {
          initialize: typeof lifecycle.initialize === 'function',
          shutdown: typeof lifecycle.shutdown === 'function',
          health: typeof lifecycle.health === 'function',
        },
      });
    };
    await kernel.withSpan('kernel.service.start', { 'service.id': id, 'service.tier': definition.ref.tier }, () =>
      kernel.trackOperation('kernel.service.start', { service: id, tier: definition.ref.tier }, () =>
        withTimeout(start(), timeoutMs, `start of service '${id}'`).catch((error: unknown) => {
          abandoned = true;
          throw error;
        }),
      ),
    );
  }

  const platform: Platform = {
    config,
    curator,
    get state() {
      return state;
    },
    start() {
      if (!startPromise) {
        if (state !== 'created') {
          return Promise.reject(
            new PlatformError(ErrorCode.SERVICE_UNAVAILABLE, `cannot start a platform that is ${state}`),
          );
        }
        startPromise = startAll();
        if (options.shutdownOnSignals) {
          const signals: readonly NodeJS.Signals[] =
            options.shutdownOnSignals === true ? ['SIGINT', 'SIGTERM'] : options.shutdownOnSignals;
          removeSignalHandlers = installSignalHandlers(signals, () => platform.stop(), options.signalTarget);
        }
      }
      return startPromise;
    },
    stop() {
      if (!stopPromise) {
        stopPromise = (async () => {
          // Drain waits for a start in progress: stopping half-started services would race it.
          await startPromise?.catch(() => undefined);
          if (state === 'created' || state === 'failed') {
            state = state === 'failed' ? 'failed' : 'stopped';
            return { ok: true, totalMs: 0, services: [] };
          }
          state = 'stopping';
          const report = await stopStarted();
          state = 'stopped';
          removeSignalHandlers?.();
          return report;
        })();
      }
      return stopPromise;
    },
    health() {
      return checkHealth({
        plan,
        running,
        failures,
        state,
        timeoutMs: config.kernel.healthTimeoutMs,
        metrics: kernel.metrics,
      });
    },
    get<T>(ref: ServiceRef<T>): T {
      if (!fullPlan.has(ref.id)) {
        throw new PlatformError(ErrorCode.NOT_FOUND, `no module provides service '${ref.id}'`, {
          details: { service: ref.id },
        });
      }
      if (!plan.has(ref.id)) {
        throw new PlatformError(
          ErrorCode.SERVICE_UNAVAILABLE,
          `service '${ref.id}' starts on demand and nothing that started depends on it; list it in createPlatform's \`include\``,
          { details: { service: ref.id } },
        );
      }
      const service = running.get(ref.id);
      if (!service || state === 'stopped' || state === 'failed') {
        const why = failures.get(ref.id) ?? `the platform is ${state}`;
        throw new PlatformError(ErrorCode.SERVICE_UNAVAILABLE, `service '${ref.id}' is not running (${why})`, {
          details: { service: ref.id, state },
        });
      }
      return service.value as T;
    },
  };
  return platform;
}

function bindService(
  container: Container,
  definition: AnyServiceDefinition,
  config: PlatformConfig,
  observabilityFor: (service: string) => Observability,
  get: <T>(ref: ServiceRef<T>) => T,
): void {
  const id = definition.ref.id;
  // Run-time lookups are not dependencies: they do not order start-up, so any running service
  // may be found (a gateway dispatches to realm services above it). One not running yet is
  // SERVICE_UNAVAILABLE, which is why what a service always needs belongs in its deps.
  const locate = <T>(ref: ServiceRef<T>): T => get(ref);
  container
    .bind(id)
    .toDynamicValue(async (resolution) => {
      const deps: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(definition.deps)) deps[name] = await resolution.getAsync(ref.id);
      return definition.factory(deps as never, { id, config, observability: observabilityFor(id), locate });
    })
    .inSingletonScope();
}
