export { InProcessEventBus, type InProcessEventBusOptions, type ScheduleTimer } from './in-process-event-bus.js';
export { MemoryBlobStore } from './memory-blob-store.js';
export { MemoryKeyValueStore, type MemoryKeyValueStoreOptions } from './memory-key-value-store.js';
export { MemoryMetadataStore } from './memory-metadata-store.js';
export { MemorySemanticStore } from './memory-semantic-store.js';
