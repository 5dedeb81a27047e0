// One of several processes asking the Traffic Cop for the same user's limit on a shared store.
// Prints how many of its requests were allowed, as one JSON line. Loads the built packages.
// Usage: node traffic-cop.fixture.mjs <sqlite|redis> <path or url> <keyPrefix> <requests> <limit>
import { createPlatform, SqliteDatabase, SqliteKeyValueStore } from '@platform/foundations';
import { RedisKeyValueStore } from '@platform/foundations/redis';
import { smartCityModule, TrafficCopRef, trafficCop } from '../../dist/index.js';

const [adapter, location, keyPrefix, requests, limit] = process.argv.slice(2);
const store =
  adapter === 'redis'
    ? await RedisKeyValueStore.connect({ url: location, keyPrefix })
    : new SqliteKeyValueStore({ database: await SqliteDatabase.open({ path: location }) });
await store.initialize?.();
const platform = createPlatform({
  env: {},
  telemetrySink: () => {},
  adapters: { keyValueStore: store },
  // A long window: over the test's few seconds, the bucket regains less than one request.
  modules: [
    smartCityModule({ roles: [trafficCop({ limits: { perUser: { limit: Number(limit), windowMs: 3_600_000 } } })] }),
  ],
});
await platform.start();
const cop = platform.get(TrafficCopRef);
const ada = { userId: 'ada', tenantId: 'acme', roles: [], permissions: [] };
let allowed = 0;
await Promise.all(
  Array.from({ length: 8 }, async () => {
    for (let index = 0; index < Number(requests) / 8; index += 1) {
      if ((await cop.checkRateLimit(ada, 'GET /files')).allowed) allowed += 1;
    }
  }),
);
await platform.stop();
await store.shutdown?.();
console.log(JSON.stringify({ allowed }));
