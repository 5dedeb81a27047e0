import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisKeyValueStore } from './redis/redis-key-value-store.js';
import { SqliteDatabase } from './sqlite/sqlite-database.js';
import { SqliteKeyValueStore } from './sqlite/sqlite-key-value-store.js';

// Two processes on one store: the fixture loads the built package (run `pnpm --filter
// @platform/foundations build` after changing the adapters).
const FIXTURE = fileURLToPath(new URL('./key-value-store.fixture.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const REDIS_URL = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = 200;

function runFixture(args: string[]): Promise<{ claimed: boolean; casRetries: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1) as string))
        : reject(new Error(`fixture exited ${code}: ${err}`)),
    );
  });
}

describe('KeyValueStore shared by two processes', () => {
  it('needs the built package', () => {
    expect(existsSync(DIST), 'run pnpm --filter @platform/foundations build first').toBe(true);
  });

  it('counts exactly and lets one claim win on one SQLite file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'platform-kv-two-'));
    try {
      const path = join(directory, 'kv.db');
      const results = await Promise.all([0, 1].map(() => runFixture(['sqlite', path, '', 't1', String(ROUNDS)])));
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      const store = new SqliteKeyValueStore({ database: await SqliteDatabase.open({ path }) });
      await store.initialize();
      expect(await store.get('t1', 'hits')).toBe(2 * ROUNDS);
      expect(await store.get('t1', 'cas')).toEqual({ n: 2 * ROUNDS });
      await store.shutdown();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 60_000);

  it('counts exactly and lets one claim win on Redis', async () => {
    const keyPrefix = `platform-test:kv2:${randomUUID()}:`;
    try {
      const results = await Promise.all(
        [0, 1].map(() => runFixture(['redis', REDIS_URL, keyPrefix, 't1', String(ROUNDS)])),
      );
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      const store = await RedisKeyValueStore.connect({ url: REDIS_URL, keyPrefix });
      expect(await store.get('t1', 'hits')).toBe(2 * ROUNDS);
      expect(await store.get('t1', 'cas')).toEqual({ n: 2 * ROUNDS });
      await store.shutdown();
    } finally {
      const client = new Redis(REDIS_URL);
      await client.del(`${keyPrefix}t1:hits`, `${keyPrefix}t1:cas`, `${keyPrefix}t1:claim`);
      client.disconnect();
    }
  }, 60_000);
});
