import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisKeyValueStore } from '@platform/foundations/redis';
import { describe, expect, it } from 'vitest';

// Two processes sharing one limit through the store: the fixture loads the built packages (run
// `pnpm --filter @platform/foundations --filter @platform/smart-city build` after changing them).
const FIXTURE = fileURLToPath(new URL('./traffic-cop.fixture.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const REDIS_URL = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 50;
const REQUESTS = 120;

function runFixture(args: string[]): Promise<{ allowed: number }> {
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

const totalAllowed = (results: Array<{ allowed: number }>) => results.reduce((sum, result) => sum + result.allowed, 0);

describe('Traffic Cop limits shared by two processes', () => {
  it('needs the built package', () => {
    expect(existsSync(DIST), 'run pnpm --filter @platform/smart-city build first').toBe(true);
  });

  it('never allows more than the limit in total on one SQLite file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'platform-cop-two-'));
    try {
      const path = join(directory, 'kv.db');
      const args = ['sqlite', path, '', String(REQUESTS), String(LIMIT)];
      const results = await Promise.all([runFixture(args), runFixture(args)]);
      expect(totalAllowed(results)).toBe(LIMIT);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 60_000);

  it('never allows more than the limit in total on Redis', async () => {
    const keyPrefix = `platform-test:cop:${randomUUID()}:`;
    const args = ['redis', REDIS_URL, keyPrefix, String(REQUESTS), String(LIMIT)];
    try {
      const results = await Promise.all([runFixture(args), runFixture(args)]);
      expect(totalAllowed(results)).toBe(LIMIT);
    } finally {
      const store = await RedisKeyValueStore.connect({ url: REDIS_URL, keyPrefix });
      await store.delete('acme', `rate:user:ada:${LIMIT}/3600000`);
      await store.shutdown();
    }
  }, 60_000);
});
