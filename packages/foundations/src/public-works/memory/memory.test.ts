import {
  describeBlobStoreConformance,
  describeKeyValueStoreConformance,
  describeMetadataStoreConformance,
  describeSemanticStoreConformance,
} from '../../testing/index.js';
import { MemoryBlobStore } from './memory-blob-store.js';
import { MemoryKeyValueStore } from './memory-key-value-store.js';
import { MemoryMetadataStore } from './memory-metadata-store.js';
import { MemorySemanticStore } from './memory-semantic-store.js';

describeBlobStoreConformance('memory', async () => ({ store: new MemoryBlobStore() }));
describeMetadataStoreConformance('memory', async () => ({ store: new MemoryMetadataStore() }));
describeKeyValueStoreConformance('memory', async () => ({ store: new MemoryKeyValueStore() }));
// The event bus conformance of the in-process bus runs in in-process-event-bus.test.ts.
describeSemanticStoreConformance('memory', async () => ({ store: new MemorySemanticStore() }));
