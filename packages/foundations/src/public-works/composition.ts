import { resolve } from 'node:path';
import type { PlatformConfig } from '../config/schema.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import {
  type AnyServiceDefinition,
  defineService,
  type PlatformModule,
  type ServiceContext,
} from '../kernel/service-definition.js';
import { defineServiceRef, type ServiceRef } from '../kernel/service-ref.js';
import { LocalBlobStore } from './local/local-blob-store.js';
import { InProcessEventBus } from './memory/in-process-event-bus.js';
import { MemoryBlobStore } from './memory/memory-blob-store.js';
import { MemoryKeyValueStore } from './memory/memory-key-value-store.js';
import { MemoryMetadataStore } from './memory/memory-metadata-store.js';
import { MemorySemanticStore } from './memory/memory-semantic-store.js';
import {
  BlobStoreRef,
  EventBusRef,
  KeyValueStoreRef,
  MetadataStoreRef,
  type PublicWorksAdapters,
  SemanticStoreRef,
} from './refs.js';
import type { SqlDriver } from './sql/driver.js';
import { SqlMetadataStore } from './sql/sql-metadata-store.js';
import { SqlSemanticStore } from './sql/sql-semantic-store.js';
import type { SqliteDatabase } from './sqlite/sqlite-database.js';
import { type Location, openPGlite, openPostgres, openSqlite, parseLocation } from './store-locations.js';
import { traceAdapter } from './traced-adapters.js';

const PORTS = [
  { ref: BlobStoreRef, adapter: 'blobStore', store: 'blob', env: 'PLATFORM_BLOB_STORE', required: true },
  {
    ref: MetadataStoreRef,
    adapter: 'metadataStore',
    store: 'metadata',
    env: 'PLATFORM_METADATA_STORE',
    required: true,
  },
  {
    ref: SemanticStoreRef,
    adapter: 'semanticStore',
    store: 'semantic',
    env: 'PLATFORM_SEMANTIC_STORE',
    required: true,
  },
  { ref: EventBusRef, adapter: 'eventBus', store: 'eventBus', env: 'PLATFORM_EVENT_BUS', required: false },
  {
    ref: KeyValueStoreRef,
    adapter: 'keyValueStore',
    store: 'keyValue',
    env: 'PLATFORM_KEY_VALUE_STORE',
    required: false,
  },
] as const;

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
  const missing = PORTS.filter(
    (port) =>
      port.required && activeServiceIds.has(port.ref.id) && !adapters[port.adapter] && !config.stores[port.store],
  );
  if (missing.length === 0) return;
  throw new PlatformError(
    ErrorCode.CONFIG_INVALID,
    `the cloud profile uses no embedded defaults; name these stores explicitly:\n${missing
      .map((port) => `  - ${port.adapter}: set ${port.env} or pass adapters.${port.adapter}`)
      .join('\n')}`,
    { details: { missing: missing.map((port) => port.adapter) } },
  );
}

/**
 * The Public Works module: one service per port, from the adapters the host passed, else from
 * `config.stores` URLs, else (local profile) the embedded defaults: local files under
 * `<dataDir>/blobs`, one SQLite database file `<dataDir>/platform.db` shared by the metadata and
 * semantic stores (several processes may use it at once), an in-process event bus and an
 * in-memory key-value store. Each adapter is handed to services wrapped by {@link traceAdapter}:
 * every port method call is a span (`blob_store.put`, `metadata_store.get_journey`, ...).
 */
export function publicWorksModule(config: PlatformConfig, adapters: PublicWorksAdapters = {}): PlatformModule {
  const dataDir = resolve(config.dataDir);
  const location = (store: (typeof PORTS)[number]['store'], fallback: string) =>
    parseLocation(config.stores[store] ?? fallback);
  const services: AnyServiceDefinition[] = [];
  // Public Works services start only when something that starts depends on them (or the host
  // lists them in `include`): a platform that never touches a store never opens one.
  const onDemand = { onDemand: true } as const;

  // One driver per PGlite directory (two PGlite instances must never open the same files), and
  // one per Postgres URL, each a service of its own so that it closes after the stores using it.
  const drivers = new Map<string, ServiceRef<SqlDriver>>();
  const driverRef = (where: Location & { scheme: 'pglite' | 'postgres' }) => {
    const key = where.scheme === 'pglite' ? `pglite:${where.directory ?? ':memory:'}` : `postgres:${where.url}`;
    let ref = drivers.get(key);
    if (!ref) {
      ref = defineServiceRef<SqlDriver>({ id: `public-works.sql-driver-${drivers.size + 1}`, tier: 'public-works' });
      drivers.set(key, ref);
      services.push(
        defineService({
          ref,
          ...onDemand,
          factory: async () => {
            const driver =
              where.scheme === 'pglite' ? await openPGlite(where.directory) : await openPostgres(where.url);
            return Object.assign(driver, { shutdown: () => driver.close() });
          },
        }),
      );
    }
    return ref;
  };

  // One connection per SQLite file, shared by the metadata and semantic stores in it.
  const databases = new Map<string, ServiceRef<SqliteDatabase>>();
  const databaseRef = (path: string) => {
    let ref = databases.get(path);
    if (!ref) {
      ref = defineServiceRef<SqliteDatabase>({
        id: `public-works.sqlite-database-${databases.size + 1}`,
        tier: 'public-works',
      });
      databases.set(path, ref);
      services.push(
        defineService({
          ref,
          ...onDemand,
          factory: async () => {
            const database = await openSqlite(path);
            return Object.assign(database, { shutdown: () => database.close() });
          },
        }),
      );
    }
    return ref;
  };
  const embedded = `sqlite://${dataDir}/platform.db`;

  const { blobStore, metadataStore, semanticStore, eventBus, keyValueStore } = adapters;

  if (blobStore) services.push(defineService({ ref: BlobStoreRef, ...onDemand, factory: () => blobStore }));
  else {
    const where = location('blob', `local://${dataDir}/blobs`);
    services.push(
      defineService({
        ref: BlobStoreRef,
        ...onDemand,
        factory: async () => {
          if (where.scheme === 'local') return new LocalBlobStore({ directory: where.directory });
          if (where.scheme !== 'gcs') return new MemoryBlobStore();
          // Loaded on demand: `@google-cloud/storage` is an optional peer dependency.
          const { GcsBlobStore } = await import('./gcs/gcs-blob-store.js');
          const { scheme: _scheme, ...options } = where;
          return new GcsBlobStore(options);
        },
      }),
    );
  }

  if (metadataStore) services.push(defineService({ ref: MetadataStoreRef, ...onDemand, factory: () => metadataStore }));
  else {
    const where = location('metadata', embedded);
    services.push(
      where.scheme === 'sqlite'
        ? defineService({
            ref: MetadataStoreRef,
            ...onDemand,
            deps: { database: databaseRef(where.path) },
            factory: async ({ database }) => {
              const { SqliteMetadataStore } = await import('./sqlite/sqlite-metadata-store.js');
              return new SqliteMetadataStore({ database, ownsDatabase: false });
            },
          })
        : where.scheme === 'pglite' || where.scheme === 'postgres'
          ? defineService({
              ref: MetadataStoreRef,
              ...onDemand,
              deps: { driver: driverRef(where) },
              factory: ({ driver }) => new SqlMetadataStore({ driver, ownsDriver: false }),
            })
          : defineService({
              ref: MetadataStoreRef,
              ...onDemand,
              factory: async () => {
                if (where.scheme !== 'supabase') return new MemoryMetadataStore();
                // Loaded on demand: `@supabase/supabase-js` is an optional peer dependency.
                const { SupabaseMetadataStore } = await import('./supabase/supabase-metadata-store.js');
                return new SupabaseMetadataStore({ url: where.url });
              },
            }),
    );
  }

  if (semanticStore) services.push(defineService({ ref: SemanticStoreRef, ...onDemand, factory: () => semanticStore }));
  else {
    const where = location('semantic', embedded);
    services.push(
      where.scheme === 'sqlite'
        ? defineService({
            ref: SemanticStoreRef,
            ...onDemand,
            deps: { database: databaseRef(where.path) },
            factory: async ({ database }) => {
              const { SqliteSemanticStore } = await import('./sqlite/sqlite-semantic-store.js');
              return new SqliteSemanticStore({ database, ownsDatabase: false });
            },
          })
        : where.scheme === 'pglite' || where.scheme === 'postgres'
          ? defineService({
              ref: SemanticStoreRef,
              ...onDemand,
              deps: { driver: driverRef(where) },
              factory: ({ driver }) => new SqlSemanticStore({ driver, ownsDriver: false }),
            })
          : defineService({
              ref: SemanticStoreRef,
              ...onDemand,
              factory: async () => {
                if (where.scheme !== 'arangodb') return new MemorySemanticStore();
                // Loaded on demand: `arangojs` is an optional peer dependency.
                const { ArangoSemanticStore } = await import('./arangodb/arangodb-semantic-store.js');
                return new ArangoSemanticStore({ url: where.url });
              },
            }),
    );
  }

  services.push(defineService({ ref: EventBusRef, ...onDemand, factory: () => eventBus ?? new InProcessEventBus() }));
  services.push(
    defineService({ ref: KeyValueStoreRef, ...onDemand, factory: () => keyValueStore ?? new MemoryKeyValueStore() }),
  );
  return { id: 'public-works', services: services.map(traced) };
}

const PORT_BY_SERVICE: ReadonlyMap<string, (typeof PORTS)[number]['adapter']> = new Map(
  PORTS.map((port) => [port.ref.id, port.adapter]),
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
