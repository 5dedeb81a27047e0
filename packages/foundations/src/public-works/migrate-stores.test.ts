import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../config/load.js';
import { migrateStores } from './migrate-stores.js';
import { createTestDatabase } from './postgres/test-database.js';
import { loadMigrations } from './sql/migrations.js';

describe('migrateStores', () => {
  it('migrates the local profile’s PGlite database once, and reports nothing to do after', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'migrate-stores-'));
    try {
      const config = loadPlatformConfig({ dataDir }, { env: {} });
      const first = await migrateStores(config);
      expect(first).toEqual([
        {
          store: 'metadata',
          location: `pglite://${join(dataDir, 'pglite')}`,
          applied: loadMigrations('metadata').map((migration) => migration.id),
        },
        {
          store: 'semantic',
          location: `pglite://${join(dataDir, 'pglite')}`,
          applied: loadMigrations('semantic').map((migration) => migration.id),
        },
      ]);
      expect((await migrateStores(config)).map((entry) => entry.applied)).toEqual([[], []]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('migrates a Postgres metadata store, hides the password, and names a missing pgvector', async () => {
    const database = await createTestDatabase();
    try {
      const url = new URL(database.url);
      url.password = 'secret';
      const metadataOnly = loadPlatformConfig(
        { stores: { metadata: url.toString(), semantic: 'memory://' } },
        { env: {} },
      );
      const report = await migrateStores(metadataOnly);
      expect(report[0]).toMatchObject({ store: 'metadata', applied: loadMigrations('metadata').map((m) => m.id) });
      expect(report[0]?.location).toContain(':***@');
      expect(JSON.stringify(report)).not.toContain('secret');
      expect(report[1]).toMatchObject({ store: 'semantic', applied: [], skipped: 'memory stores have no SQL schema' });

      const both = loadPlatformConfig({ stores: { metadata: database.url, semantic: database.url } }, { env: {} });
      const outcome = await migrateStores(both).catch((error: unknown) => error);
      const { rows } = await (async () => {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          return await client.query("select 1 from pg_available_extensions where name = 'vector'");
        } finally {
          await client.end();
        }
      })();
      if (rows.length === 0)
        expect(outcome).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { missingExtension: 'vector' } });
      else expect(outcome).toMatchObject([{ store: 'metadata', applied: [] }, { store: 'semantic' }]);
    } finally {
      await database.drop();
    }
  }, 60_000);
});
