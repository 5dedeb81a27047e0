import { describeKeyValueStoreConformance } from '../../testing/index.js';
import { MemoryKeyValueStore } from './memory-key-value-store.js';

describeKeyValueStoreConformance('memory (injected clock)', async () => {
  let now = 1_700_000_000_000;
  return { store: new MemoryKeyValueStore({ now: () => now }), advance: (ms) => (now += ms) };
});
