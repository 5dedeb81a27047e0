import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyValueStore } from '../public-works/ports/key-value-store.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/** What a key-value store conformance run needs. */
export interface KeyValueStoreFixture {
  store: KeyValueStore;
  cleanup?: () => Promise<void>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shared behaviour every {@link KeyValueStore} adapter must have. */
export function describeKeyValueStoreConformance(name: string, setup: () => Promise<KeyValueStoreFixture>): void {
  describe(`KeyValueStore conformance: ${name}`, () => {
    let fixture: KeyValueStoreFixture;
    let store: KeyValueStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
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
      expect(await store.delete(tenant, 'session:1')).toBe(true);
      expect(await store.delete(tenant, 'session:1')).toBe(false);
      expect(await store.get(tenant, 'session:1')).toBeUndefined();
    });

    it('expires entries after their time to live', async () => {
      const tenant = uniqueTenant();
      await store.set(tenant, 'short', 'x', { ttlMs: 40 });
      await store.set(tenant, 'long', 'y');
      expect(await store.get(tenant, 'short')).toBe('x');
      await wait(80);
      expect(await store.get(tenant, 'short')).toBeUndefined();
      expect(await store.get(tenant, 'long')).toBe('y');
    });

    it('increments atomically, with a window that does not slide', async () => {
      const tenant = uniqueTenant();
      const results = await Promise.all(
        Array.from({ length: 30 }, () => store.increment(tenant, 'rate:u1', 1, { ttlMs: 60 })),
      );
      expect(results.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
      await wait(100);
      expect(await store.increment(tenant, 'rate:u1', 5)).toBe(5);
      await store.set(tenant, 'text', 'abc');
      await expectPlatformError(store.increment(tenant, 'text'), 'CONFLICT');
    });

    it('keeps tenants apart and refuses bad input', async () => {
      const owner = uniqueTenant('owner');
      const other = uniqueTenant('other');
      await store.set(owner, 'k', 1);
      expect(await store.get(other, 'k')).toBeUndefined();
      expect(await store.delete(other, 'k')).toBe(false);
      expect(await store.increment(other, 'k')).toBe(1);
      expect(await store.get(owner, 'k')).toBe(1);
      await expectPlatformError(store.set('bad tenant', 'k', 1), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, '', 1), 'VALIDATION_FAILED');
      await expectPlatformError(store.set(owner, 'k', 1, { ttlMs: -5 }), 'VALIDATION_FAILED');
    });
  });
}
