import { join } from 'node:path';
import { SqlMetadataStore } from '../sql/sql-metadata-store.js';
import { PGliteDriver } from './pglite-driver.js';

export { PGliteDriver, type PGliteDriverOptions, reuseInitializedPGliteClusters } from './pglite-driver.js';

/**
 * A {@link SqlMetadataStore} on PGlite: file-backed under `<dataDir>/pglite` (default
 * `./.platform/pglite`), or in memory with `{ inMemory: true }`. Migrations run in `initialize()`.
 */
export async function createPGliteMetadataStore(
  options: { dataDir?: string; inMemory?: boolean } = {},
): Promise<SqlMetadataStore> {
  const driver = await PGliteDriver.open(
    options.inMemory ? {} : { dataDir: join(options.dataDir ?? './.platform', 'pglite') },
  );
  return new SqlMetadataStore({ driver });
}
