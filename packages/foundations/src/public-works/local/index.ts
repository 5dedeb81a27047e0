export {
  LocalBlobStore,
  type LocalBlobStoreOptions,
  type LocalBlobSweepOptions,
  type LocalBlobSweptFile,
} from './local-blob-store.js';
