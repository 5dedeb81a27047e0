import { resolve } from 'node:path';
import type { PlatformConfig } from '../config/schema.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import { redactConnectionString } from './postgres/redact.js';
import type { SqlDriver } from './sql/driver.js';
import { applyMigrations, loadMigrations } from './sql/migrations.js';
import { requireVectorExtension } from './sql/sql-semantic-store.js';
import type { SqliteDatabase } from './sqlite/sqlite-database.js';
import { openPGlite, openPostgres, openSqlite, parseLocation } from './store-locations.js';

/** What `migrateStores` did for one store. */
export interface StoreMigration {
  /** `supabase`: the row-level security policies, applied to the metadata store's database. */
  store: 'metadata' | 'semantic' | 'supabase';
  /** Where the store is, credentials redacted (`postgres://user:***@host/db`, `pglite://<dir>`). */
  location: string;
  /** Migration ids applied now, in order; empty when the schema was current. */
  applied: string[];
  /** Set when the store has no SQL schema to migrate (`memory://`). */
  skipped?: string;
}

/**
 * Applies the SQL migrations of the configured metadata and semantic stores (SQLite, PGlite or Postgres,
 * from `config.stores` or the local profile's defaults), each store's in one transaction under an
 * advisory lock: what the stores do on start, as a separate step for deployments that start them
 * with `migrate: false`. Safe to run again: applied migrations are skipped.
 *
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` (server unreachable, or no pgvector for the
 * semantic store), `MIGRATION_CHECKSUM_MISMATCH` (an applied migration's file changed).
 */
export async function migrateStores(
  config: PlatformConfig,
  options: {
    /**
     * Also apply `migrations/supabase` (row-level security by tenant) to the metadata store's
     * database: for a Supabase project reached at `postgres://` (its database URL).
     */
    supabase?: boolean;
  } = {},
): Promise<StoreMigration[]> {
  const fallback = `sqlite://${resolve(config.dataDir)}/platform.db`;
  const drivers = new Map<string, Promise<SqlDriver>>();
  const databases = new Map<string, Promise<SqliteDatabase>>();
  const report: StoreMigration[] = [];
  try {
    for (const store of ['metadata', 'semantic'] as const) {
      const url = config.stores[store] ?? (config.profile === 'local' ? fallback : undefined);
      if (!url) {
        report.push({ store, location: '(not configured)', applied: [], skipped: 'no store configured' });
        continue;
      }
      const where = parseLocation(url);
      if (where.scheme === 'sqlite') {
        let opening = databases.get(where.path);
        if (!opening) {
          opening = openSqlite(where.path);
          databases.set(where.path, opening);
        }
        const database = await opening;
        const { applied } = await database.applyMigrations(loadMigrations(`sqlite-${store}`));
        report.push({ store, location: `sqlite://${where.path}`, applied });
        if (store === 'metadata' && options.supabase) {
          report.push({
            store: 'supabase',
            location: `sqlite://${where.path}`,
            applied: [],
            skipped: 'row-level security needs a Supabase database (postgres://)',
          });
        }
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
      const { applied } = await applyMigrations(driver, loadMigrations(store));
      const location = where.scheme === 'postgres' ? redactConnectionString(key) : key;
      report.push({ store, location, applied });
      if (store === 'metadata' && options.supabase) {
        if (where.scheme !== 'postgres') {
          report.push({
            store: 'supabase',
            location,
            applied: [],
            skipped: 'row-level security needs a Supabase database (postgres://)',
          });
        } else {
          await requireSupabaseAuth(driver);
          report.push({
            store: 'supabase',
            location,
            applied: (await applyMigrations(driver, loadMigrations('supabase'))).applied,
          });
        }
      }
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
