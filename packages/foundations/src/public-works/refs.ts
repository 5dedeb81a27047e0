import { defineServiceRef } from '../kernel/service-ref.js';
import type { BlobStore } from './ports/blob-store.js';
import type { EventBus } from './ports/event-bus.js';
import type { KeyValueStore } from './ports/key-value-store.js';
import type { MetadataStore } from './ports/metadata-store.js';
import type { SemanticStore } from './ports/semantic-store.js';

/** The platform's blob store. */
export const BlobStoreRef = defineServiceRef<BlobStore>({ id: 'public-works.blob-store', tier: 'public-works' });
/** The platform's metadata store. */
export const MetadataStoreRef = defineServiceRef<MetadataStore>({
  id: 'public-works.metadata-store',
  tier: 'public-works',
});
/** The platform's semantic store. */
export const SemanticStoreRef = defineServiceRef<SemanticStore>({
  id: 'public-works.semantic-store',
  tier: 'public-works',
});
/** The platform's event bus. */
export const EventBusRef = defineServiceRef<EventBus>({ id: 'public-works.event-bus', tier: 'public-works' });
/** The platform's key-value store. */
export const KeyValueStoreRef = defineServiceRef<KeyValueStore>({
  id: 'public-works.key-value-store',
  tier: 'public-works',
});

/** The Public Works ports a host can supply adapters for. */
export interface PublicWorksAdapters {
  blobStore?: BlobStore;
  metadataStore?: MetadataStore;
  semanticStore?: SemanticStore;
  eventBus?: EventBus;
  keyValueStore?: KeyValueStore;
}
