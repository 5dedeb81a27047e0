export {
  type AdapterContext,
  type AdapterFactory,
  type AnyAdapterFactory,
  defineAdapterFactory,
  findAdapterFactory,
  schemeOf,
} from './adapter-factory.js';
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
export { BUILTIN_ADAPTER_FACTORIES } from './builtin-adapters.js';
export { checkCloudProfile, publicWorksModule } from './composition.js';
export { appendGovernanceBatch } from './governance-batch.js';
export { prepareGraphTraversal, type ResolvedGraphTraversal, traverseBreadthFirst } from './graph-traversal.js';
/** The checks every key-value adapter makes on its input, for adapters written elsewhere to refuse the same input alike. */
export * as keyValueInput from './key-value-input.js';
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
  type ScheduleTimer,
} from './memory/index.js';
export { migrateStores, type StoreMigration } from './migrate-stores.js';
export { loadOptionalPeer } from './optional-peer.js';
export * from './ports/index.js';
export { type KeyValueNamespace, keyValueNamespace } from './ports/key-value-store.js';
export { redactConnectionString } from './postgres/redact.js';
export {
  BlobStoreRef,
  EventBusRef,
  KeyValueStoreRef,
  MetadataStoreRef,
  PORT_REFS,
  type PublicWorksAdapters,
  type PublicWorksPortTypes,
  SemanticStoreRef,
} from './refs.js';
export * from './sql/index.js';
export { SqlKeyValueStore, type SqlKeyValueStoreOptions } from './sql/sql-key-value-store.js';
export * from './sqlite/index.js';
export { SqliteKeyValueStore, type SqliteKeyValueStoreOptions } from './sqlite/sqlite-key-value-store.js';
export { type TraceAdapterOptions, type TracedPort, traceAdapter, untracedAdapter } from './traced-adapters.js';
