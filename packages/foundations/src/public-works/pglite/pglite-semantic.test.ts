import { vector } from '@electric-sql/pglite-pgvector';
import { describe, expect, it } from 'vitest';
import { describeSemanticStoreConformance } from '../../testing/index.js';
import { SqlSemanticStore } from '../sql/sql-semantic-store.js';
import { PGliteDriver } from './pglite-driver.js';

describeSemanticStoreConformance('pglite + pgvector (in memory)', async () => {
  const store = new SqlSemanticStore({ driver: await PGliteDriver.open({ extensions: { vector } }) });
  await store.initialize();
  return { store, cleanup: () => store.shutdown() };
});

describe('SqlSemanticStore options', () => {
  it('refuses an efSearch outside 10-1000', async () => {
    const driver = await PGliteDriver.open();
    try {
      for (const efSearch of [5, 1001, 20.5]) {
        expect(() => new SqlSemanticStore({ driver, efSearch })).toThrow(
          expect.objectContaining({ code: 'VALIDATION_FAILED' }),
        );
      }
      expect(new SqlSemanticStore({ driver, efSearch: 400 }).kind).toBe('pglite+pgvector');
    } finally {
      await driver.close();
    }
  });
});

describe('SqlSemanticStore health', () => {
  it('is healthy while the database answers, and unhealthy with the reason once it is closed', async () => {
    const store = new SqlSemanticStore({ driver: await PGliteDriver.open({ extensions: { vector } }) });
    await store.initialize();
    expect(await store.health()).toEqual({ status: 'healthy' });
    await store.shutdown();
    expect(await store.health()).toEqual({ status: 'unhealthy', message: expect.any(String) });
  });
});
