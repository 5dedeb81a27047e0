/**
 * @packageDocumentation
 * The Google Cloud Storage adapter of `@platform/foundations`, on `@google-cloud/storage` (an
 * optional peer dependency: install it to use this entry).
 */
export { GcsBlobStore, type GcsBlobStoreOptions } from './gcs-blob-store.js';
