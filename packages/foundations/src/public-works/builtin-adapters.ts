import type { PublicWorksPort } from '../config/ports.js';
import {
  type AdapterContext,
  type AdapterFactory,
  type AnyAdapterFactory,
  defineAdapterFactory,
} from './adapter-factory.js';
import { LocalBlobStore } from './local/local-blob-store.js';
import { InProcessEventBus } from './memory/in-process-event-bus.js';
import { MemoryBlobStore } from './memory/memory-blob-store.js';
import { MemoryKeyValueStore } from './memory/memory-key-value-store.js';
import { MemoryMetadataStore } from './memory/memory-metadata-store.js';
import { MemorySemanticStore } from './memory/memory-semantic-store.js';
import { loadOptionalPeer } from './optional-peer.js';
import type { PublicWorksPortTypes } from './refs.js';
import type { SqlDriver } from './sql/driver.js';
import { SqlKeyValueStore } from './sql/sql-key-value-store.js';
import { SqlMetadataStore } from './sql/sql-metadata-store.js';
import { SqlSemanticStore } from './sql/sql-semantic-store.js';
import type { SqliteDatabase } from './sqlite/sqlite-database.js';
import { openPGlite, openPostgres, openSqlite, parseLocation } from './store-locations.js';

// One SQLite connection per file and one SQL driver per database, shared by the stores in it
// (the embedded default keeps metadata, semantics and key-values in one file).
function sqliteDatabase(url: string, context: AdapterContext): Promise<SqliteDatabase> {
  const where = parseLocation(url) as { path: string };
  return context.shared(
    `sqlite:${where.path}`,
    () => openSqlite(where.path),
    (database) => database.close(),
  );
}

function sqlDriver(url: string, context: AdapterContext): Promise<SqlDriver> {
  const where = parseLocation(url);
  if (where.scheme === 'pglite') {
    return context.shared(
      `pglite:${where.directory ?? ':memory:'}`,
      () => openPGlite(where.directory),
      (driver) => driver.close(),
    );
  }
  const { url: connection } = where as { url: string };
  return context.shared(
    `postgres:${connection}`,
    () => openPostgres(connection),
    (driver) => driver.close(),
  );
}

const memory = <P extends PublicWorksPort>(port: P, create: () => PublicWorksPortTypes[P]): AdapterFactory<P> =>
  defineAdapterFactory<P>({ port, schemes: ['memory'], description: 'in this process, lost when it stops', create });

const SQL_SCHEMES = ['pglite', 'postgres', 'postgresql'];

// `?prefix=` on a Redis or NATS URL: where this platform's keys, streams or subjects live, so
// that several platforms can share one server. Taken off before the URL reaches the client.
function withPrefix(url: string): { url: string; prefix?: string } {
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix');
  if (prefix === null) return { url };
  parsed.searchParams.delete('prefix');
  return { url: parsed.toString(), prefix };
}

/** Foundations' own adapters, registered like any other: the schemes `config.stores` accepts out of the box. */
export const BUILTIN_ADAPTER_FACTORIES: readonly AnyAdapterFactory[] = Object.freeze([
  memory('blobStore', () => new MemoryBlobStore()),
  memory('metadataStore', () => new MemoryMetadataStore()),
  memory('semanticStore', () => new MemorySemanticStore()),
  memory('eventBus', () => new InProcessEventBus()),
  memory('keyValueStore', () => new MemoryKeyValueStore()),
  defineAdapterFactory({
    port: 'blobStore',
    schemes: ['local', 'file'],
    description: 'files under a directory',
    create: (url) => new LocalBlobStore({ directory: (parseLocation(url) as { directory: string }).directory }),
  }),
  defineAdapterFactory({
    port: 'blobStore',
    schemes: ['gcs'],
    description: 'Google Cloud Storage (needs @google-cloud/storage)',
    create: async (url) => {
      const { scheme: _scheme, ...options } = parseLocation(url) as { scheme: 'gcs'; bucket: string; prefix: string };
      // Loaded on demand: `@google-cloud/storage` is an optional peer dependency.
      const { GcsBlobStore } = await loadOptionalPeer(
        'gcs://',
        ['@google-cloud/storage'],
        () => import('./gcs/gcs-blob-store.js'),
      );
      return new GcsBlobStore(options);
    },
  }),
  defineAdapterFactory({
    port: 'metadataStore',
    schemes: ['sqlite'],
    description: 'a SQLite file (the embedded default)',
    create: async (url, context) => {
      const { SqliteMetadataStore } = await import('./sqlite/sqlite-metadata-store.js');
      return new SqliteMetadataStore({ database: await sqliteDatabase(url, context), ownsDatabase: false });
    },
  }),
  defineAdapterFactory({
    port: 'metadataStore',
    schemes: SQL_SCHEMES,
    description: 'PostgreSQL (needs pg) or PGlite',
    create: async (url, context) => new SqlMetadataStore({ driver: await sqlDriver(url, context), ownsDriver: false }),
  }),
  defineAdapterFactory({
    port: 'metadataStore',
    schemes: ['supabase'],
    description: "Supabase's REST API (needs @supabase/supabase-js and SUPABASE_SERVICE_ROLE_KEY)",
    create: async (url) => {
      // Loaded on demand: `@supabase/supabase-js` is an optional peer dependency.
      const { SupabaseMetadataStore } = await loadOptionalPeer(
        'supabase://',
        ['@supabase/supabase-js'],
        () => import('./supabase/supabase-metadata-store.js'),
      );
      return new SupabaseMetadataStore({ url: (parseLocation(url) as { url: string }).url });
    },
  }),
  defineAdapterFactory({
    port: 'semanticStore',
    schemes: ['sqlite'],
    description: 'a SQLite file with sqlite-vec (the embedded default)',
    create: async (url, context) => {
      const { SqliteSemanticStore } = await import('./sqlite/sqlite-semantic-store.js');
      return new SqliteSemanticStore({ database: await sqliteDatabase(url, context), ownsDatabase: false });
    },
  }),
  defineAdapterFactory({
    port: 'semanticStore',
    schemes: SQL_SCHEMES,
    description: 'PostgreSQL with pgvector (needs pg) or PGlite',
    create: async (url, context) => new SqlSemanticStore({ driver: await sqlDriver(url, context), ownsDriver: false }),
  }),
  defineAdapterFactory({
    port: 'semanticStore',
    schemes: ['arangodb', 'arangodb+ssl'],
    description: 'ArangoDB (needs arangojs)',
    create: async (url) => {
      // Loaded on demand: `arangojs` is an optional peer dependency.
      const { ArangoSemanticStore } = await loadOptionalPeer(
        'arangodb://',
        ['arangojs'],
        () => import('./arangodb/arangodb-semantic-store.js'),
      );
      return new ArangoSemanticStore({ url });
    },
  }),
  defineAdapterFactory({
    port: 'keyValueStore',
    schemes: ['sqlite'],
    description: 'a SQLite file (the embedded default), shared by the processes using it',
    create: async (url, context) => {
      const { SqliteKeyValueStore } = await import('./sqlite/sqlite-key-value-store.js');
      return new SqliteKeyValueStore({ database: await sqliteDatabase(url, context), ownsDatabase: false });
    },
  }),
  defineAdapterFactory({
    port: 'keyValueStore',
    schemes: SQL_SCHEMES,
    description: 'PostgreSQL (needs pg) or PGlite',
    create: async (url, context) => new SqlKeyValueStore({ driver: await sqlDriver(url, context), ownsDriver: false }),
  }),
  defineAdapterFactory({
    port: 'keyValueStore',
    schemes: ['redis', 'rediss'],
    description: 'Redis (needs ioredis)',
    create: async (url) => {
      const { RedisKeyValueStore } = await loadOptionalPeer(
        'redis://',
        ['ioredis'],
        () => import('./redis/redis-key-value-store.js'),
      );
      const { url: server, prefix } = withPrefix(url);
      return RedisKeyValueStore.connect({ url: server, ...(prefix ? { keyPrefix: `${prefix}:kv:` } : {}) });
    },
  }),
  defineAdapterFactory({
    port: 'eventBus',
    schemes: ['redis', 'rediss'],
    description: 'Redis Streams (needs ioredis)',
    create: async (url) => {
      const { RedisStreamsEventBus } = await loadOptionalPeer(
        'redis://',
        ['ioredis'],
        () => import('./redis/redis-streams-event-bus.js'),
      );
      const { url: server, prefix } = withPrefix(url);
      return RedisStreamsEventBus.connect({ url: server, ...(prefix ? { prefix: `${prefix}:events` } : {}) });
    },
  }),
  defineAdapterFactory({
    port: 'eventBus',
    schemes: ['nats'],
    description: 'NATS JetStream (needs @nats-io/transport-node and @nats-io/jetstream)',
    create: async (url) => {
      const { NatsJetStreamEventBus } = await loadOptionalPeer(
        'nats://',
        ['@nats-io/transport-node', '@nats-io/jetstream'],
        () => import('./nats/nats-jetstream-event-bus.js'),
      );
      const { url: server, prefix } = withPrefix(url);
      return NatsJetStreamEventBus.connect({ servers: server, ...(prefix ? { prefix } : {}) });
    },
  }),
]);
