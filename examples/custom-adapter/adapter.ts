import { defineAdapterFactory, PlatformError } from '@platform/foundations';
import { LruKeyValueStore } from './lru-key-value-store.ts';

/**
 * The `lru://` scheme for the key-value store: `PLATFORM_KEY_VALUE_STORE=lru://?max=50000`
 * (default 10,000 entries). Register it with `createPlatform({ adapterFactories: [lruKeyValue] })`.
 */
export const lruKeyValue = defineAdapterFactory({
  port: 'keyValueStore',
  schemes: ['lru'],
  description: 'a bounded in-process cache, least recently used evicted first',
  create: (url) => {
    const given = new URL(url).searchParams.get('max');
    const maxEntries = given === null ? 10_000 : Number(given);
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new PlatformError('CONFIG_INVALID', `lru:// needs max=<a positive whole number>, got '${given}'`, {
        details: { scheme: 'lru', max: given },
      });
    }
    return new LruKeyValueStore({ maxEntries });
  },
});
