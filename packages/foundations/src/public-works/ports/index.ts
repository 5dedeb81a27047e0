export {
  type BlobBody,
  type BlobInfo,
  BlobInfoSchema,
  type BlobPutOptions,
  type BlobStore,
  validateBlobKey,
} from './blob-store.js';
export {
  DEFAULT_RETRY,
  type DeadLetter,
  type DeadLetterQuery,
  type Delivery,
  type EventBus,
  type EventHandler,
  EventTypePatternSchema,
  matchesEventType,
  type PlatformEvent,
  PlatformEventSchema,
  type RetryPolicy,
  retryDelayMs,
  type SubscribeOptions,
  type Unsubscribe,
} from './event-bus.js';
export type { JsonValue, KeyValueStore, KeyValueWriteOptions } from './key-value-store.js';
export * from './metadata-records.js';
export type { MetadataStore } from './metadata-store.js';
export {
  type ContentRecord,
  ContentRecordSchema,
  type EmbeddingRecord,
  EmbeddingRecordSchema,
  type GraphEdge,
  GraphEdgeSchema,
  type GraphNode,
  GraphNodeSchema,
  type GraphTraversalOptions,
  type GraphTraversalStep,
  type NewContentRecord,
  NewContentRecordSchema,
  type NewEmbeddingRecord,
  NewEmbeddingRecordSchema,
  type SemanticSearchOptions,
  type SemanticSearchResult,
  type SemanticStore,
} from './semantic-store.js';
export {
  assertTenantId,
  notFound,
  type Page,
  type PageOptions,
  pageLimit,
  parseRecord,
  RecordIdSchema,
  TenantIdSchema,
} from './tenancy.js';
