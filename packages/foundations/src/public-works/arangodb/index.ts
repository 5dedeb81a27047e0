/**
 * @packageDocumentation
 * The ArangoDB adapter of `@platform/foundations`, on `arangojs` (an optional peer dependency:
 * install it to use this entry).
 */
export { ArangoSemanticStore } from './arangodb-semantic-store.js';
export { type ArangoSemanticStoreOptions, parseArangoUrl } from './options.js';
export type { ArangoVectorIndexOptions, VectorSearchStatus } from './vector-index.js';
