/**
 * @packageDocumentation
 * The ArangoDB adapter of `@platform/foundations`, on `arangojs` (an optional peer dependency:
 * install it to use this entry).
 */
export {
  ArangoSemanticStore,
  type ArangoSemanticStoreOptions,
  parseArangoUrl,
} from './arangodb-semantic-store.js';
