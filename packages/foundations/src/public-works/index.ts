export {
  type AuditHead,
  type AuditProblem,
  type AuditVerification,
  canonicalJson,
  GENESIS_HASH,
  governanceRecordHash,
  type VerifyAuditOptions,
  verifyAudit,
} from './audit-chain.js';
export { checkCloudProfile, publicWorksModule } from './composition.js';
export { prepareGraphTraversal, type ResolvedGraphTraversal, traverseBreadthFirst } from './graph-traversal.js';
export {
  LocalBlobStore,
  type LocalBlobStoreOptions,
  type LocalBlobSweepOptions,
  type LocalBlobSweptFile,
} from './local/index.js';
export {
  InProcessEventBus,
  type InProcessEventBusOptions,
  MemoryBlobStore,
  MemoryKeyValueStore,
  type MemoryKeyValueStoreOptions,
  MemoryMetadataStore,
  MemorySemanticStore,
} from './memory/index.js';
export { migrateStores, type StoreMigration } from './migrate-stores.js';
export * from './ports/index.js';
export { redactConnectionString } from './postgres/redact.js';
export {
  BlobStoreRef,
  EventBusRef,
  KeyValueStoreRef,
  MetadataStoreRef,
  type PublicWorksAdapters,
  SemanticStoreRef,
} from './refs.js';
export * from './sql/index.js';
export * from './sqlite/index.js';
export { type TraceAdapterOptions, type TracedPort, traceAdapter, untracedAdapter } from './traced-adapters.js';
