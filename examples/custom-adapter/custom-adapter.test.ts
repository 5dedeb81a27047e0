import { createPlatform, KeyValueStoreRef } from '@platform/foundations';
import { describeKeyValueStoreConformance } from '@platform/foundations/testing';
import { describe, expect, it } from 'vitest';
import { lruKeyValue } from './adapter.ts';
import { LruKeyValueStore } from './lru-key-value-store.ts';

// Built the way a host builds it: the factory registered, the adapter chosen by the store URL.
async function platformWith(url: string) {
  const platform = createPlatform({
    env: {},
    config: { stores: { keyValue: url }, telemetry: { sink: 'silent' } },
    adapterFactories: [lruKeyValue],
    include: [KeyValueStoreRef],
  });
  await platform.start();
  return platform;
}

describeKeyValueStoreConformance('lru:// (an adapter from another package, selected by URL)', async () => {
  const platform = await platformWith('lru://?max=100000');
  const store = platform.get(KeyValueStoreRef);
  return {
    store,
    cleanup: async () => {
      await platform.stop();
    },
  };
});

describe('the lru:// adapter', () => {
  it('is the one the URL picks, and evicts the least recently used past its size', async () => {
    const platform = await platformWith('lru://?max=3');
    try {
      const store = platform.get(KeyValueStoreRef);
      expect(store.kind).toBe('lru');
      for (const key of ['a', 'b', 'c']) await store.set('acme', key, key);
      await store.get('acme', 'a'); // a is now the most recent
      await store.set('acme', 'd', 'd');
      expect(await store.get('acme', 'b')).toBeUndefined();
      expect(await store.get('acme', 'a')).toBe('a');
      expect(await store.get('acme', 'd')).toBe('d');
    } finally {
      await platform.stop();
    }
  });

  it('refuses a bad size at creation, and an unknown scheme names the ones known', async () => {
    await expect(platformWith('lru://?max=none')).rejects.toMatchObject({
      message: expect.stringContaining("lru:// needs max=<a positive whole number>, got 'none'"),
    });
    expect(() =>
      createPlatform({ env: {}, config: { stores: { keyValue: 'lru://?max=1' } }, include: [KeyValueStoreRef] }),
    ).toThrow(
      /no adapter serves 'lru:\/\/' for the keyValueStore \(PLATFORM_KEY_VALUE_STORE\); known schemes: .*redis:\/\//,
    );
    expect(() => new LruKeyValueStore({ maxEntries: 0 })).toThrow(RangeError);
  });
});
