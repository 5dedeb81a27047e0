import { resolve } from 'node:path';
import { PUBLIC_WORKS_PORT_LIST, type PublicWorksPort } from '../config/ports.js';
import type { PlatformConfig } from '../config/schema.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import {
  type AnyServiceDefinition,
  defineService,
  type PlatformModule,
  type ServiceContext,
} from '../kernel/service-definition.js';
import type { ServiceRef } from '../kernel/service-ref.js';
import {
  type AdapterContext,
  type AnyAdapterFactory,
  findAdapterFactory,
  isAdapterFactory,
  schemeOf,
} from './adapter-factory.js';
import { BUILTIN_ADAPTER_FACTORIES } from './builtin-adapters.js';
import { PORT_REFS, type PublicWorksAdapters } from './refs.js';
import { traceAdapter } from './traced-adapters.js';

/**
 * Throws `CONFIG_INVALID` when the cloud profile lacks an explicit blob, metadata or semantic
 * store (as an adapter object or a URL), naming each missing one and how to provide it.
 */
export function checkCloudProfile(
  config: PlatformConfig,
  adapters: PublicWorksAdapters,
  activeServiceIds: ReadonlySet<string>,
): void {
  if (config.profile !== 'cloud') return;
  const missing = PUBLIC_WORKS_PORT_LIST.filter(
    (entry) =>
      entry.required &&
      activeServiceIds.has(PORT_REFS[entry.port].id) &&
      !adapters[entry.port] &&
      !config.stores[entry.store],
  );
  if (missing.length === 0) return;
  throw new PlatformError(
    ErrorCode.CONFIG_INVALID,
    `the cloud profile uses no embedded defaults; name these stores explicitly:\n${missing
      .map((entry) => `  - ${entry.port}: set ${entry.env} or pass adapters.${entry.port}`)
      .join('\n')}`,
    { details: { missing: missing.map((entry) => entry.port) } },
  );
}

/** The location a port takes when none is named: the local profile's embedded defaults. */
function embeddedLocation(port: PublicWorksPort, dataDir: string, profile: PlatformConfig['profile']): string {
  const database = `sqlite://${dataDir}/platform.db`;
  switch (port) {
    case 'blobStore':
      return profile === 'local' ? `local://${dataDir}/blobs` : 'memory://';
    case 'metadataStore':
    case 'semanticStore':
      return profile === 'local' ? database : 'memory://';
    case 'keyValueStore':
      // Sessions and rate limits shared by every process on the data directory.
      return profile === 'local' ? database : 'memory://';
    case 'eventBus':
      return 'memory://';
  }
}

/**
 * Shared resources (a SQLite connection, a Postgres pool), counted by the adapters using them and
 * closed when the last one has shut down.
 */
class SharedResources {
  readonly #entries = new Map<string, { value: Promise<unknown>; users: number; close: (value: never) => unknown }>();

  acquire<T>(key: string, open: () => Promise<T>, close: (resource: T) => Promise<void> | void): Promise<T> {
    let entry = this.#entries.get(key);
    if (!entry) {
      const value = open();
      entry = { value, users: 0, close: close as (value: never) => unknown };
      this.#entries.set(key, entry);
      // A resource that failed to open is forgotten, so that the next adapter tries again.
      value.catch(() => this.#entries.delete(key));
    }
    entry.users += 1;
    return entry.value as Promise<T>;
  }

  async release(key: string): Promise<void> {
    const entry = this.#entries.get(key);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users > 0) return;
    this.#entries.delete(key);
    await entry.close((await entry.value) as never);
  }
}

/**
 * The Public Works module: one service per port, from the adapter the host passed for it, else
 * from the adapter factory serving the scheme of its store URL (`config.stores`, `PLATFORM_*`),
 * else (local profile) the embedded defaults: local files under `<dataDir>/blobs`, one SQLite file
 * `<dataDir>/platform.db` shared by the metadata, semantic and key-value stores (several
 * processes may use it at once) and an in-process event bus. Factories given by the host are
 * tried before foundations' own ({@link BUILTIN_ADAPTER_FACTORIES}). Each adapter is handed to
 * services wrapped by {@link traceAdapter}: every port method call is a span.
 * @throws {PlatformError} `CONFIG_INVALID` when no factory serves a store URL's scheme.
 */
export function publicWorksModule(
  config: PlatformConfig,
  adapters: PublicWorksAdapters = {},
  adapterFactories: readonly AnyAdapterFactory[] = [],
): PlatformModule {
  const dataDir = resolve(config.dataDir);
  if (!Array.isArray(adapterFactories) || adapterFactories.some((factory) => !isAdapterFactory(factory))) {
    throw new PlatformError(
      ErrorCode.CONFIG_INVALID,
      'adapterFactories must be a list of factories made with defineAdapterFactory({ port, schemes, create })',
      { details: { option: 'adapterFactories' } },
    );
  }
  const factories = [...adapterFactories, ...BUILTIN_ADAPTER_FACTORIES];
  const resources = new SharedResources();
  const services = PUBLIC_WORKS_PORT_LIST.map((entry) => {
    const given = adapters[entry.port];
    const ref = PORT_REFS[entry.port] as ServiceRef<object>;
    // Public Works services start only when something that starts depends on them (or the host
    // lists them in `include`): a platform that never touches a store never opens one.
    if (given) return defineService({ ref, onDemand: true, factory: () => given as object });
    const located = config.stores[entry.store];
    const url =
      located === undefined ? embeddedLocation(entry.port, dataDir, config.profile) : checkedUrl(located, entry);
    // Checked now, when the platform is made: a URL no adapter serves is a configuration error.
    const factory = findAdapterFactory(factories, entry.port, url, entry.env);
    return defineService({
      ref,
      onDemand: true,
      factory: async () => {
        const acquired: string[] = [];
        const context: AdapterContext = {
          dataDir,
          shared: (key, open, close) => {
            acquired.push(key);
            return resources.acquire(key, open, close);
          },
        };
        const releaseAll = async () => {
          for (const key of acquired.splice(0).reverse()) await resources.release(key);
        };
        let adapter: object & { shutdown?: () => unknown };
        try {
          adapter = (await factory.create(url, context)) as object & { shutdown?: () => unknown };
        } catch (error) {
          await releaseAll();
          throw error;
        }
        if (acquired.length === 0) return adapter;
        // The adapter's own shutdown first, then the resources it shares (closed with the last user).
        const own = adapter.shutdown?.bind(adapter);
        adapter.shutdown = async () => {
          try {
            await own?.();
          } finally {
            await releaseAll();
          }
        };
        return adapter;
      },
    });
  });
  return { id: 'public-works', services: services.map(traced) };
}

// A store URL the host gave: its scheme lower-cased (schemes are case-insensitive), and refused
// at once, naming the port and its variable but not the URL (it may hold a password), when it
// does not parse.
function checkedUrl(url: string, entry: (typeof PUBLIC_WORKS_PORT_LIST)[number]): string {
  const scheme = schemeOf(url);
  const normalised = `${scheme}${url.slice(scheme.length)}`;
  try {
    new URL(normalised);
  } catch {
    throw new PlatformError(
      ErrorCode.CONFIG_INVALID,
      `the ${entry.port} location (${entry.env}) is not a valid URL: check its host, port and the percent-encoding of its user and password`,
      { details: { port: entry.port, variable: entry.env, scheme } },
    );
  }
  return normalised;
}

const PORT_BY_SERVICE: ReadonlyMap<string, PublicWorksPort> = new Map(
  PUBLIC_WORKS_PORT_LIST.map((entry) => [PORT_REFS[entry.port].id, entry.port]),
);

// Every adapter reaches services through this one place, so wrapping here traces every store call
// (whoever built the adapter, the host or Public Works) without touching any adapter.
function traced(definition: AnyServiceDefinition): AnyServiceDefinition {
  const port = PORT_BY_SERVICE.get(definition.ref.id);
  if (!port) return definition;
  return Object.freeze({
    ...definition,
    factory: async (deps: never, context: ServiceContext) =>
      traceAdapter(port, (await definition.factory(deps, context)) as object, {
        withSpan: context.observability.withSpan,
      }),
  });
}
