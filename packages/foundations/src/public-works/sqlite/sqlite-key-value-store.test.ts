import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeKeyValueStoreConformance } from '../../testing/index.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteKeyValueStore } from './sqlite-key-value-store.js';

describeKeyValueStoreConformance('sqlite (file, injected clock)', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'platform-kv-sqlite-'));
  let now = 1_700_000_000_000;
  const store = new SqliteKeyValueStore({
    database: await SqliteDatabase.open({ path: join(directory, 'kv.db') }),
    now: () => now,
  });
  await store.initialize();
  return {
    store,
    advance: (ms) => (now += ms),
    cleanup: async () => {
      await store.shutdown();
      await rm(directory, { recursive: true, force: true });
    },
  };
});

describe('SqliteKeyValueStore', () => {
  it('shares entries between connections to one file and sweeps expired rows', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'platform-kv-sqlite-'));
    try {
      let now = 1_000_000;
      const path = join(directory, 'kv.db');
      const first = new SqliteKeyValueStore({ database: await SqliteDatabase.open({ path }), now: () => now });
      const database = await SqliteDatabase.open({ path });
      const second = new SqliteKeyValueStore({ database, ownsDatabase: false, now: () => now, sweepIntervalMs: 500 });
      await Promise.all([first.initialize(), second.initialize()]);
      await first.set('t1', 'shared', { n: 1 });
      expect(await second.get('t1', 'shared')).toEqual({ n: 1 });
      expect(await second.compareAndSet('t1', 'shared', { n: 1 }, { n: 2 })).toBe(true);
      expect(await first.compareAndSet('t1', 'shared', { n: 1 }, { n: 3 })).toBe(false);
      for (let index = 0; index < 5; index += 1) await first.set('t1', `short:${index}`, index, { ttlMs: 100 });
      const count = () => database.get<{ n: number }>('select count(*) as n from platform_key_values')?.n;
      expect(count()).toBe(6);
      now += 200;
      expect(await first.get('t1', 'short:0')).toBeUndefined();
      // Expired rows stay until a sweep: the next write past the interval, or sweepExpired().
      expect(count()).toBe(6);
      now += 1000;
      await second.set('t1', 'other', 1);
      expect(count()).toBe(2);
      await first.set('t1', 'short', 1, { ttlMs: 1 });
      now += 10;
      expect(await first.sweepExpired()).toBe(1);
      expect((await second.health()).status).toBe('healthy');
      await second.shutdown();
      expect(database.closed).toBe(false);
      database.close();
      await first.shutdown();
      expect((await first.health()).status).toBe('unhealthy');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
