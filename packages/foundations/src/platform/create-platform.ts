import { performance } from 'node:perf_hooks';
import {
  createObservability,
  createRedactor,
  jsonLinesSink,
  type Observability,
  silentSink,
} from '@platform/observability';
import { Container } from 'inversify';
import { loadPlatformConfig } from '../config/load.js';
import type { PlatformConfig } from '../config/schema.js';
import { Curator, CuratorRef } from '../curator/curator.js';
import { defineRealmAccessTable } from '../curator/realm-access.js';
import { ErrorCode, PlatformError, serializeError } from '../errors/platform-error.js';
import { type NodeOutcome, runInDependencyOrder } from '../kernel/dag-runner.js';
import {
  type AnyServiceDefinition,
  defineService,
  type PlatformModule,
  type ServiceLifecycle,
} from '../kernel/service-definition.js';
import { SERVICE_TIERS, type ServiceRef } from '../kernel/service-ref.js';
import { installSignalHandlers } from '../kernel/signals.js';
import { withTimeout } from '../kernel/timeout.js';
import { planServices, type ServicePlan } from '../kernel/wiring.js';
import { checkCloudProfile, publicWorksModule } from '../public-works/composition.js';
import { activeServices, checkRealmDependencies } from './activation.js';
import { checkHealth } from './health.js';
import type { CreatePlatformOptions, Platform, PlatformState, RunningService } from './platform-types.js';
import type { ServiceStartRecord, StartupReport, StopReport } from './reports.js';
import { stopServices } from './shutdown.js';

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

export type { CreatePlatformOptions, Platform, PlatformState, RunningService } from './platform-types.js';
