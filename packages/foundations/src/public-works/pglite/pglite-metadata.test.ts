import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMetadataStoreConformance } from '../../testing/index.js';
import { applyMigrations, loadMigrations } from '../sql/migrations.js';
import { SqlMetadataStore } from '../sql/sql-metadata-store.js';
import { PGliteDriver } from './pglite-driver.js';

describeMetadataStoreConformance('pglite (in memory)', async () => {
  const store = new SqlMetadataStore({ driver: await PGliteDriver.open() });
  await store.initialize();
  return { store, cleanup: () => store.shutdown() };
});

describe('PGlite file-backed metadata store', () => {
  it('keeps records across a close and reopen, and applies migrations once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'platform-pglite-'));
    try {
      const first = new SqlMetadataStore({ driver: await PGliteDriver.open({ dataDir }) });
      await first.initialize();
      const file = await first.createFile({ tenantId: 't1', name: 'a.csv', sizeBytes: 1, sha256: 'a'.repeat(64) });
      await first.shutdown();

      const driver = await PGliteDriver.open({ dataDir });
      expect(await applyMigrations(driver, loadMigrations('metadata'))).toEqual({ applied: [] });
      const second = new SqlMetadataStore({ driver });
      await second.initialize();
      expect(await second.getFile('t1', file.id)).toEqual(file);
      expect((await second.health()).status).toBe('healthy');
      await second.shutdown();
      expect((await second.health()).status).toBe('unhealthy');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to run when an applied migration was edited', async () => {
    const driver = await PGliteDriver.open();
    try {
      const [migration] = loadMigrations('metadata');
      await applyMigrations(driver, loadMigrations('metadata'));
      await expect(
        applyMigrations(driver, [{ ...(migration as NonNullable<typeof migration>), checksum: 'edited' }]),
      ).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
    } finally {
      await driver.close();
    }
  });
});
