import {
  describeBlobStoreConformance,
  describeEventBusConformance,
  describeKeyValueStoreConformance,
  describeMetadataStoreConformance,
  describeSemanticStoreConformance,
} from '../../testing/index.js';
import { InProcessEventBus } from './in-process-event-bus.js';
import { MemoryBlobStore } from './memory-blob-store.js';
import { MemoryKeyValueStore } from './memory-key-value-store.js';
import { MemoryMetadataStore } from './memory-metadata-store.js';
import { MemorySemanticStore } from './memory-semantic-store.js';

describeBlobStoreConformance('memory', async () => ({ store: new MemoryBlobStore() }));
describeMetadataStoreConformance('memory', async () => ({ store: new MemoryMetadataStore() }));
describeKeyValueStoreConformance('memory', async () => ({ store: new MemoryKeyValueStore() }));
describeEventBusConformance('in-process', async () => {
  const handlerErrors: unknown[] = [];
  return { bus: new InProcessEventBus({ onHandlerError: (error) => handlerErrors.push(error) }), handlerErrors };
});
describeSemanticStoreConformance('memory', async () => ({ store: new MemorySemanticStore() }));
