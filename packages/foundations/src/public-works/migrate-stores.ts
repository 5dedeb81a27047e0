import { resolve } from 'node:path';
import type { PlatformConfig } from '../config/schema.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import { redactConnectionString } from './postgres/redact.js';
import type { SqlDriver } from './sql/driver.js';
import { applyMigrations, loadMigrations, type MigrationGroup } from './sql/migrations.js';
import { requireVectorExtension } from './sql/sql-semantic-store.js';
import type { SqliteDatabase } from './sqlite/sqlite-database.js';
import { openPGlite, openPostgres, openSqlite, parseLocation } from './store-locations.js';

/** A store with an SQL schema of its own, as `config.stores` names it. */
export type MigratedStore = 'metadata' | 'semantic' | 'keyValue';

/** What `migrateStores` did for one store. */
export interface StoreMigration {
  /** `supabase`: the row-level security of the store named by {@link StoreMigration.appliesTo}. */
  store: MigratedStore | 'supabase';
  /** For a `supabase` entry: the store whose tables the row-level security is for. */
  appliesTo?: MigratedStore;
  /** Where the store is, credentials redacted (`postgres://user:***@host/db`, `pglite://<dir>`). */
  location: string;
  /** Migration ids applied now, in order; empty when the schema was current. */
  applied: string[];
  /** Set when the store has no SQL schema to migrate (`memory://`). */
  skipped?: string;
}

const MIGRATIONS: Record<
  MigratedStore,
  { postgres: MigrationGroup; sqlite: MigrationGroup; supabase: MigrationGroup }
> = {
  metadata: { postgres: 'metadata', sqlite: 'sqlite-metadata', supabase: 'supabase' },
  semantic: { postgres: 'semantic', sqlite: 'sqlite-semantic', supabase: 'supabase-semantic' },
  keyValue: { postgres: 'key-value', sqlite: 'sqlite-key-value', supabase: 'supabase-key-value' },
};

const NO_RLS = 'row-level security needs a Supabase database (postgres://)';

/**
 * Applies the SQL migrations of the configured metadata, semantic and key-value stores (SQLite,
 * PGlite or Postgres, from `config.stores` or the local profile's defaults), each store's in one
 * transaction under an advisory lock: what the stores do on start, as a separate step for
 * deployments that start them with `migrate: false`. Safe to run again: applied migrations are
 * skipped.
 *
 * With `supabase`, each Postgres store also gets its row-level security: the metadata tables to
 * the signed-in user's tenant, the semantic tables readable by it, the key-value table (sessions,
 * rate limits) to nobody but the service role.
 *
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` (server unreachable, no pgvector for the semantic
 * store, or `supabase` on a database without Supabase's `auth.jwt()`), `MIGRATION_CHECKSUM_MISMATCH`
 * (an applied migration's file changed).
 */
export async function migrateStores(
  config: PlatformConfig,
  options: {
    /**
     * Also apply the row-level security of `migrations/supabase*` to each store's database: for a
     * Supabase project reached at `postgres://` (its database URL).
     */
    supabase?: boolean;
  } = {},
): Promise<StoreMigration[]> {
  const fallback = `sqlite://${resolve(config.dataDir)}/platform.db`;
  const drivers = new Map<string, Promise<SqlDriver>>();
  const databases = new Map<string, Promise<SqliteDatabase>>();
  const report: StoreMigration[] = [];
  try {
    for (const store of ['metadata', 'semantic', 'keyValue'] as const) {
      const url = config.stores[store] ?? (config.profile === 'local' ? fallback : undefined);
      if (!url) {
        report.push({ store, location: '(not configured)', applied: [], skipped: 'no store configured' });
        continue;
      }
      const groups = MIGRATIONS[store];
      const where = parseLocation(url);
      if (where.scheme === 'sqlite') {
        let opening = databases.get(where.path);
        if (!opening) {
          opening = openSqlite(where.path);
          databases.set(where.path, opening);
        }
        const database = await opening;
        const { applied } = await database.applyMigrations(loadMigrations(groups.sqlite));
        const location = `sqlite://${where.path}`;
        report.push({ store, location, applied });
        if (options.supabase)
          report.push({ store: 'supabase', appliesTo: store, location, applied: [], skipped: NO_RLS });
        continue;
      }
      if (where.scheme !== 'pglite' && where.scheme !== 'postgres') {
        report.push({ store, location: url, applied: [], skipped: `${where.scheme} stores have no SQL schema` });
        continue;
      }
      const key = where.scheme === 'pglite' ? `pglite://${where.directory ?? 'memory'}` : where.url;
      let opening = drivers.get(key);
      if (!opening) {
        opening = where.scheme === 'pglite' ? openPGlite(where.directory) : openPostgres(where.url);
        drivers.set(key, opening);
      }
      const driver = await opening;
      if (store === 'semantic') await requireVectorExtension(driver);
      // Checked before the store's own schema, so that a wrong database gets nothing.
      if (options.supabase && where.scheme === 'postgres') await requireSupabaseAuth(driver);
      const { applied } = await applyMigrations(driver, loadMigrations(groups.postgres));
      const location = where.scheme === 'postgres' ? redactConnectionString(key) : key;
      report.push({ store, location, applied });
      if (!options.supabase) continue;
      report.push(
        where.scheme === 'postgres'
          ? {
              store: 'supabase',
              appliesTo: store,
              location,
              applied: (await applyMigrations(driver, loadMigrations(groups.supabase))).applied,
            }
          : { store: 'supabase', appliesTo: store, location, applied: [], skipped: NO_RLS },
      );
    }
  } finally {
    for (const opening of drivers.values()) await (await opening.catch(() => undefined))?.close();
    for (const opening of databases.values()) (await opening.catch(() => undefined))?.close();
  }
  return report;
}

/** @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the database has no Supabase `auth.jwt()` (not a Supabase project). */
async function requireSupabaseAuth(driver: SqlDriver): Promise<void> {
  const { rows } = await driver.query(
    "select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'auth' and p.proname = 'jwt'",
  );
  if (rows.length === 0) {
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      "supabase: this database has no auth.jwt() function: it is not a Supabase project's database",
      { details: { adapter: 'supabase' } },
    );
  }
}
