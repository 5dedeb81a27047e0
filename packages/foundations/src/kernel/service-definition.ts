import type { Observability } from '@platform/observability';
import type { PlatformConfig } from '../config/schema.js';
import type { ServiceDescription } from './service-description.js';
import type { ServiceRef } from './service-ref.js';

/** The health a service reports about itself. */
export interface ServiceHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  /** Short reason, shown in health reports: 'pool exhausted', 'replica lag 12 s'. */
  message?: string;
  details?: Record<string, unknown>;
}

/**
 * Lifecycle hooks a service instance may implement. All are optional; each runs with a time limit.
 * The kernel calls them; code using the service never should.
 */
export interface ServiceLifecycle {
  /** Called once, after the dependencies have initialized: open connections, run migrations. */
  initialize?(): void | Promise<void>;
  /** Called at the start of `stop()` on every service: stop taking new work, finish what is running. */
  drain?(): void | Promise<void>;
  /** Called in reverse dependency order at stop: release what `initialize` took. */
  shutdown?(): void | Promise<void>;
  /** Called by `platform.health()`. */
  health?(): ServiceHealth | Promise<ServiceHealth>;
}

/** A record of service refs: a service's dependencies, by the names it uses for them. */
export type ServiceDeps = Record<string, ServiceRef<unknown>>;

/** The instances behind a {@link ServiceDeps} record, typed by their refs. */
export type ResolvedDeps<D extends ServiceDeps> = { [K in keyof D]: D[K] extends ServiceRef<infer T> ? T : never };

/** What a service factory receives besides its dependencies. */
export interface ServiceContext {
  /** The service's own ref id. */
  id: string;
  /** The validated platform configuration. */
  config: PlatformConfig;
  /** Spans, events, metrics and error audit, named after this service. */
  observability: Observability;
  /**
   * The running instance behind `ref`, looked up at call time (not at construction): for
   * services found at run time, such as Smart City roles calling each other or a gateway
   * dispatching to realm services. Not a dependency: it does not order start-up, and a service
   * not running (yet) is `SERVICE_UNAVAILABLE`; declare in `deps` what is always needed.
   */
  locate<T>(ref: ServiceRef<T>): T;
}

/** A service: its ref, its dependencies, how to build it, and how much failure it may absorb. */
export interface ServiceDefinition<T, D extends ServiceDeps = ServiceDeps> {
  readonly ref: ServiceRef<T>;
  readonly deps: D;
  // Method syntax on purpose: it lets a definition of any service type be held as an
  // `AnyServiceDefinition` in module lists.
  factory(deps: ResolvedDeps<D>, context: ServiceContext): T | Promise<T>;
  /** An optional service may fail to start without stopping the platform. Default `false`. */
  readonly optional: boolean;
  /** Started only when a service that starts depends on it, or when listed in `include`. Default `false`. */
  readonly onDemand: boolean;
  /** What Curator records about the service: capabilities, APIs, agents, MCP tools, realm, tags. */
  readonly description?: ServiceDescription;
  /** Time limit of `factory` plus `initialize`, in ms; the platform default when omitted. */
  readonly startTimeoutMs?: number;
  /** Time limit of each of `drain` and `shutdown`, in ms; the platform default when omitted. */
  readonly stopTimeoutMs?: number;
}

/** What {@link defineService} takes. */
export interface ServiceDefinitionOptions<T, D extends ServiceDeps> {
  ref: ServiceRef<T>;
  /** Dependencies by name; the factory receives their instances under the same names. */
  deps?: D;
  factory: (deps: ResolvedDeps<D>, context: ServiceContext) => T | Promise<T>;
  optional?: boolean;
  /** Start only when needed: see {@link ServiceDefinition.onDemand}. */
  onDemand?: boolean;
  /** Registered with Curator when the service starts. */
  description?: ServiceDescription;
  startTimeoutMs?: number;
  stopTimeoutMs?: number;
}

/**
 * Defines a service. Dependencies are declared as one typed object of refs: the factory gets
 * their instances, already initialized, under the same keys. No decorators, no metadata.
 *
 * @example
 * ```ts
 * export const ReportServiceDefinition = defineService({
 *   ref: ReportServiceRef,
 *   deps: { clock: ClockRef, blobs: BlobStoreRef },
 *   factory: ({ clock, blobs }, { observability }) => new ReportService(clock, blobs, observability),
 * });
 * ```
 */
export function defineService<T, D extends ServiceDeps = Record<never, never>>(
  options: ServiceDefinitionOptions<T, D>,
): ServiceDefinition<T, D> {
  for (const timeout of [options.startTimeoutMs, options.stopTimeoutMs]) {
    if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) {
      throw new TypeError(`service '${options.ref.id}': timeouts are positive whole milliseconds, got ${timeout}`);
    }
  }
  return Object.freeze({
    ref: options.ref,
    deps: Object.freeze({ ...(options.deps ?? ({} as D)) }),
    factory: options.factory,
    optional: options.optional ?? false,
    onDemand: options.onDemand ?? false,
    ...(options.description ? { description: options.description } : {}),
    ...(options.startTimeoutMs === undefined ? {} : { startTimeoutMs: options.startTimeoutMs }),
    ...(options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: options.stopTimeoutMs }),
  });
}

/** A service definition of any service type, as modules hold them. */
export type AnyServiceDefinition = ServiceDefinition<unknown, ServiceDeps>;

/** A named group of services a host or package adds to the platform. */
export interface PlatformModule {
  readonly id: string;
  readonly services: readonly AnyServiceDefinition[];
}

/** Groups service definitions under a module id (used in wiring errors to say where a service came from). */
export function definePlatformModule(module: PlatformModule): PlatformModule {
  return Object.freeze({ id: module.id, services: Object.freeze([...module.services]) });
}
