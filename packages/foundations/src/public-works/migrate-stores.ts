import { resolve } from 'node:path';
import type { PlatformConfig } from '../config/schema.js';
import { redactConnectionString } from './postgres/redact.js';
import type { SqlDriver } from './sql/driver.js';
import { applyMigrations, loadMigrations } from './sql/migrations.js';
import { requireVectorExtension } from './sql/sql-semantic-store.js';
import { openPGlite, openPostgres, parseLocation } from './store-locations.js';

/** What `migrateStores` did for one store. */
export interface StoreMigration {
  store: 'metadata' | 'semantic';
  /** Where the store is, credentials redacted (`postgres://user:***@host/db`, `pglite://<dir>`). */
  location: string;
  /** Migration ids applied now, in order; empty when the schema was current. */
  applied: string[];
  /** Set when the store has no SQL schema to migrate (`memory://`). */
  skipped?: string;
}

/**
 * Applies the SQL migrations of the configured metadata and semantic stores (PGlite or Postgres,
 * from `config.stores` or the local profile's defaults), each store's in one transaction under an
 * advisory lock: what the stores do on start, as a separate step for deployments that start them
 * with `migrate: false`. Safe to run again: applied migrations are skipped.
 *
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` (server unreachable, or no pgvector for the
 * semantic store), `MIGRATION_CHECKSUM_MISMATCH` (an applied migration's file changed).
 */
export async function migrateStores(config: PlatformConfig): Promise<StoreMigration[]> {
  const fallback = `pglite://${resolve(config.dataDir)}/pglite`;
  const drivers = new Map<string, Promise<SqlDriver>>();
  const report: StoreMigration[] = [];
  try {
    for (const store of ['metadata', 'semantic'] as const) {
      const url = config.stores[store] ?? (config.profile === 'local' ? fallback : undefined);
      if (!url) {
        report.push({ store, location: '(not configured)', applied: [], skipped: 'no store configured' });
        continue;
      }
      const where = parseLocation(url);
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
      report.push({ store, location: where.scheme === 'postgres' ? redactConnectionString(key) : key, applied });
    }
  } finally {
    for (const opening of drivers.values()) await (await opening.catch(() => undefined))?.close();
  }
  return report;
}
