import type { PublicWorksPort } from '../config/ports.js';
import { defineServiceRef, type ServiceRef } from '../kernel/service-ref.js';
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

/** What each Public Works port is, by its name in the one list (`PUBLIC_WORKS_PORT_LIST`). */
export interface PublicWorksPortTypes {
  blobStore: BlobStore;
  metadataStore: MetadataStore;
  semanticStore: SemanticStore;
  eventBus: EventBus;
  keyValueStore: KeyValueStore;
}

// The names above are the port list's, no more and no fewer: a port added to the list fails to
// compile here until it has a type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const portTypesMatchTheList: Same<keyof PublicWorksPortTypes, PublicWorksPort> = true;
void portTypesMatchTheList;

/** Each port's service ref. */
export const PORT_REFS: { readonly [P in PublicWorksPort]: ServiceRef<PublicWorksPortTypes[P]> } = Object.freeze({
  blobStore: BlobStoreRef,
  metadataStore: MetadataStoreRef,
  semanticStore: SemanticStoreRef,
  eventBus: EventBusRef,
  keyValueStore: KeyValueStoreRef,
});

/** Adapters a host passes as they are, by port (they win over store URLs). */
export type PublicWorksAdapters = { [P in PublicWorksPort]?: PublicWorksPortTypes[P] };
