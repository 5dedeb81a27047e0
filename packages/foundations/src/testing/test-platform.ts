import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentSink, type TelemetrySink } from '@platform/observability';
import { PUBLIC_WORKS_PORT_LIST, type PublicWorksPort } from '../config/ports.js';
import type { PlatformConfigInput } from '../config/schema.js';
import { CuratorRef } from '../curator/curator.js';
import type { PatternRule } from '../curator/pattern-rules.js';
import type { RealmAccessTable } from '../curator/realm-access.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import {
  type AnyServiceDefinition,
  defineService,
  type PlatformModule,
  type ServiceContext,
  type ServiceDeps,
} from '../kernel/service-definition.js';
import type { ServiceRef } from '../kernel/service-ref.js';
import { createPlatform, type Platform } from '../platform/create-platform.js';
import type { StartupReport, StopReport } from '../platform/reports.js';
import type { AnyAdapterFactory } from '../public-works/adapter-factory.js';
import { PORT_REFS, type PublicWorksAdapters } from '../public-works/refs.js';

/** Replaces a service by a factory: a fake built from the same (or other) dependencies. */
export interface ServiceFactoryOverride<T = unknown> {
  readonly ref: ServiceRef<T>;
  /** Dependencies of the fake, by name; none by default. */
  readonly deps?: ServiceDeps;
  readonly factory: (deps: Record<string, unknown>, context: ServiceContext) => T | Promise<T>;
}

/** Replaces a service by a ready-made value: a mock, a stub, a recording fake. */
export interface ServiceValueOverride<T = unknown> {
  readonly ref: ServiceRef<T>;
  readonly value: T;
}

/**
 * What replaces one service in {@link startTestPlatform}: a whole service definition (from
 * `defineService`), `{ ref, factory, deps? }`, or `{ ref, value }`. A factory or a value keeps the
 * replaced service's `optional`, `onDemand`, description and time limits; a definition brings its own.
 */
export type ServiceOverride = AnyServiceDefinition | ServiceFactoryOverride | ServiceValueOverride;

/** What {@link startTestPlatform} takes. */
export interface TestPlatformOptions {
  /** Groups of services under test (as in `createPlatform`). */
  modules?: readonly PlatformModule[];
  /** Services under test that belong to no module. */
  services?: readonly AnyServiceDefinition[];
  /**
   * Services to replace, by ref: every module's definition of that ref (and every dependent's
   * dependency) becomes the override. A Public Works port's ref takes `{ ref, value }` only (or use
   * `adapters`).
   * @throws {PlatformError} `SERVICE_WIRING_INVALID` (from {@link startTestPlatform}) when no
   * module, service or port provides the ref, or when one ref is overridden twice.
   */
  overrides?: readonly ServiceOverride[];
  /** Adapters for Public Works ports, instead of the in-memory ones. */
  adapters?: PublicWorksAdapters;
  /** Adapter factories, for stores named by URL in `config.stores`. */
  adapterFactories?: readonly AnyAdapterFactory[];
  /** On-demand services to start although nothing depends on them, e.g. `[MetadataStoreRef]`. */
  include?: readonly ServiceRef<unknown>[];
  /**
   * Configuration over the test defaults: every store `memory://`, telemetry `silent`,
   * environment `test`, a data directory in the system's temporary directory that nothing creates
   * (removed by `stop()` if something did).
   */
  config?: PlatformConfigInput;
  /** Environment to read `PLATFORM_*` from. Default `{}`: the test does not depend on the shell's. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where telemetry goes; default nowhere (`silentSink`). Pass a memory sink to assert on it. */
  telemetrySink?: TelemetrySink;
  /** Realm access table, as in `createPlatform`. */
  realmAccess?: RealmAccessTable;
  /** Curator's pattern rules, as in `createPlatform` (checked when `config.environment` is `development`). */
  patternRules?: readonly PatternRule[];
}

/** A started test platform. `await using` stops it at the end of the block. */
export interface TestPlatform extends AsyncDisposable {
  readonly platform: Platform;
  /** The start-up report. */
  readonly report: StartupReport;
  /** The running instance behind `ref` (`platform.get`). */
  get<T>(ref: ServiceRef<T>): T;
  /** Stops the platform; safe to call more than once (every call returns the same report). */
  stop(): Promise<StopReport>;
}

const MEMORY_STORES = Object.fromEntries(PUBLIC_WORKS_PORT_LIST.map((entry) => [entry.store, 'memory://'])) as Record<
  (typeof PUBLIC_WORKS_PORT_LIST)[number]['store'],
  string
>;

const PORT_BY_REF: ReadonlyMap<string, PublicWorksPort> = new Map(
  PUBLIC_WORKS_PORT_LIST.map((entry) => [PORT_REFS[entry.port].id, entry.port]),
);

const isDefinition = (override: ServiceOverride): override is AnyServiceDefinition =>
  'factory' in override && 'onDemand' in override && 'optional' in override && 'deps' in override;

/**
 * Starts a platform for a host's tests, fast and in memory, like Backstage's `startTestBackend`:
 * every Public Works port on its in-memory adapter (`memory://`; no data directory, no file),
 * telemetry silent, `PLATFORM_*` variables ignored, the given modules and services with
 * `overrides` in place of the services they name.
 *
 * @throws {PlatformError} `SERVICE_WIRING_INVALID` for an override of a ref nothing provides;
 * whatever `createPlatform` and `start()` throw.
 *
 * @example
 * ```ts
 * await using test = await startTestPlatform({
 *   modules: [reportsModule],
 *   overrides: [{ ref: ClockRef, value: { now: () => new Date('2026-01-01') } }],
 * });
 * const reports = test.get(ReportServiceRef);
 * ```
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const { modules, services, adapters } = applyOverrides(options);
  const dataDir = options.config?.dataDir ?? join(tmpdir(), `platform-test-${randomUUID()}`);
  const ownsDataDir = options.config?.dataDir === undefined;
  const config: PlatformConfigInput = {
    environment: 'test',
    ...options.config,
    dataDir,
    stores: { ...MEMORY_STORES, ...options.config?.stores },
    telemetry: { sink: 'silent', ...options.config?.telemetry },
  };
  const platform = createPlatform({
    config,
    modules,
    services,
    adapters,
    env: options.env ?? {},
    telemetrySink: options.telemetrySink ?? silentSink,
    ...(options.adapterFactories ? { adapterFactories: options.adapterFactories } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.realmAccess ? { realmAccess: options.realmAccess } : {}),
    ...(options.patternRules ? { patternRules: options.patternRules } : {}),
  });
  // Nothing here writes to the data directory; a service under test might. Ours is removed.
  const cleanUp = () => (ownsDataDir ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve());

  let report: StartupReport;
  try {
    report = await platform.start();
  } catch (error) {
    await cleanUp();
    throw error;
  }

  let stopping: Promise<StopReport> | undefined;
  const stop = () => {
    stopping ??= platform.stop().finally(cleanUp);
    return stopping;
  };
  return {
    platform,
    report,
    get: (ref) => platform.get(ref),
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
}

/** The modules, services and adapters with every override in place of what it replaces. */
function applyOverrides(options: TestPlatformOptions): {
  modules: PlatformModule[];
  services: AnyServiceDefinition[];
  adapters: PublicWorksAdapters;
} {
  const modules = [...(options.modules ?? [])];
  const services = [...(options.services ?? [])];
  const adapters: Record<string, unknown> = { ...options.adapters };
  const byId = new Map<string, ServiceOverride>();
  for (const override of options.overrides ?? []) {
    const id = override.ref.id;
    if (byId.has(id)) throw wiring(`service '${id}' is overridden twice`, id);
    byId.set(id, override);
  }
  if (byId.size === 0) return { modules, services, adapters };

  const provided = new Map<string, AnyServiceDefinition>();
  for (const definition of [...modules.flatMap((module) => module.services), ...services]) {
    if (!provided.has(definition.ref.id)) provided.set(definition.ref.id, definition);
  }

  const replacements = new Map<string, AnyServiceDefinition>();
  for (const [id, override] of byId) {
    if (id === CuratorRef.id) {
      throw wiring("Curator is the platform's own: configure it with `realmAccess` and `patternRules`", id);
    }
    const port = PORT_BY_REF.get(id);
    if (port && !provided.has(id)) {
      if (!('value' in override)) {
        throw wiring(
          `the Public Works port '${id}' is replaced by an adapter: pass { ref, value } or adapters.${port}`,
          id,
        );
      }
      adapters[port] = override.value;
      continue;
    }
    const replaced = provided.get(id);
    if (!replaced) {
      throw wiring(
        `override of service '${id}' replaces nothing: no module, service or Public Works port provides it ` +
          `(provided: ${[...provided.keys(), ...PORT_BY_REF.keys()].join(', ') || 'none'}). ` +
          'To add a service, pass it in `services`.',
        id,
      );
    }
    replacements.set(id, replacementFor(override, replaced));
  }

  // The same object everywhere a ref was defined: a definition shared by two modules stays one.
  const replace = (definition: AnyServiceDefinition) => replacements.get(definition.ref.id) ?? definition;
  return {
    modules: modules.map((module) => ({ id: module.id, services: module.services.map(replace) })),
    services: services.map(replace),
    adapters,
  };
}

function replacementFor(override: ServiceOverride, replaced: AnyServiceDefinition): AnyServiceDefinition {
  if (isDefinition(override)) return override;
  const factory =
    'value' in override
      ? () => override.value
      : (deps: Record<string, unknown>, context: ServiceContext) => override.factory(deps, context);
  return defineService({
    ref: replaced.ref,
    deps: 'value' in override ? {} : (override.deps ?? {}),
    factory,
    optional: replaced.optional,
    onDemand: replaced.onDemand,
    ...(replaced.description ? { description: replaced.description } : {}),
    ...(replaced.startTimeoutMs === undefined ? {} : { startTimeoutMs: replaced.startTimeoutMs }),
    ...(replaced.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: replaced.stopTimeoutMs }),
  }) as unknown as AnyServiceDefinition;
}

function wiring(message: string, service: string): PlatformError {
  return new PlatformError(ErrorCode.SERVICE_WIRING_INVALID, `startTestPlatform: ${message}`, {
    details: { service },
  });
}
