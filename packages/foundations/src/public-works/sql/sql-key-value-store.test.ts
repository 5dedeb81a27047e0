import { describe, expect, it } from 'vitest';
import { describeKeyValueStoreConformance } from '../../testing/index.js';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.js';
import { PGliteDriver } from '../pglite/pglite-driver.js';
import { PostgresDriver } from '../postgres/postgres-driver.js';
import { SqlKeyValueStore } from './sql-key-value-store.js';

describeKeyValueStoreConformance('postgres (local server, injected clock)', async () => {
  const database = await createPostgresTestDatabase();
  let now = 1_700_000_000_000;
  const store = new SqlKeyValueStore({
    driver: await PostgresDriver.connect({ connectionString: database.url }),
    now: () => now,
  });
  await store.initialize();
  return {
    store,
    advance: (ms) => (now += ms),
    cleanup: async () => {
      await store.shutdown();
      await database.drop();
    },
  };
});

describeKeyValueStoreConformance('postgres (local server, real clock)', async () => {
  const database = await createPostgresTestDatabase();
  const store = new SqlKeyValueStore({ driver: await PostgresDriver.connect({ connectionString: database.url }) });
  await store.initialize();
  return {
    store,
    cleanup: async () => {
      await store.shutdown();
      await database.drop();
    },
  };
});

describeKeyValueStoreConformance('pglite (in memory, injected clock)', async () => {
  let now = 1_700_000_000_000;
  const store = new SqlKeyValueStore({ driver: await PGliteDriver.open(), now: () => now });
  await store.initialize();
  return { store, advance: (ms) => (now += ms), cleanup: () => store.shutdown() };
});

describe('SqlKeyValueStore', () => {
  it('applies its migrations once, sweeps expired rows, and refuses what jsonb cannot hold', async () => {
    const database = await createPostgresTestDatabase();
    let now = 1_000_000;
    const drivers = await Promise.all([0, 1, 2].map(() => PostgresDriver.connect({ connectionString: database.url })));
    try {
      const stores = drivers.map((driver) => new SqlKeyValueStore({ driver, now: () => now, ownsDriver: false }));
      await Promise.all(stores.map((store) => store.initialize()));
      const [store, other] = stores as [SqlKeyValueStore, SqlKeyValueStore];
      const { rows } = await drivers[0]!.query<{ id: string }>('select id from platform_migrations order by id');
      expect(rows.map((row) => row.id)).toEqual(['key-value/0001_key_value']);
      await store.set('t1', 'a', 1, { ttlMs: 10 });
      await store.set('t1', 'b', 2, { ttlMs: 10 });
      expect(await other.get('t1', 'a')).toBe(1);
      now += 20;
      expect(await other.get('t1', 'a')).toBeUndefined();
      expect(await store.sweepExpired()).toBe(2);
      const refused = await store.set('t1', 'nul', 'a\u0000b').catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await store.health()).status).toBe('healthy');
    } finally {
      await Promise.all(drivers.map((driver) => driver.close()));
      await database.drop();
    }
  });
});
