import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type JsonValue, type KeyValueStore, keyValueNamespace } from '../public-works/ports/key-value-store.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/** What a key-value store conformance run needs. */
export interface KeyValueStoreFixture {
  store: KeyValueStore;
  /**
   * Moves the store's clock forward, when the adapter takes an injectable clock (the suite then
   * tests expiry without waiting). Without it, expiry is tested with short real waits.
   */
  advance?: (ms: number) => void;
  cleanup?: () => Promise<void>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Values whose JSON must come back equal (key order aside) from every adapter.
const JSON_SAMPLES: JsonValue[] = [
  'plain',
  '',
  'quotes " and \\ backslash, new\nline, tab\t, unicode é 漢字 🚀',
  0,
  -1.5,
  0.1,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  1e21,
  true,
  false,
  null,
  [],
  {},
  [1, 'two', [3], { four: 4 }, null, false],
  { b: 1, a: { d: [{ z: null, y: 'y' }], c: true }, 'key with spaces': 'v', '': 'empty key' },
];

/**
 * The shared behaviour every {@link KeyValueStore} adapter must have: JSON round trips, expiry,
 * atomic `increment` and `compareAndSet` under concurrency, tenant isolation, namespaces with
 * schemas, and refusal of bad input.
 */
export function describeKeyValueStoreConformance(name: string, setup: () => Promise<KeyValueStoreFixture>): void {
  describe(`KeyValueStore conformance: ${name}`, () => {
    let fixture: KeyValueStoreFixture;
    let store: KeyValueStore;
    // With an injectable clock, time moves at once; otherwise the test waits (generously).
    let ttl: number;
    const pass = async (ms: number) => (fixture.advance ? fixture.advance(ms) : await wait(ms));
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
      ttl = fixture.advance ? 1000 : 300;
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    it('sets, gets (a copy) and deletes JSON values', async () => {
      const tenant = uniqueTenant();
      const value = { user: 'u1', roles: ['admin'], n: 1 };
      await store.set(tenant, 'session:1', value);
      const read = await store.get<typeof value>(tenant, 'session:1');
      expect(read).toEqual(value);
      if (read) read.roles.push('mutated');
      expect(await store.get(tenant, 'session:1')).toEqual(value);
      await store.set(tenant, 'session:1', 'replaced');
      expect(await store.get(tenant, 'session:1')).toBe('replaced');
      expect(await store.delete(tenant, 'session:1')).toBe(true);
      expect(await store.delete(tenant, 'session:1')).toBe(false);
      expect(await store.get(tenant, 'session:1')).toBeUndefined();
    });

    it('round-trips JSON values of every kind', async () => {
      const tenant = uniqueTenant();
      await Promise.all(JSON_SAMPLES.map((value, index) => store.set(tenant, `json:${index}`, value)));
      for (const [index, value] of JSON_SAMPLES.entries()) {
        expect(await store.get(tenant, `json:${index}`), JSON.stringify(value)).toEqual(value);
      }
      // -0 is not JSON: it is stored as 0.
      await store.set(tenant, 'negative-zero', -0);
      expect(Object.is(await store.get(tenant, 'negative-zero'), 0)).toBe(true);
    });

    it('expires entries after their time to live, for every operation', async () => {
      const tenant = uniqueTenant();
      await store.set(tenant, 'short', 'x', { ttlMs: ttl });
      await store.set(tenant, 'gone', 'x', { ttlMs: ttl });
      await store.set(tenant, 'cas', 'old', { ttlMs: ttl });
      await store.set(tenant, 'cas-absent', 'old', { ttlMs: ttl });
      await store.set(tenant, 'counter', 'not a number', { ttlMs: ttl });
      await store.set(tenant, 'long', 'y');
      expect(await store.get(tenant, 'short')).toBe('x');
      await pass(ttl * 2);
      expect(await store.get(tenant, 'short')).toBeUndefined();
      expect(await store.delete(tenant, 'gone')).toBe(false);
      expect(await store.compareAndSet(tenant, 'cas', 'old', 'new')).toBe(false);
      expect(await store.get(tenant, 'cas')).toBeUndefined();
      expect(await store.compareAndSet(tenant, 'cas-absent', undefined, 'fresh')).toBe(true);
      expect(await store.get(tenant, 'cas-absent')).toBe('fresh');
      // An expired entry counts as 0, whatever it held.
      expect(await store.increment(tenant, 'counter', 2)).toBe(2);
      expect(await store.get(tenant, 'long')).toBe('y');
      // A later set without ttlMs removes the expiry.
      await store.set(tenant, 'renewed', 1, { ttlMs: ttl });
      await store.set(tenant, 'renewed', 2);
      await pass(ttl * 2);
      expect(await store.get(tenant, 'renewed')).toBe(2);
    });

    it('increments atomically: parallel increments sum exactly', async () => {
      const tenant = uniqueTenant();
      const results = await Promise.all(Array.from({ length: 50 }, () => store.increment(tenant, 'hits')));
      expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
      expect(await store.get(tenant, 'hits')).toBe(50);
      const mixed = await Promise.all([
        ...Array.from({ length: 20 }, () => store.increment(tenant, 'sum', 3)),
        ...Array.from({ length: 10 }, () => store.increment(tenant, 'sum', -1)),
      ]);
      expect(Math.max(...mixed)).toBeLessThanOrEqual(60);
      expect(await store.get(tenant, 'sum')).toBe(50);
      expect(await store.increment(tenant, 'fraction', 0.5)).toBe(0.5);
      expect(await store.increment(tenant, 'fraction', 0.25)).toBe(0.75);
      await store.set(tenant, 'preset', 10);
      expect(await store.increment(tenant, 'preset', 5)).toBe(15);
    });

    it('applies the time to live of an increment only when it creates the entry', async () => {
      const tenant = uniqueTenant();
      expect(await store.increment(tenant, 'window', 1, { ttlMs: ttl })).toBe(1);
      await pass(ttl / 2);
      // A later ttl does not slide the window.
      expect(await store.increment(tenant, 'window', 1, { ttlMs: ttl * 10 })).toBe(2);
      await pass(ttl * 2);
      expect(await store.get(tenant, 'window')).toBeUndefined();
      expect(await store.increment(tenant, 'window', 5)).toBe(5);
    });

    it('refuses to increment something that is not a number', async () => {
      const tenant = uniqueTenant();
      for (const [index, value] of (['abc', '5', true, null, [1], { n: 1 }] as JsonValue[]).entries()) {
        await store.set(tenant, `text:${index}`, value);
        await expectPlatformError(store.increment(tenant, `text:${index}`), 'CONFLICT');
        expect(await store.get(tenant, `text:${index}`)).toEqual(value);
      }
      await expectPlatformError(store.increment(tenant, 'n', Number.NaN), 'VALIDATION_FAILED');
      await expectPlatformError(store.increment(tenant, 'n', Number.POSITIVE_INFINITY), 'VALIDATION_FAILED');
    });

    it('compares and sets: absent, equal (key order aside) or not', async () => {
      const tenant = uniqueTenant();
      expect(await store.compareAndSet(tenant, 'k', 'something', 'x')).toBe(false);
      expect(await store.get(tenant, 'k')).toBeUndefined();
      expect(await store.compareAndSet(tenant, 'k', undefined, { a: 1, b: [1, 2] })).toBe(true);
      expect(await store.compareAndSet(tenant, 'k', undefined, 'again')).toBe(false);
      expect(await store.compareAndSet(tenant, 'k', { a: 1, b: [2, 1] }, 'wrong')).toBe(false);
      expect(await store.compareAndSet(tenant, 'k', { b: [1, 2], a: 1 }, { a: 2 })).toBe(true);
      expect(await store.get(tenant, 'k')).toEqual({ a: 2 });
      expect(await store.compareAndSet(tenant, 'k', { a: 2 }, null)).toBe(true);
      expect(await store.compareAndSet(tenant, 'k', null, 7)).toBe(true);
      // A number written by increment compares equal to the same number.
      expect(await store.increment(tenant, 'k', 3)).toBe(10);
      expect(await store.compareAndSet(tenant, 'k', 10, 11)).toBe(true);
      expect(await store.compareAndSet(tenant, 'k', '11', 12)).toBe(false);
      expect(await store.get(tenant, 'k')).toBe(11);
    });

    it('compares and sets with a time to live that replaces the old one', async () => {
      const tenant = uniqueTenant();
      expect(await store.compareAndSet(tenant, 'lease', undefined, 'a', { ttlMs: ttl })).toBe(true);
      expect(await store.compareAndSet(tenant, 'lease', 'a', 'b')).toBe(true);
      await pass(ttl * 2);
      expect(await store.get(tenant, 'lease')).toBe('b');
      expect(await store.compareAndSet(tenant, 'lease', 'b', 'c', { ttlMs: ttl })).toBe(true);
      await pass(ttl * 2);
      expect(await store.get(tenant, 'lease')).toBeUndefined();
    });

    it('lets exactly one of many concurrent compareAndSet from the same expected value win', async () => {
      const tenant = uniqueTenant();
      const racers = 20;
      const fromAbsent = await Promise.all(
        Array.from({ length: racers }, (_, index) => store.compareAndSet(tenant, 'claim', undefined, { by: index })),
      );
      expect(fromAbsent.filter(Boolean)).toHaveLength(1);
      expect(await store.get(tenant, 'claim')).toEqual({ by: fromAbsent.indexOf(true) });
      await store.set(tenant, 'version', { v: 1 });
      const fromValue = await Promise.all(
        Array.from({ length: racers }, (_, index) => store.compareAndSet(tenant, 'version', { v: 1 }, { v: 2, index })),
      );
      expect(fromValue.filter(Boolean)).toHaveLength(1);
      expect(await store.get(tenant, 'version')).toEqual({ v: 2, index: fromValue.indexOf(true) });
    });

    it('builds an exact counter from compareAndSet retry loops', async () => {
      const tenant = uniqueTenant();
      const add = async () => {
        for (;;) {
          const current = await store.get<number>(tenant, 'cas-counter');
          if (await store.compareAndSet(tenant, 'cas-counter', current, (current ?? 0) + 1)) return;
        }
      };
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          for (let index = 0; index < 5; index += 1) await add();
        }),
      );
      expect(await store.get(tenant, 'cas-counter')).toBe(50);
    });

    it('keeps tenants apart', async () => {
      const owner = uniqueTenant('owner');
      const other = uniqueTenant('other');
      await store.set(owner, 'k', 1);
      expect(await store.get(other, 'k')).toBeUndefined();
      expect(await store.delete(other, 'k')).toBe(false);
      expect(await store.compareAndSet(other, 'k', 1, 2)).toBe(false);
      expect(await store.compareAndSet(other, 'k', undefined, 'mine')).toBe(true);
      expect(await store.increment(owner, 'k')).toBe(2);
      expect(await store.get(other, 'k')).toBe('mine');
      expect(await store.get(owner, 'k')).toBe(2);
    });

    it('refuses bad input with VALIDATION_FAILED', async () => {
      const owner = uniqueTenant('owner');
      await expectPlatformError(store.set('bad tenant', 'k', 1), 'VALIDATION_FAILED');
      await expectPlatformError(store.get('', 'k'), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, '', 1), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, 'k'.repeat(513), 1), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, 'k', 1, { ttlMs: -5 }), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, 'k', 1, { ttlMs: 1.5 }), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, 'k', undefined as unknown as JsonValue), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, 'k', { n: Number.NaN }), 'VALIDATION_FAILED');
      await expectPlatformError(store.compareAndSet(owner, 'k', undefined, 1, { ttlMs: 0 }), 'VALIDATION_FAILED');
      await expectPlatformError(store.increment(owner, 'k', 1, { ttlMs: -1 }), 'VALIDATION_FAILED');
      expect(await store.get(owner, 'k')).toBeUndefined();
      expect(await store.get(owner, 'k'.repeat(512))).toBeUndefined();
    });

    it('keeps namespaces apart and checks values against their schema', async () => {
      const tenant = uniqueTenant();
      const Point = z.object({ x: z.number(), y: z.number() });
      const points = keyValueNamespace(store, 'points', Point);
      const others = keyValueNamespace(store, 'others');
      await points.set(tenant, 'p', { x: 1, y: 2 });
      expect(await points.get(tenant, 'p')).toEqual({ x: 1, y: 2 });
      expect(await others.get(tenant, 'p')).toBeUndefined();
      expect(await store.get(tenant, 'points:p')).toEqual({ x: 1, y: 2 });
      const refused = await expectPlatformError(
        points.set(tenant, 'p', { x: 'one', y: 2 } as unknown as { x: number; y: number }),
        'VALIDATION_FAILED',
      );
      expect(refused.details).toMatchObject({ namespace: 'points', key: 'p', issues: [{ path: 'x' }] });
      expect(await points.get(tenant, 'p')).toEqual({ x: 1, y: 2 });
      expect(await points.compareAndSet(tenant, 'p', { y: 2, x: 1 }, { x: 3, y: 4 })).toBe(true);
      await expectPlatformError(
        points.compareAndSet(tenant, 'p', { x: 3, y: 4 }, { x: 3 } as unknown as { x: number; y: number }),
        'VALIDATION_FAILED',
      );
      // A stored value that no longer matches is an error, never returned unchecked.
      await store.set(tenant, 'points:bad', { x: 'secret-value' });
      const broken = await expectPlatformError(points.get(tenant, 'bad'), 'CONTRACT_VIOLATION');
      expect(JSON.stringify(broken)).not.toContain('secret-value');
      expect(await points.delete(tenant, 'bad')).toBe(true);
      expect(await store.get(tenant, 'points:bad')).toBeUndefined();
      const counters = keyValueNamespace(store, 'counters', z.number().int().max(2));
      expect(await counters.increment(tenant, 'c')).toBe(1);
      expect(await counters.increment(tenant, 'c')).toBe(2);
      await expectPlatformError(counters.increment(tenant, 'c'), 'CONTRACT_VIOLATION');
      expect(() => keyValueNamespace(store, 'bad:name')).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
      expect(() => keyValueNamespace(store, '')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    });
  });
}
