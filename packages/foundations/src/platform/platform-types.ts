import type { TelemetrySink } from '@platform/observability';
import type { PlatformConfig, PlatformConfigInput } from '../config/schema.js';
import type { Curator } from '../curator/curator.js';
import type { PatternRule } from '../curator/pattern-rules.js';
import type { RealmAccessTable } from '../curator/realm-access.js';
import type { AnyServiceDefinition, PlatformModule, ServiceLifecycle } from '../kernel/service-definition.js';
import type { ServiceRef } from '../kernel/service-ref.js';
import type { SignalTarget } from '../kernel/signals.js';
import type { AnyAdapterFactory } from '../public-works/adapter-factory.js';
import type { PublicWorksAdapters } from '../public-works/refs.js';
import type { PlatformHealth, StartupReport, StopReport } from './reports.js';

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
