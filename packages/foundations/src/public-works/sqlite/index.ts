export {
  isSqliteConstraint,
  SqliteDatabase,
  type SqliteDatabaseOptions,
  sqliteConstraintKind,
  sqliteResultCode,
} from './sqlite-database.js';
export { SqliteMetadataStore, type SqliteMetadataStoreOptions } from './sqlite-metadata-store.js';
export { SqliteSemanticStore, type SqliteSemanticStoreOptions, sqliteVecPath } from './sqlite-semantic-store.js';
