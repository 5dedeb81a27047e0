/**
 * @packageDocumentation
 * Postgres adapters of `@platform/foundations`, on `pg` (an optional peer dependency: install it
 * to use this entry). Works with any Postgres, Supabase's database included.
 */
import { SqlMetadataStore } from '../sql/sql-metadata-store.js';
import { PostgresDriver, type PostgresDriverOptions } from './postgres-driver.js';

export { PostgresDriver, type PostgresDriverOptions, redactConnectionString } from './postgres-driver.js';

/**
 * Connects to Postgres and returns a {@link SqlMetadataStore} on it; `initialize()` applies the
 * migrations (unless `migrate: false`).
 */
export async function createPostgresMetadataStore(
  options: PostgresDriverOptions & { migrate?: boolean },
): Promise<SqlMetadataStore> {
  const driver = await PostgresDriver.connect(options);
  return new SqlMetadataStore({ driver, ...(options.migrate === undefined ? {} : { migrate: options.migrate }) });
}
