// One of several processes hammering the same keys of a shared KeyValueStore: increments, a
// compareAndSet retry loop, and one claim from absent. Prints its results as one JSON line.
// Loads the built package, as a host would.
// Usage: node key-value-store.fixture.mjs <sqlite|redis> <path or url> <keyPrefix> <tenant> <rounds>
import { SqliteDatabase, SqliteKeyValueStore } from '../../dist/index.js';
import { RedisKeyValueStore } from '../../dist/redis.js';

const [adapter, location, keyPrefix, tenant, rounds] = process.argv.slice(2);
const store =
  adapter === 'redis'
    ? await RedisKeyValueStore.connect({ url: location, keyPrefix })
    : new SqliteKeyValueStore({ database: await SqliteDatabase.open({ path: location }) });
await store.initialize?.();
const count = Number(rounds);
const claimed = await store.compareAndSet(tenant, 'claim', undefined, { pid: process.pid });
let casRetries = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (let index = 0; index < count / 4; index += 1) {
      await store.increment(tenant, 'hits', 1, { ttlMs: 600_000 });
      for (;;) {
        const current = await store.get(tenant, 'cas');
        if (await store.compareAndSet(tenant, 'cas', current, { n: (current?.n ?? 0) + 1 }, { ttlMs: 600_000 })) break;
        casRetries += 1;
      }
    }
  }),
);
await store.shutdown();
console.log(JSON.stringify({ claimed, casRetries }));
