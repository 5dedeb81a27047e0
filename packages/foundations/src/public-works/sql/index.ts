export { type SqlDriver, type SqlExecutor, type SqlResult, sqlErrorCode } from './driver.js';
export {
  applyMigrations,
  loadMigrations,
  type Migration,
  type MigrationGroup,
  migrationsDirectory,
} from './migrations.js';
export { SqlMetadataStore, type SqlMetadataStoreOptions } from './sql-metadata-store.js';
export { SqlSemanticStore, type SqlSemanticStoreOptions } from './sql-semantic-store.js';
