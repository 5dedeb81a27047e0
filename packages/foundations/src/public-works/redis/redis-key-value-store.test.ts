import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeKeyValueStoreConformance } from '../../testing/index.js';
import { RedisKeyValueStore } from './redis-key-value-store.js';

/** The server the Redis tests use: `PLATFORM_TEST_REDIS_URL`, else the local one. */
const TEST_REDIS_URL = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// Deletes every key under `prefix` (this test's own keys only).
async function deletePrefix(prefix: string): Promise<void> {
  const client = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

const testPrefix = () => `platform-test:kv:${randomUUID()}:`;

describeKeyValueStoreConformance('redis (local server)', async () => {
  const keyPrefix = testPrefix();
  const store = await RedisKeyValueStore.connect({ url: TEST_REDIS_URL, keyPrefix });
  return {
    store,
    cleanup: async () => {
      await store.shutdown();
      await deletePrefix(keyPrefix);
    },
  };
});

describe('RedisKeyValueStore', () => {
  it('uses a client passed in without closing it, and closes the one it created', async () => {
    const keyPrefix = testPrefix();
    const client = new Redis(TEST_REDIS_URL);
    try {
      const borrowed = new RedisKeyValueStore({ client, keyPrefix });
      await borrowed.set('t1', 'k', { a: 1 });
      expect(await client.get(`${keyPrefix}t1:k`)).toBe('{"a":1}');
      expect((await borrowed.health()).status).toBe('healthy');
      await borrowed.shutdown();
      expect(await client.ping()).toBe('PONG');

      const owned = await RedisKeyValueStore.connect({ url: TEST_REDIS_URL, keyPrefix });
      expect(await owned.get('t1', 'k')).toEqual({ a: 1 });
      await owned.shutdown();
      expect((await owned.health()).status).toBe('unhealthy');
    } finally {
      client.disconnect();
      await deletePrefix(keyPrefix);
    }
  });

  it('fails with ADAPTER_UNAVAILABLE naming the server but never the password', async () => {
    const error = await RedisKeyValueStore.connect({
      url: 'redis://:hunter2@127.0.0.1:1',
      connectTimeoutMs: 2000,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { adapter: 'redis' } });
    expect((error as Error).message).toContain('127.0.0.1:1');
    expect((error as Error).message).not.toContain('hunter2');
  });
});
