import { afterEach, describe, expect, it, vi } from 'vitest';

// Watch the comparisons the key ring makes; they still compare for real.
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof import('node:crypto')>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

const { timingSafeEqual } = await import('node:crypto');
const { ApiKeyRing, apiKeyEntry, hashApiKey } = await import('./api-keys.js');

const compare = vi.mocked(timingSafeEqual);
afterEach(() => compare.mockClear());

describe('API key ring', () => {
  const keys = ['first', 'second', 'third'].map((name) => apiKeyEntry({ name, tenantId: 'acme', permissions: [] }));
  const ring = new ApiKeyRing(keys.map(({ entry }) => entry));

  it('compares sha256 digests in constant time against every entry, found or not', () => {
    expect(ring.find(keys[0]?.key as string)?.name).toBe('first');
    expect(compare).toHaveBeenCalledTimes(3);
    compare.mockClear();
    expect(ring.find('pk_wrong')).toBeUndefined();
    expect(compare).toHaveBeenCalledTimes(3);
    // Always two 32-byte digests: the key's length never shows in the comparison (and never throws).
    for (const [left, right] of compare.mock.calls) {
      expect((left as Buffer).length).toBe(32);
      expect((right as Buffer).length).toBe(32);
    }
  });

  it('finds keys of any length without comparing raw keys', () => {
    for (const key of ['x', 'k'.repeat(5000), `${keys[1]?.key}!`]) expect(ring.find(key)).toBeUndefined();
    expect(ring.find(keys[2]?.key as string)?.name).toBe('third');
    for (const [left, right] of compare.mock.calls) {
      expect([(left as Buffer).length, (right as Buffer).length]).toEqual([32, 32]);
    }
    // An empty key is refused before any comparison.
    compare.mockClear();
    expect(ring.find('')).toBeUndefined();
    expect(compare).not.toHaveBeenCalled();
  });

  it('keeps the hash given, or makes a key when none is given', () => {
    const given = apiKeyEntry({ name: 'fixed', tenantId: 'acme', permissions: ['files:write'], key: 'pk_known' });
    expect(given).toEqual({
      key: 'pk_known',
      entry: { name: 'fixed', tenantId: 'acme', permissions: ['files:write'], sha256: hashApiKey('pk_known') },
    });
    expect(hashApiKey('pk_known')).toMatch(/^[0-9a-f]{64}$/);
    expect(keys[0]?.key).not.toBe(keys[1]?.key);
  });
});
