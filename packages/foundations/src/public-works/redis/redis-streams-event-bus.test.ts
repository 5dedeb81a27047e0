import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { describeEventBusConformance } from '../../testing/event-bus-conformance.js';
import { RedisStreamsEventBus, type RedisStreamsEventBusTuning } from './redis-streams-event-bus.js';

// Needs the Redis on 127.0.0.1:6379. Every run uses its own key prefix and deletes its keys.
const URL_ = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(URL_);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await client.quit();
}

describeEventBusConformance('redis-streams', async () => {
  const prefix = `test:event-bus:${randomUUID()}`;
  const tuning: RedisStreamsEventBusTuning = { prefix, claimIdleMs: 1_500, blockMs: 500, onHandlerError: () => {} };
  const bus = await RedisStreamsEventBus.connect({ url: URL_, ...tuning });
  return {
    bus,
    ordered: true,
    openBus: () => RedisStreamsEventBus.connect({ url: URL_, ...tuning }),
    process: {
      module: fileURLToPath(new URL('./redis-streams-event-bus.ts', import.meta.url)),
      exportName: 'RedisStreamsEventBus',
      options: { url: URL_, prefix, claimIdleMs: 1_500, blockMs: 500 },
    },
    cleanup: async () => {
      await bus.shutdown();
      await deleteKeys(prefix);
    },
  };
});

describe('RedisStreamsEventBus', () => {
  it('keeps one stream per tenant, trimmed, and leaves a caller-owned client open', async () => {
    const prefix = `test:event-bus:${randomUUID()}`;
    const client = new Redis(URL_);
    const bus = new RedisStreamsEventBus({ client, prefix, maxLength: 10 });
    try {
      for (let index = 0; index < 300; index += 1) {
        await bus.publish({ id: `e${index}`, type: 'a.b', tenantId: 'acme', occurredAt: new Date(), payload: {} });
      }
      await bus.publish({ id: 'g1', type: 'a.b', tenantId: 'globex', occurredAt: new Date(), payload: {} });
      expect(await client.xlen(`${prefix}:t:acme`)).toBeLessThan(300);
      expect(await client.xlen(`${prefix}:t:globex`)).toBe(1);
      expect((await client.smembers(`${prefix}:tenants`)).sort()).toEqual(['acme', 'globex']);
      expect((await bus.health()).status).toBe('healthy');
      await bus.shutdown();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await deleteKeys(prefix);
      await client.quit();
    }
  });

  it('reports an unreachable server as unhealthy', async () => {
    const bus = new RedisStreamsEventBus({ url: 'redis://127.0.0.1:1', prefix: 'never' });
    expect((await bus.health()).status).toBe('unhealthy');
    await bus.shutdown();
  });
});
