import { resolve } from 'node:path';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import { loadOptionalPeer } from './optional-peer.js';
import type { SqlDriver } from './sql/driver.js';
import { SqliteDatabase } from './sqlite/sqlite-database.js';

/** Where a store URL points, parsed. */
export type Location =
  | { scheme: 'memory' }
  | { scheme: 'local'; directory: string }
  | { scheme: 'sqlite'; path: string }
  | { scheme: 'pglite'; directory: string | undefined }
  | { scheme: 'postgres'; url: string }
  | { scheme: 'gcs'; bucket: string; prefix: string; apiEndpoint?: string; projectId?: string }
  | { scheme: 'arangodb'; url: string }
  | { scheme: 'supabase'; url: string };

/** Parses a built-in store URL. @throws {PlatformError} `CONFIG_INVALID` for another scheme. */
export function parseLocation(url: string): Location {
  const [scheme = '', rest = ''] = url.split(/:\/\/(.*)/s);
  switch (scheme) {
    case 'memory':
      return { scheme: 'memory' };
    case 'local':
    case 'file':
      return { scheme: 'local', directory: resolve(rest || '.') };
    case 'sqlite':
      // sqlite://<file>, or sqlite://memory for a private in-memory database.
      return { scheme: 'sqlite', path: rest === '' || rest === 'memory' ? ':memory:' : resolve(rest) };
    case 'pglite':
      return { scheme: 'pglite', directory: rest === '' || rest === 'memory' ? undefined : resolve(rest) };
    case 'supabase':
      // supabase://<project>.supabase.co: the REST API over https; the key comes from SUPABASE_SERVICE_ROLE_KEY.
      return { scheme: 'supabase', url: `https://${rest.replace(/\/+$/, '')}` };
    case 'arangodb':
    case 'arangodb+ssl':
      return { scheme: 'arangodb', url };
    case 'gcs': {
      // gcs://bucket/prefix?apiEndpoint=http://127.0.0.1:9199&projectId=demo
      const parsed = new URL(url);
      const apiEndpoint = parsed.searchParams.get('apiEndpoint');
      const projectId = parsed.searchParams.get('projectId');
      return {
        scheme: 'gcs',
        bucket: parsed.hostname,
        prefix: decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, ''),
        ...(apiEndpoint ? { apiEndpoint } : {}),
        ...(projectId ? { projectId } : {}),
      };
    }
    case 'postgres':
    case 'postgresql':
      return { scheme: 'postgres', url };
    default:
      throw new PlatformError(ErrorCode.CONFIG_INVALID, `'${scheme}://' is not a store location this SDK opens`, {
        details: { scheme },
      });
  }
}

export async function openPGlite(directory: string | undefined): Promise<SqlDriver> {
  // The vector extension is always loaded: the semantic store may share this database.
  // Loaded on demand: PGlite and its pgvector build are optional peer dependencies.
  const [{ vector }, { PGliteDriver }] = await loadOptionalPeer(
    'pglite://',
    ['@electric-sql/pglite', '@electric-sql/pglite-pgvector'],
    () => Promise.all([import('@electric-sql/pglite-pgvector'), import('./pglite/pglite-driver.js')]),
  );
  return PGliteDriver.open({ ...(directory ? { dataDir: directory } : {}), extensions: { vector } });
}

/**
 * Opens the SQLite file of the embedded default, with sqlite-vec loaded: the metadata and the
 * semantic store share one connection to it.
 */
export async function openSqlite(path: string): Promise<SqliteDatabase> {
  const { sqliteVecPath } = await import('./sqlite/sqlite-semantic-store.js');
  return SqliteDatabase.open({ path, extensions: [await sqliteVecPath()] });
}

export async function openPostgres(url: string): Promise<SqlDriver> {
  // Loaded on demand: `pg` is an optional peer dependency, needed only for postgres:// stores.
  const { PostgresDriver } = await loadOptionalPeer(
    'postgres://',
    ['pg'],
    () => import('./postgres/postgres-driver.js'),
  );
  return PostgresDriver.connect({ connectionString: url });
}
