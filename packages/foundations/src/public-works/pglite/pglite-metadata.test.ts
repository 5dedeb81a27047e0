import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMetadataStoreConformance, sqlAuditTamper } from '../../testing/index.js';
import { verifyAudit } from '../audit-chain.js';
import { applyMigrations, loadMigrations } from '../sql/migrations.js';
import { SqlMetadataStore } from '../sql/sql-metadata-store.js';
import { PGliteDriver } from './pglite-driver.js';

describeMetadataStoreConformance('pglite (in memory)', async () => {
  const driver = await PGliteDriver.open();
  const store = new SqlMetadataStore({ driver });
  await store.initialize();
  return {
    store,
    tamper: sqlAuditTamper('postgres', (sql, params) => driver.query(sql, params)),
    cleanup: () => store.shutdown(),
  };
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

  it('leaves records appended before the audit chain unchained, counts them as legacy, and chains the next ones', async () => {
    const driver = await PGliteDriver.open();
    try {
      await applyMigrations(driver, loadMigrations('metadata').slice(0, 1));
      await driver.query(
        `insert into platform_governance_records (tenant_id, id, kind, subject_kind, subject_id, data, created_at)
         values ('t1', 'gov_00000000-0000-4000-8000-000000000000', 'audit', 'file', 'f1', '{}', now() - interval '1 day')`,
      );
      const store = new SqlMetadataStore({ driver, ownsDriver: false });
      await store.initialize();
      const first = await store.appendGovernanceRecord({
        tenantId: 't1',
        kind: 'audit',
        subject: { kind: 'file', id: 'f1' },
        data: {},
      });
      await store.appendGovernanceRecord({
        tenantId: 't1',
        kind: 'audit',
        subject: { kind: 'file', id: 'f1' },
        data: {},
      });
      expect(first).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
      const [legacy] = (await store.listGovernanceRecords('t1')).items;
      expect(legacy).not.toHaveProperty('seq');
      expect(await verifyAudit(store, 't1')).toMatchObject({ ok: true, records: 2, legacy: 1 });
    } finally {
      await driver.close();
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
