/**
 * The Key-Value Store shared between processes, from the built packages:
 *   1. shared rate-limit checks per second through the Traffic Cop (`checkRateLimit`, GCRA over
 *      `RedisKeyValueStore` with compareAndSet), against a bare ioredis fixed-window check (an
 *      INCR + PEXPIRE pipeline per check: the cheapest shared counter) measured in the same run;
 *      the Traffic Cop once with one user per worker and once with every worker on one user (one
 *      key, so compareAndSet races);
 *   2. get / set / increment per second on the memory, SQLite (a file in a temp dir) and Redis
 *      adapters, against the bare ioredis command (GET / SET / INCR) in the same run.
 *
 * Each case keeps `--concurrency` operations in flight (default 8) for a batch of operations;
 * cases are interleaved over rounds and the median rate is reported. Redis at
 * `PLATFORM_TEST_REDIS_URL` (default redis://127.0.0.1:6379), under a unique key prefix deleted
 * at the end.
 *
 *   node key-value.bench.ts [--quick] [--rounds 5] [--concurrency 8]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPlatform,
  type KeyValueStore,
  MemoryKeyValueStore,
  SqliteDatabase,
  SqliteKeyValueStore,
} from '@platform/foundations';
import { RedisKeyValueStore } from '@platform/foundations/redis';
import { smartCityModule, TrafficCopRef, trafficCop } from '@platform/smart-city';
import { Redis } from 'ioredis';
import { median, numericArgument, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const rounds = numericArgument('--rounds', quick ? 3 : 7);
const concurrency = numericArgument('--concurrency', 8);
const operations = quick ? 1000 : 5000;
const REDIS_URL = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `platform-bench:kv:${randomUUID()}:`;

interface AsyncCase {
  name: string;
  /** One operation; `index` is the operation's number in the batch, `worker` the lane it runs in. */
  run: (index: number, worker: number) => Promise<unknown>;
}

// Operations per second of one batch, `concurrency` in flight.
async function rate(benchCase: AsyncCase, count: number): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let index = next++; index < count; index = next++) await benchCase.run(index, worker);
    }),
  );
  return count / (Number(process.hrtime.bigint() - started) / 1e9);
}

async function measureRates(cases: AsyncCase[]): Promise<Map<string, number>> {
  const samples = new Map<string, number[]>(cases.map((benchCase) => [benchCase.name, []]));
  for (let round = 0; round < 1 + rounds; round += 1) {
    for (const benchCase of cases) {
      const perSecond = await rate(benchCase, operations);
      if (round >= 1) samples.get(benchCase.name)?.push(perSecond);
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

const format = (perSecond: number) => Math.round(perSecond).toLocaleString('en-US');

const directory = await mkdtemp(join(tmpdir(), 'platform-bench-kv-'));
const raw = new Redis(REDIS_URL);
const redis = await RedisKeyValueStore.connect({ url: REDIS_URL, keyPrefix: prefix });
const sqlite = new SqliteKeyValueStore({ database: await SqliteDatabase.open({ path: join(directory, 'kv.db') }) });
await sqlite.initialize();
const memory = new MemoryKeyValueStore();
const platform = createPlatform({
  env: {},
  telemetrySink: () => {},
  adapters: { keyValueStore: redis },
  // Limits no check reaches: every check is allowed and writes (a refused one would only read).
  modules: [smartCityModule({ roles: [trafficCop({ limits: { perUser: { limit: 1e9, windowMs: 3_600_000 } } })] })],
});
try {
  await platform.start();
  const cop = platform.get(TrafficCopRef);
  const user = (userId: string) => ({ userId, tenantId: 'bench', roles: [], permissions: [] });
  const users = Array.from({ length: concurrency }, (_, worker) => user(`u${worker}`));
  const shared = user('everyone');

  console.log(
    `Key-Value Store shared state: ${operations} operations a batch, ${concurrency} in flight, median of ${rounds} rounds\n`,
  );
  const limiter = await measureRates([
    {
      name: 'ioredis INCR+PEXPIRE pipeline (baseline)',
      run: (_, worker) =>
        raw.multi().incr(`${prefix}raw-rate:${worker}`).pexpire(`${prefix}raw-rate:${worker}`, 60_000, 'NX').exec(),
    },
    {
      name: 'Traffic Cop checkRateLimit, a user a worker',
      run: (_, worker) => cop.checkRateLimit(users[worker]!, 'GET /x'),
    },
    { name: 'Traffic Cop checkRateLimit, one shared user', run: () => cop.checkRateLimit(shared, 'GET /x') },
  ]);
  const limiterBase = limiter.get('ioredis INCR+PEXPIRE pipeline (baseline)') as number;
  printTable([
    ['rate-limit check on Redis', 'checks/s', 'vs baseline'],
    ...[...limiter].map(([name, perSecond]) => [name, format(perSecond), `${(perSecond / limiterBase).toFixed(2)}x`]),
  ]);

  const stores: Array<[string, KeyValueStore]> = [
    ['memory', memory],
    ['sqlite (file)', sqlite],
    ['redis', redis],
  ];
  const value = { userId: 'ada', roles: ['reader'], at: 1_700_000_000_000 };
  const rawValue = JSON.stringify(value);
  for (const store of stores.map(([, store]) => store)) {
    for (let index = 0; index < 100; index += 1) await store.set('bench', `k${index}`, value);
  }
  for (let index = 0; index < 100; index += 1) await raw.set(`${prefix}raw:k${index}`, rawValue);
  const table: string[][] = [['operation', 'adapter', 'ops/s', 'vs bare ioredis']];
  for (const [operation, bare, adapterRun] of [
    [
      'get',
      (index: number) => raw.get(`${prefix}raw:k${index % 100}`),
      (store: KeyValueStore, index: number) => store.get('bench', `k${index % 100}`),
    ],
    [
      'set',
      (index: number) => raw.set(`${prefix}raw:k${index % 100}`, rawValue),
      (store: KeyValueStore, index: number) => store.set('bench', `k${index % 100}`, value),
    ],
    [
      'increment',
      (index: number) => raw.incr(`${prefix}raw:n${index % 100}`),
      (store: KeyValueStore, index: number) => store.increment('bench', `n${index % 100}`),
    ],
  ] as const) {
    const rates = await measureRates([
      { name: 'bare ioredis', run: (index) => bare(index) },
      ...stores.map(([name, store]) => ({ name, run: (index: number) => adapterRun(store, index) })),
    ]);
    const base = rates.get('bare ioredis') as number;
    for (const [name, perSecond] of rates) {
      table.push([operation, name, format(perSecond), `${(perSecond / base).toFixed(2)}x`]);
    }
  }
  console.log('');
  printTable(table);
} finally {
  await platform.stop();
  await sqlite.shutdown();
  await redis.shutdown();
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await raw.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  raw.disconnect();
  await rm(directory, { recursive: true, force: true });
}
